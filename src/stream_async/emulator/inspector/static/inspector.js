// The inspector's only script: every element with a data-poll attribute is refreshed every
// two seconds with the HTML fragment its URL returns (skipped while the tab is hidden, and
// replaced only when the fragment changed, so an open <details> stays open until then).
(function () {
  "use strict";
  var PERIOD_MS = 2000;

  function poll(element) {
    var last = null;
    function refresh() {
      if (document.hidden) {
        return;
      }
      fetch(element.getAttribute("data-poll"), { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null && html !== last) {
            if (last !== null) {
              element.innerHTML = html;
            }
            last = html;
            element.setAttribute("data-refreshed", String(Date.now()));
          }
        })
        .catch(function () {});
    }
    refresh();
    setInterval(refresh, PERIOD_MS);
  }

  document.querySelectorAll("[data-poll]").forEach(poll);
})();
