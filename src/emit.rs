//! Writing a site by walking its table of outputs ([`crate::outputs`]): the pages in parallel,
//! each rendered, templated and written at once with its search texts and its body spooled for
//! `print.html`; then every other output, each rendered by [`write_output`], which `guide serve`
//! uses too.
//!
//! Files go through [`Written`], which counts them and keeps the first failure: a full disk or an
//! unwritable folder stops the build and is reported once, not once per file.

use std::collections::HashMap;
use std::io::{self, Write as _};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::PageId;
use crate::output::Sink;
use crate::outputs::{Output, Outputs, PRINT};
use crate::pages::PageWriter;
use crate::print::Spool;
use crate::render::Summary;
use crate::search::{PageDocs, SearchIndex};
use crate::site_files;

/// A sink that counts the files written through it and keeps the first write that failed;
/// once one has, every later write fails at once, so the build stops instead of repeating it.
pub struct Written<'a> {
    sink: &'a dyn Sink,
    files: AtomicUsize,
    failure: OnceLock<(String, io::Error)>,
}

impl<'a> Written<'a> {
    pub fn new(sink: &'a dyn Sink) -> Self {
        Self {
            sink,
            files: AtomicUsize::new(0),
            failure: OnceLock::new(),
        }
    }

    /// Files written so far.
    pub fn files(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }

    /// The first write that failed: the file's path and why.
    pub fn failure(&self) -> Option<&(String, io::Error)> {
        self.failure.get()
    }

    fn failed(&self) -> bool {
        self.failure.get().is_some()
    }

    /// Keeps `error` as the failure if it is the first.
    fn record(&self, path: &str, error: io::Error) {
        let _ = self.failure.set((path.to_owned(), error));
    }

    /// Writes a file; a failure is kept, not returned.
    pub(crate) fn put(&self, path: &str, bytes: &[u8]) {
        if self.failed() {
            return;
        }
        match self.sink.write(path, bytes) {
            Ok(()) => {
                self.files.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => self.record(path, e),
        }
    }

    /// Streams a file through `fill`; a failure is kept, not returned.
    fn stream(&self, path: &str, fill: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) {
        if self.failed() {
            return;
        }
        let streamed = self.sink.open(path).and_then(|file| {
            let mut out = io::BufWriter::new(file);
            fill(&mut out)?;
            out.flush()
        });
        match streamed {
            Ok(()) => {
                self.files.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => self.record(path, e),
        }
    }
}

/// Writes every output of the site; returns every problem found (a guide with errors is still
/// rendered in full, into nothing, so that all are reported). Once a write has failed, nothing
/// more is rendered: the failure is the one thing to report (see [`Written::failure`]).
pub fn write_site(
    writer: &PageWriter<'_>,
    outputs: &Outputs,
    out: &Written<'_>,
    tick: &(dyn Fn() + Sync),
) -> Vec<Diagnostic> {
    let pages = outputs.pages();
    let spool = match Spool::new(pages.len()) {
        Ok(spool) => spool,
        Err(e) => {
            return vec![Diagnostic::error(
                PRINT,
                format!("cannot create a temporary file: {e}"),
            )];
        }
    };
    let search = writer.config.search.enabled.then(|| {
        SearchIndex::new(
            writer.site,
            writer.config,
            &writer.theme.blocks,
            &writer.crossrefs.topics,
        )
        .with_glossary(writer.site, &writer.crossrefs.glossary)
    });
    let results: Vec<PageWritten> = pages
        .par_iter()
        .enumerate()
        .map(|(position, &page)| {
            let written = write_page(writer, page, position, out, &spool, search.as_ref());
            tick();
            written
        })
        .collect();

    let summaries: HashMap<PageId, &Summary> = pages
        .iter()
        .zip(&results)
        .map(|(&p, r)| (p, &r.summary))
        .collect();
    let summary_of = |p: PageId| summaries.get(&p).copied();
    let mut diagnostics: Vec<Diagnostic> = pages
        .par_iter()
        .flat_map_iter(|&p| writer.markdown.check_anchors(p, summaries[&p], &summary_of))
        .collect();
    let mut docs = Vec::with_capacity(results.len());
    for r in results {
        diagnostics.extend(r.diagnostics);
        docs.extend(r.docs);
    }
    if let Some(search) = &search
        && !out.failed()
    {
        search
            .finish(&docs)
            .par_iter()
            .for_each(|part| out.put(&part.path, &part.bytes));
    }
    for (url, disk) in writer.markdown.assets.take() {
        match std::fs::read(&disk) {
            Ok(bytes) => out.put(&url, &bytes),
            Err(e) => diagnostics.push(Diagnostic::error(
                disk.display().to_string(),
                format!("cannot read: {e}"),
            )),
        }
    }
    for (url, output) in outputs.site_wide() {
        if let Err(d) = write_output(writer, outputs, url, output, out, Some(&spool)) {
            diagnostics.push(d);
        }
    }
    diagnostics
}

/// What writing one page left for the rest of the build.
#[derive(Default)]
struct PageWritten {
    summary: Summary,
    diagnostics: Vec<Diagnostic>,
    docs: Option<PageDocs>,
}

fn write_page(
    writer: &PageWriter<'_>,
    page: PageId,
    position: usize,
    out: &Written<'_>,
    spool: &Spool,
    search: Option<&SearchIndex>,
) -> PageWritten {
    if out.failed() {
        return PageWritten::default();
    }
    let (rendered, mut diagnostics) = writer.markdown.render(page);
    let summary = Summary::of(&rendered);
    let docs = search.map(|search| {
        let (docs, parts) = search.page(writer.site, page, &rendered);
        for part in parts {
            out.put(&part.path, &part.bytes);
        }
        docs
    });
    let key = crate::nav::page_key(page);
    let title = &writer.site.page_front(page).title;
    if let Err(e) = spool.put(position, &crate::print::body(&rendered.html, &key, title)) {
        out.record(PRINT, e);
    }
    match writer.page_html(page, &rendered) {
        Ok(html) => out.put(writer.site.page_url(page), html.as_bytes()),
        Err(d) => diagnostics.push(d),
    }
    PageWritten {
        summary,
        diagnostics,
        docs,
    }
}

/// Renders and writes one output that is not a page of the guide. `print.html` streams the
/// page bodies of `spool` (without one, it is skipped); a file of the content folder or the
/// search index is written by whoever made it, so it is skipped here too.
pub(crate) fn write_output(
    writer: &PageWriter<'_>,
    outputs: &Outputs,
    url: &str,
    output: &Output,
    out: &Written<'_>,
    spool: Option<&Spool>,
) -> Result<(), Diagnostic> {
    if out.failed() {
        return Ok(());
    }
    if let Some(html) = writer.template_html(output) {
        out.put(url, html?.as_bytes());
        return Ok(());
    }
    match output {
        Output::Print => {
            if let Some(spool) = spool {
                let html = writer.print_html()?;
                out.stream(url, |file| {
                    spool.stream(&html, site_files::print_placeholder, file)
                });
            }
        }
        Output::Sitemap => {
            let xml = site_files::sitemap(&writer.config.site_url(), outputs.sitemap_urls());
            out.put(url, xml.as_bytes());
        }
        Output::Asset(name) => {
            if let Some(asset) = writer.theme.assets.get(name) {
                out.put(url, &asset.bytes);
            }
        }
        Output::Page(_)
        | Output::TopicsIndex
        | Output::Topic(_)
        | Output::Track(_)
        | Output::Glossary
        | Output::NotFound
        | Output::ContentFile(_)
        | Output::SearchText(_)
        | Output::SearchIndex(_) => {}
    }
    Ok(())
}
