//! A page body made fit for `print.html`, where every page of the guide shares one document: its
//! ids get the page's key as a prefix (two lessons both have `#key-takeaways`), every reference to
//! an id inside the body follows (`href="#…"`, `for`, `aria-labelledby`, …), and its landmarks'
//! names get the page's title, so that no two regions of the document share a name.

use crate::links::ROOT_MARK;
use crate::markdown::escape_attr;

/// Attributes whose value is one id.
const ID_ATTRS: &[&str] = &["id", "for", "form", "list", "aria-activedescendant"];

/// Attributes whose value is a space-separated list of ids.
const ID_LIST_ATTRS: &[&str] = &[
    "aria-labelledby",
    "aria-describedby",
    "aria-controls",
    "aria-owns",
    "aria-details",
    "aria-errormessage",
    "aria-flowto",
    "headers",
];

/// Elements that are landmarks once they have a name.
const LANDMARK_TAGS: &[&str] = &["form", "section", "nav", "aside"];
const LANDMARK_ROLES: &[&str] = &["region", "form", "navigation", "complementary", "search"];

/// The body of the page whose key (`l3`, `s1`) is `key`, as `print.html` holds it: links from
/// the site root, ids prefixed with `<key>-`, landmarks named after the page title too (by the
/// template's `print-<key>-title` heading, or in words).
pub fn body(html: &str, key: &str, title: &str) -> String {
    let html = html.replace(ROOT_MARK, "");
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html.as_str();
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |end| end + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            let len = tag_len(rest);
            scope_tag(&mut out, &rest[..len], key, title);
            rest = &rest[len..];
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The length of the start tag `tag` begins with, to its `>` outside quotes (or the end).
fn tag_len(tag: &str) -> usize {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    tag.len()
}

struct Attr<'a> {
    name: &'a str,
    value: Option<String>,
}

/// Writes the start tag `tag` with its ids scoped; a tag that needs no change is written as is.
fn scope_tag(out: &mut String, tag: &str, key: &str, title: &str) {
    let (name, mut attrs, end) = parse_tag(tag);
    let mut changed = false;
    for attr in &mut attrs {
        let lower = attr.name.to_ascii_lowercase();
        let Some(value) = &attr.value else {
            continue;
        };
        let scoped = if ID_ATTRS.contains(&lower.as_str()) && !value.is_empty() {
            Some(format!("{key}-{value}"))
        } else if ID_LIST_ATTRS.contains(&lower.as_str()) {
            Some(
                value
                    .split_ascii_whitespace()
                    .map(|id| format!("{key}-{id}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        } else if lower == "href" && value.len() > 1 && value.starts_with('#') {
            Some(format!("#{key}-{}", &value[1..]))
        } else {
            None
        };
        if let Some(scoped) = scoped {
            attr.value = Some(scoped);
            changed = true;
        }
    }
    if is_landmark(name, &attrs) {
        changed |= name_after_page(&mut attrs, key, title);
    }
    if !changed {
        out.push_str(tag);
        return;
    }
    out.push('<');
    out.push_str(name);
    for attr in &attrs {
        out.push(' ');
        out.push_str(attr.name);
        if let Some(value) = &attr.value {
            out.push_str("=\"");
            out.push_str(&value.replace('"', "&quot;"));
            out.push('"');
        }
    }
    out.push_str(end);
}

/// The tag's name, its attributes (values as written, quotes removed) and how it ends (`>`,
/// `/>`, or nothing when the input ends inside it).
fn parse_tag(tag: &str) -> (&str, Vec<Attr<'_>>, &str) {
    let inner = tag.strip_prefix('<').unwrap_or(tag);
    let name_len = inner
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(inner.len());
    let (name, mut rest) = inner.split_at(name_len);
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if rest.is_empty() || rest == ">" || rest == "/>" {
            break;
        }
        if let Some(after) = rest.strip_prefix('/') {
            rest = after;
            continue;
        }
        let len = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len())
            .max(1);
        let (attr_name, after) = rest.split_at(len);
        rest = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let value = match rest.strip_prefix('=') {
            None => None,
            Some(after) => {
                let after = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
                let (value, tail) = match after.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let body = &after[1..];
                        let end = body.find(q).unwrap_or(body.len());
                        (&body[..end], body.get(end + 1..).unwrap_or(""))
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        after.split_at(end)
                    }
                };
                rest = tail;
                Some(value.to_string())
            }
        };
        attrs.push(Attr {
            name: attr_name,
            value,
        });
    }
    let end = if tag.ends_with("/>") {
        "/>"
    } else if tag.ends_with('>') {
        ">"
    } else {
        ""
    };
    (name, attrs, end)
}

fn is_landmark(name: &str, attrs: &[Attr<'_>]) -> bool {
    LANDMARK_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name))
        || attrs.iter().any(|a| {
            a.name.eq_ignore_ascii_case("role")
                && a.value.as_deref().is_some_and(|role| {
                    role.split_ascii_whitespace()
                        .next()
                        .is_some_and(|r| LANDMARK_ROLES.contains(&r))
                })
        })
}

/// Adds the page title to a landmark's name; whether it had one to add to.
fn name_after_page(attrs: &mut [Attr<'_>], key: &str, title: &str) -> bool {
    if let Some(ids) = find(attrs, "aria-labelledby") {
        ids.push_str(&format!(" print-{key}-title"));
        return true;
    }
    if let Some(label) = find(attrs, "aria-label") {
        label.push_str(", ");
        escape_attr(label, title);
        return true;
    }
    false
}

fn find<'v>(attrs: &'v mut [Attr<'_>], name: &str) -> Option<&'v mut String> {
    attrs
        .iter_mut()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .and_then(|a| a.value.as_mut())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_references_to_them_get_the_page_key() {
        let html = "<h2 id=\"key-takeaways\">Key <a class=\"anchor\" href=\"#key-takeaways\" \
                    aria-label=\"Link to this section\">#</a></h2>\n\
                    <p><a href=\"guide-root:/ops/a.html#key-takeaways\">there</a> \
                    <a href=\"#\">top</a> 2 &lt; 3</p>\
                    <input type=\"radio\" id=\"q-1\" name=\"q\"><label for=\"q-1\">One</label>\
                    <p aria-describedby=\"a  b\">x</p><!-- <b id=\"c\"> -->";
        assert_eq!(
            body(html, "l3", "Budgets"),
            "<h2 id=\"l3-key-takeaways\">Key <a class=\"anchor\" href=\"#l3-key-takeaways\" \
             aria-label=\"Link to this section\">#</a></h2>\n\
             <p><a href=\"ops/a.html#key-takeaways\">there</a> <a href=\"#\">top</a> 2 &lt; 3</p>\
             <input type=\"radio\" id=\"l3-q-1\" name=\"q\"><label for=\"l3-q-1\">One</label>\
             <p aria-describedby=\"l3-a l3-b\">x</p><!-- <b id=\"c\"> -->"
        );
    }

    #[test]
    fn landmarks_are_named_after_the_page_too() {
        let html = "<form class=\"quiz\" id=\"quiz-1\" novalidate aria-label=\"Self-check\">\
                    <form aria-labelledby=\"quiz-2-title\">\
                    <section class=\"table-wrap\" aria-label=\"Table 1: Costs\">\
                    <div aria-label=\"plain\">";
        assert_eq!(
            body(html, "l7", "Costs & <more>"),
            "<form class=\"quiz\" id=\"l7-quiz-1\" novalidate aria-label=\"Self-check, \
             Costs &amp; &lt;more&gt;\">\
             <form aria-labelledby=\"l7-quiz-2-title print-l7-title\">\
             <section class=\"table-wrap\" aria-label=\"Table 1: Costs, \
             Costs &amp; &lt;more&gt;\">\
             <div aria-label=\"plain\">"
        );
    }

    #[test]
    fn raw_html_in_any_quoting_is_scoped() {
        assert_eq!(
            body("<a href='#x' title='a \"q\"'><span id=y>", "s1", "T"),
            "<a href=\"#s1-x\" title=\"a &quot;q&quot;\"><span id=\"s1-y\">"
        );
        assert_eq!(body("<b id=\"x", "s1", "T"), "<b id=\"s1-x\"");
        assert_eq!(body("a < b <", "s1", "T"), "a < b <");
    }
}
