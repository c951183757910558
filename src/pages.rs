//! The page stage: builds each page's template context, renders it through the theme and writes
//! it; the site-wide files are in `site_files`, the cross-reference pages in `crossref_pages`.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::graph::Crossrefs;
use crate::links::ROOT_MARK;
use crate::markdown::Rendered;
use crate::model::SectionId;
use crate::model::{PageId, Site};
use crate::nav::{self, Link, Order};
use crate::output::Sink;
use crate::print::Spool;
use crate::render::{MarkdownStage, Summary};
use crate::search::{PageDocs, SearchIndex};
use crate::site_files::SidebarPage;
use crate::theme::Theme;
use crate::urls;

const WORDS_PER_MINUTE: usize = 220;

/// An entry of the table of contents.
#[derive(Debug, Serialize)]
pub(crate) struct TocEntry<'a> {
    level: u8,
    id: &'a str,
    text: &'a str,
}

/// A child page listed on a section page.
#[derive(Debug, Serialize)]
pub(crate) struct ListItem<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub description: &'a str,
    pub reading_time: usize,
}

/// What a page template gets as `page` (documented in the theme's README).
#[derive(Debug, Default, Serialize)]
pub(crate) struct PageContext<'a> {
    pub kind: &'static str,
    pub id: String,
    pub title: &'a str,
    pub description: &'a str,
    pub url: &'a str,
    pub content: &'a str,
    pub toc: Vec<TocEntry<'a>>,
    pub reading_time: usize,
    pub word_count: usize,
    pub breadcrumbs: Vec<Link>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    pub open: Vec<String>,
    pub lessons: Vec<ListItem<'a>>,
    pub sections: Vec<ListItem<'a>>,
    pub edit_url: Option<String>,
    pub inline_css: Option<&'a str>,
    /// Lessons: topic chips.
    pub topics: Vec<Link>,
    /// Lessons: "Before you start", related lessons, "Referenced by".
    pub prerequisites: Vec<Item>,
    pub related: Vec<Item>,
    pub backlinks: Vec<Item>,
    /// Lessons: the tracks they belong to, with the track's previous and next lesson.
    pub tracks: Vec<TrackRef>,
    /// Landing page and topics index: the topic map (inline SVG).
    pub topic_map: Option<String>,
    /// Topic pages: lessons grouped by section, in guide order.
    pub groups: Vec<Group<'a>>,
    /// Topics index: every topic with its lesson count.
    pub topic_list: Vec<TopicItem<'a>>,
}

/// A linked page with a short description.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Item {
    pub title: String,
    pub url: String,
    pub description: String,
}

/// A track a lesson belongs to.
#[derive(Debug, Serialize)]
pub(crate) struct TrackRef {
    pub title: String,
    pub url: String,
    pub position: usize,
    pub total: usize,
    pub prev: Option<Link>,
    pub next: Option<Link>,
}

/// A section's lessons on a topic page.
#[derive(Debug, Serialize)]
pub(crate) struct Group<'a> {
    pub section: Link,
    pub lessons: Vec<ListItem<'a>>,
}

/// A topic on the topics index.
#[derive(Debug, Serialize)]
pub(crate) struct TopicItem<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub description: &'a str,
    pub count: usize,
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
    /// Every learning track, so the landing page and the sidebar can link them.
    tracks: Vec<TrackItem<'a>>,
}

/// A learning track as every page sees it.
#[derive(Debug, Serialize)]
struct TrackItem<'a> {
    title: &'a str,
    url: &'a str,
    description: &'a str,
    count: usize,
}

pub(crate) fn reading_time(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

/// Sets `site`, `nav`, `assets` and `generator` on the theme's global context.
pub fn set_globals(theme: &mut Theme, site: &Site, config: &Config, crossrefs: &Crossrefs) {
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
        search: config.search.enabled,
        site_url: config.site_url(),
        tracks: crossrefs
            .tracks
            .iter()
            .map(|t| TrackItem {
                title: &t.title,
                url: &t.url,
                description: &t.description,
                count: t.lessons.len(),
            })
            .collect(),
    };
    let globals = theme.tera.global_context();
    globals.insert("site", &site_ctx);
    globals.insert("nav", &nav::tree(site));
    globals.insert("assets", &assets);
    globals.insert("generator", concat!("guide ", env!("CARGO_PKG_VERSION")));
    let search_index = if config.search.enabled {
        crate::search::manifest_path(site, config, &theme.blocks)
    } else {
        String::new()
    };
    globals.insert("search_index", &search_index);
}

/// What the page stage produced: files written, and every problem found.
#[derive(Debug, Default)]
pub struct PagesOutcome {
    pub files: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders every page (Markdown, then template) and writes it at once, so that memory does not
/// grow with the size of the guide; keeps only each page's [`Summary`].
pub struct PageWriter<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub markdown: MarkdownStage<'a>,
    pub crossrefs: &'a Crossrefs,
    pub order: Order,
}

/// A sidebar rendered once for all pages of a section, with where each link's `href` ends so
/// the current page's link can be marked without searching.
pub struct Sidebar {
    html: String,
    href_ends: HashMap<String, usize>,
}

impl Sidebar {
    fn new(html: String) -> Self {
        let mut href_ends = HashMap::new();
        let mut from = 0;
        while let Some(at) = html[from..].find("href=\"") {
            let start = from + at + 6;
            let Some(len) = html[start..].find('"') else {
                break;
            };
            href_ends
                .entry(html[start..start + len].to_owned())
                .or_insert(start + len + 1);
            from = start + len + 1;
        }
        Self { html, href_ends }
    }

    /// The sidebar with `aria-current="page"` on the link to `href`.
    fn marked(&self, href: &str) -> String {
        let Some(&end) = self.href_ends.get(href) else {
            return self.html.clone();
        };
        let mut out = String::with_capacity(self.html.len() + 20);
        out.push_str(&self.html[..end]);
        out.push_str(" aria-current=\"page\"");
        out.push_str(&self.html[end..]);
        out
    }
}

impl PageWriter<'_> {
    /// Writes every page and site-wide file; errors anywhere are collected, not fatal.
    pub fn write_all(&self, sink: &dyn Sink, tick: &(dyn Fn() + Sync)) -> PagesOutcome {
        let mut diagnostics = Vec::new();
        let prepared = self.sidebars().and_then(|sidebars| {
            Spool::new(self.order.pages().len())
                .map(|spool| (sidebars, spool))
                .map_err(|e| {
                    Diagnostic::error("print.html", format!("cannot create a temporary file: {e}"))
                })
        });
        let (sidebars, spool) = match prepared {
            Ok(p) => p,
            Err(d) => {
                return PagesOutcome {
                    files: 0,
                    diagnostics: vec![d],
                };
            }
        };
        let search = self.config.search.enabled.then(|| {
            SearchIndex::new(
                self.site,
                self.config,
                &self.theme.blocks,
                &self.crossrefs.topics,
            )
        });
        let page_out = PageOut {
            sink,
            sidebars: &sidebars,
            spool: &spool,
            search: search.as_ref(),
        };

        let pages = self.order.pages();
        let results: Vec<(Option<Summary>, Vec<Diagnostic>, Option<PageDocs>)> = pages
            .par_iter()
            .map(|&page| {
                let out = self.write_page(page, &page_out);
                tick();
                out
            })
            .collect();
        let summaries: HashMap<PageId, &Summary> = pages
            .iter()
            .zip(&results)
            .filter_map(|(&p, (s, _, _))| s.as_ref().map(|s| (p, s)))
            .collect();
        let summary_of = |p: PageId| summaries.get(&p).copied();
        let anchor_diags: Vec<Diagnostic> = pages
            .par_iter()
            .flat_map_iter(|&p| match summary_of(p) {
                Some(summary) => self.markdown.check_anchors(p, summary, &summary_of),
                None => Vec::new(),
            })
            .collect();
        for (_, d, _) in &results {
            diagnostics.extend(d.iter().cloned());
        }
        let mut search_files = 0;
        if let Some(search) = &search {
            let docs: Vec<PageDocs> = results.into_iter().filter_map(|r| r.2).collect();
            search_files = docs.iter().map(PageDocs::text_parts).sum::<usize>();
            let parts = search.finish(&docs);
            search_files += parts.len();
            diagnostics.extend(
                parts
                    .par_iter()
                    .filter_map(|part| write(sink, &part.path, &part.bytes).err())
                    .collect::<Vec<_>>(),
            );
        }
        diagnostics.extend(anchor_diags);

        let mut crossref_files = 0;
        match self.write_crossref_pages(sink) {
            Ok(n) => crossref_files = n,
            Err(e) => diagnostics.push(e),
        }
        let assets = self.markdown.assets.take();
        let asset_files = assets.len();
        for (out, disk) in assets {
            let copied = std::fs::read(&disk)
                .map_err(|e| {
                    Diagnostic::error(disk.display().to_string(), format!("cannot read: {e}"))
                })
                .and_then(|bytes| write(sink, &out, &bytes));
            if let Err(e) = copied {
                diagnostics.push(e);
            }
        }
        for result in [
            self.write_404(sink),
            self.write_print(sink, &spool),
            self.write_sitemap(sink),
            self.write_assets(sink),
        ] {
            if let Err(e) = result {
                diagnostics.push(e);
            }
        }
        PagesOutcome {
            files: self.order.pages().len()
                + crossref_files
                + asset_files
                + 2
                + self.theme.assets.len()
                + search_files
                + usize::from(!self.config.site_url().is_empty()),
            diagnostics: dedupe(diagnostics),
        }
    }

    /// The sidebar of every section's pages, rendered once per section.
    pub fn sidebars(&self) -> Result<Vec<Sidebar>, Diagnostic> {
        (0..self.site.sections.len())
            .into_par_iter()
            .map(|i| {
                let section = PageId::Section(SectionId(i));
                let url = self.site.page_url(section);
                let mut context = tera::Context::new();
                context.insert("root", &urls::root_prefix(url));
                context.insert(
                    "page",
                    &SidebarPage {
                        id: "",
                        open: nav::open_sections(self.site, section),
                    },
                );
                self.theme
                    .tera
                    .render("partials/sidebar.html", &context)
                    .map(Sidebar::new)
                    .map_err(|e| self.theme.error(&e))
            })
            .collect()
    }

    fn write_page(
        &self,
        page: PageId,
        out: &PageOut<'_>,
    ) -> (Option<Summary>, Vec<Diagnostic>, Option<PageDocs>) {
        let (rendered, mut diags) = self.markdown.render(page);
        let summary = Summary::of(&rendered);
        let docs = out.search.map(|search| {
            let (docs, parts) = search.page(self.site, page, &rendered);
            for part in parts {
                if let Err(d) = write(out.sink, &part.path, &part.bytes) {
                    diags.push(d);
                }
            }
            docs
        });
        let url = self.site.page_url(page);
        if let Some(position) = self.order.position(page)
            && let Err(e) = out
                .spool
                .put(position, &rendered.html.replace(ROOT_MARK, ""))
        {
            diags.push(Diagnostic::error(
                "print.html",
                format!("cannot spool a page: {e}"),
            ));
        }
        if let Err(d) = self
            .page_html(page, &rendered, out.sidebars)
            .and_then(|html| write(out.sink, url, html.as_bytes()))
        {
            diags.push(d);
        }
        (Some(summary), diags, docs)
    }

    /// The HTML of a page whose Markdown is already rendered.
    pub fn page_html(
        &self,
        page: PageId,
        rendered: &Rendered,
        sidebars: &[Sidebar],
    ) -> Result<String, Diagnostic> {
        let url = self.site.page_url(page);
        let root = urls::root_prefix(url);
        let content = rendered.html.replace(ROOT_MARK, &root);
        let context = self.context(page, &content, rendered);
        let sidebar =
            sidebars[nav::home_section(self.site, page).0].marked(&format!("{root}{url}"));
        let template = match context.kind {
            "lesson" => "lesson.html",
            "index" => "index.html",
            _ => "section.html",
        };
        let mut extra = tera::Context::new();
        extra.insert("sidebar", &sidebar);
        self.render(template, url, &context, Some(extra))
    }

    pub(crate) fn context<'c>(
        &'c self,
        page: PageId,
        content: &'c str,
        rendered: &'c Rendered,
    ) -> PageContext<'c> {
        let site = self.site;
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
            content,
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
            reading_time: reading_time(site.page_source(page).words),
            word_count: rendered.word_count,
            breadcrumbs: nav::breadcrumbs(site, page),
            prev: self.order.prev(page).map(|p| nav::link_to(site, p)),
            next: self.order.next(page).map(|p| nav::link_to(site, p)),
            open: nav::open_sections(site, page),
            lessons,
            sections,
            edit_url: (!edit.is_empty() && source.disk_path.is_file())
                .then(|| edit.replace("{path}", &source.path)),
            topic_map: (kind == "index")
                .then(|| crate::topicmap::render(&self.crossrefs.topics, "topics/")),
            ..self.crossref_context(page)
        }
    }

    pub(crate) fn list_item(&self, page: PageId) -> ListItem<'_> {
        let front = self.site.page_front(page);
        ListItem {
            title: &front.title,
            url: self.site.page_url(page),
            description: &front.description,
            reading_time: reading_time(self.site.page_source(page).words),
        }
    }

    pub(crate) fn render(
        &self,
        template: &str,
        url: &str,
        page: &impl Serialize,
        extra: Option<tera::Context>,
    ) -> Result<String, Diagnostic> {
        let mut context = extra.unwrap_or_default();
        context.insert("root", &urls::root_prefix(url));
        context.insert("page", page);
        self.theme
            .tera
            .render(template, &context)
            .map_err(|e| self.theme.error(&e))
    }
}

/// Where a rendered page goes: its file, and its body for `print.html`.
struct PageOut<'a> {
    sink: &'a dyn Sink,
    sidebars: &'a [Sidebar],
    spool: &'a Spool,
    search: Option<&'a SearchIndex>,
}

pub(crate) fn write(sink: &dyn Sink, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    sink.write(path, bytes)
        .map_err(|e| Diagnostic::error(path, format!("cannot write the output file: {e}")))
}

fn dedupe(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    errors.sort_by(|a, b| {
        (&a.file, a.line, a.col, &a.message).cmp(&(&b.file, b.line, b.col, &b.message))
    });
    errors.dedup_by(|a, b| {
        a.file == b.file && a.line == b.line && a.col == b.col && a.message == b.message
    });
    errors
}
