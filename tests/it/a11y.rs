//! The accessibility sweep: axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, and best practices) on every
//! page of the bundled guide and of `tests/fixtures/every-kind` (every kind of page and block the
//! theme draws), in the light and dark schemes, on a desktop and a phone viewport, with the search
//! panel open and showing results on one page of each. One Chromium for the whole sweep, served
//! over HTTP under a sub-path as a team would host it.
//!
//! Without Chromium or axe-core it is skipped, unless `GUIDE_REQUIRE_BROWSER=1`. For local work
//! only, `GUIDE_AXE_SKIP_RULES=rule,rule@text` leaves rules out, or a rule's findings on elements
//! whose HTML holds `text` (the sweep says so loudly); CI sets nothing and runs every rule.

use std::collections::BTreeMap;
use std::env;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::Guide;
use crate::support::browser::{
    Browser, StaticServer, axe_source, build_guide, html_pages, lit, with_browser,
};

/// Where the sweep hosts each guide.
const SUB_PATH: &str = "/teams/guide/";

/// The viewports of the sweep: name, width, height, phone.
pub const VIEWS: [(&str, u32, u32, bool); 2] =
    [("desktop", 1280, 900, false), ("phone", 390, 844, true)];

/// The colour schemes of the sweep.
pub const SCHEMES: [&str; 2] = ["light", "dark"];

/// The axe rule sets run: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and best practices.
const TAGS: &str =
    r#"["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]"#;

/// The lesson bodies inside `print.html`.
const PRINT_BODIES: &str = ".print-page .prose";

/// The query typed into the search box on the page that shows the search panel.
const QUERY: &str = "budget";

/// The rules `GUIDE_AXE_SKIP_RULES` leaves out (local runs only).
fn skipped_rules() -> Vec<String> {
    env::var("GUIDE_AXE_SKIP_RULES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// One axe violation on one element.
pub struct Violation {
    /// The rule's id, with its impact: `target-size (serious)`.
    pub rule: String,
    /// The element's selector and the start of its HTML.
    pub element: String,
    /// What the rule asks for.
    pub help: String,
}

/// Which rules a run of axe checks, and where.
#[derive(Clone, Copy)]
pub enum Scope {
    /// Every rule of [`TAGS`] on the whole page.
    All,
    /// Only the rules that depend on colour (the dark scheme changes nothing else), outside
    /// `selector` when there is one (see [`Scope::VisualOutside`]).
    Colours(Option<&'static str>),
    /// Every rule on the whole page, but the rules that look at each element's box or colours
    /// leave out `selector`: the lesson bodies of `print.html`, the same markup and styles as the
    /// lesson pages, which are checked on their own in the same view.
    VisualOutside(&'static str),
}

/// The rules that look at each element's colours or box, the slow ones on a long page.
const VISUAL_RULES: &str = r#"["color-contrast", "link-in-text-block", "target-size"]"#;

/// Runs axe on the page the browser shows, injecting it when the page does not have it yet.
pub fn axe_check(
    b: &mut Browser,
    axe: &str,
    skip: &[String],
    scope: Scope,
) -> Result<Vec<Violation>, String> {
    if !b.eval_bool("typeof window.axe === 'object'")? {
        b.evaluate(axe)?;
    }
    let skip_json = serde_json::to_string(skip).expect("rule names");
    let runs = match scope {
        Scope::All => format!("[[document, {{ type: 'tag', values: {TAGS} }}]]"),
        Scope::Colours(outside) => format!(
            "[[{}, {{ type: 'rule', values: ['color-contrast', 'link-in-text-block'] }}]]",
            outside.map_or("document".to_string(), |sel| format!(
                "{{ exclude: [[{}]] }}",
                lit(sel)
            ))
        ),
        Scope::VisualOutside(selector) => format!(
            "[[document, {{ type: 'tag', values: {TAGS} }}, {VISUAL_RULES}], \
              [{{ exclude: [[{sel}]] }}, {{ type: 'rule', values: {VISUAL_RULES} }}]]",
            sel = lit(selector)
        ),
    };
    let found = b.evaluate(&format!(
        r#"(async () => {{
             const skip = {skip_json}.map((s) => s.split("@"));
             const whole = skip.filter((s) => s.length === 1).map((s) => s[0]);
             const out = [];
             for (const [context, runOnly, off = []] of {runs}) {{
               const rules = {{}};
               for (const id of whole.concat(off)) rules[id] = {{ enabled: false }};
               if (runOnly.type === "rule") runOnly.values = runOnly.values.filter((id) => !whole.includes(id));
               if (!runOnly.values.length) continue;
               const r = await axe.run(context, {{ runOnly, rules, resultTypes: ["violations"] }});
               for (const v of r.violations) for (const n of v.nodes) {{
                 if (skip.some(([id, part]) => part && id === v.id && n.html.includes(part))) continue;
                 out.push([
                 v.id + " (" + v.impact + ")",
                 n.target.join(" ") + " " + n.html.replace(/\s+/g, " ").slice(0, 160),
                 v.help,
                 ]);
               }}
             }}
             return out;
           }})()"#
    ))?;
    let text = |v: &serde_json::Value, i: usize| v[i].as_str().unwrap_or_default().to_string();
    Ok(found
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| Violation {
            rule: text(v, 0),
            element: text(v, 1),
            help: text(v, 2),
        })
        .collect())
}

/// A built guide served under [`SUB_PATH`]; the temp folders live as long as it does.
struct Hosted {
    label: &'static str,
    pages: Vec<String>,
    server: StaticServer,
    _tmp: tempfile::TempDir,
}

impl Hosted {
    fn build(label: &'static str, root: &Path) -> Hosted {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("site");
        build_guide(root, &out);
        let server = StaticServer::start(&out, SUB_PATH).expect("start the static server");
        Hosted {
            label,
            pages: html_pages(&out),
            server,
            _tmp: tmp,
        }
    }
}

/// Opens the search panel on `url` with [`QUERY`] typed and waits for its results.
fn open_search(b: &mut Browser, url: &str) -> Result<(), String> {
    b.navigate(&format!("{url}?search={QUERY}"))?;
    b.wait_for(
        "!document.getElementById('search-panel').hidden && \
         document.querySelectorAll('#search-results [role=option]').length > 0",
        Duration::from_secs(10),
    )
    .map(|_| ())
    .map_err(|e| format!("the search panel did not show results on {url}: {e}"))
}

/// One violation: the rule, its impact, the element and where it was seen.
struct Found {
    rule: String,
    element: String,
    help: String,
    seen: String,
}

/// The violations grouped by rule, each rule with its count and a few distinct elements and the
/// pages and views they were seen on.
fn report(found: &[Found]) -> String {
    let mut rules: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for f in found {
        rules
            .entry(&f.rule)
            .or_default()
            .entry(&f.element)
            .or_default()
            .push(&f.seen);
    }
    let mut out = String::new();
    for (rule, elements) in &rules {
        let nodes: usize = elements.values().map(Vec::len).sum();
        let help = found
            .iter()
            .find(|f| f.rule == *rule)
            .map_or("", |f| &f.help);
        out.push_str(&format!(
            "\n{rule}: {nodes} nodes, {} distinct elements — {help}",
            elements.len()
        ));
        for (element, seen) in elements.iter().take(8) {
            let more = seen.len().saturating_sub(3);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            out.push_str(&format!(
                "\n    {element}\n      on {}{more}",
                seen[..seen.len().min(3)].join("; ")
            ));
        }
    }
    out
}

/// Runs axe in each scheme on the page the browser shows, adding what it finds to `found`.
fn check_schemes(
    b: &mut Browser,
    axe: &str,
    skip: &[String],
    view: (&str, u32, u32, bool),
    page: &str,
    found: &mut Vec<Found>,
) -> Result<usize, String> {
    for (n, scheme) in SCHEMES.into_iter().enumerate() {
        b.set_color_scheme(scheme)?;
        let scope = match (n, page.ends_with(" print.html"), view.0) {
            (0, true, "desktop") => Scope::All,
            (0, true, _) => Scope::VisualOutside(PRINT_BODIES),
            (_, true, _) => Scope::Colours(Some(PRINT_BODIES)),
            (0, false, _) => Scope::All,
            (_, false, _) => Scope::Colours(None),
        };
        for v in axe_check(b, axe, skip, scope)? {
            found.push(Found {
                rule: v.rule,
                element: v.element,
                help: v.help,
                seen: format!("{page} ({} {scheme})", view.0),
            });
        }
    }
    Ok(SCHEMES.len())
}

#[test]
fn every_page_passes_axe_in_both_schemes_on_desktop_and_phone() {
    let Some(axe) = axe_source() else {
        return;
    };
    let skip = skipped_rules();
    if !skip.is_empty() {
        println!("WARNING: axe rules left out by GUIDE_AXE_SKIP_RULES: {skip:?}");
    }
    let fixture = Guide::fixture("every-kind");
    let sites = [
        Hosted::build("bundled", Path::new(env!("CARGO_MANIFEST_DIR"))),
        Hosted::build("every-kind", &fixture.root),
    ];
    with_browser("a11y-sweep", |b| {
        let started = Instant::now();
        let mut found = Vec::new();
        let mut views = 0;
        for view in VIEWS {
            let (_, width, height, phone) = view;
            b.set_viewport(width, height, phone)?;
            for site in &sites {
                let base = site.server.url();
                for page in &site.pages {
                    b.navigate(&format!("{base}{page}"))?;
                    let what = format!("{} {page}", site.label);
                    views += check_schemes(b, &axe, &skip, view, &what, &mut found)?;
                }
                open_search(b, &format!("{base}index.html"))?;
                let what = format!("{} index.html with the search panel open", site.label);
                views += check_schemes(b, &axe, &skip, view, &what, &mut found)?;
            }
        }
        let elapsed = started.elapsed();
        let pages: usize = sites.iter().map(|s| s.pages.len()).sum();
        if !found.is_empty() {
            return Err(format!(
                "{} axe violations on {views} page views ({pages} pages, {elapsed:.1?}):{}",
                found.len(),
                report(&found)
            ));
        }
        Ok(format!(
            "{pages} pages, {views} page views (2 viewports x 2 schemes, the search panel open \
             once per viewport, scheme and guide), no axe violations in {elapsed:.1?}"
        ))
    });
}

/// The contrast ratio of an element's text colour against its background colour, both as
/// computed (the overlay sets both on each element).
const CONTRAST: &str = r#"((el) => {
  const rgb = (c) => c.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const s = getComputedStyle(el);
  const [a, b] = [lum(rgb(s.color)), lum(rgb(s.backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})"#;

/// The overlay's state: opaque, covering the page, its source line's contrast, its background's
/// luminance, whether the page behind is inert.
const OVERLAY_STATE: &str = r#"(() => {
  const o = document.getElementById("guide-serve-errors");
  if (!o) return null;
  const pres = [...o.querySelectorAll("pre")];
  const bg = getComputedStyle(o).backgroundColor;
  const alpha = (bg.match(/[\d.]+/g).map(Number)[3] ?? 1);
  const [w, h] = [document.documentElement.clientWidth, document.documentElement.clientHeight];
  const corners = [[2, 2], [w - 3, h - 3], [w / 2, h / 2]];
  const covered = corners.every(([x, y]) => o.contains(document.elementFromPoint(x, y)));
  const behind = [...document.body.children].filter((el) => el !== o && !el.inert).length;
  const dark = bg.match(/[\d.]+/g).map(Number).slice(0, 3).every((v) => v < 60);
  return { alpha, covered, behind, dark, source: pres.map((p) => p.textContent).join("\n"),
           sourceContrast: Math.min(...pres.map((CONTRAST))), focused: document.activeElement === o };
})()"#;

#[test]
fn the_serve_error_overlay_is_opaque_readable_and_passes_axe_in_both_schemes() {
    use crate::support::serve::{CONNECTED, Serve, TRACK_EVENT_SOURCES};
    let Some(axe) = axe_source() else {
        return;
    };
    let guide = Guide::fixture("serve-basic");
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    let url = format!("http://127.0.0.1:{}/basics/first.html", serve.port);
    let rel = "content/basics/first.md";
    let good = guide.read(rel);
    let broken = good.replacen("title = \"First lesson\"", "title = \"First lesson", 1);
    let state_js = OVERLAY_STATE.replace("(CONTRAST)", CONTRAST);
    with_browser("serve-overlay-a11y", |b| {
        b.add_script_on_new_document(TRACK_EVENT_SOURCES)?;
        b.set_color_scheme("light")?;
        b.navigate(&url)?;
        b.wait_for(CONNECTED, Duration::from_secs(10))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while b.evaluate(&state_js)?.is_null() {
            if Instant::now() > deadline {
                return Err(format!("no error overlay; serve log:\n{}", serve.log()));
            }
            guide.write(rel, &broken);
            let _ = b.wait_for(&state_js, Duration::from_secs(2));
        }
        let mut seen = Vec::new();
        for scheme in SCHEMES {
            b.set_color_scheme(scheme)?;
            let want_dark = scheme == "dark";
            let state = b.wait_for(
                &format!("(() => {{ const s = {state_js}; return s && s.dark === {want_dark} && s; }})()"),
                Duration::from_secs(5),
            )
            .map_err(|e| format!("the overlay did not follow the {scheme} scheme: {e}"))?;
            if state["alpha"].as_f64() != Some(1.0) || state["covered"] != true {
                return Err(format!(
                    "{scheme}: the page shows through the overlay: {state}"
                ));
            }
            if state["behind"] != 0 || state["focused"] != true {
                return Err(format!(
                    "{scheme}: the page behind the overlay stays reachable, or the overlay is not focused: {state}"
                ));
            }
            let source = state["source"].as_str().unwrap_or("");
            let contrast = state["sourceContrast"].as_f64().unwrap_or(0.0);
            if !source.contains("First lesson") || contrast < 4.5 {
                return Err(format!(
                    "{scheme}: the echoed source line {source:?} has a contrast of {contrast:.2}:1"
                ));
            }
            let found = axe_check(b, &axe, &[], Scope::All)?;
            if !found.is_empty() {
                let lines: Vec<String> = found
                    .iter()
                    .map(|v| format!("{}: {} — {}", v.rule, v.element, v.help))
                    .collect();
                return Err(format!(
                    "{scheme}: axe on the overlay:\n  {}",
                    lines.join("\n  ")
                ));
            }
            seen.push(format!("{scheme} {contrast:.1}:1"));
        }
        guide.write(rel, &good);
        b.wait_for(
            "!document.getElementById('guide-serve-errors') && \
             [...document.body.children].every((el) => !el.inert)",
            Duration::from_secs(15),
        )
        .map_err(|e| format!("the overlay stayed after the fix: {e}"))?;
        Ok(format!(
            "opaque, focused, page behind inert, source lines at {}, no axe violations; gone after the fix",
            seen.join(" and ")
        ))
    });
}
