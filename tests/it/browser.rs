//! Browser tests: the built guide in real headless Chromium, opened from disk and served over
//! HTTP under a sub-path. Without Chromium they are skipped, unless `GUIDE_REQUIRE_BROWSER=1`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::browser::{
    Browser, StaticServer, build_guide, file_url, html_pages, lit, with_browser,
};
use serde_json::Value;

/// Where the HTTP tests host the guide, as a team would on an intranet server.
const SUB_PATH: &str = "/teams/it-guide/";

const SHORT: Duration = Duration::from_secs(5);

/// Page-side helpers, prepended to expressions by [`js`].
const JS_LIB: &str = r#"
const lum = (el) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const colour = getComputedStyle(el).backgroundColor;
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = colour;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
  if (a === 0) return null;
  const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
const pageLum = () => {
  const own = lum(document.body);
  return own !== null ? own : lum(document.documentElement);
};
const shown = (el) => {
  if (!el) return false;
  const s = getComputedStyle(el);
  if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 &&
    r.left < innerWidth && r.top < innerHeight;
};
const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");
"#;

/// Wraps `expr` so that it can use the helpers of [`JS_LIB`].
fn js(expr: &str) -> String {
    format!("(() => {{ {JS_LIB}\nreturn ({expr}); }})()")
}

/// A guide built into a temporary folder.
struct Built {
    _dir: tempfile::TempDir,
    out: PathBuf,
}

impl Built {
    /// The guide bundled with this repository.
    fn bundled() -> Built {
        Built::from_root(Path::new(env!("CARGO_MANIFEST_DIR")), None)
    }

    /// A guide made of `files` (paths relative to its root).
    fn fixture(files: &[(&str, &str)]) -> Built {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("guide");
        for (path, body) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().expect("parent")).expect("create fixture dir");
            fs::write(path, body).expect("write fixture file");
        }
        Built::from_root(&root, Some(dir))
    }

    fn from_root(root: &Path, dir: Option<tempfile::TempDir>) -> Built {
        let dir = dir.unwrap_or_else(|| tempfile::tempdir().expect("temp dir"));
        let out = dir.path().join("site");
        build_guide(root, &out);
        Built { _dir: dir, out }
    }

    /// The `file://` URL of the output folder, ending in `/`.
    fn base(&self) -> String {
        format!("{}/", file_url(&self.out))
    }

    fn pages(&self) -> Vec<String> {
        html_pages(&self.out)
    }
}

/// The output paths of the bundled guide's lessons (every Markdown file but `_index.md`).
fn bundled_lessons() -> BTreeSet<String> {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut found = BTreeSet::new();
    let mut stack = vec![content.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read content dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md")
                && path.file_name().is_some_and(|n| n != "_index.md")
            {
                let rel = path.strip_prefix(&content).expect("inside content");
                let rel = rel.with_extension("html");
                found.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found
}

/// Fails with every problem the page reported (console errors, exceptions, failed requests).
fn expect_clean(b: &mut Browser, what: &str) -> Result<(), String> {
    let problems = b.take_problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: {}", problems.join("\n  ")))
    }
}

/// The resolved `href` and the text of the first element matching `selector`.
fn link(b: &mut Browser, selector: &str) -> Result<(String, String), String> {
    let value = b.evaluate(&js(&format!(
        "(() => {{ const a = document.querySelector({}); return a ? [a.href, text(a)] : null; }})()",
        lit(selector)
    )))?;
    match value.as_array().map(Vec::as_slice) {
        Some([Value::String(href), Value::String(label)]) => Ok((href.clone(), label.clone())),
        _ => Err(format!(
            "no `{selector}` on {}",
            b.location().unwrap_or_default()
        )),
    }
}

/// Marks the element `expr` evaluates to (clearing earlier marks) and returns a selector for it.
fn pick(b: &mut Browser, expr: &str) -> Result<&'static str, String> {
    let found = b.evaluate(&format!(
        "(() => {{ for (const e of document.querySelectorAll('[data-test-pick]')) e.removeAttribute('data-test-pick'); \
           const el = {expr}; if (!el) return false; el.setAttribute('data-test-pick', ''); return true; }})()"
    ))?;
    if found == Value::Bool(true) {
        Ok("[data-test-pick]")
    } else {
        Err(format!("nothing found for `{expr}` on {}", b.location()?))
    }
}

fn h1(b: &mut Browser) -> Result<String, String> {
    b.eval_string(&js("text(document.querySelector('h1'))"))
}

/// Clicks `selector`, waits for the page it leads to and checks that it is the linked page,
/// that its heading is named in the link, and that it loaded without problems.
fn follow(b: &mut Browser, selector: &str) -> Result<String, String> {
    let (href, label) = link(b, selector)?;
    let from = b.location()?;
    b.click_and_wait_load(selector)?;
    let at = b.location()?;
    if at != href {
        return Err(format!(
            "`{selector}` on {from} points to {href}, but the browser is at {at}"
        ));
    }
    let heading = h1(b)?;
    if heading.is_empty() || !label.contains(&heading) {
        return Err(format!(
            "`{selector}` on {from} says {label:?}, the page's h1 is {heading:?}"
        ));
    }
    let title = b.eval_string("document.title")?;
    if !title.contains(&heading) {
        return Err(format!(
            "{at}: <title> {title:?} does not name the h1 {heading:?}"
        ));
    }
    expect_clean(b, &at)?;
    Ok(at)
}

/// Checks that exactly one sidebar link is marked `aria-current="page"` and that it is this page.
fn expect_current_marked(b: &mut Browser) -> Result<(), String> {
    let marked = b.evaluate(
        "[...document.querySelectorAll('#sidebar [aria-current=\"page\"]')].map(a => a.href || '')",
    )?;
    let at = b.location()?;
    match marked.as_array().map(Vec::as_slice) {
        Some([Value::String(href)]) if *href == at => Ok(()),
        _ => Err(format!(
            "{at}: the sidebar's aria-current=\"page\" links are {marked}, expected only this page"
        )),
    }
}

fn count(b: &mut Browser, selector: &str) -> Result<usize, String> {
    let n = b.eval_f64(&format!(
        "document.querySelectorAll({}).length",
        lit(selector)
    ))?;
    Ok(n as usize)
}

/// The whole reading tour of the bundled guide from `base` (a folder URL ending in `/`):
/// sidebar to a lesson, every `rel="next"` to the end, every `rel="prev"` back to the start,
/// breadcrumbs home, and the table of contents on a lesson.
fn tour(b: &mut Browser, base: &str) -> Result<String, String> {
    let lessons: BTreeSet<String> = bundled_lessons()
        .iter()
        .map(|l| format!("{base}{l}"))
        .collect();
    let index = format!("{base}index.html");
    b.navigate(&index)?;
    expect_clean(b, &index)?;
    expect_current_marked(b)?;

    follow(b, "#sidebar a:not([aria-current])")?;
    expect_current_marked(b)?;
    let want = serde_json::to_string(&lessons).map_err(|e| e.to_string())?;
    let to_lesson = pick(
        b,
        &format!(
            "[...document.querySelectorAll('#sidebar a')].find(a => new Set({want}).has(a.href))"
        ),
    )
    .map_err(|_| "the sidebar of the first section links to no lesson".to_string())?;
    let start = follow(b, to_lesson)?;
    expect_current_marked(b)?;

    let mut forward = vec![start.clone()];
    let mut with_toc = Vec::new();
    loop {
        if count(b, "#toc a[href^='#']")? > 0 {
            with_toc.push(b.location()?);
        }
        if count(b, "a[rel~='next']")? == 0 {
            break;
        }
        if forward.len() > 200 {
            return Err("rel=\"next\" never ends".into());
        }
        let at = follow(b, "a[rel~='next']")?;
        expect_current_marked(b)?;
        forward.push(at);
    }
    let mut backward = vec![forward.last().cloned().unwrap_or_default()];
    while count(b, "a[rel~='prev']")? > 0 {
        if backward.len() > 200 {
            return Err("rel=\"prev\" never ends".into());
        }
        let at = follow(b, "a[rel~='prev']")?;
        expect_current_marked(b)?;
        backward.push(at);
    }
    backward.reverse();
    if !backward.ends_with(&forward) {
        return Err(format!(
            "rel=\"prev\" does not retrace rel=\"next\":\n next: {forward:?}\n prev (reversed): {backward:?}"
        ));
    }
    if backward.first() != Some(&index) {
        return Err(format!(
            "rel=\"prev\" ends at {:?}, not at the landing page",
            backward.first()
        ));
    }
    let toured: BTreeSet<&String> = backward.iter().collect();
    let missed: Vec<&String> = lessons.iter().filter(|l| !toured.contains(l)).collect();
    if !missed.is_empty() {
        return Err(format!("previous/next never reach {missed:?}"));
    }

    let last = forward.last().cloned().unwrap_or_default();
    b.navigate(&last)?;
    let crumbs = "nav[aria-label='Breadcrumb'] a";
    let n = count(b, crumbs)?;
    if n == 0 {
        return Err(format!("{last} has no breadcrumb links"));
    }
    if n > 1 {
        let last_crumb = pick(
            b,
            &format!("[...document.querySelectorAll({})].at(-1)", lit(crumbs)),
        )?;
        follow(b, last_crumb)?;
        expect_current_marked(b)?;
    }
    let home = follow(b, crumbs)?;
    if home != index {
        return Err(format!("the first breadcrumb leads to {home}, not {index}"));
    }

    let toc_page = with_toc
        .iter()
        .find(|p| lessons.contains(*p))
        .cloned()
        .ok_or("no lesson has a table of contents")?;
    let jumps = check_toc(b, &toc_page)?;

    Ok(format!(
        "{} pages by next/prev, breadcrumbs home, {jumps} TOC jumps on {}",
        backward.len(),
        toc_page.rsplit('/').next().unwrap_or("")
    ))
}

/// Clicks every entry of the page's table of contents and checks each lands on its heading.
fn check_toc(b: &mut Browser, page: &str) -> Result<usize, String> {
    b.navigate(page)?;
    if count(b, "#toc details:not([open]) > summary")? > 0 {
        b.click("#toc details:not([open]) > summary")?;
    }
    let ids = b.evaluate(
        "[...document.querySelectorAll('#toc a[href^=\"#\"]')].map(a => decodeURIComponent(a.getAttribute('href').slice(1)))",
    )?;
    let ids: Vec<String> = ids
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for (i, id) in ids.iter().enumerate() {
        let entry = pick(
            b,
            &format!("document.querySelectorAll('#toc a[href^=\"#\"]')[{i}]"),
        )?;
        b.click(entry)?;
        let want = format!("#{id}");
        b.wait_for(&format!("location.hash === {}", lit(&want)), SHORT)
            .map_err(|e| format!("TOC entry {want}: {e}"))?;
        let seen = b.evaluate(&js(&format!(
            "(() => {{ const h = document.getElementById({}); if (!h) return 'missing'; \
               const r = h.getBoundingClientRect(); \
               return r.top >= -2 && r.top < innerHeight ? 'ok' : 'off screen at ' + r.top; }})()",
            lit(id)
        )))?;
        if seen != Value::String("ok".into()) {
            return Err(format!("{page}: TOC entry {want}: heading {seen}"));
        }
    }
    expect_clean(b, page)?;
    if ids.is_empty() {
        return Err(format!("{page}: empty table of contents"));
    }
    Ok(ids.len())
}

const THEME_RECORDER: &str = r#"
(() => {
  const seen = [];
  window.__guideThemeAt = seen;
  const note = (what) => seen.push({ what, theme: document.documentElement && document.documentElement.getAttribute("data-theme") });
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.tagName === "LINK" && /\bstylesheet\b/i.test(node.rel)) note("stylesheet");
        else if (node.tagName === "STYLE") note("style");
        else if (node.tagName === "BODY") note("body");
      }
    }
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", () => note("DOMContentLoaded"));
})();
"#;

fn page_lum(b: &mut Browser) -> Result<f64, String> {
    b.evaluate(&js("pageLum()"))?
        .as_f64()
        .ok_or_else(|| "the page has no background colour".to_string())
}

fn expect_scheme(b: &mut Browser, dark: bool, when: &str) -> Result<f64, String> {
    let cond = if dark {
        "pageLum() !== null && pageLum() < 0.2"
    } else {
        "pageLum() !== null && pageLum() > 0.6"
    };
    match b.wait_for(&js(cond), SHORT) {
        Ok(_) => page_lum(b),
        Err(_) => Err(format!(
            "{when}: expected a {} background, luminance is {:?} (data-theme {:?})",
            if dark { "dark" } else { "light" },
            page_lum(b),
            b.evaluate("document.documentElement.getAttribute('data-theme')")
        )),
    }
}

fn stored_choices(b: &mut Browser, value: &str) -> Result<usize, String> {
    let n = b.eval_f64(&format!(
        "Object.keys(localStorage).filter(k => localStorage.getItem(k) === {}).length",
        lit(value)
    ))?;
    Ok(n as usize)
}

#[test]
fn dark_mode_follows_the_system_and_the_toggle_overrides_it() {
    with_browser("dark-mode", |b| {
        let site = Built::bundled();
        let index = format!("{}index.html", site.base());

        b.set_color_scheme("dark")?;
        b.navigate(&index)?;
        expect_clean(b, "landing page (system dark)")?;
        let dark = expect_scheme(b, true, "system dark")?;
        b.set_color_scheme("light")?;
        let light = expect_scheme(b, false, "system switched to light")?;
        b.reload()?;
        expect_scheme(b, false, "reloaded with system light")?;

        b.wait_for("!document.getElementById('theme-toggle').hidden", SHORT)?;
        b.click("#theme-toggle")?;
        expect_scheme(b, true, "toggle pressed under system light")?;
        if stored_choices(b, "dark")? == 0 {
            return Err("choosing dark stored nothing in localStorage".into());
        }

        let other = follow(b, "#sidebar a:not([aria-current])")?;
        expect_scheme(b, true, &format!("{other} after choosing dark"))?;

        let recorder = b.add_script_on_new_document(THEME_RECORDER)?;
        b.reload()?;
        b.remove_script_on_new_document(&recorder)?;
        let record = b.evaluate("window.__guideThemeAt || []")?;
        let record = record.as_array().cloned().unwrap_or_default();
        let is_css = |r: &&Value| r["what"] == "stylesheet" || r["what"] == "style";
        if !record.iter().any(|r| is_css(&r)) || !record.iter().any(|r| r["what"] == "body") {
            return Err(format!(
                "the recorder did not see the stylesheets and <body> arrive: {record:?}"
            ));
        }
        if record
            .iter()
            .any(|r| (is_css(&r) || r["what"] == "body") && r["theme"] != "dark")
        {
            return Err(format!(
                "the stored theme was applied too late (flash of the wrong theme): {record:?}"
            ));
        }
        let order = b.evaluate(
            "(() => { const nodes = [...document.head.querySelectorAll('script, link[rel~=stylesheet], style')]; \
               const css = nodes.findIndex(n => n.tagName !== 'SCRIPT'); \
               const sync = nodes.findIndex(n => n.tagName === 'SCRIPT' && !n.async && !n.defer && \
                 (!n.type || n.type === 'text/javascript')); \
               return sync >= 0 && css >= 0 && sync < css; })()",
        )?;
        if order != Value::Bool(true) {
            return Err(
                "no synchronous classic script precedes the first stylesheet in <head>".into(),
            );
        }
        expect_scheme(b, true, "reloaded with dark stored")?;
        expect_clean(b, "reload with dark stored")?;

        b.set_color_scheme("dark")?;
        expect_scheme(b, true, "system dark, dark stored")?;
        b.click("#theme-toggle")?;
        expect_scheme(b, false, "toggle pressed under system dark")?;
        if stored_choices(b, "light")? == 0 {
            return Err("choosing light stored nothing in localStorage".into());
        }
        b.reload()?;
        expect_scheme(b, false, "reloaded under system dark with light stored")?;
        b.navigate(&index)?;
        expect_scheme(b, false, "landing page under system dark with light stored")?;
        let theme = b.evaluate("document.documentElement.getAttribute('data-theme')")?;
        if theme != "light" {
            return Err(format!("data-theme is {theme} with light stored"));
        }
        expect_clean(b, "theme pages")?;

        Ok(format!(
            "system dark {dark:.3} / light {light:.3} luminance; toggle stored and kept across pages; \
             theme set before the first stylesheet"
        ))
    });
}

#[test]
fn navigation_by_sidebar_pager_breadcrumbs_and_toc() {
    with_browser("navigation", |b| {
        let site = Built::bundled();
        let from_disk = tour(b, &site.base())?;
        let server = StaticServer::start(&site.out, SUB_PATH).map_err(|e| e.to_string())?;
        let over_http = tour(b, &server.url())?;
        let errors: Vec<String> = server
            .served()
            .into_iter()
            .filter(|s| s.status >= 400 && s.path != "/favicon.ico")
            .map(|s| format!("{} {} -> {}", s.method, s.path, s.status))
            .collect();
        if !errors.is_empty() {
            return Err(format!("the server answered errors: {errors:?}"));
        }
        Ok(format!(
            "file://: {from_disk}; http {SUB_PATH}: {over_http}; {} requests served",
            server.served().len()
        ))
    });
}

const WIDE_LESSON: &str = r#"+++
title = "Wide things"
description = "Every kind of block that could push a phone screen sideways."
+++

## A wide table

| Aspect | IT management | Product management | Project management | Programme management | Portfolio |
|---|---|---|---|---|---|
| averyveryverylongwordwithoutanybreakopportunityatallanywhere | two | three | four | five | six |
| Budget owner | CIO | CPO | PMO | Programme board | Executive committee |

## Long code

```rust
fn main() { let line = "a very long line of code that goes on and on and on and on and on and on and on and on"; println!("{line}"); }
```

```
plain text block with an unbreakable token: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
```

## Four columns compared

```compare
title = "Four disciplines"
columns = ["IT management", "Product management", "Project management", "Programme management"]
verdict = "Each answers a different question."

[[rows]]
label = "Main question"
cells = ["Does it run reliably and securely?", "Are we building the right thing?", "Will it ship on time?", "Do the projects add up?"]
pros = [["Stable"], ["Focus"], ["Dates"], ["Portfolio view"]]
cons = [["Slow"], ["Vague"], ["Rigid"], ["Remote"]]
```

A long address https://example.invalid/averyveryverylongpathsegmentwithoutanybreakopportunityatallwhatsoever/andmore
and `an_inline_code_span_that_is_very_long_and_has_no_spaces_at_all_anywhere_in_it`.

> [!WARNING]
> A callout with a long word: supercalifragilisticexpialidocioussupercalifragilisticexpialidocious.
"#;

fn wide_fixture() -> Built {
    Built::fixture(&[
        ("book.toml", "[book]\ntitle = \"Wide fixture\"\n"),
        (
            "content/_index.md",
            "+++\ntitle = \"Wide fixture\"\n+++\n\nSee [the wide lesson](wide/things.md).\n",
        ),
        (
            "content/wide/_index.md",
            "+++\ntitle = \"Wide\"\n+++\n\nWide blocks.\n",
        ),
        ("content/wide/things.md", WIDE_LESSON),
    ])
}

const PHONE: (u32, u32) = (390, 844);

const OVERFLOWING: &str = r##"(() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= LIMIT + 1) continue;
    let clipped = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") { clipped = true; break; }
    }
    if (clipped) continue;
    const cls = typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "";
    out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls + " right=" + Math.round(r.right));
  }
  return out.slice(-6);
})()"##;

#[test]
fn phone_layout_has_a_menu_and_no_sideways_scroll() {
    with_browser("phone", |b| {
        let bundled = Built::bundled();
        let wide = wide_fixture();
        b.set_viewport(PHONE.0, PHONE.1, true)?;

        let lesson = bundled_lessons()
            .into_iter()
            .next()
            .ok_or("the bundled guide has no lessons")?;
        b.navigate(&format!("{}{lesson}", bundled.base()))?;
        let menu = "[aria-controls='sidebar']";
        let state = |b: &mut Browser| -> Result<Value, String> {
            b.evaluate(&js(&format!(
                "[shown(document.getElementById('sidebar')), document.querySelector({}).getAttribute('aria-expanded')]",
                lit(menu)
            )))
        };
        let closed = serde_json::json!([false, "false"]);
        let open = serde_json::json!([true, "true"]);
        if state(b)? != closed {
            return Err(format!(
                "at {}x{} the sidebar should start hidden behind a closed menu button: [shown, aria-expanded] = {}",
                PHONE.0,
                PHONE.1,
                state(b)?
            ));
        }
        b.click(menu)?;
        b.wait_for(&js(&format!("shown(document.getElementById('sidebar')) && document.querySelector({}).getAttribute('aria-expanded') === 'true'", lit(menu))), SHORT)
            .map_err(|e| format!("pressing the menu button: {e}"))?;
        b.click(menu)
            .map_err(|e| format!("closing the open menu: {e}"))?;
        b.wait_for(&js(&format!("!shown(document.getElementById('sidebar')) && document.querySelector({}).getAttribute('aria-expanded') === 'false'", lit(menu))), SHORT)
            .map_err(|e| format!("pressing the menu button again: {e}"))?;
        b.click(menu)?;
        b.wait_for(&js("shown(document.getElementById('sidebar'))"), SHORT)?;
        if state(b)? != open {
            return Err(format!("open menu: [shown, aria-expanded] = {}", state(b)?));
        }
        let went = follow(b, "#sidebar a:not([aria-current])")?;
        if state(b)? != closed {
            return Err(format!(
                "{went}: the menu is open after following a sidebar link: {}",
                state(b)?
            ));
        }

        let mut checked = 0;
        let mut seen = BTreeSet::new();
        for (site, label) in [(&bundled, "bundled"), (&wide, "fixture")] {
            for page in site.pages() {
                let url = format!("{}{page}", site.base());
                b.navigate(&url)?;
                let metrics = b.evaluate(
                    "[document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]",
                )?;
                let widths: Vec<f64> = metrics
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default();
                let limit = f64::from(PHONE.0);
                if widths.len() != 3 || widths.iter().any(|w| *w > limit) {
                    let culprits =
                        b.evaluate(&OVERFLOWING.replace("LIMIT", &PHONE.0.to_string()))?;
                    let shot = b.debug_screenshot(&format!("phone-{label}-{page}"));
                    return Err(format!(
                        "{label} {page} scrolls sideways at {}px: [html scrollWidth, body scrollWidth, innerWidth] = {metrics}; \
                         sticking out: {culprits}; screenshot: {shot}",
                        PHONE.0
                    ));
                }
                for (kind, selector) in [
                    ("compare", ".compare, figure[class*='compare']"),
                    ("table", "table"),
                    ("code", "pre code"),
                ] {
                    if count(b, selector)? > 0 {
                        seen.insert(kind);
                    }
                }
                let problems = b.take_problems();
                if !problems.is_empty() {
                    return Err(format!("{label} {page}: {}", problems.join("\n  ")));
                }
                checked += 1;
            }
        }
        if seen.len() != 3 {
            return Err(format!(
                "the pages checked only had {seen:?} among compare/table/code"
            ));
        }
        Ok(format!(
            "menu opens/closes and navigates; {checked} pages (with {}) fit in {}px",
            seen.into_iter().collect::<Vec<_>>().join(", "),
            PHONE.0
        ))
    });
}

#[test]
fn missing_pages_get_the_styled_404_with_a_working_home_link() {
    with_browser("not-found", |b| {
        let site = Built::bundled();
        let server = StaticServer::start(&site.out, SUB_PATH).map_err(|e| e.to_string())?;
        let base = server.url();
        let home = format!("{base}index.html");
        let not_found_title = title_of(&site.out.join("404.html"))?;
        let index_title = title_of(&site.out.join("index.html"))?;
        let mut checked = Vec::new();
        for missing in ["deep/er/no-such-page.html", "no-such-page.html"] {
            let url = format!("{base}{missing}");
            b.navigate(&url)?;
            let answered = server
                .served()
                .into_iter()
                .rev()
                .find(|s| s.method == "GET" && s.path.ends_with(missing))
                .map(|s| s.status);
            if answered != Some(404) {
                return Err(format!("{url} was answered {answered:?}, expected 404"));
            }
            let title = b.eval_string("document.title")?;
            if title != not_found_title {
                return Err(format!(
                    "{url} shows {title:?}, not the site's 404 page ({not_found_title:?})"
                ));
            }
            let styled = b.evaluate(
                "new Promise((done) => { \
                   const frame = document.createElement('iframe'); \
                   frame.srcdoc = '<!doctype html><p>x</p>'; \
                   frame.onload = () => { \
                     const plain = getComputedStyle(frame.contentDocument.body); \
                     const ours = getComputedStyle(document.body); \
                     const diff = ['fontFamily', 'margin', 'lineHeight'].filter(p => plain[p] !== ours[p]); \
                     frame.remove(); \
                     done({ diff, font: ours.fontFamily }); }; \
                   document.body.append(frame); })",
            )?;
            let diff = styled["diff"].as_array().map_or(0, Vec::len);
            if diff < 2
                || styled["diff"]
                    .as_array()
                    .is_none_or(|d| !d.contains(&Value::from("fontFamily")))
            {
                return Err(format!(
                    "{url}: the 404 page looks unstyled (body differs from a blank page only in {})",
                    styled["diff"]
                ));
            }
            b.wait_for(
                &format!(
                    "[...document.querySelectorAll('a')].some(a => a.href === {})",
                    lit(&home)
                ),
                SHORT,
            )
            .map_err(|_| {
                let hrefs = b
                    .evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
                    .unwrap_or_default();
                format!("{url}: no link to {home}; links: {hrefs}")
            })?;
            let home_link = pick(
                b,
                &format!(
                    "[...document.querySelectorAll('a')].find(a => a.href === {})",
                    lit(&home)
                ),
            )?;
            b.take_problems();
            b.click_and_wait_load(home_link)?;
            let at = b.location()?;
            if at != home {
                return Err(format!("the 404 page's home link went to {at}, not {home}"));
            }
            let title = b.eval_string("document.title")?;
            if title != index_title {
                return Err(format!(
                    "{at} is titled {title:?}, expected {index_title:?}"
                ));
            }
            expect_clean(b, &at)?;
            checked.push(missing);
        }
        Ok(format!(
            "404 styled and home link works from {checked:?} under {SUB_PATH}"
        ))
    });
}

fn title_of(file: &Path) -> Result<String, String> {
    let html = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let start = html.find("<title>").ok_or("no <title>")? + "<title>".len();
    let end = html[start..].find("</title>").ok_or("no </title>")? + start;
    Ok(html[start..end]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'"))
}

#[test]
fn pages_make_no_external_requests() {
    with_browser("no-external-requests", |b| {
        let site = Built::bundled();
        let server = StaticServer::start(&site.out, SUB_PATH).map_err(|e| e.to_string())?;
        let pages = site.pages();
        let mut total = 0;
        let mut outside_site = BTreeMap::new();
        for (base, origin) in [
            (site.base(), "file://".to_string()),
            (server.url(), format!("{}/", server.origin())),
        ] {
            for page in &pages {
                let url = format!("{base}{page}");
                b.take_requests();
                b.navigate(&url)?;
                b.pause(Duration::from_millis(100))?;
                let requests = b.take_requests();
                let inline = |u: &str| u.starts_with("data:") || u.starts_with("blob:");
                let external: Vec<&str> = requests
                    .iter()
                    .map(|r| r.url.as_str())
                    .filter(|u| !(u.starts_with(&origin) || inline(u)))
                    .collect();
                if !external.is_empty() {
                    return Err(format!("{url} requested {external:?}"));
                }
                for request in &requests {
                    if !(request.url.starts_with(&base) || inline(&request.url)) {
                        outside_site
                            .entry(request.url.clone())
                            .or_insert_with(|| page.clone());
                    }
                }
                if !requests.iter().any(|r| r.url == url) {
                    return Err(format!("{url}: its own request was not seen"));
                }
                expect_clean(b, &url)?;
                total += requests.len();
            }
        }
        if !outside_site.is_empty() {
            return Err(format!(
                "requests left the site's folder (a host serving it under {SUB_PATH} would see them \
                 hit someone else's files), URL -> first page: {outside_site:?}"
            ));
        }
        Ok(format!(
            "{} pages from file:// and over HTTP, {total} requests, all inside the site",
            pages.len()
        ))
    });
}

/// Sends one raw request to `server` and returns the status and body.
fn raw_get(server: &StaticServer, method: &str, target: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(server.addr()).expect("connect to the test server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr()
    )
    .expect("send request");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read reply");
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    (status, head, reply[split + 4..].to_vec())
}

#[test]
fn test_server_serves_the_site_under_its_sub_path_only() {
    let site = Built::bundled();
    let server = StaticServer::start(&site.out, SUB_PATH).expect("start server");
    let not_found = fs::read(site.out.join("404.html")).expect("404.html");
    let index = fs::read(site.out.join("index.html")).expect("index.html");

    let (status, head, body) = raw_get(&server, "GET", SUB_PATH);
    assert_eq!((status, body.as_slice()), (200, index.as_slice()));
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );

    let css = fs::read_dir(site.out.join("static/css"))
        .expect("static/css")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".css"))
        .expect("a stylesheet");
    let (status, head, _) = raw_get(&server, "GET", &format!("{SUB_PATH}static/css/{css}?v=1"));
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("Content-Type: text/css"), "{head}");

    let (status, head, body) = raw_get(&server, "HEAD", &format!("{SUB_PATH}index.html"));
    assert_eq!(status, 200);
    assert!(body.is_empty() && head.contains(&format!("Content-Length: {}", index.len())));

    let (status, head, _) = raw_get(&server, "GET", SUB_PATH.trim_end_matches('/'));
    assert_eq!(status, 301);
    assert!(head.contains(&format!("Location: {SUB_PATH}")), "{head}");

    for target in [
        format!("{SUB_PATH}missing/deeper/page.html"),
        "/index.html".to_string(),
        format!("{SUB_PATH}../../etc/passwd"),
        format!("{SUB_PATH}%2e%2e/%2e%2e/etc/passwd"),
        format!("{SUB_PATH}static/..%2f..%2f..%2fCargo.toml"),
        format!("{SUB_PATH}..\\..\\Cargo.toml"),
    ] {
        let (status, head, body) = raw_get(&server, "GET", &target);
        assert_eq!(status, 404, "{target}: {head}");
        assert_eq!(body, not_found, "{target} should get the site's 404 page");
    }
    println!(
        "test server: {} requests answered as expected under {SUB_PATH}",
        server.served().len()
    );
}
