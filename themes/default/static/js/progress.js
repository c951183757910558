/* Reading progress: the lessons a reader marked as done, kept in this browser's localStorage under
   a key made of the guide's title and its root URL (so two guides on one host, or opened from
   disk, never mix). Shown as ticks on lesson links, "3 of 9 done" with a "Continue" link per
   track, and exported, imported and reset on the landing page. Without storage the toggle says
   why nothing can be saved; without JavaScript none of it is shown. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !window.URL) {
    return;
  }
  var FORMAT = "guide-progress";
  var VERSION = 1;
  var MAX_FILE = 1024 * 1024;
  var relRoot = script.getAttribute("data-root") || "";
  var guide = script.getAttribute("data-guide") || "";
  var root = bare(new URL(relRoot || "./", location.href));
  var KEY = "guide-progress " + guide + " " + root;
  var store = openStorage();

  function bare(url) {
    url.search = "";
    url.hash = "";
    return url.href;
  }

  /* The storage, or null where the browser refuses it (private windows, blocked file://). */
  function openStorage() {
    try {
      var s = window.localStorage;
      var probe = KEY + " probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null;
    }
  }

  /* A lesson's key: its URL relative to the site root, or null for a URL outside the site.
     `href` is relative to `base` (the page when omitted). */
  function keyOf(href, base) {
    var url;
    try {
      url = bare(new URL(href, base || location.href));
    } catch (e) {
      return null;
    }
    if (url.indexOf(root) !== 0) {
      return null;
    }
    var key = url.slice(root.length);
    return /\.html$/.test(key) && key.length <= 1000 ? key : null;
  }

  /* Keeps the entries of `done` whose key names a page of this site. */
  function clean(done) {
    var out = {};
    if (!done || typeof done !== "object" || Array.isArray(done)) {
      return out;
    }
    Object.keys(done).forEach(function (k) {
      var key = keyOf(k, root);
      if (key && key === k) {
        out[key] = typeof done[k] === "string" ? done[k].slice(0, 40) : "";
      }
    });
    return out;
  }

  function load() {
    if (!store) {
      return {};
    }
    try {
      var data = JSON.parse(store.getItem(KEY) || "null");
      return data ? clean(data.done) : {};
    } catch (e) {
      return {};
    }
  }

  function save(done) {
    if (!store) {
      return false;
    }
    try {
      store.setItem(KEY, JSON.stringify({ version: VERSION, done: done }));
      return true;
    } catch (e) {
      return false;
    }
  }

  function clear() {
    try {
      store.removeItem(KEY);
      return true;
    } catch (e) {
      return false;
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function count(done) {
    return Object.keys(done).length;
  }

  function lessons(n) {
    return n + (n === 1 ? " lesson" : " lessons");
  }

  /* ---------- Ticks on lesson links ---------- */

  function tick(link, on) {
    var mark = link.querySelector(".progress-tick");
    if (on) {
      link.setAttribute("data-done", "");
      if (!mark) {
        mark = el("span", "progress-tick");
        var icon = el("span", "progress-tick-icon", "\u2713");
        icon.setAttribute("aria-hidden", "true");
        mark.appendChild(icon);
        mark.appendChild(el("span", "visually-hidden", " (done)"));
        link.appendChild(mark);
      }
    } else {
      link.removeAttribute("data-done");
      if (mark) {
        mark.parentNode.removeChild(mark);
      }
    }
  }

  function showTicks(done) {
    var links = document.querySelectorAll("#sidebar a[href], .lesson-list a[href]");
    Array.prototype.forEach.call(links, function (link) {
      var key = keyOf(link.getAttribute("href"));
      tick(link, !!(key && done[key]));
    });
  }

  /* ---------- "3 of 9 done" and "Continue" per track ---------- */

  function showTracks(done) {
    var boxes = document.querySelectorAll("[data-track-progress]");
    Array.prototype.forEach.call(boxes, function (box) {
      var keys = (box.getAttribute("data-lessons") || "")
        .split(/\s+/)
        .filter(Boolean)
        .map(function (url) {
          return keyOf(url, root);
        })
        .filter(Boolean);
      if (!store || !keys.length) {
        box.hidden = true;
        return;
      }
      var finished = keys.filter(function (k) {
        return done[k];
      }).length;
      var next = keys.filter(function (k) {
        return !done[k];
      })[0];
      box.textContent = "";
      var text =
        finished === keys.length
          ? "All " + keys.length + " done"
          : finished + " of " + keys.length + " done";
      box.appendChild(el("span", "track-progress-count", text));
      if (finished > 0 && next) {
        box.appendChild(document.createTextNode(" "));
        var link = el("a", "track-continue", "Continue");
        link.href = relRoot + next;
        var track = box.getAttribute("data-track");
        if (track) {
          link.appendChild(el("span", "visually-hidden", " \u201c" + track + "\u201d"));
        }
        box.appendChild(link);
      }
      box.setAttribute("data-done-count", String(finished));
      box.hidden = false;
    });
  }

  /* ---------- The lesson's "Mark as done" toggle ---------- */

  var toggle = document.getElementById("lesson-done");
  var toggleBox = document.getElementById("lesson-progress");
  var note = document.getElementById("lesson-progress-note");
  var lessonKey = toggleBox ? keyOf(toggleBox.getAttribute("data-lesson") || "", root) : null;

  function say(node, text) {
    if (node) {
      node.textContent = text;
    }
  }

  function showToggle(done) {
    if (!toggle || !toggleBox || !lessonKey) {
      return;
    }
    toggleBox.hidden = false;
    if (!store) {
      toggle.disabled = true;
      toggleBox.classList.add("is-unavailable");
      say(note, "Progress can\u2019t be saved here: this browser does not let the page store data.");
      return;
    }
    var on = !!done[lessonKey];
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    say(note, on ? "Done. Saved in this browser." : "");
  }

  function markLesson(on) {
    var done = load();
    if (on) {
      done[lessonKey] = new Date().toISOString();
    } else {
      delete done[lessonKey];
    }
    var saved = save(done);
    render();
    if (!saved) {
      say(note, "Could not save: this browser\u2019s storage is full or blocked.");
    }
    return saved;
  }

  function setupToggle() {
    if (!toggle || !lessonKey || !store) {
      return;
    }
    toggle.addEventListener("click", function () {
      markLesson(toggle.getAttribute("aria-pressed") !== "true");
    });
    document.addEventListener("quiz:passed", offer);
  }

  /* A passed self-check offers to mark the lesson done; it never marks it by itself. */
  function offer(event) {
    if (load()[lessonKey]) {
      return;
    }
    var old = document.getElementById("progress-offer");
    if (old) {
      old.parentNode.removeChild(old);
    }
    var box = el("p", "progress-offer");
    box.id = "progress-offer";
    box.setAttribute("role", "status");
    box.appendChild(el("span", "", "You passed this lesson\u2019s self-check. "));
    var button = el("button", "button progress-offer-button", "Mark this lesson as done");
    button.type = "button";
    box.appendChild(button);
    button.addEventListener("click", function () {
      if (markLesson(true)) {
        box.textContent = "Marked as done.";
        toggle.focus();
      }
    });
    var target = event.target;
    if (target && target.nodeType === 1 && target !== document.documentElement) {
      target.parentNode.insertBefore(box, target.nextSibling);
    } else {
      toggleBox.parentNode.insertBefore(box, toggleBox);
    }
  }

  /* ---------- Export, import and reset (landing page) ---------- */

  var tools = document.getElementById("progress");

  function byId(id) {
    return document.getElementById(id);
  }

  function fileName() {
    var slug = guide
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "");
    return (slug || "guide") + "-progress.json";
  }

  /* What an export file holds; `read` takes it back. */
  function exported() {
    return {
      format: FORMAT,
      version: VERSION,
      guide: guide,
      exported: new Date().toISOString(),
      done: load()
    };
  }

  /* The lessons of an export file, or an Error saying plainly what is wrong with it. */
  function read(text) {
    var data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      return new Error("it is not JSON (" + e.message + ").");
    }
    if (!data || typeof data !== "object" || data.format !== FORMAT) {
      return new Error("it is not a progress file exported from a guide.");
    }
    if (data.version !== VERSION) {
      return new Error("its version " + JSON.stringify(data.version) + " is not " + VERSION + ".");
    }
    if (!data.done || typeof data.done !== "object" || Array.isArray(data.done)) {
      return new Error("its \u201cdone\u201d is not a map of lessons.");
    }
    var done = clean(data.done);
    var bad = Object.keys(data.done).filter(function (k) {
      return !(k in done);
    });
    if (bad.length) {
      return new Error("\u201c" + bad[0].slice(0, 80) + "\u201d is not a lesson of a guide.");
    }
    return { guide: typeof data.guide === "string" ? data.guide : "", done: done };
  }

  function download() {
    var data = exported();
    var blob = new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var a = el("a");
    a.href = url;
    a.download = fileName();
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.parentNode.removeChild(a);
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 10000);
    say(byId("progress-status"), "Exported " + lessons(count(data.done)) + " to " + a.download + ".");
  }

  function importFile(file) {
    var status = byId("progress-status");
    if (file.size > MAX_FILE) {
      say(status, "Could not import " + file.name + ": it is larger than 1 MB.");
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var got = read(String(reader.result));
      if (got instanceof Error) {
        say(status, "Could not import " + file.name + ": " + got.message);
        return;
      }
      var done = load();
      var added = 0;
      Object.keys(got.done).forEach(function (k) {
        if (!done[k]) {
          done[k] = got.done[k] || new Date().toISOString();
          added += 1;
        }
      });
      if (!save(done)) {
        say(status, "Could not import " + file.name + ": this browser\u2019s storage is full or blocked.");
        return;
      }
      render();
      var from =
        got.guide && got.guide !== guide ? " (the file is from \u201c" + got.guide + "\u201d)" : "";
      say(
        status,
        "Imported " + file.name + ": " + lessons(added) + " newly marked as done" + from + "."
      );
    };
    reader.onerror = function () {
      say(status, "Could not read " + file.name + ".");
    };
    reader.readAsText(file);
  }

  function showTools(done) {
    if (!tools) {
      return;
    }
    tools.hidden = false;
    var n = count(done);
    say(
      byId("progress-summary"),
      !store
        ? "Progress can\u2019t be saved here: this browser does not let the page store data."
        : n
          ? "You have marked " + lessons(n) + " as done in this browser."
          : "No lessons are marked as done in this browser yet."
    );
  }

  function setupTools() {
    if (!tools) {
      return;
    }
    var buttons = ["progress-export", "progress-import", "progress-reset"].map(byId);
    if (!store || buttons.indexOf(null) >= 0) {
      buttons.forEach(function (b) {
        if (b) {
          b.disabled = true;
        }
      });
      return;
    }
    var file = byId("progress-file");
    var confirmBox = byId("progress-confirm");
    var reset = buttons[2];
    buttons[0].addEventListener("click", download);
    buttons[1].addEventListener("click", function () {
      file.value = "";
      file.click();
    });
    file.addEventListener("change", function () {
      if (file.files && file.files[0]) {
        importFile(file.files[0]);
      }
    });
    reset.addEventListener("click", function () {
      confirmBox.hidden = false;
      byId("progress-reset-no").focus();
    });
    byId("progress-reset-no").addEventListener("click", function () {
      confirmBox.hidden = true;
      reset.focus();
    });
    byId("progress-reset-yes").addEventListener("click", function () {
      var n = count(load());
      confirmBox.hidden = true;
      say(
        byId("progress-status"),
        clear() ? "Forgot " + lessons(n) + " marked as done." : "Could not reset: storage is blocked."
      );
      render();
      reset.focus();
    });
  }

  function render() {
    var done = load();
    showTicks(done);
    showTracks(done);
    showToggle(done);
    showTools(done);
  }

  setupToggle();
  setupTools();
  render();
  window.addEventListener("storage", function (event) {
    if (event.key === KEY || event.key === null) {
      render();
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      render();
    }
  });
})();
