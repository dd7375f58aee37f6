/* mlops-kg site index: sort the tool table by a column and filter it by capability, provider,
   language, type or text. Works on the rendered table only; reads data-* attributes as text. */
(function () {
  "use strict";
  var table = document.getElementById("tools");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filters = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var text = document.getElementById("tool-filter");
  var count = document.getElementById("tool-count");

  function apply() {
    var query = text ? text.value.trim().toLowerCase() : "";
    var shown = 0;
    rows.forEach(function (row) {
      var ok = filters.every(function (select) {
        if (!select.value) { return true; }
        var values = (row.getAttribute("data-" + select.getAttribute("data-filter")) || "").split(" ");
        return values.indexOf(select.value) >= 0;
      });
      if (ok && query) { ok = row.textContent.toLowerCase().indexOf(query) >= 0; }
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (count) { count.textContent = shown + " of " + rows.length + " shown"; }
  }
  filters.forEach(function (select) { select.addEventListener("change", apply); });
  if (text) { text.addEventListener("input", apply); }

  var direction = {};
  Array.prototype.slice.call(table.tHead.querySelectorAll("button[data-column]")).forEach(function (button) {
    button.addEventListener("click", function () {
      var column = Number(button.getAttribute("data-column"));
      var numeric = button.getAttribute("data-numeric") === "true";
      var dir = direction[column] = -(direction[column] || -1);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-sort") || a.cells[column].textContent;
        var y = b.cells[column].getAttribute("data-sort") || b.cells[column].textContent;
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, undefined, {sensitivity: "base"});
        return c * dir;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      Array.prototype.slice.call(table.tHead.querySelectorAll("th")).forEach(function (th) {
        th.removeAttribute("aria-sort");
      });
      button.parentNode.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    });
  });
  apply();
}());
