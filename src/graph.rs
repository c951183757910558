//! The web between lessons: which lesson links to which (for backlinks), prerequisites (checked,
//! cycles named), related lessons (explicit, then computed from shared topics) and learning
//! tracks. Computed once per build, before any page is rendered.

use std::collections::{BTreeMap, HashMap};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::links::{LinkIndex, split_fragment};
use crate::locate;
use crate::markdown;
use crate::model::{LessonId, PageId, Site};
use crate::suggest;
use crate::topics::Topics;
use crate::urls;

/// A learning track: an ordered reading list across sections.
#[derive(Debug, Clone)]
pub struct Track {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub lessons: Vec<LessonId>,
    /// Output path, e.g. `tracks/it-leadership.html`.
    pub url: String,
}

/// Cross references of every lesson, indexed by [`LessonId`].
#[derive(Debug, Clone, Default)]
pub struct Crossrefs {
    /// Lessons that link to each lesson, in reading order.
    pub backlinks: Vec<Vec<LessonId>>,
    pub prerequisites: Vec<Vec<LessonId>>,
    pub related: Vec<Vec<LessonId>>,
    pub topics: Topics,
    pub tracks: Vec<Track>,
    /// For each lesson, the tracks (indexes into `tracks`) it belongs to.
    pub lesson_tracks: Vec<Vec<usize>>,
    /// The glossary's terms and where they are used (set by [`crate::prepare`]).
    pub glossary: crate::glossary::Glossary,
}

/// Builds every cross reference and reports what is wrong with them.
/// `book` is the text of `book.toml`, to point at its lines.
pub fn build(
    site: &Site,
    config: &Config,
    index: &LinkIndex,
    book: &str,
) -> (Crossrefs, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let position = reading_positions(site);
    let backlinks = backlinks(site, index, &position);
    let prerequisites = resolve_lists(
        site,
        index,
        |l| &site.lesson(l).front.prerequisites,
        "prerequisites",
        &mut diags,
    );
    diags.extend(cycles(site, &prerequisites));
    let explicit_related = resolve_lists(
        site,
        index,
        |l| &site.lesson(l).front.related,
        "related",
        &mut diags,
    );
    let (topics, topic_diags) = Topics::build(site, config, book);
    diags.extend(topic_diags);
    let related = crate::topics::related(
        site,
        &topics,
        &explicit_related,
        &position,
        config.build.related_lessons,
    );
    let (tracks, track_diags) = tracks(site, config, index, &prerequisites, book);
    diags.extend(track_diags);
    let mut lesson_tracks = vec![Vec::new(); site.lessons.len()];
    for (t, track) in tracks.iter().enumerate() {
        for &l in &track.lessons {
            if !lesson_tracks[l.0].contains(&t) {
                lesson_tracks[l.0].push(t);
            }
        }
    }
    for page in site.reading_order() {
        let url = site.page_url(page);
        if crate::outputs::RESERVED_FOLDERS
            .iter()
            .any(|folder| url.starts_with(folder))
        {
            diags.push(
                Diagnostic::error(
                    &site.page_source(page).path,
                    format!("`{url}` is reserved for the pages guide makes for topics and tracks"),
                )
                .help("rename the `topics` or `tracks` folder of the content"),
            );
        }
    }
    (
        Crossrefs {
            backlinks,
            prerequisites,
            related,
            topics,
            tracks,
            lesson_tracks,
            glossary: crate::glossary::Glossary::default(),
        },
        diags,
    )
}

/// Each lesson's place in reading order, for stable ordering.
pub fn reading_positions(site: &Site) -> Vec<usize> {
    let mut position = vec![0; site.lessons.len()];
    for (i, page) in site.reading_order().into_iter().enumerate() {
        if let PageId::Lesson(l) = page {
            position[l.0] = i;
        }
    }
    position
}

/// The lessons a lesson's body links to, each once, in order of first link: a parse of the body
/// without rendering it. Links in a self-check's Markdown count too.
pub fn lesson_links(index: &LinkIndex, lesson: &crate::model::Lesson) -> Vec<LessonId> {
    let dir = lesson.dir();
    let mut targets = Vec::new();
    let mut add = |dest: &str| {
        let (path, _) = split_fragment(dest);
        if path.is_empty() || urls::is_external(path) {
            return;
        }
        if let Some(PageId::Lesson(t)) = index.target(dir, path)
            && !targets.contains(&t)
        {
            targets.push(t);
        }
    };
    let mut quiz: Option<String> = None;
    for event in Parser::new_ext(&lesson.source.body, markdown::options()) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => add(&dest_url),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split_whitespace().next() == Some("quiz") =>
            {
                quiz = Some(String::new());
            }
            Event::Text(text) => {
                if let Some(code) = &mut quiz {
                    code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                for text in crate::quiz::markdown_strings(&quiz.take().unwrap_or_default()) {
                    for event in Parser::new_ext(&text, markdown::options()) {
                        if let Event::Start(Tag::Link { dest_url, .. }) = event {
                            add(&dest_url);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    targets
}

fn backlinks(site: &Site, index: &LinkIndex, position: &[usize]) -> Vec<Vec<LessonId>> {
    let outgoing: Vec<Vec<LessonId>> = site
        .lessons
        .par_iter()
        .map(|lesson| lesson_links(index, lesson))
        .collect();
    let mut incoming = vec![Vec::new(); site.lessons.len()];
    for (from, targets) in outgoing.iter().enumerate() {
        for &t in targets {
            if t.0 != from {
                incoming[t.0].push(LessonId(from));
            }
        }
    }
    for list in &mut incoming {
        list.sort_by_key(|l| position[l.0]);
    }
    incoming
}

/// Resolves a front-matter list of content-relative lesson paths for every lesson.
fn resolve_lists<'s>(
    site: &'s Site,
    index: &LinkIndex,
    list: impl Fn(LessonId) -> &'s Vec<String> + Sync,
    key: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Vec<LessonId>> {
    let results: Vec<(Vec<LessonId>, Vec<Diagnostic>)> = (0..site.lessons.len())
        .into_par_iter()
        .map(|i| {
            let mut out = Vec::new();
            let mut errors = Vec::new();
            for entry in list(LessonId(i)) {
                match resolve_lesson(site, index, entry) {
                    Ok(l) if !out.contains(&l) => out.push(l),
                    Ok(_) => {}
                    Err(help) => errors.push(front_matter_error(
                        site,
                        LessonId(i),
                        key,
                        entry,
                        format!("`{key}` names `{entry}`, which is not a lesson of the guide"),
                        help,
                    )),
                }
            }
            (out, errors)
        })
        .collect();
    results
        .into_iter()
        .map(|(out, errors)| {
            diags.extend(errors);
            out
        })
        .collect()
}

/// A content-relative lesson path to the lesson, or a hint about the nearest one.
pub fn resolve_lesson(
    site: &Site,
    index: &LinkIndex,
    entry: &str,
) -> Result<LessonId, Option<String>> {
    match index.target("", entry.trim_start_matches('/')) {
        Some(PageId::Lesson(l)) => Ok(l),
        Some(PageId::Section(_)) => Err(Some("name a lesson, not a section's `_index.md`".into())),
        None => {
            let paths: Vec<String> = site
                .lessons
                .iter()
                .map(|l| format!("{}.md", l.slug_path))
                .collect();
            Err(suggest::did_you_mean(
                entry,
                paths.iter().map(String::as_str),
            ))
        }
    }
}

/// An error about a front-matter value, located on the line where the value is written.
pub fn front_matter_error(
    site: &Site,
    lesson: LessonId,
    key: &str,
    value: &str,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    let source = &site.lesson(lesson).source;
    let d = Diagnostic::error(&source.path, message).help_opt(help);
    let (line, col) = locate::value_in(&source.front, None, key, value).unwrap_or((1, 1));
    let mut d = d.at(line, col);
    d.source_line = source.line(line).map(str::to_owned);
    d
}

/// Every cycle of prerequisites, each reported once with every lesson in it.
fn cycles(site: &Site, prerequisites: &[Vec<LessonId>]) -> Vec<Diagnostic> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let n = prerequisites.len();
    let mut mark = vec![Mark::New; n];
    let mut found: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for start in 0..n {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative depth-first search: (lesson, next prerequisite to visit).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&LessonId(child)) = prerequisites[node].get(*next) {
                *next += 1;
                match mark[child] {
                    Mark::New => {
                        mark[child] = Mark::Active;
                        stack.push((child, 0));
                    }
                    Mark::Active => {
                        let from = stack.iter().position(|&(l, _)| l == child).unwrap_or(0);
                        let cycle: Vec<usize> = stack[from..].iter().map(|&(l, _)| l).collect();
                        let mut key = cycle.clone();
                        key.sort_unstable();
                        found.entry(key).or_insert(cycle);
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    found
        .into_values()
        .map(|cycle| {
            let first = LessonId(cycle[0]);
            let names: Vec<String> = cycle
                .iter()
                .chain(std::iter::once(&cycle[0]))
                .map(|&l| format!("`{}.md`", site.lesson(LessonId(l)).slug_path))
                .collect();
            let next = &site
                .lesson(LessonId(*cycle.get(1).unwrap_or(&cycle[0])))
                .slug_path;
            front_matter_error(
                site,
                first,
                "prerequisites",
                &format!("{next}.md"),
                format!("prerequisites form a cycle: {}", names.join(" → ")),
                Some(
                    "remove one of these prerequisites so the lessons can be read in some order"
                        .into(),
                ),
            )
        })
        .collect()
}

/// Resolves the tracks of `book.toml`, with warnings for prerequisites that come later or are
/// missing: a track is meant to be read in order.
fn tracks(
    site: &Site,
    config: &Config,
    index: &LinkIndex,
    prerequisites: &[Vec<LessonId>],
    book: &str,
) -> (Vec<Track>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut tracks = Vec::new();
    for (slug, track) in &config.tracks {
        let table = format!("tracks.{slug}");
        let at = |path: &str| locate::value_in(book, Some(&table), "lessons", path);
        let mut lessons = Vec::new();
        for entry in &track.lessons {
            match resolve_lesson(site, index, entry) {
                Ok(l) => lessons.push(l),
                Err(help) => {
                    let d = Diagnostic::error(
                        "book.toml",
                        format!(
                            "track `{slug}` names `{entry}`, which is not a lesson of the guide"
                        ),
                    )
                    .help_opt(help);
                    diags.push(match at(entry) {
                        Some((line, col)) => d.at(line, col).with_source(book),
                        None => d,
                    });
                }
            }
        }
        let place: HashMap<LessonId, usize> =
            lessons.iter().enumerate().map(|(i, &l)| (l, i)).collect();
        for (i, &lesson) in lessons.iter().enumerate() {
            for &pre in &prerequisites[lesson.0] {
                let path = format!("{}.md", site.lesson(lesson).slug_path);
                let pre_path = &site.lesson(pre).slug_path;
                let (message, help) = match place.get(&pre) {
                    Some(&j) if j > i => (
                        format!("lists `{path}` before its prerequisite `{pre_path}.md`"),
                        "move the prerequisite earlier in the track".to_string(),
                    ),
                    None => (
                        format!("lists `{path}` but not its prerequisite `{pre_path}.md`"),
                        format!("add `{pre_path}.md` to the track before `{path}`"),
                    ),
                    Some(_) => continue,
                };
                let d = Diagnostic::warning("book.toml", format!("track `{slug}` {message}"))
                    .help(help);
                diags.push(match at(&path) {
                    Some((line, col)) => d.at(line, col).with_source(book),
                    None => d,
                });
            }
        }
        tracks.push(Track {
            url: crate::outputs::track_url(slug),
            slug: slug.clone(),
            title: track.title.clone(),
            description: track.description.clone(),
            lessons,
        });
    }
    (tracks, diags)
}
