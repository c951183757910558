//! One generation of the served site: the prepared guide, with pages rendered on request and
//! cached, and the few site-wide files made at once. Every byte comes from the same functions as
//! `guide build`, so a served page equals the built one.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::Prepared;
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use crate::model::PageId;
use crate::output::{NullSink, Sink};
use crate::pages::Sidebar;

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

/// A generation of the site being served.
pub struct Generation {
    pub id: u64,
    pub prepared: Prepared,
    pub highlighter: Arc<Highlighter>,
    sidebars: Vec<Sidebar>,
    pages: HashMap<String, PageId>,
    /// Site-wide files made when the generation is created (topics, tracks, 404, assets...).
    files: BTreeMap<String, Arc<Vec<u8>>>,
    /// Files of the content folder that pages may link to, by output path.
    content_files: HashMap<String, PathBuf>,
    rendered: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    print: Mutex<Option<Arc<Vec<u8>>>>,
}

impl Generation {
    /// Makes the site-wide files of a prepared guide; pages are left for requests.
    pub fn new(
        id: u64,
        prepared: Prepared,
        highlighter: Arc<Highlighter>,
        content_dir: &Path,
    ) -> Result<Self, Vec<Diagnostic>> {
        let writer = prepared.writer(&highlighter);
        let sidebars = writer.sidebars().map_err(|d| vec![d])?;
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
        if !errors.is_empty() {
            return Err(errors);
        }
        let pages = writer
            .order
            .pages()
            .iter()
            .map(|&p| (prepared.site.page_url(p).to_owned(), p))
            .collect();
        drop(writer);
        let files = sink
            .into_files()
            .into_iter()
            .map(|(k, v)| (k, Arc::new(v)))
            .collect();
        Ok(Self {
            id,
            sidebars,
            pages,
            files,
            content_files: content_files(content_dir),
            prepared,
            highlighter,
            rendered: Mutex::new(HashMap::new()),
            print: Mutex::new(None),
        })
    }

    /// Renders one page (Markdown, then template), reporting its problems.
    pub fn render_page(&self, page: PageId) -> (Option<Vec<u8>>, Vec<Diagnostic>) {
        let writer = self.prepared.writer(&self.highlighter);
        let (rendered, mut diags) = writer.markdown.render(page);
        match writer.page_html(page, &rendered, &self.sidebars) {
            Ok(html) => (Some(html.into_bytes()), diags),
            Err(d) => {
                diags.push(d);
                (None, diags)
            }
        }
    }

    /// The page at `url`, if it is one.
    pub fn page_at(&self, url: &str) -> Option<PageId> {
        self.pages.get(url).copied()
    }

    /// The bytes of the file at `path` (relative to the site root), rendering it if needed.
    pub fn get(&self, path: &str) -> Found {
        if let Some(bytes) = self.files.get(path) {
            return Found::Bytes(bytes.clone());
        }
        if let Some(bytes) = self.cached(path) {
            return Found::Bytes(bytes);
        }
        if let Some(page) = self.page_at(path) {
            return match self.render_page(page).0 {
                Some(bytes) => {
                    let bytes = Arc::new(bytes);
                    self.rendered
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(path.to_owned(), bytes.clone());
                    Found::Bytes(bytes)
                }
                None => Found::NotFound,
            };
        }
        if path == "print.html" {
            return match self.print() {
                Some(bytes) => Found::Bytes(bytes),
                None => Found::NotFound,
            };
        }
        if let Some(disk) = self.content_files.get(path) {
            return match std::fs::read(disk) {
                Ok(bytes) => Found::Bytes(Arc::new(bytes)),
                Err(_) => Found::NotFound,
            };
        }
        Found::NotFound
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
            let _ = self
                .prepared
                .writer(&self.highlighter)
                .write_all(&sink, &|| {});
            *print = sink.into_files().remove("print.html").map(Arc::new);
        }
        print.clone()
    }

    /// Renders every page into nothing to find every problem of the guide.
    pub fn check_all(&self) -> Vec<Diagnostic> {
        let mut diags = self.prepared.diagnostics.0.clone();
        diags.extend(
            self.prepared
                .writer(&self.highlighter)
                .write_all(&NullSink, &|| {})
                .diagnostics,
        );
        diags
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
