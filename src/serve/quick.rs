//! The quick way to a new guide when a save changed only the bodies of existing pages (their
//! front matter, hence titles, order, topics and tracks, unchanged): the last guide with those
//! sources replaced and the backlinks of the edited lessons patched, instead of loading and
//! linking the whole guide again.

use std::path::{Path, PathBuf};

use crate::Prepared;
use crate::diagnostics::display_path;
use crate::graph::{lesson_links, reading_positions};
use crate::links::LinkIndex;
use crate::load::{LoadOptions, read_page};
use crate::model::{LessonId, PageId, Site};

/// The guide after a save that only changed the bodies of `changed` pages, or `None` when the
/// save did more (or the pages had problems): then the guide must be loaded again. Also gives
/// the edited pages.
pub fn body_edit(
    root: &Path,
    drafts: bool,
    base: &Prepared,
    changed: &[PathBuf],
) -> Option<(Prepared, Vec<PageId>)> {
    let content_dir = root.join(&base.config.build.content_dir);
    let opts = LoadOptions {
        root,
        content_dir: &content_dir,
        book_title: &base.config.book.title,
        drafts,
    };
    let by_path = base.site.pages_by_path();
    let mut edits = Vec::new();
    for path in changed {
        if path.extension().is_none_or(|x| x != "md") || !path.is_file() {
            return None;
        }
        let shown = display_path(root, path);
        let &page = by_path.get(shown.as_str())?;
        if base.diagnostics.0.iter().any(|d| d.file == shown) {
            return None;
        }
        let (source, front) = read_page(&opts, path).ok()??;
        if &front != base.site.page_front(page) || source.path != shown {
            return None;
        }
        edits.push((page, source));
    }
    let mut site: Site = base.site.clone();
    let mut crossrefs = base.crossrefs.clone();
    let index = LinkIndex::new(&site);
    let mut touched = Vec::new();
    let pages: Vec<PageId> = edits.iter().map(|(p, _)| *p).collect();
    for (page, source) in edits {
        match page {
            PageId::Section(s) => site.sections[s.0].source = source,
            PageId::Lesson(l) => {
                let before = lesson_links(&index, site.lesson(l));
                site.lessons[l.0].source = source;
                let after = lesson_links(&index, site.lesson(l));
                if before != after {
                    for t in before {
                        crossrefs.backlinks[t.0].retain(|&from| from != l);
                        touched.push(t);
                    }
                    for t in after.into_iter().filter(|&t| t != l) {
                        crossrefs.backlinks[t.0].push(l);
                        touched.push(t);
                    }
                }
            }
        }
    }
    if !touched.is_empty() {
        let position = reading_positions(&site);
        for LessonId(t) in touched {
            let list = &mut crossrefs.backlinks[t];
            list.sort_by_key(|l| position[l.0]);
            list.dedup();
        }
    }
    let mut diagnostics = base.diagnostics.clone();
    if !crossrefs.glossary.is_empty() {
        crossrefs.glossary.count_uses(&site, &pages);
        let before = base.crossrefs.glossary.unused();
        diagnostics.0.retain(|d| !before.contains(d));
        diagnostics.extend(crossrefs.glossary.unused());
    }
    let prepared = Prepared::new(
        base.config.clone(),
        site,
        base.theme.clone(),
        index,
        crossrefs,
        diagnostics,
    );
    Some((prepared, pages))
}
