//! The table of outputs: every kind of file a site has, with its URL. `build` walks it to write
//! the site ([`crate::emit`]); `guide serve` answers a request by looking its URL up in it. A new
//! kind of output is a variant here, its URL in [`Outputs::new`] or [`Outputs::find`], and its
//! rendering in [`crate::emit`] — nowhere else.
//!
//! URLs are relative to the site root. When a guide has several languages, each language's table
//! is this one under the language's folder.

use std::collections::HashMap;

use crate::Prepared;
use crate::model::{PageId, Site};

/// The page that lists every topic.
pub(crate) const TOPICS_INDEX: &str = "topics/index.html";
/// The styled "page not found", served for every missing URL.
pub(crate) const NOT_FOUND: &str = "404.html";
/// The glossary page, when the guide has a glossary.
pub(crate) const GLOSSARY: &str = "glossary.html";
/// The whole guide on one page.
pub(crate) const PRINT: &str = "print.html";
/// The sitemap, written when `site-url` is set.
pub(crate) const SITEMAP: &str = "sitemap.xml";
/// The folder of the search index's files.
pub(crate) const SEARCH: &str = "search/";
/// The folder of the pages' search texts, inside [`SEARCH`] (`search::page` names them `t/…`).
pub(crate) const SEARCH_TEXTS: &str = "search/t/";
/// Content folders whose URLs the topic and track pages own.
pub(crate) const RESERVED_FOLDERS: [&str; 2] = ["topics/", "tracks/"];

/// The URL of a topic's page.
pub(crate) fn topic_url(slug: &str) -> String {
    format!("topics/{}.html", crate::load::url_name(slug))
}

/// The URL of a learning track's page.
pub(crate) fn track_url(slug: &str) -> String {
    format!("tracks/{}.html", crate::load::url_name(slug))
}

/// One file (or, for the search index, one family of files) of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Output {
    /// A lesson's or a section's page (the root section's is `index.html`).
    Page(PageId),
    /// [`TOPICS_INDEX`], when the guide has topics.
    TopicsIndex,
    /// A topic's page, by its place in `Topics::list`.
    Topic(usize),
    /// A learning track's page, by its place in `Crossrefs::tracks`.
    Track(usize),
    /// [`GLOSSARY`], when the guide has a glossary.
    Glossary,
    /// [`NOT_FOUND`].
    NotFound,
    /// [`PRINT`].
    Print,
    /// [`SITEMAP`], when `site-url` is set.
    Sitemap,
    /// A static file of the theme, by its name in `Theme::assets` (`css/tokens.css`).
    Asset(String),
    /// A file of the content folder that a page links to, by its URL.
    ContentFile(String),
    /// The search texts of a page (`search/t/<page>-<part>.<gen>.js`); a build makes them with
    /// the page, whose rendered Markdown they come from.
    SearchText(PageId),
    /// The merged search index (manifest, dictionary shards, postings, topic lists), made from
    /// every page's words; one file by URL.
    SearchIndex(String),
}

/// The table of one guide's outputs with a fixed URL, and the rules for the others.
pub(crate) struct Outputs {
    /// Pages in reading order.
    pages: Vec<PageId>,
    /// Every output with a fixed URL, in the order a build writes and a sitemap lists them.
    fixed: Vec<(String, Output)>,
    by_url: HashMap<String, usize>,
    search: bool,
}

impl Outputs {
    pub(crate) fn new(prepared: &Prepared) -> Self {
        let site = &prepared.site;
        let pages = site.reading_order();
        let mut fixed: Vec<(String, Output)> = pages
            .iter()
            .map(|&p| (site.page_url(p).to_owned(), Output::Page(p)))
            .collect();
        let topics = &prepared.crossrefs.topics.list;
        if !topics.is_empty() {
            fixed.push((TOPICS_INDEX.to_owned(), Output::TopicsIndex));
        }
        fixed.extend(
            topics
                .iter()
                .enumerate()
                .map(|(i, t)| (t.url.clone(), Output::Topic(i))),
        );
        fixed.extend(
            (prepared.crossrefs.tracks.iter().enumerate())
                .map(|(i, t)| (t.url.clone(), Output::Track(i))),
        );
        if !prepared.crossrefs.glossary.is_empty() {
            fixed.push((GLOSSARY.to_owned(), Output::Glossary));
        }
        fixed.push((NOT_FOUND.to_owned(), Output::NotFound));
        fixed.push((PRINT.to_owned(), Output::Print));
        if !prepared.config.site_url().is_empty() {
            fixed.push((SITEMAP.to_owned(), Output::Sitemap));
        }
        fixed.extend(
            (prepared.theme.assets.iter())
                .map(|(name, asset)| (asset.out_path.clone(), Output::Asset(name.clone()))),
        );
        let mut by_url = HashMap::with_capacity(fixed.len());
        for (i, (url, _)) in fixed.iter().enumerate() {
            by_url.entry(url.clone()).or_insert(i);
        }
        Self {
            pages,
            fixed,
            by_url,
            search: prepared.config.search.enabled,
        }
    }

    /// The lesson and section pages, in reading order.
    pub(crate) fn pages(&self) -> &[PageId] {
        &self.pages
    }

    /// The outputs with a fixed URL that are not pages, in the order a build writes them.
    pub(crate) fn site_wide(&self) -> impl Iterator<Item = (&str, &Output)> {
        self.fixed[self.pages.len()..]
            .iter()
            .map(|(url, o)| (url.as_str(), o))
    }

    /// The URLs a sitemap lists: the pages in reading order, then the topic and track pages
    /// and the glossary.
    pub(crate) fn sitemap_urls(&self) -> impl Iterator<Item = &str> {
        self.fixed
            .iter()
            .filter(|(_, o)| {
                matches!(
                    o,
                    Output::Page(_)
                        | Output::TopicsIndex
                        | Output::Topic(_)
                        | Output::Track(_)
                        | Output::Glossary
                )
            })
            .map(|(url, _)| url.as_str())
    }

    /// What the file at `url` is. Any URL no other output claims may be a file of the content
    /// folder; whoever serves it checks that there is one.
    pub(crate) fn find(&self, site: &Site, url: &str) -> Output {
        if let Some(&i) = self.by_url.get(url) {
            return self.fixed[i].1.clone();
        }
        if self.search
            && let Some(name) = url.strip_prefix(SEARCH_TEXTS)
            && let Some(page) = search_text_page(site, name)
        {
            return Output::SearchText(page);
        }
        if self.search && url.starts_with(SEARCH) {
            return Output::SearchIndex(url.to_owned());
        }
        Output::ContentFile(url.to_owned())
    }
}

/// The page whose search texts `name` (`<page>-<part>.<gen>.js`) holds.
fn search_text_page(site: &Site, name: &str) -> Option<PageId> {
    let number = name.split(['-', '.']).next()?.parse().ok()?;
    crate::search::numbered_page(site, number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{Written, write_site};
    use crate::highlight::Highlighter;
    use crate::output::MemorySink;

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "book.toml",
            "[book]\ntitle = \"T\"\n[build]\nsite-url = \"https://example.org/g/\"\n\
             [topics.ops]\ntitle = \"Ops\"\n\
             [tracks.start]\ntitle = \"Start\"\nlessons = [\"a/one.md\", \"a/two.md\"]\n",
        );
        write("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHello.\n");
        write("content/a/_index.md", "+++\ntitle = \"A\"\n+++\n");
        write(
            "content/a/one.md",
            "+++\ntitle = \"One\"\ntopics = [\"ops\"]\n+++\n## Part\n\n[two](two.md) ![d](diagram.svg)\n",
        );
        write(
            "content/a/two.md",
            "+++\ntitle = \"Two\"\ntopics = [\"ops\"]\n+++\nText.\n",
        );
        write(
            "content/a/diagram.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
        dir
    }

    /// The table and the files a build writes agree: each file is found as the kind of output
    /// that made it, and each output with a fixed URL is written.
    #[test]
    fn every_file_a_build_writes_is_in_the_table() {
        let dir = fixture();
        let root = dir.path();
        let config = crate::config::Config::load(root).unwrap();
        let highlighter = Highlighter::new();
        let prepared = crate::prepare(
            root,
            config,
            false,
            &highlighter,
            &mut crate::Stopwatch::new(),
        )
        .unwrap();
        assert!(
            !prepared.diagnostics.has_errors(),
            "{:?}",
            prepared.diagnostics
        );
        let outputs = Outputs::new(&prepared);
        let sink = MemorySink::default();
        let written = Written::new(&sink);
        let diagnostics = write_site(&prepared.writer(&highlighter), &outputs, &written, &|| {});
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let count = written.files();
        drop(written);
        let files = sink.into_files();
        assert_eq!(count, files.len());

        let site = &prepared.site;
        let mut kinds = std::collections::BTreeMap::new();
        for url in files.keys() {
            let kind = match outputs.find(site, url) {
                Output::Page(_) => "page",
                Output::TopicsIndex => "topics index",
                Output::Topic(_) => "topic",
                Output::Track(_) => "track",
                Output::Glossary => "glossary",
                Output::NotFound => "404",
                Output::Print => "print",
                Output::Sitemap => "sitemap",
                Output::Asset(_) => "asset",
                Output::ContentFile(_) => {
                    assert!(root.join("content").join(url).is_file(), "{url}");
                    "content file"
                }
                Output::SearchText(_) => "search text",
                Output::SearchIndex(_) => "search index",
            };
            *kinds.entry(kind).or_insert(0) += 1;
        }
        let count = |kind: &str| kinds.get(kind).copied().unwrap_or(0);
        assert_eq!(count("page"), 4, "{kinds:?}");
        for kind in ["topics index", "topic", "track", "404", "print", "sitemap"] {
            assert_eq!(count(kind), 1, "{kind}: {kinds:?}");
        }
        assert_eq!(count("content file"), 1, "{kinds:?}");
        assert!(
            count("asset") >= 3 && count("search text") >= 4,
            "{kinds:?}"
        );
        assert!(count("search index") >= 3, "{kinds:?}");
        for (url, _) in outputs.site_wide() {
            assert!(
                files.contains_key(url),
                "{url} is in the table but not written"
            );
        }
        let sitemap = String::from_utf8_lossy(&files[SITEMAP]).into_owned();
        for url in outputs.sitemap_urls() {
            assert!(sitemap.contains(url), "{url} missing from the sitemap");
        }
    }
}
