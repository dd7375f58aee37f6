/* mlops-kg site index: filter the tool table by text, type, kind, capability, licence, status,
   provider or language, and sort it by any column, quickly at a few thousand rows. Works on the
   rendered table only; reads cells and data-* attributes as text, never as HTML.
   A filter can be preset from the address: index.html#capability=capability/feature-store&status=active
   (a whole IRI works too; q=TEXT fills the text box). When two to four tools are shown, a link
   offers to compare them (compare.html).
   window.mlopsKgIndex.timings records how long the last filter and sort took (ms). */
(function () {
  "use strict";
  var started = performance.now();
  var table = document.getElementById("tools");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filters = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var text = document.getElementById("tool-filter");
  var count = document.getElementById("tool-count");
  var compareShown = document.getElementById("compare-shown");
  var state = window.mlopsKgIndex = {rows: rows.length, shown: rows.length, timings: {}, ready: false};
  var searchText = null;   // lower-case text of each row, made on the first text filter
  var tokens = {};         // filter name -> per-row array of the row's values

  function valuesOf(name) {
    if (!tokens[name]) {
      tokens[name] = rows.map(function (row) {
        var value = row.getAttribute("data-" + name) || "";
        return value ? value.split(" ") : [];
      });
    }
    return tokens[name];
  }

  // Showing rows again costs layout: the first FIRST rows (in table order) are shown at once, the
  // others a SLICE per animation frame, so a keystroke that brings back 2,000 rows paints its first
  // screen at once and typing is never blocked. Hiding is cheap and done at once.
  var FIRST = 150, SLICE = 400;
  var generation = 0;
  state.pending = 0;
  function prepareSearch() {
    if (!searchText) { searchText = rows.map(function (row) { return row.textContent.toLowerCase(); }); }
  }
  function apply() {
    var t0 = performance.now();
    var query = text ? text.value.trim().toLowerCase() : "";
    var active = filters.filter(function (select) { return select.value; }).map(function (select) {
      return {value: select.value, values: valuesOf(select.getAttribute("data-filter"))};
    });
    if (query && !searchText) { prepareSearch(); }
    var shown = 0, reveal = [], few = [];
    for (var k = 0; k < order.length; k += 1) {
      var i = order[k];
      var ok = true;
      for (var f = 0; ok && f < active.length; f += 1) { ok = active[f].values[i].indexOf(active[f].value) >= 0; }
      if (ok && query) { ok = searchText[i].indexOf(query) >= 0; }
      if (ok) { shown += 1; if (few.length < 5) { few.push(rows[i].getAttribute("data-tool")); } }
      if (ok === rows[i].hidden) {  // reading the attribute costs no layout
        if (ok) { reveal.push(i); } else { rows[i].hidden = true; }
      }
    }
    var mine = generation += 1;
    function showSlice(from, size) {
      if (mine !== generation) { return; }  // a newer filter took over; it reveals what it needs
      var end = Math.min(reveal.length, from + size);
      for (var r = from; r < end; r += 1) { rows[reveal[r]].hidden = false; }
      state.pending = reveal.length - end;
      if (end < reveal.length) {
        window.requestAnimationFrame(function () { showSlice(end, SLICE); });  // one slice a frame
      } else {
        state.timings.allShown = performance.now() - t0;
      }
    }
    showSlice(0, FIRST);
    state.shown = shown;
    if (count) { count.textContent = shown + " of " + rows.length + " shown"; }
    if (compareShown) {  // two to four tools left: offer to compare them side by side
      compareShown.hidden = !(shown >= 2 && shown <= 4);
      compareShown.setAttribute("href", "compare.html#tools=" + few.join(","));
    }
    state.timings.filter = performance.now() - t0;
  }

  var keys = {};  // column -> per-row sort key, made on the first sort by that column
  function keyOf(column, numeric) {
    if (!keys[column]) {
      keys[column] = rows.map(function (row) {
        var cell = row.cells[column];
        var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
        if (raw === "") { return null; }  // a missing fact sorts last, whichever the direction
        return numeric ? Number(raw) : raw.toLowerCase();
      });
    }
    return keys[column];
  }

  var direction = {};
  var order = rows.map(function (_row, i) { return i; });
  Array.prototype.slice.call(table.tHead.querySelectorAll("button[data-column]")).forEach(function (button) {
    button.addEventListener("click", function () {
      var t0 = performance.now();
      var column = Number(button.getAttribute("data-column"));
      var numeric = button.getAttribute("data-numeric") === "true";
      var dir = direction[column] = -(direction[column] || (numeric ? 1 : -1));
      var key = keyOf(column, numeric);
      order.sort(function (a, b) {
        var x = key[a], y = key[b];
        if (x === null || y === null) { return x === y ? a - b : (x === null ? 1 : -1); }
        var c = numeric ? x - y : (x < y ? -1 : (x > y ? 1 : 0));
        return c ? c * dir : a - b;
      });
      var fragment = document.createDocumentFragment();
      order.forEach(function (i) { fragment.appendChild(rows[i]); });
      body.appendChild(fragment);
      if (state.pending) { apply(); }  // the rows still to show come back in the new order
      Array.prototype.slice.call(table.tHead.querySelectorAll("th")).forEach(function (th) {
        th.removeAttribute("aria-sort");
      });
      button.parentNode.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      state.timings.sort = performance.now() - t0;
    });
  });

  function preset() {
    var changed = false;
    (location.hash || "").replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 1) { return; }
      var name = decodeURIComponent(pair.slice(0, at)), value = decodeURIComponent(pair.slice(at + 1));
      var base = table.getAttribute("data-id-base") || "";
      if (base && value.indexOf(base) === 0) { value = value.slice(base.length); }  // a whole IRI works too
      if (name === "q" && text) { text.value = value; changed = true; }
      filters.forEach(function (select) {
        if (select.getAttribute("data-filter") === name) { select.value = value; changed = true; }
      });
    });
    return changed;
  }

  filters.forEach(function (select) { select.addEventListener("change", apply); });
  if (text) { text.addEventListener("input", apply); }
  window.addEventListener("hashchange", function () { if (preset()) { apply(); } });
  preset();
  apply();
  window.setTimeout(prepareSearch, 0);  // after the first paint, so the first keystroke need not wait
  state.timings.setup = performance.now() - started;
  state.timings.ready = performance.now();  // since navigation began: the table parsed, laid out, filterable
  state.ready = true;
  document.body.setAttribute("data-index-ready", "true");
}());
