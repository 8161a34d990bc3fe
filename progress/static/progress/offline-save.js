/* "Guardar para leer sin conexión": the course page, its lessons and their images go to a
 * staging cache, then to the worker's (courses/offline/sw.js) only if all fit the budget.
 * Lessons are a reader's plain GET: never a graded answer. */
(function () {
  "use strict";
  var section = document.getElementById("offline-save");
  var node = document.getElementById("capacita-offline-manifest");
  if (!section || !node) { return; }
  var manifest = JSON.parse(node.textContent);
  var button = section.querySelector("[data-offline-save]");
  var status = section.querySelector("[data-offline-save-status]");
  var PAGES = "capacita-pages-v1";
  var STAGING = "capacita-staging-" + manifest.course;

  function say(name, values) {
    var text = section.getAttribute("data-" + name);
    Object.keys(values || {}).forEach(function (key) { text = text.replace("{" + key + "}", values[key]); });
    status.textContent = text;
  }

  function mb(bytes) { return (Math.max(1, Math.round(bytes / 104857.6)) / 10).toLocaleString(document.documentElement.lang); }

  // The candidate the browser will pick on this screen (srcset widths "url 720w").
  function imageUrl(img) {
    var want = Math.min(window.innerWidth, 992) * (window.devicePixelRatio || 1);
    var best = null;
    (img.getAttribute("srcset") || "").split(",").forEach(function (part) {
      var bits = part.trim().split(/\s+/);
      var width = parseInt(bits[1], 10);
      if (!bits[0] || !width) { return; }
      if (!best || (best.width < want ? width > best.width : width >= want && width < best.width)) {
        best = { url: bits[0], width: width };
      }
    });
    return new URL(best ? best.url : img.getAttribute("src"), location.href).href;
  }

  function keep(cache, url, response) {
    return response.blob().then(function (blob) {
      var headers = new Headers(response.headers);
      return cache.put(url, new Response(blob, { status: response.status, headers: headers })).then(function () { return blob; });
    });
  }

  function save() {
    if (!window.caches || !("serviceWorker" in navigator)) { say("unsupported"); return; }
    if (manifest.estimate > manifest.budget) { say("too-big", { mb: mb(manifest.estimate) }); return; }
    button.disabled = true;
    var bytes = 0;
    var images = {};
    var assets = {};
    var total = manifest.lessons.length;
    caches.delete(STAGING).then(function () { return caches.open(STAGING); }).then(function (staging) {
      function fetchInto(url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return keep(staging, url, response);
        }).then(function (blob) {
          bytes += blob.size;
          if (bytes > manifest.budget) { throw new RangeError("budget"); }
          return blob;
        });
      }
      var chain = manifest.page ? fetchInto(new URL(manifest.page, location.href).href) : Promise.resolve();
      manifest.lessons.forEach(function (path, index) {
        chain = chain.then(function () {
          say("saving", { n: index + 1, total: total });
          var url = new URL(path, location.href).href;
          return fetchInto(url).then(function (blob) { return blob.text(); }).then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            doc.querySelectorAll("#lesson img").forEach(function (img) { images[imageUrl(img)] = true; });
            doc.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (el) {
              assets[new URL(el.getAttribute("href") || el.getAttribute("src"), location.href).href] = true;
            });
          });
        });
      });
      return chain.then(function () {
        return Object.keys(images).concat(Object.keys(assets)).reduce(function (next, url) {
          return next.then(function () { return fetchInto(url); });
        }, Promise.resolve());
      }).then(function () {
        return Promise.all([staging.keys(), caches.open(PAGES)]);
      }).then(function (both) {
        return Promise.all(both[0].map(function (request) {
          return staging.match(request).then(function (response) { return both[1].put(request, response); });
        }));
      });
    }).then(function () {
      say("saved", { lessons: total, images: Object.keys(images).length, mb: mb(bytes) });
      try { localStorage.setItem("capacita.offline.saved." + manifest.course, String(Date.now())); } catch (e) { /* no storage */ }
    }, function (error) {
      if (error instanceof RangeError) { say("too-big", { mb: mb(bytes) }); } else { say("failed"); }
    }).then(function () {
      button.disabled = false;
      return caches.delete(STAGING);
    });
  }

  button.addEventListener("click", save);
})();
