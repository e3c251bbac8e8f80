// Surveys: save each answer as it is given, and hide questions whose condition does not hold.
// The page works without this script: the form submits (or saves) everything at once.
(function () {
  "use strict";
  var form = document.getElementById("survey");
  if (!form || !window.fetch) return;
  var saveUrl = form.getAttribute("data-save-url");
  var csrf = form.getAttribute("data-csrf");

  function fieldsOf(question) {
    var pairs = [];
    var seen = {};
    question.querySelectorAll("input, textarea").forEach(function (input) {
      if (!input.name) return;
      if (input.type === "radio" || input.type === "checkbox") {
        if (!(input.name in seen)) { seen[input.name] = []; }
        if (input.checked) seen[input.name].push(input.value);
      } else {
        pairs.push([input.name, input.value]);
      }
    });
    Object.keys(seen).forEach(function (name) { pairs.push([name, seen[name].join(",")]); });
    return pairs;
  }

  function save(question, attempt) {
    var body = new URLSearchParams();
    fieldsOf(question).forEach(function (p) { body.append(p[0], p[1]); });
    var state = question.querySelector(".save-state");
    fetch(saveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (data) {
        if (state) state.textContent = data.ok ? form.getAttribute("data-msg-saved") : (data.error || "");
      });
    }).catch(function () {
      if (state) state.textContent = form.getAttribute("data-msg-retry");
      if ((attempt || 0) < 5) setTimeout(function () { save(question, (attempt || 0) + 1); }, 3000);
    });
  }

  function chosen(questionId) {
    var question = document.querySelector('[data-q="' + questionId + '"]');
    if (!question || question.hidden || (question.closest("section") || {}).hidden) return [];
    var out = [];
    question.querySelectorAll("input, textarea").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox")) {
        if (input.checked) out.push(input.getAttribute("data-value"), input.getAttribute("data-label"));
      } else if (input.value) {
        out.push(input.value);
      }
    });
    return out.map(function (v) { return (v || "").trim().toLowerCase(); });
  }

  function applyConditions() {
    document.querySelectorAll("[data-show-if-q]").forEach(function (el) {
      var wanted = (el.getAttribute("data-show-if") || "").trim().toLowerCase();
      el.hidden = chosen(el.getAttribute("data-show-if-q")).indexOf(wanted) < 0;
      el.querySelectorAll(".condition").forEach(function (hint) { hint.hidden = true; });
    });
  }

  var timers = {};
  form.addEventListener("change", function (event) {
    var question = event.target.closest(".question");
    if (!question) return;
    applyConditions();
    clearTimeout(timers[question.id]);
    timers[question.id] = setTimeout(function () { save(question); }, 300);
  });
  applyConditions();
  // This script is deferred: answers given before it ran (a slow phone), or restored by the
  // browser on a reload, are saved as a change would have saved them.
  form.querySelectorAll(".question").forEach(function (question) {
    var changed = Array.prototype.some.call(question.querySelectorAll("input, textarea"), function (i) {
      return i.type === "radio" || i.type === "checkbox" ? i.checked !== i.defaultChecked
                                                         : i.value !== i.defaultValue;
    });
    if (changed) save(question);
  });
})();
