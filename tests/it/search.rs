//! Search in real headless Chromium on built guides: the box and its keyboard from `file://` and
//! under a sub-path over HTTP, topic filter, "did you mean", a hostile lesson title, and a strict
//! Content-Security-Policy (the ranking rules are in `relevance`). Without Chromium the tests
//! are skipped, unless `GUIDE_REQUIRE_BROWSER=1`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::browser::{Browser, StaticServer, build_guide, file_url, lit, with_browser};
use serde::Deserialize;
use serde_json::Value;

const SUB_PATH: &str = "/teams/it-guide/";
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// A guide built into a temporary folder.
pub(crate) struct Built {
    _dir: tempfile::TempDir,
    pub(crate) out: PathBuf,
}

impl Built {
    pub(crate) fn bundled() -> Built {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("site");
        build_guide(Path::new(env!("CARGO_MANIFEST_DIR")), &out);
        Built { _dir: dir, out }
    }

    pub(crate) fn fixture(files: &[(&str, &str)]) -> Built {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("guide");
        for (path, body) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().expect("parent")).expect("create fixture dir");
            fs::write(path, body).expect("write fixture file");
        }
        let out = dir.path().join("site");
        build_guide(&root, &out);
        Built { _dir: dir, out }
    }

    /// The `file://` URL of the output folder, ending in `/`.
    pub(crate) fn base(&self) -> String {
        format!("{}/", file_url(&self.out))
    }
}

pub(crate) fn expect_clean(b: &mut Browser, what: &str) -> Result<(), String> {
    let problems = b.take_problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: {}", problems.join("\n  ")))
    }
}

/// What the results panel shows once the results for the box's current text are in.
#[derive(Debug, Deserialize)]
pub(crate) struct Shown {
    pub(crate) status: String,
    live: String,
    pub(crate) results: Vec<Hit>,
    chips: Vec<(String, bool)>,
    suggestions: Vec<String>,
    expanded: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Hit {
    pub(crate) href: String,
    pub(crate) title: String,
    heading: String,
    section: String,
    snippet: String,
    pub(crate) marks: Vec<String>,
    selected: bool,
    images: usize,
    /// A further section of the page of the result above it, shown without the page title.
    pub(crate) sub: bool,
}

impl Hit {
    /// The result's target relative to `base`, without the query: `page.html#heading`.
    pub(crate) fn target(&self, base: &str) -> String {
        let rel = self.href.strip_prefix(base).unwrap_or(&self.href);
        let (page, hash) = rel.split_once('#').map_or((rel, ""), |(p, h)| (p, h));
        let page = page.split('?').next().unwrap_or(page);
        if hash.is_empty() {
            page.to_string()
        } else {
            format!("{page}#{hash}")
        }
    }
}

/// Why the results of `shown` are not grouped by page: each page once, its further sections
/// (at most two) right below it without the page title.
pub(crate) fn grouping_problem(shown: &Shown, base: &str) -> Option<String> {
    let page = |h: &Hit| {
        h.target(base)
            .split('#')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let mut seen = Vec::new();
    let mut run = 0;
    for hit in &shown.results {
        let at = page(hit);
        if hit.sub {
            run += 1;
            if seen.last() != Some(&at) || run > 2 || !hit.title.is_empty() {
                return Some(format!("{at} shown as a further section out of place"));
            }
        } else {
            if seen.contains(&at) || hit.title.is_empty() {
                return Some(format!("{at} shown twice as a page, or without its title"));
            }
            seen.push(at);
            run = 0;
        }
    }
    None
}

/// Reads the panel once `#search-results` says it shows `query`.
pub(crate) fn shown(b: &mut Browser, query: &str) -> Result<Shown, String> {
    let js = format!(
        r##"(() => {{
  const list = document.getElementById("search-results");
  if (!list || list.dataset.query !== {q} || list.getAttribute("aria-busy") !== "false") return null;
  const t = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");
  const status = document.getElementById("search-status");
  return {{
    status: t(status),
    live: (status.getAttribute("role") || "") + "/" + (status.getAttribute("aria-live") || ""),
    results: [...list.querySelectorAll("a")].map((a) => ({{
      href: a.href,
      title: t(a.querySelector(".search-result-title")),
      heading: t(a.querySelector(".search-result-heading")),
      section: t(a.querySelector(".search-result-section")),
      snippet: t(a.querySelector(".search-result-snippet")),
      marks: [...a.querySelectorAll(".search-result-snippet mark")].map(t),
      selected: a.getAttribute("aria-selected") === "true",
      images: a.querySelectorAll("img, script, iframe").length,
      sub: a.classList.contains("search-result-sub"),
    }})),
    chips: [...document.querySelectorAll("#search-topics button")].map((c) => [c.dataset.topic, c.getAttribute("aria-pressed") === "true"]),
    suggestions: [...document.querySelectorAll("#search-suggest button")].map(t),
    expanded: document.getElementById("search").getAttribute("aria-expanded"),
  }};
}})()"##,
        q = lit(query)
    );
    let value = b
        .wait_for(&js, WAIT)
        .map_err(|e| format!("results for {query:?} never showed: {e}"))?;
    serde_json::from_value(value).map_err(|e| format!("panel for {query:?}: {e}"))
}

/// Replaces the box's text with `query` as typed text and waits for its results.
pub(crate) fn search(b: &mut Browser, query: &str) -> Result<Shown, String> {
    b.evaluate("(() => { const i = document.getElementById('search'); i.focus(); i.select(); return true; })()")?;
    b.call("Input.insertText", serde_json::json!({ "text": query }))?;
    shown(b, query)
}

/// Requests for the search engine and index files made so far.
fn index_requests(b: &mut Browser) -> Vec<String> {
    b.take_requests()
        .into_iter()
        .filter(|r| r.url.contains("/search/") || r.url.contains("/search-index."))
        .map(|r| r.url)
        .collect()
}

fn active_is_search_box(b: &mut Browser) -> Result<bool, String> {
    b.eval_bool("document.activeElement === document.getElementById('search')")
}

/// The reader's path: nothing loaded before focus, `/` focuses, results as typed, arrows, Enter
/// to the heading with the words marked, Esc closes. From `base`, a folder URL ending in `/`.
fn reader_path(b: &mut Browser, base: &str) -> Result<String, String> {
    let start = format!("{base}operations/support.html");
    b.take_requests();
    b.navigate(&start)?;
    b.pause(Duration::from_millis(300))?;
    let early = index_requests(b);
    if !early.is_empty() {
        return Err(format!(
            "index files loaded before the box was focused: {early:?}"
        ));
    }
    if !b.eval_bool(
        "!!document.getElementById('search') && !document.querySelector('.search').hidden",
    )? {
        return Err("no visible search box in the header".into());
    }
    b.press_key("/")?;
    if !active_is_search_box(b)? {
        return Err("`/` did not focus the search box".into());
    }
    let shown = search(b, "restore tests")?;
    let loaded = index_requests(b);
    if !loaded.iter().any(|u| u.contains("/search/index."))
        || !loaded.iter().any(|u| u.contains("/search-index."))
    {
        return Err(format!(
            "no engine or manifest among the requests: {loaded:?}"
        ));
    }
    if shown.expanded != "true" || shown.live != "status/polite" {
        return Err(format!(
            "panel not announced: expanded={} live={}",
            shown.expanded, shown.live
        ));
    }
    let n = shown.results.len();
    let counted: usize = shown
        .status
        .trim_start_matches("Over ")
        .trim_end_matches(" results")
        .parse()
        .map_err(|_| format!("status {:?} does not count the results", shown.status))?;
    if n < 2 || counted < n {
        return Err(format!("status {:?} with {n} results shown", shown.status));
    }
    let top = &shown.results[0];
    let expected = "operations/data-storage-and-backups.html#restore-tests";
    if top.target(base) != expected
        || top.title != "Data storage and backups"
        || top.heading != "Restore tests"
        || top.section != "Operations"
        || !top.selected
    {
        return Err(format!(
            "top result {top:?}, expected {expected} with its title, heading, section, selected"
        ));
    }
    let marked: Vec<String> = top.marks.iter().map(|m| m.to_lowercase()).collect();
    if marked.is_empty()
        || !marked
            .iter()
            .all(|m| m.starts_with("restor") || m.starts_with("test"))
    {
        return Err(format!("snippet {:?} marks {:?}", top.snippet, top.marks));
    }
    b.press_key("ArrowDown")?;
    b.press_key("ArrowDown")?;
    b.press_key("ArrowUp")?;
    let selected = b.eval_string(
        "(() => { const s = document.querySelectorAll('#search-results a[aria-selected=\"true\"]'); return s.length === 1 ? s[0].id + '|' + document.getElementById('search').getAttribute('aria-activedescendant') : 'count ' + s.length; })()",
    )?;
    if selected != "search-result-1|search-result-1" {
        return Err(format!(
            "after Down, Down, Up the active result is {selected}"
        ));
    }
    b.press_key("ArrowUp")?;
    let before = b.location()?;
    b.press_key("Enter")?;
    b.wait_for(
        &format!(
            "location.href !== {} && document.readyState === 'complete'",
            lit(&before)
        ),
        WAIT,
    )?;
    let at = b.location()?;
    if !at.starts_with(&format!("{base}operations/data-storage-and-backups.html?"))
        || !at.ends_with("#restore-tests")
    {
        return Err(format!("Enter led to {at}"));
    }
    let marks = b.wait_for(
        "(() => { const m = [...document.querySelectorAll('mark.search-hit')]; return m.length ? m.map(e => e.textContent.toLowerCase()) : null; })()",
        WAIT,
    )?;
    let marks: Vec<String> = serde_json::from_value(marks).map_err(|e| e.to_string())?;
    if !marks
        .iter()
        .all(|m| m.starts_with("restor") || m.starts_with("test"))
    {
        return Err(format!("page marks {marks:?}"));
    }
    let heading = b.evaluate(
        "(() => { const h = document.getElementById('restore-tests'); if (!h) return null; const r = h.getBoundingClientRect(); return [r.top, innerHeight, h.querySelectorAll('mark.search-hit').length]; })()",
    )?;
    match heading.as_array().map(Vec::as_slice) {
        Some(
            [
                Value::Number(top),
                Value::Number(height),
                Value::Number(in_heading),
            ],
        ) if top.as_f64().unwrap_or(-1.0) >= 0.0
            && top.as_f64().unwrap_or(1e9) < height.as_f64().unwrap_or(0.0) / 2.0
            && in_heading.as_u64().unwrap_or(0) >= 1 => {}
        _ => {
            return Err(format!(
                "the heading is not in view with its words marked: {heading}"
            ));
        }
    }
    b.evaluate("document.activeElement && document.activeElement.blur()")?;
    b.call(
        "Input.dispatchKeyEvent",
        serde_json::json!({ "type": "keyDown", "key": "k", "code": "KeyK", "modifiers": 2, "windowsVirtualKeyCode": 75 }),
    )?;
    b.call(
        "Input.dispatchKeyEvent",
        serde_json::json!({ "type": "keyUp", "key": "k", "code": "KeyK", "modifiers": 2, "windowsVirtualKeyCode": 75 }),
    )?;
    if !active_is_search_box(b)? {
        return Err("Ctrl+K did not focus the search box".into());
    }
    let again = search(b, "kanban")?;
    if again.results.is_empty() {
        return Err("no results for kanban".into());
    }
    b.press_key("Escape")?;
    let closed = b.eval_string(
        "document.getElementById('search-panel').hidden + '|' + document.getElementById('search').getAttribute('aria-expanded')",
    )?;
    if closed != "true|false" {
        return Err(format!("Esc left the panel as hidden|expanded = {closed}"));
    }
    expect_clean(b, &at)?;
    let linked = shared_search_link(b, base)?;
    Ok(format!(
        "{n} results, {} marks on the page, {} index files, {linked} results from a search link",
        marks.len(),
        loaded.len()
    ))
}

/// A link to `page.html?search=words` opens the page with the box holding those words, focused,
/// and their results shown.
fn shared_search_link(b: &mut Browser, base: &str) -> Result<usize, String> {
    let asked = "restore tests";
    b.navigate(&format!(
        "{base}foundations/side-by-side.html?search=restore%20tests"
    ))?;
    let shown = shown(b, asked)?;
    let top = shown.results.first().map(|r| r.target(base));
    if top.as_deref() != Some("operations/data-storage-and-backups.html#restore-tests")
        || shown.expanded != "true"
        || !active_is_search_box(b)?
        || b.eval_bool("!!document.querySelector('#content mark.search-hit')")?
    {
        return Err(format!(
            "?search= showed {top:?} (expanded {}), the box focused: {}",
            shown.expanded,
            active_is_search_box(b)?
        ));
    }
    Ok(shown.results.len())
}

#[test]
fn reader_path_from_disk_and_under_a_sub_path() {
    let site = Built::bundled();
    with_browser("reader path", |b| {
        let from_disk = reader_path(b, &site.base()).map_err(|e| format!("file://: {e}"))?;
        let server = StaticServer::start(&site.out, SUB_PATH).map_err(|e| e.to_string())?;
        let over_http =
            reader_path(b, &server.url()).map_err(|e| format!("http {SUB_PATH}: {e}"))?;
        let outside: Vec<String> = server
            .served()
            .into_iter()
            .filter(|s| s.status >= 400)
            .map(|s| format!("{} {}", s.status, s.path))
            .collect();
        if !outside.is_empty() {
            return Err(format!("failed requests under {SUB_PATH}: {outside:?}"));
        }
        Ok(format!(
            "file://: {from_disk}; http {SUB_PATH}: {over_http}"
        ))
    });
}

#[test]
fn topic_filter_and_did_you_mean() {
    let site = Built::bundled();
    with_browser("topic filter", |b| {
        let base = site.base();
        b.navigate(&format!("{base}index.html"))?;
        let all = search(b, "plan")?;
        let chip = all
            .chips
            .iter()
            .find(|(slug, _)| slug == "roadmaps")
            .ok_or_else(|| format!("no Roadmaps chip among {:?}", all.chips))?;
        if chip.1 {
            return Err("a chip is pressed before any was chosen".into());
        }
        b.click("#search-topics button[data-topic=\"roadmaps\"]")?;
        let filtered = shown(b, "plan")?;
        if filtered
            .chips
            .iter()
            .filter(|c| c.1)
            .map(|c| c.0.as_str())
            .collect::<Vec<_>>()
            != ["roadmaps"]
        {
            return Err(format!(
                "after the click the chips are {:?}",
                filtered.chips
            ));
        }
        if filtered.results.is_empty() || !filtered.status.contains("in Roadmaps") {
            return Err(format!("filtered status {:?}", filtered.status));
        }
        for hit in &filtered.results {
            let target = hit.target(&base);
            let page = target.split('#').next().unwrap_or("");
            let html =
                fs::read_to_string(site.out.join(page)).map_err(|e| format!("{page}: {e}"))?;
            if !html.contains("topics/roadmaps.html\"") {
                return Err(format!(
                    "{page} is not tagged roadmaps but is shown under the Roadmaps chip"
                ));
            }
        }
        let tops: Vec<String> = all.results.iter().map(|h| h.target(&base)).collect();
        if filtered
            .results
            .iter()
            .map(|h| h.target(&base))
            .collect::<Vec<_>>()
            == tops
        {
            return Err("the filter changed nothing".into());
        }

        b.click("#search-topics button[data-topic=\"roadmaps\"]")?;
        b.wait_for("!document.querySelector('#search-topics button[aria-pressed=\"true\"]') && document.getElementById('search-results').getAttribute('aria-busy') === 'false'", WAIT)?;

        let none = search(b, "incdnt")?;
        if !none.results.is_empty() || !none.status.starts_with("No results") {
            return Err(format!(
                "incdnt gave {:?} and {} results",
                none.status,
                none.results.len()
            ));
        }
        if none.suggestions.first().map(String::as_str) != Some("incident")
            || !none.status.contains("Did you mean incident")
        {
            return Err(format!(
                "did you mean: {:?} / {:?}",
                none.suggestions, none.status
            ));
        }
        b.click("#search-suggest button")?;
        let fixed = shown(b, "incident")?;
        let top = fixed
            .results
            .first()
            .map(|h| h.target(&base))
            .unwrap_or_default();
        if !top.starts_with("operations/incident-management.html") {
            return Err(format!("after the suggestion the top result is {top:?}"));
        }
        expect_clean(b, "topic filter")?;
        Ok(format!(
            "{} results, {} under Roadmaps; suggestion {:?}",
            all.results.len(),
            filtered.results.len(),
            none.suggestions
        ))
    });
}

const XSS_TITLE: &str = "<img src=x onerror=alert(1)>";

fn hostile_guide() -> Built {
    let lesson = format!(
        "+++\ntitle = {}\n+++\n\nQuokkas are small marsupials.\n\n## Quokka habitats\n\nQuokkas live on islands.\n",
        lit(XSS_TITLE)
    );
    Built::fixture(&[
        ("book.toml", "[book]\ntitle = \"Hostile\"\n"),
        (
            "content/_index.md",
            "+++\ntitle = \"Hostile\"\n+++\n\nHome.\n",
        ),
        (
            "content/animals/_index.md",
            "+++\ntitle = \"Animals\"\n+++\n\nAnimals.\n",
        ),
        ("content/animals/quokka.md", &lesson),
    ])
}

/// Installs page-side traps: `alert` records its calls, and CSP violations are counted.
fn traps(b: &mut Browser) -> Result<(), String> {
    b.add_script_on_new_document(
        "window.__alerts = 0; window.alert = function () { window.__alerts += 1; }; \
         window.__violations = []; document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });",
    )?;
    Ok(())
}

fn hostile_title_is_text(b: &mut Browser, base: &str) -> Result<usize, String> {
    b.navigate(&format!("{base}index.html"))?;
    let shown = search(b, "quokka")?;
    let top = shown.results.first().ok_or("no results for quokka")?;
    if top.title != XSS_TITLE || top.images != 0 {
        return Err(format!(
            "the hostile title shows as {:?} with {} elements",
            top.title, top.images
        ));
    }
    b.pause(Duration::from_millis(300))?;
    let alerts = b.eval_f64("window.__alerts")?;
    if alerts != 0.0 {
        return Err(format!("alert ran {alerts} times"));
    }
    Ok(shown.results.len())
}

#[test]
fn hostile_title_shows_as_text_and_search_works_under_a_strict_csp() {
    let site = hostile_guide();
    with_browser("hostile title and csp", |b| {
        traps(b)?;
        let from_disk =
            hostile_title_is_text(b, &site.base()).map_err(|e| format!("file://: {e}"))?;
        expect_clean(b, "file://")?;
        let csp = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";
        let server = StaticServer::start_with_headers(
            &site.out,
            SUB_PATH,
            &[("Content-Security-Policy", csp)],
        )
        .map_err(|e| e.to_string())?;
        let served = hostile_title_is_text(b, &server.url()).map_err(|e| format!("CSP: {e}"))?;
        let violations = b.evaluate("window.__violations")?;
        if violations.as_array().is_none_or(|v| !v.is_empty()) {
            return Err(format!("CSP violations: {violations}"));
        }
        let csp_sent = server
            .served()
            .iter()
            .any(|s| s.path.contains("/search/index.") && s.status == 200);
        if !csp_sent {
            return Err("the manifest was not served by the CSP server".into());
        }
        b.evaluate("document.querySelector('#search-results a').click()")?;
        b.wait_for("location.pathname.endsWith('/animals/quokka.html') && document.readyState === 'complete'", WAIT)?;
        b.wait_for(
            "document.querySelectorAll('mark.search-hit').length > 0",
            WAIT,
        )?;
        let violations = b.evaluate("window.__violations")?;
        if violations.as_array().is_none_or(|v| !v.is_empty()) {
            return Err(format!("CSP violations on the lesson: {violations}"));
        }
        expect_clean(b, "CSP")?;
        Ok(format!(
            "{from_disk} results from disk, {served} under CSP `{csp}`"
        ))
    });
}

/// Measurements for `scripts/bench-search.sh` (not a check: it asserts nothing about speed).
/// Serves the built site in `GUIDE_BENCH_SITE` over HTTP, types queries made of the first two
/// words of lesson titles one key at a time in a fresh page each (and pastes them whole in
/// another), and prints the bytes of engine and index each query loaded and the time from each
/// keystroke to its results on screen.
#[test]
#[ignore = "benchmark: run by scripts/bench-search.sh"]
fn measure_queries_for_the_benchmark() {
    let Ok(site) = std::env::var("GUIDE_BENCH_SITE") else {
        println!("search-bench: GUIDE_BENCH_SITE is not set");
        return;
    };
    let site = PathBuf::from(site);
    let mut parts: Vec<(u32, PathBuf)> = fs::read_dir(site.join("search/t"))
        .expect("search/t in GUIDE_BENCH_SITE")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let (page, rest) = name.split_once('-')?;
            rest.starts_with("0.")
                .then(|| Some((page.parse().ok()?, e.path())))?
        })
        .collect();
    parts.sort();
    let queries: Vec<String> = (1..=9)
        .filter_map(|i| {
            let (_, path) = &parts[parts.len() * i / 10];
            let text = fs::read_to_string(path).ok()?;
            let json = &text[text.find(',')? + 1..text.rfind(");")?];
            let part: Value = serde_json::from_str(json).ok()?;
            let words: Vec<String> = part["t"]
                .as_str()?
                .split_whitespace()
                .filter(|w| w.chars().all(char::is_alphabetic))
                .take(2)
                .map(str::to_lowercase)
                .collect();
            Some(words.join(" "))
        })
        .collect();
    with_browser("search benchmark", |b| {
        let server = StaticServer::start(&site, SUB_PATH).map_err(|e| e.to_string())?;
        let (mut typed_kb, mut pasted_kb, mut pasted_ms) = (Vec::new(), Vec::new(), Vec::new());
        let (mut cached, mut loading) = (Vec::new(), Vec::new());
        for query in &queries {
            // Typed one key at a time.
            fresh_page(b, &server)?;
            let mut typed = String::new();
            let mut files = 0;
            let mut times = Vec::new();
            for c in query.chars() {
                typed.push(c);
                b.call(
                    "Input.insertText",
                    serde_json::json!({ "text": c.to_string() }),
                )?;
                shown(b, &typed)?;
                let (_, now, ms) = loaded(b)?;
                if let Some(&ms) = ms.last() {
                    times.push(ms.round());
                    if now > files {
                        &mut loading
                    } else {
                        &mut cached
                    }
                    .push(ms);
                }
                files = now;
            }
            let (kb, files, _) = loaded(b)?;
            println!(
                "search-bench: typed {query:?}: {kb:.1} KB in {files} files; ms per keystroke {times:?}"
            );
            typed_kb.push(kb);
            // Pasted at once.
            fresh_page(b, &server)?;
            b.call("Input.insertText", serde_json::json!({ "text": query }))?;
            shown(b, query)?;
            let (kb, files, ms) = loaded(b)?;
            println!("search-bench: pasted {query:?}: {kb:.1} KB in {files} files; {ms:?} ms");
            pasted_kb.push(kb);
            pasted_ms.extend(ms);
        }
        println!(
            "search-bench: summary: first query loads {:.1} KB pasted (median; max {:.1}), {:.1} KB typed key by key (median; max {:.1}); results {:.1} ms after a pasted query (median, index parts loaded over HTTP); after a keystroke {:.1} ms when the parts it needs are loaded ({} keystrokes; p90 {:.1}), {:.1} ms when it loads parts ({} keystrokes; p90 {:.1})",
            median(&mut pasted_kb),
            max(&pasted_kb),
            median(&mut typed_kb),
            max(&typed_kb),
            median(&mut pasted_ms),
            median(&mut cached),
            cached.len(),
            p90(&cached),
            median(&mut loading),
            loading.len(),
            p90(&loading),
        );
        Ok(format!("{} queries", queries.len()))
    });
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn p90(v: &[f64]) -> f64 {
    v.get(v.len() * 9 / 10).copied().unwrap_or(f64::NAN)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

/// Opens the site's home page afresh with the search box focused and no timings recorded.
fn fresh_page(b: &mut Browser, server: &StaticServer) -> Result<(), String> {
    b.navigate(&format!("{}index.html", server.url()))?;
    b.evaluate(
        "performance.setResourceTimingBufferSize(100000); performance.clearResourceTimings(); \
         performance.clearMeasures(); document.getElementById('search').focus(); true",
    )?;
    Ok(())
}

/// KB and files of the search engine and index loaded since the page opened, and every query's
/// time to results in ms.
fn loaded(b: &mut Browser) -> Result<(f64, usize, Vec<f64>), String> {
    let got = b.evaluate(
        "(() => { const r = performance.getEntriesByType('resource').filter(e => e.name.includes('/search/') || e.name.includes('/search-index.')); \
         return [r.reduce((s, e) => s + e.encodedBodySize, 0), r.length, \
         performance.getEntriesByName('guide-search').map(m => m.duration)]; })()",
    )?;
    let times = got[2]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    Ok((
        got[0].as_f64().unwrap_or(0.0) / 1024.0,
        got[1].as_u64().unwrap_or(0) as usize,
        times,
    ))
}

/// Relative luminance of an element's computed `property` colour, drawn on a canvas to resolve it.
const LUM: &str = r#"
const lum = (el, property) => {
  const ctx = document.createElement("canvas").getContext("2d", { willReadFrequently: true });
  ctx.fillStyle = getComputedStyle(el)[property];
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
  const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  return a === 0 ? null : 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};"#;

#[test]
fn results_follow_the_colour_scheme_and_fit_a_phone() {
    let site = Built::bundled();
    with_browser("colour scheme and phone", |b| {
        let mut seen = Vec::new();
        for (scheme, dark) in [("light", false), ("dark", true)] {
            b.set_color_scheme(scheme)?;
            b.navigate(&format!("{}index.html", site.base()))?;
            search(b, "budget")?;
            let lums = b.evaluate(&format!(
                "(() => {{ {LUM}\n const p = document.getElementById('search-panel'); const t = p.querySelector('.search-result-title'); \
                 const m = p.querySelector('mark'); return [lum(p, 'backgroundColor'), lum(t, 'color'), lum(m, 'backgroundColor')]; }})()"
            ))?;
            let l: Vec<f64> =
                serde_json::from_value(lums.clone()).map_err(|e| format!("{lums}: {e}"))?;
            let (panel, text) = (l[0], l[1]);
            let contrast = (panel.max(text) + 0.05) / (panel.min(text) + 0.05);
            if (panel < 0.5) != dark || contrast < 7.0 || (l[2] - panel).abs() < 0.02 {
                return Err(format!(
                    "{scheme}: panel {panel:.3}, text {text:.3}, mark {:.3}",
                    l[2]
                ));
            }
            seen.push(format!("{scheme} contrast {contrast:.1}"));
        }
        b.set_viewport(375, 740, true)?;
        b.navigate(&format!("{}operations/support.html", site.base()))?;
        let shown = search(b, "budget")?;
        let fits = b.evaluate(
            "(() => { const p = document.getElementById('search-panel').getBoundingClientRect(); \
             const i = document.getElementById('search').getBoundingClientRect(); \
             return [p.left >= 0 && p.right <= innerWidth && p.width > innerWidth * 0.8, i.width >= 100, \
             document.documentElement.scrollWidth <= innerWidth]; })()",
        )?;
        if fits != serde_json::json!([true, true, true]) || shown.results.is_empty() {
            return Err(format!(
                "on a phone: panel fits, box wide enough, no sideways scroll = {fits}"
            ));
        }
        expect_clean(b, "colour scheme and phone")?;
        Ok(seen.join(", ") + "; fits a 375 px phone")
    });
}
