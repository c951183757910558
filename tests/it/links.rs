//! Cross-linking, run as a user runs it: internal links, anchors and assets checked and rewritten,
//! topics, related lessons, backlinks, prerequisites, learning tracks, the topic map, and
//! `guide check` with `--format json` and `--deny-warnings`. Every rule has a broken copy of the
//! `web` fixture whose diagnostic must name the exact file, line and column, and the suggestion.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::support::{
    Guide, Run, Site, assert_in_order, assert_same, element_by_id, elements_by_class, has_id,
    hrefs, link_texts, snapshot, tags, tags_named, target_of, text_of,
};
use serde_json::Value;

/// Every lesson page of the `web` fixture, in reading order.
const LESSONS: [&str; 8] = [
    "ops/overview.html",
    "ops/budgets.html",
    "ops/incidents.html",
    "ops/deep/runbooks.html",
    "product/roadmaps.html",
    "product/discovery.html",
    "product/metrics.html",
    "product/glossary.html",
];

/// Every section page of the `web` fixture.
const SECTIONS: [&str; 4] = [
    "index.html",
    "ops/index.html",
    "ops/deep/index.html",
    "product/index.html",
];

/// The topics of each lesson of the `web` fixture, as its front matter declares them.
const LESSON_TOPICS: [(&str, &[&str]); 8] = [
    ("ops/overview.html", &["devops", "agile"]),
    ("ops/budgets.html", &["budgeting", "agile"]),
    ("ops/incidents.html", &["devops", "security"]),
    ("ops/deep/runbooks.html", &["devops", "leadership"]),
    ("product/roadmaps.html", &["agile", "budgeting"]),
    ("product/discovery.html", &["agile", "security"]),
    ("product/metrics.html", &["agile", "devops", "budgeting"]),
    ("product/glossary.html", &[]),
];

/// Slug, title and lesson count of every topic of `book.toml`, by slug.
const TOPICS: [(&str, &str, usize); 5] = [
    ("agile", "Agile", 5),
    ("budgeting", "Budgeting", 3),
    ("devops", "DevOps", 4),
    ("leadership", "Leadership", 1),
    ("security", "Security", 2),
];

/// The regions of the theme contract that appear only where they have entries.
const REGIONS: [&str; 4] = ["topics", "prerequisites", "related", "backlinks"];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A copy of the `web` fixture.
fn web() -> Guide {
    Guide::fixture("web")
}

/// Builds a copy of the `web` fixture, expecting success without a single warning.
fn built() -> (Guide, Site) {
    let guide = web();
    guide.build().ok().stderr_lacks("warning:");
    let site = guide.out();
    (guide, site)
}

/// Replaces the one occurrence of `from` in the guide file `rel` by `to`.
fn edit(guide: &Guide, rel: &str, from: &str, to: &str) {
    let text = guide.read(rel);
    assert_eq!(
        text.matches(from).count(),
        1,
        "{rel} should hold {from:?} exactly once:\n{text}"
    );
    guide.write(rel, text.replacen(from, to, 1));
}

/// Builds `guide`, expecting exit code 1, the summary line, and nothing written.
fn fails(guide: &Guide) -> Run {
    let before = guide.snapshot();
    let run = guide.build();
    run.expect_code(1).stderr_has("nothing was written");
    assert_same(
        &before,
        &guide.snapshot(),
        "a failed build must not write anything",
    );
    run
}

/// Panics unless stderr points at exactly `file:line:col`.
fn points_at(run: &Run, file: &str, line: usize, col: usize) {
    run.stderr_has(&format!("--> {file}:{line}:{col}\n"));
}

/// `guide check --format json` plus `extra`: the run and every diagnostic, one per stdout line.
fn json_check(guide: &Guide, extra: &[&str]) -> (Run, Vec<Value>) {
    let root = guide.root_str();
    let mut args = vec!["check", "--root", root.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let run = guide.run(&args);
    let diags = run
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {l:?}"));
            assert!(v.is_object(), "not a JSON object: {l}");
            v
        })
        .collect();
    (run, diags)
}

fn show(diags: &[Value]) -> String {
    diags
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one diagnostic at `file:line:col`.
fn diag_at<'a>(diags: &'a [Value], file: &str, line: u64, col: u64) -> &'a Value {
    let found: Vec<&Value> = diags
        .iter()
        .filter(|d| d["file"] == file && d["line"] == line && d["col"] == col)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one diagnostic at {file}:{line}:{col}, got {}:\n{}",
        found.len(),
        show(diags)
    );
    found[0]
}

/// Panics unless there is a diagnostic of `severity` at `file:line:col` whose message holds
/// `message` and whose help is exactly `help` (`None`: no "did you mean" at all).
fn expect_diag(
    diags: &[Value],
    severity: &str,
    (file, line, col): (&str, u64, u64),
    message: &str,
    help: Option<&str>,
) {
    let d = diag_at(diags, file, line, col);
    assert_eq!(d["severity"], severity, "{d}");
    let text = d["message"].as_str().unwrap_or_default();
    assert!(text.contains(message), "message lacks {message:?}: {d}");
    match help {
        Some(h) => assert_eq!(d["help"], h, "{d}"),
        None => assert!(
            !d["help"]
                .as_str()
                .is_some_and(|h| h.contains("did you mean")),
            "no suggestion expected: {d}"
        ),
    }
}

/// The element `#id` of `page`, panicking when it is missing.
fn region<'a>(html: &'a str, page: &str, id: &str) -> &'a str {
    element_by_id(html, id).unwrap_or_else(|| panic!("{page}: no #{id}"))
}

/// Where the links of region `#id` of `page` lead (root-relative, with fragments), in order.
fn region_targets(site: &Site, page: &str, id: &str) -> Vec<String> {
    let html = site.page(page);
    hrefs(region(&html, page, id))
        .iter()
        .map(|h| target_of(page, h))
        .collect()
}

/// The link texts of region `#id` of `page`, in order.
fn region_titles(site: &Site, page: &str, id: &str) -> Vec<String> {
    let html = site.page(page);
    link_texts(region(&html, page, id))
}

/// Where the links inside `#content` of `page` lead, as written (`href`) and resolved.
fn content_links(site: &Site, page: &str) -> Vec<(String, String)> {
    let html = site.page(page);
    hrefs(region(&html, page, "content"))
        .into_iter()
        .map(|h| {
            let t = target_of(page, &h);
            (h, t)
        })
        .collect()
}

/// Panics unless `page`'s content links to each of `targets` (root-relative, with fragments).
fn links_to(site: &Site, page: &str, targets: &[&str]) {
    let found: BTreeSet<String> = content_links(site, page)
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    for t in targets {
        assert!(found.contains(*t), "{page} does not link to {t}: {found:?}");
    }
}

/// The text of the first `<h1>` of `html`.
fn h1_text(html: &str) -> String {
    let h1 = tags_named(html, "h1");
    let start = h1.first().expect("an <h1>").end();
    let end = start + html[start..].find("</h1>").expect("a closed <h1>");
    text_of(&html[start..end])
}

/// The inline topic map of a page: from `<svg class="topic-map"` to its `</svg>`.
fn topic_map<'a>(html: &'a str, page: &str) -> &'a str {
    let svg = tags_named(html, "svg")
        .into_iter()
        .find(|t| t.has_class("topic-map"))
        .unwrap_or_else(|| panic!("{page}: no <svg class=\"topic-map\">"));
    let end = html[svg.start..]
        .find("</svg>")
        .unwrap_or_else(|| panic!("{page}: the topic map is never closed"));
    &html[svg.start..svg.start + end + "</svg>".len()]
}

/// A node of the topic map: where it links, its radius, its label.
struct Node {
    href: String,
    radius: f64,
    label: String,
}

fn nodes(svg: &str) -> Vec<Node> {
    elements_by_class(svg, "topic-map-node")
        .into_iter()
        .map(|el| {
            let a = &tags(el)[0];
            assert_eq!(a.name, "a", "a topic node is a link: {el}");
            let circle = tags_named(el, "circle");
            assert_eq!(circle.len(), 1, "one circle per node: {el}");
            Node {
                href: a.attr("href").unwrap_or_default(),
                radius: circle[0]
                    .attr("r")
                    .and_then(|r| r.parse().ok())
                    .unwrap_or_else(|| panic!("no numeric r: {el}")),
                label: text_of(el),
            }
        })
        .collect()
}

/// Checks that `xml` is one well-formed XML element: tags balanced and properly nested, every
/// attribute quoted and given once, `&` only in entity references, nothing outside the root but
/// whitespace.
fn xml_well_formed(xml: &str) -> Result<(), String> {
    fn name_len(s: &str) -> usize {
        s.char_indices()
            .find(|&(i, c)| {
                !(c.is_alphanumeric()
                    || matches!(c, '_' | ':')
                    || (i > 0 && matches!(c, '-' | '.')))
            })
            .map_or(s.len(), |(i, _)| i)
    }
    fn entity_len(s: &str) -> Result<usize, String> {
        let end = s
            .find(';')
            .ok_or_else(|| format!("`&` without `;`: {:.20}", s))?;
        let body = &s[1..end];
        let ok = matches!(body, "amp" | "lt" | "gt" | "quot" | "apos")
            || body
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || body
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if ok {
            Ok(end + 1)
        } else {
            Err(format!("bad entity `&{body};`"))
        }
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    while i < xml.len() {
        let rest = &xml[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").ok_or("unclosed comment")? + 3;
        } else if let Some(close) = rest.strip_prefix("</") {
            let n = name_len(close);
            let name = &close[..n];
            if !close[n..].trim_start().starts_with('>') {
                return Err(format!("bad end tag </{name}"));
            }
            match stack.pop() {
                Some(open) if open == name => {}
                Some(open) => return Err(format!("</{name}> closes <{open}>")),
                None => return Err(format!("</{name}> closes nothing")),
            }
            i += 2 + close.find('>').unwrap_or(0) + 1;
        } else if let Some(open) = rest.strip_prefix('<') {
            let n = name_len(open);
            if n == 0 {
                return Err(format!("`<` that starts no tag: {:.20}", rest));
            }
            let name = &open[..n];
            if stack.is_empty() {
                roots += 1;
            }
            let mut j = i + 1 + n;
            let mut seen = HashSet::new();
            loop {
                let before = j;
                j += xml[j..].len() - xml[j..].trim_start().len();
                let here = &xml[j..];
                if here.starts_with("/>") {
                    j += 2;
                    break;
                }
                if here.starts_with('>') {
                    stack.push(name);
                    j += 1;
                    break;
                }
                if j == before {
                    return Err(format!("<{name}>: attributes must be separated by space"));
                }
                let an = name_len(here);
                if an == 0 {
                    return Err(format!("<{name}>: bad character in tag: {:.20}", here));
                }
                let attr = &here[..an];
                if !seen.insert(attr) {
                    return Err(format!("<{name}>: attribute `{attr}` given twice"));
                }
                let after = here[an..].trim_start();
                let Some(after) = after.strip_prefix('=') else {
                    return Err(format!("<{name}>: attribute `{attr}` has no value"));
                };
                let after = after.trim_start();
                let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                    return Err(format!("<{name}>: attribute `{attr}` is not quoted"));
                };
                let value_len = after[1..]
                    .find(q)
                    .ok_or_else(|| format!("<{name}>: unclosed value of `{attr}`"))?;
                let value = &after[1..1 + value_len];
                if value.contains('<') {
                    return Err(format!("<{name}>: `<` in the value of `{attr}`"));
                }
                let mut k = 0;
                while let Some(amp) = value[k..].find('&') {
                    k += amp + entity_len(&value[k + amp..])?;
                }
                j = xml.len() - after.len() + 1 + value_len + 1;
            }
            i = j;
        } else if rest.starts_with('&') {
            i += entity_len(rest)?;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            if stack.is_empty() && !c.is_whitespace() {
                return Err(format!("text outside the root element: {:.20}", rest));
            }
            i += c.len_utf8();
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{open}> is never closed"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

/// Also asks Python's XML parser when `python3` is installed; skipped otherwise.
fn python_parses_xml(xml: &str) {
    let child = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return;
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(xml.as_bytes()).expect("write to python3");
    }
    let out = child.wait_with_output().expect("run python3");
    assert!(
        out.status.success(),
        "python3's XML parser rejects the topic map:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// Internal links
// ---------------------------------------------------------------------------------------------

#[test]
fn md_links_are_rewritten_to_the_target_pages_with_their_anchors() {
    let (_guide, site) = built();
    links_to(
        &site,
        "ops/budgets.html",
        &[
            "ops/overview.html",
            "ops/overview.html#budgets",
            "product/roadmaps.html#quarterly-planning",
        ],
    );
    links_to(&site, "product/roadmaps.html", &["ops/overview.html"]);
    links_to(&site, "index.html", &["ops/overview.html"]);
    for page in site.pages() {
        for href in hrefs(&site.page(&page)) {
            let path = href.split('#').next().unwrap_or_default();
            assert!(
                !path.ends_with(".md"),
                "{page}: a Markdown link was left as it is: {href}"
            );
        }
    }
}

#[test]
fn links_from_a_nested_page_lead_to_the_right_pages() {
    let (_guide, site) = built();
    let page = "ops/deep/runbooks.html";
    links_to(
        &site,
        page,
        &["ops/overview.html#service-levels", "product/roadmaps.html"],
    );
    for (href, _) in content_links(&site, page) {
        assert!(
            !href.starts_with('/'),
            "{page}: `{href}` is root-absolute, which breaks under a sub-path"
        );
    }
}

#[test]
fn links_to_index_files_and_section_folders_lead_to_section_pages() {
    let (_guide, site) = built();
    links_to(
        &site,
        "ops/overview.html",
        &[
            "product/index.html",
            "ops/deep/index.html",
            "ops/index.html#what-lives-here",
        ],
    );
    links_to(
        &site,
        "ops/deep/runbooks.html",
        &["ops/deep/index.html", "index.html", "product/index.html"],
    );
}

#[test]
fn same_page_anchors_and_external_links_are_left_alone() {
    let (_guide, site) = built();
    let html = site.page("ops/overview.html");
    let content = region(&html, "ops/overview.html", "content");
    let written = hrefs(content);
    for href in [
        "#service-levels",
        "https://example.com/ops?x=1#top",
        "mailto:ops@example.com",
    ] {
        assert!(
            written.iter().any(|h| h == href),
            "`{href}` was changed: {written:?}"
        );
    }
    assert!(has_id(content, "service-levels"));
    let sources: Vec<String> = tags_named(content, "img")
        .iter()
        .filter_map(|t| t.attr("src"))
        .collect();
    assert!(
        sources.contains(&"https://example.com/badge.svg".to_owned()),
        "{sources:?}"
    );
}

#[test]
fn every_reference_of_the_site_resolves() {
    let (_guide, site) = built();
    let broken = site.broken_references();
    assert!(
        broken.is_empty(),
        "broken references:\n{}",
        broken.join("\n")
    );
}

#[test]
fn linked_image_and_file_are_copied_and_pages_point_at_them() {
    let (guide, site) = built();
    for page in ["ops/overview.html", "ops/deep/runbooks.html"] {
        let html = site.page(page);
        let content = region(&html, page, "content");
        let images: Vec<String> = tags_named(content, "img")
            .iter()
            .filter_map(|t| t.attr("src"))
            .filter(|s| !s.starts_with("http"))
            .map(|s| target_of(page, &s))
            .collect();
        assert_eq!(images, ["ops/img/pipeline.svg"], "{page}");
        links_to(&site, page, &["ops/files/budget-template.csv"]);
    }
    for file in ["ops/img/pipeline.svg", "ops/files/budget-template.csv"] {
        assert!(
            site.exists(file),
            "{file} was not copied: {:?}",
            site.files()
        );
        assert_eq!(
            std::fs::read(site.dir.join(file)).unwrap(),
            std::fs::read(guide.path(&format!("content/{file}"))).unwrap(),
            "{file} differs from its source"
        );
    }
}

#[test]
fn missing_page_is_an_error_with_the_nearest_path() {
    let guide = web();
    guide.write(
        "content/ops/deep/broken.md",
        "+++\ntitle = \"Broken links\"\n+++\n\n\
         See [the overview](../overveiw.md) and [roadmaps](../../product/roadmap.md).\n\
         Nothing is like [this](../zzzz-qqqq-xxxx.md).\n",
    );
    let run = fails(&guide);
    run.stderr_has("broken link: `../overveiw.md` is not a page of the guide")
        .stderr_has("did you mean `../overview.md`?")
        .stderr_has("did you mean `../../product/roadmaps.md`?");
    points_at(&run, "content/ops/deep/broken.md", 5, 5);
    points_at(&run, "content/ops/deep/broken.md", 5, 40);
    points_at(&run, "content/ops/deep/broken.md", 6, 17);

    let (check, diags) = json_check(&guide, &[]);
    check.expect_code(1);
    let f = "content/ops/deep/broken.md";
    expect_diag(
        &diags,
        "error",
        (f, 5, 5),
        "`../overveiw.md`",
        Some("did you mean `../overview.md`?"),
    );
    expect_diag(
        &diags,
        "error",
        (f, 5, 40),
        "`../../product/roadmap.md`",
        Some("did you mean `../../product/roadmaps.md`?"),
    );
    expect_diag(&diags, "error", (f, 6, 17), "`../zzzz-qqqq-xxxx.md`", None);
    assert_eq!(diags.len(), 3, "{}", show(&diags));
}

#[test]
fn missing_heading_id_is_an_error_with_the_nearest_id() {
    let guide = web();
    let f = "content/ops/deep/anchors.md";
    guide.write(
        f,
        "+++\ntitle = \"Broken anchors\"\n+++\n\n\
         Jump to [service levels](../overview.md#servce-levels),\n\
         [on call](#on-cal) or [the section](../_index.md#what-live-here).\n\
         Or [nowhere](../overview.md#qqqqqqqqqqqq).\n\n\
         ## On call\n\nPagers.\n",
    );
    let run = fails(&guide);
    run.stderr_has("broken anchor: `../overview.md` has no heading with id `servce-levels`")
        .stderr_has("did you mean `service-levels`?")
        .stderr_has("did you mean `on-call`?")
        .stderr_has("did you mean `what-lives-here`?");
    points_at(&run, f, 5, 9);

    let (_, diags) = json_check(&guide, &[]);
    expect_diag(
        &diags,
        "error",
        (f, 5, 9),
        "`servce-levels`",
        Some("did you mean `service-levels`?"),
    );
    expect_diag(
        &diags,
        "error",
        (f, 6, 1),
        "this page has no heading with id `on-cal`",
        Some("did you mean `on-call`?"),
    );
    expect_diag(
        &diags,
        "error",
        (f, 6, 23),
        "`what-live-here`",
        Some("did you mean `what-lives-here`?"),
    );
    expect_diag(&diags, "error", (f, 7, 4), "`qqqqqqqqqqqq`", None);
    assert_eq!(diags.len(), 4, "{}", show(&diags));
}

#[test]
fn broken_image_and_file_links_are_errors_with_a_suggestion_when_close() {
    let guide = web();
    let f = "content/ops/assets.md";
    guide.write(
        f,
        "+++\ntitle = \"Broken assets\"\n+++\n\n\
         ![pipeline](img/pipline.svg)\n\n\
         ![chart](img/quarterly-revenue-chart.png)\n\n\
         Get [the template](files/budget-templat.csv).\n",
    );
    let run = fails(&guide);
    run.stderr_has("broken image link: `img/pipline.svg` does not exist")
        .stderr_has("did you mean `img/pipeline.svg`?");
    points_at(&run, f, 5, 1);

    let (_, diags) = json_check(&guide, &[]);
    expect_diag(
        &diags,
        "error",
        (f, 5, 1),
        "broken image link",
        Some("did you mean `img/pipeline.svg`?"),
    );
    expect_diag(
        &diags,
        "error",
        (f, 7, 1),
        "`img/quarterly-revenue-chart.png` does not exist",
        None,
    );
    expect_diag(
        &diags,
        "error",
        (f, 9, 5),
        "broken file link: `files/budget-templat.csv`",
        Some("did you mean `files/budget-template.csv`?"),
    );
    assert_eq!(diags.len(), 3, "{}", show(&diags));
}

#[test]
fn links_climbing_out_of_the_content_folder_are_errors() {
    let guide = web();
    guide.write(
        "notes.md",
        "+++\ntitle = \"Outside\"\n+++\n\nNot content.\n",
    );
    let f = "content/ops/escape.md";
    guide.write(
        f,
        "+++\ntitle = \"Escape\"\n+++\n\n\
         Read [the config](../../book.toml) and [the notes](../../notes.md).\n",
    );
    let run = fails(&guide);
    run.stderr_has("`../../book.toml` points outside the content folder");
    points_at(&run, f, 5, 6);
    points_at(&run, f, 5, 40);

    let (_, diags) = json_check(&guide, &[]);
    expect_diag(
        &diags,
        "error",
        (f, 5, 6),
        "points outside the content folder",
        None,
    );
    expect_diag(&diags, "error", (f, 5, 40), "`../../notes.md`", None);
}

#[cfg(unix)]
#[test]
fn symlink_leading_out_of_the_content_folder_is_not_followed() {
    let guide = web();
    std::os::unix::fs::symlink(
        "../../../book.toml",
        guide.path("content/ops/img/secret.svg"),
    )
    .unwrap();
    let f = "content/ops/leak.md";
    guide.write(
        f,
        "+++\ntitle = \"Leak\"\n+++\n\n![secret](img/secret.svg)\n",
    );
    let run = fails(&guide);
    points_at(&run, f, 5, 1);
    run.stderr_has("broken image link: `img/secret.svg`");
}

// A link to a section folder without its trailing slash (`../product`) once failed with "is a
// folder, not a file" while `../product/` worked.
#[test]
fn link_to_a_section_folder_without_trailing_slash_leads_to_the_section_page() {
    let guide = web();
    edit(
        &guide,
        "content/ops/overview.md",
        "[the product section](../product/)",
        "[the product section](../product)",
    );
    guide.build().ok();
    links_to(&guide.out(), "ops/overview.html", &["product/index.html"]);
}

// The link a reader copies from a browser or from GitHub for a non-ASCII heading
// (`#%C3%BCber-uns` for `## Über uns`) is accepted by the build and followed by browsers.
#[test]
fn percent_encoded_anchor_to_a_non_ascii_heading_resolves() {
    let guide = web();
    guide.write(
        "content/ops/about.md",
        "+++\ntitle = \"About\"\n+++\n\n## Über uns\n\n\
         [here](#%C3%BCber-uns) and [there](about.md#%C3%BCber-uns)\n",
    );
    guide.build().ok();
    assert!(guide.out().broken_references().is_empty());
}

/// Links to the same pages written to their Markdown files and, as mdBook authors write them, to
/// their output files: as the source is named, as the output is, and as `pretty-urls` names it.
const OUTPUT_LINKS: [(&str, &str); 8] = [
    (
        "../overview.md#service-levels",
        "../overview.html#service-levels",
    ),
    ("../../product/roadmaps.md", "../../product/roadmaps.html"),
    ("_index.md", "index.html"),
    (
        "../_index.md#what-lives-here",
        "../index.html#what-lives-here",
    ),
    ("../../_index.md", "../../index.html"),
    ("../budgets.md", "../budgets/index.html"),
    ("../Team%20Notes.md", "../team-notes.html"),
    ("../Team%20Notes.md", "../Team%20Notes.html"),
];

#[test]
fn links_to_output_files_lead_where_their_md_links_lead() {
    let guide = web();
    guide.write(
        "content/ops/Team Notes.md",
        "+++\ntitle = \"Team notes\"\n+++\n\nNotes.\n",
    );
    guide.write("content/ops/files/legacy.html", "<p>An old page.</p>\n");
    for (page, links) in [
        ("by-md", OUTPUT_LINKS.map(|(md, _)| md)),
        ("by-html", OUTPUT_LINKS.map(|(_, html)| html)),
    ] {
        let body: String = links.iter().map(|l| format!("[link]({l})\n")).collect();
        guide.write(
            &format!("content/ops/deep/{page}.md"),
            format!("+++\ntitle = \"{page}\"\n+++\n\n{body}"),
        );
    }
    edit(
        &guide,
        "content/ops/deep/by-html.md",
        "+++\n\n",
        "+++\n\n[legacy](../files/legacy.html)\n",
    );
    guide.build().ok();
    let site = guide.out();
    let targets = |page: &str| -> Vec<String> {
        content_links(&site, page)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    };
    let expected = [
        "ops/overview.html#service-levels",
        "product/roadmaps.html",
        "ops/deep/index.html",
        "ops/index.html#what-lives-here",
        "index.html",
        "ops/budgets.html",
        "ops/team-notes.html",
        "ops/team-notes.html",
    ];
    assert_eq!(targets("ops/deep/by-md.html"), expected);
    assert_eq!(
        targets("ops/deep/by-html.html"),
        [&["ops/files/legacy.html"][..], &expected].concat(),
        "an `.html` link to an output file must lead where its `.md` link does; one to a file of \
         the content folder is that file"
    );
    assert!(site.exists("ops/files/legacy.html"), "{:?}", site.files());
    assert!(site.broken_references().is_empty());
}

#[test]
fn broken_links_to_output_files_are_errors_like_md_links() {
    let guide = web();
    let f = "content/ops/deep/html-broken.md";
    guide.write(
        f,
        "+++\ntitle = \"Broken output links\"\n+++\n\n\
         Jump to [service levels](../overview.html#servce-levels)\n\
         or [the section](../index.html#what-live-here).\n\
         See [the overview](../overveiw.html) and [nothing](../zzzz-qqqq-xxxx.html).\n",
    );
    let run = fails(&guide);
    run.stderr_has("broken anchor: `../overview.html` has no heading with id `servce-levels`")
        .stderr_has("broken link: `../overveiw.html` is not a page of the guide")
        .stderr_has("did you mean `../overview.html`?");
    points_at(&run, f, 5, 9);
    points_at(&run, f, 7, 5);

    let (_, diags) = json_check(&guide, &[]);
    expect_diag(
        &diags,
        "error",
        (f, 5, 9),
        "`../overview.html` has no heading with id `servce-levels`",
        Some("did you mean `service-levels`?"),
    );
    expect_diag(
        &diags,
        "error",
        (f, 6, 4),
        "`../index.html` has no heading with id `what-live-here`",
        Some("did you mean `what-lives-here`?"),
    );
    expect_diag(
        &diags,
        "error",
        (f, 7, 5),
        "broken link: `../overveiw.html` is not a page of the guide",
        Some("did you mean `../overview.html`?"),
    );
    expect_diag(
        &diags,
        "error",
        (f, 7, 42),
        "broken link: `../zzzz-qqqq-xxxx.html` is not a page of the guide",
        None,
    );
    assert_eq!(diags.len(), 4, "{}", show(&diags));
}

// ---------------------------------------------------------------------------------------------
// Topics
// ---------------------------------------------------------------------------------------------

#[test]
fn each_topic_has_a_page_with_its_lessons_grouped_by_section_in_guide_order() {
    let (_guide, site) = built();
    for (slug, title, count) in TOPICS {
        let page = format!("topics/{slug}.html");
        let html = site.page(&page);
        let content = region(&html, &page, "content");
        assert_eq!(h1_text(content), title, "{page}");
        let lessons: Vec<String> = elements_by_class(content, "lesson-link")
            .iter()
            .filter_map(|a| tags(a)[0].attr("href"))
            .map(|h| target_of(&page, &h))
            .collect();
        let expected: Vec<&str> = LESSON_TOPICS
            .iter()
            .filter(|(_, topics)| topics.contains(&slug))
            .map(|(p, _)| *p)
            .collect();
        assert_eq!(lessons, expected, "{page}: lessons in guide order");
        assert_eq!(lessons.len(), count);
    }

    let page = "topics/devops.html";
    let html = site.page(page);
    let content = region(&html, page, "content");
    assert!(text_of(content).contains("Building and running software as one team."));
    let groups = elements_by_class(content, "topic-group");
    let grouped: Vec<(String, Vec<String>)> = groups
        .iter()
        .map(|g| {
            let titles = link_texts(g);
            (titles[0].clone(), titles[1..].to_vec())
        })
        .collect();
    assert_eq!(
        grouped,
        [
            (
                "Operations".to_owned(),
                vec!["Operations overview".to_owned(), "Incidents".to_owned()]
            ),
            ("Deep ops".to_owned(), vec!["Runbooks".to_owned()]),
            ("Product".to_owned(), vec!["Metrics".to_owned()]),
        ]
    );
}

#[test]
fn topics_index_lists_every_topic_with_its_lesson_count() {
    let (_guide, site) = built();
    let page = "topics/index.html";
    let html = site.page(page);
    let cards = elements_by_class(&html, "card");
    assert_eq!(cards.len(), TOPICS.len(), "one card per topic");
    for (slug, title, count) in TOPICS {
        let card = cards
            .iter()
            .find(|c| {
                hrefs(c)
                    .iter()
                    .any(|h| target_of(page, h) == format!("topics/{slug}.html"))
            })
            .unwrap_or_else(|| panic!("no card links to topics/{slug}.html"));
        let text = text_of(card);
        let lessons = if count == 1 { "lesson" } else { "lessons" };
        assert!(
            text.starts_with(&format!("{title} {count} {lessons}")),
            "card of {slug}: {text}"
        );
    }
}

#[test]
fn lessons_show_topic_chips_linking_to_topic_pages() {
    let (_guide, site) = built();
    for (page, topics) in LESSON_TOPICS {
        if topics.is_empty() {
            continue;
        }
        let expected: Vec<String> = topics.iter().map(|t| format!("topics/{t}.html")).collect();
        assert_eq!(region_targets(&site, page, "topics"), expected, "{page}");
        for target in &expected {
            assert!(
                site.exists(target),
                "{page}: chip leads to missing {target}"
            );
        }
    }
    assert_eq!(
        region_titles(&site, "ops/deep/runbooks.html", "topics"),
        ["DevOps", "Leadership"]
    );
}

#[test]
fn undeclared_topic_is_a_warning_at_its_front_matter_line_with_a_suggestion() {
    let guide = web();
    let f = "content/ops/budgets.md";
    edit(
        &guide,
        f,
        r#"topics = ["budgeting", "agile"]"#,
        r#"topics = ["budgeting", "agile", "dev-ops", "kanban"]"#,
    );
    let run = guide.build();
    run.ok()
        .stderr_has("warning: topic `dev-ops` is not declared in book.toml")
        .stderr_has("did you mean `devops`?")
        .stderr_has("2 warnings");
    points_at(&run, f, 5, 34);
    points_at(&run, f, 5, 45);
    assert!(
        guide.out().exists("ops/budgets.html"),
        "warnings still build"
    );

    let (check, diags) = json_check(&guide, &[]);
    check.ok();
    expect_diag(
        &diags,
        "warning",
        (f, 5, 34),
        "topic `dev-ops` is not declared in book.toml",
        Some("did you mean `devops`?"),
    );
    expect_diag(
        &diags,
        "warning",
        (f, 5, 45),
        "topic `kanban` is not declared",
        None,
    );
    assert_eq!(diags.len(), 2, "{}", show(&diags));
}

#[test]
fn declared_topic_no_lesson_uses_is_a_warning_at_its_book_toml_line() {
    let guide = web();
    guide.append(
        "book.toml",
        "\n[topics.kanban]\ntitle = \"Kanban\"\ndescription = \"Boards.\"\n",
    );
    let run = guide.build();
    run.ok()
        .stderr_has("warning: topic `kanban` is declared but no lesson uses it");
    points_at(&run, "book.toml", 36, 2);
    let (check, diags) = json_check(&guide, &[]);
    check.ok();
    expect_diag(
        &diags,
        "warning",
        ("book.toml", 36, 2),
        "topic `kanban` is declared but no lesson uses it",
        None,
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn check_deny_warnings_fails_on_warnings_and_passes_a_clean_guide() {
    let guide = web();
    let root = guide.root_str();
    guide
        .run(&["check", "--root", &root, "--deny-warnings"])
        .ok()
        .stderr_lacks("warning:");
    let (clean, diags) = json_check(&guide, &["--deny-warnings"]);
    clean.ok();
    assert!(diags.is_empty(), "{}", show(&diags));

    guide.append("book.toml", "\n[topics.kanban]\ntitle = \"Kanban\"\n");
    guide.check().ok().stderr_has("warning: topic `kanban`");
    let strict = guide.run(&["check", "--root", &root, "--deny-warnings"]);
    strict
        .expect_code(1)
        .stderr_has("warning: topic `kanban`")
        .stderr_has("check failed");
    points_at(&strict, "book.toml", 36, 2);
    let (strict, diags) = json_check(&guide, &["--deny-warnings"]);
    strict.expect_code(1);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn check_json_prints_one_object_per_diagnostic() {
    let guide = web();
    edit(
        &guide,
        "content/ops/budgets.md",
        r#"topics = ["budgeting", "agile"]"#,
        r#"topics = ["budgeting", "agile", "dev-ops"]"#,
    );
    guide.append("book.toml", "\n[topics.kanban]\ntitle = \"Kanban\"\n");
    let (run, diags) = json_check(&guide, &[]);
    run.ok();
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert_eq!(
        diags[0],
        serde_json::json!({
            "severity": "warning",
            "file": "book.toml",
            "line": 36,
            "col": 2,
            "message": "topic `kanban` is declared but no lesson uses it",
            "help": diags[0]["help"].clone(),
        })
    );
    assert!(diags[0]["help"].is_string());
    assert_eq!(
        diags[1],
        serde_json::json!({
            "severity": "warning",
            "file": "content/ops/budgets.md",
            "line": 5,
            "col": 34,
            "message": "topic `dev-ops` is not declared in book.toml",
            "help": "did you mean `devops`?",
        })
    );
}

#[test]
fn check_json_reports_errors_and_exits_1() {
    let guide = web();
    edit(
        &guide,
        "content/ops/budgets.md",
        "[the overview](overview.md)",
        "[the overview](overveiw.md)",
    );
    let (run, diags) = json_check(&guide, &[]);
    run.expect_code(1);
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    for key in ["severity", "file", "line", "col", "message", "help"] {
        assert!(diags[0].get(key).is_some(), "no `{key}`: {}", diags[0]);
    }
    expect_diag(
        &diags,
        "error",
        ("content/ops/budgets.md", 11, 12),
        "broken link: `overveiw.md`",
        Some("did you mean `overview.md`?"),
    );
}

// An unused `[topics.dev]` was once reported on the line of `[topics.devops]`, the first text
// containing `topics.dev`.
#[test]
fn unused_topic_warning_points_at_its_own_table_not_a_longer_one() {
    let guide = web();
    guide.append("book.toml", "\n[topics.dev]\ntitle = \"Dev\"\n");
    let (run, diags) = json_check(&guide, &[]);
    run.ok();
    expect_diag(
        &diags,
        "warning",
        ("book.toml", 36, 2),
        "topic `dev` is declared but no lesson uses it",
        None,
    );
}

// In `topics: [devops, dev]` the undeclared `dev` was once reported at the column of `devops`.
#[test]
fn undeclared_topic_in_yaml_front_matter_points_at_its_own_value() {
    let guide = web();
    let f = "content/product/kanban.md";
    guide.write(
        f,
        "---\ntitle: Kanban boards\ntopics: [devops, dev]\n---\n\nBoards.\n",
    );
    let (run, diags) = json_check(&guide, &[]);
    run.ok();
    expect_diag(
        &diags,
        "warning",
        (f, 3, 18),
        "topic `dev` is not declared",
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// Related lessons
// ---------------------------------------------------------------------------------------------

#[test]
fn related_lists_explicit_first_then_rare_shared_topics_above_common_ones() {
    // Discovery has topics agile (5 lessons) and security (2 lessons) and names Runbooks
    // explicitly. Incidents shares only the rare security topic; Operations overview, Budgets and
    // Roadmaps share only the common agile topic and come earlier in the guide, so only the
    // weighting by rarity puts Incidents above them.
    let (_guide, site) = built();
    assert_eq!(
        region_targets(&site, "product/discovery.html", "related"),
        [
            "ops/deep/runbooks.html",
            "ops/incidents.html",
            "ops/overview.html",
            "ops/budgets.html",
            "product/roadmaps.html",
        ]
    );
    assert_eq!(
        region_titles(&site, "product/discovery.html", "related"),
        [
            "Runbooks",
            "Incidents",
            "Operations overview",
            "Budgets",
            "Roadmaps"
        ]
    );
    // Metrics shares two topics with Operations overview, one with the others.
    assert_eq!(
        region_targets(&site, "ops/overview.html", "related")[0],
        "product/metrics.html"
    );
}

#[test]
fn explicit_related_is_not_repeated_among_computed_ones() {
    let guide = web();
    edit(
        &guide,
        "content/product/discovery.md",
        r#"related = ["ops/deep/runbooks.md"]"#,
        r#"related = ["ops/incidents.md", "ops/deep/runbooks.md", "product/discovery.md"]"#,
    );
    guide.build().ok();
    assert_eq!(
        region_targets(&guide.out(), "product/discovery.html", "related"),
        [
            "ops/incidents.html",
            "ops/deep/runbooks.html",
            "ops/overview.html",
            "ops/budgets.html",
            "product/roadmaps.html",
        ]
    );
}

#[test]
fn related_lessons_limit_comes_from_book_toml() {
    let guide = web();
    guide.append("book.toml", "\n[build]\nrelated-lessons = 2\n");
    guide.build().ok();
    let site = guide.out();
    assert_eq!(
        region_targets(&site, "product/discovery.html", "related"),
        ["ops/deep/runbooks.html", "ops/incidents.html"]
    );
    for page in LESSONS {
        let html = site.page(page);
        if let Some(related) = element_by_id(&html, "related") {
            assert!(hrefs(related).len() <= 2, "{page}: more than 2 related");
        }
    }

    edit(
        &guide,
        "book.toml",
        "related-lessons = 2",
        "related-lessons = 1",
    );
    guide.build().ok();
    assert_eq!(
        region_targets(&guide.out(), "product/discovery.html", "related"),
        ["ops/deep/runbooks.html"]
    );
}

#[test]
fn a_second_build_gives_the_same_bytes() {
    let guide = web();
    let out = |name: &str| guide.beside(name).to_str().unwrap().to_owned();
    guide.build_with(&["--out", &out("one")]).ok();
    guide.build_with(&["--out", &out("two")]).ok();
    let one = snapshot(&guide.beside("one"));
    let two = snapshot(&guide.beside("two"));
    assert!(one.len() > 20, "{:?}", one.keys());
    assert_same(&one, &two, "two builds of the same guide differ");
}

#[test]
fn unknown_related_target_is_an_error_at_its_front_matter_line() {
    let guide = web();
    let f = "content/product/discovery.md";
    edit(
        &guide,
        f,
        r#"["ops/deep/runbooks.md"]"#,
        r#"["ops/deep/runbook.md"]"#,
    );
    let run = fails(&guide);
    run.stderr_has("`related` names `ops/deep/runbook.md`, which is not a lesson of the guide")
        .stderr_has("did you mean `ops/deep/runbooks.md`?")
        .stderr_has("related = [\"ops/deep/runbook.md\"]");
    points_at(&run, f, 6, 13);
    let (_, diags) = json_check(&guide, &[]);
    expect_diag(
        &diags,
        "error",
        (f, 6, 13),
        "`related` names `ops/deep/runbook.md`",
        Some("did you mean `ops/deep/runbooks.md`?"),
    );
}

// When `prerequisites` and `related` name the same missing lesson, each error points at its own
// key's line.
#[test]
fn related_error_points_at_the_related_line_when_prerequisites_name_the_same_path() {
    let guide = web();
    let f = "content/product/discovery.md";
    edit(
        &guide,
        f,
        r#"related = ["ops/deep/runbooks.md"]"#,
        "prerequisites = [\"ops/nope.md\"]\nrelated = [\"ops/nope.md\"]",
    );
    let (_, diags) = json_check(&guide, &[]);
    expect_diag(&diags, "error", (f, 6, 19), "`prerequisites` names", None);
    expect_diag(&diags, "error", (f, 7, 13), "`related` names", None);
}

// ---------------------------------------------------------------------------------------------
// Backlinks
// ---------------------------------------------------------------------------------------------

#[test]
fn backlinks_list_every_linking_lesson_with_its_section() {
    let (_guide, site) = built();
    let page = "ops/overview.html";
    // Budgets links here twice, Runbooks from a nested section, Roadmaps from another section.
    assert_eq!(
        region_targets(&site, page, "backlinks"),
        [
            "ops/budgets.html",
            "ops/deep/runbooks.html",
            "product/roadmaps.html"
        ]
    );
    let html = site.page(page);
    let backlinks = region(&html, page, "backlinks");
    assert!(text_of(backlinks).contains("Referenced by"));
    assert_eq!(tags_named(backlinks, "li").len(), 3, "{backlinks}");
    assert_in_order(
        &text_of(backlinks),
        &[
            "Budgets",
            "Operations",
            "Runbooks",
            "Deep ops",
            "Roadmaps",
            "Product",
        ],
    );
    assert_eq!(
        region_targets(&site, "product/roadmaps.html", "backlinks"),
        ["ops/budgets.html", "ops/deep/runbooks.html"]
    );
    assert_eq!(
        region_targets(&site, "ops/deep/runbooks.html", "backlinks"),
        ["ops/incidents.html"]
    );
}

#[test]
fn lesson_nobody_links_to_has_no_backlinks_region() {
    let (_guide, site) = built();
    for page in [
        "ops/budgets.html",
        "ops/incidents.html",
        "product/discovery.html",
        "product/metrics.html",
        "product/glossary.html",
    ] {
        let html = site.page(page);
        assert!(
            !has_id(&html, "backlinks"),
            "{page} has an empty #backlinks"
        );
        assert!(!html.contains("Referenced by"), "{page}");
    }
}

// ---------------------------------------------------------------------------------------------
// Prerequisites
// ---------------------------------------------------------------------------------------------

#[test]
fn prerequisites_render_as_before_you_start_links() {
    let (_guide, site) = built();
    let page = "ops/deep/runbooks.html";
    assert_eq!(
        region_targets(&site, page, "prerequisites"),
        ["ops/incidents.html", "ops/overview.html"]
    );
    assert_eq!(
        region_titles(&site, page, "prerequisites"),
        ["Incidents", "Operations overview"]
    );
    let html = site.page(page);
    assert!(text_of(region(&html, page, "prerequisites")).contains("Before you start"));
    assert_eq!(
        region_targets(&site, "ops/budgets.html", "prerequisites"),
        ["ops/overview.html"]
    );
}

#[test]
fn unknown_prerequisite_is_an_error_at_its_line_with_the_nearest_lesson() {
    let guide = web();
    let f = "content/ops/budgets.md";
    edit(
        &guide,
        f,
        r#"["ops/overview.md"]"#,
        r#"["ops/overveiw.md"]"#,
    );
    let run = fails(&guide);
    run.stderr_has("`prerequisites` names `ops/overveiw.md`, which is not a lesson of the guide")
        .stderr_has("did you mean `ops/overview.md`?");
    points_at(&run, f, 6, 19);
    let (_, diags) = json_check(&guide, &[]);
    expect_diag(
        &diags,
        "error",
        (f, 6, 19),
        "`ops/overveiw.md`",
        Some("did you mean `ops/overview.md`?"),
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
}

#[test]
fn prerequisite_cycle_of_three_is_one_error_naming_every_lesson() {
    let guide = web();
    // Roadmaps needs Metrics, Metrics needs Discovery, Discovery needs Roadmaps: each on line 5.
    let lessons = [
        ("roadmaps", "Roadmaps", "metrics"),
        ("metrics", "Metrics", "discovery"),
        ("discovery", "Discovery", "roadmaps"),
    ];
    for (slug, title, needs) in lessons {
        guide.write(
            &format!("content/product/{slug}.md"),
            format!(
                "+++\ntitle = \"{title}\"\ntopics = [\"agile\"]\nweight = 1\n\
                 prerequisites = [\"product/{needs}.md\"]\n+++\n\nBody.\n\n## Quarterly planning\n"
            ),
        );
    }
    let run = fails(&guide);
    let cycles: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: prerequisites form a cycle: "))
        .collect();
    assert_eq!(cycles.len(), 1, "one error per cycle:\n{}", run.stderr);
    assert_eq!(run.error_count(), 1, "{}", run.stderr);
    let names: Vec<&str> = cycles[0]
        .trim_start_matches("error: prerequisites form a cycle: ")
        .split(" → ")
        .map(|n| n.trim_matches('`'))
        .collect();
    assert_eq!(names.len(), 4, "{}", cycles[0]);
    assert_eq!(names[0], names[3], "the cycle closes: {}", cycles[0]);
    let named: BTreeSet<&str> = names[..3].iter().copied().collect();
    let expected: BTreeSet<&str> = [
        "product/roadmaps.md",
        "product/metrics.md",
        "product/discovery.md",
    ]
    .into_iter()
    .collect();
    assert_eq!(named, expected, "{}", cycles[0]);
    let needs: BTreeMap<String, String> = lessons
        .iter()
        .map(|(s, _, n)| (format!("product/{s}.md"), format!("product/{n}.md")))
        .collect();
    for pair in names.windows(2) {
        assert_eq!(needs[pair[0]], pair[1], "arrows follow prerequisites");
    }
    points_at(&run, &format!("content/{}", names[0]), 5, 19);
    run.stderr_has("remove one of these prerequisites");
}

#[test]
fn self_prerequisite_is_an_error() {
    let guide = web();
    let f = "content/product/glossary.md";
    edit(
        &guide,
        f,
        "weight = 40\n",
        "weight = 40\nprerequisites = [\"product/glossary.md\"]\n",
    );
    let run = fails(&guide);
    run.stderr_has(
        "error: prerequisites form a cycle: `product/glossary.md` → `product/glossary.md`",
    );
    points_at(&run, f, 5, 19);
    assert_eq!(run.error_count(), 1, "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Learning tracks
// ---------------------------------------------------------------------------------------------

#[test]
fn each_track_has_a_page_listing_its_lessons_in_order() {
    let (_guide, site) = built();
    for (slug, title, lessons) in [
        (
            "dev-to-it",
            "From developer to IT manager",
            vec![
                "ops/overview.html",
                "ops/incidents.html",
                "ops/deep/runbooks.html",
                "ops/budgets.html",
            ],
        ),
        (
            "dev-to-pm",
            "From developer to product manager",
            vec![
                "ops/overview.html",
                "product/discovery.html",
                "product/roadmaps.html",
                "ops/budgets.html",
                "product/metrics.html",
            ],
        ),
    ] {
        let page = format!("tracks/{slug}.html");
        let html = site.page(&page);
        let content = region(&html, &page, "content");
        assert!(text_of(content).contains(title), "{page}");
        let listed: Vec<String> = elements_by_class(content, "lesson-link")
            .iter()
            .filter_map(|a| tags(a)[0].attr("href"))
            .map(|h| target_of(&page, &h))
            .collect();
        assert_eq!(listed, lessons, "{page}");
        for lesson in &listed {
            assert!(site.exists(lesson), "{page} links to missing {lesson}");
        }
    }
}

#[test]
fn lesson_shows_each_of_its_tracks_with_previous_and_next() {
    let (_guide, site) = built();
    let page = "ops/budgets.html";
    let html = site.page(page);
    let items = elements_by_class(&html, "track-nav-item");
    assert_eq!(items.len(), 2, "Budgets is in two tracks");
    let link = |item: &str, class: &str| -> Option<String> {
        elements_by_class(item, class)
            .first()
            .and_then(|a| tags(a)[0].attr("href"))
            .map(|h| target_of(page, &h))
    };
    let it = items
        .iter()
        .find(|i| text_of(i).contains("From developer to IT manager"))
        .expect("the IT track");
    assert!(text_of(it).contains("lesson 4 of 4"), "{it}");
    assert_eq!(
        link(it, "track-prev").as_deref(),
        Some("ops/deep/runbooks.html")
    );
    assert_eq!(link(it, "track-next"), None, "last of its track");
    assert!(
        hrefs(it)
            .iter()
            .any(|h| target_of(page, h) == "tracks/dev-to-it.html")
    );
    let pm = items
        .iter()
        .find(|i| text_of(i).contains("From developer to product manager"))
        .expect("the product track");
    assert!(text_of(pm).contains("lesson 4 of 5"), "{pm}");
    assert_eq!(
        link(pm, "track-prev").as_deref(),
        Some("product/roadmaps.html")
    );
    assert_eq!(
        link(pm, "track-next").as_deref(),
        Some("product/metrics.html")
    );

    let first = site.page("ops/overview.html");
    let items = elements_by_class(&first, "track-nav-item");
    assert_eq!(items.len(), 2, "Operations overview opens both tracks");
    for item in items {
        assert!(elements_by_class(item, "track-prev").is_empty(), "{item}");
    }
    assert!(elements_by_class(&site.page("product/glossary.html"), "track-nav").is_empty());
}

#[test]
fn every_track_is_linked_from_the_landing_page_and_from_every_sidebar() {
    let (_guide, site) = built();
    let tracks = ["tracks/dev-to-it.html", "tracks/dev-to-pm.html"];
    assert_eq!(region_targets(&site, "index.html", "tracks"), tracks);
    let landing = site.page("index.html");
    let listing = region(&landing, "index.html", "tracks");
    assert_in_order(
        &text_of(listing),
        &[
            "From developer to IT manager",
            "4 lessons",
            "Operations first, then money.",
            "From developer to product manager",
        ],
    );
    // Also from pages that belong to no track, at every depth, and from the track pages.
    for page in [
        "index.html",
        "product/glossary.html",
        "ops/deep/runbooks.html",
        "topics/devops.html",
        "tracks/dev-to-pm.html",
    ] {
        let html = site.page(page);
        let sidebar = region(&html, page, "sidebar");
        let linked: Vec<String> = hrefs(sidebar).iter().map(|h| target_of(page, h)).collect();
        for track in tracks {
            assert!(
                linked.iter().any(|l| l == track),
                "{page}: the sidebar does not link {track}"
            );
        }
    }

    let guide = web();
    let book = guide.read("book.toml");
    let without = &book[..book.find("[tracks.").unwrap()];
    guide.write("book.toml", without);
    guide.build().ok();
    let site = guide.out();
    assert!(element_by_id(&site.page("index.html"), "tracks").is_none());
    assert!(
        !site
            .page("product/glossary.html")
            .contains("Learning tracks")
    );
}

#[test]
fn unknown_lesson_in_a_track_is_an_error_at_its_book_toml_line() {
    let guide = web();
    edit(
        &guide,
        "book.toml",
        r#""ops/overview.md", "ops/incidents.md""#,
        r#""ops/overview.md", "ops/incident.md""#,
    );
    let run = fails(&guide);
    run.stderr_has("track `dev-to-it` names `ops/incident.md`, which is not a lesson of the guide")
        .stderr_has("did you mean `ops/incidents.md`?");
    points_at(&run, "book.toml", 29, 32);
    let (_, diags) = json_check(&guide, &[]);
    expect_diag(
        &diags,
        "error",
        ("book.toml", 29, 32),
        "`ops/incident.md`",
        Some("did you mean `ops/incidents.md`?"),
    );
}

#[test]
fn track_listing_a_lesson_before_its_prerequisite_is_a_warning_at_its_line() {
    let guide = web();
    // Runbooks needs Operations overview, which now comes after it.
    edit(
        &guide,
        "book.toml",
        r#"lessons = ["ops/overview.md", "ops/incidents.md", "ops/deep/runbooks.md", "ops/budgets.md"]"#,
        r#"lessons = ["ops/incidents.md", "ops/deep/runbooks.md", "ops/overview.md", "ops/budgets.md"]"#,
    );
    let run = guide.build();
    run.ok().stderr_has(
        "warning: track `dev-to-it` lists `ops/deep/runbooks.md` before its prerequisite `ops/overview.md`",
    );
    points_at(&run, "book.toml", 29, 33);
    let (check, diags) = json_check(&guide, &[]);
    check.ok();
    expect_diag(
        &diags,
        "warning",
        ("book.toml", 29, 33),
        "before its prerequisite `ops/overview.md`",
        None,
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    json_check(&guide, &["--deny-warnings"]).0.expect_code(1);
}

#[test]
fn track_leaving_out_a_prerequisite_is_a_warning_at_the_lesson_that_needs_it() {
    let guide = web();
    // Budgets needs Operations overview, which the product track now leaves out.
    edit(
        &guide,
        "book.toml",
        r#"lessons = ["ops/overview.md", "product/discovery.md","#,
        r#"lessons = ["product/discovery.md","#,
    );
    let run = guide.build();
    run.ok().stderr_has(
        "warning: track `dev-to-pm` lists `ops/budgets.md` but not its prerequisite `ops/overview.md`",
    )
    .stderr_has("add `ops/overview.md` to the track before `ops/budgets.md`");
    let (check, diags) = json_check(&guide, &[]);
    check.ok();
    expect_diag(
        &diags,
        "warning",
        ("book.toml", 34, 60),
        "lists `ops/budgets.md` but not its prerequisite `ops/overview.md`",
        None,
    );
    assert_eq!(diags.len(), 1, "{}", show(&diags));
    json_check(&guide, &["--deny-warnings"]).0.expect_code(1);
}

// When an earlier track lists the same lesson, a track's diagnostic still points at its own
// track's line.
#[test]
fn track_order_warning_points_at_the_track_that_has_the_problem() {
    let guide = web();
    edit(
        &guide,
        "book.toml",
        r#"lessons = ["ops/overview.md", "product/discovery.md", "product/roadmaps.md", "ops/budgets.md", "product/metrics.md"]"#,
        r#"lessons = ["ops/budgets.md", "ops/overview.md", "product/metrics.md"]"#,
    );
    let (run, diags) = json_check(&guide, &[]);
    run.ok();
    expect_diag(
        &diags,
        "warning",
        ("book.toml", 34, 13),
        "track `dev-to-pm` lists `ops/budgets.md` before its prerequisite",
        None,
    );
}

// ---------------------------------------------------------------------------------------------
// Topic map
// ---------------------------------------------------------------------------------------------

#[test]
fn xml_check_rejects_malformed_markup() {
    assert_eq!(
        xml_well_formed(
            "<svg a=\"1\" b='2'><g><a href=\"x.html?a=1&amp;b=2\"><circle r=\"1\"/>\
             <text>A &amp; B &#233;</text></a></g><!-- note --></svg>"
        ),
        Ok(())
    );
    for bad in [
        "<svg><g></svg></g>",
        "<svg><g></g>",
        "<svg r=5/>",
        "<svg r=\"1\" r=\"2\"/>",
        "<svg><text>A & B</text></svg>",
        "<svg/><svg/>",
        "<svg a=\"1\"b=\"2\"/>",
        "<svg><text>1 < 2</text></svg>",
        "<svg a=\"<\"/>",
        "</svg>",
        "text<svg/>",
    ] {
        assert!(xml_well_formed(bad).is_err(), "accepted: {bad}");
    }
}

#[test]
fn topic_map_is_well_formed_svg_with_one_resolving_link_per_topic() {
    let (_guide, site) = built();
    let page = "topics/index.html";
    let html = site.page(page);
    let svg = topic_map(&html, page);
    xml_well_formed(svg).unwrap_or_else(|e| panic!("malformed topic map: {e}\n{svg}"));
    python_parses_xml(svg);
    let root = &tags(svg)[0];
    assert_eq!(
        root.attr("xmlns").as_deref(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(root.attr("viewBox").is_some());
    assert!(!svg.contains("<script"), "the map needs no script");

    let nodes = nodes(svg);
    let targets: Vec<String> = nodes.iter().map(|n| target_of(page, &n.href)).collect();
    let expected: Vec<String> = TOPICS
        .iter()
        .map(|(slug, _, _)| format!("topics/{slug}.html"))
        .collect();
    assert_eq!(
        targets.iter().collect::<BTreeSet<_>>(),
        expected.iter().collect::<BTreeSet<_>>(),
        "one node per topic"
    );
    assert_eq!(nodes.len(), TOPICS.len());
    for href in hrefs(svg) {
        let target = target_of(page, &href);
        assert!(site.exists(&target), "map link `{href}` leads nowhere");
    }
    for (slug, title, count) in TOPICS {
        let node = nodes
            .iter()
            .find(|n| target_of(page, &n.href) == format!("topics/{slug}.html"))
            .unwrap();
        assert_eq!(node.label, format!("{title} ({count})"), "label of {slug}");
    }
}

#[test]
fn topic_map_nodes_grow_with_lesson_count_and_edges_with_shared_lessons() {
    let (_guide, site) = built();
    let page = "topics/index.html";
    let html = site.page(page);
    let svg = topic_map(&html, page);
    let mut by_count: Vec<(usize, f64, String)> = nodes(svg)
        .into_iter()
        .map(|n| {
            let slug = target_of(page, &n.href);
            let count = TOPICS
                .iter()
                .find(|(s, _, _)| format!("topics/{s}.html") == slug)
                .map(|t| t.2)
                .unwrap();
            (count, n.radius, slug)
        })
        .collect();
    by_count.sort_by_key(|n| n.0);
    for pair in by_count.windows(2) {
        assert!(
            pair[0].1 < pair[1].1,
            "{} ({} lessons, r={}) is not smaller than {} ({} lessons, r={})",
            pair[0].2,
            pair[0].0,
            pair[0].1,
            pair[1].2,
            pair[1].0,
            pair[1].1
        );
    }

    // Each edge says how many lessons its topics share; that number is right and the line is
    // thicker the more they share.
    let shared = |a: &str, b: &str| {
        LESSON_TOPICS
            .iter()
            .filter(|(_, t)| t.contains(&a) && t.contains(&b))
            .count()
    };
    let mut edges: Vec<(usize, f64)> = Vec::new();
    for chunk in svg.split("<line").skip(1) {
        let end = chunk.find("</line>").expect("closed line");
        let line = format!("<line{}", &chunk[..end]);
        let width: f64 = tags(&line)[0]
            .attr("stroke-width")
            .and_then(|w| w.parse().ok())
            .expect("stroke-width");
        let label = text_of(&line);
        let (pair, count) = label.split_once(": ").expect("`A and B: N shared`");
        let (a, b) = pair.split_once(" and ").expect("`A and B`");
        let count: usize = count.split(' ').next().unwrap().parse().unwrap();
        let slug = |title: &str| {
            TOPICS
                .iter()
                .find(|t| t.1 == title)
                .unwrap_or_else(|| panic!("unknown topic {title}"))
                .0
        };
        assert_eq!(count, shared(slug(a), slug(b)), "{label}");
        assert!(count > 0, "{label}");
        edges.push((count, width));
    }
    assert!(!edges.is_empty(), "no edges");
    for a in &edges {
        for b in &edges {
            if a.0 > b.0 {
                assert!(
                    a.1 > b.1,
                    "edge widths do not follow shared lessons: {edges:?}"
                );
            }
        }
    }
}

#[test]
fn topic_map_is_identical_on_a_second_build() {
    let guide = web();
    guide.build().ok();
    let first = guide.out().page("topics/index.html");
    let landing = guide.out().page("index.html");
    guide.build().ok();
    let second = guide.out().page("topics/index.html");
    assert_eq!(
        topic_map(&first, "topics/index.html"),
        topic_map(&second, "topics/index.html")
    );
    assert_eq!(
        topic_map(&landing, "index.html"),
        topic_map(&guide.out().page("index.html"), "index.html")
    );
}

#[test]
fn landing_page_carries_the_topic_map_with_resolving_links() {
    let (_guide, site) = built();
    let html = site.page("index.html");
    let svg = topic_map(&html, "index.html");
    xml_well_formed(svg).unwrap_or_else(|e| panic!("malformed topic map: {e}\n{svg}"));
    let targets: BTreeSet<String> = nodes(svg)
        .iter()
        .map(|n| target_of("index.html", &n.href))
        .collect();
    assert_eq!(targets.len(), TOPICS.len());
    for t in &targets {
        assert!(
            t.starts_with("topics/") && site.exists(t),
            "`{t}` leads nowhere"
        );
    }
    assert!(
        hrefs(&html)
            .iter()
            .any(|h| target_of("index.html", h) == "topics/index.html"),
        "the landing page links to the topics index"
    );
}

// ---------------------------------------------------------------------------------------------
// The theme contract and `guide check`
// ---------------------------------------------------------------------------------------------

#[test]
fn regions_exist_only_where_they_have_entries() {
    let (_guide, site) = built();
    let expected: [(&str, [bool; 4]); 8] = [
        // topics, prerequisites, related, backlinks
        ("ops/overview.html", [true, false, true, true]),
        ("ops/budgets.html", [true, true, true, false]),
        ("ops/incidents.html", [true, false, true, false]),
        ("ops/deep/runbooks.html", [true, true, true, true]),
        ("product/roadmaps.html", [true, false, true, true]),
        ("product/discovery.html", [true, false, true, false]),
        ("product/metrics.html", [true, false, true, false]),
        ("product/glossary.html", [false, false, false, false]),
    ];
    for (page, present) in expected {
        let html = site.page(page);
        for (id, want) in REGIONS.iter().zip(present) {
            match element_by_id(&html, id) {
                Some(el) => {
                    assert!(want, "{page} has #{id} but nothing to put in it");
                    assert!(!hrefs(el).is_empty(), "{page}: #{id} is empty");
                    for href in hrefs(el) {
                        assert!(
                            site.exists(&target_of(page, &href)),
                            "{page}: #{id}: {href}"
                        );
                    }
                }
                None => assert!(!want, "{page} lacks #{id}"),
            }
        }
    }
    for page in SECTIONS.iter().copied().chain([
        "topics/index.html",
        "topics/agile.html",
        "tracks/dev-to-it.html",
    ]) {
        let html = site.page(page);
        for id in REGIONS {
            assert!(!has_id(&html, id), "{page} has a #{id} region");
        }
    }
}

#[test]
fn check_writes_nothing() {
    let guide = web();
    let root = guide.root_str();
    let before = guide.snapshot();
    guide.check().ok();
    json_check(&guide, &["--deny-warnings"]).0.ok();
    guide
        .run(&["check", "--root", &root, "--deny-warnings"])
        .ok();
    assert_same(&before, &guide.snapshot(), "`guide check` wrote something");

    guide.append("book.toml", "\n[topics.kanban]\ntitle = \"Kanban\"\n");
    guide.write(
        "content/ops/bad.md",
        "+++\ntitle = \"Bad\"\n+++\n\n![x](img/nope.svg) [y](nope.md)\n",
    );
    let before = guide.snapshot();
    guide.check().expect_code(1);
    json_check(&guide, &["--deny-warnings"]).0.expect_code(1);
    assert_same(&before, &guide.snapshot(), "`guide check` wrote something");
}
