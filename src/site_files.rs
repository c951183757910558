//! The site-wide files of the page stage: `404.html`, `print.html` (page bodies streamed in from
//! the spool), `sitemap.xml` and the theme's static assets.

use std::io::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostics::Diagnostic;
use crate::markdown::Rendered;
use crate::model::PageId;
use crate::nav;
use crate::output::Sink;
use crate::pages::{PageContext, PageWriter, write};
use crate::print::Spool;

/// Where page `i`'s body goes in the rendered print template.
fn print_placeholder(i: usize) -> String {
    format!("<!--guide-print-{i}-->")
}

/// A page of `print.html`.
#[derive(Debug, Serialize)]
struct PrintPage<'a> {
    id: String,
    title: &'a str,
    depth: usize,
    content: &'a str,
}

/// What the sidebar partial gets as `page` when rendered once per section.
#[derive(Debug, Serialize)]
pub(crate) struct SidebarPage {
    pub(crate) id: &'static str,
    pub(crate) open: Vec<String>,
}

impl PageWriter<'_> {
    pub(crate) fn write_404(&self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let css = self.theme.inline_css();
        let context = PageContext {
            kind: "404",
            id: "404".into(),
            title: "Page not found",
            url: "404.html",
            open: vec![nav::page_key(PageId::Section(self.site.root()))],
            inline_css: Some(&css),
            ..PageContext::default()
        };
        let mut extra = tera::Context::new();
        extra.insert("sidebar", &self.root_sidebar("")?);
        let html = self.render("404.html", "404.html", &context, Some(extra))?;
        write(sink, "404.html", html.as_bytes())
    }

    /// The sidebar with only the root section open, for pages outside sections at `root`.
    pub(crate) fn root_sidebar(&self, root: &str) -> Result<String, Diagnostic> {
        let mut context = tera::Context::new();
        context.insert("root", root);
        context.insert(
            "page",
            &SidebarPage {
                id: "",
                open: nav::open_sections(self.site, PageId::Section(self.site.root())),
            },
        );
        self.theme
            .tera
            .render("partials/sidebar.html", &context)
            .map_err(|e| self.theme.error(&e))
    }

    /// `print.html`: the template gets a placeholder for each page's body, then the spooled
    /// bodies are streamed into it in reading order.
    pub(crate) fn write_print(&self, sink: &dyn Sink, spool: &Spool) -> Result<(), Diagnostic> {
        let order = self.order.pages();
        let placeholders: Vec<String> = (0..order.len()).map(print_placeholder).collect();
        let pages: Vec<PrintPage<'_>> = order
            .iter()
            .zip(&placeholders)
            .map(|(&p, placeholder)| PrintPage {
                id: nav::page_key(p),
                title: &self.site.page_front(p).title,
                depth: match p {
                    PageId::Section(s) => self.site.ancestry(s).len() - 1,
                    PageId::Lesson(l) => self.site.ancestry(self.site.lesson(l).section).len(),
                },
                content: placeholder,
            })
            .collect();
        let root_page = PageId::Section(self.site.root());
        let empty = Rendered::default();
        let mut context = self.context(root_page, "", &empty);
        context.kind = "print";
        context.id = "print".into();
        context.url = "print.html";
        context.prev = None;
        context.next = None;
        context.edit_url = None;
        let mut extra = tera::Context::new();
        extra.insert("pages", &pages);
        extra.insert("sidebar", "");
        let html = self.render("print.html", "print.html", &context, Some(extra))?;
        let io_error = |e: std::io::Error| {
            Diagnostic::error("print.html", format!("cannot write the output file: {e}"))
        };
        let mut out = std::io::BufWriter::new(sink.open("print.html").map_err(io_error)?);
        spool
            .stream(&html, print_placeholder, &mut out)
            .and_then(|()| out.flush())
            .map_err(io_error)
    }

    pub(crate) fn write_sitemap(&self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let base = self.config.site_url();
        if base.is_empty() {
            return Ok(());
        }
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let urls = self.order.pages().iter().map(|&p| self.site.page_url(p));
        for url in urls.chain(self.crossref_urls()) {
            xml.push_str("  <url><loc>");
            xml.push_str(&xml_escape(&format!("{base}{url}")));
            xml.push_str("</loc></url>\n");
        }
        xml.push_str("</urlset>\n");
        write(sink, "sitemap.xml", xml.as_bytes())
    }

    pub(crate) fn write_assets(&self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        self.theme
            .assets
            .values()
            .collect::<Vec<_>>()
            .par_iter()
            .try_for_each(|asset| write(sink, &asset.out_path, &asset.bytes))
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
