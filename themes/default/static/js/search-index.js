/* The search engine behind js/search.js, loaded by it the first time the box is focused: loads
   the index parts (see src/search/mod.rs) by <script> tags, matches the query's words to the
   dictionary's stems (exact, stem, prefix, typo), ranks documents and finds their texts.
   A query term may be met in several ways (its alternatives): a compound ("on-call") by its
   joined form ("oncall") or, ranked lower, by its parts; a name by its synonyms (`[search]
   synonyms`, glossary aliases). Documents rank by: every term met, then the terms side by side,
   then terms met by whole words or stems rather than completions, typos or a compound's parts,
   then the glossary entry of an abbreviation the query is ("SLO"), an exact title or heading,
   then score.
   `guideSearchEngine(manifestUrl)` gives { open, search, docText, matched }. */
(function () {
  "use strict";

  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  var TOKEN = /[\p{Alphabetic}\p{N}]+(?:[-/][\p{Alphabetic}\p{N}]+)*/gu;
  var MARKS = /\p{M}/gu;
  var MAX_WORD = 40;
  /* Most parts a compound may have (MAX_PARTS in src/search/text.rs). */
  var MAX_PARTS = 4;
  /* How much a compound's parts count when met without the compound, and a synonym. */
  var PARTS_WEIGHT = 0.8;
  var SYNONYM_WEIGHT = 0.9;
  var PREFIX_STEMS = 30;
  /* What may follow a stem in a form the guide does not use ("kanban|s", "prioritis|ing"): an
     English ending, so that "roadm" is not taken for a form of "road". */
  var ENDING = /^(?:|e|s|es|ed|ing|ings|er|ers|ly|ies|ied|ion|ions|ation|ations|ment|ments|ness|ity|al|ise|ised|ises|ize|ized|izes|able|ive)$/;
  /* A document's number is its page's number times PAGE_DOCS plus its slot; a page's texts are
     in parts of PART_DOCS slots (MAX_DOCS and PART_DOCS in src/search/page.rs). */
  var PAGE_DOCS = 256;
  var PART_DOCS = 8;
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = new Int8Array(128).fill(-1);
  for (var d = 0; d < ALPHABET.length; d++) {
    DIGIT[ALPHABET.charCodeAt(d)] = d;
  }

  /* Words, as src/search/text.rs makes them (js/search.js folds the same way). */
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(MARKS, "");
  }

  function words(folded) {
    return (folded.match(WORD) || []).filter(function (w) {
      return w.length <= MAX_WORD || Array.from(w).length <= MAX_WORD;
    });
  }

  /* Runs of letters and digits grouped when one "-" or "/" separates them, each with its parts
     and, for a compound of 2 to MAX_PARTS parts, the parts joined (text.rs `compounds`). */
  function tokens(folded) {
    return (folded.match(TOKEN) || []).map(function (t) {
      var parts = words(t);
      var joined = parts.join("");
      var compound = parts.length >= 2 && parts.length <= MAX_PARTS && Array.from(joined).length <= MAX_WORD;
      return { parts: parts, joined: compound ? joined : null };
    });
  }

  /* The words of a text to look for matched words in: every word, and each compound joined. */
  function textWords(folded) {
    var out = [];
    tokens(folded).forEach(function (t) {
      if (t.joined) {
        out.push(t.joined);
      }
      out.push.apply(out, t.parts);
    });
    return out;
  }

  window.guideSearchEngine = function (manifestUrl) {
    var base = manifestUrl.slice(0, manifestUrl.lastIndexOf("/") + 1);
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
              if (stemmed && st.length >= 3 && ENDING.test(w.slice(st.length)) && (best < 0 || st.length > sh.stems[best].stem.length)) {
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

    /* Per document, the best-scoring candidate of a list of candidates. */
    function bestPerDoc(ix, list, pages) {
      var best = new Map();
      list.forEach(function (c) {
        listsOf(c).forEach(function (postings) {
          postings.forEach(function (p) {
            if (pages && !pages.has(Math.floor(p[0] / PAGE_DOCS))) {
              return;
            }
            var score = c.weight * ix.score[p[1]];
            var b = best.get(p[0]);
            if (!b || score > b.score) {
              best.set(p[0], { score: score, c: c, title: c.exact ? p[2] : 0, heading: c.exact ? p[3] : 0 });
            }
          });
        });
      });
      return best;
    }

    /* Per document, how one alternative of a term meets it: every word of the alternative must. */
    function altMatches(ix, alt, pages) {
      var acc = null;
      alt.subs.forEach(function (sub) {
        var best = bestPerDoc(ix, sub.cands, pages);
        if (!acc) {
          acc = new Map();
          best.forEach(function (b, doc) {
            acc.set(doc, { score: b.score, full: b.c.weight >= 0.9, subs: 1, inTitle: b.title ? 1 : 0, titleLen: b.title, inHeading: b.heading ? 1 : 0, headingLen: b.heading, cands: [b.c] });
          });
          return;
        }
        acc.forEach(function (a, doc) {
          var b = best.get(doc);
          if (!b) {
            acc.delete(doc);
            return;
          }
          a.score += b.score;
          a.full = a.full && b.c.weight >= 0.9;
          a.subs += 1;
          a.inTitle += b.title ? 1 : 0;
          a.titleLen = b.title || a.titleLen;
          a.inHeading += b.heading ? 1 : 0;
          a.headingLen = b.heading || a.headingLen;
          a.cands.push(b.c);
        });
      });
      /* An alternative of several words counts as one word: their mean score. */
      acc.forEach(function (a) {
        a.score *= alt.weight / a.subs;
        a.full = a.full && alt.full;
      });
      return acc;
    }

    /* Documents matching the terms, best first; `defined`, the glossary entries the query is an
       abbreviation of. */
    function rank(ix, terms, pages, defined) {
      var docs = new Map();
      terms.forEach(function (term) {
        var chosen = new Map();
        term.alts.forEach(function (alt) {
          altMatches(ix, alt, pages).forEach(function (a, doc) {
            var cur = chosen.get(doc);
            if (!cur || (a.full && !cur.full) || (a.full === cur.full && a.score > cur.score)) {
              chosen.set(doc, a);
            }
          });
        });
        chosen.forEach(function (b, doc) {
          var r = docs.get(doc);
          if (!r) {
            r = { doc: doc, page: Math.floor(doc / PAGE_DOCS), score: 0, terms: 0, full: 0, phrase: 0, subs: 0, inTitle: 0, inHeading: 0, titleLen: 0, headingLen: 0, cands: [] };
            docs.set(doc, r);
          }
          r.score += b.score;
          r.terms += 1;
          r.full += b.full ? 1 : 0;
          r.subs += b.subs;
          r.cands.push.apply(r.cands, b.cands);
          r.inTitle += b.inTitle;
          r.titleLen = b.titleLen || r.titleLen;
          r.inHeading += b.inHeading;
          r.headingLen = b.headingLen || r.headingLen;
        });
      });
      var out = Array.from(docs.values());
      out.forEach(function (r) {
        var n = r.subs;
        var all = r.terms === terms.length;
        r.exact = defined.has(r.doc) ? 3 : all && r.inTitle === n && r.titleLen === n ? 2 : all && r.inHeading === n && r.headingLen === n ? 1 : 0;
      });
      out.sort(order);
      return out;
    }

    function order(a, b) {
      return b.terms - a.terms || b.phrase - a.phrase || b.full - a.full || b.exact - a.exact || b.score - a.score || a.doc - b.doc;
    }

    /* ---------- Texts of results ---------- */

    function docText(doc) {
      var page = Math.floor(doc / PAGE_DOCS);
      var slotNo = doc % PAGE_DOCS;
      var name = "t/" + page + "-" + Math.floor(slotNo / PART_DOCS) + "." + generation;
      return load(name).then(function (part) {
        var stored = part.d[slotNo % PART_DOCS];
        return stored ? { page: part, doc: stored } : null;
      });
    }

    /* Whether the words of the terms follow each other somewhere in `text`, read word by word
       or with its compounds joined. */
    function hasPhrase(ix, text, families) {
      var folded = fold(text);
      var plain = words(folded).filter(function (w) {
        return !ix.stop.has(w);
      });
      return inOrder(plain, families) || inOrder(units(ix, folded), families);
    }

    function inOrder(seq, families) {
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

    /* The words of a text as synonyms are matched: compounds joined, stop words left out
       (text.rs `units`). */
    function units(ix, folded) {
      var out = [];
      tokens(folded).forEach(function (t) {
        if (t.joined) {
          out.push(t.joined);
        } else {
          t.parts.forEach(function (w) {
            if (!ix.stop.has(w)) {
              out.push(w);
            }
          });
        }
      });
      return out;
    }

    /* The words of the result `r` that matched, as they occur in its text `t` (a docText):
       for the link's highlight and the snippet's marks. */
    function matched(r, t) {
      var wanted = new Set();
      r.cands.forEach(function (c) {
        c.words.forEach(function (w) {
          wanted.add(w);
        });
      });
      var text = t ? [t.page.t, (t.doc.p || []).join(" "), t.doc.h, t.doc.x].join(" ") : "";
      var found = new Set();
      textWords(fold(text)).forEach(function (w) {
        if (wanted.has(w)) {
          found.add(w);
        }
      });
      return Array.from(found.size ? found : wanted);
    }

    /* ---------- The search ---------- */

    /* The query's terms, each {word, alts: [{subs: [{word, prefix}], weight, full}]}. */
    function parse(ix, query) {
      var folded = fold(query);
      var typing = /[\p{Alphabetic}\p{N}]$/u.test(folded);
      var toks = tokens(folded);
      var terms = [];
      var seen = new Set();
      function sub(word, prefix) {
        return { word: word, prefix: prefix };
      }
      toks.forEach(function (tok, i) {
        var last = typing && i === toks.length - 1;
        if (tok.joined) {
          if (seen.has(tok.joined)) {
            return;
          }
          seen.add(tok.joined);
          var alts = [{ subs: [sub(tok.joined, last)], weight: 1, full: true }];
          var n = tok.parts.length;
          var parts = [];
          tok.parts.forEach(function (w, k) {
            if (!ix.stop.has(w)) {
              parts.push(sub(w, last && k === n - 1));
            }
          });
          if (parts.length) {
            alts.push({ subs: parts, weight: PARTS_WEIGHT, full: false });
          }
          terms.push({ word: tok.joined, alts: alts });
          return;
        }
        tok.parts.forEach(function (w, k) {
          if (ix.stop.has(w) || seen.has(w)) {
            return;
          }
          seen.add(w);
          terms.push({ word: w, alts: [{ subs: [sub(w, last && k === tok.parts.length - 1)], weight: 1, full: true }] });
        });
      });
      var end = terms[terms.length - 1];
      var first = end && end.alts[0].subs[0];
      if (first && first.prefix && Array.from(first.word).length < 2) {
        terms.pop();
      }
      addSynonyms(ix, terms);
      return terms;
    }

    /* Whether the query word `w` is the synonym's word `s`, or its plural. */
    function sameWord(w, s) {
      return w === s || w === s + "s" || w === s + "es";
    }

    /* Adds to the terms the names their words have in the manifest's synonym groups: the first
       name of a group stands for each other, and each other for the first. A name of several
       words spread over several terms meets each of them. */
    function addSynonyms(ix, terms) {
      (ix.m.syn || []).forEach(function (group) {
        group.forEach(function (name, n) {
          var nameWords = name.split(" ");
          var others = n === 0 ? group.slice(1) : [group[0]];
          for (var i = 0; i + nameWords.length <= terms.length; i++) {
            var hit = nameWords.every(function (s, k) {
              return sameWord(terms[i + k].word, s);
            });
            if (!hit) {
              continue;
            }
            for (var k = 0; k < nameWords.length; k++) {
              others.forEach(function (other) {
                terms[i + k].alts.push({
                  subs: other.split(" ").map(function (w) {
                    return { word: w, prefix: false };
                  }),
                  weight: SYNONYM_WEIGHT / nameWords.length,
                  full: true
                });
              });
            }
          }
        });
      });
    }

    /* The glossary entries whose abbreviation (manifest `abbr`, folded as queries are) the
       query's terms are, word for word: "SLO", not "SLOs" or "SLO budget". */
    function abbreviated(ix, terms) {
      var query = terms.map(function (term) {
        return term.word;
      }).join(" ");
      var out = new Set();
      (ix.m.abbr || []).forEach(function (entry) {
        if (entry[1] === query) {
          out.add(entry[0]);
        }
      });
      return out;
    }

    /* Every distinct word a search looks up, each once: {word, prefix, cands}. */
    function lookups(terms) {
      var byKey = new Map();
      terms.forEach(function (term) {
        term.alts.forEach(function (alt) {
          alt.subs.forEach(function (s) {
            var key = s.word + (s.prefix ? "*" : "");
            if (!byKey.has(key)) {
              byKey.set(key, { word: s.word, prefix: s.prefix, cands: [] });
            }
            s.look = byKey.get(key);
          });
        });
      });
      return Array.from(byKey.values());
    }

    /* The candidates of a term, over all its alternatives. */
    function termCands(term) {
      var out = [];
      term.alts.forEach(function (alt) {
        alt.subs.forEach(function (s) {
          out.push.apply(out, s.cands);
        });
      });
      return out;
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
        if (!terms.length) {
          return { terms: terms, results: [], families: [], suggestions: [] };
        }
        var looks = lookups(terms);
        return Promise.all([Promise.all(looks.map(function (l) {
          return candidates(ix, l);
        })), topicFilter(ix, topic)]).then(function (got) {
          looks.forEach(function (l, i) {
            l.cands = got[0][i];
          });
          terms.forEach(function (term) {
            term.alts.forEach(function (alt) {
              alt.subs.forEach(function (s) {
                s.cands = s.look.cands;
              });
            });
          });
          var pages = got[1];
          var families = terms.map(function (term) {
            var set = new Set([term.word]);
            term.alts.forEach(function (alt) {
              alt.subs.forEach(function (s) {
                set.add(s.word);
              });
            });
            termCands(term).forEach(function (c) {
              c.words.forEach(function (w) {
                set.add(w);
              });
            });
            return set;
          });
          var all = [];
          looks.forEach(function (l) {
            all.push.apply(all, l.cands);
          });
          var ranked;
          var defined = abbreviated(ix, terms);
          /* Ranks on the postings loaded so far; while fewer than `wanted` documents match every
             term, loads one more tier of the stems the terms name and ranks again. */
          function enough() {
            ranked = rank(ix, terms, pages, defined);
            var full = 0;
            while (full < ranked.length && ranked[full].terms === terms.length) {
              full++;
            }
            /* A term matched only by completions or typos gets no deeper postings, and then
               deeper postings of the others could not add documents matching it. */
            var missing = terms.some(function (term) {
              return !termCands(term).some(function (c) {
                return c.weight >= 0.9;
              });
            });
            if (full >= wanted || missing) {
              return Promise.resolve();
            }
            var todo = [];
            all.forEach(function (c) {
              if (hasDeeper(c)) {
                todo.push(deepen(c));
              }
            });
            return todo.length ? Promise.all(todo).then(enough) : Promise.resolve();
          }
          return enough().then(function () {
            if (ranked.length && ranked[0].terms === terms.length) {
              ranked = ranked.filter(function (r) {
                return r.terms === terms.length;
              });
            }
            var done = { terms: terms, results: ranked, partial: all.some(hasDeeper), families: families, suggestions: [] };
            if (!ranked.length) {
              return suggest(ix, terms).then(function (s) {
                done.suggestions = s;
                return done;
              });
            }
            return phraseBonus(ix, done, wanted).then(function () {
              return done;
            });
          });
        });
      });
    }

    /* Among the best results, those with the query's words side by side come first. */
    function phraseBonus(ix, done, wanted) {
      if (done.terms.length < 2) {
        return Promise.resolve();
      }
      var pool = done.results.slice(0, wanted);
      return Promise.all(pool.map(function (r) {
        return docText(r.doc).then(function (t) {
          if (t && hasPhrase(ix, [t.page.t, (t.doc.p || []).join(" "), t.doc.h, t.doc.x].join(" \u0001 "), done.families)) {
            r.phrase = 1;
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

    return { open: openIndex, search: search, docText: docText, matched: matched };
  };
})();
