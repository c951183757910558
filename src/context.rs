//! What templates get: the `page` context of every kind of page (documented in the theme's
//! README), and the site-wide globals set once on Tera's global context.

use serde::Serialize;

use crate::config::Config;
use crate::graph::Crossrefs;
use crate::model::{PageId, Site};
use crate::nav::{self, Link};
use crate::theme::Theme;

const WORDS_PER_MINUTE: usize = 220;

/// An entry of the table of contents.
#[derive(Debug, Serialize)]
pub(crate) struct TocEntry<'a> {
    pub level: u8,
    pub id: &'a str,
    pub text: &'a str,
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
    #[serde(flatten)]
    pub nav: crate::nav::Expanded,
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
    /// The glossary page: every term, alphabetically.
    pub glossary: Vec<crate::glossary::Entry<'a>>,
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
    /// The glossary page's URL, or `""` when the guide has no glossary.
    glossary_url: &'static str,
}

/// A learning track as every page sees it.
#[derive(Debug, Serialize)]
struct TrackItem<'a> {
    title: &'a str,
    url: &'a str,
    description: &'a str,
    count: usize,
    /// The URLs of its lessons in order, so reading progress can be shown per track.
    lessons: Vec<&'a str>,
}

pub(crate) fn reading_time(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

/// Sets every global of the theme's Tera: `site`, `nav`, `assets`, `generator` and
/// `search_index`. Called only by [`crate::Prepared::new`], so a guide's globals always match it.
pub(crate) fn set_globals(theme: &mut Theme, site: &Site, config: &Config, crossrefs: &Crossrefs) {
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
                lessons: t
                    .lessons
                    .iter()
                    .map(|&l| site.lesson(l).url.as_str())
                    .collect(),
            })
            .collect(),
        glossary_url: if crossrefs.glossary.is_empty() {
            ""
        } else {
            crate::outputs::GLOSSARY
        },
    };
    let globals = theme.tera.global_context();
    globals.insert("site", &site_ctx);
    globals.insert("nav", &nav::tree(site));
    globals.insert("assets", &assets);
    globals.insert("generator", concat!("guide ", env!("CARGO_PKG_VERSION")));
    let search_index = if config.search.enabled {
        crate::search::manifest_path(site, config, &theme.blocks, &crossrefs.glossary)
    } else {
        String::new()
    };
    globals.insert("search_index", &search_index);
}

/// What the sidebar partial gets as `page`: the current page's id (its link is marked), the
/// sections expanded and the windows of crowded ones.
#[derive(Debug, Serialize)]
pub(crate) struct SidebarPage<'a> {
    pub id: &'a str,
    #[serde(flatten)]
    pub nav: &'a crate::nav::Expanded,
}

/// A page as listed on a section, topic or track page.
pub(crate) fn list_item(site: &Site, page: PageId) -> ListItem<'_> {
    let front = site.page_front(page);
    ListItem {
        title: &front.title,
        url: site.page_url(page),
        description: &front.description,
        reading_time: reading_time(site.page_source(page).words),
    }
}
