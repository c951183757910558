//! Every page the guide writes is valid HTML: html-validate (pinned in `package.json`, installed
//! by `npm ci`) with the recommended rules and the repository's `.htmlvalidate.json`, whose
//! departures from the preset README's "Valid HTML" explains, on the bundled guide and on the
//! `web` fixture, which has every kind of page and block. Without node or html-validate the
//! checks are skipped, unless `GUIDE_REQUIRE_BROWSER=1`. `print.html` gets its own check: ids
//! unique and each in-page link landing on its own page's heading.

use std::collections::{BTreeMap, HashSet};
use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{Guide, elements_by_class, has_id, hrefs, tags, text_of};

/// `node` and html-validate's command-line script, or `None` (the test is skipped) when either
/// is missing; with `GUIDE_REQUIRE_BROWSER=1` a missing one fails the test.
fn html_validate() -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("node_modules/html-validate/bin/html-validate.mjs");
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if node && script.is_file() {
        return Some(script);
    }
    if env::var("GUIDE_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!(
            "html-validate not found (node: {node}, {}): run `npm ci`",
            script.display()
        );
    }
    println!("skipped: html-validate not found");
    None
}

/// Runs html-validate on every `.html` file under `site`; panics listing each error as rule,
/// file and line.
fn assert_valid(script: &Path, site: &Path) {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join(".htmlvalidate.json");
    let report = tempfile::NamedTempFile::new().expect("a temp file for the report");
    // Into a file: node may exit before a large report written to a pipe is flushed.
    let mut formatter = std::ffi::OsString::from("json=");
    formatter.push(report.path());
    let output = Command::new("node")
        .arg(script)
        .arg("--config")
        .arg(&config)
        .arg("--formatter")
        .arg(&formatter)
        .arg("--ext")
        .arg("html")
        .arg(site)
        .stdin(Stdio::null())
        .output()
        .expect("run html-validate");
    let json = std::fs::read_to_string(report.path()).unwrap_or_default();
    let reports: Value = serde_json::from_str(json.trim()).unwrap_or_else(|e| {
        panic!(
            "html-validate wrote no JSON report ({e}, exit {}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut errors = Vec::new();
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for report in reports.as_array().into_iter().flatten() {
        let path = report["filePath"].as_str().unwrap_or("?");
        let file = Path::new(path)
            .strip_prefix(site)
            .map_or(path.to_string(), |p| p.display().to_string());
        for message in report["messages"].as_array().into_iter().flatten() {
            let rule = message["ruleId"].as_str().unwrap_or("?");
            *by_rule.entry(rule.to_string()).or_default() += 1;
            errors.push(format!(
                "{rule}: {file}:{}:{} {} ({})",
                message["line"],
                message["column"],
                message["message"].as_str().unwrap_or(""),
                message["selector"].as_str().unwrap_or("")
            ));
        }
    }
    assert!(
        errors.is_empty() && output.status.success(),
        "html-validate found {} problems ({by_rule:?}), exit {}:\n{}",
        errors.len(),
        output.status,
        errors.join("\n")
    );
}

#[test]
fn the_bundled_guide_is_valid_html() {
    let Some(script) = html_validate() else {
        return;
    };
    let guide = Guide::empty();
    let out = guide.beside("site");
    let repo = env!("CARGO_MANIFEST_DIR");
    guide
        .run(&[
            "build",
            "--root",
            repo,
            "--out",
            out.to_str().expect("UTF-8"),
        ])
        .ok();
    assert_valid(&script, &out);
}

#[test]
fn every_kind_of_page_and_block_is_valid_html() {
    let Some(script) = html_validate() else {
        return;
    };
    let guide = Guide::fixture("web");
    guide.build().ok().stderr_lacks("warning:");
    let site = guide.out();
    let blocks = site.page("product/blocks.html");
    for (what, needle) in [
        ("a self-check", "<form class=\"quiz\""),
        ("a compare block", "class=\"compare-table\""),
        ("a table", "class=\"table-wrap\""),
        ("a task list", "type=\"checkbox\" disabled"),
        ("highlighted code", "class=\"hl-"),
        ("a glossary term", "class=\"term\""),
        ("a footnote", "footnote-definition"),
        ("an alert", "callout-warning"),
    ] {
        assert!(blocks.contains(needle), "the fixture lost {what}");
    }
    for page in [
        "glossary.html",
        "print.html",
        "404.html",
        "topics/index.html",
        "topics/devops.html",
        "tracks/dev-to-pm.html",
    ] {
        assert!(site.exists(page), "the fixture lost {page}");
    }
    assert_valid(&script, &guide.path("public"));
}

#[test]
fn print_ids_are_unique_and_in_page_links_land_on_their_own_page() {
    let guide = Guide::fixture("web");
    guide.build().ok();
    let print = guide.out().page("print.html");

    let mut seen = HashSet::new();
    for tag in tags(&print) {
        if let Some(id) = tag.attr("id") {
            assert!(seen.insert(id.clone()), "id `{id}` twice in print.html");
        }
    }
    for href in hrefs(&print) {
        if let Some(id) = href.strip_prefix('#').filter(|id| !id.is_empty()) {
            assert!(
                has_id(&print, id),
                "print.html links to #{id}, which it lacks"
            );
        }
    }

    let mut landed = 0;
    for article in elements_by_class(&print, "print-lesson") {
        let Some(link) = hrefs(article)
            .into_iter()
            .find(|h| h.starts_with('#') && h.ends_with("-key-takeaways"))
        else {
            continue;
        };
        let id = &link[1..];
        let heading = tags(article)
            .into_iter()
            .find(|t| t.attr("id").as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{link} is not inside the lesson that links to it"));
        assert_eq!(heading.name, "h2", "{link} lands on a <{}>", heading.name);
        assert!(
            text_of(&article[heading.start..]).starts_with("Key takeaways"),
            "{link} lands on another heading"
        );
        landed += 1;
    }
    assert_eq!(
        landed, 2,
        "both fixture lessons link to their own takeaways"
    );
}
