/* Self-checks: checks a form.quiz's answers on submit, marks each question data-result="right"
   or "wrong", shows the explanations of the chosen options and announces the score. Without
   it, each question's answer is in the details.quiz-answer below it. */
(function () {
  "use strict";

  /* The same as the build's: case folded, everything but letters and digits dropped. */
  function normalise(text) {
    return Array.from(String(text))
      .filter(function (c) { return /[\p{Alphabetic}\p{N}]/u.test(c); })
      .map(function (c) { return c.toLowerCase(); })
      .join("");
  }

  function isRight(question) {
    var input = question.querySelector("input[type=text]");
    if (input) {
      var accepted = [];
      try { accepted = JSON.parse(input.getAttribute("data-accept") || "[]"); } catch (e) { accepted = []; }
      var given = normalise(input.value);
      return given !== "" && accepted.some(function (a) { return normalise(a) === given; });
    }
    var options = question.querySelectorAll(".quiz-option");
    for (var i = 0; i < options.length; i++) {
      var chosen = options[i].querySelector("input").checked;
      if (chosen !== options[i].hasAttribute("data-right")) {
        return false;
      }
    }
    return options.length > 0;
  }

  function show(el, on) {
    if (el) {
      el.hidden = !on;
    }
  }

  function clear(question) {
    question.removeAttribute("data-result");
    show(question.querySelector(".quiz-verdict"), false);
    show(question.querySelector(".quiz-explain-question"), false);
    question.querySelectorAll(".quiz-option .quiz-explain").forEach(function (e) { show(e, false); });
  }

  function check(form) {
    var questions = form.querySelectorAll(".quiz-question");
    var score = 0;
    questions.forEach(function (question) {
      var right = isRight(question);
      score += right ? 1 : 0;
      question.setAttribute("data-result", right ? "right" : "wrong");
      var verdict = question.querySelector(".quiz-verdict");
      verdict.textContent = right ? "Right." : "Not quite. Try again, or open the answer.";
      show(verdict, true);
      show(question.querySelector(".quiz-explain-question"), right);
      question.querySelectorAll(".quiz-option").forEach(function (option) {
        show(option.querySelector(".quiz-explain"), option.querySelector("input").checked);
      });
      show(question.querySelector(".quiz-answer"), true);
    });
    var total = questions.length;
    var status = form.querySelector("[role=status]");
    status.textContent = score === total
      ? "All " + total + " right."
      : score + " of " + total + " right.";
    if (score === total) {
      form.dispatchEvent(new CustomEvent("quiz:passed", {
        bubbles: true,
        detail: { score: score, total: total }
      }));
    }
  }

  function enhance(form) {
    form.classList.add("quiz-ready");
    form.querySelectorAll(".quiz-answer").forEach(function (d) { d.hidden = true; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      check(form);
    });
    form.addEventListener("input", function (event) {
      var question = event.target.closest(".quiz-question");
      if (question && question.hasAttribute("data-result")) {
        clear(question);
      }
    });
  }

  /* Printing shows every answer key. */
  function printing(on) {
    document.querySelectorAll("form.quiz .quiz-answer").forEach(function (d) {
      if (on) {
        d.setAttribute("data-was", (d.hidden ? "h" : "") + (d.open ? "o" : ""));
        d.hidden = false;
        d.open = true;
      } else if (d.hasAttribute("data-was")) {
        var was = d.getAttribute("data-was");
        d.hidden = was.indexOf("h") >= 0;
        d.open = was.indexOf("o") >= 0;
        d.removeAttribute("data-was");
      }
    });
  }

  var forms = document.querySelectorAll("form.quiz");
  if (document.body.classList.contains("kind-print")) {
    printing(true);
    return;
  }
  forms.forEach(enhance);
  window.addEventListener("beforeprint", function () { printing(true); });
  window.addEventListener("afterprint", function () { printing(false); });
})();
