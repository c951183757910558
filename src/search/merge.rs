//! Everything pages added to the index, merged into the files the browser loads: scores, posting
//! lists in tiers, the dictionary in shards by word prefix, topic lists and the manifest.

use std::collections::BTreeMap;
#[cfg(test)]
use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use super::encode;
use super::page::{FIELDS, Field, MAX_DOCS, PageDocs, count};
use super::text::STOP_WORDS;
use super::vocab::Vocabulary;
use super::{Part, TopicEntry, content_name, wrap};

/// BM25's term-frequency saturation.
const K1: f64 = 1.2;
/// BM25's length normalisation per field (title, heading, path, topics, body).
const B: [f64; FIELDS] = [0.3, 0.5, 0.3, 0.3, 0.75];
/// How much a field counts: title > headings > topics > body. The page's title counts fully on
/// its first document (the top of the page) and as context on the others.
const WEIGHTS: [f64; FIELDS] = [10.0, 6.0, 2.0, 3.0, 1.0];
const TITLE_AS_CONTEXT: f64 = 3.0;

/// Scores are sent as 7-bit steps on a log scale: `score = MIN_SCORE * STEP^q`.
pub const MIN_SCORE: f64 = 0.01;
pub const STEP: f64 = 1.09;

/// Postings per tier: the best-scoring `TIERS[0]` documents of a stem come with the dictionary,
/// the next `TIERS[1]` and then the rest are loaded only when a query needs them.
pub const TIERS: [usize; 2] = [128, 1024];

/// A dictionary shard is split by one more letter of prefix when its estimate passes this.
const SHARD_BYTES: usize = 24 * 1024;
const MAX_KEY_CHARS: usize = 3;
/// Deep posting tiers are packed into files of about this size.
const POSTING_FILE_BYTES: usize = 4 * 1024;

/// One document's score for one stem, packed: doc (32 bits) | score step (7) | in title (1) |
/// in heading (1) | title length (8) | heading length (8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Posting(u64);

impl Posting {
    fn new(doc: u32, impact: u8, title_len: u8, heading_len: u8) -> Self {
        Self(
            u64::from(doc)
                | (u64::from(impact) << 32)
                | (u64::from(title_len) << 41)
                | (u64::from(heading_len) << 49),
        )
    }
    pub fn doc(self) -> u32 {
        self.0 as u32
    }
    pub fn impact(self) -> u8 {
        ((self.0 >> 32) & 127) as u8
    }
    fn title_len(self) -> u64 {
        (self.0 >> 41) & 255
    }
    fn heading_len(self) -> u64 {
        (self.0 >> 49) & 255
    }
}

/// Quantises a score to its step (1..=127).
#[cfg(test)]
pub fn quantise(score: f64) -> u8 {
    if score <= MIN_SCORE {
        return 1;
    }
    ((score / MIN_SCORE).ln() / STEP.ln())
        .round()
        .clamp(1.0, 127.0) as u8
}

/// The scores where [`quantise`] moves to the next step, to quantise without a logarithm.
fn step_bounds() -> Vec<f64> {
    (1..127)
        .map(|q| MIN_SCORE * STEP.powf(f64::from(q) + 0.5))
        .collect()
}

/// The document number of slot `slot` of page `page`.
pub fn doc_id(page: u32, slot: u8) -> u32 {
    page * MAX_DOCS as u32 + u32::from(slot)
}

/// Scores every (stem, document) pair: BM25 per field, weighted and summed. Each stem's list is
/// in document order (`pages` must be sorted by page number).
pub fn score_all(pages: &[&PageDocs], stems: usize) -> (Vec<Vec<Posting>>, Vec<u32>) {
    let mut df = vec![0u32; stems];
    let mut totals = [0f64; FIELDS];
    let mut docs = 0usize;
    for page in pages {
        for doc in &page.docs {
            docs += 1;
            for (f, total) in totals.iter_mut().enumerate() {
                *total += f64::from(doc.lens[f]);
            }
            for &(stem, _) in &doc.terms {
                df[stem as usize] += 1;
            }
        }
    }
    let n = docs.max(1) as f64;
    let avg: Vec<f64> = totals.iter().map(|t| (t / n).max(1.0)).collect();
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| (1.0 + (n - f64::from(d) + 0.5) / (f64::from(d) + 0.5)).ln())
        .collect();
    let bounds = step_bounds();
    let mut postings: Vec<Vec<Posting>> =
        df.iter().map(|&d| Vec::with_capacity(d as usize)).collect();
    // Scored in parallel a chunk of pages at a time, so that only one chunk's scores wait to be
    // sorted into the stems' lists.
    for chunk in pages.chunks(256) {
        let scored: Vec<Vec<(u32, Posting)>> = chunk
            .par_iter()
            .map(|page| {
                let mut out = Vec::new();
                for (i, doc) in page.docs.iter().enumerate() {
                    let id = doc_id(page.page, doc.slot);
                    let norms: Vec<f64> = (0..FIELDS)
                        .map(|f| K1 * (1.0 - B[f] + B[f] * f64::from(doc.lens[f]) / avg[f]))
                        .collect();
                    for &(stem, counts) in &doc.terms {
                        let mut sum = 0.0;
                        for f in 0..FIELDS {
                            let tf = f64::from(count(counts, f));
                            if tf > 0.0 {
                                let weight = if f == Field::Title as usize && i > 0 {
                                    TITLE_AS_CONTEXT
                                } else {
                                    WEIGHTS[f]
                                };
                                sum += weight * tf * (K1 + 1.0) / (tf + norms[f]);
                            }
                        }
                        let in_title = i == 0 && count(counts, Field::Title as usize) > 0;
                        let in_heading = count(counts, Field::Heading as usize) > 0;
                        out.push((
                            stem,
                            Posting::new(
                                id,
                                1 + bounds.partition_point(|&b| b <= idf[stem as usize] * sum)
                                    as u8,
                                if in_title { doc.title_len.max(1) } else { 0 },
                                if in_heading {
                                    doc.heading_len.max(1)
                                } else {
                                    0
                                },
                            ),
                        ));
                    }
                }
                out
            })
            .collect();
        for page in scored {
            for (stem, posting) in page {
                postings[stem as usize].push(posting);
            }
        }
    }
    (postings, df)
}

/// A stem's postings (in document order) as strings, best tier first: each tier in document
/// order, written as gap, meta (step | 128 if in the title | 256 if in the heading), then the
/// title's and the heading's length in stems when flagged.
pub fn tiers(postings: Vec<Posting>) -> Vec<String> {
    // Which tier each posting goes to, from a histogram of the 7-bit steps: the best steps
    // fill the first tier; ties at its last step go to the earlier documents.
    let mut histogram = [0usize; 128];
    for p in &postings {
        histogram[usize::from(p.impact())] += 1;
    }
    let mut tier_of_step = [0u8; 128];
    let mut quota_at_step = [[0usize; 3]; 128];
    let mut tier = 0;
    let mut room = TIERS[0];
    for step in (0..128).rev() {
        let mut left = histogram[step];
        tier_of_step[step] = tier as u8;
        while left > 0 {
            let take = left.min(room);
            quota_at_step[step][tier] = take;
            left -= take;
            room -= take;
            if room == 0 && tier < 2 {
                tier += 1;
                room = TIERS.get(tier).copied().unwrap_or(usize::MAX);
            }
        }
    }
    let mut out = vec![String::new(); 3];
    let mut last = [0u64; 3];
    for p in &postings {
        let step = usize::from(p.impact());
        let mut t = usize::from(tier_of_step[step]);
        while quota_at_step[step][t] == 0 {
            t += 1;
        }
        quota_at_step[step][t] -= 1;
        let text = &mut out[t];
        let doc = u64::from(p.doc());
        encode::push(text, doc - last[t]);
        last[t] = doc;
        let (ti, h) = (p.title_len(), p.heading_len());
        let meta = u64::from(p.impact()) | (u64::from(ti > 0) << 7) | (u64::from(h > 0) << 8);
        encode::push(text, meta);
        if ti > 0 {
            encode::push(text, ti);
        }
        if h > 0 {
            encode::push(text, h);
        }
    }
    while out.len() > 1 && out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// An entry of a dictionary shard.
enum Item {
    Word(u32),
    Stem(u32),
}

/// Merges the pages' parts into the index files (all but the text parts, which pages write).
pub fn merge(
    pages: &[PageDocs],
    vocab: &Vocabulary,
    topics: &[TopicEntry],
    synonyms: &[Vec<String>],
    abbreviations: &[(u32, String)],
    manifest_name: &str,
) -> Vec<Part> {
    let stems = vocab.stems();
    let mut sorted: Vec<&PageDocs> = pages.iter().collect();
    sorted.sort_by_key(|p| p.page);
    let (postings, df) = score_all(&sorted, stems.len());
    let tiered: Vec<Vec<String>> = postings.into_par_iter().map(tiers).collect();
    let mut live = vec![false; vocab.word_count()];
    for page in pages {
        for &w in &page.words {
            if let Some(l) = live.get_mut(w as usize) {
                *l = true;
            }
        }
    }
    let words: Vec<(Box<str>, u32)> = vocab
        .words()
        .into_iter()
        .filter(|(_, s, w)| df[*s as usize] > 0 && live.get(*w as usize) == Some(&true))
        .map(|(word, s, _)| (word, s))
        .collect();

    // Everything a shard holds, sorted by the string that places it.
    let mut items: Vec<(&str, Item)> = Vec::with_capacity(words.len() + stems.len());
    for (i, (w, _)) in words.iter().enumerate() {
        items.push((w, Item::Word(i as u32)));
    }
    for (s, text) in stems.iter().enumerate() {
        if df[s] > 0 {
            items.push((text, Item::Stem(s as u32)));
        }
    }
    items.sort_by(|a, b| a.0.cmp(b.0));
    let size = |item: &Item| match *item {
        Item::Word(w) => words[w as usize].0.len() + 3,
        Item::Stem(s) => stems[s as usize].len() + tiered[s as usize][0].len() + 24,
    };
    let mut shards: Vec<(String, Vec<&Item>)> = Vec::new();
    split_shards("", &items, &size, &mut shards);

    let mut parts = Vec::new();
    let mut dict = Vec::new();
    for (key, members) in &shards {
        let mut shard_stems: Vec<u32> = Vec::new();
        let mut shard_words: Vec<u32> = Vec::new();
        for item in members {
            match **item {
                Item::Word(w) => {
                    shard_words.push(w);
                    shard_stems.push(words[w as usize].1);
                }
                Item::Stem(s) => shard_stems.push(s),
            }
        }
        shard_stems.sort_unstable_by(|a, b| stems[*a as usize].cmp(&stems[*b as usize]));
        shard_stems.dedup();
        let index_of: BTreeMap<u32, usize> = shard_stems
            .iter()
            .enumerate()
            .map(|(i, &s)| (s, i))
            .collect();
        let mut refs = String::new();
        let mut list = String::new();
        for &w in &shard_words {
            if !list.is_empty() {
                list.push('\n');
            }
            list.push_str(&words[w as usize].0);
            encode::push(&mut refs, index_of[&words[w as usize].1] as u64);
        }
        // Deep tiers into posting files of about POSTING_FILE_BYTES.
        let mut files: Vec<String> = Vec::new();
        let mut open = String::new();
        let flush = |open: &mut String, files: &mut Vec<String>, parts: &mut Vec<Part>| {
            if open.is_empty() {
                return;
            }
            // Posting strings use only letters, digits, `-` and `_`: no escaping needed.
            let payload = format!("\"{open}\"");
            let name = content_name("x", &payload);
            parts.push(wrap(&name, &payload));
            files.push(name);
            open.clear();
        };
        let mut records = String::from("[");
        for &s in &shard_stems {
            let t = &tiered[s as usize];
            if records.len() > 1 {
                records.push(',');
            }
            let _ = write!(
                records,
                "[{},{},\"{}\"",
                Value::from(&*stems[s as usize]),
                df[s as usize],
                t[0]
            );
            for deep in &t[1..] {
                if !open.is_empty() && open.len() + deep.len() > POSTING_FILE_BYTES {
                    flush(&mut open, &mut files, &mut parts);
                }
                let _ = write!(records, ",[{},{},{}]", files.len(), open.len(), deep.len());
                open.push_str(deep);
            }
            records.push(']');
        }
        records.push(']');
        flush(&mut open, &mut files, &mut parts);
        let payload = format!(
            "{{\"w\":{},\"r\":\"{refs}\",\"s\":{records},\"f\":{}}}",
            Value::from(list),
            json!(files)
        );
        let name = content_name("d", &payload);
        parts.push(wrap(&name, &payload));
        dict.push((key.clone(), name));
    }

    // Pages of each topic.
    let mut topic_pages: Vec<Vec<u32>> = vec![Vec::new(); topics.len()];
    for page in pages {
        for &t in &page.topics {
            if let Some(list) = topic_pages.get_mut(t as usize) {
                list.push(page.page);
            }
        }
    }
    let mut topic_list = Vec::new();
    for (topic, mut list) in topics.iter().zip(topic_pages) {
        list.sort_unstable();
        list.dedup();
        let mut text = String::new();
        let mut last = 0;
        for &p in &list {
            encode::push(&mut text, u64::from(p - last));
            last = p;
        }
        let payload = serde_json::to_string(&text).unwrap_or_default();
        let name = content_name("k", &payload);
        parts.push(wrap(&name, &payload));
        topic_list.push(json!([topic.slug, topic.title, list.len(), name]));
    }

    let manifest = Manifest {
        v: super::FORMAT,
        docs: pages.iter().map(|p| p.docs.len()).sum(),
        pages: pages.len(),
        stop: STOP_WORDS,
        min: MIN_SCORE,
        step: STEP,
        tiers: TIERS,
        topics: topic_list,
        syn: synonyms,
        abbr: abbreviations,
        dict,
    };
    let payload = serde_json::to_string(&manifest).unwrap_or_default();
    parts.push(wrap(manifest_name, &payload));
    parts
}

#[derive(Serialize)]
struct Manifest<'a> {
    v: u32,
    docs: usize,
    pages: usize,
    stop: &'static [&'static str],
    min: f64,
    step: f64,
    tiers: [usize; 2],
    topics: Vec<Value>,
    syn: &'a [Vec<String>],
    /// `[document, abbreviation]`: the glossary entry a query of just that abbreviation ranks first.
    abbr: &'a [(u32, String)],
    dict: Vec<(String, String)>,
}

/// Splits sorted `items` (all starting with `prefix`) into shards keyed by prefixes: one shard
/// when small enough, else one per next character (plus one for items equal to the prefix).
fn split_shards<'i>(
    prefix: &str,
    items: &'i [(&str, Item)],
    size: &dyn Fn(&Item) -> usize,
    out: &mut Vec<(String, Vec<&'i Item>)>,
) {
    let total: usize = items.iter().map(|(_, i)| size(i)).sum();
    let depth = prefix.chars().count();
    if !prefix.is_empty() && (total <= SHARD_BYTES || depth >= MAX_KEY_CHARS) {
        out.push((prefix.to_owned(), items.iter().map(|(_, i)| i).collect()));
        return;
    }
    let mut exact = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let Some(next) = items[start].0[prefix.len()..].chars().next() else {
            exact.push(&items[start].1);
            start += 1;
            continue;
        };
        let mut key = prefix.to_owned();
        key.push(next);
        let end = start
            + items[start..]
                .iter()
                .take_while(|(s, _)| s.starts_with(key.as_str()))
                .count();
        split_shards(&key, &items[start..end], size, out);
        start = end;
    }
    if !exact.is_empty() {
        out.push((prefix.to_owned(), exact));
    }
}

/// Reads a posting-list string back: (doc, step, title length, heading length).
#[cfg(test)]
pub fn decode_postings(text: &str) -> Vec<(u32, u8, u8, u8)> {
    let numbers = encode::decode(text).unwrap_or_default();
    let mut out = Vec::new();
    let mut i = 0;
    let mut doc = 0u64;
    while i + 1 < numbers.len() {
        doc += numbers[i];
        let meta = numbers[i + 1];
        i += 2;
        let mut t = 0;
        let mut h = 0;
        if meta & 128 != 0 {
            t = numbers.get(i).copied().unwrap_or(0) as u8;
            i += 1;
        }
        if meta & 256 != 0 {
            h = numbers.get(i).copied().unwrap_or(0) as u8;
            i += 1;
        }
        out.push((doc as u32, (meta & 127) as u8, t, h));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::page::{PageMeta, build};
    use crate::search::rendered;

    /// Pages from (title, topics, body).
    fn pages(specs: &[(&str, &str, &str)], vocab: &Vocabulary) -> Vec<PageDocs> {
        specs
            .iter()
            .enumerate()
            .map(|(i, (title, topics, body))| {
                let rendered = rendered(body);
                let meta = PageMeta {
                    number: i as u32,
                    url: "x.html",
                    title,
                    section: "",
                    topics: Vec::new(),
                    topic_text: (*topics).to_owned(),
                };
                build(&meta, &rendered, &|_| false, vocab).0
            })
            .collect()
    }

    fn scores(pages: &[PageDocs], vocab: &Vocabulary, stem: &str) -> BTreeMap<u32, u8> {
        let pages: Vec<&PageDocs> = pages.iter().collect();
        let (postings, _) = score_all(&pages, vocab.stems().len());
        postings[vocab.stem_id(stem).unwrap() as usize]
            .iter()
            .map(|p| (p.doc(), p.impact()))
            .collect()
    }

    const FILLER: &str = "Plans change when teams learn what users need from each release.";

    #[test]
    fn title_beats_heading_beats_topics_beats_body() {
        let vocab = Vocabulary::default();
        let body_only = format!("{FILLER} Budgets matter.");
        let heading = format!("## Budgets\n\n{FILLER}");
        let specs = [
            ("Budgets", "", FILLER),
            ("Planning", "", heading.as_str()),
            ("Planning", "budgeting", FILLER),
            ("Planning", "", body_only.as_str()),
        ];
        let pages = pages(&specs, &vocab);
        let s = scores(&pages, &vocab, "budget");
        let title = s[&doc_id(0, 0)];
        let in_heading = s[&doc_id(1, 1)];
        let topic = s[&doc_id(2, 0)];
        let body = s[&doc_id(3, 0)];
        assert!(title > in_heading, "{s:?}");
        assert!(in_heading > topic, "{s:?}");
        assert!(topic > body, "{s:?}");
        // The page's title also counts, less, on its other sections.
        let specs = [("Budgets", "", heading.as_str()), ("Other", "", FILLER)];
        let pages2 = super::tests::pages(&specs, &vocab);
        let s = scores(&pages2, &vocab, "budget");
        assert!(s[&doc_id(0, 0)] > s[&doc_id(0, 1)] || s.len() == 2, "{s:?}");
    }

    #[test]
    fn rare_words_score_higher_than_common_ones() {
        let vocab = Vocabulary::default();
        let specs: Vec<(String, String)> = (0..20)
            .map(|i| {
                let extra = if i == 0 { " Kanban boards." } else { "" };
                (format!("Lesson {i}"), format!("Teams plan work.{extra}"))
            })
            .collect();
        let specs: Vec<(&str, &str, &str)> = specs
            .iter()
            .map(|(t, b)| (t.as_str(), "", b.as_str()))
            .collect();
        let pages = pages(&specs, &vocab);
        let rare = scores(&pages, &vocab, "kanban")[&doc_id(0, 0)];
        let common = scores(&pages, &vocab, "team")[&doc_id(0, 0)];
        assert!(rare > common + 10, "{rare} {common}");
    }

    #[test]
    fn postings_come_in_tiers_best_first() {
        let postings: Vec<Posting> = (0..2000u32)
            .map(|d| Posting::new(d * 3, (d % 100 + 1) as u8, u8::from(d == 7), 0))
            .collect();
        let tiers = tiers(postings);
        assert_eq!(tiers.len(), 3);
        let decoded: Vec<Vec<(u32, u8, u8, u8)>> =
            tiers.iter().map(|t| decode_postings(t)).collect();
        assert_eq!(
            decoded.iter().map(Vec::len).collect::<Vec<_>>(),
            [128, 1024, 848]
        );
        let min_first = decoded[0].iter().map(|p| p.1).min().unwrap();
        let max_second = decoded[1].iter().map(|p| p.1).max().unwrap();
        assert!(min_first >= max_second);
        for tier in &decoded {
            assert!(tier.windows(2).all(|w| w[0].0 < w[1].0));
        }
        let all: usize = decoded.iter().map(Vec::len).sum();
        assert_eq!(all, 2000);
        let seven = decoded.iter().flatten().find(|p| p.0 == 21).unwrap();
        assert_eq!(seven.2, 1);
        assert!(decoded[0].len() * 3 > tiers[0].len() / 2);
    }

    #[test]
    fn quantised_scores_keep_their_order() {
        let mut last = 0;
        for score in [0.001, 0.05, 0.5, 1.0, 2.0, 10.0, 100.0, 500.0, 10_000.0] {
            let q = quantise(score);
            assert!(q >= last && (1..=127).contains(&q), "{score} {q}");
            last = q;
        }
        let q = quantise(3.0);
        let back = MIN_SCORE * STEP.powi(i32::from(q));
        assert!((back / 3.0 - 1.0).abs() < 0.05);
    }

    fn payload(part: &Part) -> Value {
        let text = String::from_utf8(part.bytes.clone()).unwrap();
        let start = text.find(',').unwrap() + 1;
        let end = text.rfind(");").unwrap();
        serde_json::from_str(&text[start..end]).unwrap()
    }

    #[test]
    fn dictionary_is_sharded_by_prefix_and_every_word_finds_its_stem() {
        let vocab = Vocabulary::default();
        // Enough distinct words to split the shards of common letters.
        let body: String = (0..3000)
            .map(|i| format!("{}{} ", ["b", "c", "s"][i % 3], to_letters(i)))
            .collect();
        let specs = [
            ("Budgets", "", body.as_str()),
            ("Budgeting", "", "Budgeted costs."),
        ];
        let pages = pages(&specs, &vocab);
        let topics = [TopicEntry {
            slug: "budgeting".into(),
            title: "Budgeting".into(),
        }];
        let parts = merge(&pages, &vocab, &topics, &[], &[], "index.test");
        let manifest = parts
            .iter()
            .find(|p| p.path == "search/index.test.js")
            .unwrap();
        assert!(
            String::from_utf8_lossy(&manifest.bytes).starts_with("guideSearchPart(\"index.test\",")
        );
        let manifest = payload(manifest);
        assert_eq!(manifest["pages"], 2);
        let keys: Vec<String> = manifest["dict"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[0].as_str().unwrap().to_owned())
            .collect();
        assert!(keys.iter().any(|k| k.chars().count() >= 2), "{keys:?}");
        let by_name: HashMap<String, &Part> = parts.iter().map(|p| (p.path.clone(), p)).collect();
        for entry in manifest["dict"].as_array().unwrap() {
            let key = entry[0].as_str().unwrap();
            let file = format!("search/{}.js", entry[1].as_str().unwrap());
            let shard = payload(by_name[&file]);
            let stems: Vec<&str> = shard["s"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s[0].as_str().unwrap())
                .collect();
            let refs = encode::decode(shard["r"].as_str().unwrap()).unwrap();
            let words: Vec<&str> = shard["w"].as_str().unwrap().split('\n').collect();
            assert_eq!(refs.len(), words.len());
            for (word, r) in words.iter().zip(&refs) {
                // The shard is the longest key that starts the word.
                let longest = keys
                    .iter()
                    .filter(|k| word.starts_with(k.as_str()))
                    .max_by_key(|k| k.len())
                    .unwrap();
                assert_eq!(longest, key, "{word}");
                let stem = stems[*r as usize];
                assert_eq!(&*crate::search::text::Stems::default().stem(word), stem);
            }
        }
        // "budgets", "budgeting" and "budgeted" share one stem with postings in both pages.
        let b = keys
            .iter()
            .filter(|k| "budget".starts_with(k.as_str()))
            .max_by_key(|k| k.len())
            .unwrap();
        let file = manifest["dict"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e[0] == b.as_str())
            .unwrap()[1]
            .as_str()
            .unwrap()
            .to_owned();
        let shard = payload(by_name[&format!("search/{file}.js")]);
        let record = shard["s"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s[0] == "budget")
            .unwrap();
        assert_eq!(record[1], 2);
        let docs: Vec<u32> = decode_postings(record[2].as_str().unwrap())
            .iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(docs, [doc_id(0, 0), doc_id(1, 0)]);
        // Names carry the hash of their content.
        for part in &parts {
            if part.path.starts_with("search/d/") {
                let text = String::from_utf8(part.bytes.clone()).unwrap();
                let start = text.find(',').unwrap() + 1;
                let end = text.rfind(");").unwrap();
                let name = content_name("d", &text[start..end]);
                assert_eq!(part.path, format!("search/{name}.js"));
            }
        }
        let topic = &manifest["topics"][0];
        assert_eq!(topic[0], "budgeting");
        assert_eq!(topic[2], 0);
    }

    fn to_letters(mut n: usize) -> String {
        let mut s = String::new();
        loop {
            s.push(char::from(b'a' + (n % 26) as u8));
            n /= 26;
            if n == 0 {
                return s;
            }
        }
    }
}
