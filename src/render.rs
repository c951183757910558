//! The Markdown stage: every page's body rendered in parallel (fenced blocks through the theme and
//! highlighter, links resolved), then anchors checked against the headings of their targets.

use rayon::prelude::*;

use crate::blocks::Fences;
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use crate::links::{self, LinkIndex, PageLinks};
use crate::markdown::{self, Heading, Rendered};
use crate::model::{PageId, Site};
use crate::theme::Theme;

/// The rendered body of every page, indexed like [`Site::sections`] and [`Site::lessons`].
#[derive(Debug, Default)]
pub struct Contents {
    pub sections: Vec<Rendered>,
    pub lessons: Vec<Rendered>,
}

impl Contents {
    pub fn get(&self, page: PageId) -> &Rendered {
        match page {
            PageId::Section(s) => &self.sections[s.0],
            PageId::Lesson(l) => &self.lessons[l.0],
        }
    }

    fn headings(&self, page: PageId) -> &[Heading] {
        &self.get(page).headings
    }
}

/// Content folder of a page's source, for resolving its relative links.
fn source_dir(site: &Site, page: PageId) -> &str {
    match page {
        PageId::Section(s) => &site.section(s).dir,
        PageId::Lesson(l) => site
            .lesson(l)
            .slug_path
            .rsplit_once('/')
            .map_or("", |(d, _)| d),
    }
}

/// Renders every page's Markdown and reports every problem found, located in its file.
pub fn render_all(
    site: &Site,
    theme: &Theme,
    highlighter: &Highlighter,
    tick: &(dyn Fn() + Sync),
) -> (Contents, Vec<Diagnostic>) {
    let index = LinkIndex::new(site);
    let fences = Fences { theme, highlighter };
    let render_page = |page: PageId| {
        let source = site.page_source(page);
        let resolver = PageLinks {
            index: &index,
            site,
            dir: source_dir(site, page),
        };
        let out = markdown::render(&source.body, source.body_line, &fences, &resolver);
        tick();
        out
    };
    let sections: Vec<Rendered> = (0..site.sections.len())
        .into_par_iter()
        .map(|i| render_page(PageId::Section(crate::model::SectionId(i))))
        .collect();
    let lessons: Vec<Rendered> = (0..site.lessons.len())
        .into_par_iter()
        .map(|i| render_page(PageId::Lesson(crate::model::LessonId(i))))
        .collect();
    let contents = Contents { sections, lessons };

    let pages = site.reading_order();
    let mut diags: Vec<Diagnostic> = pages
        .par_iter()
        .flat_map_iter(|&page| {
            let rendered = contents.get(page);
            let source = site.page_source(page);
            let mut out: Vec<Diagnostic> = rendered
                .issues
                .iter()
                .map(|issue| {
                    Diagnostic::error(&source.path, issue.message.clone())
                        .at(issue.line, issue.col)
                        .help_opt(issue.help.clone())
                })
                .collect();
            out.extend(links::check_anchors(
                site,
                &index,
                page,
                &rendered.links,
                &rendered.headings,
                &|p| contents.headings(p),
            ));
            if !out.is_empty() {
                let text = std::fs::read_to_string(&source.disk_path).unwrap_or_default();
                out = out.into_iter().map(|d| d.with_source(&text)).collect();
            }
            out
        })
        .collect();
    diags.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    (contents, diags)
}
