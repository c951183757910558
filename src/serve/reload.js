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

  function clearErrors() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function line(parent, tag, text, css) {
    var el = document.createElement(tag);
    el.textContent = text;
    for (var key in css) {
      el.style[key] = css[key];
    }
    parent.appendChild(el);
    return el;
  }

  function showErrors(list) {
    clearErrors();
    overlay = document.createElement("div");
    overlay.id = "guide-serve-errors";
    overlay.setAttribute("role", "alert");
    var s = overlay.style;
    s.position = "fixed";
    s.inset = "0";
    s.zIndex = "2147483647";
    s.overflow = "auto";
    s.background = "rgba(20, 22, 26, 0.94)";
    s.color = "#f3f4f6";
    s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    s.padding = "2rem";
    line(overlay, "h2", list.length + (list.length === 1 ? " error" : " errors") +
      " in the guide — the last good build is still being served", {
      font: "600 18px/1.4 system-ui, sans-serif", margin: "0 0 1rem", color: "#fca5a5"
    });
    list.forEach(function (error) {
      var box = line(overlay, "div", "", {
        borderLeft: "3px solid #f87171", padding: "0.5rem 1rem", margin: "0 0 1rem",
        background: "rgba(255, 255, 255, 0.04)"
      });
      line(box, "div", error.location, { color: "#93c5fd" });
      line(box, "div", error.message, { fontWeight: "600" });
      if (error.source) {
        line(box, "pre", error.source, { margin: "0.25rem 0", whiteSpace: "pre-wrap", color: "#e5e7eb" });
      }
      if (error.help) {
        line(box, "div", "help: " + error.help, { color: "#fde68a" });
      }
    });
    line(overlay, "p", "Fix the file and save: this page updates by itself.", {
      font: "14px/1.5 system-ui, sans-serif", color: "#d1d5db"
    });
    document.body.appendChild(overlay);
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
