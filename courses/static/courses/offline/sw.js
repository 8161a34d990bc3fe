/* Capacita service worker: lessons readable without a connection.
 * Served by courses.views.service_worker at /sw.js (scope "/", both / and /en/); the view
 * replaces __VERSION__ with a hash of the offline scripts, so a deploy that changes them
 * installs a new worker, which takes over at once and drops the old static cache.
 * Only pages the server marks "X-Capacita-Offline: page" are kept (a signed-in GET of a
 * course or lesson page: never a POST-back with graded answers, never the admin, the API,
 * the account or wallet pages); they are fetched network-first, so online readers always get
 * the current page, and offline ones the last copy. Saved images and static files are
 * served cache-first. */
"use strict";
var VERSION = "__VERSION__";
var PAGES = "capacita-pages-v1";
var STATIC = "capacita-static-" + VERSION;
var NEVER = /^\/(en\/)?(admin|django-admin|api|xapi|cuenta|account|credentials|health|documents|i18n)(\/|$)/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("capacita-") === 0 && name !== PAGES && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage(path) {
  var en = path.indexOf("/en/") === 0;
  var body = en
    ? "<h1>You are offline</h1><p>This page was not saved on this device. Open a saved course, or try again when you have a connection.</p>"
    : "<h1>Estás sin conexión</h1><p>Esta página no está guardada en este dispositivo. Abre un curso guardado o vuelve a intentarlo cuando tengas conexión.</p>";
  return new Response("<!DOCTYPE html><html lang=\"" + (en ? "en" : "es-MX") +
    "\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Capacita</title><main role=\"main\" style=\"font-family:sans-serif;padding:1rem\">" +
    body + "<p><a href=\"" + (en ? "/en/" : "/") + "\">Capacita</a></p></main></html>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function page(event) {
  var request = event.request;
  var saved = Promise.resolve();
  var network = fetch(request).then(function (response) {
    if (response.ok && response.headers.get("X-Capacita-Offline") === "page") {
      var copy = response.clone();
      saved = caches.open(PAGES).then(function (cache) { return cache.put(request.url, copy); });
    }
    return response;
  });
  // Keep the worker alive until the copy is stored (waitUntil must be called right away).
  event.waitUntil(network.then(function () { return saved; }, function () {}));
  return network.catch(function () {
    return caches.match(request.url, { cacheName: PAGES }).then(function (hit) {
      return hit || offlinePage(new URL(request.url).pathname);
    });
  });
}

// An image saved at another width (srcset) still beats none when offline.
function sameImage(request) {
  var base = function (url) { return url.replace(/\.width-\d+(\.\w+)$/, "$1"); };
  var wanted = base(request.url);
  return caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (keys) {
      var key = keys.filter(function (k) { return base(k.url) === wanted; })[0];
      return key ? cache.match(key) : Response.error();
    });
  });
}

// Cache-first from its own cache; offline, any copy (a saved course keeps its static files
// and images in PAGES, so they outlive a deploy that replaces STATIC).
function cacheFirst(request, name) {
  return caches.match(request.url, { cacheName: name }).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok && name === STATIC) {
        var copy = response.clone();
        caches.open(name).then(function (cache) { cache.put(request.url, copy); });
      }
      return response;
    }, function () {
      return caches.match(request.url).then(function (any) { return any || sameImage(request); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || NEVER.test(url.pathname)) { return; }
  if (request.mode === "navigate") { event.respondWith(page(event)); return; }
  if (url.pathname.indexOf("/static/") === 0) { event.respondWith(cacheFirst(request, STATIC)); return; }
  if (url.pathname.indexOf("/media/images/") === 0) { event.respondWith(cacheFirst(request, PAGES)); }
});
