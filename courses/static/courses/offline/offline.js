/* On every page: says when the device is offline (the banner is role=status, so screen
 * readers hear it), registers the service worker for signed-in readers and, on a signed-out
 * page, removes the worker and everything it kept (the next person on this phone must not
 * read the last one's pages or send their answers). Texts come from the banner's data attributes (translated). */
(function () {
  "use strict";
  var box = document.getElementById("connection-status");
  if (!box) { return; }
  var offline = box.querySelector("[data-offline]");

  function show() { offline.hidden = navigator.onLine !== false; }
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();

  if (!("serviceWorker" in navigator)) { return; }
  if (box.getAttribute("data-signed-in") === "true") {
    navigator.serviceWorker.register(box.getAttribute("data-sw"), { scope: "/" });
    if (navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "remember" });
    }
  } else {
    // The worker drops what it keeps once the copies it is still storing are done...
    if (navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget" });
    }
    // ...and this covers a page no worker controls.
    navigator.serviceWorker.getRegistrations().then(function (list) {
      list.forEach(function (registration) { registration.unregister(); });
    });
    if (window.caches) {
      caches.keys().then(function (names) {
        names.forEach(function (name) { if (name.indexOf("capacita-") === 0) { caches.delete(name); } });
      });
    }
    // Answers waiting to be graded belong to whoever was signed in. (The xAPI queue is kept:
    // it is keyed by the learner's account and only that learner's pages send it.)
    try { localStorage.removeItem("capacita.checks.pending"); } catch (e) { /* no storage */ }
  }
})();
