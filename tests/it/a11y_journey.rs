//! What automatic checkers miss, in headless Chromium: a keyboard-only journey (skip link, the
//! phone menu, search and its results, the theme toggle, previous/next) with focus always visible
//! and never trapped; `prefers-reduced-motion`; forced colours (Windows high contrast); reflow at
//! 320 CSS pixels; text at 200%.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::Guide;
use crate::support::browser::{Browser, StaticServer, build_guide, html_pages, lit, with_browser};

const SUB_PATH: &str = "/teams/guide/";
const WAIT: Duration = Duration::from_secs(10);

/// A built guide served under [`SUB_PATH`].
struct Hosted {
    pages: Vec<String>,
    server: StaticServer,
    _tmp: tempfile::TempDir,
    _guide: Option<Guide>,
}

impl Hosted {
    fn bundled() -> Hosted {
        Hosted::build(Path::new(env!("CARGO_MANIFEST_DIR")), None)
    }

    fn every_kind() -> Hosted {
        let guide = Guide::fixture("every-kind");
        let root = guide.root.clone();
        Hosted::build(&root, Some(guide))
    }

    fn build(root: &Path, guide: Option<Guide>) -> Hosted {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("site");
        build_guide(root, &out);
        Hosted {
            pages: html_pages(&out),
            server: StaticServer::start(&out, SUB_PATH).expect("static server"),
            _tmp: tmp,
            _guide: guide,
        }
    }

    fn url(&self, page: &str) -> String {
        format!("{}{page}", self.server.url())
    }
}

/// Presses a key the way a keyboard does (`text` for keys that type or activate).
fn key(
    b: &mut Browser,
    name: &str,
    code: &str,
    vk: u32,
    text: Option<&str>,
    shift: bool,
) -> Result<(), String> {
    let modifiers = if shift { 8 } else { 0 };
    let mut down = json!({
        "type": if text.is_some() { "keyDown" } else { "rawKeyDown" },
        "key": name, "code": code, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk,
        "modifiers": modifiers,
    });
    if let Some(text) = text {
        down["text"] = json!(text);
        down["unmodifiedText"] = json!(text);
    }
    b.call("Input.dispatchKeyEvent", down)?;
    b.call(
        "Input.dispatchKeyEvent",
        json!({ "type": "keyUp", "key": name, "code": code, "windowsVirtualKeyCode": vk,
                "nativeVirtualKeyCode": vk, "modifiers": modifiers }),
    )?;
    b.pause(Duration::from_millis(30))
}

fn tab(b: &mut Browser) -> Result<Value, String> {
    key(b, "Tab", "Tab", 9, None, false)?;
    focused(b)
}

fn enter(b: &mut Browser) -> Result<(), String> {
    key(b, "Enter", "Enter", 13, Some("\r"), false)
}

/// The focused element: a description, whether it shows a focus indicator (an outline of 2px or
/// more, or a box shadow, on it or on its `::before` or `::after`), whether it is on screen and not hidden behind something; `null` when
/// nothing in the page has focus.
const FOCUSED: &str = r##"(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const drawn = (c) => (c.outlineStyle !== "none" && parseFloat(c.outlineWidth) >= 2) ||
    (c.boxShadow !== "none" && c.boxShadow !== "");
  const ring = drawn(s) || ["::before", "::after"].some((p) => {
    const c = getComputedStyle(el, p);
    return c.content !== "none" && drawn(c);
  });
  const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
    r.top < innerHeight && r.left < innerWidth;
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
  const hit = document.elementFromPoint(x, y);
  const visible = onScreen && !!hit && (hit === el || el.contains(hit) || hit.contains(el));
  const cls = typeof el.className === "string" && el.className.trim()
    ? "." + el.className.trim().split(/\s+/).join(".") : "";
  const text = (el.getAttribute("aria-label") || el.textContent || el.value || "")
    .replace(/\s+/g, " ").trim().slice(0, 40);
  window.__stops = window.__stops || new WeakSet();
  const again = window.__stops.has(el);
  window.__stops.add(el);
  return { again, what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls + " “" + text + "”",
           ring, visible, id: el.id, rel: el.getAttribute("rel") || "", href: el.href || "" };
})()"##;

fn focused(b: &mut Browser) -> Result<Value, String> {
    b.evaluate(FOCUSED)
}

/// Fails unless the focused element shows a focus indicator and can be seen.
fn expect_visible_focus(state: &Value, when: &str) -> Result<(), String> {
    if state.is_null() {
        return Err(format!("{when}: nothing has focus"));
    }
    if state["ring"] != true || state["visible"] != true {
        return Err(format!("{when}: focus is not visible on {state}"));
    }
    Ok(())
}

/// How many elements of the page Tab should reach: visible, enabled, not taken out of the order.
const TABBABLE: &str = r##"TABBABLE_LIST.length"##;

/// The elements of the page Tab should reach.
const TABBABLE_LIST: &str = r##"[...document.querySelectorAll(
  "a[href], button, input, select, textarea, summary, [tabindex]")].filter((el) =>
  el.tabIndex >= 0 && !el.disabled && !el.closest("[inert]") &&
  el.checkVisibility({ visibilityProperty: true }) &&
  (el.type !== "radio" || el === (el.form || document).querySelector(`input[type=radio][name="${el.name}"]`)))"##;

/// Tabs through the whole page from its top: every stop must show its focus, no element may come
/// twice before focus leaves the page (a trap), and every tabbable element must be reached.
fn walk(b: &mut Browser, url: &str, what: &str) -> Result<Vec<Value>, String> {
    b.navigate(url)?;
    let expected = b.eval_f64(&TABBABLE.replace("TABBABLE_LIST", TABBABLE_LIST))? as usize;
    let mut seen: Vec<Value> = Vec::new();
    for _ in 0..expected + 5 {
        let now = tab(b)?;
        if now.is_null() {
            break;
        }
        expect_visible_focus(&now, &format!("{what}, Tab {}", seen.len() + 1))?;
        if now["again"] == true {
            return Err(format!(
                "{what}: focus came back to {} before leaving the page (a trap)",
                now["what"]
            ));
        }
        seen.push(now);
    }
    if seen.len() < expected {
        let missed = b.evaluate(&format!(
            "{TABBABLE_LIST}.filter((el) => !window.__stops.has(el)).map((el) => el.outerHTML.slice(0, 120))"
        ))?;
        return Err(format!(
            "{what}: Tab reached {} of {expected} focusable elements; missed {missed}",
            seen.len(),
        ));
    }
    Ok(seen)
}

/// Tabs until the focused element satisfies `pick` (at most 400 presses: a lesson with a
/// self-check and many links has well over a hundred stops).
fn tab_to(b: &mut Browser, what: &str, pick: impl Fn(&Value) -> bool) -> Result<Value, String> {
    for n in 0..400 {
        let now = tab(b)?;
        expect_visible_focus(&now, &format!("tabbing to {what}, Tab {}", n + 1))?;
        if pick(&now) {
            return Ok(now);
        }
    }
    Err(format!("Tab never reached {what}"))
}

#[test]
fn a_keyboard_only_journey_with_focus_always_visible_and_never_trapped() {
    with_browser("a11y-keyboard", |b| {
        let site = Hosted::bundled();
        let lesson = site.url("foundations/side-by-side.html");
        b.set_viewport(1280, 900, false)?;

        // The skip link comes first and moves focus to the content.
        b.navigate(&lesson)?;
        let first = tab(b)?;
        expect_visible_focus(&first, "the first Tab")?;
        if !first["what"].as_str().unwrap_or("").contains("skip-link") {
            return Err(format!(
                "the first Tab reached {}, not the skip link",
                first["what"]
            ));
        }
        enter(b)?;
        b.wait_for(
            "document.activeElement.id === 'content' && location.hash === '#content'",
            WAIT,
        )
        .map_err(|e| format!("the skip link did not move focus to the content: {e}"))?;

        // The whole page, on a desktop and a phone.
        let stops = walk(b, &lesson, "desktop lesson")?.len();
        let home = walk(b, &site.url("index.html"), "desktop landing page")?.len();

        // Search: `/` focuses the box, arrows choose a result, Escape closes, Enter follows.
        b.navigate(&lesson)?;
        key(b, "/", "Slash", 191, Some("/"), false)?;
        b.wait_for("document.activeElement.id === 'search'", WAIT)
            .map_err(|e| format!("`/` did not focus the search box: {e}"))?;
        b.call("Input.insertText", json!({ "text": "budget" }))?;
        b.wait_for(
            "document.querySelectorAll('#search-results [role=option]').length > 0",
            WAIT,
        )?;
        key(b, "ArrowDown", "ArrowDown", 40, None, false)?;
        let chosen = b.evaluate(
            "(() => { const id = document.getElementById('search').getAttribute('aria-activedescendant'); \
             const el = id && document.getElementById(id); if (!el) return null; \
             const s = getComputedStyle(el); return { selected: el.getAttribute('aria-selected'), \
             marked: s.boxShadow !== 'none' || s.outlineStyle !== 'none', href: el.href, \
             focus: document.activeElement.id }; })()"
        )?;
        if chosen["selected"] != "true" || chosen["marked"] != true || chosen["focus"] != "search" {
            return Err(format!("ArrowDown in the search box: {chosen}"));
        }
        key(b, "Escape", "Escape", 27, None, false)?;
        b.wait_for("document.getElementById('search-panel').hidden && document.activeElement.id === 'search'", WAIT)
            .map_err(|e| format!("Escape did not close the results, keeping focus: {e}"))?;
        key(b, "ArrowDown", "ArrowDown", 40, None, false)?;
        b.wait_for("!document.getElementById('search-panel').hidden", WAIT)?;
        let target = b.eval_string(
            "document.getElementById(document.getElementById('search').getAttribute('aria-activedescendant')).href",
        )?;
        enter(b)?;
        b.wait_for(&format!("location.href === {}", lit(&target)), WAIT)
            .map_err(|e| format!("Enter on a result did not open it: {e}"))?;

        // The theme toggle, by keyboard.
        b.navigate(&lesson)?;
        tab_to(b, "the theme toggle", |s| s["id"] == "theme-toggle")?;
        let before = b.eval_string("getComputedStyle(document.body).backgroundColor")?;
        enter(b)?;
        let after = b.eval_string("getComputedStyle(document.body).backgroundColor")?;
        if before == after {
            return Err(format!("Enter on the theme toggle left the page {before}"));
        }
        enter(b)?;

        // Previous and next: the pager's link by Tab, then the arrow keys.
        b.navigate(&lesson)?;
        let next = tab_to(b, "the next link", |s| s["rel"] == "next")?;
        enter(b)?;
        let next_url = next["href"].as_str().unwrap_or_default().to_string();
        b.wait_for(
            &format!(
                "location.href === {} && document.readyState === 'complete'",
                lit(&next_url)
            ),
            WAIT,
        )
        .map_err(|e| format!("Enter on the next link: {e}"))?;
        key(b, "ArrowLeft", "ArrowLeft", 37, None, false)?;
        b.wait_for(&format!("location.href === {}", lit(&lesson)), WAIT)
            .map_err(|e| format!("ArrowLeft did not lead back: {e}"))?;

        // The phone menu: opened from the keyboard, its links reached, closed by Escape and by
        // tabbing out of it, focus never behind it.
        b.set_viewport(390, 844, true)?;
        b.navigate(&lesson)?;
        tab_to(b, "the menu button", |s| s["id"] == "menu-toggle")?;
        enter(b)?;
        b.wait_for(
            "document.getElementById('menu-toggle').getAttribute('aria-expanded') === 'true'",
            WAIT,
        )?;
        let mut into_menu = false;
        for n in 0..10 {
            expect_visible_focus(
                &tab(b)?,
                &format!("phone, Tab {} after opening the menu", n + 1),
            )?;
            if b.eval_bool("document.getElementById('sidebar').contains(document.activeElement)")? {
                into_menu = true;
                break;
            }
        }
        if !into_menu {
            return Err("Tab from the open menu never went into it".into());
        }
        key(b, "Escape", "Escape", 27, None, false)?;
        b.wait_for("document.activeElement.id === 'menu-toggle' && \
                    document.getElementById('menu-toggle').getAttribute('aria-expanded') === 'false'", WAIT)
            .map_err(|e| format!("Escape did not close the menu and return focus: {e}"))?;
        enter(b)?;
        b.wait_for(
            "document.getElementById('menu-toggle').getAttribute('aria-expanded') === 'true'",
            WAIT,
        )?;
        let links = b.eval_f64("document.querySelectorAll('#sidebar a').length")? as usize;
        for n in 0..links + 8 {
            let now = tab(b)?;
            expect_visible_focus(&now, &format!("phone, Tab {} with the menu open", n + 1))?;
            if b.eval_bool(
                "!document.getElementById('sidebar').contains(document.activeElement) && \
                            !document.activeElement.closest('.site-header')",
            )? {
                break;
            }
        }
        if b.eval_string("document.getElementById('menu-toggle').getAttribute('aria-expanded')")?
            != "false"
        {
            return Err("the menu stayed open once focus left it for the page".into());
        }
        let phone = walk(b, &lesson, "phone lesson")?.len();

        Ok(format!(
            "skip link, search, theme toggle, prev/next and the phone menu by keyboard; focus \
             visible at every stop ({stops} on the lesson, {home} on the landing page, {phone} on \
             a phone), never trapped"
        ))
    });
}

/// Every element (and its `::before` and `::after`) that still moves: a transition or animation
/// longer than zero, and the root's scroll behaviour when it is smooth.
const MOVING: &str = r##"(() => {
  const out = [];
  const long = (list) => list.split(",").some((t) => parseFloat(t) > 0);
  if (getComputedStyle(document.documentElement).scrollBehavior === "smooth") out.push("html: smooth scrolling");
  for (const el of document.querySelectorAll("*")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const s = getComputedStyle(el, pseudo);
      const moves = (long(s.transitionDuration) && s.transitionProperty !== "none") ||
        (s.animationName !== "none" && long(s.animationDuration));
      if (moves) out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + (pseudo || "") + ": " + s.transitionDuration + " / " + s.animationName);
    }
  }
  return out;
})()"##;

#[test]
fn reduced_motion_turns_off_every_transition_animation_and_smooth_scroll() {
    with_browser("a11y-motion", |b| {
        let site = Hosted::every_kind();
        b.set_media_feature("prefers-reduced-motion", "no-preference")?;
        b.navigate(&site.url("index.html"))?;
        let moving = b.evaluate(MOVING)?;
        if moving.as_array().is_none_or(Vec::is_empty) {
            return Err("without a preference the landing page has no motion to turn off: the check would prove nothing".into());
        }
        b.set_media_feature("prefers-reduced-motion", "reduce")?;
        for page in &site.pages {
            b.navigate(&site.url(page))?;
            let moving = b.evaluate(MOVING)?;
            if moving.as_array().is_some_and(|m| !m.is_empty()) {
                return Err(format!("{page} still moves with reduced motion: {moving}"));
            }
        }
        Ok(format!(
            "{} pages without motion when reduced motion is asked for (and {} moving things otherwise)",
            site.pages.len(),
            moving.as_array().map_or(0, Vec::len)
        ))
    });
}

/// The `[style, width]` of the indicator `js` reads, an error naming `what` unless it is drawn
/// (not `none`) and at least 2 px wide.
fn expect_indicator(b: &mut Browser, js: &str, what: &str) -> Result<(), String> {
    let found = b.evaluate(js)?;
    if found[0] == "none" || found[1].as_f64().unwrap_or(0.0) < 2.0 {
        return Err(format!("{what} in forced colours: {found}"));
    }
    Ok(())
}

#[test]
fn forced_colors_keep_focus_and_the_current_page_visible() {
    with_browser("a11y-forced-colors", |b| {
        let site = Hosted::every_kind();
        b.set_viewport(1280, 900, false)?;
        b.set_media_feature("forced-colors", "active")?;
        let lesson = site.url("basics/code.html");
        b.navigate(&lesson)?;
        if !b.eval_bool("matchMedia('(forced-colors: active)').matches")? {
            return Err("forced colours are not emulated".into());
        }
        expect_indicator(
            b,
            "(() => { const s = getComputedStyle(document.querySelector('#sidebar a[aria-current=page]')); \
             return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()",
            "the current page in the sidebar has no outline",
        )?;
        expect_indicator(
            b,
            "(() => { const a = document.querySelector('#toc a'); a.classList.add('is-active'); \
             const s = getComputedStyle(a); return [s.borderLeftStyle, parseFloat(s.borderLeftWidth)]; })()",
            "the heading being read has no border",
        )?;
        let stops = walk(b, &lesson, "forced colours")?;
        b.navigate(&lesson)?;
        tab_to(b, "the theme toggle", |s| s["id"] == "theme-toggle")?;
        let shot = std::env::temp_dir().join("guide-forced-colors.png");
        b.screenshot(&shot)?;
        b.navigate(&format!("{}?search=code", site.url("index.html")))?;
        b.wait_for(
            "document.querySelectorAll('#search-results [role=option]').length > 0",
            WAIT,
        )?;
        key(b, "ArrowDown", "ArrowDown", 40, None, false)?;
        expect_indicator(
            b,
            "(() => { const s = getComputedStyle(document.querySelector('.search-result[aria-selected=true]')); \
             return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()",
            "the chosen search result has no outline",
        )?;
        println!("forced colours screenshot: {}", shot.display());
        Ok(format!(
            "{} focus stops with outlines, the current page and the chosen result outlined; screenshot {}",
            stops.len(),
            shot.display()
        ))
    });
}

/// Elements that stick out of the viewport's width, but for those inside a code block or a table
/// that scrolls sideways, which WCAG's reflow allows.
const STICKING_OUT: &str = r##"(() => {
  const out = [];
  const scroller = "pre, .table-wrap, .compare-scroll, .code-block";
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= innerWidth + 1) continue;
    const inside = el.parentElement && el.parentElement.closest(scroller);
    if (inside && getComputedStyle(inside).overflowX !== "visible") continue;
    if (el.closest(".visually-hidden")) continue;
    out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "") + " right=" + Math.round(r.right));
  }
  const html = document.documentElement;
  if (html.scrollWidth > innerWidth + 1) out.unshift("the page scrolls sideways: " + html.scrollWidth + " > " + innerWidth);
  return out.slice(0, 8);
})()"##;

/// Text that does not fit its box: an element with text of its own whose content is wider or
/// taller than the element and that does not scroll (clipped, cut short or spilling over).
const CLIPPED_TEXT: &str = r##"(() => {
  const out = [];
  const skip = "pre, code, svg, .visually-hidden, .table-wrap, .compare-scroll, script, style, [hidden]";
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(skip) || !el.getClientRects().length) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.nodeValue.trim());
    if (!own) continue;
    const s = getComputedStyle(el);
    if (s.display === "inline" || ["auto", "scroll"].includes(s.overflowX) || ["auto", "scroll"].includes(s.overflowY)) continue;
    if (el.scrollWidth > el.clientWidth + 2 || el.scrollHeight > el.clientHeight + 2) {
      out.push(el.tagName.toLowerCase() + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "") + " “" + el.textContent.trim().slice(0, 30) + "” " + el.scrollWidth + "x" + el.scrollHeight + " in " + el.clientWidth + "x" + el.clientHeight);
    }
  }
  return out.slice(0, 8);
})()"##;

#[test]
fn pages_reflow_at_320_pixels_and_stay_readable_with_text_at_200_percent() {
    with_browser("a11y-reflow", |b| {
        let site = Hosted::every_kind();
        let mut pages: Vec<String> = site.pages.clone();
        pages.push("no-such-page.html".into());
        b.set_viewport(320, 640, true)?;
        for page in &pages {
            b.navigate(&site.url(page))?;
            let out = b.evaluate(STICKING_OUT)?;
            if out.as_array().is_some_and(|o| !o.is_empty()) {
                let shot = b.debug_screenshot(&format!("reflow-{page}"));
                return Err(format!("{page} at 320px: {out}; screenshot {shot}"));
            }
        }
        b.set_viewport(1280, 900, false)?;
        b.call(
            "Page.setFontSizes",
            json!({ "fontSizes": { "standard": 32, "fixed": 26 } }),
        )?;
        for page in &pages {
            b.navigate(&site.url(page))?;
            let size = b.eval_string("getComputedStyle(document.documentElement).fontSize")?;
            if size != "32px" {
                return Err(format!("text at 200% gave a root font size of {size}"));
            }
            b.pause(Duration::from_millis(50))?;
            for (what, check) in [("sticks out", STICKING_OUT), ("clipped text", CLIPPED_TEXT)] {
                let out = b.evaluate(check)?;
                if out.as_array().is_some_and(|o| !o.is_empty()) {
                    let shot = b.debug_screenshot(&format!("zoom-{page}"));
                    return Err(format!(
                        "{page} with text at 200%, {what}: {out}; screenshot {shot}"
                    ));
                }
            }
        }
        Ok(format!(
            "{} pages (every kind, and the 404) fit 320px and read with text at 200%",
            pages.len()
        ))
    });
}
