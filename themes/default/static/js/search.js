/* Search: the header box, its results, and the marks a followed result leaves on the page.
   The index is a set of small scripts under search/ (see src/search/mod.rs), loaded by <script>
   tags the first time the box is focused, so it works from file://, under any sub-path and under
   a Content-Security-Policy of script-src 'self'. Everything shown is inserted as text. */
(function () {
  "use strict";

  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  var MARKS = /\p{M}/gu;
  var MAX_WORD = 40;
  var SHOWN = 6;
  var PREFIX_STEMS = 30;
  var MARK_PARAM = "highlight";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = new Int8Array(128).fill(-1);
  for (var d = 0; d < ALPHABET.length; d++) {
    DIGIT[ALPHABET.charCodeAt(d)] = d;
  }

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

  function markPage() {
    var wanted;
    try {
      wanted = new URLSearchParams(window.location.search).get(MARK_PARAM);
    } catch (e) {
      return;
    }
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

  /* Pieces of `text` in order, those whose folded word is in `set` flagged as hits. */
  function splitMarked(text, set) {
    var out = [];
    var last = 0;
    var re = new RegExp(WORD.source, "gu");
    var m;
    while ((m = re.exec(text))) {
      if (set.has(fold(m[0]))) {
        if (m.index > last) {
          out.push({ text: text.slice(last, m.index), hit: false });
        }
        out.push({ text: m[0], hit: true });
        last = m.index + m[0].length;
      }
    }
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
  var base = manifestUrl.slice(0, manifestUrl.lastIndexOf("/") + 1);
  var siteRoot = base.replace(/search\/$/, "");
  var manifestName = manifestUrl.slice(base.length).replace(/\.js$/, "");
  var generation = manifestName.replace(/^index\./, "");

  /* ---------- Loading index parts ---------- */

  var parts = Object.create(null);

  function slot(name) {
    var s = parts[name];
    if (!s) {
      s = parts[name] = {};
      s.promise = new Promise(function (resolve, reject) {
        s.resolve = resolve;
        s.reject = reject;
      });
    }
    return s;
  }

  window.guideSearchPart = function (name, data) {
    var s = slot(String(name));
    s.done = true;
    s.resolve(data);
  };

  function load(name) {
    var s = slot(name);
    if (!s.requested) {
      s.requested = true;
      var script = document.createElement("script");
      script.src = base + name + ".js";
      script.async = true;
      script.onload = function () {
        if (!s.done) {
          s.reject(new Error("search: " + name + " did not load"));
        }
      };
      script.onerror = function () {
        s.reject(new Error("search: " + name + " is missing; rebuild the guide"));
      };
      document.head.appendChild(script);
    }
    return s.promise;
  }

  var index = null;
  function openIndex() {
    if (!index) {
      index = load(manifestName).then(function (m) {
        var keys = new Map();
        m.dict.forEach(function (entry) {
          keys.set(entry[0], entry[1]);
        });
        var table = [];
        for (var q = 0; q < 128; q++) {
          table.push(m.min * Math.pow(m.step, q));
        }
        return { m: m, keys: keys, stop: new Set(m.stop), score: table, shards: new Map() };
      });
      index.catch(function () {
        index = null;
      });
    }
    return index;
  }

  function numbers(text) {
    var out = [];
    var value = 0;
    var scale = 1;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      var digit = c < 128 ? DIGIT[c] : -1;
      if (digit < 0) {
        return out;
      }
      value += (digit & 31) * scale;
      if (digit & 32) {
        scale *= 32;
      } else {
        out.push(value);
        value = 0;
        scale = 1;
      }
    }
    return out;
  }

  /* A posting list: [doc, step, title length, heading length] each (see merge.rs `tiers`). */
  function postings(text) {
    var n = numbers(text);
    var out = [];
    var doc = 0;
    var i = 0;
    while (i + 1 < n.length) {
      doc += n[i];
      var meta = n[i + 1];
      i += 2;
      var t = 0;
      var h = 0;
      if (meta & 128) {
        t = n[i++];
      }
      if (meta & 256) {
        h = n[i++];
      }
      out.push([doc, meta & 127, t, h]);
    }
    return out;
  }

  function shard(ix, key) {
    var cached = ix.shards.get(key);
    if (!cached) {
      cached = load(ix.keys.get(key)).then(function (data) {
        var list = data.w ? data.w.split("\n") : [];
        var refs = numbers(data.r);
        var stems = data.s.map(function (rec) {
          return { stem: rec[0], df: rec[1], top: rec[2], deep: rec.slice(3), words: [], lists: null };
        });
        var byStem = new Map();
        stems.forEach(function (s, i) {
          byStem.set(s.stem, i);
        });
        var byWord = new Map();
        list.forEach(function (w, i) {
          byWord.set(w, refs[i]);
          stems[refs[i]].words.push(w);
        });
        return { key: key, words: list, byWord: byWord, stems: stems, byStem: byStem, files: data.f };
      });
      ix.shards.set(key, cached);
    }
    return cached;
  }

  /* The key of the shard that holds `word`: its longest prefix among the keys. */
  function keyFor(ix, word) {
    var chars = Array.from(word);
    for (var n = Math.min(3, chars.length); n > 0; n--) {
      var key = chars.slice(0, n).join("");
      if (ix.keys.has(key)) {
        return key;
      }
    }
    return null;
  }

  /* Shards a word being typed may complete into. */
  function keysFor(ix, word, prefix) {
    var own = keyFor(ix, word);
    var out = own ? [own] : [];
    if (prefix && Array.from(word).length >= 2) {
      var longer = [];
      ix.keys.forEach(function (_, key) {
        if (key.length > word.length && key.startsWith(word)) {
          longer.push(key);
        }
      });
      if (longer.length <= 4) {
        out = out.concat(longer);
      }
    }
    return out;
  }

  /* ---------- Matching ---------- */

  /* Edit distance (with transpositions) of a and b if at most `max`, else max + 1. */
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) {
      return max + 1;
    }
    var prev2 = null;
    var prev = [];
    for (var j = 0; j <= b.length; j++) {
      prev.push(j);
    }
    for (var i = 1; i <= a.length; i++) {
      var row = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        row.push(v);
        if (v < best) {
          best = v;
        }
      }
      if (best > max) {
        return max + 1;
      }
      prev2 = prev;
      prev = row;
    }
    return prev[b.length];
  }

  function allowedTypos(word) {
    var n = Array.from(word).length;
    return n >= 9 ? 2 : n >= 5 ? 1 : 0;
  }

  /* The stems a term matches, each {shard, stem, weight, exact}, and the words to mark. */
  function candidates(ix, term) {
    return Promise.all(keysFor(ix, term.word, term.prefix).map(function (k) {
      return shard(ix, k);
    })).then(function (shards) {
      var found = new Map();
      function add(sh, i, weight, exact, word) {
        var id = sh.key + "\u0000" + i;
        var c = found.get(id);
        if (!c) {
          c = { shard: sh, stem: sh.stems[i], weight: weight, exact: exact, words: new Set() };
          found.set(id, c);
        } else if (weight > c.weight) {
          c.weight = weight;
          c.exact = exact;
        }
        sh.stems[i].words.forEach(function (w) {
          c.words.add(w);
        });
        if (word) {
          c.words.add(word);
        }
      }
      var w = term.word;
      var direct = false;
      shards.forEach(function (sh) {
        var i = sh.byWord.get(w);
        if (i !== undefined) {
          add(sh, i, 1, true);
          direct = true;
        }
      });
      if (!direct) {
        /* A form the guide does not use ("budgets" when it says "budgeting"): its stem is
           a prefix of it, as English endings are what the stemmer removes. */
        shards.forEach(function (sh) {
          var best = -1;
          sh.stems.forEach(function (s, i) {
            var st = s.stem;
            var stemmed = w.startsWith(st) || (st.endsWith("i") && w.startsWith(st.slice(0, -1) + "y"));
            if (stemmed && st.length >= 3 && w.length - st.length <= 4 && (best < 0 || st.length > sh.stems[best].stem.length)) {
              best = i;
            }
          });
          if (best >= 0) {
            add(sh, best, 0.9, true, w);
            direct = true;
          }
        });
      }
      var completed = false;
      if (term.prefix && Array.from(w).length >= 2) {
        var pool = [];
        shards.forEach(function (sh) {
          sh.words.forEach(function (word) {
            if (word.length > w.length && word.startsWith(w)) {
              pool.push([sh, sh.byWord.get(word)]);
            }
          });
        });
        pool.sort(function (a, b) {
          return b[0].stems[b[1]].df - a[0].stems[a[1]].df;
        });
        var seen = new Set();
        pool.forEach(function (p) {
          var id = p[0].key + "\u0000" + p[1];
          if (!seen.has(id) && seen.size < PREFIX_STEMS) {
            seen.add(id);
            add(p[0], p[1], 0.75, true);
          }
        });
        completed = seen.size > 0;
      }
      var max = allowedTypos(w);
      if (!direct && !completed && max > 0) {
        shards.forEach(function (sh) {
          sh.words.forEach(function (word) {
            var dist = distance(w, word, max);
            if (dist <= max) {
              add(sh, sh.byWord.get(word), dist === 1 ? 0.6 : 0.4, false);
            }
          });
        });
      }
      return Array.from(found.values());
    });
  }

  function listsOf(c) {
    if (!c.stem.lists) {
      c.stem.lists = [postings(c.stem.top)];
    }
    return c.stem.lists;
  }

  /* Whether more postings of a stem may be loaded: only for the stems a term names (its own word
     or stem), not for the completions of a prefix or the neighbours of a typo. */
  function hasDeeper(c) {
    return c.weight >= 0.9 && listsOf(c).length <= c.stem.deep.length;
  }

  /* Loads the next tier of a stem's postings: the next best documents after those already in. */
  function deepen(c) {
    var s = c.stem;
    var level = listsOf(c).length - 1;
    var where = s.deep[level];
    if (!where) {
      return Promise.resolve(false);
    }
    if (!s.pending) {
      s.pending = [];
    }
    if (!s.pending[level]) {
      s.pending[level] = load(c.shard.files[where[0]]).then(function (text) {
        if (s.lists.length === level + 1) {
          s.lists.push(postings(text.substr(where[1], where[2])));
        }
        return true;
      });
    }
    return s.pending[level];
  }

  /* Documents matching the terms, best first. */
  function rank(ix, terms, cands, pages) {
    var docs = new Map();
    terms.forEach(function (term, t) {
      var best = new Map();
      cands[t].forEach(function (c) {
        listsOf(c).forEach(function (list) {
          list.forEach(function (p) {
            if (pages && !pages.has(Math.floor(p[0] / 64))) {
              return;
            }
            var score = c.weight * ix.score[p[1]];
            var b = best.get(p[0]);
            if (!b || score > b.score) {
              best.set(p[0], { score: score, title: c.exact ? p[2] : 0, heading: c.exact ? p[3] : 0 });
            }
          });
        });
      });
      best.forEach(function (b, doc) {
        var r = docs.get(doc);
        if (!r) {
          r = { doc: doc, score: 0, terms: 0, inTitle: 0, inHeading: 0, titleLen: 0, headingLen: 0, matched: [] };
          docs.set(doc, r);
        }
        r.score += b.score;
        r.terms += 1;
        r.matched.push(t);
        if (b.title) {
          r.inTitle += 1;
          r.titleLen = b.title;
        }
        if (b.heading) {
          r.inHeading += 1;
          r.headingLen = b.heading;
        }
      });
    });
    var out = Array.from(docs.values());
    out.forEach(function (r) {
      var n = terms.length;
      r.exact = r.inTitle === n && r.titleLen === n ? 2 : r.inHeading === n && r.headingLen === n ? 1 : 0;
    });
    out.sort(order);
    return out;
  }

  function order(a, b) {
    return b.terms - a.terms || b.exact - a.exact || b.score - a.score || a.doc - b.doc;
  }

  /* ---------- Texts of results ---------- */

  function docText(doc) {
    var page = Math.floor(doc / 64);
    var slotNo = doc % 64;
    var name = "t/" + page + "-" + Math.floor(slotNo / 8) + "." + generation;
    return load(name).then(function (part) {
      var stored = part.d[slotNo % 8];
      return stored ? { page: part, doc: stored } : null;
    });
  }

  /* Whether the words of the terms follow each other somewhere in `text`. */
  function hasPhrase(ix, text, families) {
    var seq = words(fold(text)).filter(function (w) {
      return !ix.stop.has(w);
    });
    for (var i = 0; i + families.length <= seq.length; i++) {
      var all = true;
      for (var k = 0; k < families.length && all; k++) {
        all = families[k].has(seq[i + k]);
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  /* ---------- The search ---------- */

  function parse(ix, query) {
    var folded = fold(query);
    var typing = /[\p{Alphabetic}\p{N}]$/u.test(folded);
    var all = words(folded);
    var terms = [];
    var seen = new Set();
    all.forEach(function (w, i) {
      if (ix.stop.has(w) || seen.has(w)) {
        return;
      }
      seen.add(w);
      terms.push({ word: w, prefix: typing && i === all.length - 1 });
    });
    return terms;
  }

  var topicPages = new Map();
  function topicFilter(ix, slug) {
    if (!slug) {
      return Promise.resolve(null);
    }
    var topic = ix.m.topics.find(function (t) {
      return t[0] === slug;
    });
    if (!topic) {
      return Promise.resolve(null);
    }
    if (!topicPages.has(slug)) {
      topicPages.set(slug, load(topic[3]).then(function (text) {
        var set = new Set();
        var page = 0;
        numbers(text).forEach(function (gap) {
          page += gap;
          set.add(page);
        });
        return set;
      }));
    }
    return topicPages.get(slug);
  }

  /* Runs `query`; resolves to {terms, results, families, suggestions}. */
  function search(query, topic, wanted) {
    return openIndex().then(function (ix) {
      var terms = parse(ix, query);
      var last = terms[terms.length - 1];
      if (last && last.prefix && Array.from(last.word).length < 2) {
        terms.pop();
      }
      if (!terms.length) {
        return { terms: terms, results: [], families: [], suggestions: [] };
      }
      return Promise.all([Promise.all(terms.map(function (t) {
        return candidates(ix, t);
      })), topicFilter(ix, topic)]).then(function (got) {
        var cands = got[0];
        var pages = got[1];
        var families = cands.map(function (list, t) {
          var set = new Set([terms[t].word]);
          list.forEach(function (c) {
            c.words.forEach(function (w) {
              set.add(w);
            });
          });
          return set;
        });
        var ranked;
        /* Ranks on the postings loaded so far; while fewer than `wanted` documents match every
           term, loads one more tier of the stems the terms name and ranks again. */
        function enough() {
          ranked = rank(ix, terms, cands, pages);
          var full = 0;
          while (full < ranked.length && ranked[full].terms === terms.length) {
            full++;
          }
          /* A term matched only by completions or typos gets no deeper postings, and then
             deeper postings of the others could not add documents matching it. */
          var missing = cands.some(function (list) {
            return !list.some(function (c) {
              return c.weight >= 0.9;
            });
          });
          if (full >= wanted || missing) {
            return Promise.resolve();
          }
          var todo = [];
          cands.forEach(function (list) {
            list.forEach(function (c) {
              if (hasDeeper(c)) {
                todo.push(deepen(c));
              }
            });
          });
          return todo.length ? Promise.all(todo).then(enough) : Promise.resolve();
        }
        return enough().then(function () {
          if (ranked.length && ranked[0].terms === terms.length) {
            ranked = ranked.filter(function (r) {
              return r.terms === terms.length;
            });
          }
          var partial = cands.some(function (list) {
            return list.some(hasDeeper);
          });
          var done = { terms: terms, results: ranked, partial: partial, families: families, suggestions: [] };
          if (!ranked.length) {
            return suggest(ix, terms).then(function (s) {
              done.suggestions = s;
              return done;
            });
          }
          return phraseBonus(ix, done).then(function () {
            return done;
          });
        });
      });
    });
  }

  /* Among the best results, those with the query's words side by side come first. */
  function phraseBonus(ix, done) {
    if (done.terms.length < 2) {
      return Promise.resolve();
    }
    var pool = done.results.slice(0, state.shown);
    return Promise.all(pool.map(function (r) {
      return docText(r.doc).then(function (t) {
        if (t && hasPhrase(ix, [t.page.t, (t.doc.p || []).join(" "), t.doc.h, t.doc.x].join(" \u0001 "), done.families)) {
          r.score *= 1.5;
        }
      });
    })).then(function () {
      pool.sort(order);
      done.results = pool.concat(done.results.slice(pool.length));
    });
  }

  /* For a query with no results: the words of the guide closest to each term. */
  function suggest(ix, terms) {
    return Promise.all(terms.map(function (term) {
      var key = keyFor(ix, term.word) || keyFor(ix, term.word.slice(0, 1));
      if (!key) {
        return [];
      }
      return shard(ix, key).then(function (sh) {
        var max = Math.max(2, allowedTypos(term.word) + 1);
        var near = [];
        sh.words.forEach(function (w) {
          var dist = distance(term.word, w, max);
          if (dist <= max && w !== term.word) {
            near.push([w, dist, sh.stems[sh.byWord.get(w)].df]);
          }
        });
        near.sort(function (a, b) {
          return a[1] - b[1] || b[2] - a[2] || (a[0] < b[0] ? -1 : 1);
        });
        return near.slice(0, 3).map(function (n) {
          return n[0];
        });
      });
    })).then(function (perTerm) {
      var out = [];
      perTerm.forEach(function (list, t) {
        list.forEach(function (w) {
          var replaced = terms.map(function (term, k) {
            return k === t ? w : term.word;
          }).join(" ");
          if (out.indexOf(replaced) < 0 && out.length < 3) {
            out.push(replaced);
          }
        });
      });
      return out;
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
    var re = new RegExp(WORD.source, "gu");
    var m;
    var at = -1;
    while ((m = re.exec(text))) {
      if (marks.has(fold(m[0]))) {
        at = m.index;
        break;
      }
    }
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

  function resultLink(r, t, marks, n) {
    var hl = Array.from(marks).slice(0, 24).join(" ");
    var href = siteRoot + t.page.u + "?" + MARK_PARAM + "=" + encodeURIComponent(hl) + (t.doc.a ? "#" + encodeURIComponent(t.doc.a) : "");
    var a = el("a", "search-result");
    a.href = href;
    a.id = "search-result-" + n;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.appendChild(el("span", "search-result-title", t.page.t));
    var heading = (t.doc.p || []).concat(t.doc.h ? [t.doc.h] : []).join(" › ");
    if (heading) {
      a.appendChild(el("span", "search-result-heading", heading));
    }
    if (t.page.s) {
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
      var marks = new Set();
      done.families.forEach(function (f) {
        f.forEach(function (w) {
          marks.add(w);
        });
      });
      var shown = done.results.slice(0, state.shown);
      return Promise.all(shown.map(function (r) {
        return docText(r.doc);
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
          (t.page.k || []).forEach(function (k) {
            var topic = ix.m.topics[k];
            if (topic) {
              topicCounts.set(topic[0], (topicCounts.get(topic[0]) || 0) + 1);
            }
          });
          list.appendChild(resultLink(shown[i], t, marks, i));
        });
        chips(ix, topicCounts);
        more.hidden = done.results.length <= state.shown && !done.partial;
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
    openIndex();
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
})();
