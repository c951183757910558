//! One generation of the served site: the prepared guide, with pages rendered on request and
//! cached, and the few site-wide files made at once. Every byte comes from the same functions as
//! `guide build`, so a served page equals the built one.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::Prepared;
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use crate::markdown::Rendered;
use crate::model::PageId;
use crate::output::Sink;
use crate::pages::{PageWriter, Sidebar};
use crate::render::Summary;
use crate::search::{PageDocs, SearchIndex};

/// Files kept in memory, by path relative to the site root.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySink {
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_owned(), bytes.to_vec());
        Ok(())
    }

    fn open(&self, path: &str) -> std::io::Result<Box<dyn std::io::Write + '_>> {
        Ok(Box::new(MemoryFile {
            sink: self,
            path: path.to_owned(),
            bytes: Vec::new(),
        }))
    }
}

struct MemoryFile<'a> {
    sink: &'a MemorySink,
    path: String,
    bytes: Vec<u8>,
}

impl std::io::Write for MemoryFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sink.write(&self.path, &self.bytes)
    }
}

/// What a path of the site resolves to.
pub enum Found {
    Bytes(Arc<Vec<u8>>),
    NotFound,
}

/// Pages' rendered Markdown kept between generations, by source path, for as long as the body
/// and the set of pages (which links resolve against) stay the same: a template change then
/// re-renders pages without parsing their Markdown again.
#[derive(Default)]
pub struct MarkdownCache {
    entries: Mutex<HashMap<String, (u64, Arc<Rendered>)>>,
}

/// Entries kept at most; the cache starts again empty when full.
const CACHED_PAGES: usize = 1024;

impl MarkdownCache {
    fn get(&self, path: &str, key: u64) -> Option<Arc<Rendered>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(path)
            .filter(|(k, _)| *k == key)
            .map(|(_, r)| r.clone())
    }

    fn put(&self, path: &str, key: u64, rendered: Arc<Rendered>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHED_PAGES {
            entries.clear();
        }
        entries.insert(path.to_owned(), (key, rendered));
    }

    /// Forgets everything (the set of pages or the fenced-block templates changed).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The hash of a page's Markdown and where it starts in its file: what its rendering depends on
/// besides the set of pages.
pub fn body_key(prepared: &Prepared, page: PageId) -> u64 {
    let source = prepared.site.page_source(page);
    xxhash_rust::xxh3::xxh3_64(source.body.as_bytes()) ^ (source.body_line as u64).rotate_left(48)
}

/// What checking one page found.
pub struct PageCheck {
    pub summary: Summary,
    pub diagnostics: Vec<Diagnostic>,
    pub docs: Option<PageDocs>,
    /// Whether its Markdown was parsed (rather than taken from the cache).
    pub parsed: bool,
}

/// Site-wide files by path, and the errors met making them.
type SiteFiles = (BTreeMap<String, Arc<Vec<u8>>>, Vec<Diagnostic>);

/// A generation of the site being served.
pub struct Generation {
    pub id: u64,
    pub prepared: Prepared,
    pub highlighter: Arc<Highlighter>,
    pub search: Option<SearchIndex>,
    sidebars: Arc<Vec<Sidebar>>,
    pages: Arc<HashMap<String, PageId>>,
    /// Site-wide files (topics, tracks, 404, assets...) and the errors met making them.
    files: OnceLock<SiteFiles>,
    /// The merged search index files (manifest, dictionary, postings, topics), once made.
    search_files: OnceLock<HashMap<String, Arc<Vec<u8>>>>,
    /// Files of the content folder that pages may link to, by output path.
    content_files: Arc<HashMap<String, PathBuf>>,
    markdown: Arc<MarkdownCache>,
    rendered: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    print: Mutex<Option<Arc<Vec<u8>>>>,
}

impl Generation {
    /// Makes a generation of a prepared guide; pages are left for requests. `search` is the
    /// previous generation's index, whose word numbers the new one keeps. `same_shape` is a
    /// generation of the same pages, titles and theme (only bodies changed): its sidebars and
    /// list of the content folder's other files are reused, and the site-wide files are made
    /// when first asked for. Otherwise they are made now, and their errors returned.
    pub fn new(
        id: u64,
        prepared: Prepared,
        highlighter: Arc<Highlighter>,
        content_dir: &Path,
        markdown: Arc<MarkdownCache>,
        search: Option<&SearchIndex>,
        same_shape: Option<&Generation>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let sidebars = match same_shape {
            Some(g) => g.sidebars.clone(),
            None => Arc::new(
                prepared
                    .writer(&highlighter)
                    .sidebars()
                    .map_err(|d| vec![d])?,
            ),
        };
        let pages = match same_shape {
            Some(g) => g.pages.clone(),
            None => Arc::new(
                prepared
                    .site
                    .reading_order()
                    .into_iter()
                    .map(|p| (prepared.site.page_url(p).to_owned(), p))
                    .collect(),
            ),
        };
        let mut prepared = prepared;
        let search = prepared.config.search.enabled.then(|| {
            let (site, config) = (&prepared.site, &prepared.config);
            let (blocks, topics) = (&prepared.theme.blocks, &prepared.crossrefs.topics);
            match search {
                Some(old) => old.renewed(site, config, blocks, topics),
                None => SearchIndex::new(site, config, blocks, topics),
            }
        });
        if let Some(search) = &search {
            // The same name `set_globals` gives; set again for a guide whose bodies were
            // replaced since.
            let manifest = search.manifest_path();
            prepared
                .theme
                .tera
                .global_context()
                .insert("search_index", &manifest);
        }
        let generation = Self {
            id,
            sidebars,
            pages,
            files: OnceLock::new(),
            search_files: OnceLock::new(),
            content_files: match same_shape {
                Some(g) => g.content_files.clone(),
                None => Arc::new(content_files(content_dir)),
            },
            markdown,
            search,
            prepared,
            highlighter,
            rendered: Mutex::new(HashMap::new()),
            print: Mutex::new(None),
        };
        if same_shape.is_none() {
            let errors = &generation.site_files().1;
            if !errors.is_empty() {
                return Err(errors.clone());
            }
        }
        Ok(generation)
    }

    /// Makes the site-wide files now if they are not made yet (after a swap, so that the
    /// first request for one does not wait).
    pub fn warm(&self) {
        self.site_files();
    }

    /// The site-wide files (topic and track pages, 404, sitemap, assets), made on first use,
    /// with the errors met making them.
    fn site_files(&self) -> &SiteFiles {
        self.files.get_or_init(|| {
            let writer = self.writer();
            let sink = MemorySink::default();
            let mut errors = Vec::new();
            if let Err(e) = writer.write_crossref_pages(&sink) {
                errors.push(e);
            }
            for result in [
                writer.write_404(&sink),
                writer.write_sitemap(&sink),
                writer.write_assets(&sink),
            ] {
                if let Err(e) = result {
                    errors.push(e);
                }
            }
            let files = sink
                .into_files()
                .into_iter()
                .map(|(k, v)| (k, Arc::new(v)))
                .collect();
            (files, errors)
        })
    }

    /// A page's Markdown, rendered (or taken from the cache), with its problems.
    fn markdown(&self, w: &PageWriter<'_>, page: PageId) -> (Arc<Rendered>, Vec<Diagnostic>) {
        self.markdown_parsed(w, page).0
    }

    /// As [`Self::markdown`], and whether the Markdown was parsed.
    fn markdown_parsed(
        &self,
        w: &PageWriter<'_>,
        page: PageId,
    ) -> ((Arc<Rendered>, Vec<Diagnostic>), bool) {
        let path = &self.prepared.site.page_source(page).path;
        let key = body_key(&self.prepared, page);
        if let Some(rendered) = self.markdown.get(path, key) {
            return ((rendered, Vec::new()), false);
        }
        let (rendered, diags) = w.markdown.render(page);
        let rendered = Arc::new(rendered);
        if diags.is_empty() {
            self.markdown.put(path, key, rendered.clone());
        }
        ((rendered, diags), true)
    }

    /// Renders one page (Markdown, then template) and keeps its HTML for requests.
    fn render_html(
        &self,
        w: &PageWriter<'_>,
        page: PageId,
        rendered: &Rendered,
    ) -> Result<Arc<Vec<u8>>, Diagnostic> {
        let html = Arc::new(w.page_html(page, rendered, &self.sidebars)?.into_bytes());
        self.rendered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(self.prepared.site.page_url(page).to_owned(), html.clone());
        Ok(html)
    }

    /// Renders a page as a build does and reports all it found: its problems, the summary
    /// that anchors are checked against and its part of the search index. The HTML is kept for
    /// requests when `keep` (a few edited pages, not a check of the whole guide).
    pub fn check_page(&self, w: &PageWriter<'_>, page: PageId, keep: bool) -> PageCheck {
        let ((rendered, mut diagnostics), parsed) = self.markdown_parsed(w, page);
        let html = if keep {
            self.render_html(w, page, &rendered).map(drop)
        } else {
            w.page_html(page, &rendered, &self.sidebars).map(drop)
        };
        if let Err(d) = html {
            diagnostics.push(d);
        }
        let docs = self
            .search
            .as_ref()
            .map(|s| s.page(&self.prepared.site, page, &rendered).0);
        PageCheck {
            summary: Summary::of(&rendered),
            diagnostics,
            docs,
            parsed,
        }
    }

    /// Renders a page's template only (its Markdown from the cache when there), to find
    /// template errors.
    pub fn check_template(&self, w: &PageWriter<'_>, page: PageId) -> Vec<Diagnostic> {
        let (rendered, _) = self.markdown(w, page);
        self.render_html(w, page, &rendered)
            .err()
            .into_iter()
            .collect()
    }

    /// Whether the merged search index files are made.
    pub fn has_search_files(&self) -> bool {
        self.search_files.get().is_some()
    }

    /// Makes the merged search index from this generation's own pages: for a served generation
    /// whose kept page checks a later, refused generation has already replaced.
    pub fn make_search_files(&self) {
        let Some(search) = &self.search else {
            return;
        };
        let site = &self.prepared.site;
        let docs: Vec<PageDocs> = site
            .reading_order()
            .par_iter()
            .map_init(
                || self.writer(),
                |w, &page| search.page(site, page, &self.markdown(w, page).0).0,
            )
            .collect();
        self.set_search_files(search.finish(&docs));
    }

    /// Sets the merged search index files.
    pub fn set_search_files(&self, parts: Vec<crate::search::Part>) {
        let _ = self.search_files.set(
            parts
                .into_iter()
                .map(|p| (p.path, Arc::new(p.bytes)))
                .collect(),
        );
    }

    /// A page writer over this generation's guide.
    pub fn writer(&self) -> PageWriter<'_> {
        self.prepared.writer(&self.highlighter)
    }

    /// The page at `url`, if it is one.
    pub fn page_at(&self, url: &str) -> Option<PageId> {
        self.pages.get(url).copied()
    }

    /// The bytes of the file at `path` (relative to the site root), rendering it if needed.
    pub fn get(&self, path: &str) -> Found {
        let site_wide = path == "404.html"
            || path == "sitemap.xml"
            || path.starts_with("topics/")
            || path.starts_with("tracks/");
        if site_wide && let Some(bytes) = self.site_files().0.get(path) {
            return Found::Bytes(bytes.clone());
        }
        if let Some(asset) = self
            .prepared
            .theme
            .assets
            .values()
            .find(|a| a.out_path == path)
        {
            return Found::Bytes(Arc::new(asset.bytes.clone()));
        }
        if let Some(bytes) = self.cached(path) {
            return Found::Bytes(bytes);
        }
        if let Some(page) = self.page_at(path) {
            let w = self.writer();
            let (rendered, _) = self.markdown(&w, page);
            return match self.render_html(&w, page, &rendered) {
                Ok(bytes) => Found::Bytes(bytes),
                Err(_) => Found::NotFound,
            };
        }
        if path == "print.html" {
            return match self.print() {
                Some(bytes) => Found::Bytes(bytes),
                None => Found::NotFound,
            };
        }
        if let Some(rest) = path.strip_prefix("search/") {
            return self.search_file(path, rest);
        }
        if let Some(disk) = self.content_files.get(path) {
            return match std::fs::read(disk) {
                Ok(bytes) => Found::Bytes(Arc::new(bytes)),
                Err(_) => Found::NotFound,
            };
        }
        Found::NotFound
    }

    /// A file of the search index: a page's text part (made from the page when asked for) or
    /// a merged file (waiting for the first merge, made in the background at the start).
    fn search_file(&self, path: &str, rest: &str) -> Found {
        let Some(search) = &self.search else {
            return Found::NotFound;
        };
        if let Some(name) = rest.strip_prefix("t/") {
            let number = name.split(['-', '.']).next().and_then(|n| n.parse().ok());
            let Some(page) = number.and_then(|n| self.page_numbered(n)) else {
                return Found::NotFound;
            };
            let (rendered, _) = self.markdown(&self.writer(), page);
            let (_, parts) = search.page(&self.prepared.site, page, &rendered);
            return match parts.into_iter().find(|p| p.path == path) {
                Some(part) => Found::Bytes(Arc::new(part.bytes)),
                None => Found::NotFound,
            };
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(files) = self.search_files.get() {
                return files
                    .get(path)
                    .map_or(Found::NotFound, |b| Found::Bytes(b.clone()));
            }
            if std::time::Instant::now() > deadline {
                return Found::NotFound;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn page_numbered(&self, number: u32) -> Option<PageId> {
        let site = &self.prepared.site;
        let n = number as usize;
        let page = if n < site.sections.len() {
            PageId::Section(crate::model::SectionId(n))
        } else if n - site.sections.len() < site.lessons.len() {
            PageId::Lesson(crate::model::LessonId(n - site.sections.len()))
        } else {
            return None;
        };
        self.page_at(site.page_url(page)).map(|_| page)
    }

    fn cached(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        self.rendered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned()
    }

    /// `print.html` needs every page: made on the first request for it.
    fn print(&self) -> Option<Arc<Vec<u8>>> {
        let mut print = self.print.lock().unwrap_or_else(|e| e.into_inner());
        if print.is_none() {
            let sink = MemorySink::default();
            let mut config = self.prepared.config.clone();
            config.search.enabled = false;
            let writer = crate::pages::PageWriter {
                config: &config,
                ..self.prepared.writer(&self.highlighter)
            };
            let _ = writer.write_all(&sink, &|| {});
            *print = sink.into_files().remove("print.html").map(Arc::new);
        }
        print.clone()
    }
}

/// Every non-Markdown file of the content folder by the output path links to it resolve to.
fn content_files(content_dir: &Path) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    let Ok(content_dir) = std::fs::canonicalize(content_dir) else {
        return out;
    };
    let content_dir = content_dir.as_path();
    for entry in walkdir::WalkDir::new(content_dir)
        .follow_links(true)
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() || entry.path().extension().is_some_and(|x| x == "md") {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(content_dir) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.split('/').any(crate::load::is_ignored_name) {
            continue;
        }
        match std::fs::canonicalize(entry.path()) {
            Ok(real) if real.starts_with(content_dir) => {
                out.insert(crate::links::asset_url(&rel), real);
            }
            _ => {}
        }
    }
    out
}
