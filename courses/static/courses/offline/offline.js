/* Every page: the offline banner (role=status); registers the worker for a signed-in reader; a
 * signed-out page drops the worker and all it kept (the next person on this phone must not read
 * the last one's pages or send their answers). Texts: the banner's data attributes. */
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
    // The worker drops what it kept...
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
    // Answers waiting to be graded were the last person's (the xAPI queue, keyed by account,
    // stays).
    try { localStorage.removeItem("capacita.checks.pending"); } catch (e) { /* no storage */ }
  }
})();
