// A request htmx does not swap in (403, 404, a server error, or no answer at all) still tells the
// user what happened, in the page's alert region; what they typed stays in the form.
(function () {
  "use strict";
  var MESSAGES = {
    403: "You may not do this here.",
    404: "This is no longer here, or no longer yours: reload the page.",
  };
  var SERVER = "The server could not complete the request. Nothing on this page was lost; try again.";
  var NO_ANSWER = "The server did not answer. Check your connection; nothing on this page was lost.";

  function region() {
    return document.getElementById("request-error");
  }
  function show(message) {
    var box = region();
    if (box) {
      box.textContent = message;
      box.hidden = false;
    }
  }
  document.addEventListener("htmx:beforeRequest", function () {
    var box = region();
    if (box) box.hidden = true;
  });
  document.addEventListener("htmx:responseError", function (event) {
    show(MESSAGES[event.detail.xhr.status] || SERVER);
  });
  document.addEventListener("htmx:sendError", function () {
    show(NO_ANSWER);
  });
})();

// A "Copy" button (data-copy="<id>") copies the text of the element with that id.
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target.closest("[data-copy]");
  var source = button && document.getElementById(button.getAttribute("data-copy"));
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    button.textContent = "Copied";
  });
});

// The header's menu: on a narrow screen it folds behind the "Menu" button (a disclosure), so the
// page starts right under a one-line header; on a wide screen, or without script, it stays open.
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var header = button && button.closest(".topbar");
  if (!header) return;
  var narrow = window.matchMedia("(max-width: 640px)");
  function open(isOpen) {
    button.setAttribute("aria-expanded", String(isOpen));
    header.classList.toggle("menu-closed", !isOpen);
  }
  button.hidden = false;
  open(!narrow.matches);
  narrow.addEventListener("change", function () {
    open(!narrow.matches);
  });
  button.addEventListener("click", function () {
    open(button.getAttribute("aria-expanded") !== "true");
  });
})();

// Data tables: each cell carries its column's header (data-label), so that on a narrow screen a
// row reads as a card of "label: value" lines (app.css, table.stacks). A table still wider than
// its box scrolls inside a region a keyboard can reach, named after the table.
(function () {
  "use strict";
  function columnNames(table) {
    var names = [];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      for (var i = 0; i < cell.colSpan; i++) names.push(cell.textContent.trim());
    });
    return names;
  }
  function label(table) {
    var names = columnNames(table);
    var rows = [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      rows = rows.concat(Array.prototype.slice.call(body.rows));
    });
    if (table.tFoot) rows = rows.concat(Array.prototype.slice.call(table.tFoot.rows));
    rows.forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (cell.colSpan === 1 && names[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", names[column]);
        }
        column += cell.colSpan;
      });
    });
    table.classList.add("stacks");
  }
  function regionName(wrap) {
    var table = wrap.querySelector("table");
    if (table && table.caption) return table.caption.textContent.trim();
    var section = wrap.closest("[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    heading = heading || (wrap.parentElement && wrap.parentElement.querySelector("h2, h3"));
    return heading ? heading.textContent.trim() : document.title;
  }
  function regions() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth || wrap.scrollHeight > wrap.clientHeight;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", regionName(wrap) + " (scrolls sideways)");
      } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
        ["tabindex", "role", "aria-label"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
      if (scrolls) wrap.setAttribute("data-scrolls", "");
      else wrap.removeAttribute("data-scrolls");
    });
  }
  function prepare() {
    // A table with one header row (not a grid of inputs) can stack.
    document.querySelectorAll("table.data").forEach(function (table) {
      if (table.tHead && table.tHead.rows.length === 1 && !table.querySelector("tbody input, tbody select")) {
        label(table);
      }
    });
    regions();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", prepare);
  else prepare();
  window.addEventListener("resize", regions);
  document.addEventListener("htmx:afterSettle", prepare);
})();
