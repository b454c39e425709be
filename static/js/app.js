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
