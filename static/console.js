/* Console enhancements; every page works without them. */
(function () {
  "use strict";
  // Confirm destructive or sensitive actions.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // Round form: warn while correct answers shown at once meet more than one attempt
  // (the same rule as quiz.contest.setup.answers_can_be_learned).
  var leak = document.querySelector("[data-key-leak]");
  if (leak) {
    var attempts = document.getElementById("max_attempts"), shown = document.getElementById("show_answers");
    var update = function () { leak.hidden = !(shown.value === "immediately" && attempts.value.trim() !== "1"); };
    attempts.addEventListener("input", update);
    shown.addEventListener("change", update);
    update();  // values typed before this deferred script ran, or restored by the browser
  }
  // Pages waiting for a background job reload themselves.
  var wait = document.querySelector("[data-reload-after]");
  if (wait) setTimeout(function () { window.location.reload(); }, parseInt(wait.getAttribute("data-reload-after"), 10) * 1000);
})();
