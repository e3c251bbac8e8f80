/* Console enhancements; every page works without them. */
(function () {
  "use strict";
  // Confirm destructive or sensitive actions.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Pages waiting for a background job reload themselves.
  var wait = document.querySelector("[data-reload-after]");
  if (wait) setTimeout(function () { window.location.reload(); }, parseInt(wait.getAttribute("data-reload-after"), 10) * 1000);
})();
