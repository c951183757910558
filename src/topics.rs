//! Topics: which lessons carry each topic (in guide order), the topics that are used but not
//! declared in `book.toml` (and the reverse), and related lessons computed from shared topics.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::graph::front_matter_error;
use crate::locate;
use crate::model::{LessonId, PageId, Site};
use crate::suggest;

/// One topic and its lessons.
#[derive(Debug, Clone)]
pub struct Topic {
    pub slug: String,
    pub title: String,
    pub description: String,
    /// Declared in `book.toml`.
    pub declared: bool,
    /// In reading order.
    pub lessons: Vec<LessonId>,
    /// Output path, e.g. `topics/devops.html`.
    pub url: String,
}

/// Every topic used by a lesson, by slug.
#[derive(Debug, Clone, Default)]
pub struct Topics {
    pub list: Vec<Topic>,
    by_slug: BTreeMap<String, usize>,
}

impl Topics {
    /// Gathers topics from front matter and `book.toml`; warns about undeclared and unused ones.
    pub fn build(site: &Site, config: &Config, book: &str) -> (Topics, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut lessons_of: BTreeMap<&str, Vec<LessonId>> = BTreeMap::new();
        for page in site.reading_order() {
            if let PageId::Lesson(l) = page {
                for slug in &site.lesson(l).front.topics {
                    let list = lessons_of.entry(slug.as_str()).or_default();
                    if list.last() != Some(&l) {
                        list.push(l);
                    }
                }
            }
        }
        let declared: Vec<&str> = config.topics.keys().map(String::as_str).collect();
        let mut topics = Topics::default();
        for (slug, lessons) in lessons_of {
            let config_topic = config.topics.get(slug);
            if config_topic.is_none() {
                let help =
                    suggest::did_you_mean(slug, declared.iter().copied()).unwrap_or_else(|| {
                        format!("declare it in book.toml as [topics.{slug}] with a title")
                    });
                let mut d = front_matter_error(
                    site,
                    lessons[0],
                    "topics",
                    slug,
                    format!("topic `{slug}` is not declared in book.toml"),
                    Some(help),
                );
                d.severity = crate::diagnostics::Severity::Warning;
                diags.push(d);
            }
            topics.by_slug.insert(slug.to_owned(), topics.list.len());
            topics.list.push(Topic {
                slug: slug.to_owned(),
                title: config_topic.map_or_else(|| slug.replace('-', " "), |t| t.title.clone()),
                description: config_topic
                    .map(|t| t.description.clone())
                    .unwrap_or_default(),
                declared: config_topic.is_some(),
                lessons,
                url: crate::outputs::topic_url(slug),
            });
        }
        for slug in config.topics.keys() {
            if !topics.by_slug.contains_key(slug) {
                let d = Diagnostic::warning(
                    "book.toml",
                    format!("topic `{slug}` is declared but no lesson uses it"),
                )
                .help("add it to some lesson's `topics`, or remove its table from book.toml");
                diags.push(match locate::table(book, &format!("topics.{slug}")) {
                    Some((line, col)) => d.at(line, col).with_source(book),
                    None => d,
                });
            }
        }
        (topics, diags)
    }

    pub fn get(&self, slug: &str) -> Option<&Topic> {
        self.by_slug.get(slug).map(|&i| &self.list[i])
    }

    pub fn index_of(&self, slug: &str) -> Option<usize> {
        self.by_slug.get(slug).copied()
    }
}

/// Related lessons of every lesson: the explicit ones first, then lessons sharing topics, each
/// shared topic weighted by its rarity (inverse document frequency); ties in reading order.
pub fn related(
    site: &Site,
    topics: &Topics,
    explicit: &[Vec<LessonId>],
    position: &[usize],
    limit: usize,
) -> Vec<Vec<LessonId>> {
    use rayon::prelude::*;
    let total = site.lessons.len().max(1) as f64;
    let weight: Vec<f64> = topics
        .list
        .iter()
        .map(|t| (total / t.lessons.len() as f64).ln() + 1.0)
        .collect();
    (0..site.lessons.len())
        .into_par_iter()
        .map_init(
            || (vec![0.0f64; site.lessons.len()], Vec::new()),
            |(scores, touched), i| {
                let mut out: Vec<LessonId> =
                    explicit[i].iter().copied().filter(|l| l.0 != i).collect();
                out.truncate(limit);
                for slug in &site.lesson(LessonId(i)).front.topics {
                    let Some(t) = topics.index_of(slug) else {
                        continue;
                    };
                    for &other in &topics.list[t].lessons {
                        if other.0 == i {
                            continue;
                        }
                        if scores[other.0] == 0.0 {
                            touched.push(other.0);
                        }
                        scores[other.0] += weight[t];
                    }
                }
                let mut ranked: Vec<(f64, usize)> =
                    touched.iter().map(|&j| (scores[j], j)).collect();
                for &j in touched.iter() {
                    scores[j] = 0.0;
                }
                touched.clear();
                let order = |a: &(f64, usize), b: &(f64, usize)| {
                    b.0.total_cmp(&a.0).then(position[a.1].cmp(&position[b.1]))
                };
                let keep = limit + out.len();
                if ranked.len() > keep {
                    ranked.select_nth_unstable_by(keep, order);
                    ranked.truncate(keep);
                }
                ranked.sort_by(order);
                for (_, j) in ranked {
                    if out.len() >= limit {
                        break;
                    }
                    if !out.contains(&LessonId(j)) {
                        out.push(LessonId(j));
                    }
                }
                out
            },
        )
        .collect()
}
