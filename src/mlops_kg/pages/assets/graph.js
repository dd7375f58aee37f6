/* mlops-kg graph pages: draws the network described by the JSON element #graph-data with vis-network.
   Every piece of data is used as text (textContent, value, vis-network string titles), never as HTML. */
(function () {
  "use strict";
  var source = document.getElementById("graph-data");
  var container = document.getElementById("graph");
  if (!source || !container || typeof vis === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });

  function tooltip(n) {
    var lines = [n.label, "Type: " + n.type];
    if (n.cluster) { lines.push("Cluster: " + n.cluster); }
    if (n.description) { lines.push(n.description); }
    if (n.source) { lines.push("Source: " + n.source); }
    return lines.join("\n");
  }
  function visNode(n) {
    var out = {id: n.id, label: n.label, title: tooltip(n), shape: n.shape, color: n.color, x: n.x, y: n.y};
    ["size", "borderWidth", "font"].forEach(function (k) { if (n[k] !== undefined) { out[k] = n[k]; } });
    return out;
  }
  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var out = {id: e.id, from: e.from, to: e.to, title: e.title};
    ["label", "arrows", "width"].forEach(function (k) { if (e[k] !== undefined && e[k] !== "") { out[k] = e[k]; } });
    return out;
  }));
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var state = {network: network, nodes: nodes, edges: edges, data: data, ready: false,
               nodeCount: data.nodes.length, edgeCount: data.edges.length};
  window.mlopsKg = state;

  function markReady() {
    network.once("afterDrawing", function () {
      state.ready = true;
      document.body.setAttribute("data-graph-ready", "true");
    });
    if (data.center && byId[data.center]) {
      network.fit({animation: false});
    }
    network.redraw();
  }
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      markReady();
    });
  } else {
    network.fit({animation: false});
    markReady();
  }

  // a page of the site (relative, .html), with at most a plain fragment: never a scheme, never markup
  function safeUrl(url) {
    return typeof url === "string" && /^[A-Za-z0-9_.\/-]+\.html(#[A-Za-z0-9_.\/=&:-]*)?$/.test(url);
  }
  var details = document.getElementById("details");
  function line(tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) { el.className = cls; }
    details.appendChild(el);
    return el;
  }
  function showDetails(id) {
    var n = byId[id];
    if (!details || !n) { return; }
    while (details.firstChild) { details.removeChild(details.firstChild); }
    line("h2", n.label);
    line("p", n.type + (n.cluster ? " · cluster: " + n.cluster : ""), "muted");
    if (n.description) { line("p", n.description); }
    if (n.source) { line("p", "Source: " + n.source, "muted"); }
    if (safeUrl(n.url)) {
      var p = document.createElement("p");
      var a = document.createElement("a");
      a.href = n.url;
      a.textContent = (n.linkText || "Open the page of") + " " + n.label;
      p.appendChild(a);
      details.appendChild(p);
    }
  }
  network.on("selectNode", function (params) { showDetails(params.nodes[0]); });
  network.on("doubleClick", function (params) {
    var n = params.nodes.length ? byId[params.nodes[0]] : null;
    if (n && safeUrl(n.url)) { window.location.href = n.url; }
  });

  var filter = document.getElementById("kind-filter");
  function applyFilter(kind) {
    nodes.update(data.nodes.map(function (n) { return {id: n.id, hidden: !!kind && n.kind !== kind}; }));
  }
  if (filter) {
    filter.addEventListener("change", function () { applyFilter(filter.value); });
  }

  var input = document.getElementById("search");
  var list = document.getElementById("search-options");
  var status = document.getElementById("search-status");
  if (list) {
    var seen = {};
    data.nodes.slice().sort(function (a, b) { return a.label.localeCompare(b.label); }).forEach(function (n) {
      if (seen[n.label]) { return; }
      seen[n.label] = true;
      var option = document.createElement("option");
      option.value = n.label;
      list.appendChild(option);
    });
  }
  function find(text) {
    var query = (text || "").trim().toLowerCase();
    if (!query) { return null; }
    var hits = data.nodes.filter(function (n) { return n.label.toLowerCase() === query; });
    if (!hits.length) {
      hits = data.nodes.filter(function (n) { return n.label.toLowerCase().indexOf(query) >= 0; });
    }
    if (!hits.length) {
      if (status) { status.textContent = "nothing matches \u201c" + text.trim() + "\u201d"; }
      return null;
    }
    var n = hits[0];
    if (filter && filter.value && filter.value !== n.kind) {
      filter.value = "";
      applyFilter("");
    }
    network.selectNodes([n.id]);
    network.focus(n.id, {scale: 1.2, animation: false});
    showDetails(n.id);
    if (status) {
      status.textContent = hits.length > 1 ? hits.length + " matches; showing " + n.label : "found " + n.label;
    }
    return n.id;
  }
  state.find = find;
  state.applyFilter = applyFilter;
  if (input) {
    input.addEventListener("change", function () { find(input.value); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); find(input.value); }
    });
  }
}());
