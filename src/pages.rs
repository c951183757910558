//! The page writer: a page's template context and HTML, for every output rendered through a
//! template (lesson and section pages, topic and track pages, 404, print). Which outputs exist
//! is [`crate::outputs`]'s; walking them and writing files is [`crate::emit`]'s.

use serde::Serialize;

use crate::config::Config;
use crate::context::{PageContext, SidebarPage, TocEntry, list_item, reading_time};
use crate::crossref_pages;
use crate::diagnostics::Diagnostic;
use crate::graph::Crossrefs;
use crate::links::ROOT_MARK;
use crate::markdown::Rendered;
use crate::model::{PageId, Site};
use crate::nav::{self, Order};
use crate::outputs::Output;
use crate::render::MarkdownStage;
use crate::site_files;
use crate::theme::Theme;
use crate::urls;

/// Renders pages through the theme: each page's Markdown (through [`MarkdownStage`]), context
/// and template.
pub struct PageWriter<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub markdown: MarkdownStage<'a>,
    pub crossrefs: &'a Crossrefs,
    pub order: Order,
}

impl PageWriter<'_> {
    /// The HTML of a page whose Markdown is already rendered.
    pub fn page_html(&self, page: PageId, rendered: &Rendered) -> Result<String, Diagnostic> {
        let url = self.site.page_url(page);
        let root = urls::root_prefix(url);
        let content = rendered.html.replace(ROOT_MARK, &root);
        let context = self.context(page, &content, rendered);
        let template = match context.kind {
            "lesson" => "lesson.html",
            "index" => "index.html",
            _ => "section.html",
        };
        self.render_with_sidebar(template, &context)
    }

    /// The HTML of an output rendered through a template that is not a page of the guide (a
    /// topic or track page, the topics index, 404), or `None` for other outputs. `print.html`
    /// is [`Self::print_html`].
    pub(crate) fn template_html(&self, output: &Output) -> Option<Result<String, Diagnostic>> {
        let (site, x) = (self.site, self.crossrefs);
        let css;
        let (template, context) = match output {
            Output::TopicsIndex => ("topics.html", crossref_pages::topics_index(site, x)),
            Output::Topic(i) => ("topic.html", crossref_pages::topic(site, x, *i)),
            Output::Track(i) => ("track.html", crossref_pages::track(site, x, *i)),
            Output::Glossary => ("glossary.html", x.glossary.page_context(site)),
            Output::NotFound => {
                css = self.theme.inline_css();
                ("404.html", site_files::not_found(site, &css))
            }
            _ => return None,
        };
        Some(self.render_with_sidebar(template, &context))
    }

    /// `print.html` as its template renders it, with [`site_files::print_placeholder`] where
    /// each page's body goes.
    pub(crate) fn print_html(&self) -> Result<String, Diagnostic> {
        let pages = site_files::print_pages(self.site, self.order.pages());
        let empty = Rendered::default();
        let landing = self.context(PageId::Section(self.site.root()), "", &empty);
        let context = site_files::print_context(landing);
        let mut extra = tera::Context::new();
        extra.insert("pages", &pages);
        extra.insert("sidebar", "");
        self.render("print.html", context.url, &context, extra)
    }

    /// Renders `template` with the page's sidebar: the partial rendered for this page, so that
    /// its own link is marked and its sections are open.
    fn render_with_sidebar(
        &self,
        template: &str,
        context: &PageContext<'_>,
    ) -> Result<String, Diagnostic> {
        let mut sidebar = tera::Context::new();
        sidebar.insert("root", &urls::root_prefix(context.url));
        sidebar.insert(
            "page",
            &SidebarPage {
                id: &context.id,
                nav: &context.nav,
            },
        );
        let html = self
            .theme
            .tera
            .render("partials/sidebar.html", &sidebar)
            .map_err(|e| self.theme.error(&e))?;
        let mut extra = tera::Context::new();
        extra.insert("sidebar", &html);
        self.render(template, context.url, context, extra)
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
                    .map(|&l| list_item(site, PageId::Lesson(l)))
                    .collect();
                let sections = section
                    .sections
                    .iter()
                    .map(|&c| list_item(site, PageId::Section(c)))
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
            nav: nav::expanded(site, page),
            lessons,
            sections,
            edit_url: (!edit.is_empty() && source.has_file())
                .then(|| edit.replace("{path}", &source.path)),
            topic_map: (kind == "index")
                .then(|| crate::topicmap::render(&self.crossrefs.topics, "topics/")),
            ..crossref_pages::lesson_regions(site, self.crossrefs, page)
        }
    }

    fn render(
        &self,
        template: &str,
        url: &str,
        page: &impl Serialize,
        mut context: tera::Context,
    ) -> Result<String, Diagnostic> {
        context.insert("root", &urls::root_prefix(url));
        context.insert("page", page);
        self.theme
            .tera
            .render(template, &context)
            .map_err(|e| self.theme.error(&e))
    }
}
