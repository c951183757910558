//! One page's part of the index, made from its already rendered Markdown: the text under each
//! heading becomes a document with the words of each field counted, and the documents' texts are
//! written at once as the page's text parts.

use std::ops::Range;

use serde::Serialize;

use super::text::{self, is_stop_word};
use super::vocab::{FnvMap, Vocabulary};
use crate::markdown::Rendered;

/// Documents a page may have (a slot is a `u8`); further headings go into the last one. The
/// glossary is one page with a document per term, so this bounds the terms search finds.
pub const MAX_DOCS: usize = 256;
/// Documents per text part, and parts per page: a document's number inside its page is
/// `part * 8 + index in the part`, so the browser knows which part to load from the number alone.
pub const PART_DOCS: usize = 8;
/// A text part is closed once its texts reach this many bytes.
pub const PART_BYTES: usize = 2 * 1024;
/// Characters of a document's text kept for snippets (all of it is indexed).
pub const STORED_CHARS: usize = 3000;

/// The fields of a document, in the order of [`Counts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The page's title.
    Title = 0,
    /// The document's own heading.
    Heading = 1,
    /// The headings above it on the page.
    Path = 2,
    /// The page's topics.
    Topics = 3,
    Body = 4,
}

pub const FIELDS: usize = 5;

/// Occurrences of one stem in each field of a document, packed: body in the low 12 bits, then 4
/// bits for each other field (counts saturate).
pub type Counts = u32;

const SHIFTS: [u32; FIELDS] = [12, 16, 20, 24, 0];
const MAXES: [u32; FIELDS] = [15, 15, 15, 15, 4095];

pub fn count(counts: Counts, field: usize) -> u32 {
    (counts >> SHIFTS[field]) & MAXES[field]
}

fn add(counts: &mut Counts, field: usize) {
    if count(*counts, field) < MAXES[field] {
        *counts += 1 << SHIFTS[field];
    }
}

/// One heading section of a page as the index sees it.
#[derive(Debug, Clone, Default)]
pub struct DocTerms {
    /// `part * 8 + index in the part`.
    pub slot: u8,
    /// Words (stop words left out) in each field.
    pub lens: [u16; FIELDS],
    /// Distinct stems of the page title, on the page's first document only (else 0): with
    /// `heading_len` it tells an exact title or heading match.
    pub title_len: u8,
    /// Distinct stems of the document's own heading.
    pub heading_len: u8,
    /// Stem number → occurrences per field.
    pub terms: Vec<(u32, Counts)>,
}

/// What a page adds to the index; kept per page so that a page can be replaced on its own.
#[derive(Debug, Clone, Default)]
pub struct PageDocs {
    /// The page's number in the index.
    pub page: u32,
    /// Topic numbers of the page.
    pub topics: Vec<u32>,
    pub docs: Vec<DocTerms>,
    /// Numbers of the distinct words of the page, so that the dictionary lists only words some
    /// page still has when pages are replaced.
    pub words: Vec<u32>,
}

impl PageDocs {
    /// How many text parts the page wrote.
    pub fn text_parts(&self) -> usize {
        self.docs
            .last()
            .map_or(0, |d| usize::from(d.slot) / PART_DOCS + 1)
    }
}

/// Describes a page for [`build`].
pub struct PageMeta<'a> {
    pub number: u32,
    pub url: &'a str,
    pub title: &'a str,
    /// Title of the section the page is in (`""` for the landing page).
    pub section: &'a str,
    /// Topic numbers and the words they add (titles and slugs).
    pub topics: Vec<u32>,
    pub topic_text: String,
}

/// A document before it is counted.
struct Doc<'a> {
    anchor: &'a str,
    heading: &'a str,
    /// Indexes of the documents whose headings are above this one.
    path: Vec<usize>,
    text: String,
}

/// A stored document in a text part.
#[derive(Serialize)]
struct StoredDoc<'a> {
    /// Heading id (`""` for the page's top).
    a: &'a str,
    /// Heading text.
    h: &'a str,
    /// Headings above it.
    p: Vec<&'a str>,
    /// Text, cut to [`STORED_CHARS`].
    x: &'a str,
}

#[derive(Serialize)]
struct TextPart<'a> {
    u: &'a str,
    t: &'a str,
    s: &'a str,
    k: &'a [u32],
    d: Vec<StoredDoc<'a>>,
}

/// Splits a rendered page into documents, counts their words and makes its text parts
/// (`(name, JSON)` with names like `t/12-0`).
pub fn build(
    meta: &PageMeta<'_>,
    rendered: &Rendered,
    blocks: &dyn Fn(&str) -> bool,
    vocab: &Vocabulary,
) -> (PageDocs, Vec<(String, String)>) {
    let docs = split(rendered, blocks);
    // Every text of the page folded once; words are slices of these, numbered locally first so
    // that the shared vocabulary is asked once per distinct word of the page.
    let title_text = text::fold(meta.title);
    let topic_text = text::fold(&meta.topic_text);
    let heading_texts: Vec<String> = docs.iter().map(|d| text::fold(d.heading)).collect();
    let body_texts: Vec<String> = docs.iter().map(|d| text::fold(&d.text)).collect();
    let mut words = Numbering {
        local: FnvMap::with_capacity_and_hasher(512, Default::default()),
        unique: Vec::with_capacity(512),
    };
    let joined = |texts: &[&String]| -> Vec<Vec<String>> {
        texts.iter().map(|t| text::compounds(t)).collect()
    };
    // Topics are not joined: their slugs (`incident-management`) repeat their titles' words on
    // every document of the page, and a joined slug would only add a long posting list.
    let title_joined = joined(&[&title_text]);
    let heading_joined = joined(&heading_texts.iter().collect::<Vec<_>>());
    let body_joined = joined(&body_texts.iter().collect::<Vec<_>>());
    let title_words = words.number(&title_text, &title_joined[0]);
    let topic_words = words.number(&topic_text, &[]);
    let heading_words: Vec<(Vec<u32>, usize)> = heading_texts
        .iter()
        .zip(&heading_joined)
        .map(|(t, j)| words.number(t, j))
        .collect();
    let body_words: Vec<(Vec<u32>, usize)> = body_texts
        .iter()
        .zip(&body_joined)
        .map(|(t, j)| words.number(t, j))
        .collect();
    let unique = words.unique;
    // Local word → global stem, and global stems numbered densely for counting.
    let ids = vocab.ids_of(&unique);
    let global: Vec<u32> = ids.iter().map(|&(_, s)| s).collect();
    let mut dense: FnvMap<u32, u32> = FnvMap::default();
    let mut stems: Vec<u32> = Vec::new();
    let word_stem: Vec<u32> = global
        .iter()
        .map(|&g| {
            *dense.entry(g).or_insert_with(|| {
                stems.push(g);
                stems.len() as u32 - 1
            })
        })
        .collect();
    let to_stems =
        |words: &[u32]| -> Vec<u32> { words.iter().map(|&w| word_stem[w as usize]).collect() };
    let title = to_stems(&title_words.0);
    let title_base = title_words.1;
    let topics = to_stems(&topic_words.0);
    let headings: Vec<(Vec<u32>, usize)> = heading_words
        .iter()
        .map(|(w, base)| (to_stems(w), *base))
        .collect();

    // Slots: documents packed into parts of at most PART_DOCS documents and about PART_BYTES;
    // a part is closed for size only while the parts left can hold the documents left, so that
    // every slot stays below MAX_DOCS.
    let mut slots = Vec::with_capacity(docs.len());
    let (mut part, mut in_part, mut bytes) = (0usize, 0usize, 0usize);
    for (i, doc) in docs.iter().enumerate() {
        let size = stored(&doc.text).len() + doc.heading.len() + 16;
        let room_after = (MAX_DOCS / PART_DOCS).saturating_sub(part + 1) * PART_DOCS;
        if in_part > 0
            && (in_part == PART_DOCS || (bytes + size > PART_BYTES && docs.len() - i <= room_after))
        {
            part += 1;
            in_part = 0;
            bytes = 0;
        }
        slots.push(part * PART_DOCS + in_part);
        in_part += 1;
        bytes += size;
    }

    let mut out = PageDocs {
        page: meta.number,
        topics: meta.topics.clone(),
        docs: Vec::with_capacity(docs.len()),
        words: ids.iter().map(|&(w, _)| w).collect(),
    };
    let mut counts: Vec<Counts> = vec![0; stems.len()];
    let mut touched: Vec<u32> = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let mut lens = [0u16; FIELDS];
        let mut put = |list: &[u32], field: Field| {
            lens[field as usize] = lens[field as usize].saturating_add(list.len() as u16);
            for &s in list {
                if counts[s as usize] == 0 {
                    touched.push(s);
                }
                add(&mut counts[s as usize], field as usize);
            }
        };
        put(&title, Field::Title);
        put(&headings[i].0, Field::Heading);
        for &j in &doc.path {
            put(&headings[j].0, Field::Path);
        }
        put(&topics, Field::Topics);
        for &w in &body_words[i].0 {
            put(&[word_stem[w as usize]], Field::Body);
        }
        lens[Field::Body as usize] = body_words[i].0.len().min(usize::from(u16::MAX)) as u16;
        let terms = touched
            .drain(..)
            .map(|s| (stems[s as usize], std::mem::take(&mut counts[s as usize])))
            .collect();
        out.docs.push(DocTerms {
            slot: slots[i] as u8,
            lens,
            title_len: if i == 0 {
                distinct(&title[..title_base])
            } else {
                0
            },
            heading_len: distinct(&headings[i].0[..headings[i].1]),
            terms,
        });
    }

    let mut parts = Vec::new();
    let mut i = 0;
    while i < docs.len() {
        let part = slots[i] / PART_DOCS;
        let mut stored_docs = Vec::new();
        while i < docs.len() && slots[i] / PART_DOCS == part {
            let doc = &docs[i];
            stored_docs.push(StoredDoc {
                a: doc.anchor,
                h: doc.heading,
                p: doc.path.iter().map(|&j| docs[j].heading).collect(),
                x: stored(&doc.text),
            });
            i += 1;
        }
        let json = serde_json::to_string(&TextPart {
            u: meta.url,
            t: meta.title,
            s: meta.section,
            k: &meta.topics,
            d: stored_docs,
        })
        .unwrap_or_default();
        parts.push((format!("t/{}-{part}", meta.number), json));
    }
    (out, parts)
}

/// The distinct words of a page, numbered in order of appearance.
struct Numbering<'t> {
    local: FnvMap<&'t str, u32>,
    unique: Vec<&'t str>,
}

impl<'t> Numbering<'t> {
    /// The numbers of the words of `folded` (stop words left out) followed by those of its
    /// `joined` compounds, and how many come from `folded` itself.
    fn number(&mut self, folded: &'t str, joined: &'t [String]) -> (Vec<u32>, usize) {
        let mut out = Vec::new();
        for w in text::split(folded) {
            if !is_stop_word(w) {
                out.push(self.id(w));
            }
        }
        let base = out.len();
        for w in joined {
            out.push(self.id(w));
        }
        (out, base)
    }

    fn id(&mut self, w: &'t str) -> u32 {
        let next = self.unique.len() as u32;
        let id = *self.local.entry(w).or_insert(next);
        if id == next {
            self.unique.push(w);
        }
        id
    }
}

fn distinct(stems: &[u32]) -> u8 {
    let mut v = stems.to_vec();
    v.sort_unstable();
    v.dedup();
    v.len().min(255) as u8
}

/// The first [`STORED_CHARS`] characters of `text`, cut at a space when one is near.
fn stored(text: &str) -> &str {
    match text.char_indices().nth(STORED_CHARS) {
        None => text,
        Some((end, _)) => {
            let cut = text[..end]
                .rfind(' ')
                .filter(|&s| s + 40 > end)
                .unwrap_or(end);
            &text[..cut]
        }
    }
}

/// The page's documents: the text before the first heading, then one per heading.
fn split<'r>(rendered: &'r Rendered, blocks: &dyn Fn(&str) -> bool) -> Vec<Doc<'r>> {
    let plain = &rendered.plain_text;
    let spans = &rendered.heading_spans;
    let count = rendered.headings.len().min(spans.len());
    let first = spans.first().map_or(plain.len(), |s| s.start);
    let mut docs = vec![Doc {
        anchor: "",
        heading: "",
        path: Vec::new(),
        text: body_text(rendered, 0..first, blocks),
    }];
    let mut stack: Vec<(u8, usize)> = Vec::new();
    for i in 0..count {
        let heading = &rendered.headings[i];
        let end = spans.get(i + 1).map_or(plain.len(), |s| s.start);
        let text = body_text(rendered, spans[i].end..end, blocks);
        while stack
            .last()
            .is_some_and(|&(level, _)| level >= heading.level)
        {
            stack.pop();
        }
        if docs.len() == MAX_DOCS {
            // Too many headings: the rest of the page joins the last document.
            let last = docs.last_mut().expect("documents");
            last.text.push(' ');
            last.text.push_str(&heading.text);
            last.text.push(' ');
            last.text.push_str(&text);
            continue;
        }
        stack.push((heading.level, docs.len()));
        docs.push(Doc {
            anchor: &heading.id,
            heading: &heading.text,
            path: stack[..stack.len() - 1].iter().map(|&(_, d)| d).collect(),
            text,
        });
    }
    docs
}

/// The plain text of `range` with whitespace collapsed; fenced blocks rendered through a block
/// template (whose body is TOML) contribute their strings rather than their TOML, a self-check
/// only its title, prompts and options (not its answers and explanations).
fn body_text(rendered: &Rendered, range: Range<usize>, blocks: &dyn Fn(&str) -> bool) -> String {
    let plain = &rendered.plain_text;
    let mut out = String::with_capacity(range.len());
    let mut from = range.start;
    for code in &rendered.code_blocks {
        if code.range.end <= range.start || code.range.start >= range.end {
            continue;
        }
        let Some(lang) = code.lang.as_deref().filter(|l| blocks(l)) else {
            continue;
        };
        push_collapsed(&mut out, plain.get(from..code.range.start).unwrap_or(""));
        let source = plain.get(code.range.clone()).unwrap_or("");
        match toml::from_str::<toml::Value>(source) {
            Ok(value) if lang == "quiz" => push_quiz(&mut out, &value),
            Ok(value) => push_strings(&mut out, &value),
            Err(_) => push_collapsed(&mut out, source),
        }
        from = code.range.end;
    }
    push_collapsed(&mut out, plain.get(from..range.end).unwrap_or(""));
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// A self-check's title, prompts and option texts.
fn push_quiz(out: &mut String, quiz: &toml::Value) {
    let strings = |v: Option<&toml::Value>| v.and_then(toml::Value::as_str).map(str::to_owned);
    if let Some(title) = strings(quiz.get("title")) {
        push_collapsed(out, &title);
    }
    let questions = quiz.get("question").and_then(toml::Value::as_array);
    for question in questions.into_iter().flatten() {
        if let Some(prompt) = strings(question.get("prompt")) {
            push_collapsed(out, &prompt);
        }
        let options = question.get("option").and_then(toml::Value::as_array);
        for option in options.into_iter().flatten() {
            if let Some(text) = strings(option.get("text")) {
                push_collapsed(out, &text);
            }
        }
    }
}

fn push_strings(out: &mut String, value: &toml::Value) {
    match value {
        toml::Value::String(s) => push_collapsed(out, s),
        toml::Value::Array(items) => items.iter().for_each(|v| push_strings(out, v)),
        toml::Value::Table(table) => table.values().for_each(|v| push_strings(out, v)),
        _ => {}
    }
}

/// Appends `text` with each run of whitespace made one space (none at the start of `out`).
fn push_collapsed(out: &mut String, text: &str) {
    let mut gap = !out.is_empty();
    let mut start = None;
    for (i, b) in text.bytes().enumerate() {
        if b.is_ascii_whitespace() {
            if let Some(s) = start.take() {
                out.push_str(&text[s..i]);
                gap = true;
            }
        } else if start.is_none() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push_str(&text[s..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::rendered;

    fn page(body: &str) -> (PageDocs, Vec<(String, String)>, Vocabulary) {
        let rendered = rendered(body);
        let vocab = Vocabulary::default();
        let meta = PageMeta {
            number: 3,
            url: "ops/budgets.html",
            title: "Budgets and vendors",
            section: "Operations",
            topics: vec![1],
            topic_text: "Budgeting budgeting".into(),
        };
        let (docs, parts) = build(&meta, &rendered, &|l| l == "compare" || l == "quiz", &vocab);
        (docs, parts, vocab)
    }

    #[test]
    fn one_document_per_heading_with_its_path() {
        let body = "Intro about money.\n\n## Capital costs\n\nServers and laptops.\n\n\
                    ### Depreciation\n\nOver three years.\n\n## Vendors\n\nContracts.\n";
        let (docs, parts, vocab) = page(body);
        assert_eq!(docs.page, 3);
        assert_eq!(docs.docs.len(), 4);
        assert_eq!(parts.len(), 1);
        let (name, json) = &parts[0];
        assert_eq!(name, "t/3-0");
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["u"], "ops/budgets.html");
        assert_eq!(v["s"], "Operations");
        assert_eq!(v["k"], serde_json::json!([1]));
        let d = &v["d"];
        assert_eq!(d[0]["a"], "");
        assert_eq!(d[0]["x"], "Intro about money.");
        assert_eq!(d[2]["a"], "depreciation");
        assert_eq!(d[2]["p"], serde_json::json!(["Capital costs"]));
        assert_eq!(d[3]["p"], serde_json::json!([]));
        assert_eq!(d[3]["x"], "Contracts.");

        let budget = vocab.stem_id("budget").unwrap();
        let capit = vocab.stem_id("capit").unwrap();
        let doc = &docs.docs[1];
        let counts = |doc: &DocTerms, stem| doc.terms.iter().find(|t| t.0 == stem).unwrap().1;
        assert_eq!(count(counts(doc, budget), Field::Title as usize), 1);
        assert_eq!(count(counts(doc, budget), Field::Topics as usize), 2);
        assert_eq!(count(counts(doc, capit), Field::Heading as usize), 1);
        assert_eq!(count(counts(&docs.docs[2], capit), Field::Path as usize), 1);
        assert_eq!(docs.docs[0].title_len, 2);
        assert_eq!(docs.docs[1].title_len, 0);
        assert_eq!(docs.docs[1].heading_len, 2);
        assert_eq!(docs.docs[1].lens, [2, 2, 0, 2, 2]);
    }

    #[test]
    fn large_pages_are_split_into_parts_by_size_and_count() {
        let section = format!("## Part\n\n{}\n\n", "word ".repeat(400));
        let most_parts = MAX_DOCS / PART_DOCS;
        let (docs, parts, _) = page(&section.repeat(most_parts + 4));
        let slots: Vec<usize> = docs.docs.iter().map(|d| usize::from(d.slot)).collect();
        // About 2 KB each: one section per part, the empty top joining the first, and the
        // sections past the last part kept in it.
        let mut expected = vec![0, 1];
        expected.extend((1..most_parts).map(|p| p * PART_DOCS));
        expected.extend((1..5).map(|k| MAX_DOCS - PART_DOCS + k));
        assert_eq!(slots, expected);
        assert_eq!(parts.len(), most_parts);
        assert_eq!(parts[1].0, "t/3-1");

        let (docs, _, _) = page(&"## A\n\nx\n\n".repeat(MAX_DOCS + 40));
        assert_eq!(docs.docs.len(), MAX_DOCS);
        assert_eq!(usize::from(docs.docs.last().unwrap().slot), MAX_DOCS - 1);
        let (docs, _, _) = page(&"## A\n\nx\n\n".repeat(20));
        let slots: Vec<u8> = docs.docs.iter().map(|d| d.slot).collect();
        assert_eq!(slots[..10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(slots[20], 20);
    }

    #[test]
    fn slots_stay_below_max_docs_when_large_sections_come_first() {
        let big = format!("## Big\n\n{}\n\n", "word ".repeat(2000));
        let (docs, _, _) = page(&(big.repeat(10) + &"## A\n\nx\n\n".repeat(MAX_DOCS)));
        let slots: Vec<u8> = docs.docs.iter().map(|d| d.slot).collect();
        assert_eq!(slots.len(), MAX_DOCS);
        assert!(slots.windows(2).all(|w| w[0] < w[1]), "{slots:?}");
        assert!(usize::from(*slots.last().unwrap()) < MAX_DOCS, "{slots:?}");
    }

    #[test]
    fn every_slot_is_in_its_page_and_found_from_its_number() {
        let most = MAX_DOCS;
        for (sections, words) in [
            (most + 16, 400),
            (most, 400),
            (most - 1, 5),
            (80, 400),
            (9, 2),
        ] {
            let body: String = (0..sections)
                .map(|n| format!("## Part {n}\n\n{}\n\n", "word ".repeat(words)))
                .collect();
            let (docs, parts, _) = page(&body);
            let mut seen = std::collections::HashSet::new();
            for (i, doc) in docs.docs.iter().enumerate() {
                let slot = usize::from(doc.slot);
                assert!(slot < MAX_DOCS, "{sections}x{words}: slot {slot}");
                assert!(seen.insert(slot));
                // The browser finds a document as entry `slot % 8` of part `t/<page>-<slot / 8>`.
                let name = format!("t/3-{}", slot / PART_DOCS);
                let (_, json) = parts.iter().find(|(n, _)| *n == name).expect("part");
                let v: serde_json::Value = serde_json::from_str(json).unwrap();
                let anchor = if i == 0 {
                    String::new()
                } else {
                    format!("part-{}", i - 1)
                };
                assert_eq!(
                    v["d"][slot % PART_DOCS]["a"],
                    anchor,
                    "{sections}x{words}: doc {i}"
                );
                assert!(v["d"].as_array().unwrap().len() <= PART_DOCS);
            }
        }
    }

    #[test]
    fn a_self_check_gives_its_questions_not_its_answers() {
        let body = "## Check\n\n```quiz\ntitle = \"Budgets\"\n[[question]]\nprompt = \"Which cost recurs?\"\n\
                    hint = \"hintword\"\n[[question.option]]\ntext = \"Licences\"\nright = true\n\
                    explain = \"explainword\"\n[[question]]\nprompt = \"Name the plan\"\n\
                    accept = [\"acceptword\"]\n```\n";
        let (_, parts, _) = page(body);
        let v: serde_json::Value = serde_json::from_str(&parts[0].1).unwrap();
        let text = v["d"][1]["x"].as_str().unwrap();
        for word in ["Budgets", "Which cost recurs?", "Licences", "Name the plan"] {
            assert!(text.contains(word), "{text}");
        }
        for word in ["hintword", "explainword", "acceptword", "prompt", "right"] {
            assert!(!text.contains(word), "{text}");
        }
    }

    #[test]
    fn block_templates_give_their_strings_and_code_stays() {
        let body = "## Compare\n\n```compare\ntitle = \"At a glance\"\ncolumns = [\"IT\", \"Product\"]\n\
                    [[rows]]\nlabel = \"Main question\"\n```\n\n```python\nprint(budget)\n```\n";
        let (_, parts, _) = page(body);
        let v: serde_json::Value = serde_json::from_str(&parts[0].1).unwrap();
        let text = v["d"][1]["x"].as_str().unwrap();
        for word in [
            "At a glance",
            "IT",
            "Product",
            "Main question",
            "print(budget)",
        ] {
            assert!(text.contains(word), "{text}");
        }
        assert!(!text.contains("label"), "{text}");
    }

    #[test]
    fn stored_text_is_cut_at_a_space() {
        let long = "abcdefghi ".repeat(400);
        let cut = stored(&long);
        assert!(cut.len() <= STORED_CHARS && cut.len() > STORED_CHARS - 40);
        assert!(cut.ends_with('i'));
    }

    #[test]
    fn the_browser_numbers_documents_as_the_index_does() {
        let engine = include_str!("../../themes/default/static/js/search-index.js");
        assert!(engine.contains(&format!("var PAGE_DOCS = {MAX_DOCS};")));
        assert!(engine.contains(&format!("var PART_DOCS = {PART_DOCS};")));
    }
}
