// Live reload for `guide serve`: reloads the page once the server serves a new build (keeping the
// scroll position), swaps changed stylesheets in place, shows build errors as an overlay, and
// reconnects when the server restarts.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) {
    return;
  }
  var build = script.getAttribute("data-build");
  var base = script.src.replace(/reload\.js(\?.*)?$/, "");
  var scrollKey = "guide-serve-scroll:" + location.pathname;
  var overlay = null;

  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var y = Number(saved) || 0;
    window.scrollTo(0, y);
    window.addEventListener("load", function () { window.scrollTo(0, y); });
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  // The overlay's colours, each at least 4.5:1 against the background it sits on.
  var PALETTES = {
    light: {
      bg: "#ffffff", fg: "#1b1e23", title: "#b42318", where: "#1d4ed8", help: "#7a4a00",
      box: "#fdf2f2", edge: "#c81e1e", code: "#f1f3f5", codeFg: "#111827", note: "#4b5563"
    },
    dark: {
      bg: "#15171b", fg: "#f3f4f6", title: "#fca5a5", where: "#93c5fd", help: "#fde68a",
      box: "#22252b", edge: "#f87171", code: "#0d0f12", codeFg: "#e5e7eb", note: "#d1d5db"
    }
  };
  var shownErrors = null;
  var madeInert = [];

  function darkScheme() {
    var chosen = document.documentElement.getAttribute("data-theme");
    if (chosen === "dark" || chosen === "light") {
      return chosen === "dark";
    }
    return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  function clearErrors() {
    shownErrors = null;
    madeInert.forEach(function (el) { el.inert = false; });
    madeInert = [];
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  // Every property is set on every element, with !important so that no page style leaks in;
  // text spacing stays the reader's to override.
  var SPACING = { "line-height": true, "letter-spacing": true, "word-spacing": true };
  function styled(el, css) {
    for (var key in css) {
      el.style.setProperty(key, css[key], SPACING[key] ? "" : "important");
    }
    return el;
  }

  function line(parent, tag, text, css) {
    var el = document.createElement(tag);
    el.textContent = text;
    parent.appendChild(styled(el, css));
    return el;
  }

  function showErrors(list) {
    clearErrors();
    shownErrors = list;
    var c = PALETTES[darkScheme() ? "dark" : "light"];
    var reset = {
      margin: "0", padding: "0", border: "0", background: "transparent", color: c.fg,
      "font-family": "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      "font-size": "14px", "font-weight": "400", "font-style": "normal", "line-height": "1.5",
      "text-align": "left", "text-transform": "none", "letter-spacing": "normal",
      "box-shadow": "none", opacity: "1", "max-width": "none"
    };
    function css(extra) {
      var out = {};
      for (var k in reset) out[k] = reset[k];
      for (var j in extra) out[j] = extra[j];
      return out;
    }
    overlay = styled(document.createElement("div"), css({
      position: "fixed", inset: "0", "z-index": "2147483647", overflow: "auto",
      background: c.bg, padding: "2rem", "color-scheme": darkScheme() ? "dark" : "light"
    }));
    overlay.id = "guide-serve-errors";
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-labelledby", "guide-serve-errors-title");
    overlay.tabIndex = -1;
    var title = line(overlay, "h2", list.length + (list.length === 1 ? " error" : " errors") +
      " in the guide — the last good build is still being served", css({
      "font-family": "system-ui, sans-serif", "font-size": "18px", "font-weight": "600",
      "line-height": "1.4", margin: "0 0 1rem", color: c.title
    }));
    title.id = "guide-serve-errors-title";
    list.forEach(function (error) {
      var box = line(overlay, "div", "", css({
        "border-left": "3px solid " + c.edge, padding: "0.5rem 1rem", margin: "0 0 1rem",
        background: c.box
      }));
      line(box, "div", error.location, css({ color: c.where, background: c.box }));
      line(box, "div", error.message, css({ "font-weight": "600", background: c.box }));
      if (error.source) {
        line(box, "pre", error.source, css({
          margin: "0.25rem 0", padding: "0.25rem 0.5rem", "white-space": "pre-wrap",
          "overflow-wrap": "anywhere", color: c.codeFg, background: c.code
        }));
      }
      if (error.help) {
        line(box, "div", "help: " + error.help, css({ color: c.help, background: c.box }));
      }
    });
    line(overlay, "p", "Fix the file and save: this page updates by itself.", css({
      "font-family": "system-ui, sans-serif", color: c.note
    }));
    Array.prototype.forEach.call(document.body.children, function (el) {
      if (!el.inert) {
        el.inert = true;
        madeInert.push(el);
      }
    });
    document.body.appendChild(overlay);
    overlay.focus({ preventScroll: true });
  }

  function redrawErrors() {
    if (shownErrors) {
      showErrors(shownErrors);
    }
  }

  if (window.matchMedia) {
    var schemeQuery = window.matchMedia("(prefers-color-scheme: dark)");
    if (schemeQuery.addEventListener) {
      schemeQuery.addEventListener("change", redrawErrors);
    }
  }
  if (window.MutationObserver) {
    new MutationObserver(redrawErrors).observe(document.documentElement, {
      attributes: true, attributeFilter: ["data-theme"]
    });
  }

  function swapStyles(data) {
    build = data.build;
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    data.pairs.forEach(function (pair) {
      for (var i = 0; i < links.length; i++) {
        var href = links[i].getAttribute("href");
        if (href && href.slice(-pair[0].length) === pair[0]) {
          links[i].setAttribute("href", href.slice(0, href.length - pair[0].length) + pair[1]);
        }
      }
    });
  }

  var events = new EventSource(base + "events");
  events.addEventListener("hello", function (e) {
    if (e.data !== build) {
      reload();
    }
  });
  events.addEventListener("reload", function (e) {
    if (e.data !== build) {
      reload();
    }
  });
  events.addEventListener("css", function (e) {
    swapStyles(JSON.parse(e.data));
  });
  events.addEventListener("errors", function (e) {
    showErrors(JSON.parse(e.data));
  });
  events.addEventListener("ok", clearErrors);
})();
