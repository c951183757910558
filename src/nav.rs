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

/// Section ids expanded in the sidebar for a page: its section and that section's ancestors.
pub fn open_sections(site: &Site, page: PageId) -> Vec<String> {
    site.ancestry(home_section(site, page))
        .into_iter()
        .map(|s| page_key(PageId::Section(s)))
        .collect()
}

pub fn link_to(site: &Site, page: PageId) -> Link {
    Link {
        title: site.page_front(page).title.clone(),
        url: site.page_url(page).to_owned(),
    }
}
