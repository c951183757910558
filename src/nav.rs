//! Navigation derived from the site tree: the sidebar, breadcrumbs and previous/next pages.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{PageId, SectionId, Site};

/// Stable id of a page in templates (`s3`, `l12`).
pub fn page_key(page: PageId) -> String {
    match page {
        PageId::Section(s) => format!("s{}", s.0),
        PageId::Lesson(l) => format!("l{}", l.0),
    }
}

/// A titled link, with a root-relative URL.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// A lesson entry of the sidebar.
#[derive(Debug, Clone, Serialize)]
pub struct NavLesson {
    pub id: String,
    pub title: String,
    pub url: String,
}

/// A section of the sidebar with its lessons and child sections.
#[derive(Debug, Clone, Serialize)]
pub struct NavSection {
    pub id: String,
    pub title: String,
    pub url: String,
    /// Whether it has lessons or child sections (so templates test a flag, not a list).
    pub has_items: bool,
    /// Whether it has more than [`CROWDED`] child sections, so that the sidebar lists only a
    /// window of them (see [`Expanded::windows`]).
    pub crowded: bool,
    pub lessons: Vec<NavLesson>,
    pub sections: Vec<NavSection>,
}

/// The whole sidebar tree, built once per build and shared by every page.
pub fn tree(site: &Site) -> NavSection {
    section_node(site, site.root())
}

fn section_node(site: &Site, id: SectionId) -> NavSection {
    let s = site.section(id);
    NavSection {
        id: page_key(PageId::Section(id)),
        title: s.front.title.clone(),
        url: s.url.clone(),
        has_items: !s.lessons.is_empty() || !s.sections.is_empty(),
        crowded: s.sections.len() > CROWDED,
        lessons: s
            .lessons
            .iter()
            .map(|&l| NavLesson {
                id: page_key(PageId::Lesson(l)),
                title: site.lesson(l).front.title.clone(),
                url: site.lesson(l).url.clone(),
            })
            .collect(),
        sections: s.sections.iter().map(|&c| section_node(site, c)).collect(),
    }
}

/// Reading order with each page's position, for previous/next links.
pub struct Order {
    pages: Vec<PageId>,
    position: HashMap<PageId, usize>,
}

impl Order {
    pub fn new(site: &Site) -> Self {
        let pages = site.reading_order();
        let position = pages.iter().enumerate().map(|(i, &p)| (p, i)).collect();
        Self { pages, position }
    }

    pub fn pages(&self) -> &[PageId] {
        &self.pages
    }

    /// Where a page stands in reading order.
    pub fn position(&self, page: PageId) -> Option<usize> {
        self.position.get(&page).copied()
    }

    pub fn prev(&self, page: PageId) -> Option<PageId> {
        let i = *self.position.get(&page)?;
        i.checked_sub(1).map(|j| self.pages[j])
    }

    pub fn next(&self, page: PageId) -> Option<PageId> {
        let i = *self.position.get(&page)?;
        self.pages.get(i + 1).copied()
    }
}

/// The section a page belongs to (a section belongs to itself).
pub fn home_section(site: &Site, page: PageId) -> SectionId {
    match page {
        PageId::Section(s) => s,
        PageId::Lesson(l) => site.lesson(l).section,
    }
}

/// Ancestor sections of a page as links, from the root down, not including the page itself.
pub fn breadcrumbs(site: &Site, page: PageId) -> Vec<Link> {
    let chain = match page {
        PageId::Section(s) => {
            let mut c = site.ancestry(s);
            c.pop();
            c
        }
        PageId::Lesson(l) => site.ancestry(site.lesson(l).section),
    };
    chain
        .into_iter()
        .map(|s| Link {
            title: site.section(s).front.title.clone(),
            url: site.section(s).url.clone(),
        })
        .collect()
}

/// A section with more child sections than this lists only [`WINDOW`] of them in a page's
/// sidebar, around the open one, and links its own page for the rest: the sidebar of every page
/// stays the same size however many sections the guide has.
pub const CROWDED: usize = 12;

/// How many child sections of a crowded section the sidebar lists.
pub const WINDOW: usize = 9;

/// The child sections of a crowded section that a page's sidebar lists: `from..to` by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: usize,
    pub to: usize,
}

/// What the sidebar expands for a page: its section and that section's ancestors (`open`, by
/// id), and for each of them that is crowded, the window of child sections listed.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Expanded {
    pub open: Vec<String>,
    pub windows: HashMap<String, Window>,
}

/// The sidebar's expanded sections for a page of the section tree.
pub fn expanded(site: &Site, page: PageId) -> Expanded {
    expanded_at(site, home_section(site, page))
}

/// The sidebar's expanded sections with `section` (and its ancestors) open.
pub fn expanded_at(site: &Site, section: SectionId) -> Expanded {
    let chain = site.ancestry(section);
    let mut windows = HashMap::new();
    for (depth, &s) in chain.iter().enumerate() {
        let children = &site.section(s).sections;
        if children.len() > CROWDED {
            let open = chain
                .get(depth + 1)
                .and_then(|next| children.iter().position(|c| c == next));
            windows.insert(page_key(PageId::Section(s)), window(children.len(), open));
        }
    }
    Expanded {
        open: chain
            .into_iter()
            .map(|s| page_key(PageId::Section(s)))
            .collect(),
        windows,
    }
}

/// [`WINDOW`] positions out of `len`, with `open` near the middle (the first ones when none is).
fn window(len: usize, open: Option<usize>) -> Window {
    let from = open.map_or(0, |i| i.saturating_sub(WINDOW / 2));
    let to = (from + WINDOW).min(len);
    Window {
        from: to.saturating_sub(WINDOW),
        to,
    }
}

pub fn link_to(site: &Site, page: PageId) -> Link {
    Link {
        title: site.page_front(page).title.clone(),
        url: site.page_url(page).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_keeps_its_size_and_the_open_section_inside() {
        assert_eq!(
            window(40, None),
            Window {
                from: 0,
                to: WINDOW
            }
        );
        assert_eq!(
            window(40, Some(0)),
            Window {
                from: 0,
                to: WINDOW
            }
        );
        assert_eq!(window(40, Some(20)), Window { from: 16, to: 25 });
        assert_eq!(window(40, Some(39)), Window { from: 31, to: 40 });
        for len in [CROWDED + 1, 40, 200] {
            for open in 0..len {
                let w = window(len, Some(open));
                assert_eq!(w.to - w.from, WINDOW);
                assert!(w.from <= open && open < w.to, "{len} {open} {w:?}");
            }
        }
    }
}
