//! Self-checks (```` ```quiz ```` blocks): every build-time check with its file, line and
//! message; the starter of `guide init`; and the quiz in real headless Chromium, from `file://`
//! and over HTTP under a sub-path, with JavaScript and without, by keyboard, and in `guide serve`
//! as it is edited. Without Chromium the browser tests are skipped, unless
//! `GUIDE_REQUIRE_BROWSER=1`.

use std::time::Duration;

use crate::support::browser::{Browser, StaticServer, file_url, lit, with_browser};
use crate::support::serve::Serve;
use crate::support::{Guide, Site, element_by_id, elements_by_class};
use serde_json::json;

const SUB_PATH: &str = "/teams/it-guide/";
const WAIT: Duration = Duration::from_secs(10);

/// A guide with one lesson, `quiz/lesson.md`, whose body is `body` (its first line is line 5).
fn guide_with(body: &str) -> Guide {
    let guide = Guide::empty();
    guide.write("book.toml", "[book]\ntitle = \"Quiz guide\"\n");
    guide.write(
        "content/_index.md",
        "+++\ntitle = \"Quiz guide\"\n+++\n\nHome.\n",
    );
    guide.write(
        "content/quiz/_index.md",
        "+++\ntitle = \"Quiz\"\n+++\n\nSection.\n",
    );
    guide.write(
        "content/quiz/other.md",
        "+++\ntitle = \"Other\"\n+++\n\n## Known heading\n\nText.\n",
    );
    guide.write(
        "content/quiz/lesson.md",
        format!("+++\ntitle = \"Lesson\"\n+++\n\n{body}"),
    );
    guide
}

/// `guide check` fails with `message` at `content/quiz/lesson.md:<at>`.
fn fails_at(body: &str, at: &str, message: &str) {
    let run = guide_with(body).check();
    run.expect_code(1)
        .stderr_has(&format!("content/quiz/lesson.md:{at}"))
        .stderr_has(message);
}

const GOOD: &str = r#"Some text.

```quiz
title = "Check yourself"
[[question]]
prompt = "Which is a **colour**?"
hint = "Look up."
[[question.option]]
text = "Blue"
right = true
explain = "Yes: see [the other lesson](other.md#known-heading)."
[[question.option]]
text = "Seven"
explain = "No: a number."

[[question]]
kind = "many"
prompt = "Which are even?"
[[question.option]]
text = "Two"
right = true
explain = "Two is even."
[[question.option]]
text = "Three"
explain = "Three is odd."
[[question.option]]
text = "Four"
right = true

[[question]]
prompt = "The sky is green."
answer = false
explain = "It is blue by day."

[[question]]
prompt = "What does RPO stand for?"
accept = ["RPO", "recovery point objective"]
explain = "How much data you can afford to lose."
```
"#;

#[test]
fn a_valid_quiz_builds_with_the_theme_contract() {
    let guide = guide_with(GOOD);
    guide.build().ok();
    let page = guide.out().page("quiz/lesson.html");
    let forms = elements_by_class(&page, "quiz");
    assert_eq!(forms.len(), 1, "{page}");
    assert!(forms[0].starts_with("<form"), "{}", forms[0]);
    assert_eq!(elements_by_class(&page, "quiz-question").len(), 4);
    assert_eq!(page.matches("<fieldset class=\"quiz-question\"").count(), 4);
    assert_eq!(page.matches("<legend>").count(), 4);
    assert!(page.contains("<button type=\"submit\" class=\"quiz-check"));
    assert!(page.contains("role=\"status\""));
    assert_eq!(page.matches("<details class=\"quiz-answer\"").count(), 4);
    assert!(page.contains("quiz/other.html#known-heading\""), "{page}");
    assert!(page.contains("<strong>colour</strong>"));
    assert!(page.contains("js/quiz."), "the page loads the quiz script");
    assert!(
        !guide.out().page("index.html").contains("js/quiz."),
        "pages without a quiz do not load it"
    );
    let other = guide.out().page("quiz/other.html");
    let backlinks = element_by_id(&other, "backlinks").expect("a backlinks region");
    assert!(backlinks.contains("lesson.html"), "{backlinks}");
    let print = guide.out().page("print.html");
    assert!(print.contains("<form class=\"quiz\"") && print.contains("js/quiz."));
}

#[test]
fn one_answer_question_with_two_right_answers() {
    let body = "```quiz\n[[question]]\nprompt = \"Pick\"\n[[question.option]]\ntext = \"a\"\nright = true\n[[question.option]]\ntext = \"b\"\nright = true\n```\n";
    fails_at(body, "13:9", "a one-answer question has 2 right answers");
}

#[test]
fn question_with_no_right_answer() {
    let one = "```quiz\n[[question]]\nprompt = \"Pick\"\n[[question.option]]\ntext = \"a\"\n[[question.option]]\ntext = \"b\"\nright = false\n```\n";
    fails_at(one, "7:10", "this question has no right answer");
    let many = "```quiz\n[[question]]\nkind = \"many\"\nprompt = \"Pick\"\n[[question.option]]\ntext = \"a\"\n[[question.option]]\ntext = \"b\"\n```\n";
    fails_at(many, "8:10", "this question has no right answer");
    let true_false = "```quiz\n[[question]]\nkind = \"true-false\"\nprompt = \"Yes?\"\n```\n";
    fails_at(
        true_false,
        "8:10",
        "this true/false question has no right answer",
    );
}

#[test]
fn short_answer_question_with_no_accepted_answer() {
    let empty = "```quiz\n[[question]]\nprompt = \"Name it\"\naccept = []\n```\n";
    fails_at(
        empty,
        "8:10",
        "this short-answer question has no accepted answer",
    );
    let only_punctuation =
        "```quiz\n[[question]]\nprompt = \"Name it\"\naccept = [\" ?! \"]\n```\n";
    fails_at(
        only_punctuation,
        "8:10",
        "this short-answer question has no accepted answer",
    );
    let missing = "```quiz\n[[question]]\nkind = \"short\"\nprompt = \"Name it\"\n```\n";
    fails_at(
        missing,
        "8:10",
        "this short-answer question has no accepted answer",
    );
}

#[test]
fn unknown_keys_and_kinds_get_a_did_you_mean() {
    let key = "```quiz\n[[question]]\nprompt = \"Pick\"\n[[question.option]]\ntext = \"a\"\nrigth = true\n```\n";
    let run = guide_with(key).check();
    run.expect_code(1)
        .stderr_has("content/quiz/lesson.md:10:1")
        .stderr_has("unknown key `rigth`")
        .stderr_has("did you mean `right`?");
    let top = "```quiz\n[[questions]]\nprompt = \"Pick\"\n```\n";
    guide_with(top)
        .check()
        .expect_code(1)
        .stderr_has("content/quiz/lesson.md:6:")
        .stderr_has("unknown key `questions`")
        .stderr_has("did you mean `question`?");
    let kind = "```quiz\n[[question]]\nkind = \"mnay\"\nprompt = \"Pick\"\n```\n";
    guide_with(kind)
        .check()
        .expect_code(1)
        .stderr_has("content/quiz/lesson.md:7:8")
        .stderr_has("unknown question kind `mnay`")
        .stderr_has("did you mean `many`?");
    let misplaced =
        "```quiz\n[[question]]\nprompt = \"Yes?\"\nanswer = true\naccept = [\"yes\"]\n```\n";
    fails_at(
        misplaced,
        "9:10",
        "`accept` does not belong in a true/false question",
    );
    let empty = "```quiz\ntitle = \"Nothing\"\n```\n";
    fails_at(empty, "6:1", "the `quiz` block has no questions");
}

#[test]
fn links_in_explanations_are_checked_like_any_link() {
    let body = "```quiz\n[[question]]\nprompt = \"Yes?\"\nanswer = true\nexplain = \"See [gone](missing.md).\"\n```\n";
    fails_at(body, "9:16", "broken link: `missing.md`");
    let anchor = "```quiz\n[[question]]\nprompt = \"Yes?\"\nanswer = true\nexplain = \"\"\"\nSee [there](other.md#nope).\"\"\"\n```\n";
    fails_at(anchor, "10:5", "has no heading with id `nope`");
    let in_option = "```quiz\n[[question]]\nprompt = \"Pick\"\n[[question.option]]\ntext = \"[a](nowhere.md)\"\nright = true\n[[question.option]]\ntext = \"b\"\n```\n";
    fails_at(in_option, "9:9", "broken link: `nowhere.md`");
}

#[test]
fn init_starter_has_a_self_check_and_passes_with_warnings_denied() {
    let guide = Guide::empty();
    let dir = guide.beside("new-guide");
    let dir = dir.to_str().expect("UTF-8 path");
    guide.run(&["init", dir]).ok();
    guide
        .run(&["check", "--root", dir, "--deny-warnings"])
        .ok()
        .stderr_lacks("warning:");
    guide.run(&["build", "--root", dir]).ok();
    let site = Site::at(guide.beside("new-guide/public"));
    let lesson = site.page("getting-started/first-lesson.html");
    assert!(lesson.contains("<form class=\"quiz\""), "{lesson}");
}

/// Page-side helpers for the browser tests.
const JS_LIB: &str = r#"
const quiz = () => document.querySelector("form.quiz");
const q = (n) => quiz().querySelectorAll(".quiz-question")[n - 1];
const result = (n) => q(n).getAttribute("data-result");
const score = () => quiz().querySelector("[role=status]").textContent.trim();
const seen = (el) => !!el && el.checkVisibility();
const pick = (n, k) => { const i = q(n).querySelectorAll("input")[k - 1]; i.checked = true; };
const type = (n, text) => { const i = q(n).querySelector("input[type=text]"); i.value = text; };
const reset = () => quiz().querySelectorAll("input").forEach((i) => { i.checked = false; if (i.type === "text") i.value = ""; });
"#;

fn js(b: &mut Browser, expr: &str) -> Result<serde_json::Value, String> {
    b.evaluate(&format!("(() => {{ {JS_LIB}\nreturn ({expr}); }})()"))
}

/// Answers wrong then right, by mouse and keyboard, and checks results, score, explanations,
/// the `quiz:passed` event and the short-answer normalisation.
fn answer_wrong_then_right(b: &mut Browser, url: &str) -> Result<(), String> {
    b.navigate(url)?;
    b.wait_for("document.querySelector('form.quiz.quiz-ready')", WAIT)?;
    let hidden = js(
        b,
        "!seen(q(1).querySelector('.quiz-answer')) && !seen(q(1).querySelector('.quiz-explain'))",
    )?;
    if hidden != json!(true) {
        return Err("answers show before a check".into());
    }
    js(
        b,
        "(window.passed = [], document.addEventListener('quiz:passed', (e) => passed.push(e.detail)), 0)",
    )?;
    b.click("form.quiz label[for$='-1-2']")?;
    js(b, "(pick(2, 1), pick(2, 2), pick(3, 1), type(4, 'RTO'), 0)")?;
    b.click("form.quiz .quiz-check")?;
    let after = js(
        b,
        "[result(1), result(2), result(3), result(4), score(), seen(q(1).querySelectorAll('.quiz-explain')[1]), seen(q(1).querySelector('.quiz-answer')), passed.length]",
    )?;
    let want = json!([
        "wrong",
        "wrong",
        "wrong",
        "wrong",
        "0 of 4 right.",
        true,
        true,
        0
    ]);
    if after != want {
        return Err(format!("after a wrong check: {after} (want {want})"));
    }
    js(
        b,
        "(reset(), pick(1, 1), pick(2, 1), pick(2, 3), pick(3, 2), type(4, '  Recovery-Point objective. '), 0)",
    )?;
    b.evaluate("document.querySelector('form.quiz .quiz-check').focus()")?;
    b.call(
        "Input.dispatchKeyEvent",
        json!({"type": "keyDown", "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}),
    )?;
    b.call(
        "Input.dispatchKeyEvent",
        json!({"type": "keyUp", "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}),
    )?;
    b.wait_for(
        "document.querySelector('form.quiz [role=status]').textContent.startsWith('All')",
        WAIT,
    )?;
    let after = js(
        b,
        "[result(1), result(2), result(3), result(4), score(), seen(q(1).querySelector('.quiz-explain')), seen(q(4).querySelector('.quiz-explain-question')), JSON.stringify(passed)]",
    )?;
    let want = json!([
        "right",
        "right",
        "right",
        "right",
        "All 4 right.",
        true,
        true,
        "[{\"score\":4,\"total\":4}]"
    ]);
    if after != want {
        return Err(format!("after a right check: {after} (want {want})"));
    }
    for variant in [
        "rpo",
        " R.P.O ",
        "RECOVERY POINT OBJECTIVE",
        "recovery\tpoint—objective!",
    ] {
        js(b, &format!("(type(4, {}), 0)", lit(variant)))?;
        b.click("form.quiz .quiz-check")?;
        if js(b, "result(4)")? != json!("right") {
            return Err(format!("{variant:?} was not accepted"));
        }
    }
    let problems = b.take_problems();
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    Ok(())
}

#[test]
fn quiz_from_disk_and_under_a_sub_path() {
    let guide = guide_with(GOOD);
    guide.build().ok();
    let out = guide.path("public");
    with_browser("quiz_from_disk_and_under_a_sub_path", |b| {
        answer_wrong_then_right(b, &format!("{}/quiz/lesson.html", file_url(&out)))?;
        let server = StaticServer::start(&out, SUB_PATH).map_err(|e| e.to_string())?;
        answer_wrong_then_right(b, &format!("{}quiz/lesson.html", server.url()))?;
        let outside: Vec<String> = b
            .take_requests()
            .into_iter()
            .map(|r| r.url)
            .filter(|u| {
                !u.starts_with("file://")
                    && !u.starts_with(&server.origin())
                    && !u.starts_with("data:")
            })
            .collect();
        if !outside.is_empty() {
            return Err(format!("external requests: {outside:?}"));
        }
        Ok("wrong then right, from disk and under a sub-path".into())
    });
}

#[test]
fn without_javascript_the_answers_are_in_details_and_print_shows_the_key() {
    let guide = guide_with(GOOD);
    guide.build().ok();
    let out = guide.path("public");
    with_browser("quiz_without_javascript", |b| {
        b.call(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": true }),
        )?;
        b.navigate(&format!("{}/quiz/lesson.html", file_url(&out)))?;
        let state = b.evaluate(
            "(() => { const d = document.querySelectorAll('form.quiz details.quiz-answer'); \
             return [d.length, [...d].every((e) => e.checkVisibility()), \
             d[0].textContent.includes('Blue'), d[3].textContent.includes('recovery point objective'), \
             document.querySelector('form.quiz.quiz-ready') === null, \
             !d[0].querySelector('li.quiz-key').checkVisibility()]; })()",
        )?;
        if state != json!([4, true, true, true, true, true]) {
            return Err(format!("no-JS fallback: {state}"));
        }
        b.navigate(&format!("{}/print.html", file_url(&out)))?;
        let key = b.evaluate(
            "(() => { const li = document.querySelector('form.quiz details.quiz-answer li.quiz-key'); \
             return [li.checkVisibility(), li.textContent.includes('Blue')]; })()",
        )?;
        if key != json!([true, true]) {
            return Err(format!("print.html answer key without JS: {key}"));
        }
        b.call(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": false }),
        )?;
        b.navigate(&format!("{}/quiz/lesson.html", file_url(&out)))?;
        b.wait_for("document.querySelector('form.quiz.quiz-ready')", WAIT)?;
        b.call("Emulation.setEmulatedMedia", json!({ "media": "print" }))?;
        let printed = b.evaluate(
            "(() => { const li = document.querySelector('form.quiz li.quiz-key'); \
             const check = document.querySelector('form.quiz .quiz-check'); \
             return [li.checkVisibility(), check.checkVisibility()]; })()",
        )?;
        b.call("Emulation.setEmulatedMedia", json!({ "media": "" }))?;
        if printed != json!([true, false]) {
            return Err(format!(
                "a printed lesson shows its key, not its button: {printed}"
            ));
        }
        b.navigate(&format!("{}/print.html", file_url(&out)))?;
        b.wait_for("document.readyState === 'complete'", WAIT)?;
        let key = b.evaluate(
            "(() => { const d = document.querySelector('form.quiz details.quiz-answer'); \
             const li = d.querySelector('li.quiz-key'); \
             return [d.open, li.checkVisibility(), li.textContent.includes('Blue')]; })()",
        )?;
        if key != json!([true, true, true]) {
            return Err(format!("print.html answer key: {key}"));
        }
        Ok("answers in details without JS; key open in print.html".into())
    });
}

/// Sends one key press the way a keyboard does, so the browser's default action runs.
fn key(b: &mut Browser, key: &str, code: u32, text: Option<&str>) -> Result<(), String> {
    let mut down =
        json!({"type": "rawKeyDown", "key": key, "code": key, "windowsVirtualKeyCode": code});
    if let Some(text) = text {
        down["type"] = json!("keyDown");
        down["text"] = json!(text);
    }
    b.call("Input.dispatchKeyEvent", down)?;
    b.call(
        "Input.dispatchKeyEvent",
        json!({"type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": code}),
    )?;
    Ok(())
}

#[test]
fn keyboard_alone_answers_and_checks() {
    let guide = guide_with(GOOD);
    guide.build().ok();
    let url = format!("{}/quiz/lesson.html", file_url(&guide.path("public")));
    with_browser("quiz_by_keyboard", |b| {
        b.navigate(&url)?;
        b.wait_for("document.querySelector('form.quiz.quiz-ready')", WAIT)?;
        b.evaluate("document.querySelector('form.quiz input').focus()")?;
        let active = "document.activeElement.id || document.activeElement.tagName";
        key(b, "ArrowDown", 40, None)?;
        let moved = b.evaluate(&format!("[{active}, document.activeElement.checked]"))?;
        if moved[1] != json!(true) || !moved[0].as_str().unwrap_or("").ends_with("-1-2") {
            return Err(format!("arrow keys in a radio group: {moved}"));
        }
        key(b, "Tab", 9, None)?;
        if b.evaluate(active)? != json!("SUMMARY") {
            return Err("Tab should reach the hint next".into());
        }
        key(b, "Tab", 9, None)?;
        key(b, " ", 32, Some(" "))?;
        let ticked = b.evaluate(&format!("[{active}, document.activeElement.checked]"))?;
        if ticked[1] != json!(true) || !ticked[0].as_str().unwrap_or("").ends_with("-2-1") {
            return Err(format!("Tab then Space on the next question: {ticked}"));
        }
        b.evaluate("document.querySelector('form.quiz .quiz-check').focus()")?;
        key(b, " ", 32, Some(" "))?;
        b.wait_for(
            "document.querySelector('form.quiz [role=status]').textContent !== ''",
            WAIT,
        )?;
        let result = b.evaluate(
            "[...document.querySelectorAll('.quiz-question')].map((q) => q.dataset.result).join()",
        )?;
        if result != json!("wrong,wrong,wrong,wrong") {
            return Err(format!("results after a keyboard check: {result}"));
        }
        Ok("arrows, Tab and Space answer; Space on the button checks".into())
    });
}

#[test]
fn in_guide_serve_an_edited_quiz_shows_at_once_and_its_errors_in_the_overlay() {
    let guide = guide_with(GOOD);
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve");
    let url = format!("http://127.0.0.1:{}/quiz/lesson.html", serve.port);
    let lesson = guide.path("content/quiz/lesson.md");
    let edit = |from: &str, to: &str| {
        let text = std::fs::read_to_string(&lesson).expect("read lesson");
        std::fs::write(&lesson, text.replace(from, to)).expect("write lesson");
    };
    with_browser("quiz_in_serve", |b| {
        b.navigate(&url)?;
        b.wait_for("document.querySelector('form.quiz.quiz-ready')", WAIT)?;
        edit("Which is a **colour**?", "Which is a **hue**?");
        b.wait_for(
            "document.querySelector('form.quiz.quiz-ready legend').textContent.includes('hue')",
            WAIT,
        )?;
        edit("text = \"Seven\"", "text = \"Seven\"\nrigth = false");
        b.wait_for(
            "(() => { const o = document.getElementById('guide-serve-errors'); \
             return !!o && o.textContent.includes('content/quiz/lesson.md:18') \
             && o.textContent.includes('unknown key `rigth`'); })()",
            WAIT,
        )?;
        edit("\nrigth = false", "");
        b.wait_for("!document.getElementById('guide-serve-errors')", WAIT)?;
        let other = guide.path("content/quiz/other.md");
        let text = std::fs::read_to_string(&other).expect("read other lesson");
        std::fs::write(&other, text.replace("Known heading", "Renamed heading"))
            .expect("write other lesson");
        b.wait_for(
            "(() => { const o = document.getElementById('guide-serve-errors'); \
             return !!o && o.textContent.includes('content/quiz/lesson.md:15') \
             && o.textContent.includes('known-heading'); })()",
            WAIT,
        )?;
        Ok("an edit showed at once; errors (its own, and a heading renamed elsewhere) in the overlay".into())
    });
    drop(serve);
}

/// Every self-check passes axe (axe-core, see `axe_source`), before and after a check.
#[test]
fn a_self_check_passes_axe() {
    let Some(source) = crate::support::browser::axe_source() else {
        return;
    };
    let guide = guide_with(GOOD);
    guide.build().ok();
    let url = format!("{}/quiz/lesson.html", file_url(&guide.path("public")));
    with_browser("quiz_axe", |b| {
        b.navigate(&url)?;
        b.wait_for("document.querySelector('form.quiz.quiz-ready')", WAIT)?;
        b.evaluate(&source)?;
        let run = "axe.run(document.querySelector('form.quiz')).then((r) => \
                   r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target).join(' ')))";
        let before = b.evaluate(run)?;
        b.click("form.quiz .quiz-check")?;
        let after = b.evaluate(run)?;
        if before != json!([]) || after != json!([]) {
            return Err(format!("axe: before a check {before}, after {after}"));
        }
        Ok("no axe violations before or after a check".into())
    });
}
