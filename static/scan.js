/* Staff scanning page: camera (qr-scanner), hardware scanners, search; keeps working offline.
 *
 * Online, each scan goes to the server at once. When the network drops, the
 * page recognises this conference's codes from the list it downloaded
 * (salted hashes, never the codes), shows the result at once, and queues the
 * scan (nonce, what was scanned, the time it was made) in localStorage; the
 * queue is uploaded when the network returns, and the server checks every
 * scan again and reports conflicts. A service worker (scan-worker.js) keeps
 * copies of the page, so a tab reloaded offline comes back with its queue.
 */
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) return;
  var $ = function (sel) { return root.querySelector(sel); };
  var cid = parseInt(root.getAttribute("data-conference"), 10);
  var titles = JSON.parse(root.getAttribute("data-titles"));
  var csrf = root.getAttribute("data-csrf");
  var store = window.localStorage;
  var KEY = "quiz.scan." + cid + ".";
  var TOKEN = /(?:^|\/Q\/)([0-9])-([0-9]{1,9})-([A-Z2-7]{26})\/?$/;
  var list = null;       // the offline list
  var byHash = {};       // hash -> [delegate id, name, point id]
  var checked = {};      // "session:delegate" -> true
  var offset = 0;        // server clock minus this device's clock
  var online = navigator.onLine;
  var uploading = false;

  function random(n) {
    var bytes = new Uint8Array(n);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load(name, fallback) {
    try { var v = JSON.parse(store.getItem(KEY + name)); return v === null ? fallback : v; } catch (e) { return fallback; }
  }
  function save(name, value) {
    try { store.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* storage full: still online */ }
  }
  var device = store.getItem("quiz.scan.device");
  if (!device) { device = random(8); store.setItem("quiz.scan.device", device); }
  var queue = load("queue", []);
  // "session:delegate" checked in by this device since the last list: kept across a reload.
  var seen = load("seen", []);

  var sessionSelect = $("[data-session]");
  var pointSelect = $("[data-point]");
  // This script is deferred: a choice made before it ran (a slow phone) is kept and
  // remembered; otherwise the device's last choice comes back.
  function settle(select, name) {
    var drawn = Array.prototype.filter.call(select.options, function (o) { return o.defaultSelected; })[0] || select.options[0];
    if (drawn && select.value !== drawn.value) save(name, select.value); else select.value = load(name, "") || "";
    select.addEventListener("change", function () { save(name, select.value); });
  }
  settle(sessionSelect, "session");
  settle(pointSelect, "point");
  function chosen(select) { return select.value ? parseInt(select.value, 10) : null; }
  function now() { return Date.now() + offset; }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function hhmm(ms) {
    var d = new Date(ms);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  /* --- the result card ---------------------------------------------------- */
  var card = $("[data-result]");
  function show(result) {
    var tone = result.ok ? "ok" : (result.code === "already_checked_in" ? "warn" : "bad");
    card.className = "card result " + tone;
    card.textContent = "";
    var h = document.createElement("h2");
    h.textContent = result.title || titles[result.code] || result.code;
    card.appendChild(h);
    var lines = [];
    if (result.delegate) {
      lines.push(result.delegate.name);
      lines.push([result.delegate.position, result.delegate.unit].filter(Boolean).join(", "));
      if (result.delegate.point) lines.push(result.delegate.point);
    }
    if (result.detail) lines.push(result.detail);
    if (result.time) lines.push(result.time + (result.session ? " · " + result.session : ""));
    lines.filter(Boolean).forEach(function (text, i) {
      var p = document.createElement("p");
      p.textContent = text;
      if (i === 0 && result.delegate) p.className = "big";
      card.appendChild(p);
    });
  }

  /* --- the offline list ----------------------------------------------------- */
  function hashOf(secret) {
    var data = new TextEncoder().encode(list.salt + ":" + secret);
    return window.crypto.subtle.digest("SHA-256", data).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("").slice(0, 32);
    });
  }
  function useList(data) {
    list = data;
    byHash = {};
    list.delegates.forEach(function (d) { byHash[d[0]] = d.slice(1); });
    Object.keys(list.checked || {}).forEach(function (s) {
      list.checked[s].forEach(function (d) { checked[s + ":" + d] = true; });
    });
    seen.forEach(function (key) { checked[key] = true; });
  }
  function markChecked(key) {
    checked[key] = true;
    if (seen.indexOf(key) === -1) { seen.push(key); save("seen", seen); }
  }
  function fetchList() {
    return fetch(root.getAttribute("data-offline-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("list");
        var copy = r.headers.get("X-Offline-Copy");  // the worker's copy: no network, an old clock
        return r.json().then(function (data) {
          if (copy) { if (!list) useList(data); throw new Error("offline"); }
          offset = data.server_ms - Date.now();
          save("offset", offset);
          save("list", data);
          if (!queue.length) { seen = []; save("seen", seen); }
          useList(data);
        });
      });
  }
  function sessionAt(ms) {
    var forced = chosen(sessionSelect);
    var open = list.sessions.filter(function (s) { return s.opens_ms <= ms && ms <= s.ends_ms && (!forced || s.id === forced); });
    var started = open.filter(function (s) { return s.starts_ms <= ms; });
    if (started.length) return started.sort(function (a, b) { return b.starts_ms - a.starts_ms; })[0];
    return open.sort(function (a, b) { return a.starts_ms - b.starts_ms; })[0] || null;
  }

  /* What the device can tell by itself while offline (the server decides later). */
  function judgeOffline(scan) {
    var at = scan.at_ms;
    if (!list) return Promise.resolve({ code: "queued", ok: true, title: root.getAttribute("data-msg-queued") });
    if (scan.method === "manual") return Promise.resolve(judgeDelegate(scan.delegate_id, null, at, "manual"));
    var m = TOKEN.exec((scan.text || "").trim().toUpperCase());
    if (!m) {
      var card = (scan.text || "").split("|").length >= 5;
      return Promise.resolve(card ? { code: "queued", ok: true, title: root.getAttribute("data-msg-queued") } : { code: "unreadable", ok: false });
    }
    if (parseInt(m[2], 10) !== cid) return Promise.resolve({ code: "wrong_conference", ok: false });
    return hashOf(m[3]).then(function (h) {
      var entry = byHash[h];
      if (!entry) return { code: "forged", ok: false };
      return judgeDelegate(entry[0], entry, at, "personal_qr");
    });
  }
  function judgeDelegate(id, entry, at, method) {
    entry = entry || (list.delegates.filter(function (d) { return d[1] === id; })[0] || []).slice(1);
    var delegate = { name: entry[1] || "", point: list.points[String(entry[2])] || "" };
    if (method === "personal_qr" && at > list.ends_ms) return { code: "expired", ok: false, delegate: delegate };
    var session = sessionAt(at);
    if (!session) return { code: "outside_window", ok: false, delegate: delegate };
    var key = session.id + ":" + id;
    if (checked[key]) return { code: "already_checked_in", ok: false, delegate: delegate, session: session.title };
    markChecked(key);
    return { code: "checked_in", ok: true, delegate: delegate, time: hhmm(at), session: session.title, detail: root.getAttribute("data-msg-queued") };
  }

  /* --- sending ---------------------------------------------------------------- */
  function signin() { var e = new Error("signin"); e.signin = true; return e; }
  function post(scans, renewed) {
    return fetch(root.getAttribute("data-checkin-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ device: device, point_id: chosen(pointSelect), session_id: chosen(sessionSelect), scans: scans })
    }).then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) throw signin();
      if (r.status >= 500) throw new Error("server");
      return r.json();
    }).then(function (data) {
      if (data.results) return data;
      // The token is from an older session (signed in again since, or a page
      // kept by the worker): take a fresh one from the page and send again, once.
      if (data.reason === "csrf" && !renewed) return renewToken().then(function () { return post(scans, true); });
      throw data.reason === "csrf" ? signin() : new Error(data.error);
    });
  }
  function renewToken() {
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
      if (r.headers.get("X-Offline-Copy")) throw new Error("offline");
      return r.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html").getElementById("scanner");
        var token = r.ok && page && page.getAttribute("data-csrf");
        if (!token) throw signin();  // the sign-in page: signed out meanwhile
        csrf = token;
      });
    });
  }
  function setNet(state) {
    online = state;
    $("[data-net]").textContent = root.getAttribute(state ? "data-msg-online" : "data-msg-offline");
    var q = $("[data-queue]");
    q.textContent = queue.length ? root.getAttribute("data-msg-pending").replace("{n}", queue.length) : "";
    q.className = "queue" + (queue.length ? " pending" : "");
  }

  function scan(item) {
    item.nonce = random(16);
    item.at_ms = now();
    item.point_id = chosen(pointSelect);
    item.session_id = chosen(sessionSelect);
    if (!online) return offline(item);
    post([item]).then(function (data) {
      var result = data.results[0];
      if (result.ok && result.delegate && list) {
        var s = sessionAt(item.at_ms);
        if (s) markChecked(s.id + ":" + result.delegate.id);
      }
      show(result);
      setNet(true);
    }).catch(function (err) {
      if (err.signin) show({ code: "signin", ok: false, title: root.getAttribute("data-msg-signin") });
      setNet(false);
      offline(item);
    });
  }
  function offline(item) {
    item.queued = true;
    queue.push(item);
    save("queue", queue);
    setNet(false);
    judgeOffline(item).then(show);
  }
  function upload() {
    if (uploading || !queue.length || !navigator.onLine) return;
    uploading = true;
    var batch = queue.slice(0, 100);
    post(batch).then(function (data) {
      var done = {};
      data.results.forEach(function (r) { done[r.nonce] = r; });
      queue = queue.filter(function (q) { return !done[q.nonce]; });
      save("queue", queue);
      var conflicts = data.results.filter(function (r) { return r.code === "conflict"; });
      if (conflicts.length) show(conflicts[conflicts.length - 1]);
      setNet(true);
    }).catch(function (err) {
      if (err.signin) show({ code: "signin", ok: false, title: root.getAttribute("data-msg-signin") });
      setNet(false);
    }).then(function () { uploading = false; });
  }

  /* --- inputs: hardware scanner, camera, search -------------------------------- */
  var hw = $("[data-hw-input]");
  $("[data-hw]").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = hw.value.trim();
    hw.value = "";
    if (text) scan({ method: text.split("|").length >= 5 ? "citizen_qr" : "personal_qr", text: text });
  });

  var lastText = "", lastAt = 0;
  function decoded(text) {
    if (text === lastText && Date.now() - lastAt < 4000) return;  // the same card still in view
    lastText = text; lastAt = Date.now();
    scan({ method: text.split("|").length >= 5 ? "citizen_qr" : "personal_qr", text: text });
  }
  var cameraButton = $("[data-camera]");
  cameraButton.addEventListener("click", function () {
    var video = $("[data-video]");
    if (!window.QrScanner) { show({ code: "camera", ok: false, title: root.getAttribute("data-msg-nocamera") }); return; }
    video.hidden = false;
    var scanner = new window.QrScanner(video, function (r) { decoded(r.data); }, { returnDetailedScanResult: true, maxScansPerSecond: 8 });
    scanner.start().then(function () { cameraButton.hidden = true; }).catch(function () {
      video.hidden = true;
      show({ code: "camera", ok: false, title: root.getAttribute("data-msg-nocamera") });
    });
  });

  var searchInput = $("[data-search-input]");
  var matches = $("[data-matches]");
  var timer = null;
  function listMatches(found) {
    matches.textContent = "";
    found.forEach(function (d) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary";
      button.textContent = d.name + (d.unit ? " · " + d.unit : "") + (d.point ? " · " + d.point : "");
      button.addEventListener("click", function () { scan({ method: "manual", delegate_id: d.id }); matches.textContent = ""; searchInput.value = ""; hw.focus(); });
      li.appendChild(button);
      matches.appendChild(li);
    });
  }
  function searchLocal(q) {
    if (!list) return [];
    var words = fold(q).split(/\s+/).filter(Boolean);
    return list.delegates.filter(function (d) {
      var name = fold(d[2]);
      return words.every(function (w) { return name.indexOf(w) !== -1; });
    }).slice(0, 10).map(function (d) { return { id: d[1], name: d[2], point: list.points[String(d[3])] || "" }; });
  }
  $("[data-search]").addEventListener("submit", function (e) { e.preventDefault(); });
  searchInput.addEventListener("input", function () {
    clearTimeout(timer);
    var q = searchInput.value.trim();
    if (q.length < 2) { matches.textContent = ""; return; }
    timer = setTimeout(function () {
      if (!online) { listMatches(searchLocal(q)); return; }
      fetch(root.getAttribute("data-search-url") + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { listMatches(data.delegates); })
        .catch(function () { listMatches(searchLocal(q)); });
    }, 250);
  });

  /* --- start ------------------------------------------------------------------ */
  // Service workers need a secure context (HTTPS, localhost); elsewhere the page
  // works as before, but a reload needs the network.
  if (window.isSecureContext && navigator.serviceWorker) {
    navigator.serviceWorker.register(root.getAttribute("data-worker-url"), { scope: root.getAttribute("data-worker-scope") })
      .catch(function () { /* offline, or refused: the page works without it */ });
  }
  var cached = load("list", null);
  if (cached) { useList(cached); offset = load("offset", 0); }
  fetchList().then(function () { setNet(true); upload(); }).catch(function () { setNet(false); });
  window.addEventListener("online", function () { setNet(true); upload(); });
  window.addEventListener("offline", function () { setNet(false); });
  setInterval(function () { if (queue.length) upload(); }, 10000);
  setInterval(function () { if (online) fetchList().catch(function () {}); }, 120000);
  setNet(online);
})();
