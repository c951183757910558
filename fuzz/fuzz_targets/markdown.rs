//! Markdown → HTML with link rewriting: `markdown::render` on any body, with the build's own fenced
//! block renderer (theme block templates, syntax highlighting) and link resolver (`PageLinks`)
//! over a real guide, the `course` test fixture.
//!
//! The first byte picks the page whose folder relative links start from, the second the body's
//! first line in its file; the rest is the body.
//!
//! Besides not panicking, checked: every heading, link and issue points at a line of the body and
//! a column of that line, heading ids are unique, and without raw HTML in the body the output
//! holds only the elements the renderer writes itself (no markup smuggled in); when nothing was
//! reported for `allow-html = false` either, no attribute runs script (`on…` handlers,
//! `javascript:`-like URLs).

#![no_main]

use libfuzzer_sys::fuzz_target;

mod course;

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
    let course = course::course();
    let page = course.pages[usize::from(*page) % course.pages.len()];
    let first_line = 1 + usize::from(*first);
    let out = course.render(page, body, first_line);

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
        if out.unsafe_markup.is_empty() {
            check_attributes(&out.html);
        }
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

/// No tag of `html` (which holds only the renderer's own elements) has an event-handler attribute
/// or a URL attribute that a browser would run as script.
fn check_attributes(html: &str) {
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<').map(|p| p + i) {
        let name_len = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let tag = &html[at + 1..at + 1 + name_len];
        let mut j = at + 1 + name_len;
        loop {
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' || bytes[j] == b'/' || name_len == 0 {
                break;
            }
            let start = j;
            while j < bytes.len() && !b" \t\n=>/".contains(&bytes[j]) {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            assert!(
                !attr.starts_with("on"),
                "event handler `{attr}` on <{tag}>: {}",
                &html[at..(j + 40).min(html.len())]
            );
            if bytes.get(j) == Some(&b'=') && bytes.get(j + 1) == Some(&b'"') {
                let end = j + 2 + html[j + 2..].find('"').expect("unterminated attribute");
                let value = decode(&html[j + 2..end]);
                if attr == "href" || attr == "src" {
                    let scheme: String = value
                        .trim_start_matches(|c: char| c <= ' ')
                        .chars()
                        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                        .take(11)
                        .collect::<String>()
                        .to_ascii_lowercase();
                    let script = scheme.starts_with("javascript:")
                        || scheme.starts_with("vbscript:")
                        || (scheme.starts_with("data:") && tag != "img");
                    assert!(!script, "<{tag} {attr}=\"{value}\"> runs script");
                }
                j = end + 1;
            } else {
                j += 1;
            }
        }
        i = at + 1;
    }
}

/// The text of an attribute value as the browser reads it (the entities the renderer writes).
fn decode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let end = rest.find(';').unwrap_or(0);
        let entity = &rest[1..end.max(1)];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) if end > 0 => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
