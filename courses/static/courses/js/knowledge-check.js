/* Knowledge checks: grade on the server through the API and show the result in place.
 * Without this script the form posts to the lesson page, which renders the same results.
 * After grading, a "capacita:knowledge-check-graded" event bubbles from the form with
 * detail {lessonId, blockId, answers, result} so tracking scripts can record the attempt.
 * Offline (or when the request cannot reach the server) the answers are kept in
 * localStorage ("capacita.checks.pending", never in a cached page) and sent for grading as
 * soon as the connection returns, or the next time this lesson is opened online; the result
 * then appears in place as usual. */
(function () {
  "use strict";
  var lang = (document.documentElement.lang || "es").toLowerCase();
  var t = lang.indexOf("en") === 0
    ? { ok: "Correct.", ko: "Incorrect.", score: function (r) { return "You got " + r.score.raw + " of " + r.score.max + " (" + Math.round(r.score.scaled * 100) + " %). "; },
        passed: "You passed!", failed: "Not passed yet: read the feedback and try again.", error: "The answers could not be checked. Try again.",
        kept: "You are offline: your answers are saved on this device and will be checked as soon as the connection returns.",
        missing: function (n) { return "Answer every question before checking: " + n + (n === 1 ? " is" : " are") + " missing."; } }
    : { ok: "Correcto.", ko: "Incorrecto.", score: function (r) { return "Obtuviste " + r.score.raw + " de " + r.score.max + " (" + Math.round(r.score.scaled * 100) + " %). "; },
        passed: "¡Aprobaste!", failed: "Aún no apruebas: revisa la retroalimentación e inténtalo de nuevo.", error: "No se pudieron revisar las respuestas. Inténtalo de nuevo.",
        kept: "Estás sin conexión: tus respuestas quedaron guardadas en este dispositivo y se revisarán en cuanto vuelva la conexión.",
        missing: function (n) { return "Responde todas las preguntas antes de revisar: te falta" + (n === 1 ? " " : "n ") + n + "."; } };
  var PENDING = "capacita.checks.pending";

  function pending() {
    try { return JSON.parse(localStorage.getItem(PENDING)) || {}; } catch (e) { return {}; }
  }

  function keep(url, answers) {
    var all = pending();
    if (answers) { all[url] = answers; } else { delete all[url]; }
    try { localStorage.setItem(PENDING, JSON.stringify(all)); } catch (e) { /* no storage */ }
  }

  // A page read from the offline cache carries the token of when it was saved.
  function csrf(form) {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    return token ? token.value : "";
  }

  function para(text, cls) {
    var p = document.createElement("p");
    if (cls) { p.className = cls; }
    p.textContent = text;
    return p;
  }

  function collect(form) {
    var answers = {};
    form.querySelectorAll("fieldset[data-question-id]").forEach(function (fieldset) {
      var id = fieldset.getAttribute("data-question-id");
      answers[id] = [];
      fieldset.querySelectorAll("input:checked").forEach(function (input) { answers[id].push(input.value); });
    });
    return answers;
  }

  function show(form, result) {
    result.questions.forEach(function (q) {
      var box = form.querySelector('[data-question-result="' + q.id + '"]');
      if (!box) { return; }
      box.textContent = "";
      box.appendChild(para(q.correct ? t.ok : t.ko, q.correct ? "ok" : "ko"));
      q.feedback.forEach(function (text) { box.appendChild(para(text)); });
      if (q.explanation) { box.appendChild(para(q.explanation, "explanation")); }
    });
    var status = form.querySelector("[data-check-result]");
    status.textContent = "";
    status.appendChild(para(t.score(result) + (result.passed ? t.passed : t.failed), result.passed ? "ok" : "ko"));
    // Move focus to the result so keyboard and screen-reader users land on it.
    if (!status.hasAttribute("tabindex")) { status.setAttribute("tabindex", "-1"); }
    status.focus();
  }

  function status(form, text, cls) {
    var box = form.querySelector("[data-check-result]");
    box.textContent = "";
    box.appendChild(para(text, cls));
  }

  function grade(form, answers) {
    var url = form.getAttribute("data-grade-url");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf(form) },
      body: JSON.stringify({ answers: answers })
    }).then(function (response) {
      if (!response.ok) {
        // Refused answers can never be graded: forget them rather than retry forever.
        if (response.status >= 400 && response.status < 500 && response.status !== 403 &&
            response.status !== 429) { keep(url, null); }
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    }).then(function (result) {
      keep(url, null);
      show(form, result);
      var lesson = document.getElementById("lesson");
      form.dispatchEvent(new CustomEvent("capacita:knowledge-check-graded", {
        bubbles: true,
        detail: { lessonId: lesson ? lesson.getAttribute("data-lesson-id") : null,
                  blockId: form.getAttribute("data-block-id"), answers: answers, result: result }
      }));
    }, function (error) {
      if (error instanceof TypeError || navigator.onLine === false) {
        keep(url, answers);
        status(form, t.kept);
      } else {
        status(form, t.error, "ko");
      }
    }).then(function () { button.disabled = false; });
  }

  function sendPending() {
    if (navigator.onLine === false) { return; }
    var all = pending();
    document.querySelectorAll("form.knowledge-check-form").forEach(function (form) {
      var answers = all[form.getAttribute("data-grade-url")];
      if (answers) { grade(form, answers); }
    });
  }

  document.querySelectorAll("form.knowledge-check-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !form.getAttribute("data-grade-url")) { return; }
      event.preventDefault();
      var answers = collect(form);
      var blank = Array.prototype.filter.call(form.querySelectorAll("fieldset[data-question-id]"),
        function (fieldset) { return !fieldset.querySelector("input:checked"); });
      if (blank.length) {
        status(form, t.missing(blank.length), "ko");
        blank[0].querySelector("input").focus();
        return;
      }
      if (navigator.onLine === false) {
        keep(form.getAttribute("data-grade-url"), answers);
        status(form, t.kept);
        return;
      }
      grade(form, answers);
    });
    // Answers kept offline show as chosen again, until they are graded.
    var kept = pending()[form.getAttribute("data-grade-url")];
    if (kept) {
      Object.keys(kept).forEach(function (question) {
        kept[question].forEach(function (option) {
          var input = form.querySelector('fieldset[data-question-id="' + question + '"] input[value="' + option + '"]');
          if (input) { input.checked = true; }
        });
      });
      status(form, t.kept);
    }
  });
  window.addEventListener("online", sendPending);
  sendPending();
})();
