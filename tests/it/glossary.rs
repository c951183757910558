//! The glossary, run as a user runs it: `glossary.toml` checked (a name defined twice, an unused
//! term, a related lesson that does not exist, each with file, line, column and a suggestion),
//! the glossary page's structure, and the first use of each term on a page linked outside
//! headings, links, code and fenced blocks, unless the page opts out; the definition shown on
//! hover and focus in Chromium; `guide serve` following glossary and body saves.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::support::browser::{Browser, StaticServer, build_guide, file_url, with_browser};
use crate::support::serve::Serve;
use crate::support::{Guide, Run, element_by_id, tags_named, text_of};
use serde_json::{Value, json};

/// Where the HTTP test hosts the guide, as a team would on an intranet server.
const SUB_PATH: &str = "/teams/it-guide/";

const BOOK: &str = "[book]\ntitle = \"Ops guide\"\n";

const GLOSSARY: &str = r#"[[term]]
term = "Service level objective"
aliases = ["SLO"]
definition = "A reliability *target* for a service."
related = ["ops/backups.md"]

[[term]]
term = "Recovery point objective"
aliases = ["RPO"]
definition = """
Data you may lose, in time. See [backups](ops/backups.md).
"""

[[term]]
term = "Kanban"
definition = "A board that limits work in progress."
"#;

/// A guide whose lessons use every term of [`GLOSSARY`].
fn guide() -> Guide {
    let guide = Guide::empty();
    guide.write("book.toml", BOOK);
    guide.write("glossary.toml", GLOSSARY);
    guide.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWe run a Kanban board.\n",
    );
    guide.write("content/ops/_index.md", "+++\ntitle = \"Ops\"\n+++\n");
    guide.write(
        "content/ops/backups.md",
        "+++\ntitle = \"Backups\"\n+++\n## Our SLO and RPO\n\n\
         Read [the SLO page](slo.md), mind `RPO` in code, then the RPO again.\n\n\
         ```compare\ntitle = \"SLO\"\ncolumns = [\"SLO\", \"RPO\"]\n```\n\n\
         An SLO is a target; another SLO follows. Service level objectives too. The RPO is set.\n",
    );
    guide.write(
        "content/ops/slo.md",
        "+++\ntitle = \"SLOs\"\nglossary = false\n+++\nEvery SLO here stays plain.\n",
    );
    guide
}

/// `guide check --format json`: the run and its diagnostics.
fn check(guide: &Guide) -> (Run, Vec<Value>) {
    let root = guide.root_str();
    let run = guide.run(&["check", "--root", &root, "--format", "json"]);
    let diags = run
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (run, diags)
}

/// The one diagnostic whose message contains `needle`.
fn diagnostic<'a>(diags: &'a [Value], needle: &str) -> &'a Value {
    let found: Vec<&Value> = diags
        .iter()
        .filter(|d| d["message"].as_str().is_some_and(|m| m.contains(needle)))
        .collect();
    assert_eq!(found.len(), 1, "{needle:?} in {diags:#?}");
    found[0]
}

fn at(d: &Value) -> (String, u64, u64) {
    (
        d["file"].as_str().unwrap_or("").to_owned(),
        d["line"].as_u64().unwrap_or(0),
        d["col"].as_u64().unwrap_or(0),
    )
}

#[test]
fn a_guide_using_every_term_checks_clean() {
    let guide = guide();
    let root = guide.root_str();
    guide
        .run(&["check", "--root", &root, "--deny-warnings"])
        .ok();
}

#[test]
fn a_name_defined_twice_points_at_the_second_definition() {
    let guide = guide();
    guide.append(
        "glossary.toml",
        "\n[[term]]\nterm = \"Objective\"\naliases = [\"slo\"]\ndefinition = \"x\"\n",
    );
    let (run, diags) = check(&guide);
    run.expect_code(1);
    let d = diagnostic(&diags, "is defined twice");
    assert_eq!(at(d), ("glossary.toml".into(), 20, 13), "{d}");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("Service level objective"),
        "{d}"
    );
}

#[test]
fn an_unused_term_is_a_warning_at_its_line() {
    let guide = guide();
    guide.append(
        "glossary.toml",
        "\n[[term]]\nterm = \"Toil\"\ndefinition = \"Manual work.\"\n",
    );
    let (run, diags) = check(&guide);
    run.ok();
    let d = diagnostic(&diags, "`Toil` is not used");
    assert_eq!(d["severity"], "warning", "{d}");
    assert_eq!(at(d), ("glossary.toml".into(), 19, 9), "{d}");
    let root = guide.root_str();
    guide
        .run(&["check", "--root", &root, "--deny-warnings"])
        .expect_code(1);
}

#[test]
fn a_related_lesson_that_does_not_exist_is_an_error_with_the_nearest() {
    let guide = guide();
    let glossary = GLOSSARY.replace("\"ops/backups.md\"]", "\"ops/backup.md\"]");
    guide.write("glossary.toml", glossary);
    let (run, diags) = check(&guide);
    run.expect_code(1);
    let d = diagnostic(&diags, "related lesson `ops/backup.md` does not exist");
    assert_eq!(at(d), ("glossary.toml".into(), 5, 13), "{d}");
    assert_eq!(d["help"], "did you mean `ops/backups.md`?", "{d}");
}

#[test]
fn an_unknown_key_is_named_with_its_line_and_a_suggestion() {
    let guide = guide();
    guide.write(
        "glossary.toml",
        GLOSSARY.replace("aliases = [\"RPO\"]", "alias = [\"RPO\"]"),
    );
    let (run, diags) = check(&guide);
    run.expect_code(1);
    let d = diagnostic(&diags, "unknown key `alias`");
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("glossary.toml"), Some(9))
    );
    assert_eq!(d["help"], "did you mean `aliases`?", "{d}");
}

#[test]
fn the_glossary_page_lists_terms_alphabetically_with_stable_ids() {
    let guide = guide();
    guide.build().ok();
    let site = guide.out();
    let html = site.page("glossary.html");
    let dts = tags_named(&html, "dt");
    let ids: Vec<String> = dts.iter().filter_map(|t| t.attr("id")).collect();
    assert_eq!(
        ids,
        [
            "kanban",
            "recovery-point-objective",
            "service-level-objective"
        ]
    );
    let entry = element_by_id(&html, "service-level-objective").unwrap();
    assert!(
        entry.contains("<dfn>Service level objective</dfn>"),
        "{entry}"
    );
    assert_eq!(tags_named(&html, "dl").len(), 1);
    assert_eq!(tags_named(&html, "dfn").len(), 3);
    let after = &html[html.find("id=\"service-level-objective\"").unwrap()..];
    let dd = &after[..after.find("</dd>").unwrap()];
    assert!(dd.contains("<em>target</em>"), "{dd}");
    assert!(dd.contains("(SLO)"), "{dd}");
    assert!(
        text_of(dd).contains("Used in: Backups"),
        "only pages that link the term: {}",
        text_of(dd)
    );
    assert!(
        text_of(dd).contains("Related lessons: Backups"),
        "{}",
        text_of(dd)
    );
    assert!(
        html.contains("href=\"ops/backups.html\">backups</a>"),
        "a definition's link"
    );
    for page in [
        "index.html",
        "ops/backups.html",
        "ops/slo.html",
        "glossary.html",
    ] {
        assert!(
            site.page(page).contains("glossary.html\""),
            "{page} links to the glossary"
        );
    }
}

#[test]
fn the_first_use_outside_headings_links_and_code_links_to_the_entry() {
    let guide = guide();
    guide.build().ok();
    let site = guide.out();
    let html = site.page("ops/backups.html");
    let terms: Vec<_> = tags_named(&html, "a")
        .into_iter()
        .filter(|t| t.has_class("term"))
        .collect();
    let hrefs: Vec<String> = terms.iter().filter_map(|t| t.attr("href")).collect();
    assert_eq!(
        hrefs,
        [
            "../glossary.html#recovery-point-objective",
            "../glossary.html#service-level-objective",
        ],
        "one link per term, in order of first use in running text"
    );
    assert!(
        html.contains("<h2 id=\"our-slo-and-rpo\">Our SLO and RPO "),
        "heading left alone"
    );
    assert!(html.contains(">the SLO page</a>"), "link text left alone");
    assert!(html.contains("<code>RPO</code>"), "code left alone");
    assert!(
        html.contains(">RPO</a> again"),
        "the first use in running text is after the code span"
    );
    assert_eq!(
        terms[1].attr("data-definition").as_deref(),
        Some("A reliability target for a service."),
        "the short definition is plain text"
    );
    assert!(
        html.contains(">SLO</a> is a target; another SLO follows. Service level objectives too")
    );
    let compare = &html[html.find("class=\"compare").unwrap_or(0)..];
    assert!(
        !compare[..compare.find("</table>").unwrap_or(compare.len())].contains("class=\"term\"")
    );
}

#[test]
fn a_lesson_can_turn_linking_off() {
    let guide = guide();
    guide.build().ok();
    let html = guide.out().page("ops/slo.html");
    assert!(html.contains("Every SLO here stays plain."), "{html}");
    assert!(!html.contains("class=\"term\""));
}

#[test]
fn a_guide_without_a_glossary_has_no_glossary_page() {
    let guide = guide();
    guide.remove("glossary.toml");
    guide.build().ok();
    let site = guide.out();
    assert!(!site.exists("glossary.html"));
    assert!(!site.page("ops/backups.html").contains("glossary.html"));
}

/// The tooltip the first term link of the page is described by, if it is shown: its text.
const SHOWN_TIP: &str = r#"(() => {
  const a = document.querySelector("a.term");
  const id = a && a.getAttribute("aria-describedby");
  const tip = id && document.getElementById(id);
  if (!tip || tip.getAttribute("role") !== "tooltip" || tip.hidden) return null;
  const r = tip.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? tip.textContent : null;
})()"#;

const TIP_HIDDEN: &str = r#"(() => {
  const tip = document.querySelector("[role=tooltip]");
  return !!tip && tip.hidden && !document.querySelector("a.term[aria-describedby]");
})()"#;

/// Hovers the first term link of the page at `url`, then reaches it with Tab, and expects its
/// definition shown each time; Escape and moving away hide it.
fn definition_by_mouse_and_keyboard(b: &mut Browser, url: &str) -> Result<(), String> {
    const WAIT: Duration = Duration::from_secs(5);
    let expected = "Data you may lose, in time. See backups.";
    b.navigate(url)?;
    let point = b.evaluate(
        r#"(() => {
          const a = document.querySelector("a.term");
          a.scrollIntoView({ block: "center" });
          const r = a.getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        })()"#,
    )?;
    b.call(
        "Input.dispatchMouseEvent",
        json!({ "type": "mouseMoved", "x": point["x"], "y": point["y"] }),
    )?;
    let shown = b.wait_for(SHOWN_TIP, WAIT)?;
    if shown != expected {
        return Err(format!("{url}: hover shows {shown}"));
    }
    b.call(
        "Input.dispatchMouseEvent",
        json!({ "type": "mouseMoved", "x": 1, "y": 1 }),
    )?;
    b.wait_for(TIP_HIDDEN, WAIT)
        .map_err(|e| format!("{url}: moving away: {e}"))?;

    b.navigate(url)?;
    let mut reached = false;
    for _ in 0..80 {
        for kind in ["keyDown", "keyUp"] {
            b.call(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9 }),
            )?;
        }
        if b.eval_bool("document.activeElement === document.querySelector('a.term')")? {
            reached = true;
            break;
        }
    }
    if !reached {
        return Err(format!("{url}: Tab never reached the term link"));
    }
    let shown = b.wait_for(SHOWN_TIP, WAIT)?;
    if shown != expected {
        return Err(format!("{url}: focus shows {shown}"));
    }
    b.press_key("Escape")?;
    b.wait_for(TIP_HIDDEN, WAIT)
        .map_err(|e| format!("{url}: Escape: {e}"))?;
    if !b.eval_bool("document.activeElement === document.querySelector('a.term')")? {
        return Err(format!("{url}: Escape moved the focus"));
    }
    Ok(())
}

#[test]
fn a_terms_definition_shows_on_hover_and_focus_from_disk_and_over_http() {
    with_browser("glossary-tooltip", |b| {
        let guide = guide();
        let out = guide.beside("site");
        build_guide(&guide.root, &out);
        definition_by_mouse_and_keyboard(b, &format!("{}/ops/backups.html", file_url(&out)))?;
        let server = StaticServer::start(&out, SUB_PATH).map_err(|e| e.to_string())?;
        definition_by_mouse_and_keyboard(b, &format!("{}ops/backups.html", server.url()))?;
        Ok("hover and Tab show the definition, from file:// and under a sub-path".into())
    });
}

/// The glossary page, and a lesson with a term's definition shown, pass axe in light and dark.
#[test]
fn the_glossary_and_a_shown_definition_pass_axe() {
    let Some(axe) = crate::support::browser::axe_source() else {
        return;
    };
    with_browser("glossary-axe", |b| {
        let guide = guide();
        let out = guide.beside("site");
        build_guide(&guide.root, &out);
        let base = file_url(&out);
        let mut problems = Vec::new();
        for scheme in ["light", "dark"] {
            b.set_color_scheme(scheme)?;
            b.navigate(&format!("{base}/glossary.html"))?;
            for v in crate::support::browser::axe_violations(b, &axe, &[])? {
                problems.push(format!("glossary.html ({scheme}): {v}"));
            }
            b.navigate(&format!("{base}/ops/backups.html"))?;
            b.evaluate("document.querySelector('a.term').focus()")?;
            b.wait_for(SHOWN_TIP, Duration::from_secs(5))?;
            for v in
                crate::support::browser::axe_violations(b, &axe, &["a.term", "[role=tooltip]"])?
            {
                problems.push(format!("ops/backups.html ({scheme}): {v}"));
            }
        }
        if problems.is_empty() {
            Ok("no axe violations on the glossary page or a shown definition".into())
        } else {
            Err(problems.join("\n"))
        }
    });
}

/// The body of `GET /<path>` from the server, `""` when it does not answer 200.
fn get(serve: &Serve, path: &str) -> String {
    let fetch = || -> std::io::Result<String> {
        let mut stream = TcpStream::connect_timeout(&serve.addr(), Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let request = format!(
            "GET /{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            serve.addr()
        );
        stream.write_all(request.as_bytes())?;
        let mut text = String::new();
        stream.read_to_string(&mut text)?;
        Ok(match text.split_once("\r\n\r\n") {
            Some((head, body)) if head.starts_with("HTTP/1.1 200") => body.to_owned(),
            _ => String::new(),
        })
    };
    fetch().unwrap_or_default()
}

/// Waits until `GET /<path>` contains `needle`; panics with the server's log after 15 s.
fn wait_text(serve: &Serve, path: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if get(serve, path).contains(needle) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "{path} never contained {needle:?}:\n{}\n--- log:\n{}",
        get(serve, path),
        serve.log()
    );
}

#[test]
fn serve_shows_a_saved_glossary_and_body_edits_at_once() {
    let guide = guide();
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    wait_text(
        &serve,
        "glossary.html",
        "A reliability <em>target</em> for a service.",
    );

    let glossary = GLOSSARY.replace("A reliability *target*", "A *promised* reliability target");
    guide.write("glossary.toml", &glossary);
    wait_text(
        &serve,
        "glossary.html",
        "A <em>promised</em> reliability target",
    );
    wait_text(
        &serve,
        "ops/backups.html",
        "data-definition=\"A promised reliability target for a service.\"",
    );

    let kanban_used_in =
        "Used in:</span> <a href=\"index.html\">Home</a>, <a href=\"ops/backups.html\">Backups</a>";
    assert!(!get(&serve, "glossary.html").contains(kanban_used_in));
    let body = guide.read("content/ops/backups.md");
    guide.write("content/ops/backups.md", body + "\nOur Kanban board.\n");
    wait_text(&serve, "glossary.html", kanban_used_in);

    guide.write(
        "glossary.toml",
        glossary + "\n[[term]]\nterm = \"SLO\"\ndefinition = \"Again.\"\n",
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while !serve.log().contains("is defined twice") {
        assert!(
            Instant::now() < deadline,
            "no error logged:\n{}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        get(&serve, "glossary.html").contains("A <em>promised</em> reliability target"),
        "the last good build keeps being served"
    );
}
