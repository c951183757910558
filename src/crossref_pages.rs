//! The pages and page regions made from cross references: topic chips, prerequisites, related
//! lessons, backlinks and tracks on each lesson; a page per topic, the topics index with the topic
//! map, and a page per learning track.

use crate::diagnostics::Diagnostic;
use crate::model::{LessonId, PageId};
use crate::nav::{self, Link};
use crate::output::Sink;
use crate::pages::{Group, Item, PageContext, PageWriter, TopicItem, TrackRef, write};

impl PageWriter<'_> {
    fn item(&self, lesson: LessonId, description: String) -> Item {
        let l = self.site.lesson(lesson);
        Item {
            title: l.front.title.clone(),
            url: l.url.clone(),
            description,
        }
    }

    /// The cross-reference regions of a page (empty for sections).
    pub(crate) fn crossref_context(&self, page: PageId) -> PageContext<'static> {
        let PageId::Lesson(lesson) = page else {
            return PageContext::default();
        };
        let x = self.crossrefs;
        let l = self.site.lesson(lesson);
        let describe = |id: LessonId| self.site.lesson(id).front.description.clone();
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
                .map(|&p| self.item(p, describe(p)))
                .collect(),
            related: x.related[lesson.0]
                .iter()
                .map(|&p| self.item(p, describe(p)))
                .collect(),
            backlinks: x.backlinks[lesson.0]
                .iter()
                .map(|&p| {
                    let section = &self.site.section(self.site.lesson(p).section).front.title;
                    self.item(p, section.clone())
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
                            .map(|&m| nav::link_to(self.site, PageId::Lesson(m)))
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

    /// `topics/index.html`, a page per topic, and a page per track.
    pub(crate) fn write_crossref_pages(&self, sink: &dyn Sink) -> Result<usize, Diagnostic> {
        let topics = &self.crossrefs.topics;
        let sidebar = self.root_sidebar("../")?;
        let extra = || {
            let mut c = tera::Context::new();
            c.insert("sidebar", &sidebar);
            c
        };
        let root_open = vec![nav::page_key(PageId::Section(self.site.root()))];
        let home = vec![nav::link_to(self.site, PageId::Section(self.site.root()))];
        let mut written = 0;
        if !topics.list.is_empty() {
            let context = PageContext {
                kind: "topics",
                id: "topics".into(),
                title: "Topics",
                description: "Every topic of the guide, with the lessons on each.",
                url: "topics/index.html",
                breadcrumbs: home.clone(),
                open: root_open.clone(),
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
            };
            let html = self.render("topics.html", context.url, &context, Some(extra()))?;
            write(sink, context.url, html.as_bytes())?;
            written += 1;
        }
        let topics_link = Link {
            title: "Topics".into(),
            url: "topics/index.html".into(),
        };
        for topic in &topics.list {
            let mut groups: Vec<Group<'_>> = Vec::new();
            for &lesson in &topic.lessons {
                let section = self.site.lesson(lesson).section;
                let item = self.list_item(PageId::Lesson(lesson));
                let section_link = nav::link_to(self.site, PageId::Section(section));
                match groups.last_mut() {
                    Some(g) if g.section.url == section_link.url => g.lessons.push(item),
                    _ => groups.push(Group {
                        section: section_link,
                        lessons: vec![item],
                    }),
                }
            }
            let context = PageContext {
                kind: "topic",
                id: format!("topic-{}", topic.slug),
                title: &topic.title,
                description: &topic.description,
                url: &topic.url,
                breadcrumbs: vec![home[0].clone(), topics_link.clone()],
                open: root_open.clone(),
                groups,
                ..PageContext::default()
            };
            let html = self.render("topic.html", context.url, &context, Some(extra()))?;
            write(sink, context.url, html.as_bytes())?;
            written += 1;
        }
        for track in &self.crossrefs.tracks {
            let context = PageContext {
                kind: "track",
                id: format!("track-{}", track.slug),
                title: &track.title,
                description: &track.description,
                url: &track.url,
                breadcrumbs: home.clone(),
                open: root_open.clone(),
                lessons: track
                    .lessons
                    .iter()
                    .map(|&l| self.list_item(PageId::Lesson(l)))
                    .collect(),
                next: track
                    .lessons
                    .first()
                    .map(|&l| nav::link_to(self.site, PageId::Lesson(l))),
                ..PageContext::default()
            };
            let html = self.render("track.html", context.url, &context, Some(extra()))?;
            write(sink, context.url, html.as_bytes())?;
            written += 1;
        }
        Ok(written)
    }

    /// URLs of the cross-reference pages, for the sitemap.
    pub(crate) fn crossref_urls(&self) -> Vec<&str> {
        let topics = &self.crossrefs.topics.list;
        let mut urls: Vec<&str> = Vec::new();
        if !topics.is_empty() {
            urls.push("topics/index.html");
        }
        urls.extend(topics.iter().map(|t| t.url.as_str()));
        urls.extend(self.crossrefs.tracks.iter().map(|t| t.url.as_str()));
        urls
    }
}
