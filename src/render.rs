//! The Markdown stage of one page: its body rendered with fenced blocks through the theme and
//! highlighter and links resolved, its problems turned into diagnostics, and the little that
//! other pages need from it (headings, anchored links, word count) kept as a [`Summary`].

use crate::blocks::Fences;
use crate::diagnostics::Diagnostic;
use crate::glossary::{Glossary, Linker};
use crate::highlight::Highlighter;
use std::path::PathBuf;

use crate::links::{self, Assets, LinkIndex, PageLinks};
use crate::markdown::{self, Heading, OutLink, Rendered};
use crate::model::{PageId, Site};
use crate::theme::Theme;

/// What the rest of the build needs from a page once its HTML is written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub headings: Vec<Heading>,
    /// Links that carry a `#fragment`, checked once every page's headings are known.
    pub anchored_links: Vec<OutLink>,
    pub word_count: usize,
}

impl Summary {
    pub fn of(rendered: &Rendered) -> Self {
        Self {
            headings: rendered.headings.clone(),
            anchored_links: rendered
                .links
                .iter()
                .filter(|l| l.dest.contains('#'))
                .cloned()
                .collect(),
            word_count: rendered.word_count,
        }
    }
}

/// Renders page bodies for one build.
pub struct MarkdownStage<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    pub highlighter: &'a Highlighter,
    pub index: &'a LinkIndex,
    /// Content files linked from pages, gathered while rendering.
    pub assets: Assets,
    content_dir: PathBuf,
    /// `[build] allow-html`: raw HTML in bodies is an error when false.
    allow_html: bool,
    glossary: Option<&'a Glossary>,
}

impl<'a> MarkdownStage<'a> {
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        highlighter: &'a Highlighter,
        index: &'a LinkIndex,
    ) -> Self {
        let root_file = &site.section(site.root()).source.disk_path;
        let content = root_file.parent().map(PathBuf::from).unwrap_or_default();
        Self {
            site,
            theme,
            highlighter,
            index,
            assets: Assets::default(),
            content_dir: std::fs::canonicalize(&content).unwrap_or(content),
            allow_html: true,
            glossary: None,
        }
    }

    /// Sets whether raw HTML in bodies is allowed (`[build] allow-html`).
    pub fn allowing_html(mut self, allow: bool) -> Self {
        self.allow_html = allow;
        self
    }

    /// Links the first use of each of the glossary's terms on a page (unless it opts out).
    pub fn linking_terms(mut self, glossary: &'a Glossary) -> Self {
        self.glossary = Some(glossary);
        self
    }

    /// Renders a page's body; problems come back as diagnostics located in its file.
    pub fn render(&self, page: PageId) -> (Rendered, Vec<Diagnostic>) {
        let source = self.site.page_source(page);
        let fences = Fences {
            theme: self.theme,
            highlighter: self.highlighter,
        };
        let resolver = PageLinks {
            index: self.index,
            site: self.site,
            dir: self.site.page_dir(page),
            content_dir: &self.content_dir,
            assets: &self.assets,
        };
        let linker = (self.glossary)
            .filter(|g| g.links_on(self.site, page))
            .map(Linker);
        let rendered = markdown::render_linking_terms(
            &source.body,
            source.body_line,
            &fences,
            &resolver,
            linker.as_ref().map(|l| l as &dyn markdown::TermLinker),
        );
        let mut diags: Vec<Diagnostic> = rendered
            .issues
            .iter()
            .map(|issue| {
                Diagnostic::error(&source.path, issue.message.clone())
                    .at(issue.line, issue.col)
                    .help_opt(issue.help.clone())
            })
            .collect();
        if let (false, Some((line, col))) = (self.allow_html, rendered.raw_html) {
            diags.push(
                Diagnostic::error(&source.path, "raw HTML is not allowed in this guide")
                    .at(line, col)
                    .help("write it in Markdown, or set [build] allow-html = true in book.toml"),
            );
        }
        if !self.allow_html {
            diags.extend(rendered.unsafe_markup.iter().map(|issue| {
                Diagnostic::error(&source.path, issue.message.clone())
                    .at(issue.line, issue.col)
                    .help_opt(issue.help.clone())
            }));
        }
        (rendered, with_sources(self.site, page, diags))
    }

    /// Checks the anchored links of a page against the headings of the pages they point at.
    pub fn check_anchors<'s>(
        &self,
        page: PageId,
        summary: &'s Summary,
        summary_of: &dyn Fn(PageId) -> Option<&'s Summary>,
    ) -> Vec<Diagnostic> {
        let headings_of = |p: PageId| summary_of(p).map_or(&[][..], |s| &s.headings[..]);
        let diags = links::check_anchors(
            self.site,
            self.index,
            page,
            &summary.anchored_links,
            &summary.headings,
            &headings_of,
        );
        with_sources(self.site, page, diags)
    }
}

/// Adds the offending source line to diagnostics about a page.
fn with_sources(site: &Site, page: PageId, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let source = site.page_source(page);
    diags
        .into_iter()
        .map(|mut d| {
            d.source_line = source.line(d.line).map(str::to_owned);
            d
        })
        .collect()
}
