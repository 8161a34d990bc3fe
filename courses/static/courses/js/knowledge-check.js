/* Knowledge checks: grade on the server through the API and show the result in place.
 * Without this script the form posts to the lesson page, which renders the same results.
 * After grading, a "capacita:knowledge-check-graded" event bubbles from the form with
 * detail {lessonId, blockId, answers, result} so tracking scripts can record the attempt. */
(function () {
  "use strict";
  var lang = (document.documentElement.lang || "es").toLowerCase();
  var t = lang.indexOf("en") === 0
    ? { ok: "Correct.", ko: "Incorrect.", score: function (r) { return "You got " + r.score.raw + " of " + r.score.max + " (" + Math.round(r.score.scaled * 100) + " %). "; },
        passed: "You passed!", failed: "Not passed yet: read the feedback and try again.", error: "The answers could not be checked. Try again." }
    : { ok: "Correcto.", ko: "Incorrecto.", score: function (r) { return "Obtuviste " + r.score.raw + " de " + r.score.max + " (" + Math.round(r.score.scaled * 100) + " %). "; },
        passed: "¡Aprobaste!", failed: "Aún no apruebas: revisa la retroalimentación e inténtalo de nuevo.", error: "No se pudieron revisar las respuestas. Inténtalo de nuevo." };

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

  document.querySelectorAll("form.knowledge-check-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !form.getAttribute("data-grade-url")) { return; }
      event.preventDefault();
      var answers = collect(form);
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.getAttribute("data-grade-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token ? token.value : "" },
        body: JSON.stringify({ answers: answers })
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (result) {
        show(form, result);
        var lesson = document.getElementById("lesson");
        form.dispatchEvent(new CustomEvent("capacita:knowledge-check-graded", {
          bubbles: true,
          detail: { lessonId: lesson ? lesson.getAttribute("data-lesson-id") : null,
                    blockId: form.getAttribute("data-block-id"), answers: answers, result: result }
        }));
      }).catch(function () {
        var status = form.querySelector("[data-check-result]");
        status.textContent = "";
        status.appendChild(para(t.error, "ko"));
      }).then(function () { button.disabled = false; });
    });
  });
})();
