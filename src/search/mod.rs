//! The search index: built from each page's rendered Markdown while the page stage writes it,
//! and written as small script files that the browser loads only when the reader searches.
//!
//! Documents are heading sections: a page's top (its title and the text before the first
//! heading) and one per heading, each with the page's title, the heading and the headings above
//! it, the page's section and topics, its text and its `page.html#heading`. Words are folded,
//! stop words dropped and English endings stemmed ([`text`]); `search-index.js` folds queries
//! the same way and finds stems through the dictionary, which maps each word to its stem.
//!
//! Files, all under `search/` and all loaded by `<script>` (so the index works from `file://`):
//!
//! - `index.<gen>.js` — the manifest: stop words, score scale, topics, synonyms (`[search]
//!   synonyms` and the glossary's aliases, expanded by the browser at query time, both ways), the
//!   glossary entry each abbreviation names (first for a query that is just the abbreviation)
//!   and the dictionary shards by word prefix. `<gen>` hashes everything the index is made from,
//!   so pages can name the manifest (`search_index` in templates) before the index is built.
//! - `d/<hash>.js` — a dictionary shard: the words with that prefix (for prefix search, typo
//!   tolerance and "did you mean"), their stems, and for each stem its document count and its
//!   best-scoring postings; deeper postings are in `x/<hash>.js`, loaded only when a query needs
//!   more documents.
//! - `t/<page>-<part>.<gen>.js` — the texts of up to eight documents of one page, for the
//!   results' titles, headings and snippets; written by the page stage as each page is rendered.
//! - `k/<hash>.js` — the pages of a topic, for the topic filter.
//!
//! Scores are computed here (BM25 per field, weighted title > headings > topics > body) and sent
//! as 7-bit steps; the browser adds prefix, typo, phrase and exact-match rules on top.
//!
//! Building is incremental-friendly: [`SearchIndex::page`] turns one page into a [`PageDocs`] (its
//! words counted per document, stems numbered by the shared vocabulary) plus its text parts, and
//! [`SearchIndex::finish`] merges any set of `PageDocs` into the remaining files. `guide serve`
//! can keep every page's `PageDocs`, replace the edited page's, and merge again without
//! re-rendering other pages.

mod encode;
mod merge;
pub mod page;
pub mod text;
mod vocab;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

pub use page::PageDocs;

use crate::config::Config;
use crate::markdown::Rendered;
use crate::model::{PageId, Site};
use crate::outputs::SEARCH;
use crate::topics::Topics;

/// Version of the file format, part of every name's hash.
pub const FORMAT: u32 = 3;

/// A file of the index: its path under the output folder and its bytes.
#[derive(Debug, Clone)]
pub struct Part {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A topic as the index lists it.
#[derive(Debug, Clone)]
pub struct TopicEntry {
    pub slug: String,
    pub title: String,
}

/// The index of one build: made once, fed every page (from any thread), then finished.
pub struct SearchIndex {
    generation: String,
    topics: Vec<TopicEntry>,
    topic_ids: HashMap<String, u32>,
    blocks: HashSet<String>,
    vocab: Arc<vocab::Vocabulary>,
    /// The glossary page's documents and text parts, merged with every page's.
    glossary: Option<(PageDocs, Vec<Part>)>,
    /// Groups of names searched as one another: the first and each other, both ways.
    synonyms: Vec<Vec<String>>,
    /// Glossary abbreviations (folded as queries are) and the document of their entry.
    abbreviations: Vec<(u32, String)>,
}

/// Path of the manifest for these inputs (the same value [`SearchIndex::manifest_path`] gives).
pub fn manifest_path(
    site: &Site,
    config: &Config,
    blocks: &HashSet<String>,
    glossary: &crate::glossary::Glossary,
) -> String {
    let generation = with_glossary_text(generation(site, config, blocks), glossary);
    format!("{SEARCH}index.{generation}.js")
}

/// `generation` changed by the glossary's text when the guide has one, so that an edit of the
/// glossary alone names new index files.
fn with_glossary_text(generation: String, glossary: &crate::glossary::Glossary) -> String {
    if glossary.is_empty() {
        return generation;
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(generation.as_bytes());
    h.update(glossary.search_markdown().as_bytes());
    format!("{:016x}", h.digest())
}

/// A hash of everything the index is made from: page bodies, titles, URLs, sections, topics,
/// block template names and the format.
pub fn generation(site: &Site, config: &Config, blocks: &HashSet<String>) -> String {
    use xxhash_rust::xxh3::Xxh3;
    let mut h = Xxh3::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(&FORMAT.to_le_bytes());
    field(env!("CARGO_PKG_VERSION").as_bytes());
    for page in site.reading_order() {
        let front = site.page_front(page);
        field(site.page_url(page).as_bytes());
        field(front.title.as_bytes());
        field(section_title(site, page).as_bytes());
        for topic in &front.topics {
            field(topic.as_bytes());
        }
        field(site.page_source(page).body.as_bytes());
    }
    for (slug, topic) in &config.topics {
        field(slug.as_bytes());
        field(topic.title.as_bytes());
    }
    for block in blocks.iter().collect::<BTreeSet<_>>() {
        field(block.as_bytes());
    }
    for (name, others) in &config.search.synonyms {
        field(name.0.as_bytes());
        for other in &others.0 {
            field(other.0.as_bytes());
        }
    }
    format!("{:016x}", h.digest())
}

/// The title of the section a page belongs to: a lesson's section, a section's parent.
fn section_title(site: &Site, page: PageId) -> &str {
    let section = match page {
        PageId::Lesson(l) => Some(site.lesson(l).section),
        PageId::Section(s) => site.section(s).parent,
    };
    section.map_or("", |s| &site.section(s).front.title)
}

/// A page's number in the index: stable for a given site.
pub fn page_number(site: &Site, page: PageId) -> u32 {
    (match page {
        PageId::Section(s) => s.0,
        PageId::Lesson(l) => site.sections.len() + l.0,
    }) as u32
}

/// The page numbered `number` by [`page_number`].
pub fn numbered_page(site: &Site, number: u32) -> Option<PageId> {
    let (n, sections) = (number as usize, site.sections.len());
    if n < sections {
        Some(PageId::Section(crate::model::SectionId(n)))
    } else if n - sections < site.lessons.len() {
        Some(PageId::Lesson(crate::model::LessonId(n - sections)))
    } else {
        None
    }
}

impl SearchIndex {
    pub fn new(site: &Site, config: &Config, blocks: &HashSet<String>, topics: &Topics) -> Self {
        let topics: Vec<TopicEntry> = topics
            .list
            .iter()
            .map(|t| TopicEntry {
                slug: t.slug.clone(),
                title: t.title.clone(),
            })
            .collect();
        Self {
            generation: generation(site, config, blocks),
            topic_ids: topics
                .iter()
                .enumerate()
                .map(|(i, t)| (t.slug.clone(), i as u32))
                .collect(),
            topics,
            blocks: blocks.clone(),
            vocab: Arc::default(),
            glossary: None,
            abbreviations: Vec::new(),
            synonyms: config
                .search
                .synonyms
                .iter()
                .filter_map(|(name, others)| {
                    synonym_group(std::iter::once(&name.0).chain(others.0.iter().map(|p| &p.0)))
                })
                .collect(),
        }
    }

    /// Adds the glossary page (numbered after every page of the guide): one document per term,
    /// its name and aliases as the heading, so a search for a term or abbreviation finds it.
    pub fn with_glossary(mut self, site: &Site, glossary: &crate::glossary::Glossary) -> Self {
        if glossary.is_empty() {
            return self;
        }
        self.generation = with_glossary_text(std::mem::take(&mut self.generation), glossary);
        let rendered = plain_rendered(&glossary.search_markdown());
        let meta = page::PageMeta {
            number: (site.sections.len() + site.lessons.len()) as u32,
            url: crate::outputs::GLOSSARY,
            title: "Glossary",
            section: "",
            topics: Vec::new(),
            topic_text: String::new(),
        };
        let (docs, texts) = page::build(&meta, &rendered, &|_| false, &self.vocab);
        // The glossary's first document is its (empty) top, then one per term in order.
        self.abbreviations = glossary
            .terms
            .iter()
            .zip(docs.docs.iter().skip(1))
            .flat_map(|(term, doc)| {
                let id = merge::doc_id(meta.number, doc.slot);
                std::iter::once(&term.name)
                    .chain(&term.aliases)
                    .filter(|name| is_abbreviation(name))
                    .map(move |name| (id, text::units(&text::fold(name)).join(" ")))
            })
            .filter(|(_, units)| !units.is_empty())
            .collect();
        let parts = texts
            .into_iter()
            .map(|(name, json)| wrap(&format!("{name}.{}", self.generation), &json))
            .collect();
        self.glossary = Some((docs, parts));
        self.synonyms.extend(
            glossary
                .terms
                .iter()
                .filter_map(|t| synonym_group(std::iter::once(&t.name).chain(&t.aliases))),
        );
        self
    }

    /// An index for a new version of the guide that shares this one's word numbers, so that
    /// the [`PageDocs`] of unchanged pages can be merged again with those of edited ones
    /// (`guide serve`).
    pub fn renewed(
        &self,
        site: &Site,
        config: &Config,
        blocks: &HashSet<String>,
        topics: &Topics,
    ) -> Self {
        Self {
            vocab: self.vocab.clone(),
            ..Self::new(site, config, blocks, topics)
        }
    }

    /// The topics the index numbers pages' topics by.
    pub fn topic_slugs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.topics
            .iter()
            .map(|t| (t.slug.as_str(), t.title.as_str()))
    }

    /// Where pages find the manifest, relative to the site root.
    pub fn manifest_path(&self) -> String {
        format!("{SEARCH}index.{}.js", self.generation)
    }

    /// One page's documents, and its text parts to write now.
    pub fn page(&self, site: &Site, page: PageId, rendered: &Rendered) -> (PageDocs, Vec<Part>) {
        let front = site.page_front(page);
        let mut topics = Vec::new();
        let mut topic_text = String::new();
        for slug in &front.topics {
            if let Some(&id) = self.topic_ids.get(slug)
                && !topics.contains(&id)
            {
                topics.push(id);
                topic_text.push_str(&self.topics[id as usize].title);
                topic_text.push(' ');
                topic_text.push_str(slug);
                topic_text.push(' ');
            }
        }
        let meta = page::PageMeta {
            number: page_number(site, page),
            url: site.page_url(page),
            title: &front.title,
            section: section_title(site, page),
            topics,
            topic_text,
        };
        let blocks = |lang: &str| self.blocks.contains(lang);
        let (docs, texts) = page::build(&meta, rendered, &blocks, &self.vocab);
        let parts = texts
            .into_iter()
            .map(|(name, json)| wrap(&format!("{name}.{}", self.generation), &json))
            .collect();
        (docs, parts)
    }

    /// The dictionary, postings, topic lists and manifest for these pages.
    pub fn finish(&self, pages: &[PageDocs]) -> Vec<Part> {
        let name = format!("index.{}", self.generation);
        let Some((docs, texts)) = &self.glossary else {
            return merge::merge(pages, &self.vocab, &self.topics, &self.synonyms, &[], &name);
        };
        let mut all = pages.to_vec();
        all.push(docs.clone());
        let mut parts = merge::merge(
            &all,
            &self.vocab,
            &self.topics,
            &self.synonyms,
            &self.abbreviations,
            &name,
        );
        parts.extend(texts.iter().cloned());
        parts
    }
}

/// Whether a glossary name is written as an abbreviation: one word with two capitals or more
/// (`SLO`, `IaC`, `CI/CD`), as readers type it in place of the full name.
fn is_abbreviation(name: &str) -> bool {
    !name.contains(char::is_whitespace) && name.chars().filter(|c| c.is_uppercase()).count() >= 2
}

/// Names as the browser matches them (query units joined by spaces, see [`text::units`]), the
/// first name first, repeats left out; `None` unless two different names remain.
fn synonym_group<'a>(names: impl Iterator<Item = &'a String>) -> Option<Vec<String>> {
    let mut group: Vec<String> = Vec::new();
    for name in names {
        let units = text::units(&text::fold(name)).join(" ");
        if !units.is_empty() && !group.contains(&units) {
            group.push(units);
        }
    }
    (group.len() > 1).then_some(group)
}

/// `<kind>/<hash of payload>`.
fn content_name(kind: &str, payload: &str) -> String {
    format!(
        "{kind}/{:012x}",
        xxhash_rust::xxh3::xxh3_64(payload.as_bytes()) >> 16
    )
}

/// A part named `name` (its path under `search/` without `.js`): a script that hands its
/// payload (JSON) to the loader in `search-index.js`.
fn wrap(name: &str, payload: &str) -> Part {
    let mut text = String::with_capacity(payload.len() + name.len() + 24);
    text.push_str("guideSearchPart(\"");
    text.push_str(name);
    text.push_str("\",");
    // `<` only occurs inside JSON strings, where `\u003c` means the same: no `</script` or
    // `<!--` can then appear in the file, even if a theme inlines it.
    text.push_str(&payload.replace('<', "\\u003c"));
    text.push_str(");\n");
    Part {
        path: format!("{SEARCH}{name}.js"),
        bytes: text.into_bytes(),
    }
}

/// A page body rendered with fenced blocks dropped and links kept as written, for the index's
/// unit tests.
#[cfg(test)]
fn rendered(body: &str) -> Rendered {
    plain_rendered(body)
}

/// Markdown rendered with fenced blocks dropped and links kept as written.
fn plain_rendered(body: &str) -> Rendered {
    use crate::markdown::Plain;
    crate::markdown::render(body, 1, &Plain, &Plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compounds_are_indexed_joined_and_by_parts() {
        let vocab = vocab::Vocabulary::default();
        let meta = page::PageMeta {
            number: 0,
            url: "x.html",
            title: "On-call rotas",
            section: "",
            topics: Vec::new(),
            topic_text: String::new(),
        };
        let body = "Intro.\n\n## Follow-the-sun\n\nShops run e-commerce 24/7 with CI/CD.\n";
        let (docs, _) = page::build(&meta, &rendered(body), &|_| false, &vocab);
        let has = |doc: &page::DocTerms, stem: &str| {
            let id = vocab.stem_id(stem).unwrap_or(u32::MAX);
            doc.terms.iter().any(|&(s, _)| s == id)
        };
        let top = &docs.docs[0];
        for stem in ["oncal", "call", "rota"] {
            assert!(has(top, stem), "{stem}");
        }
        // The joined word adds no length to an exact title match: "on-call rotas" is two words.
        assert_eq!(top.title_len, 2);
        let section = &docs.docs[1];
        assert_eq!(section.heading_len, 2);
        for stem in [
            "followthesun",
            "follow",
            "sun",
            "ecommerc",
            "commerc",
            "247",
            "24",
            "7",
        ] {
            assert!(has(section, stem), "{stem}");
        }
        assert!(has(section, "cicd") && has(section, "ci") && has(section, "cd"));
    }

    #[test]
    fn abbreviations_are_one_word_with_two_capitals() {
        for name in ["SLO", "IaC", "SaaS", "CI/CD", "PRINCE2", "CD3"] {
            assert!(is_abbreviation(name), "{name}");
        }
        for name in ["capex", "3-2-1", "Runbook", "RACI chart", "A"] {
            assert!(!is_abbreviation(name), "{name}");
        }
    }

    #[test]
    fn synonym_groups_are_folded_and_need_two_names() {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            synonym_group(
                names(&[
                    "PM",
                    "Product Manager",
                    "the product manager",
                    "On-Call duty"
                ])
                .iter()
            ),
            Some(names(&["pm", "product manager", "oncall duty"]))
        );
        assert_eq!(synonym_group(names(&["SLO", "slo"]).iter()), None);
    }
}
