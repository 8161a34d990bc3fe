/* Capacita service worker (docs/content.md, "Offline"), served at /sw.js with a hash of the
 * offline scripts in __VERSION__. Keeps only pages marked "X-Capacita-Offline: page",
 * network-first; images and static files cache-first. */
"use strict";
var VERSION = "__VERSION__";
var PAGES = "capacita-pages-v1";
var STATIC = "capacita-static-" + VERSION;
var NEVER = /^\/(en\/)?(admin|django-admin|api|xapi|cuenta|account|credentials|health|documents|i18n)(\/|$)/;

// "forget" (a signed-out page): await copies being stored, drop every cache, unregister (a
// late put must not bring pages back).
var forgotten = false;
var storing = [];

function keep(name, url, response) {
  if (forgotten) { return Promise.resolve(); }
  var done = caches.open(name).then(function (cache) { return cache.put(url, response); });
  storing.push(done);
  var forget = function () { storing = storing.filter(function (p) { return p !== done; }); };
  done.then(forget, forget);
  return done;
}

self.addEventListener("message", function (event) {
  var kind = event.data && event.data.type;
  if (kind === "remember") { forgotten = false; return; }
  if (kind !== "forget") { return; }
  forgotten = true;
  event.waitUntil(Promise.all(storing.map(function (p) { return p.catch(function () {}); }))
    .then(function () { return caches.keys(); })
    .then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("capacita-") === 0; })
        .map(function (name) { return caches.delete(name); }));
    })
    .then(function () { return self.registration.unregister(); }));
});

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("capacita-") === 0 && name !== PAGES && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// Offline: links to the saved pages of this language (course before lessons), by <title>.
function savedList(en) {
  return caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.map(function (k) { return new URL(k.url).pathname; }).filter(function (path) {
        return /\/$/.test(path) && !path.indexOf("/en/") === en;
      }).sort().map(function (path) {
        return cache.match(path).then(function (r) { return r.text(); }).then(function (html) {
          return "<li><a href=\"" + path + "\">" + (/<title>([^<·]*)/.exec(html) || [0, path])[1].trim() + "</a></li>";
        });
      }));
    });
  }).then(function (items) { return "<ul>" + items.join("") + "</ul>"; }, function () { return ""; });
}

function offlinePage(path) {
  var en = path.indexOf("/en/") === 0;
  var body = en
    ? "<h1>You are offline</h1><p>This page is not saved on this device.</p>"
    : "<h1>Estás sin conexión</h1><p>Esta página no está guardada en este dispositivo.</p>";
  return savedList(en).then(function (list) {
    return new Response("<!DOCTYPE html><html lang=\"" + (en ? "en" : "es-MX") +
      "\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Capacita</title><main style=\"font-family:sans-serif;padding:1rem\">" +
      body + list + "<p><a href=\"" + (en ? "/en/" : "/") + "\">Capacita</a></p></main></html>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  });
}

function page(event) {
  var request = event.request;
  var saved = Promise.resolve();
  var network = fetch(request).then(function (response) {
    if (response.ok && response.headers.get("X-Capacita-Offline") === "page") {
      saved = keep(PAGES, request.url, response.clone());
    }
    return response;
  });
  // Alive until the copy is stored (waitUntil must be called at once).
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

// Cache-first; offline, any copy (a saved course keeps its files in PAGES, which outlive a
// deploy that replaces STATIC).
function cacheFirst(request, name) {
  return caches.match(request.url, { cacheName: name }).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok && name === STATIC) {
        keep(name, request.url, response.clone());
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
