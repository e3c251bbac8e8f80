/* The scanning page's service worker (see quiz/console/conferences/scan_worker.py).
 * The page and its list: network first, this copy when the network fails
 * (marked X-Offline-Copy: an old clock, maybe an old CSRF token). Versioned
 * scripts and styles: this copy first. Check-ins (POST) always go out. */
"use strict";
var SCAN = {{ worker|tojson }};

function usable(response) {
  // Not a redirect to the sign-in page, not an error page.
  return response.status === 200 && !response.redirected && response.type === "basic";
}

function keep(cache, key, response) {
  return cache.put(key, response).catch(function () { /* storage full: the network answered anyway */ });
}

self.addEventListener("install", function (event) {
  // Everything or nothing: a worker that is active can answer for the whole page.
  event.waitUntil(caches.open(SCAN.cache).then(function (cache) {
    return Promise.all(SCAN.fresh.concat(SCAN.kept).map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!usable(response)) throw new Error("not kept: " + url);
        return cache.put(url, response);
      });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(SCAN.prefix) === 0 && name !== SCAN.cache;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

/* The copy kept here, marked as such; null if there is none. */
function copyOf(key) {
  return caches.open(SCAN.cache).then(function (cache) { return cache.match(key); }).then(function (copy) {
    if (!copy) return null;
    var headers = new Headers(copy.headers);
    headers.set("X-Offline-Copy", "1");
    headers.delete("Content-Encoding");  // the body kept is already decoded
    headers.delete("Content-Length");
    return copy.blob().then(function (body) {
      return new Response(body, { status: copy.status, statusText: copy.statusText, headers: headers });
    });
  });
}

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.status >= 500) {
      return copyOf(key).then(function (copy) { return copy || response; });
    }
    if (!usable(response)) return response;  // e.g. the sign-in page: shown, never kept
    var copy = response.clone();
    return caches.open(SCAN.cache).then(function (cache) { return keep(cache, key, copy); })
      .then(function () { return response; });
  }, function (error) {
    return copyOf(key).then(function (copy) {
      if (copy) return copy;
      throw error;
    });
  });
}

function cacheFirst(request, key) {
  return caches.open(SCAN.cache).then(function (cache) {
    return cache.match(key).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (!usable(response)) return response;
        return keep(cache, key, response.clone()).then(function () { return response; });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (SCAN.fresh.indexOf(url.pathname) !== -1) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (SCAN.kept.indexOf(url.pathname + url.search) !== -1) {
    event.respondWith(cacheFirst(request, url.pathname + url.search));
  }
});
