/* Conference pages that update themselves: the projector's rotating code and the
 * attendance dashboard. Both pages work without this file (a meta refresh, a reload). */
(function () {
  "use strict";
  var screen = document.getElementById("screen");
  if (screen) {
    var url = screen.getAttribute("data-code-url");
    var code = screen.querySelector("[data-code]");
    var qr = screen.querySelector("[data-qr]");
    var count = screen.querySelector("[data-checked-in]");
    var next = function (ms) { setTimeout(refresh, Math.max(500, ms)); };
    var refresh = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (state) {
          if (code.textContent !== state.code) {
            code.textContent = state.code;
            qr.innerHTML = state.svg;  /* an SVG made by the server from its own address */
          }
          if (count) count.textContent = state.checked_in_text;
          /* The count of people checked in follows every 5 seconds; the code, when it changes. */
          next(Math.min(state.changes_in_ms + 200, 5000));
        })
        .catch(function () { next(3000); });
    };
    next(Math.min(parseInt(screen.getAttribute("data-changes-in"), 10) + 200, 5000));
  }

  var live = document.querySelector("[data-live-url]");
  if (live) {
    var every = (parseInt(live.getAttribute("data-live-every"), 10) || 15) * 1000;
    setInterval(function () {
      if (document.hidden) return;
      fetch(live.getAttribute("data-live-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) { live.innerHTML = html; })
        .catch(function () {});
    }, every);
  }
})();
