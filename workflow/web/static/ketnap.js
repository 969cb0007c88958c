/* ketnap: the little the pages do with a script; every form works without it.
   - A calendar button beside each date input (dd/mm/yyyy text, whatever the browser's locale).
   - "Add a row" for lists of objects (introducers): the last row copied with the next index, emptied.
   - The outcome of a step (recorded or refused) focused, should the browser skip `autofocus`. */
(function () {
  "use strict";
  var vi = document.documentElement.lang !== "en";
  var MONTHS = vi ? "Tháng 1,Tháng 2,Tháng 3,Tháng 4,Tháng 5,Tháng 6,Tháng 7,Tháng 8,Tháng 9,Tháng 10,Tháng 11,Tháng 12"
                  : "January,February,March,April,May,June,July,August,September,October,November,December";
  var DAYS = vi ? "T2,T3,T4,T5,T6,T7,CN" : "Mo,Tu,We,Th,Fr,Sa,Su";
  MONTHS = MONTHS.split(","); DAYS = DAYS.split(",");
  var open = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function shown(d) { return pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear(); }
  function parse(text) {
    var m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text || "");
    if (m) { return new Date(+m[3], +m[2] - 1, +m[1]); }
    m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text || "");
    return m ? new Date(+m[1], +m[2] - 1, +m[3]) : null;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function close() { if (open) { open.remove(); open = null; } }

  function calendar(input, month) {
    close();
    var box = el("div", "datepick"), head = el("div", "datepick-head");
    var prev = el("button", "secondary", "‹"), next = el("button", "secondary", "›");
    prev.type = next.type = "button";
    prev.onclick = function () { calendar(input, new Date(month.getFullYear(), month.getMonth() - 1, 1)); };
    next.onclick = function () { calendar(input, new Date(month.getFullYear(), month.getMonth() + 1, 1)); };
    head.append(prev, el("strong", "", MONTHS[month.getMonth()] + " " + month.getFullYear()), next);
    var grid = el("div", "datepick-grid");
    DAYS.forEach(function (d) { grid.append(el("span", "dow", d)); });
    var lead = (new Date(month.getFullYear(), month.getMonth(), 1).getDay() + 6) % 7;
    for (var i = 0; i < lead; i++) { grid.append(el("span")); }
    var chosen = parse(input.value), last = new Date(month.getFullYear(), month.getMonth() + 1, 0).getDate();
    for (var day = 1; day <= last; day++) {
      var b = el("button", "day", String(day)), date = new Date(month.getFullYear(), month.getMonth(), day);
      b.type = "button";
      if (chosen && +chosen === +date) { b.className += " on"; }
      b.onclick = (function (d) { return function () { input.value = shown(d); close(); input.focus(); }; })(date);
      grid.append(b);
    }
    box.append(head, grid);
    input.parentNode.insertBefore(box, input.nextSibling.nextSibling);
    open = box;
  }

  function addCalendar(input) {
    var b = el("button", "cal secondary", vi ? "Lịch" : "Calendar");
    b.type = "button";
    b.title = b.ariaLabel = vi ? "Chọn ngày trên lịch" : "Pick the date on a calendar";
    b.onclick = function () {
      if (open && open.previousSibling === b) { close(); return; }
      var d = parse(input.value) || new Date();
      calendar(input, new Date(d.getFullYear(), d.getMonth(), 1));
    };
    input.after(b);
  }

  function addRow(button) {
    var rows = button.closest("fieldset.rows"), base = rows.dataset.rows;
    var groups = rows.querySelectorAll(":scope > fieldset.group"), last = groups[groups.length - 1];
    var index = groups.length, copy = last.cloneNode(true);
    var from = new RegExp("^" + base.replace(/\./g, "\\.") + "\\.\\d+\\.");
    copy.dataset.group = base + "." + index;
    copy.querySelectorAll("[name]").forEach(function (i) {
      i.name = i.name.replace(from, base + "." + index + ".");
      if (i.type === "checkbox") { i.checked = false; } else { i.value = ""; }
      i.required = false;
    });
    copy.querySelectorAll(".reason, .datepick, .cal").forEach(function (e) { e.remove(); });
    copy.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
    var legend = copy.querySelector("legend");
    if (legend) { legend.textContent = legend.textContent.replace(/\d+\s*$/, String(index + 1)); }
    rows.insertBefore(copy, button);
    copy.querySelectorAll("input[data-date]").forEach(addCalendar);
    if (index + 1 >= +rows.dataset.max) { button.hidden = true; }
    var first = copy.querySelector("input, select");
    if (first) { first.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-date]").forEach(addCalendar);
    document.querySelectorAll("button[data-add-row]").forEach(function (b) {
      b.hidden = false;
      b.onclick = function () { addRow(b); };
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") { close(); } });
    var outcome = document.getElementById("outcome") || document.getElementById("done");
    if (outcome && document.activeElement === document.body) { outcome.focus(); }
  });
})();
