// Glossary terms: a link to the term's entry (a.term) shows its short definition, kept in the
// link's data-definition, while it is hovered or focused. One tooltip element is made on first
// use and described by the link shown (aria-describedby), so ids never collide, even on
// print.html. Escape dismisses it; focus never moves into it.
(function () {
  "use strict";
  var tip = null;
  var current = null;
  var hideTimer = 0;

  function tooltip() {
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "glossary-tooltip";
      tip.className = "term-tooltip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      tip.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
      tip.addEventListener("mouseleave", function () { hideSoon(); });
      document.body.appendChild(tip);
    }
    return tip;
  }

  function show(link) {
    clearTimeout(hideTimer);
    if (current === link) return;
    hide();
    var text = link.getAttribute("data-definition");
    if (!text) return;
    var el = tooltip();
    el.textContent = text;
    el.hidden = false;
    link.setAttribute("aria-describedby", el.id);
    current = link;
    place(link, el);
  }

  function place(link, el) {
    var box = link.getBoundingClientRect();
    var width = Math.min(352, document.documentElement.clientWidth - 16);
    el.style.maxWidth = width + "px";
    var left = Math.max(8, Math.min(box.left, document.documentElement.clientWidth - width - 8));
    var top = box.bottom + 6;
    var height = el.offsetHeight;
    if (top + height > window.innerHeight && box.top - height - 6 > 0) {
      top = box.top - height - 6;
    }
    el.style.left = left + window.scrollX + "px";
    el.style.top = top + window.scrollY + "px";
  }

  function hide() {
    clearTimeout(hideTimer);
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    if (tip) tip.hidden = true;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 150);
  }

  function term(target) {
    return target && target.closest ? target.closest("a.term[data-definition]") : null;
  }

  document.addEventListener("mouseover", function (event) {
    var link = term(event.target);
    if (link) show(link);
  });
  document.addEventListener("mouseout", function (event) {
    var link = term(event.target);
    if (link && link === current && !link.contains(event.relatedTarget)) hideSoon();
  });
  document.addEventListener("focusin", function (event) {
    var link = term(event.target);
    if (link) show(link);
    else if (current) hide();
  });
  document.addEventListener("focusout", function (event) {
    if (term(event.target) === current) hide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && current) hide();
  });
})();
