/* mlops-kg site compare page: two to four tools side by side, as `mlops-kg compare` prints them.
   Reads the JSON of #compare-data (every tool's table cells and capabilities); the tools shown
   come from the address, compare.html#tools=tool/mlflow,tool/weights-and-biases, and the picker
   rewrites it. Builds the table with text nodes only, never from HTML.
   window.mlopsKgCompare.shown lists the ids of the tools on show. */
(function () {
  "use strict";
  var node = document.getElementById("compare-data");
  if (!node) { return; }
  var data = JSON.parse(node.textContent);
  var byId = {}, byLabel = {};
  data.tools.forEach(function (tool) {
    byId[tool.id] = tool;
    byLabel[tool.label.toLowerCase()] = tool;
  });
  var pick = document.getElementById("compare-pick");
  var add = document.getElementById("compare-add");
  var status = document.getElementById("compare-status");
  var chosenList = document.getElementById("compare-chosen");
  var target = document.getElementById("compare-table");
  var state = window.mlopsKgCompare = {shown: [], ready: false};

  var options = document.getElementById("compare-options");
  data.tools.forEach(function (tool) {
    var option = document.createElement("option");
    option.value = tool.label;
    options.appendChild(option);
  });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function chosen() {
    var match = /(?:^|[#&])tools=([^&]*)/.exec(location.hash);
    if (!match) { return []; }
    var seen = {};
    return decodeURIComponent(match[1]).split(",").filter(function (id) {
      var ok = byId[id] && !seen[id];
      seen[id] = true;
      return ok;
    }).slice(0, data.max);
  }

  function setChosen(ids) {
    location.hash = "tools=" + ids.join(",");
  }

  function headerRow(first, tools) {
    var tr = el("tr");
    tr.appendChild(el("th", first));
    tools.forEach(function (tool) {
      var th = el("th");
      var a = el("a", tool.label);
      a.setAttribute("href", tool.href);
      th.appendChild(a);
      tr.appendChild(th);
    });
    return tr;
  }

  function render() {
    var ids = chosen();
    state.shown = ids;
    var tools = ids.map(function (id) { return byId[id]; });
    chosenList.textContent = "";
    tools.forEach(function (tool, i) {
      var li = el("li", tool.label + " ");
      var remove = el("button", "remove");
      remove.setAttribute("type", "button");
      remove.setAttribute("aria-label", "remove " + tool.label);
      remove.addEventListener("click", function () {
        setChosen(ids.filter(function (_, j) { return j !== i; }));
      });
      li.appendChild(remove);
      chosenList.appendChild(li);
    });
    target.textContent = "";
    if (tools.length < 2) {
      target.appendChild(el("p", tools.length ? "Add one more tool to compare." :
        "Choose tools above, or open this page from a tool's page.", "muted"));
      state.ready = true;
      return;
    }
    var table = el("table", null, "compare");
    var head = el("thead");
    head.appendChild(headerRow("", tools));
    table.appendChild(head);
    var body = el("tbody");
    data.rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", row[1]));
      tools.forEach(function (tool) { tr.appendChild(el("td", tool.cells[row[0]] || "\u2014")); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    target.appendChild(table);

    var has = tools.map(function (tool) {
      var own = {};
      tool.caps.forEach(function (c) { own[c[0]] = c[1]; });
      return own;
    });
    var union = [];
    data.capabilities.forEach(function (cap, index) {
      if (has.some(function (own) { return own[index] !== undefined; })) { union.push(index); }
    });
    var caps = el("table", null, "compare compare-capabilities");
    var capHead = el("thead");
    capHead.appendChild(headerRow("capability", tools));
    caps.appendChild(capHead);
    var capBody = el("tbody");
    union.forEach(function (index) {
      var tr = el("tr");
      tr.appendChild(el("th", data.capabilities[index][1]));
      has.forEach(function (own) {
        tr.appendChild(own[index] === undefined ? el("td", "✗", "lacks") : el("td", own[index], "has"));
      });
      capBody.appendChild(tr);
    });
    caps.appendChild(capBody);
    target.appendChild(el("h2", "Capabilities"));
    target.appendChild(caps);

    var lacks = el("ul", null, "compare-lacks");
    tools.forEach(function (tool, i) {
      var missing = union.filter(function (index) { return has[i][index] === undefined; })
        .map(function (index) { return data.capabilities[index][1]; });
      lacks.appendChild(el("li", tool.label + " lacks: " + (missing.length ? missing.join(", ") : "nothing another one has")));
    });
    target.appendChild(el("h2", "What each lacks"));
    target.appendChild(lacks);
    state.ready = true;
  }

  function addPicked() {
    var tool = byLabel[pick.value.trim().toLowerCase()];
    if (!tool) {
      status.textContent = pick.value.trim() ? "no tool named \u201c" + pick.value.trim() + "\u201d" : "";
      return;
    }
    var ids = chosen();
    if (ids.indexOf(tool.id) >= 0) { status.textContent = tool.label + " is already shown"; return; }
    if (ids.length >= data.max) { status.textContent = "at most " + data.max + " tools: remove one first"; return; }
    status.textContent = "";
    pick.value = "";
    setChosen(ids.concat([tool.id]));
  }

  add.addEventListener("click", addPicked);
  pick.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); addPicked(); }
  });
  window.addEventListener("hashchange", render);
  render();
}());
