//! Reading progress in real headless Chromium: lessons marked done (by mouse and keyboard) and
//! kept across reloads, ticks in the sidebar, "2 of 3 done" and "Continue" on the track and
//! landing pages, from `file://`, under a sub-path over HTTP and in `guide serve` with live
//! reload; two guides that never mix; export, reset and import; blocked storage; the offer after
//! a passed self-check. Without Chromium the browser tests are skipped, unless
//! `GUIDE_REQUIRE_BROWSER=1`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::browser::{
    self as browser_support, Browser, StaticServer, axe_source, axe_violations, build_guide,
    file_url, lit, with_browser,
};
use crate::support::serve::{CONNECTED, Serve, TRACK_EVENT_SOURCES};
use crate::support::{Guide, element_by_id, tags};
use serde_json::{Value, json};

const SUB_PATH: &str = "/teams/it-guide/";
const WAIT: Duration = Duration::from_secs(10);

const TITLE: &str = "Progress Guide";

/// A guide with a three-lesson track and a lesson outside it.
fn write_fixture(guide: &Guide) {
    guide.write(
        "book.toml",
        format!(
            r#"[book]
title = "{TITLE}"

[tracks.basics]
title = "The basics"
description = "Three lessons in order."
lessons = ["basics/one.md", "basics/two.md", "basics/three.md"]
"#
        ),
    );
    guide.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nWelcome.\n",
    );
    guide.write(
        "content/basics/_index.md",
        "+++\ntitle = \"Basics\"\n+++\nThe basics.\n",
    );
    for (i, name) in ["one", "two", "three"].iter().enumerate() {
        guide.write(
            &format!("content/basics/{name}.md"),
            format!(
                "+++\ntitle = \"Lesson {name}\"\nweight = {i}\n+++\nThe text of lesson {name}.\n"
            ),
        );
    }
    guide.write(
        "content/extra/_index.md",
        "+++\ntitle = \"Extra\"\n+++\nMore.\n",
    );
    guide.write(
        "content/extra/four.md",
        "+++\ntitle = \"Lesson four\"\n+++\nAn extra lesson.\n",
    );
}

/// The fixture built into `<tmp>/<name>`.
fn built(guide: &Guide, name: &str) -> PathBuf {
    let out = guide.beside(name);
    build_guide(&guide.root, &out);
    out
}

fn fixture_site() -> (Guide, PathBuf) {
    let guide = Guide::empty();
    write_fixture(&guide);
    let out = built(&guide, "site");
    (guide, out)
}

fn base_of(out: &Path) -> String {
    format!("{}/", file_url(out))
}

fn expect_clean(b: &mut Browser, what: &str) -> Result<(), String> {
    let problems = b.take_problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: {}", problems.join("\n  ")))
    }
}

/// What the page shows of reading progress.
fn state(b: &mut Browser) -> Result<Value, String> {
    b.evaluate(
        r##"(() => {
  const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : null);
  const shown = (el) => !!el && !el.closest("[hidden]") && el.getClientRects().length > 0;
  const rel = (href) => new URL(href, location.href).href;
  const toggle = document.getElementById("lesson-done");
  const track = document.querySelector("[data-track-progress]");
  const cont = track && track.querySelector("a.track-continue");
  return {
    toggle: shown(toggle) ? { pressed: toggle.getAttribute("aria-pressed"), disabled: toggle.disabled } : null,
    note: text(document.getElementById("lesson-progress-note")),
    done: [...document.querySelectorAll("#sidebar a[data-done]")].map((a) => ({
      href: rel(a.getAttribute("href")),
      label: text(a),
      tick: shown(a.querySelector(".progress-tick-icon")),
    })),
    listed: [...document.querySelectorAll(".lesson-list a[data-done]")].map((a) => rel(a.getAttribute("href"))),
    track: shown(track) ? text(track) : null,
    cont: cont ? rel(cont.getAttribute("href")) : null,
    summary: shown(document.getElementById("progress-summary")) ? text(document.getElementById("progress-summary")) : null,
    status: text(document.getElementById("progress-status")),
  };
})()"##,
    )
}

/// Presses Enter on the focused element, as a keyboard user would.
fn press_enter(b: &mut Browser) -> Result<(), String> {
    for kind in ["keyDown", "keyUp"] {
        b.call(
            "Input.dispatchKeyEvent",
            json!({ "type": kind, "key": "Enter", "code": "Enter",
                    "windowsVirtualKeyCode": 13, "text": if kind == "keyDown" { "\r" } else { "" } }),
        )?;
    }
    Ok(())
}

fn pressed(b: &mut Browser) -> Result<String, String> {
    b.eval_string(r#"document.getElementById("lesson-done").getAttribute("aria-pressed")"#)
}

/// Marks lessons one (keyboard) and three (mouse) done, marks two and unmarks it again, then
/// checks after a reload what every page shows.
fn mark_and_see(b: &mut Browser, base: &str) -> Result<String, String> {
    b.navigate(&format!("{base}index.html"))?;
    let start = state(b)?;
    if start["track"] != "0 of 3 done" || !start["cont"].is_null() {
        return Err(format!("landing page before any progress: {start}"));
    }
    if start["summary"] != "No lessons are marked as done in this browser yet." {
        return Err(format!("summary before any progress: {start}"));
    }

    b.navigate(&format!("{base}basics/one.html"))?;
    let s = state(b)?;
    if s["toggle"] != json!({ "pressed": "false", "disabled": false }) {
        return Err(format!("the toggle on a fresh lesson: {s}"));
    }
    b.evaluate(r#"document.getElementById("lesson-done").focus(); true"#)?;
    press_enter(b)?;
    b.wait_for(
        r#"document.getElementById("lesson-done").getAttribute("aria-pressed") === "true""#,
        WAIT,
    )
    .map_err(|e| format!("Enter on the toggle: {e}"))?;

    b.navigate(&format!("{base}basics/two.html"))?;
    b.click("#lesson-done")?;
    if pressed(b)? != "true" {
        return Err("clicking the toggle did not press it".into());
    }
    b.click("#lesson-done")?;
    if pressed(b)? != "false" {
        return Err("clicking the pressed toggle did not release it".into());
    }

    b.navigate(&format!("{base}basics/three.html"))?;
    b.click("#lesson-done")?;
    b.reload()?;
    let s = state(b)?;
    if s["toggle"]["pressed"] != "true" || s["note"] != "Done. Saved in this browser." {
        return Err(format!("lesson three after a reload: {s}"));
    }
    let done: Vec<String> = s["done"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let ok =
                d["tick"] == true && d["label"].as_str().is_some_and(|l| l.ends_with("(done)"));
            format!(
                "{}{}",
                d["href"].as_str().unwrap_or(""),
                if ok { "" } else { " (no tick)" }
            )
        })
        .collect();
    let want = vec![
        format!("{base}basics/one.html"),
        format!("{base}basics/three.html"),
    ];
    if done != want {
        return Err(format!(
            "sidebar links marked done: {done:?}, want {want:?}"
        ));
    }

    b.navigate(&format!("{base}tracks/basics.html"))?;
    let s = state(b)?;
    let two = format!("{base}basics/two.html");
    if s["track"] != "2 of 3 done Continue “The basics”" || s["cont"] != two.as_str() {
        return Err(format!("track page: {s}"));
    }
    if s["listed"] != json!(want) {
        return Err(format!("track page's lesson list: {s}"));
    }
    b.click_and_wait_load("a.track-continue")?;
    let at = b.location()?;
    if at != two {
        return Err(format!("Continue led to {at}, not {two}"));
    }

    b.navigate(&format!("{base}index.html"))?;
    let s = state(b)?;
    if s["track"] != "2 of 3 done Continue “The basics”" || s["cont"] != two.as_str() {
        return Err(format!("landing page: {s}"));
    }
    if s["summary"] != "You have marked 2 lessons as done in this browser." {
        return Err(format!("landing page's summary: {s}"));
    }
    b.click_and_wait_load("#tracks a.track-continue")?;
    let at = b.location()?;
    if at != two {
        return Err(format!(
            "the landing page's Continue led to {at}, not {two}"
        ));
    }
    expect_clean(b, base)?;
    Ok("2 of 3 done".into())
}

#[test]
fn lessons_marked_done_show_everywhere_from_disk_and_under_a_sub_path() {
    let (_guide, out) = fixture_site();
    with_browser("progress", |b| {
        let disk = mark_and_see(b, &base_of(&out)).map_err(|e| format!("file://: {e}"))?;
        let server = StaticServer::start(&out, SUB_PATH).map_err(|e| e.to_string())?;
        let http = mark_and_see(b, &server.url()).map_err(|e| format!("http: {e}"))?;
        let outside = b
            .take_requests()
            .into_iter()
            .filter(|r| !r.url.starts_with("file://") && !r.url.starts_with(&server.url()))
            .filter(|r| !browser_support::is_default_favicon(&r.url))
            .map(|r| r.url)
            .collect::<Vec<_>>();
        if !outside.is_empty() {
            return Err(format!("requests outside the site: {outside:?}"));
        }
        Ok(format!("file://: {disk}; http {SUB_PATH}: {http}"))
    });
}

#[test]
fn two_guides_opened_from_disk_never_mix() {
    let guide = Guide::empty();
    write_fixture(&guide);
    let first = built(&guide, "first");
    let second = built(&guide, "second");
    with_browser("two guides", |b| {
        b.navigate(&format!("{}basics/one.html", base_of(&first)))?;
        b.click("#lesson-done")?;
        b.navigate(&format!("{}basics/one.html", base_of(&second)))?;
        let s = state(b)?;
        if s["toggle"]["pressed"] != "false" || s["done"] != json!([]) {
            return Err(format!(
                "the second copy shows the first one's progress: {s}"
            ));
        }
        b.navigate(&format!("{}index.html", base_of(&first)))?;
        let s = state(b)?;
        if s["track"] != "1 of 3 done Continue “The basics”" {
            return Err(format!("the first copy lost its progress: {s}"));
        }
        expect_clean(b, "two guides")?;
        Ok("kept apart".into())
    });
}

/// Sets the file of the import input to `path`, as a reader picking a file would.
fn choose_file(b: &mut Browser, path: &Path) -> Result<(), String> {
    let input = b.call(
        "Runtime.evaluate",
        json!({ "expression": r#"document.getElementById("progress-file")"# }),
    )?;
    let object = input["result"]["objectId"]
        .as_str()
        .ok_or("no #progress-file")?
        .to_string();
    b.call(
        "DOM.setFileInputFiles",
        json!({ "files": [path.to_string_lossy()], "objectId": object }),
    )
    .map(|_| ())
}

fn wait_for_status(b: &mut Browser, starts: &str) -> Result<String, String> {
    let js = format!(
        r#"(() => {{ const t = document.getElementById("progress-status").textContent;
             return t.startsWith({}) ? t : null; }})()"#,
        lit(starts)
    );
    b.wait_for(&js, WAIT)
        .map(|v| v.as_str().unwrap_or_default().to_string())
}

fn wait_for_file(dir: &Path) -> Result<PathBuf, String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let found = fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "json"));
        // The browser may create the file before it writes it: a download is there once it
        // parses as JSON.
        if let Some(path) = found
            && fs::read_to_string(&path)
                .is_ok_and(|text| serde_json::from_str::<Value>(&text).is_ok())
        {
            return Ok(path);
        }
        if Instant::now() > deadline {
            return Err(format!("nothing downloaded into {}", dir.display()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn progress_is_exported_reset_and_imported() {
    let (guide, out) = fixture_site();
    let downloads = guide.beside("downloads");
    fs::create_dir_all(&downloads).expect("downloads folder");
    let base = base_of(&out);
    with_browser("export import", |b| {
        b.call(
            "Page.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": downloads.to_string_lossy() }),
        )?;
        for lesson in ["one", "two"] {
            b.navigate(&format!("{base}basics/{lesson}.html"))?;
            b.click("#lesson-done")?;
        }
        b.navigate(&format!("{base}index.html"))?;
        b.click("#progress-export")?;
        let status = wait_for_status(b, "Exported")?;
        let file = wait_for_file(&downloads)?;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if name != "progress-guide-progress.json" || !status.contains("2 lessons") {
            return Err(format!("export: {name}, {status:?}"));
        }
        let data: Value =
            serde_json::from_str(&fs::read_to_string(&file).map_err(|e| e.to_string())?)
                .map_err(|e| format!("the exported file is not JSON: {e}"))?;
        let keys: Vec<&String> = data["done"]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        if data["format"] != "guide-progress"
            || data["version"] != 1
            || data["guide"] != TITLE
            || keys != ["basics/one.html", "basics/two.html"]
        {
            return Err(format!("exported: {data}"));
        }

        b.click("#progress-reset")?;
        let focused = b.eval_string("document.activeElement.id")?;
        if focused != "progress-reset-no" {
            return Err(format!(
                "after Reset the focus is on #{focused}, not on \"Keep it\""
            ));
        }
        b.click("#progress-reset-yes")?;
        wait_for_status(b, "Forgot 2 lessons")?;
        let s = state(b)?;
        if s["track"] != "0 of 3 done"
            || s["summary"] != "No lessons are marked as done in this browser yet."
        {
            return Err(format!("after reset: {s}"));
        }

        let bad = guide.beside("bad.json");
        fs::write(&bad, "{ not json").map_err(|e| e.to_string())?;
        choose_file(b, &bad)?;
        let said = wait_for_status(b, "Could not import bad.json: it is not JSON")?;
        let outside = guide.beside("outside.json");
        fs::write(
            &outside,
            r#"{"format":"guide-progress","version":1,"done":{"../../secret.html":""}}"#,
        )
        .map_err(|e| e.to_string())?;
        choose_file(b, &outside)?;
        let said_outside = wait_for_status(
            b,
            "Could not import outside.json: “../../secret.html” is not a lesson",
        )?;
        if state(b)?["track"] != "0 of 3 done" {
            return Err("a rejected file changed the progress".into());
        }

        choose_file(b, &file)?;
        wait_for_status(
            b,
            "Imported progress-guide-progress.json: 2 lessons newly marked as done.",
        )?;
        let s = state(b)?;
        if s["track"] != "2 of 3 done Continue “The basics”" {
            return Err(format!("after import: {s}"));
        }
        b.navigate(&format!("{base}basics/two.html"))?;
        if pressed(b)? != "true" {
            return Err("an imported lesson's toggle is not pressed".into());
        }
        expect_clean(b, "export import")?;
        Ok(format!("{said:?}; {said_outside:?}"))
    });
}

/// Makes every `localStorage` access throw, as a browser that blocks storage does.
const BLOCK_STORAGE: &str = r#"
Object.defineProperty(window, "localStorage", {
  configurable: true,
  get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
});
"#;

#[test]
fn blocked_storage_says_progress_cannot_be_saved() {
    let (_guide, out) = fixture_site();
    let base = base_of(&out);
    with_browser("blocked storage", |b| {
        b.add_script_on_new_document(BLOCK_STORAGE)?;
        b.navigate(&format!("{base}basics/one.html"))?;
        let blocked = b.eval_bool(
            "(() => { try { window.localStorage; return false; } catch (e) { return e.name === 'SecurityError'; } })()",
        )?;
        if !blocked {
            return Err("the page can still reach localStorage".into());
        }
        let s = state(b)?;
        if s["toggle"] != json!({ "pressed": "false", "disabled": true })
            || !s["note"]
                .as_str()
                .is_some_and(|n| n.starts_with("Progress can’t be saved here"))
        {
            return Err(format!("lesson with storage blocked: {s}"));
        }
        b.navigate(&format!("{base}index.html"))?;
        let s = state(b)?;
        let disabled = b.eval_bool(
            r#"["progress-export", "progress-import", "progress-reset"].every((id) => document.getElementById(id).disabled)"#,
        )?;
        if !s["track"].is_null()
            || !s["summary"]
                .as_str()
                .is_some_and(|n| n.starts_with("Progress can’t be saved here"))
            || !disabled
        {
            return Err(format!(
                "landing page with storage blocked (buttons disabled: {disabled}): {s}"
            ));
        }
        expect_clean(b, "blocked storage")?;
        Ok("the toggle says why".into())
    });
}

/// Dispatches `quiz:passed` from a self-check form added to the lesson, as the quiz script does.
const PASS_QUIZ: &str = r##"(() => {
  let form = document.querySelector("form.quiz");
  if (!form) {
    form = document.createElement("form");
    form.className = "quiz";
    document.querySelector("#content .prose").appendChild(form);
  }
  form.dispatchEvent(new CustomEvent("quiz:passed", { bubbles: true, detail: { score: 3, total: 3 } }));
  return true;
})()"##;

#[test]
fn a_passed_self_check_offers_to_mark_the_lesson_done() {
    let (_guide, out) = fixture_site();
    let base = base_of(&out);
    with_browser("quiz offer", |b| {
        b.navigate(&format!("{base}basics/two.html"))?;
        b.evaluate(PASS_QUIZ)?;
        let offer = b.eval_string(
            r##"(() => { const o = document.querySelector("form.quiz + #progress-offer"); return o ? o.textContent : ""; })()"##,
        )?;
        if !offer.contains("Mark this lesson as done") {
            return Err(format!("no offer after the self-check: {offer:?}"));
        }
        if pressed(b)? != "false" {
            return Err("passing the self-check marked the lesson by itself".into());
        }
        b.click("#progress-offer button")?;
        if pressed(b)? != "true" {
            return Err("accepting the offer did not mark the lesson done".into());
        }
        let after = b.eval_string(r#"document.getElementById("progress-offer").textContent"#)?;
        let focused = b.eval_string("document.activeElement.id")?;
        if after != "Marked as done." || focused != "lesson-done" {
            return Err(format!("after accepting: {after:?}, focus on #{focused}"));
        }
        b.reload()?;
        b.evaluate(PASS_QUIZ)?;
        if b.eval_bool(r#"!!document.getElementById("progress-offer")"#)? {
            return Err("a done lesson was offered to be marked done again".into());
        }
        expect_clean(b, "quiz offer")?;
        Ok("offered, not forced".into())
    });
}

/// The page has loaded and its progress script has shown the toggle.
const READY: &str =
    r#"document.readyState === "complete" && !document.getElementById("lesson-progress").hidden"#;

#[test]
fn progress_survives_live_reload_in_serve() {
    let guide = Guide::empty();
    write_fixture(&guide);
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    let base = format!("http://{}/", serve.addr());
    with_browser("serve", |b| {
        live_reload(b, &guide, &base)
            .map_err(|e| format!("{e}\nguide serve said:\n{}", serve.log()))
    });
}

fn live_reload(b: &mut Browser, guide: &Guide, base: &str) -> Result<String, String> {
    b.add_script_on_new_document(TRACK_EVENT_SOURCES)?;
    b.navigate(&format!("{base}basics/one.html"))?;
    b.wait_for(&format!("{CONNECTED} && {READY}"), WAIT)?;
    b.click("#lesson-done")?;
    if pressed(b)? != "true" {
        return Err("clicking the toggle did not press it".into());
    }
    b.evaluate("window.__before_reload = true")?;
    guide.append("content/basics/one.md", "\nEdited while reading.\n");
    b.wait_for(
        &format!(
            r#"window.__before_reload === undefined && {READY}
               && document.body.textContent.includes("Edited while reading.")"#
        ),
        WAIT,
    )
    .map_err(|e| format!("no live reload: {e}"))?;
    let s = state(b)?;
    if s["toggle"]["pressed"] != "true" || s["done"].as_array().map(Vec::len) != Some(1) {
        return Err(format!("after the live reload: {s}"));
    }
    expect_clean(b, "serve")?;
    Ok("kept".into())
}

#[test]
fn pages_carry_the_progress_hooks_only_for_scripts() {
    let (_guide, out) = fixture_site();
    let lesson = fs::read_to_string(out.join("basics/two.html")).expect("lesson page");
    let toggle = tags(&lesson)
        .into_iter()
        .find(|t| t.attr("id").as_deref() == Some("lesson-done"))
        .expect("button#lesson-done");
    assert_eq!(toggle.name, "button");
    assert_eq!(toggle.attr("aria-pressed").as_deref(), Some("false"));
    assert_eq!(toggle.attr("type").as_deref(), Some("button"));
    let wrapper = element_by_id(&lesson, "lesson-progress").expect("#lesson-progress");
    let open = &tags(wrapper)[0];
    assert!(
        open.attr("hidden").is_some(),
        "the toggle is hidden without scripts: {wrapper}"
    );
    assert_eq!(open.attr("data-lesson").as_deref(), Some("basics/two.html"));

    let want = "basics/one.html basics/two.html basics/three.html";
    let index = fs::read_to_string(out.join("index.html")).expect("landing page");
    let track = fs::read_to_string(out.join("tracks/basics.html")).expect("track page");
    for (page, html) in [("index.html", &index), ("tracks/basics.html", &track)] {
        let boxes: Vec<_> = tags(html)
            .into_iter()
            .filter(|t| t.attr("data-track-progress").is_some())
            .collect();
        assert_eq!(boxes.len(), 1, "{page}: one progress box per track");
        let lessons = boxes[0].attr("data-lessons").unwrap_or_default();
        assert_eq!(lessons.trim(), want, "{page}: the track's lessons in order");
        assert!(
            boxes[0].attr("hidden").is_some(),
            "{page}: hidden without scripts"
        );
    }
    assert!(
        element_by_id(&index, "progress").is_some(),
        "the landing page has #progress"
    );
    assert!(
        element_by_id(&track, "progress").is_none(),
        "only the landing page has #progress"
    );
}

#[test]
fn progress_widgets_pass_axe_in_light_and_dark() {
    let Some(axe) = axe_source() else {
        return;
    };
    let (_guide, out) = fixture_site();
    let base = base_of(&out);
    with_browser("axe", |b| {
        b.call("Page.setDownloadBehavior", json!({ "behavior": "deny" }))?;
        let mut checked = 0;
        let mut problems = Vec::new();
        for scheme in ["light", "dark"] {
            b.set_color_scheme(scheme)?;
            b.navigate(&format!("{base}basics/one.html"))?;
            b.click("#lesson-done")?;
            b.navigate(&format!("{base}basics/two.html"))?;
            b.evaluate(PASS_QUIZ)?;
            let found = axe_violations(
                b,
                &axe,
                &["#lesson-progress", "#progress-offer", "#sidebar"],
            )?;
            problems.extend(found.into_iter().map(|v| format!("{scheme} lesson: {v}")));
            b.navigate(&format!("{base}tracks/basics.html"))?;
            let found = axe_violations(b, &axe, &["[data-track-progress]", ".track-list"])?;
            problems.extend(found.into_iter().map(|v| format!("{scheme} track: {v}")));
            b.navigate(&format!("{base}index.html"))?;
            b.click("#progress-export")?;
            b.click("#progress-reset")?;
            let found = axe_violations(b, &axe, &["#progress", "#tracks"])?;
            problems.extend(found.into_iter().map(|v| format!("{scheme} landing: {v}")));
            b.click("#progress-reset-yes")?;
            checked += 3;
        }
        let blocked = b.add_script_on_new_document(BLOCK_STORAGE)?;
        b.navigate(&format!("{base}basics/one.html"))?;
        let found = axe_violations(b, &axe, &["#lesson-progress"])?;
        problems.extend(found.into_iter().map(|v| format!("storage blocked: {v}")));
        b.remove_script_on_new_document(&blocked)?;
        if !problems.is_empty() {
            return Err(problems.join("\n  "));
        }
        Ok(format!("{} pages, no violations", checked + 1))
    });
}
