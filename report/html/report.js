// cookiescan report: sortable and filterable cookie tables, and open <details>
// before printing. The page is complete without it. It reads the DOM only; no
// site data is ever part of this script.
(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };

  function sortKey(cell, numeric) {
    var v = cell.getAttribute("data-sort");
    if (v === null) { v = cell.textContent.trim(); }
    return numeric ? parseFloat(v) || 0 : v.toLowerCase();
  }

  each(document.querySelectorAll("table.sortable"), function (table) {
    var body = table.tBodies[0];
    var heads = table.tHead.rows[0].cells;
    // The original order breaks ties, so a sort is stable and reversible.
    each(body.rows, function (row, i) { row.setAttribute("data-i", String(i)); });
    each(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.getAttribute("data-type") === "num";
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortKey(a.cells[col], numeric), y = sortKey(b.cells[col], numeric);
          var c = numeric ? x - y : x.localeCompare(y);
          if (c === 0) { c = a.getAttribute("data-i") - b.getAttribute("data-i"); return c; }
          return up ? c : -c;
        });
        each(rows, function (row) { body.appendChild(row); });
      });
    });
  });

  each(document.querySelectorAll("input.filter-input"), function (input) {
    var table = document.getElementById(input.getAttribute("aria-controls"));
    if (!table) { return; }
    var box = input.closest(".filter");
    var shown = box.querySelector(".shown");
    var rows = table.tBodies[0].rows;
    box.hidden = false;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), n = 0;
      each(rows, function (row) {
        var hit = q === "" || row.textContent.toLowerCase().indexOf(q) >= 0;
        row.hidden = !hit;
        if (hit) { n++; }
      });
      shown.textContent = q === "" ? "" : n + " of " + rows.length + " shown";
    });
  });

  window.addEventListener("beforeprint", function () {
    each(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
