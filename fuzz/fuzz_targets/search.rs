//! The search-index builder: `SearchIndex::new`, `page` for every page and `finish`, over the
//! `course` test fixture with one page's title, topics and body taken from the input.
//!
//! Input: the page to replace, a byte whose bits pick its topics among the guide's, then its title
//! up to the first newline, then its Markdown body.
//!
//! Besides not panicking, checked: every file is `search/….js` and is a
//! `guideSearchPart("name",<JSON>);` call whose payload is valid JSON; files with the same name
//! have the same bytes; the replaced page's text parts carry its title, its URL and anchors of
//! its own headings only; building twice from the same pages gives the same bytes.

#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use guide::internals::markdown::Rendered;
use guide::internals::{PageId, Part, SearchIndex};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

mod course;

/// Every page of the course rendered as the build renders it, in reading order.
fn all_rendered() -> &'static [Rendered] {
    static RENDERED: OnceLock<Vec<Rendered>> = OnceLock::new();
    RENDERED.get_or_init(|| {
        let course = course::course();
        course
            .pages
            .iter()
            .map(|&p| {
                let source = course.prepared.site.page_source(p);
                course.render(p, &source.body, source.body_line)
            })
            .collect()
    })
}

/// The JSON payload of a `guideSearchPart("name",<payload>);` file.
fn payload(part: &Part) -> Value {
    let text = std::str::from_utf8(&part.bytes).expect("search file is UTF-8");
    let name = part
        .path
        .strip_prefix("search/")
        .and_then(|p| p.strip_suffix(".js"))
        .unwrap_or_else(|| panic!("search file outside search/ or not .js: {}", part.path));
    let head = format!("guideSearchPart(\"{name}\",");
    let json = text
        .strip_prefix(head.as_str())
        .and_then(|t| t.strip_suffix(");\n"))
        .unwrap_or_else(|| panic!("{} is not one guideSearchPart call", part.path));
    serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("{}: payload is not JSON ({e}): {json}", part.path))
}

fuzz_target!(|data: &[u8]| {
    let [pick, topic_bits, rest @ ..] = data else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let (title, body) = rest.split_once('\n').unwrap_or((rest, ""));
    if title.trim().is_empty() {
        return; // front matter refuses an empty title
    }
    let g = course::course();
    let index = usize::from(*pick) % g.pages.len();
    let page = g.pages[index];

    let mut site = g.prepared.site.clone();
    let topics = &g.prepared.crossrefs.topics;
    let chosen: Vec<String> = topics
        .list
        .iter()
        .enumerate()
        .filter(|(i, _)| i < &8 && topic_bits & (1 << i) != 0)
        .map(|(_, t)| t.slug.clone())
        .collect();
    let rendered = g.render(page, body, g.prepared.site.page_source(page).body_line);
    match page {
        PageId::Section(s) => {
            let section = &mut site.sections[s.0];
            section.front.title = title.to_owned();
            section.front.topics = chosen;
            section.source.body = body.into();
        }
        PageId::Lesson(l) => {
            let lesson = &mut site.lessons[l.0];
            lesson.front.title = title.to_owned();
            lesson.front.topics = chosen;
            lesson.source.body = body.into();
        }
    }

    let search = SearchIndex::new(&site, &g.prepared.config, &g.prepared.theme.blocks, topics);
    let mut docs = Vec::with_capacity(g.pages.len());
    let mut files: Vec<Part> = Vec::new();
    for (i, &p) in g.pages.iter().enumerate() {
        let r = if i == index {
            &rendered
        } else {
            &all_rendered()[i]
        };
        let (page_docs, parts) = search.page(&site, p, r);
        assert_eq!(page_docs.text_parts(), parts.len(), "text parts of {p:?}");
        if i == index {
            let url = site.page_url(p);
            let anchors: HashSet<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
            for part in &parts {
                let v = payload(part);
                assert_eq!(v["t"].as_str(), Some(title), "title in {}", part.path);
                assert_eq!(v["u"].as_str(), Some(url), "URL in {}", part.path);
                for d in v["d"].as_array().expect("documents") {
                    let a = d["a"].as_str().expect("anchor");
                    assert!(
                        a.is_empty() || anchors.contains(a),
                        "anchor {a:?} is no heading of the page"
                    );
                }
            }
        }
        docs.push(page_docs);
        files.extend(parts);
    }
    let finished = search.finish(&docs);
    let again = search.finish(&docs);
    assert!(
        finished.len() == again.len()
            && finished
                .iter()
                .zip(&again)
                .all(|(a, b)| a.path == b.path && a.bytes == b.bytes),
        "finish is not deterministic"
    );
    assert!(
        finished.iter().any(|p| p.path == search.manifest_path()),
        "no manifest among {:?}",
        finished.iter().map(|p| &p.path).collect::<Vec<_>>()
    );
    files.extend(finished);
    // Names of dictionary, postings and topic files are hashes of their content: two topics
    // with the same pages share a file. Two different files must never share a name.
    let mut paths = std::collections::HashMap::new();
    for part in &files {
        if let Some(bytes) = paths.insert(part.path.as_str(), &part.bytes) {
            assert!(bytes == &part.bytes, "two different files at {}", part.path);
        }
        let _ = payload(part);
    }
});
