/* Small progressive enhancements: phone menu, theme toggle, on-page TOC, copy buttons on code,
   arrow keys for previous/next, print button. The pages work without it. */
(function () {
  "use strict";

  var root = document.documentElement;
  var THEME_KEY = "guide-theme";
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function media(query) {
    return window.matchMedia ? window.matchMedia(query) : { matches: true };
  }

  function onMediaChange(mq, fn) {
    if (mq.addEventListener) {
      mq.addEventListener("change", fn);
    } else if (mq.addListener) {
      mq.addListener(fn);
    }
  }

  /* ---------- Colour theme ---------- */

  function systemTheme() {
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  function currentTheme() {
    var chosen = root.getAttribute("data-theme");
    return chosen === "light" || chosen === "dark" ? chosen : systemTheme();
  }

  function storeTheme(theme) {
    try {
      if (theme) {
        localStorage.setItem(THEME_KEY, theme);
      } else {
        localStorage.removeItem(THEME_KEY);
      }
    } catch (e) {
      /* Not remembered, still applied. */
    }
  }

  function applyTheme(theme) {
    if (theme === "light" || theme === "dark") {
      root.setAttribute("data-theme", theme);
    } else {
      root.removeAttribute("data-theme");
    }
  }

  function setupThemeToggle() {
    var button = document.getElementById("theme-toggle");
    if (!button) {
      return;
    }
    var label = button.querySelector(".theme-toggle-label");

    function refresh() {
      var other = currentTheme() === "dark" ? "light" : "dark";
      var text = "Switch to " + other + " theme";
      if (label) {
        label.textContent = text;
      }
      button.title = text;
    }

    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      /* Choosing what the system already shows means "follow the system" again. */
      if (next === systemTheme()) {
        applyTheme(null);
        storeTheme(null);
      } else {
        applyTheme(next);
        storeTheme(next);
      }
      refresh();
    });

    if (darkQuery) {
      onMediaChange(darkQuery, refresh);
    }
    window.addEventListener("storage", function (event) {
      if (event.key === THEME_KEY) {
        applyTheme(event.newValue);
        refresh();
      }
    });

    refresh();
    button.hidden = false;
  }

  /* ---------- Sidebar and phone menu ---------- */

  function setupMenu() {
    var button = document.getElementById("menu-toggle");
    var sidebar = document.getElementById("sidebar");
    if (!sidebar) {
      return;
    }

    var current = sidebar.querySelector('[aria-current="page"]');
    if (current && sidebar.scrollHeight > sidebar.clientHeight) {
      var box = sidebar.getBoundingClientRect();
      var item = current.getBoundingClientRect();
      if (item.bottom > box.bottom || item.top < box.top) {
        sidebar.scrollTop += item.top - box.top - box.height / 3;
      }
    }

    if (!button) {
      return;
    }

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      sidebar.classList.toggle("is-open", open);
      document.body.classList.toggle("menu-open", open);
    }

    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });

    sidebar.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("a")) {
        setOpen(false);
      }
    });

    /* The open menu covers the page: once focus leaves it for the page, it closes, so that the
       focused element is never hidden behind it. */
    sidebar.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (
        next &&
        sidebar.classList.contains("is-open") &&
        !sidebar.contains(next) &&
        !(next.closest && next.closest(".site-header"))
      ) {
        setOpen(false);
      }
    });

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
        setOpen(false);
        button.focus();
      }
    });

    onMediaChange(media("(min-width: 48rem)"), function (mq) {
      if (mq.matches) {
        setOpen(false);
      }
    });
  }

  /* ---------- On-page table of contents ---------- */

  function setupToc() {
    var toc = document.getElementById("toc");
    var details = toc && toc.querySelector("details");
    if (!details) {
      return;
    }

    var wide = media("(min-width: 75rem)");
    function sync() {
      details.open = wide.matches;
    }
    sync();
    onMediaChange(wide, sync);

    toc.addEventListener("click", function (event) {
      if (!wide.matches && event.target.closest && event.target.closest("a")) {
        details.open = false;
      }
    });

    var entries = [];
    var links = toc.querySelectorAll('a[href^="#"]');
    for (var i = 0; i < links.length; i++) {
      var id = decodeURIComponent(links[i].getAttribute("href").slice(1));
      var heading = document.getElementById(id);
      if (heading) {
        entries.push({ heading: heading, link: links[i] });
      }
    }
    if (!entries.length) {
      return;
    }

    var active = null;
    var pending = false;
    function update() {
      pending = false;
      var limit = window.innerHeight * 0.3;
      var found = null;
      for (var k = 0; k < entries.length; k++) {
        if (entries[k].heading.getBoundingClientRect().top <= limit) {
          found = entries[k];
        } else {
          break;
        }
      }
      var bottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      if (bottom) {
        found = entries[entries.length - 1];
      }
      if (found === active) {
        return;
      }
      if (active) {
        active.link.classList.remove("is-active");
        active.link.removeAttribute("aria-current");
      }
      active = found;
      if (active) {
        active.link.classList.add("is-active");
        active.link.setAttribute("aria-current", "location");
      }
    }

    window.addEventListener(
      "scroll",
      function () {
        if (!pending) {
          pending = true;
          window.requestAnimationFrame(update);
        }
      },
      { passive: true }
    );
    update();
  }

  /* ---------- Code blocks and wide tables ---------- */

  var announcer = null;
  function announce(text) {
    if (!announcer) {
      announcer = document.createElement("div");
      announcer.className = "visually-hidden";
      announcer.setAttribute("aria-live", "polite");
      document.body.appendChild(announcer);
    }
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      document.body.removeChild(area);
      if (ok) {
        resolve();
      } else {
        reject(new Error("copy failed"));
      }
    });
  }

  function setupCode() {
    var blocks = document.querySelectorAll("pre");
    Array.prototype.forEach.call(blocks, function (pre) {
      if (pre.parentNode.classList.contains("code-block")) {
        return;
      }
      var wrap = document.createElement("div");
      wrap.className = "code-block";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);

      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.title = "Copy code to clipboard";
      wrap.appendChild(button);

      var timer = 0;
      button.addEventListener("click", function () {
        var code = pre.querySelector("code") || pre;
        copyText(code.textContent.replace(/\n$/, "")).then(
          function () {
            button.textContent = "Copied";
            announce("Code copied to clipboard");
          },
          function () {
            button.textContent = "Press Ctrl+C";
            var range = document.createRange();
            range.selectNodeContents(code);
            var selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
          }
        );
        button.classList.add("is-done");
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          button.textContent = "Copy";
          button.classList.remove("is-done");
        }, 2000);
      });
    });
  }

  /* Wide code and tables scroll sideways; keyboard users need to be able to focus them. */
  function setupScrollers() {
    var scrollers = document.querySelectorAll("pre, .table-wrap, .compare-scroll");
    Array.prototype.forEach.call(scrollers, function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        if (!el.hasAttribute("aria-label") && el.tagName !== "PRE") {
          el.setAttribute("role", "region");
          el.setAttribute("aria-label", "Scrollable table");
        }
      }
    });
  }

  /* ---------- Keyboard: left and right arrows for previous and next ---------- */

  function setupArrowKeys() {
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") {
        return;
      }
      var target = event.target;
      if (
        target &&
        target.closest &&
        (target.isContentEditable ||
          target.closest("input, textarea, select, pre, .table-wrap, .compare-scroll"))
      ) {
        return;
      }
      if (document.documentElement.scrollWidth > window.innerWidth + 1) {
        return;
      }
      var rel = event.key === "ArrowLeft" ? "prev" : "next";
      var link = document.querySelector('.pager a[rel="' + rel + '"]');
      if (link) {
        event.preventDefault();
        window.location.href = link.href;
      }
    });
  }

  /* ---------- Print page ---------- */

  function setupPrint() {
    var buttons = document.querySelectorAll('[data-action="print"]');
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  function init() {
    setupThemeToggle();
    setupMenu();
    setupToc();
    setupCode();
    setupScrollers();
    setupArrowKeys();
    setupPrint();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
