//! The page stage: builds each page's template context, renders it through the theme and writes
//! it, plus the site-wide pages (`404.html`, `print.html`, `sitemap.xml`) and the static assets.

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::links::ROOT_MARK;
use crate::model::{PageId, Site};
use crate::nav::{self, Link, Order};
use crate::output::Sink;
use crate::render::Contents;
use crate::theme::Theme;
use crate::urls;

const WORDS_PER_MINUTE: usize = 220;

/// An entry of the table of contents.
#[derive(Debug, Serialize)]
struct TocEntry<'a> {
    level: u8,
    id: &'a str,
    text: &'a str,
}

/// A child page listed on a section page.
#[derive(Debug, Serialize)]
struct ListItem<'a> {
    title: &'a str,
    url: &'a str,
    description: &'a str,
    reading_time: usize,
}

/// What a page template gets as `page` (documented in the theme's README).
#[derive(Debug, Serialize)]
struct PageContext<'a> {
    kind: &'static str,
    id: String,
    title: &'a str,
    description: &'a str,
    url: &'a str,
    content: &'a str,
    toc: Vec<TocEntry<'a>>,
    reading_time: usize,
    word_count: usize,
    breadcrumbs: Vec<Link>,
    prev: Option<Link>,
    next: Option<Link>,
    open: Vec<String>,
    lessons: Vec<ListItem<'a>>,
    sections: Vec<ListItem<'a>>,
    edit_url: Option<String>,
    inline_css: Option<&'a str>,
}

/// A page of `print.html`.
#[derive(Debug, Serialize)]
struct PrintPage<'a> {
    id: String,
    title: &'a str,
    depth: usize,
    content: &'a str,
}

/// The site-wide values every template sees, set once on Tera's global context.
#[derive(Debug, Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    authors: &'a [String],
    search: bool,
    site_url: String,
}

fn reading_time(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

/// Sets `site`, `nav`, `assets` and `generator` on the theme's global context.
pub fn set_globals(theme: &mut Theme, site: &Site, config: &Config) {
    let assets: std::collections::BTreeMap<String, String> = theme
        .asset_map()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let site_ctx = SiteContext {
        title: &config.book.title,
        description: &config.book.description,
        language: &config.book.language,
        authors: &config.book.authors,
        search: false,
        site_url: config.site_url(),
    };
    let globals = theme.tera.global_context();
    globals.insert("site", &site_ctx);
    globals.insert("nav", &nav::tree(site));
    globals.insert("assets", &assets);
    globals.insert("generator", concat!("guide ", env!("CARGO_PKG_VERSION")));
}

/// Renders and writes every page; returns the number of files written.
pub struct PageWriter<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub contents: &'a Contents,
    pub order: Order,
}

impl PageWriter<'_> {
    pub fn write_all(
        &self,
        sink: &dyn Sink,
        tick: &(dyn Fn() + Sync),
    ) -> Result<usize, Vec<Diagnostic>> {
        let pages = self.order.pages();
        let errors: Vec<Diagnostic> = pages
            .par_iter()
            .filter_map(|&page| {
                let result = self.write_page(page, sink);
                tick();
                result.err()
            })
            .collect();
        let mut errors = dedupe(errors);
        for result in [
            self.write_404(sink),
            self.write_print(sink),
            self.write_sitemap(sink),
            self.write_assets(sink),
        ] {
            if let Err(e) = result {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(pages.len()
                + 2
                + self.theme.assets.len()
                + usize::from(!self.config.site_url().is_empty()))
        } else {
            Err(dedupe(errors))
        }
    }

    fn context(&self, page: PageId) -> PageContext<'_> {
        let site = self.site;
        let rendered = self.contents.get(page);
        let front = site.page_front(page);
        let source = site.page_source(page);
        let (kind, lessons, sections) = match page {
            PageId::Lesson(_) => ("lesson", Vec::new(), Vec::new()),
            PageId::Section(s) => {
                let section = site.section(s);
                let lessons = section
                    .lessons
                    .iter()
                    .map(|&l| self.list_item(PageId::Lesson(l)))
                    .collect();
                let sections = section
                    .sections
                    .iter()
                    .map(|&c| self.list_item(PageId::Section(c)))
                    .collect();
                let kind = if section.parent.is_none() {
                    "index"
                } else {
                    "section"
                };
                (kind, lessons, sections)
            }
        };
        let edit = &self.config.build.edit_url;
        PageContext {
            kind,
            id: nav::page_key(page),
            title: &front.title,
            description: &front.description,
            url: site.page_url(page),
            content: &rendered.html,
            toc: rendered
                .headings
                .iter()
                .filter(|h| (2..=3).contains(&h.level))
                .map(|h| TocEntry {
                    level: h.level,
                    id: &h.id,
                    text: &h.text,
                })
                .collect(),
            reading_time: reading_time(rendered.word_count),
            word_count: rendered.word_count,
            breadcrumbs: nav::breadcrumbs(site, page),
            prev: self.order.prev(page).map(|p| nav::link_to(site, p)),
            next: self.order.next(page).map(|p| nav::link_to(site, p)),
            open: nav::open_sections(site, page),
            lessons,
            sections,
            edit_url: (!edit.is_empty() && source.disk_path.is_file())
                .then(|| edit.replace("{path}", &source.path)),
            inline_css: None,
        }
    }

    fn list_item(&self, page: PageId) -> ListItem<'_> {
        let front = self.site.page_front(page);
        ListItem {
            title: &front.title,
            url: self.site.page_url(page),
            description: &front.description,
            reading_time: reading_time(self.contents.get(page).word_count),
        }
    }

    fn render(
        &self,
        template: &str,
        url: &str,
        page: &impl Serialize,
        extra: Option<tera::Context>,
    ) -> Result<String, Diagnostic> {
        let root = urls::root_prefix(url);
        let mut context = extra.unwrap_or_default();
        context.insert("root", &root);
        context.insert("page", page);
        let html = self
            .theme
            .tera
            .render(template, &context)
            .map_err(|e| self.theme.error(&e))?;
        Ok(html.replace(ROOT_MARK, &root))
    }

    fn write_page(&self, page: PageId, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let context = self.context(page);
        let template = match context.kind {
            "lesson" => "lesson.html",
            "index" => "index.html",
            _ => "section.html",
        };
        let html = self.render(template, context.url, &context, None)?;
        write(sink, context.url, html.as_bytes())
    }

    fn write_404(&self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let css = self.theme.inline_css();
        let context = PageContext {
            kind: "404",
            id: "404".into(),
            title: "Page not found",
            description: "",
            url: "404.html",
            content: "",
            toc: vec![],
            reading_time: 0,
            word_count: 0,
            breadcrumbs: vec![],
            prev: None,
            next: None,
            open: vec![nav::page_key(PageId::Section(self.site.root()))],
            lessons: vec![],
            sections: vec![],
            edit_url: None,
            inline_css: Some(&css),
        };
        let html = self.render("404.html", "404.html", &context, None)?;
        write(sink, "404.html", html.as_bytes())
    }

    fn write_print(&self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let pages: Vec<PrintPage<'_>> = self
            .order
            .pages()
            .iter()
            .map(|&p| PrintPage {
                id: nav::page_key(p),
                title: &self.site.page_front(p).title,
                depth: match p {
                    PageId::Section(s) => self.site.ancestry(s).len() - 1,
                    PageId::Lesson(l) => self.site.ancestry(self.site.lesson(l).section).len(),
                },
                content: &self.contents.get(p).html,
            })
            .collect();
        let mut context = self.context(PageId::Section(self.site.root()));
        context.kind = "print";
        context.id = "print".into();
        context.url = "print.html";
        context.prev = None;
        context.next = None;
        context.toc = vec![];
        context.content = "";
        context.edit_url = None;
        let mut extra = tera::Context::new();
        extra.insert("pages", &pages);
        let html = self.render("print.html", "print.html", &context, Some(extra))?;
        write(sink, "print.html", html.as_bytes())
    }

    fn write_sitemap(&self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        let base = self.config.site_url();
        if base.is_empty() {
            return Ok(());
        }
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for &page in self.order.pages() {
            xml.push_str("  <url><loc>");
            xml.push_str(&xml_escape(&format!("{base}{}", self.site.page_url(page))));
            xml.push_str("</loc></url>\n");
        }
        xml.push_str("</urlset>\n");
        write(sink, "sitemap.xml", xml.as_bytes())
    }

    fn write_assets(&self, sink: &dyn Sink) -> Result<(), Diagnostic> {
        self.theme
            .assets
            .values()
            .collect::<Vec<_>>()
            .par_iter()
            .try_for_each(|asset| write(sink, &asset.out_path, &asset.bytes))
    }
}

fn write(sink: &dyn Sink, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    sink.write(path, bytes)
        .map_err(|e| Diagnostic::error(path, format!("cannot write the output file: {e}")))
}

fn dedupe(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    errors.sort_by(|a, b| {
        (&a.file, a.line, a.col, &a.message).cmp(&(&b.file, b.line, b.col, &b.message))
    });
    errors.dedup_by(|a, b| a.file == b.file && a.line == b.line && a.message == b.message);
    errors
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
