//! The checks of every page, kept between generations by source path: what each page's last
//! check found (errors, the summary anchors are checked against, its part of the search index),
//! which pages a change makes stale, and the search index merged from the kept parts.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::cache::{MarkdownCache, body_key};
use super::site::{Generation, PageCheck};
use crate::Prepared;
use crate::diagnostics::Diagnostic;
use crate::frontmatter::FrontMatter;
use crate::model::{PageId, Site};
use crate::search::PageDocs;

/// What the checks found, kept between generations by page source path.
#[derive(Default)]
pub struct State {
    /// The last generation checked (served, or refused for its errors).
    pub base: Option<Arc<Generation>>,
    pub pages: HashMap<String, Entry>,
    pub markdown: Arc<MarkdownCache>,
}

impl State {
    /// Forgets every page's check and rendered Markdown (everything is to be redone).
    pub fn forget(&mut self) {
        self.pages.clear();
        self.markdown.clear();
    }
}

/// One page's check, with what it was made from.
pub struct Entry {
    body: u64,
    url: String,
    front: FrontMatter,
    check: PageCheck,
    /// Problems of its `#anchor` links, as last checked.
    anchors: Vec<Diagnostic>,
}

impl Entry {
    fn has_errors(&self) -> bool {
        self.check
            .diagnostics
            .iter()
            .chain(&self.anchors)
            .any(Diagnostic::is_error)
    }
}

/// What a check did, for the log.
#[derive(Default)]
pub(super) struct Report {
    pub checked: usize,
    pub parsed: usize,
}

/// Whether pages were added, removed or moved (links resolve against the set of pages).
pub(super) fn page_set_changed(old: &Site, new: &Site) -> bool {
    let pages = |site: &Site| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = site
            .reading_order()
            .into_iter()
            .map(|p| {
                (
                    site.page_source(p).path.clone(),
                    site.page_url(p).to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    pages(old) != pages(new)
}

/// Pages whose output may change with the edited ones besides those: the lessons that linked
/// to an edited, moved or deleted lesson before, and those that link to one now.
pub(super) fn linked_pages(state: &State, old: &Prepared, new: &Prepared) -> BTreeSet<PageId> {
    let new_by_path = new.site.pages_by_path();
    let changed = |site: &Site, prepared: &Prepared, page: PageId| {
        let source = site.page_source(page);
        state.pages.get(&source.path).is_none_or(|e| {
            e.body != body_key(prepared, page)
                || e.url != site.page_url(page)
                || &e.front != site.page_front(page)
        })
    };
    let mut out = BTreeSet::new();
    for (i, _) in old.site.lessons.iter().enumerate() {
        let lesson = crate::model::LessonId(i);
        let path = &old.site.lesson(lesson).source.path;
        let gone_or_changed = match new_by_path.get(path.as_str()) {
            None => true,
            Some(&p) => changed(&new.site, new, p),
        };
        if gone_or_changed {
            for from in &old.crossrefs.backlinks[i] {
                let from = &old.site.lesson(*from).source.path;
                if let Some(&p) = new_by_path.get(from.as_str()) {
                    out.insert(p);
                }
            }
        }
    }
    for (i, _) in new.site.lessons.iter().enumerate() {
        if changed(&new.site, new, PageId::Lesson(crate::model::LessonId(i))) {
            out.extend(
                new.crossrefs.backlinks[i]
                    .iter()
                    .map(|&l| PageId::Lesson(l)),
            );
        }
    }
    out
}

/// Brings the checks up to date with `generation`: checks the pages in `dirty`, those whose
/// source changed and those that had errors, then every anchor. Returns every error of the
/// guide.
pub(super) fn check(
    state: &mut State,
    generation: &Generation,
    mut dirty: BTreeSet<PageId>,
    theme_changed: bool,
    only: Option<&[PageId]>,
) -> (Vec<Diagnostic>, Report) {
    let prepared = &generation.prepared;
    let site = &prepared.site;
    let order = site.reading_order();
    dirty.extend(only.unwrap_or_default());
    for &page in &order {
        let source = site.page_source(page);
        let stale = state.pages.get(&source.path).is_none_or(|e| {
            e.has_errors()
                || only.is_none()
                    && (e.body != body_key(prepared, page)
                        || e.url != site.page_url(page)
                        || &e.front != site.page_front(page))
        });
        if stale {
            dirty.insert(page);
        }
    }
    let mut report = Report {
        checked: dirty.len(),
        ..Report::default()
    };
    let writer = generation.writer();
    let keep = dirty.len() <= 64;
    let checked: Vec<(PageId, PageCheck)> = dirty
        .par_iter()
        .map(|&p| (p, generation.check_page(&writer, p, keep)))
        .collect();
    report.parsed = checked.iter().filter(|(_, c)| c.parsed).count();
    let mut template_errors = Vec::new();
    if theme_changed {
        // Markdown and links are unchanged: one page of each template shows template errors.
        let mut samples = vec![PageId::Section(site.root())];
        samples.extend(
            site.sections
                .iter()
                .enumerate()
                .skip(1)
                .take(1)
                .map(|(i, _)| PageId::Section(crate::model::SectionId(i))),
        );
        samples.extend(
            (!site.lessons.is_empty()).then_some(PageId::Lesson(crate::model::LessonId(0))),
        );
        samples.retain(|p| !dirty.contains(p));
        report.checked += samples.len();
        for page in samples {
            template_errors.extend(generation.check_template(&writer, page));
        }
    }
    for (page, check) in checked {
        let source = site.page_source(page);
        state.pages.insert(
            source.path.clone(),
            Entry {
                body: body_key(prepared, page),
                url: site.page_url(page).to_owned(),
                front: site.page_front(page).clone(),
                check,
                anchors: Vec::new(),
            },
        );
    }
    if only.is_none() {
        let paths: BTreeSet<&str> = order
            .iter()
            .map(|&p| site.page_source(p).path.as_str())
            .collect();
        state.pages.retain(|path, _| paths.contains(path.as_str()));
    }

    let pages = &state.pages;
    let summary_of = |p: PageId| {
        pages
            .get(&site.page_source(p).path)
            .map(|e| &e.check.summary)
    };
    // After an edit of some bodies only, the anchors that can have broken are those of the
    // pages checked again (which include the lessons linking to the edited ones) and of
    // sections (which backlinks do not follow).
    let in_scope =
        |p: PageId| only.is_none() || dirty.contains(&p) || matches!(p, PageId::Section(_));
    let anchors: Vec<(PageId, Vec<Diagnostic>)> = order
        .par_iter()
        .filter(|&&p| in_scope(p))
        .filter_map(|&p| summary_of(p).map(|s| (p, s)))
        .map(|(p, s)| {
            let found = if s.anchored_links.is_empty() {
                Vec::new()
            } else {
                writer.markdown.check_anchors(p, s, &summary_of)
            };
            (p, found)
        })
        .collect();
    for (page, found) in anchors {
        if let Some(e) = state.pages.get_mut(&site.page_source(page).path) {
            e.anchors = found;
        }
    }

    let mut errors: Vec<Diagnostic> = prepared.diagnostics.0.clone();
    for &page in &order {
        if let Some(e) = state.pages.get(&site.page_source(page).path) {
            errors.extend(e.check.diagnostics.iter().cloned());
            errors.extend(e.anchors.iter().cloned());
        }
    }
    errors.extend(template_errors);
    errors.retain(Diagnostic::is_error);
    (crate::diagnostics::finish(errors), report)
}

/// Merges every page's part of the search index into the generation's index files; returns
/// how long it took, when the guide has a search index.
pub(super) fn merge_search(state: &mut State, generation: &Generation) -> Option<u128> {
    let search = generation.search.as_ref()?;
    let site = &generation.prepared.site;
    let started = Instant::now();
    let order = site.reading_order();
    let mut docs: Vec<PageDocs> = Vec::with_capacity(order.len());
    let mut owners: Vec<&str> = Vec::with_capacity(order.len());
    for &page in &order {
        let path = site.page_source(page).path.as_str();
        if let Some(e) = state.pages.get_mut(path)
            && let Some(d) = e.check.docs.as_mut()
        {
            d.page = crate::search::page_number(site, page);
            docs.push(std::mem::take(d));
            owners.push(path);
        }
    }
    generation.set_search_files(search.finish(&docs));
    for (path, d) in owners.into_iter().zip(docs) {
        if let Some(e) = state.pages.get_mut(path) {
            e.check.docs = Some(d);
        }
    }
    Some(started.elapsed().as_millis())
}
