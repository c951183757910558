/* Search: the header box, its results, and the marks a followed result leaves on the page.
   The engine (js/search-index.js) and the index (small scripts under search/, see
   src/search/mod.rs) are loaded by <script> tags the first time the box is focused, so search
   works from file://, under any sub-path and under a Content-Security-Policy of script-src 'self'.
   Everything shown is inserted as text. */
(function () {
  "use strict";

  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  /* A word, or a compound of words each separated by one "-" or "/" (see search-index.js). */
  var TOKEN = /[\p{Alphabetic}\p{N}]+(?:[-/][\p{Alphabetic}\p{N}]+)*/gu;
  var MARKS = /\p{M}/gu;
  var MAX_WORD = 40;
  var SHOWN = 6;
  var PER_PAGE = 3;
  var MARK_PARAM = "highlight";
  var QUERY_PARAM = "search";

  /* ---------- Words, as src/search/text.rs makes them ---------- */

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(MARKS, "");
  }

  function words(folded) {
    return (folded.match(WORD) || []).filter(function (w) {
      return w.length <= MAX_WORD || Array.from(w).length <= MAX_WORD;
    });
  }

  /* ---------- Marks on the page a result leads to ---------- */

  function param(name) {
    try {
      return new URLSearchParams(window.location.search).get(name) || "";
    } catch (e) {
      return "";
    }
  }

  function markPage() {
    var wanted = param(MARK_PARAM);
    if (!wanted) {
      return;
    }
    var set = new Set(words(fold(wanted)));
    var scope = document.getElementById("content") || document.querySelector("main") || document.body;
    if (!set.size || !scope) {
      return;
    }
    var walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        var parent = node.parentNode;
        if (!parent || parent.closest("script, style, mark, button, .search")) {
          return NodeFilter.FILTER_REJECT;
        }
        return NodeFilter.FILTER_ACCEPT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) {
      nodes.push(walker.currentNode);
    }
    nodes.forEach(function (node) {
      var pieces = splitMarked(node.nodeValue, set);
      if (pieces.length < 2) {
        return;
      }
      var frag = document.createDocumentFragment();
      pieces.forEach(function (piece) {
        if (piece.hit) {
          var mark = document.createElement("mark");
          mark.className = "search-hit";
          mark.textContent = piece.text;
          frag.appendChild(mark);
        } else {
          frag.appendChild(document.createTextNode(piece.text));
        }
      });
      node.parentNode.replaceChild(frag, node);
    });
    var target = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
    if (target) {
      target.scrollIntoView();
    }
  }

  /* The stretches of `text` whose folded word is in `set`, in order, as [start, end]: a
     compound whole when its joined form is in `set` ("oncall" marks "on-call"), else its words. */
  function hitsIn(text, set) {
    var out = [];
    var re = new RegExp(TOKEN.source, "gu");
    var m;
    while ((m = re.exec(text))) {
      var token = m[0];
      var parts = token.split(/[-/]/);
      if (parts.length > 1 && set.has(fold(parts.join("")))) {
        out.push([m.index, m.index + token.length]);
        continue;
      }
      var at = m.index;
      parts.forEach(function (part) {
        if (set.has(fold(part))) {
          out.push([at, at + part.length]);
        }
        at += part.length + 1;
      });
    }
    return out;
  }

  /* Pieces of `text` in order, those whose folded word is in `set` flagged as hits. */
  function splitMarked(text, set) {
    var out = [];
    var last = 0;
    hitsIn(text, set).forEach(function (h) {
      if (h[0] > last) {
        out.push({ text: text.slice(last, h[0]), hit: false });
      }
      out.push({ text: text.slice(h[0], h[1]), hit: true });
      last = h[1];
    });
    if (last < text.length) {
      out.push({ text: text.slice(last), hit: false });
    }
    return out;
  }

  markPage();

  var input = document.getElementById("search");
  var box = input ? input.closest(".search") : null;
  var panel = document.getElementById("search-panel");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var chipsBox = document.getElementById("search-topics");
  var more = document.getElementById("search-more");
  if (!input || !box || !panel || !list || !status || !chipsBox || !more || !input.dataset.index) {
    return;
  }
  box.hidden = false;

  var manifestUrl = input.dataset.index;
  var siteRoot = manifestUrl.slice(0, manifestUrl.lastIndexOf("/") + 1).replace(/search\/$/, "");

  var engine = null;
  function getEngine() {
    if (!engine) {
      engine = new Promise(function (resolve, reject) {
        var ready = function () {
          if (window.guideSearchEngine) {
            resolve(window.guideSearchEngine(manifestUrl));
          } else {
            reject(new Error("search: the search engine did not load"));
          }
        };
        if (window.guideSearchEngine || !input.dataset.engine) {
          ready();
          return;
        }
        var script = document.createElement("script");
        script.src = input.dataset.engine;
        script.async = true;
        script.onload = ready;
        script.onerror = function () {
          reject(new Error("search: " + input.dataset.engine + " is missing"));
        };
        document.head.appendChild(script);
      });
      engine.catch(function () {
        engine = null;
      });
    }
    return engine;
  }

  function openIndex() {
    return getEngine().then(function (e) {
      return e.open();
    });
  }

  function search(query, topic, wanted) {
    return getEngine().then(function (e) {
      return e.search(query, topic, wanted);
    });
  }

  function docText(doc) {
    return getEngine().then(function (e) {
      return e.docText(doc);
    });
  }

  /* The words of result `r` that matched, as its text `t` has them. */
  function matched(r, t) {
    return getEngine().then(function (e) {
      return e.matched(r, t);
    });
  }

  /* ---------- The box and its results ---------- */

  var state = { seq: 0, topic: "", shown: SHOWN, active: -1, last: null, pending: 0 };

  function open() {
    panel.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function items() {
    return Array.prototype.slice.call(list.querySelectorAll("a.search-result"));
  }

  function setActive(i) {
    var all = items();
    state.active = all.length ? Math.max(-1, Math.min(i, all.length - 1)) : -1;
    all.forEach(function (a, k) {
      a.setAttribute("aria-selected", k === state.active ? "true" : "false");
    });
    if (state.active >= 0) {
      input.setAttribute("aria-activedescendant", all[state.active].id);
      all[state.active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  /* A snippet of `text` around its first marked word, with the marked words in <mark>. */
  function snippet(text, marks) {
    var first = hitsIn(text, marks)[0];
    var at = first ? first[0] : -1;
    var start = at < 60 ? 0 : text.lastIndexOf(" ", at - 50) + 1;
    var end = Math.min(text.length, start + 180);
    if (end < text.length) {
      var space = text.lastIndexOf(" ", end);
      end = space > start + 100 ? space : end;
    }
    var span = el("span", "search-result-snippet");
    if (start > 0) {
      span.appendChild(document.createTextNode("… "));
    }
    splitMarked(text.slice(start, end), marks).forEach(function (piece) {
      span.appendChild(piece.hit ? el("mark", null, piece.text) : document.createTextNode(piece.text));
    });
    if (end < text.length) {
      span.appendChild(document.createTextNode(" …"));
    }
    return span;
  }

  /* Results grouped by page, pages in the order of their best result, each page's best
     PER_PAGE sections in rank order. */
  function byPage(results) {
    var groups = [];
    var at = new Map();
    results.forEach(function (r) {
      var group = at.get(r.page);
      if (!group) {
        group = [];
        at.set(r.page, group);
        groups.push(group);
      }
      if (group.length < PER_PAGE) {
        group.push(r);
      }
    });
    return groups;
  }

  /* A result; `sub` for a further section of the page named by the result above it. */
  function resultLink(t, marks, n, sub) {
    var hl = Array.from(marks).slice(0, 24).join(" ");
    var href = siteRoot + t.page.u + "?" + MARK_PARAM + "=" + encodeURIComponent(hl) + (t.doc.a ? "#" + encodeURIComponent(t.doc.a) : "");
    var a = el("a", sub ? "search-result search-result-sub" : "search-result");
    a.href = href;
    a.id = "search-result-" + n;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    var heading = (t.doc.p || []).concat(t.doc.h ? [t.doc.h] : []).join(" › ");
    /* A further section shows no title, but screen readers still hear which page it is on. */
    a.appendChild(el("span", sub ? "visually-hidden" : "search-result-title", t.page.t));
    if (heading) {
      a.appendChild(el("span", "search-result-heading", heading));
    }
    if (t.page.s && !sub) {
      a.appendChild(el("span", "search-result-section", t.page.s));
    }
    a.appendChild(snippet(t.doc.x || "", marks));
    return a;
  }

  function chips(ix, topicCounts) {
    chipsBox.textContent = "";
    var slugs = Array.from(topicCounts.keys());
    if (state.topic && slugs.indexOf(state.topic) < 0) {
      slugs.unshift(state.topic);
    }
    slugs.sort(function (a, b) {
      return (b === state.topic) - (a === state.topic) || (topicCounts.get(b) || 0) - (topicCounts.get(a) || 0);
    });
    slugs.slice(0, 8).forEach(function (slug) {
      var topic = ix.m.topics.find(function (t) {
        return t[0] === slug;
      });
      if (!topic) {
        return;
      }
      var b = el("button", "search-topic", topic[1]);
      b.type = "button";
      b.dataset.topic = slug;
      b.setAttribute("aria-pressed", slug === state.topic ? "true" : "false");
      chipsBox.appendChild(b);
    });
    chipsBox.hidden = !chipsBox.firstChild;
  }

  function render(query, done, seq) {
    return openIndex().then(function (ix) {
      var groups = byPage(done.results);
      var shown = [];
      groups.slice(0, state.shown).forEach(function (group) {
        group.forEach(function (r, k) {
          shown.push({ r: r, sub: k > 0 });
        });
      });
      return Promise.all(shown.map(function (s) {
        return docText(s.r.doc).then(function (t) {
          return matched(s.r, t).then(function (words) {
            s.marks = new Set(words);
            return t;
          });
        });
      })).then(function (texts) {
        if (seq !== state.seq) {
          return;
        }
        list.textContent = "";
        var topicCounts = new Map();
        texts.forEach(function (t, i) {
          if (!t) {
            return;
          }
          (shown[i].sub ? [] : t.page.k || []).forEach(function (k) {
            var topic = ix.m.topics[k];
            if (topic) {
              topicCounts.set(topic[0], (topicCounts.get(topic[0]) || 0) + 1);
            }
          });
          list.appendChild(resultLink(t, shown[i].marks, i, shown[i].sub));
        });
        chips(ix, topicCounts);
        more.hidden = groups.length <= state.shown && !done.partial;
        var suggestBox = document.getElementById("search-suggest");
        suggestBox.textContent = "";
        var topicTitle = "";
        if (state.topic) {
          var topic = ix.m.topics.find(function (t) {
            return t[0] === state.topic;
          });
          topicTitle = topic ? topic[1] : "";
        }
        var n = done.results.length;
        var message;
        if (!done.terms.length) {
          message = !query.trim() ? "" : Array.from(query.trim()).length < 2 ? "Keep typing…" : "Type a word that is not a stop word such as “the”.";
        } else if (n) {
          message = (done.partial ? "Over " : "") + n + (n === 1 ? " result" : " results") + (topicTitle ? " in " + topicTitle : "");
        } else {
          message = "No results for “" + query.trim() + "”" + (topicTitle ? " in " + topicTitle : "") + ".";
          if (done.suggestions.length) {
            message += " Did you mean " + done.suggestions.join(", ") + "?";
            suggestBox.appendChild(document.createTextNode("Did you mean "));
            done.suggestions.forEach(function (s, i) {
              if (i) {
                suggestBox.appendChild(document.createTextNode(i === done.suggestions.length - 1 ? " or " : ", "));
              }
              var b = el("button", "search-suggestion", s);
              b.type = "button";
              b.dataset.query = s;
              suggestBox.appendChild(b);
            });
            suggestBox.appendChild(document.createTextNode("?"));
          }
        }
        suggestBox.hidden = !suggestBox.firstChild;
        status.textContent = message;
        list.dataset.query = query;
        list.setAttribute("aria-busy", "false");
        setActive(items().length && n ? 0 : -1);
        try {
          performance.measure("guide-search", "guide-search-input-" + seq);
          performance.clearMarks("guide-search-input-" + seq);
        } catch (e) {
          /* Timing is only for the benchmark. */
        }
      });
    });
  }

  function run() {
    var seq = ++state.seq;
    var query = input.value;
    try {
      performance.mark("guide-search-input-" + seq);
    } catch (e) {
      /* Timing is only for the benchmark. */
    }
    list.setAttribute("aria-busy", "true");
    open();
    search(query, state.topic, state.shown).then(function (done) {
      if (seq !== state.seq) {
        return;
      }
      state.last = done;
      return render(query, done, seq);
    }).catch(function (err) {
      if (seq === state.seq) {
        list.textContent = "";
        list.setAttribute("aria-busy", "false");
        status.textContent = "Search is unavailable: " + err.message;
      }
    });
  }

  input.addEventListener("focus", function () {
    openIndex().catch(function () {
      /* Reported when a query runs. */
    });
    if (input.value) {
      open();
    }
  });

  input.addEventListener("input", function () {
    state.shown = SHOWN;
    run();
  });

  input.addEventListener("keydown", function (event) {
    var all = items();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (panel.hidden && input.value) {
        open();
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = state.active + step;
      setActive(next < 0 ? all.length - 1 : next >= all.length ? 0 : next);
    } else if (event.key === "Enter") {
      var target = all[state.active >= 0 ? state.active : 0];
      if (target && !panel.hidden) {
        event.preventDefault();
        target.click();
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (!panel.hidden) {
        close();
      } else {
        input.value = "";
        input.blur();
      }
    }
  });

  panel.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) {
      return;
    }
    if (target.dataset.topic !== undefined) {
      state.topic = state.topic === target.dataset.topic ? "" : target.dataset.topic;
      state.shown = SHOWN;
    } else if (target.dataset.query) {
      input.value = target.dataset.query;
      state.shown = SHOWN;
    } else if (target === more) {
      state.shown += SHOWN;
    } else {
      return;
    }
    input.focus();
    run();
  });

  document.addEventListener("click", function (event) {
    if (!panel.hidden && !box.contains(event.target)) {
      close();
    }
  });

  document.addEventListener("keydown", function (event) {
    var key = event.key;
    if ((key === "k" || key === "K") && (event.ctrlKey || event.metaKey) && !event.altKey) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    var t = event.target;
    if (t && t.closest && (t.isContentEditable || t.closest("input, textarea, select"))) {
      return;
    }
    event.preventDefault();
    input.focus();
    input.select();
  });

  /* A link to `page.html?search=words` opens the box with those words searched: searches can be
     shared, and a browser can keep the guide as a search engine. */
  var asked = param(QUERY_PARAM);
  if (asked) {
    input.value = asked;
    input.focus();
    run();
  }
})();
