//! The glossary: terms defined once in `glossary.toml`, the first use of each on a page linked
//! to its entry (through [`Linker`], a [`TermLinker`]), the glossary page's context, and its
//! checks (a name defined twice, related lessons that do not exist, unused terms).
//!
//! Which pages use each term is found before any page is rendered, by a pass that renders every
//! body without fenced blocks or link checks, so the glossary page and its warnings are the
//! same whether a guide is built or served.

mod load;
mod matcher;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::context::PageContext;
use crate::diagnostics::Diagnostic;
use crate::links::{LinkIndex, ROOT_MARK};
use crate::markdown::{self, TermLinker};
use crate::model::{PageId, Site};
use crate::nav::{self, Link};
use matcher::Matcher;

/// The glossary's file, beside `book.toml`.
pub const FILE: &str = "glossary.toml";

/// One term of the glossary.
#[derive(Debug, Clone)]
pub struct Term {
    /// The name it is listed under.
    pub name: String,
    /// Its entry's id on the glossary page (the name slugified).
    pub id: String,
    /// Its other names and abbreviations, as written.
    pub aliases: Vec<String>,
    /// The definition as HTML, internal links marked with [`ROOT_MARK`].
    pub definition: String,
    /// The definition's first paragraph as plain text, shown beside a link to the term.
    pub short: String,
    /// The whole definition as plain text, for search.
    pub plain: String,
    /// Related lessons.
    pub related: Vec<PageId>,
    /// Where its `term = …` is written in the file.
    pub line: usize,
    pub col: usize,
}

/// Every term in alphabetical order, and which pages use each.
#[derive(Debug, Clone, Default)]
pub struct Glossary {
    pub terms: Vec<Term>,
    matcher: Matcher,
    /// The opening tag of a link to each term.
    links: Vec<String>,
    /// The terms each page links, by page (pages that link none left out).
    uses: HashMap<PageId, Vec<usize>>,
    /// The pages that use each term, in reading order.
    used_in: Vec<Vec<PageId>>,
    /// The text of `glossary.toml`, for the source lines of warnings.
    text: std::sync::Arc<str>,
}

impl Glossary {
    /// Loads `glossary.toml` of the guide at `root` and finds where each term is used; returns
    /// every problem (no file, an empty glossary).
    pub fn load(root: &Path, site: &Site, index: &LinkIndex) -> (Self, Vec<Diagnostic>) {
        let (mut terms, mut diags, text) = load::terms(root, site, index);
        terms.sort_by_cached_key(|t| (t.name.to_lowercase(), t.line));
        let mut matcher = Matcher::default();
        for (i, term) in terms.iter().enumerate() {
            for name in std::iter::once(&term.name).chain(&term.aliases) {
                matcher.add(name, i);
            }
        }
        let links = terms.iter().map(term_link).collect();
        let mut glossary = Self {
            terms,
            matcher,
            links,
            text,
            ..Self::default()
        };
        glossary.count_uses(site, &site.reading_order());
        diags.extend(glossary.unused());
        (glossary, diags)
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `page`'s terms are linked: there are terms, and its front matter does not say
    /// `glossary = false`.
    pub fn links_on(&self, site: &Site, page: PageId) -> bool {
        !self.is_empty() && site.page_front(page).glossary != Some(false)
    }

    /// Finds again which terms `pages` use (after their bodies changed).
    pub fn count_uses(&mut self, site: &Site, pages: &[PageId]) {
        if self.is_empty() {
            return;
        }
        let found: Vec<(PageId, Vec<usize>)> = pages
            .par_iter()
            .map(|&page| (page, self.terms_on(site, page)))
            .collect();
        for (page, terms) in found {
            if terms.is_empty() {
                self.uses.remove(&page);
            } else {
                self.uses.insert(page, terms);
            }
        }
        self.used_in = vec![Vec::new(); self.terms.len()];
        for page in site.reading_order() {
            for &t in self.uses.get(&page).map_or(&[][..], Vec::as_slice) {
                self.used_in[t].push(page);
            }
        }
    }

    fn terms_on(&self, site: &Site, page: PageId) -> Vec<usize> {
        if !self.links_on(site, page) {
            return Vec::new();
        }
        let source = site.page_source(page);
        markdown::render_linking_terms(
            &source.body,
            source.body_line,
            &markdown::Plain,
            &markdown::Plain,
            Some(&Linker(self)),
        )
        .terms
    }

    /// A warning for each term no page uses.
    pub fn unused(&self) -> Vec<Diagnostic> {
        (self.terms.iter().zip(&self.used_in))
            .filter(|(_, pages)| pages.is_empty())
            .map(|(term, _)| {
                Diagnostic::warning(
                    FILE,
                    format!("glossary term `{}` is not used in any page", term.name),
                )
                .at(term.line, term.col)
                .help("use it (or one of its aliases) in a lesson, or remove it")
                .with_source(&self.text)
            })
            .collect()
    }

    /// The glossary page's context: every term with its definition, the pages that use it and
    /// its related lessons.
    pub(crate) fn page_context<'a>(&'a self, site: &'a Site) -> PageContext<'a> {
        let links = |pages: &[PageId]| pages.iter().map(|&p| nav::link_to(site, p)).collect();
        let entries = (self.terms.iter().zip(&self.used_in))
            .map(|(term, used_in)| Entry {
                id: &term.id,
                term: &term.name,
                aliases: &term.aliases,
                definition: term.definition.replace(ROOT_MARK, ""),
                used_in: links(used_in),
                related: links(&term.related),
            })
            .collect();
        let (breadcrumbs, nav) = crate::crossref_pages::outside_tree(site);
        PageContext {
            kind: "glossary",
            id: "glossary".into(),
            title: "Glossary",
            url: crate::outputs::GLOSSARY,
            breadcrumbs,
            nav,
            glossary: entries,
            ..PageContext::default()
        }
    }
}

impl Glossary {
    /// The glossary page as Markdown for the search index: a heading per term (its name and
    /// aliases, with the entry's id) over its definition, so that a term is found as a heading.
    pub fn search_markdown(&self) -> String {
        let mut md = String::new();
        for term in &self.terms {
            md.push_str("## ");
            push_escaped(&mut md, &term.name);
            if !term.aliases.is_empty() {
                md.push_str(" \\(");
                push_escaped(&mut md, &term.aliases.join(", "));
                md.push_str("\\)");
            }
            md.push_str(" {#");
            md.push_str(&term.id);
            md.push_str("}\n\n");
            push_escaped(&mut md, term.plain.trim());
            md.push_str("\n\n");
        }
        md
    }
}

/// `text` with every ASCII punctuation character backslash-escaped and line breaks as spaces,
/// so Markdown reads it as plain text.
fn push_escaped(md: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            md.push('\\');
            md.push(c);
        } else if c == '\n' {
            md.push(' ');
        } else {
            md.push(c);
        }
    }
}

/// A term on the glossary page (documented in the theme's README).
#[derive(Debug, Serialize)]
pub(crate) struct Entry<'a> {
    pub id: &'a str,
    pub term: &'a str,
    pub aliases: &'a [String],
    /// HTML; links are relative to the glossary page.
    pub definition: String,
    pub used_in: Vec<Link>,
    pub related: Vec<Link>,
}

/// The opening tag of a link to `term`'s entry, carrying its short definition.
fn term_link(term: &Term) -> String {
    let mut html = format!(
        "<a class=\"term\" href=\"{ROOT_MARK}{}#",
        crate::outputs::GLOSSARY
    );
    markdown::escape_attr(&mut html, &term.id);
    html.push_str("\" data-definition=\"");
    markdown::escape_attr(&mut html, &term.short);
    html.push_str("\">");
    html
}

/// The [`TermLinker`] of a guide's pages.
pub struct Linker<'a>(pub &'a Glossary);

impl TermLinker for Linker<'_> {
    fn find_terms(&self, text: &str) -> Vec<(Range<usize>, usize)> {
        self.0.matcher.find(text)
    }

    fn term_link(&self, term: usize) -> String {
        self.0.links[term].clone()
    }
}
