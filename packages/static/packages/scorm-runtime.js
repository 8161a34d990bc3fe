/*
 * The SCORM run-time of a lesson page (issue 13; docs/content.md, docs/xapi.md).
 *
 * For the SCOs of the page (`.scorm-sco`, from packages/unit_frame.html) it loads the vendored
 * scorm-again bundle of the package's version, opens (or resumes) the attempt on our server,
 * starts the data model with the values the server gives (cmi.entry, location, suspend data…),
 * publishes it as window.API (SCORM 1.2) or window.API_1484_11 (SCORM 2004) and only then
 * gives the SCO's frame its src, so the SCO finds the API when it looks for it.
 *
 * Values go to the server on Initialize, Commit and Terminate (fetch, in order) and, while
 * the attempt is open, when the page is hidden or unloaded (navigator.sendBeacon with the
 * CSRF token in the form), so a closed tab loses at most the last uncommitted change. What the
 * connection loses (a commit, the final Terminate) is kept and sent again until the server
 * answers, with a notice to the learner meanwhile. A few calls answer the error codes of the
 * run-time books where scorm-again does not (conform).
 * Several SCOs on one page play one at a time, in manifest order, with previous/next and a
 * table of contents.
 */
(function () {
  "use strict";
  if (window.capacitaScorm) return;
  var scos = Array.prototype.slice.call(document.querySelectorAll(".scorm-sco"));
  if (!scos.length) return;

  // The elements the server keeps come with the launch (packages/scorm/datamodel.py, as
  // regular expressions); "" is sent only for exit.
  var EXIT = /^cmi\.(core\.)?exit$/;

  var state = {
    index: -1,
    api: null,
    launch: null,
    stored: [],
    version: "",
    initialized: false,
    finished: false,
    unloading: false,
    queue: Promise.resolve(),
    pending: 0,
    commits: 0,
    failures: 0,
  };
  window.capacitaScorm = state;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      if (document.querySelector('script[src="' + url + '"]')) return resolve();
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    });
  }

  function values() {
    var flat = state.api.getFlattenedCMI();
    var out = {};
    Object.keys(flat).forEach(function (key) {
      var name = key.indexOf("cmi.") === 0 ? key : "cmi." + key;
      var value = flat[key];
      if (value === null || value === undefined || typeof value === "object") return;
      value = String(value);
      if (value === "" && !EXIT.test(name)) return;
      if (state.stored.some(function (pattern) { return pattern.test(name); })) {
        out[name] = value;
      }
    });
    return out;
  }

  function status(text) {
    var element = scos[state.index] && scos[state.index].querySelector(".scorm-status");
    if (element) element.textContent = text || "";
  }

  function label(name) {
    var element = scos[state.index] || scos[0];
    return element.dataset[name] || "";
  }

  // What the server has not confirmed yet: per commit URL (one per attempt), the latest body.
  // Each commit is sent on its own, in order, as the SCO made it; since each carries the whole
  // kept data model, a newer one makes an unsent older one needless. A body leaves the outbox
  // only when the server answered it (or a newer one): until then the latest is re-sent with
  // backoff while the page lives, at once when the browser is back online, and as a beacon when
  // the page is hidden or unloaded. The server answers a Terminate sent again as accepted and
  // changes nothing (packages/scorm/services.py), so a copy that did arrive is harmless.
  var RETRY_FIRST = 1000;
  var RETRY_MAX = 30000;
  state.outbox = {};
  state.retryDelay = RETRY_FIRST;
  state.retryTimer = null;

  function unsent() {
    return Object.keys(state.outbox).length > 0;
  }

  // Answers that a second try cannot change (bad values, an attempt that is gone or ended
  // with other values): the body is dropped. Anything else (no connection, a server error, a
  // session that expired or a CSRF token that changed) is tried again.
  function refused(code) {
    return code === 400 || code === 404 || code === 409 || code === 413 || code === 422;
  }

  function deliver(url, body) {
    return post(url, body, true)
      .then(function (response) {
        if (response.ok || refused(response.status)) {
          if (state.outbox[url] === body) delete state.outbox[url];
          if (response.ok) {
            state.commits += 1;
            return "sent";
          }
          state.failures += 1;
          return "refused";
        }
        state.failures += 1;
        return "error";
      })
      .catch(function () {
        state.failures += 1;
        return "offline";
      });
  }

  // Deliver [url, body] pairs one after the other, after whatever is already on its way.
  function send(entries) {
    if (state.retryTimer) {
      clearTimeout(state.retryTimer);
      state.retryTimer = null;
    }
    state.pending += 1;
    state.queue = state.queue
      .then(function () {
        var outcomes = [];
        return entries
          .reduce(function (previous, entry) {
            return previous.then(function () {
              return deliver(entry[0], entry[1]).then(function (outcome) {
                outcomes.push(outcome);
              });
            });
          }, Promise.resolve())
          .then(function () {
            settle(outcomes);
          });
      })
      .then(function () {
        state.pending -= 1;
      });
    return state.queue;
  }

  // The latest unconfirmed body of each attempt, again.
  function resend() {
    return send(
      Object.keys(state.outbox).map(function (url) {
        return [url, state.outbox[url]];
      })
    );
  }

  function settle(outcomes) {
    if (!unsent()) {
      state.retryDelay = RETRY_FIRST;
      status(outcomes.indexOf("refused") >= 0 ? label("labelError") : "");
      return;
    }
    var offline = outcomes.indexOf("offline") >= 0 || navigator.onLine === false;
    status(label(offline ? "labelOffline" : "labelError"));
    if (state.unloading || state.retryTimer) return;
    var delay = state.retryDelay;
    state.retryDelay = Math.min(delay * 2, RETRY_MAX);
    state.retryTimer = setTimeout(function () {
      state.retryTimer = null;
      resend();
    }, delay);
  }

  function commit(terminate) {
    if (!state.launch || state.finished) return state.queue;
    var url = state.launch.commitUrl;
    var body = { cmi: values(), terminate: !!terminate };
    state.outbox[url] = body;
    if (terminate) state.finished = true;
    // The page is going away: a queued fetch would never start, a beacon still leaves. This
    // is how a SCO that terminates from its own unload handler (as authoring tools' wrappers
    // do) still ends its attempt when the tab is closed.
    if (state.unloading) return beacon();
    return send([[url, body]]);
  }

  // Send with navigator.sendBeacon (the CSRF token in the form, as a beacon cannot carry
  // headers) what the SCO has now, when it has not finished, and whatever the server has not
  // confirmed; a fetch with keepalive where there is no beacon. The outbox keeps its bodies:
  // if the page lives on, they are re-sent until answered.
  function beacon() {
    if (state.launch && state.initialized && !state.finished) {
      var current = { cmi: values(), terminate: false };
      if (state.outbox[state.launch.commitUrl]) state.outbox[state.launch.commitUrl] = current;
      else sendBeacon(state.launch.commitUrl, current);
    }
    Object.keys(state.outbox).forEach(function (url) {
      sendBeacon(url, state.outbox[url]);
    });
    return state.queue;
  }

  function sendBeacon(url, payload) {
    var form = new FormData();
    form.append("csrfmiddlewaretoken", csrfToken());
    form.append("payload", JSON.stringify(payload));
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, form))) {
      post(url, payload, true).catch(function () {});
    }
  }

  // The page is going away (tab closed, navigation, app switch): send what the SCO has now;
  // from here on, the SCO's own Commit or Terminate (its unload handlers) go as beacons too.
  window.addEventListener("pagehide", function () {
    state.unloading = true;
    beacon();
  });
  window.addEventListener("pageshow", function () {
    state.unloading = false;
    if (unsent()) resend();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") beacon();
  });
  window.addEventListener("online", function () {
    state.retryDelay = RETRY_FIRST;
    if (unsent()) resend();
  });

  // Where scorm-again 3.4.3 (the newest on npm) answers otherwise than the run-time books,
  // the API object answers as the book says (tests/packages/test_browser_scorm_error_codes.py):
  // these calls never reach the library, so they change nothing and fire no listener.
  function conform(api, version) {
    function fail(element, code, message) {
      api.throwSCORMError(element, code, message);
    }
    if (version === "scorm12") {
      // SCORM 1.2 Run-Time Environment book, chapter 3 (the API, 3.3, and its error codes,
      // 3.4.4): after LMSFinish the SCO is no longer initialized, so LMSGetValue, LMSSetValue and LMSCommit fail with 301 "Not
      // initialized" (the library answered the value or "true" with 0 and dropped the values
      // set); LMSGetValue("") is 201 "Invalid argument error" (the library: 401).
      var get12 = api.LMSGetValue;
      var set12 = api.LMSSetValue;
      var commit12 = api.LMSCommit;
      var finished = function () {
        return typeof api.isTerminated === "function" && api.isTerminated();
      };
      api.LMSGetValue = function (element) {
        if (finished()) {
          fail("api", 301, "LMSGetValue after LMSFinish");
          return "";
        }
        if (element === "" && api.isInitialized()) {
          fail("api", 201, "LMSGetValue needs an element name");
          return "";
        }
        return get12.apply(api, arguments);
      };
      api.LMSSetValue = function () {
        if (finished()) {
          fail("api", 301, "LMSSetValue after LMSFinish");
          return "false";
        }
        return set12.apply(api, arguments);
      };
      api.LMSCommit = function () {
        if (finished()) {
          fail("api", 301, "LMSCommit after LMSFinish");
          return "false";
        }
        return commit12.apply(api, arguments);
      };
      return;
    }
    // SCORM 2004 4th edition Run-Time Environment book, 3.1.7.6 (SCORM extension error
    // conditions): GetValue of cmi.<collection>.n.… with n at or past the
    // collection's _count is "Data Model Collection Element Request Out Of Range", error 301
    // "General Get Failure" (the library: 403, "not initialized").
    var get2004 = api.GetValue;
    // cmi.<collection>.n. and, inside an interaction, its objectives.m. or correct_responses.m.
    var ENTRY = new RegExp(
      "^(cmi\\.(?:interactions|objectives|comments_from_learner|comments_from_lms))\\.(\\d+)\\." +
        "(?:(objectives|correct_responses)\\.(\\d+)\\.)?"
    );
    function beyond(collection, index) {
      var count = get2004.call(api, collection + "._count");
      return api.GetLastError() === "0" && count !== "" && Number(index) >= Number(count);
    }
    api.GetValue = function (element) {
      var entry = typeof element === "string" && api.isInitialized() && element.match(ENTRY);
      if (
        entry &&
        (beyond(entry[1], entry[2]) ||
          (entry[3] && beyond(entry[1] + "." + entry[2] + "." + entry[3], entry[4])))
      ) {
        fail(element, 301, "Data Model Collection Element Request Out Of Range: " + element);
        return "";
      }
      return get2004.apply(api, arguments);
    };
  }

  function listen(api, version) {
    var names =
      version === "scorm12"
        ? { init: "LMSInitialize", commit: "LMSCommit", finish: "LMSFinish" }
        : { init: "Initialize", commit: "Commit", finish: "Terminate" };
    api.on(names.init, function () {
      state.initialized = true;
      commit(false);
    });
    api.on(names.commit, function () {
      commit(false);
    });
    api.on(names.finish, function () {
      commit(true);
    });
    if (version !== "scorm12") {
      // adl.nav.request continue/previous at Terminate: the next or previous SCO in order.
      // After Terminate has returned to the SCO, not inside it.
      api.on("SequenceNext", function () {
        setTimeout(function () {
          move(+1, true);
        }, 0);
      });
      api.on("SequencePrevious", function () {
        setTimeout(function () {
          move(-1, true);
        }, 0);
      });
    }
  }

  // The lesson's own pager (courses/lesson_page.html): where a SCO's continue or previous
  // leads once the page has no further SCO that way (a package imported one SCO per lesson).
  function pagerLink(step) {
    return document.querySelector(step > 0 ? ".pager a[rel=next]" : ".pager a[rel=prev]");
  }

  // The next (+1) or previous (-1) SCO of the page, else the next or previous lesson when the
  // SCO asked for it (adl.nav.request), else nothing.
  function move(step, requested) {
    var target = state.index + step;
    if (target >= 0 && target < scos.length) {
      start(target);
      // The SCO that asked had the focus, and its frame is now hidden: the next one takes it.
      if (requested) scos[target].querySelector("iframe").focus();
      return;
    }
    var link = requested && pagerLink(step);
    if (link) window.location.assign(link.href);
  }

  // adl.nav.request_valid.continue / previous, which SCOs read to show their own buttons.
  function requestValid(api, index) {
    var valid = api.adl && api.adl.nav && api.adl.nav.request_valid;
    if (!valid) return;
    try {
      valid.continue = index < scos.length - 1 || pagerLink(+1) ? "true" : "false";
      valid.previous = index > 0 || pagerLink(-1) ? "true" : "false";
    } catch (error) {
      // A library that keeps these read-only leaves them "unknown", which SCOs accept.
    }
  }

  function show(index) {
    scos.forEach(function (element, position) {
      var figure = element.closest("figure") || element;
      figure.hidden = position !== index;
    });
    var nav = document.querySelector(".scorm-nav");
    if (!nav) return;
    nav.querySelectorAll("[data-sco-index]").forEach(function (link) {
      var current = Number(link.dataset.scoIndex) === index;
      if (current) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
    });
    var focused = document.activeElement;
    var previous = nav.querySelector(".scorm-previous");
    var next = nav.querySelector(".scorm-next");
    previous.disabled = index === 0;
    next.disabled = index === scos.length - 1;
    stepTarget(previous, scos[index - 1]);
    stepTarget(next, scos[index + 1]);
    // A disabled button drops the keyboard's focus to the page's start: keep it in the
    // contents, on the SCO now playing.
    if ((focused === previous && previous.disabled) || (focused === next && next.disabled)) {
      nav.querySelector('[data-sco-index="' + index + '"]').focus();
    }
  }

  function leave() {
    // Leaving a SCO for another: the SCO's frame unloads (it may call Terminate then).
    var element = scos[state.index];
    if (!element) return;
    if (state.initialized && !state.finished) commit(false);
    element.querySelector("iframe").removeAttribute("src");
    state.launch = null;
  }

  function start(index) {
    if (index === state.index || index < 0 || index >= scos.length) return;
    leave();
    var element = scos[index];
    var version = element.dataset.scormVersion;
    var bundle = version === "scorm12" ? "scorm12.min.js" : "scorm2004.min.js";
    state.index = index;
    state.version = version;
    state.initialized = false;
    state.finished = false;
    show(index);
    return state.queue
      .then(function () {
        return loadScript(element.dataset.vendorUrl + bundle);
      })
      .then(function () {
        return post(element.dataset.openUrl, { lesson: Number(element.dataset.lessonId) });
      })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (launch) {
        var Api = version === "scorm12" ? window.Scorm12API : window.Scorm2004API;
        var api = new Api({ autocommit: false, logLevel: 5 });
        conform(api, version);
        api.loadFromFlattenedJSON(launch.values);
        if (version !== "scorm12") requestValid(api, index);
        listen(api, version);
        state.api = api;
        state.stored = (launch.stored || []).map(function (source) {
          return new RegExp(source);
        });
        state.launch = launch;
        if (version === "scorm12") window.API = api;
        else window.API_1484_11 = api;
        element.querySelector("iframe").src = element.dataset.launchUrl;
      })
      .catch(function () {
        status(element.dataset.labelError);
      });
  }

  // Previous or next: a visible label with its arrow; its accessible name also says which SCO
  // it leads to (the lesson's own pager says "Anterior"/"Siguiente" too, for lessons).
  function stepButton(className, label, arrow, before) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.dataset.label = label;
    var mark = document.createElement("span");
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = arrow;
    if (before) button.append(mark, " " + label);
    else button.append(label + " ", mark);
    return button;
  }

  function stepTarget(button, target) {
    var label = button.dataset.label;
    if (target) button.setAttribute("aria-label", label + ": " + target.dataset.title);
    else button.setAttribute("aria-label", label);
  }

  if (scos.length > 1) {
    var first = scos[0];
    var nav = document.createElement("nav");
    nav.className = "scorm-nav";
    nav.setAttribute("aria-labelledby", "scorm-nav-title");
    var heading = document.createElement("h2");
    heading.id = "scorm-nav-title";
    heading.textContent = first.dataset.labelContents;
    var list = document.createElement("ol");
    scos.forEach(function (element, index) {
      var item = document.createElement("li");
      var link = document.createElement("button");
      link.type = "button";
      link.dataset.scoIndex = String(index);
      link.textContent = element.dataset.title;
      link.addEventListener("click", function () {
        start(index);
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    var previous = stepButton("scorm-previous", first.dataset.labelPrevious, "\u2190", true);
    previous.addEventListener("click", function () {
      move(-1, false);
    });
    var next = stepButton("scorm-next", first.dataset.labelNext, "\u2192", false);
    next.addEventListener("click", function () {
      move(+1, false);
    });
    nav.append(heading, list, previous, next);
    var anchor = first.closest("figure") || first;
    anchor.parentNode.insertBefore(nav, anchor);
  }
  state.start = start;
  start(0);
})();
