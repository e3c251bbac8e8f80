/* Loaded on console pages shown signed out: forget what scanning pages kept on this device.
 *
 * The copies the scanning page's service worker kept (the page, the
 * conference's offline list), the workers themselves, and the lists in
 * localStorage are deleted. Scans still waiting to be sent (the queue) are
 * kept: they go out from the scanning page after signing in again.
 */
(function () {
  "use strict";
  if (window.caches) {
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("quiz-scan-") === 0; })
        .map(function (name) { return caches.delete(name); }));
    }).catch(function () {});
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      registrations.forEach(function (registration) {
        if (/\/conferences\/\d+\/scan$/.test(new URL(registration.scope).pathname)) registration.unregister();
      });
    }).catch(function () {});
  }
  try {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (/^quiz\.scan\.\d+\.(list|offset|seen)$/.test(key)) localStorage.removeItem(key);
    }
  } catch (e) { /* storage unavailable: nothing kept there either */ }
})();
