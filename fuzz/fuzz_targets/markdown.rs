//! Markdown → HTML with link rewriting: `markdown::render` on any body, with the build's own fenced
//! block renderer (theme block templates, syntax highlighting) and link resolver (`PageLinks`)
//! over a real guide, the `course` test fixture.
//!
//! The first byte picks the page whose folder relative links start from, the second the body's
//! first line in its file; the rest is the body.
//!
//! Besides not panicking, checked: every heading, link and issue points at a line of the body and
//! a column of that line, heading ids are unique, and without raw HTML in the body the output
//! holds only the elements the renderer writes itself (no markup smuggled in).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use guide::blocks::Fences;
use guide::highlight::Highlighter;
use guide::links::{Assets, PageLinks};
use guide::model::PageId;
use guide::{Prepared, Stopwatch};
use libfuzzer_sys::fuzz_target;

struct Guide {
    prepared: Prepared,
    highlighter: &'static Highlighter,
    content_dir: PathBuf,
    /// Content folder of each page, as `render` gives it to `PageLinks`.
    dirs: Vec<String>,
}

fn guide() -> &'static Guide {
    static GUIDE: OnceLock<Guide> = OnceLock::new();
    GUIDE.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/course");
        let config = guide::config::Config::load(&root).expect("fixture book.toml");
        let highlighter: &'static Highlighter = Box::leak(Box::new(Highlighter::new()));
        let prepared = guide::prepare(&root, config, false, highlighter, &mut Stopwatch::new())
            .unwrap_or_else(|_| panic!("the course fixture does not load"));
        let site = &prepared.site;
        let content_dir = std::fs::canonicalize(root.join(&prepared.config.build.content_dir))
            .expect("fixture content folder");
        let dirs = site
            .reading_order()
            .into_iter()
            .map(|page| match page {
                PageId::Section(s) => site.section(s).dir.clone(),
                PageId::Lesson(l) => site
                    .lesson(l)
                    .slug_path
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| d.to_owned()),
            })
            .collect();
        Guide {
            prepared,
            highlighter,
            content_dir,
            dirs,
        }
    })
}

/// Elements the renderer, the highlighter and the `compare` block template write.
const OWN_ELEMENTS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "input",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

fuzz_target!(|data: &[u8]| {
    let [page, first, rest @ ..] = data else {
        return;
    };
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    let g = guide();
    let dir = &g.dirs[usize::from(*page) % g.dirs.len()];
    let first_line = 1 + usize::from(*first);
    let fences = Fences {
        theme: &g.prepared.theme,
        highlighter: g.highlighter,
    };
    let assets = Assets::default();
    let links = PageLinks {
        index: &g.prepared.index,
        site: &g.prepared.site,
        dir,
        content_dir: &g.content_dir,
        assets: &assets,
    };
    let out = guide::markdown::render(body, first_line, &fences, &links);

    // Characters on each line of the body, to check columns against.
    let line_chars: Vec<usize> = body.split('\n').map(|l| l.chars().count()).collect();
    let at = |what: &str, line: usize, col: usize| {
        assert!(
            line >= first_line && line < first_line + line_chars.len(),
            "{what} at line {line}, outside the body (lines {first_line}..{})",
            first_line + line_chars.len()
        );
        let width = line_chars[line - first_line];
        assert!(
            col >= 1 && col <= width + 1,
            "{what} at {line}:{col}, but that line has {width} characters"
        );
    };

    let mut ids = std::collections::HashSet::new();
    for h in &out.headings {
        assert!((1..=6).contains(&h.level));
        assert!(!h.id.is_empty());
        assert!(ids.insert(h.id.as_str()), "duplicate heading id {:?}", h.id);
        at("heading", h.line, 1);
    }
    for l in &out.links {
        at("link", l.line, l.col);
    }
    for i in out.issues.iter().chain(&out.unsafe_markup) {
        at("issue", i.line, i.col);
    }
    if let Some((line, col)) = out.raw_html {
        at("raw HTML", line, col);
    } else {
        check_elements(&out.html);
    }
    assert!(out.word_count <= out.plain_text.len());
});

/// Every `<name` and `</name` in `html` names one of [`OWN_ELEMENTS`].
fn check_elements(html: &str) {
    let bytes = html.as_bytes();
    for (i, _) in html.match_indices('<') {
        let start = i + 1 + usize::from(bytes.get(i + 1) == Some(&b'/'));
        let len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let name = &html[start..start + len];
        assert!(
            OWN_ELEMENTS.contains(&name),
            "element <{name}> in the HTML of a body without raw HTML, at byte {i}: {}",
            String::from_utf8_lossy(&bytes[i.saturating_sub(80)..(i + 80).min(bytes.len())])
        );
    }
}
