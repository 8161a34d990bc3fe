/* Capacita lesson tracking: records a teacher's learning as xAPI statements, with no action
 * on their part, and never loses or doubles one.
 *
 * - experienced when the lesson opens; progressed (cmi5 progress extension, 0-100) while the
 *   teacher reads (scrolling past 25/50/75 %); completed when the end of the lesson is reached;
 *   answered (per knowledge check) and passed/failed (on the lesson, once every check has a
 *   result) after the server grades an attempt ("capacita:knowledge-check-graded" events).
 * - Every statement gets its id here (crypto.randomUUID), is put in a queue kept in
 *   localStorage, and the queue is POSTed to the LRS with the session cookie and CSRF token.
 *   A statement leaves the queue only when the LRS has answered 2xx, so a lost connection,
 *   a closed tab or an offline phone only delays it; sending it again is harmless, because
 *   the LRS stores a statement id once and answers 200/204 to an identical repeat.
 * - The site's connection box (#connection-status, role=status) says how many statements wait
 *   ("3 registros de tu avance por enviar") and when the last ones left ("Tu avance se guardó a las 10:42").
 * Configuration comes from <script type="application/json" id="capacita-tracking">.
 */
(function () {
  "use strict";
  var configNode = document.getElementById("capacita-tracking");
  if (!configNode || !window.fetch || !window.localStorage) { return; }
  var config = JSON.parse(configNode.textContent);
  var VERBS = "http://adlnet.gov/expapi/verbs/";
  var PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress";
  var QUEUE_KEY = "capacita.xapi.queue." + config.actor.account.name;
  var CHECKS_KEY = "capacita.xapi.checks." + config.actor.account.name + "." + config.lesson;
  var BATCH = 25;
  var openedAt = Date.now();
  var sending = false;
  var retryDelay = 2000;
  var retryTimer = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }

  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: keep in memory */ }
  }

  // A page read from the offline cache carries the CSRF token of when it was saved; the
  // cookie has the current one.
  function csrf() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : config.csrfToken;
  }

  var statusBox = document.getElementById("connection-status");
  var syncLine = statusBox && statusBox.querySelector("[data-sync]");
  var SENT_KEY = "capacita.xapi.sent." + config.actor.account.name;
  var sentAt = read(SENT_KEY, null) ? new Date(read(SENT_KEY, 0)) : null;

  function showPending() {
    if (!syncLine) { return; }
    var waiting = read(QUEUE_KEY, []).length;
    var text = "";
    if (waiting) {
      text = waiting === 1 ? statusBox.getAttribute("data-pending-one")
        : statusBox.getAttribute("data-pending-other").replace("{n}", waiting);
    } else if (sentAt) {
      text = statusBox.getAttribute("data-sent").replace("{time}", sentAt.toLocaleTimeString(
        document.documentElement.lang || "es-MX", { hour: "2-digit", minute: "2-digit", hour12: false }));
    }
    if (syncLine.textContent !== text) { syncLine.textContent = text; }
    syncLine.hidden = !text;
  }

  function duration() {
    return "PT" + Math.max(0, Math.round((Date.now() - openedAt) / 10) / 100) + "S";
  }

  function activity(id, type, name) {
    var object = { objectType: "Activity", id: id, definition: { type: type } };
    if (name) { object.definition.name = {}; object.definition.name[config.language] = name; }
    return object;
  }

  function statement(verb, object, result) {
    var s = {
      id: uuid(),
      actor: config.actor,
      verb: { id: VERBS + verb, display: { "en-US": verb } },
      object: object,
      context: {
        platform: "Capacita",
        language: config.language,
        contextActivities: {
          parent: [{ objectType: "Activity", id: config.module }],
          grouping: [{ objectType: "Activity", id: config.course }]
        }
      },
      timestamp: new Date().toISOString()
    };
    if (result) { s.result = result; }
    return s;
  }

  function record(verb, object, result) {
    var queue = read(QUEUE_KEY, []);
    queue.push(statement(verb, object, result));
    write(QUEUE_KEY, queue);
    showPending();
    flush();
  }

  function lessonObject() {
    return activity(config.lesson, "http://adlnet.gov/expapi/activities/lesson", config.title);
  }

  function post(batch) {
    return fetch(config.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
        "X-CSRFToken": csrf()
      },
      body: JSON.stringify(batch)
    });
  }

  function put(s) {
    return fetch(config.endpoint + "?statementId=" + encodeURIComponent(s.id), {
      method: "PUT",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
        "X-CSRFToken": csrf()
      },
      body: JSON.stringify(s)
    });
  }

  function forget(ids) {
    var queue = read(QUEUE_KEY, []).filter(function (s) { return ids.indexOf(s.id) < 0; });
    write(QUEUE_KEY, queue);
    sentAt = new Date();
    write(SENT_KEY, sentAt.getTime());
    showPending();
  }

  function later() {
    if (retryTimer) { return; }
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }

  // A batch the LRS refuses as a whole (400) is sent statement by statement, so one bad
  // statement is dropped (it can never be accepted) without holding back the others.
  function oneByOne(batch) {
    return batch.reduce(function (chain, s) {
      return chain.then(function () {
        return put(s).then(function (response) {
          if (response.ok || (response.status >= 400 && response.status < 500 &&
              response.status !== 401 && response.status !== 403 && response.status !== 429)) {
            forget([s.id]);
          } else {
            throw new Error("HTTP " + response.status);
          }
        });
      });
    }, Promise.resolve());
  }

  function flush() {
    if (sending || navigator.onLine === false) { return; }
    var batch = read(QUEUE_KEY, []).slice(0, BATCH);
    if (!batch.length) { return; }
    sending = true;
    post(batch).then(function (response) {
      if (response.ok) { forget(batch.map(function (s) { return s.id; })); return true; }
      if (response.status === 400 || response.status === 409) { return oneByOne(batch).then(function () { return true; }); }
      throw new Error("HTTP " + response.status);
    }).then(function () {
      sending = false;
      retryDelay = 2000;
      if (read(QUEUE_KEY, []).length) { flush(); }
      document.dispatchEvent(new CustomEvent("capacita:tracking-flushed"));
    }, function () {
      sending = false;
      later();
    });
  }

  // --- what the teacher does ------------------------------------------------------------
  var lesson = document.getElementById("lesson") || document.body;
  var reached = 0;
  var completed = false;

  function readProgress() {
    var box = lesson.getBoundingClientRect();
    var seen = window.innerHeight - box.top;
    if (box.height <= 0) { return 100; }
    return Math.max(0, Math.min(100, Math.round(100 * seen / box.height)));
  }

  function onScroll() {
    var percent = readProgress();
    [25, 50, 75].forEach(function (mark) {
      if (percent >= mark && reached < mark) {
        reached = mark;
        var result = { extensions: {} };
        result.extensions[PROGRESS] = mark;
        record("progressed", lessonObject(), result);
      }
    });
    if (percent >= 100 && !completed) {
      completed = true;
      var done = { completion: true, duration: duration(), extensions: {} };
      done.extensions[PROGRESS] = 100;
      record("completed", lessonObject(), done);
      if (!config.checks.length) { lessonDone(); }
    }
  }

  function onGraded(event) {
    var detail = event.detail || {};
    var result = detail.result || {};
    var score = result.score || {};
    var scaled = typeof score.scaled === "number" ? score.scaled : (result.passed ? 1 : 0);
    var graded = {
      success: !!result.passed,
      score: { scaled: scaled, raw: score.raw || 0, min: 0, max: score.max || 0 },
      duration: duration()
    };
    record("answered", activity(config.lesson + "/checks/" + detail.blockId,
      "http://adlnet.gov/expapi/activities/assessment"), graded);
    var checks = read(CHECKS_KEY, {});
    var best = checks[detail.blockId];
    if (!best || !best.passed || (result.passed && scaled > best.scaled)) {
      checks[detail.blockId] = { passed: !!result.passed, scaled: scaled };
    }
    write(CHECKS_KEY, checks);
    var ids = config.checks;
    if (!ids.every(function (id) { return checks[id]; })) { return; }
    var passed = ids.every(function (id) { return checks[id].passed; });
    var mean = ids.reduce(function (sum, id) { return sum + checks[id].scaled; }, 0) / ids.length;
    mean = Math.round(mean * 10000) / 10000;
    record(passed ? "passed" : "failed", lessonObject(), {
      success: passed,
      score: { scaled: mean, raw: Math.round(mean * 100), min: 0, max: 100 },
      duration: duration()
    });
    if (passed) { lessonDone(); }
  }

  // The end of the lesson says it is done as soon as the statement that completes it is queued
  // (the queue delivers it; the server's record says the same on the next visit).
  function lessonDone() {
    var end = document.getElementById("lesson-end");
    var todo = end && end.querySelector("[data-lesson-todo]");
    if (!todo) { return; }
    todo.className = "ok";
    todo.setAttribute("data-lesson-done", "");
    todo.removeAttribute("data-lesson-todo");
    todo.textContent = "\u2713 " + end.getAttribute("data-done-text");
  }

  record("experienced", lessonObject());
  window.addEventListener("scroll", onScroll, { passive: true });
  window.addEventListener("resize", onScroll);
  window.addEventListener("online", flush);
  document.addEventListener("capacita:knowledge-check-graded", onGraded);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  setInterval(flush, 15000);
  onScroll();
  window.capacitaTracking = {
    queued: function () { return read(QUEUE_KEY, []).length; },
    flush: flush
  };
  showPending();
})();
