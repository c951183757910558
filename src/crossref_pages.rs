//! The pages and page regions made from cross references: topic chips, prerequisites, related
//! lessons, backlinks and tracks on each lesson; a page per topic, the topics index with the topic
//! map, and a page per learning track.

use crate::context::{Group, Item, PageContext, TopicItem, TrackRef, list_item};
use crate::graph::Crossrefs;
use crate::model::{LessonId, PageId, Site};
use crate::nav::{self, Link};
use crate::outputs::TOPICS_INDEX;

fn item(site: &Site, lesson: LessonId, description: String) -> Item {
    let l = site.lesson(lesson);
    Item {
        title: l.front.title.clone(),
        url: l.url.clone(),
        description,
    }
}

/// The cross-reference regions of a page (empty for sections).
pub(crate) fn lesson_regions(site: &Site, x: &Crossrefs, page: PageId) -> PageContext<'static> {
    let PageId::Lesson(lesson) = page else {
        return PageContext::default();
    };
    let l = site.lesson(lesson);
    let describe = |id: LessonId| site.lesson(id).front.description.clone();
    PageContext {
        topics: l
            .front
            .topics
            .iter()
            .filter_map(|slug| x.topics.get(slug))
            .map(|t| Link {
                title: t.title.clone(),
                url: t.url.clone(),
            })
            .collect(),
        prerequisites: x.prerequisites[lesson.0]
            .iter()
            .map(|&p| item(site, p, describe(p)))
            .collect(),
        related: x.related[lesson.0]
            .iter()
            .map(|&p| item(site, p, describe(p)))
            .collect(),
        backlinks: x.backlinks[lesson.0]
            .iter()
            .map(|&p| {
                let section = &site.section(site.lesson(p).section).front.title;
                item(site, p, section.clone())
            })
            .collect(),
        tracks: x.lesson_tracks[lesson.0]
            .iter()
            .map(|&t| {
                let track = &x.tracks[t];
                let at = track.lessons.iter().position(|&m| m == lesson).unwrap_or(0);
                let link = |i: usize| {
                    track
                        .lessons
                        .get(i)
                        .map(|&m| nav::link_to(site, PageId::Lesson(m)))
                };
                TrackRef {
                    title: track.title.clone(),
                    url: track.url.clone(),
                    position: at + 1,
                    total: track.lessons.len(),
                    prev: at.checked_sub(1).and_then(link),
                    next: link(at + 1),
                }
            })
            .collect(),
        ..PageContext::default()
    }
}
/// What every page outside the section tree shares: the home link and the root section open.
pub(crate) fn outside_tree(site: &Site) -> (Vec<Link>, nav::Expanded) {
    let root = site.root();
    (
        vec![nav::link_to(site, PageId::Section(root))],
        nav::expanded_at(site, root),
    )
}

/// The topics index: every topic with its lesson count, and the topic map.
pub(crate) fn topics_index<'a>(site: &Site, x: &'a Crossrefs) -> PageContext<'a> {
    let topics = &x.topics;
    let (home, nav) = outside_tree(site);
    PageContext {
        kind: "topics",
        id: "topics".into(),
        title: "Topics",
        description: "Every topic of the guide, with the lessons on each.",
        url: TOPICS_INDEX,
        breadcrumbs: home,
        nav,
        topic_map: Some(crate::topicmap::render(topics, "")),
        topic_list: topics
            .list
            .iter()
            .map(|t| TopicItem {
                title: &t.title,
                url: &t.url,
                description: &t.description,
                count: t.lessons.len(),
            })
            .collect(),
        ..PageContext::default()
    }
}

/// A topic's page: its lessons grouped by section, in guide order.
pub(crate) fn topic<'a>(site: &'a Site, x: &'a Crossrefs, i: usize) -> PageContext<'a> {
    let topic = &x.topics.list[i];
    let mut groups: Vec<Group<'_>> = Vec::new();
    for &lesson in &topic.lessons {
        let section = site.lesson(lesson).section;
        let item = list_item(site, PageId::Lesson(lesson));
        let section_link = nav::link_to(site, PageId::Section(section));
        match groups.last_mut() {
            Some(g) if g.section.url == section_link.url => g.lessons.push(item),
            _ => groups.push(Group {
                section: section_link,
                lessons: vec![item],
            }),
        }
    }
    let (mut breadcrumbs, nav) = outside_tree(site);
    breadcrumbs.push(Link {
        title: "Topics".into(),
        url: TOPICS_INDEX.into(),
    });
    PageContext {
        kind: "topic",
        id: format!("topic-{}", topic.slug),
        title: &topic.title,
        description: &topic.description,
        url: &topic.url,
        breadcrumbs,
        nav,
        groups,
        ..PageContext::default()
    }
}

/// A learning track's page: its lessons in order, the first one as "next".
pub(crate) fn track<'a>(site: &'a Site, x: &'a Crossrefs, i: usize) -> PageContext<'a> {
    let track = &x.tracks[i];
    let (breadcrumbs, nav) = outside_tree(site);
    PageContext {
        kind: "track",
        id: format!("track-{}", track.slug),
        title: &track.title,
        description: &track.description,
        url: &track.url,
        breadcrumbs,
        nav,
        lessons: track
            .lessons
            .iter()
            .map(|&l| list_item(site, PageId::Lesson(l)))
            .collect(),
        next: track
            .lessons
            .first()
            .map(|&l| nav::link_to(site, PageId::Lesson(l))),
        ..PageContext::default()
    }
}
