/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  /* Unit picker: filter the <select> as the entrant types, without diacritics. */
  $$("[data-filter-for]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-for"));
    if (!select) return;
    input.closest(".unit-search").hidden = false;
    var options = $$("option", select).map(function (o) { return [o, fold(o.textContent)]; });
    input.addEventListener("input", function () {
      var q = fold(input.value.trim());
      var first = null;
      options.forEach(function (pair) {
        var show = !q || !pair[0].value || pair[0].value === "other" || pair[1].indexOf(q) !== -1;
        pair[0].hidden = !show;
        if (show && q && pair[0].value && pair[0].value !== "other" && !first) first = pair[0];
      });
      if (first) select.value = first.value;
    });
  });

  /* Attempt page: save each answer as it is chosen; retry until saved. */
  var paper = $("#paper");
  if (paper) {
    var url = paper.getAttribute("data-save-url");
    var csrf = paper.getAttribute("data-csrf");
    var pending = {};
    var timer = null;
    var submitting = false;

    var state = function (q, text, retry) {
      var el = $('[data-state-for="' + q + '"]', paper);
      if (!el) return;
      el.textContent = text;
      el.className = "save-state" + (retry ? " retry" : "");
    };

    var send = function (q) {
      var body = new URLSearchParams();
      if (q === "p") { body.set("p", pending[q]); } else { body.set("q", q); body.set("c", pending[q]); }
      var value = pending[q];
      state(q, paper.getAttribute("data-msg-saving"));
      fetch(url, { method: "POST", body: body, credentials: "same-origin",
                   headers: { "X-CSRFToken": csrf, "Accept": "application/json" } })
        .then(function (r) { return r.json().then(function (j) { return [r, j]; }); })
        .then(function (rj) {
          if (rj[0].ok) {
            if (pending[q] === value) delete pending[q];
            state(q, paper.getAttribute("data-msg-saved"));
          } else if (rj[0].status >= 500 || rj[0].status === 429) {
            retryLater(q, paper.getAttribute("data-msg-retry"));
          } else {
            delete pending[q];
            state(q, rj[1].error || "", true);
            if (rj[1].code === "submitted" || rj[1].code === "late") { submitNow(); }
            if (rj[1].code === "lost") { location.reload(); }  /* the page says so and offers a new attempt */
          }
        })
        .catch(function () { retryLater(q, paper.getAttribute("data-msg-retry")); });
    };

    var retryLater = function (q, message) {
      state(q, message, true);
      setTimeout(function () { if (pending[q] !== undefined) send(q); }, 3000);
    };

    /* "Answered 6 of 10", and links to the questions still unanswered. */
    var progress = $("[data-progress]", paper);
    var unansweredFields = function () {
      return $$("fieldset[data-q]", paper).filter(function (f) {
        return f.getAttribute("data-q") !== "p" && !$("input:checked", f);
      });
    };
    var showProgress = function () {
      if (!progress) return;
      var all = $$("fieldset[data-q]", paper).filter(function (f) { return f.getAttribute("data-q") !== "p"; });
      var left = unansweredFields();
      $("[data-answered-count]", progress).textContent =
        progress.getAttribute("data-msg-count").replace("{n}", all.length - left.length);
      var links = $("[data-unanswered-links]", progress);
      links.textContent = "";
      left.forEach(function (f) {
        var a = document.createElement("a");
        a.href = "#" + f.id;
        a.textContent = progress.getAttribute("data-msg-question").replace("{n}", f.id.split("-")[1]);
        links.appendChild(a);
        links.appendChild(document.createTextNode(" "));
      });
      $("[data-unanswered]", progress).hidden = left.length === 0;
    };

    var record = function (field, input) {
      var q = field.getAttribute("data-q");
      if (q === "p") {
        pending.p = input.value.trim();  /* the server reads it: one parser for every path */
      } else {
        pending[q] = $$("input:checked", field).map(function (i) { return i.value; }).join(",");
      }
      send(q);
    };

    paper.addEventListener("change", function (event) {
      var input = event.target;
      var field = input.closest("[data-q]");
      if (!field) return;
      showProgress();
      record(field, input);
    });

    /* This script is deferred: on a slow phone a tap can come before it runs, and the
       browser may restore choices on a reload. Save whatever differs from the page as
       the server drew it (its saved answers), as a change would have. */
    var early = 0;  // fields given before the script ran
    $$("fieldset[data-q]", paper).forEach(function (field) {
      var changed = $$("input", field).filter(function (i) {
        return i.type === "radio" || i.type === "checkbox" ? i.checked !== i.defaultChecked
                                                           : i.value !== i.defaultValue;
      });
      if (changed.length) { early += 1; record(field, changed[0]); }
    });
    if (early) showProgress();

    var submitNow = function () {
      if (submitting) return;
      submitting = true;
      paper.submit();
    };

    paper.addEventListener("submit", function (event) {
      if (submitting) return;
      var unanswered = unansweredFields();
      if (unanswered.length && !window.confirm(paper.getAttribute("data-msg-unanswered"))) {
        event.preventDefault();
        unanswered[0].scrollIntoView();
        var first = $("input", unanswered[0]);
        if (first) first.focus();
        return;
      }
      submitting = true;
    });

    /* Back from the result: a page restored from the browser's memory would show a
       live timer over a closed paper; reloading asks the server, which shows the result. */
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) location.reload();
    });

    var clock = $("[data-remaining-ms]");
    if (clock) {
      var end = Date.now() + parseInt(clock.getAttribute("data-remaining-ms"), 10);
      var shown = $("[data-timer]", clock);
      var tick = function () {
        var left = Math.max(0, end - Date.now());
        var s = Math.floor(left / 1000);
        shown.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
        if (left < 60000) clock.classList.add("low");
        if (left <= 0) {
          clearInterval(timer);
          shown.textContent = clock.getAttribute("data-msg-up");
          submitNow();
        }
      };
      tick();
      timer = setInterval(tick, 1000);
    }
  }

  /* "Please wait" page: count down, then retry by itself. */
  $$("form[data-autosubmit]").forEach(function (form) {
    var left = parseInt(form.getAttribute("data-autosubmit"), 10) || 5;
    var shown = $("[data-countdown]");
    var t = setInterval(function () {
      left -= 1;
      if (shown) shown.textContent = Math.max(0, left);
      if (left <= 0) { clearInterval(t); form.submit(); }
    }, 1000);
  });

  /* Result page: reload once the score is there. */
  var scoring = $("[data-status-url]");
  if (scoring && window.fetch) {
    var poll = setInterval(function () {
      fetch(scoring.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          /* Scored; or the receipt is gone (Redis lost it): the page says what to do. */
          if (j.scored || j.received === false) { clearInterval(poll); location.reload(); }
        })
        .catch(function () {});
    }, 3000);
  }

  /* Contest page: refresh the live counts now and then. */
  var stats = $("[data-stats-url]");
  if (stats && window.fetch) {
    setInterval(function () {
      fetch(stats.getAttribute("data-stats-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          $$("[data-stat]", stats).forEach(function (el) {
            var v = j[el.getAttribute("data-stat")];
            if (v !== undefined) el.textContent = v.toLocaleString("vi-VN");
          });
        }).catch(function () {});
    }, 30000);
  }
})();

// Certificates: a print button (the page's own stylesheet lays it out on A4).
(function () {
  var button = document.querySelector("[data-print]");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
