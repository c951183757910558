//! One generation of the served site: the prepared guide and its table of outputs, with pages
//! rendered on request and cached, and the site-wide files made at once. Every byte comes from
//! the same functions as `guide build`, so a served page equals the built one.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use rayon::prelude::*;

use super::cache::{MarkdownCache, body_key};
use crate::Prepared;
use crate::diagnostics::Diagnostic;
use crate::emit::{Written, write_output};
use crate::highlight::Highlighter;
use crate::markdown::Rendered;
use crate::model::PageId;
use crate::output::MemorySink;
use crate::outputs::{Output, Outputs};
use crate::pages::PageWriter;
use crate::print::Spool;
use crate::render::Summary;
use crate::search::{PageDocs, SearchIndex};
use crate::site_files::print_placeholder;

/// How long a request for a file of the merged search index waits for the first merge.
const SEARCH_WAIT: Duration = Duration::from_secs(60);

/// What a path of the site resolves to.
pub enum Found {
    Bytes(Arc<Vec<u8>>),
    /// `print.html`: too large to hold, streamed from its page bodies on disk.
    Streamed(Arc<Printed>),
    Missing,
}

/// `print.html` of a generation: its template's output and the page bodies spooled to a
/// temporary file, streamed into it for each request.
pub struct Printed {
    html: String,
    spool: Spool,
}

impl Printed {
    /// The HTML around the page bodies, to be decorated before streaming.
    pub fn template(&self) -> &str {
        &self.html
    }

    /// Writes `template` (this page's template output, maybe decorated) with the page bodies
    /// in place.
    pub fn stream(&self, template: &str, out: &mut dyn io::Write) -> io::Result<()> {
        self.spool.stream(template, print_placeholder, out)
    }

    /// How many bytes [`Self::stream`] writes for `template`, from the spool's lengths alone.
    pub fn len(&self, template: &str) -> u64 {
        self.spool.streamed_len(template, print_placeholder)
    }
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

/// Files by path.
type Files = Arc<HashMap<String, Arc<Vec<u8>>>>;

/// The merged search index files, by path: set once, waited for by requests.
#[derive(Default)]
struct SearchFiles {
    files: Mutex<Option<Files>>,
    merged: Condvar,
}

impl SearchFiles {
    fn get(&self) -> Option<Files> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sets the files unless they are set, and wakes the requests waiting for them.
    fn set(&self, files: HashMap<String, Arc<Vec<u8>>>) {
        let mut slot = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(Arc::new(files));
            self.merged.notify_all();
        }
    }

    /// The files, once merged, or `None` after `timeout`.
    fn wait(&self, timeout: Duration) -> Option<Files> {
        let slot = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let (slot, _) = self
            .merged
            .wait_timeout_while(slot, timeout, |files| files.is_none())
            .unwrap_or_else(|e| e.into_inner());
        slot.clone()
    }
}

/// A generation of the site being served.
pub struct Generation {
    pub id: u64,
    pub prepared: Prepared,
    pub highlighter: Arc<Highlighter>,
    pub search: Option<SearchIndex>,
    outputs: Arc<Outputs>,
    /// Site-wide files (topics, tracks, 404, assets...) and the errors met making them.
    files: OnceLock<SiteFiles>,
    search_files: SearchFiles,
    /// Files of the content folder that pages may link to, by output path.
    content_files: Arc<HashMap<String, PathBuf>>,
    markdown: Arc<MarkdownCache>,
    rendered: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    print: Mutex<Option<Arc<Printed>>>,
}

impl Generation {
    /// Makes a generation of a prepared guide; pages are left for requests. `search` is the
    /// previous generation's index, whose word numbers the new one keeps. `same_shape` is a
    /// generation of the same pages, titles and theme (only bodies changed): its table of
    /// outputs and list of the content folder's other files are reused, and the site-wide
    /// files are made when first asked for. Otherwise they are made now, and their errors
    /// returned.
    pub fn new(
        id: u64,
        prepared: Prepared,
        highlighter: Arc<Highlighter>,
        content_dir: &Path,
        markdown: Arc<MarkdownCache>,
        search: Option<&SearchIndex>,
        same_shape: Option<&Generation>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let search = prepared.config.search.enabled.then(|| {
            let (site, config) = (&prepared.site, &prepared.config);
            let (blocks, topics) = (&prepared.theme.blocks, &prepared.crossrefs.topics);
            match search {
                Some(old) => old.renewed(site, config, blocks, topics),
                None => SearchIndex::new(site, config, blocks, topics),
            }
            .with_glossary(site, &prepared.crossrefs.glossary)
        });
        let generation = Self {
            id,
            outputs: match same_shape {
                Some(g) => g.outputs.clone(),
                None => Arc::new(Outputs::new(&prepared)),
            },
            files: OnceLock::new(),
            search_files: SearchFiles::default(),
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

    /// The site-wide files of the table of outputs but `print.html` (which needs every page),
    /// made on first use, with the errors met making them.
    fn site_files(&self) -> &SiteFiles {
        self.files.get_or_init(|| {
            let writer = self.writer();
            let sink = MemorySink::default();
            let written = Written::new(&sink);
            let errors = (self.outputs.site_wide())
                .filter_map(|(url, output)| {
                    write_output(&writer, &self.outputs, url, output, &written, None).err()
                })
                .collect();
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
        let html = Arc::new(w.page_html(page, rendered)?.into_bytes());
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
            w.page_html(page, &rendered).map(drop)
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
        let docs: Vec<PageDocs> = self
            .outputs
            .pages()
            .par_iter()
            .map_init(
                || self.writer(),
                |w, &page| search.page(site, page, &self.markdown(w, page).0).0,
            )
            .collect();
        self.set_search_files(search.finish(&docs));
    }

    /// Sets the merged search index files, and wakes the requests waiting for them.
    pub fn set_search_files(&self, parts: Vec<crate::search::Part>) {
        self.search_files.set(
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

    /// The bytes of the file at `path` (relative to the site root), rendering it if needed:
    /// what the table of outputs says is there.
    pub fn get(&self, path: &str) -> Found {
        if let Some(bytes) = self.cached(path) {
            return Found::Bytes(bytes);
        }
        let found = |bytes: Option<Arc<Vec<u8>>>| bytes.map_or(Found::Missing, Found::Bytes);
        match self.outputs.find(&self.prepared.site, path) {
            Output::Page(page) => {
                let w = self.writer();
                let (rendered, _) = self.markdown(&w, page);
                found(self.render_html(&w, page, &rendered).ok())
            }
            Output::Print => self.print().map_or(Found::Missing, Found::Streamed),
            Output::SearchText(page) => found(self.search_text(page, path)),
            Output::SearchIndex(_) => found(
                self.search_files
                    .wait(SEARCH_WAIT)
                    .and_then(|files| files.get(path).cloned()),
            ),
            Output::ContentFile(_) => found(
                (self.content_files.get(path))
                    .and_then(|disk| std::fs::read(disk).ok())
                    .map(Arc::new),
            ),
            Output::TopicsIndex
            | Output::Topic(_)
            | Output::Track(_)
            | Output::Glossary
            | Output::NotFound
            | Output::Sitemap
            | Output::Asset(_) => found(self.site_files().0.get(path).cloned()),
        }
    }

    /// A page's search text file at `path`, made from the page.
    fn search_text(&self, page: PageId, path: &str) -> Option<Arc<Vec<u8>>> {
        let search = self.search.as_ref()?;
        let (rendered, _) = self.markdown(&self.writer(), page);
        let (_, parts) = search.page(&self.prepared.site, page, &rendered);
        let part = parts.into_iter().find(|p| p.path == path)?;
        Some(Arc::new(part.bytes))
    }

    fn cached(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        self.rendered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned()
    }

    /// `print.html` needs every page: its bodies are spooled on the first request for it, as a
    /// build spools them.
    fn print(&self) -> Option<Arc<Printed>> {
        let mut print = self.print.lock().unwrap_or_else(|e| e.into_inner());
        if print.is_none() {
            let pages = self.outputs.pages();
            let spool = Spool::new(pages.len()).ok()?;
            let spooled: io::Result<()> = pages
                .par_iter()
                .enumerate()
                .map_init(
                    || self.writer(),
                    |w, (position, &page)| {
                        let (rendered, _) = self.markdown(w, page);
                        let key = crate::nav::page_key(page);
                        let title = &w.site.page_front(page).title;
                        spool.put(position, &crate::print::body(&rendered.html, &key, title))
                    },
                )
                .collect();
            spooled.ok()?;
            let html = self.writer().print_html().ok()?;
            *print = Some(Arc::new(Printed { html, spool }));
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
