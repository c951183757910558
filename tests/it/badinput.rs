//! Bad input: every kind of broken guide an author can produce, each built by the real binary
//! under a deadline and a memory ceiling. Each must end with exit code 1 (never a panic's 101,
//! never a signal), name the file (and the line, where there is one), and write nothing: the
//! output folder of an earlier build stays as it was, and a guide without one gets none.
//!
//! Each case is the guide `tests/fixtures/bad/base/` with the files of `tests/fixtures/bad/<case>/`
//! laid over it. Inputs that are huge, binary, unreadable, symbolic links or names differing only
//! in case are made by the test at run time instead of being kept in the repository.

use crate::support;

use std::path::Path;
use std::time::Duration;

use crate::support::{BoundedRun, Guide, Limits, Snapshot, assert_same, copy_dir, fixtures_dir};

/// Limits for an ordinary broken guide (it takes milliseconds and a few MB).
const SMALL: Limits = Limits {
    deadline: Duration::from_secs(60),
    max_rss_kib: 256 * 1024,
};

/// Limits for the generated huge inputs (a 20 MB lesson takes about 12 times its size). The
/// deadline only catches a build that never ends: beside the rest of the suite on a busy machine,
/// the 20 MB lesson has taken over a minute.
const LARGE: Limits = Limits {
    deadline: Duration::from_secs(300),
    max_rss_kib: 1024 * 1024,
};

/// One diagnostic a case must print: the file, the line when the problem has one, and a part
/// of the message.
struct Expect {
    file: &'static str,
    line: Option<usize>,
    says: &'static str,
}

const fn at(file: &'static str, line: usize, says: &'static str) -> Expect {
    Expect {
        file,
        line: Some(line),
        says,
    }
}

const fn file(file: &'static str, says: &'static str) -> Expect {
    Expect {
        file,
        line: None,
        says,
    }
}

/// A copy of the base guide, which builds.
fn base_guide() -> Guide {
    Guide::fixture("bad/base")
}

/// The base guide, built twice (so that both its output folder and the hidden previous one
/// exist), then broken by `case`'s overlay and `prepare`.
fn broken_after_good_builds(case: &str, prepare: impl FnOnce(&Guide)) -> Guide {
    let guide = base_guide();
    guide.build().ok();
    guide.build().ok();
    assert!(guide.out().exists("basics/first.html"));
    let overlay = fixtures_dir().join("bad").join(case);
    if overlay.is_dir() {
        copy_dir(&overlay, &guide.root);
    }
    prepare(&guide);
    guide
}

/// Everything in the temp folder except the insides of the hidden `.public.previous` folder,
/// which guide reuses as scratch space (README: "safe to delete").
fn visible_snapshot(guide: &Guide) -> Snapshot {
    guide
        .snapshot()
        .into_iter()
        .filter(|(path, _)| !path.contains(".public.previous/"))
        .collect()
}

/// Builds `guide` under `limits` and checks everything a broken guide must get right.
fn rejected(
    case: &str,
    when: &str,
    guide: &Guide,
    limits: Limits,
    expect: &[Expect],
) -> BoundedRun {
    let before = visible_snapshot(guide);
    let run = support::run_bounded(
        guide.command(&["build", "--root", &guide.root_str()]),
        limits,
    );
    println!("{case} ({when}): {}", run.summary());
    let context = || {
        format!(
            "case `{case}` ({when}): {}\n--- stderr:\n{}",
            run.summary(),
            tail(&run.stderr)
        )
    };
    assert!(run.killed_for.is_none(), "killed: {}", context());
    assert_eq!(run.signal, None, "ended by a signal: {}", context());
    assert_eq!(run.code, Some(1), "wrong exit code: {}", context());
    assert!(!run.stderr.contains("panicked"), "a panic: {}", context());
    assert!(
        run.stderr.contains("nothing was written"),
        "no summary line: {}",
        context()
    );
    for e in expect {
        let place = match e.line {
            Some(line) => format!("--> {}:{line}:", e.file),
            None => format!("--> {}", e.file),
        };
        assert!(
            run.stderr.contains(&place),
            "stderr does not point at `{}`: {}",
            &place[4..],
            context()
        );
        assert!(
            run.stderr.contains(e.says),
            "stderr does not say {:?}: {}",
            e.says,
            context()
        );
    }
    if let Some(rss) = run.max_rss_kib {
        assert!(rss <= limits.max_rss_kib, "memory: {}", context());
    } else {
        println!("{case}: memory not measured (not Linux, or the run ended before a sample)");
    }
    assert_same(
        &before,
        &visible_snapshot(guide),
        &format!("case `{case}` ({when}) must not change the output or leave files behind"),
    );
    run
}

/// The last 60 lines of a long stderr.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(60);
    lines[from..].join("\n")
}

/// Runs `case` twice: over the output of earlier good builds, which must stay as it was, and
/// on a guide without any output, which must get none.
fn case(case: &str, expect: &[Expect]) {
    case_prepared(case, |_| {}, expect);
}

fn case_prepared(case: &str, prepare: impl FnOnce(&Guide), expect: &[Expect]) {
    let guide = broken_after_good_builds(case, prepare);
    let old_index = guide.out().page("index.html");
    rejected(case, "over a previous build", &guide, SMALL, expect);
    assert_eq!(guide.out().page("index.html"), old_index);

    std::fs::remove_dir_all(guide.path("public")).unwrap();
    std::fs::remove_dir_all(guide.path(".public.previous")).unwrap();
    rejected(case, "with no output yet", &guide, SMALL, expect);
    assert!(!guide.path("public").exists());
}

/// Runs a generated huge case once, over the output of earlier good builds.
fn large_case(case: &str, prepare: impl FnOnce(&Guide), expect: &[Expect]) -> BoundedRun {
    let guide = broken_after_good_builds(case, prepare);
    let old_index = guide.out().page("index.html");
    let run = rejected(case, "over a previous build", &guide, LARGE, expect);
    assert_eq!(guide.out().page("index.html"), old_index);
    run
}

// ---------------------------------------------------------------------------------------------
// The base guide itself is fine
// ---------------------------------------------------------------------------------------------

#[test]
fn base_guide_builds() {
    let guide = base_guide();
    guide.build().ok();
    let broken = guide.out().broken_references();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Front matter
// ---------------------------------------------------------------------------------------------

#[test]
fn unclosed_front_matter() {
    case(
        "unclosed-front-matter",
        &[
            at(
                "content/basics/unclosed-toml.md",
                1,
                "`+++` is never closed",
            ),
            at(
                "content/basics/unclosed-yaml.md",
                1,
                "`---` is never closed",
            ),
        ],
    );
}

#[test]
fn toml_syntax_error() {
    case(
        "toml-syntax-error",
        &[at(
            "content/basics/broken-toml.md",
            3,
            "title = \"Unclosed string",
        )],
    );
}

#[test]
fn yaml_syntax_error() {
    case(
        "yaml-syntax-error",
        &[
            at(
                "content/basics/broken-yaml.md",
                2,
                "mapping values are not allowed",
            ),
            at("content/basics/unclosed-list.md", 5, "line 4 column 9"),
        ],
    );
}

#[test]
fn wrong_types() {
    case(
        "wrong-types",
        &[
            at(
                "content/basics/wrong-toml.md",
                3,
                "invalid type: string \"thirty\"",
            ),
            at(
                "content/basics/wrong-yaml.md",
                4,
                "invalid type: string \"maybe\"",
            ),
        ],
    );
}

#[test]
fn unknown_keys() {
    case(
        "unknown-keys",
        &[
            at(
                "content/basics/unknown-toml.md",
                4,
                "did you mean `topics`?",
            ),
            at(
                "content/basics/unknown-yaml.md",
                3,
                "did you mean `prerequisites`?",
            ),
        ],
    );
}

#[test]
fn empty_file() {
    case(
        "empty-file",
        &[at("content/basics/empty.md", 1, "missing front matter")],
    );
}

#[test]
fn invalid_utf8() {
    case_prepared(
        "invalid-utf8",
        |g| {
            g.write(
                "content/basics/latin1-body.md",
                b"+++\ntitle = \"Latin-1 body\"\n+++\n\nCaf\xe9 au lait\n",
            );
            g.write(
                "content/basics/latin1-title.md",
                b"+++\ntitle = \"Caf\xe9\"\n+++\n\nBody\n",
            );
        },
        &[
            at("content/basics/latin1-body.md", 5, "not valid UTF-8"),
            at("content/basics/latin1-title.md", 2, "not valid UTF-8"),
        ],
    );
}

#[test]
fn binary_file_named_md() {
    case_prepared(
        "binary-file",
        |g| {
            // The start of a PNG image, and a text file with NUL bytes further down.
            g.write(
                "content/basics/diagram.md",
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0\x1f\xf3\xffa",
            );
            g.write(
                "content/basics/nul.md",
                b"+++\ntitle = \"NUL\"\n+++\n\nab\0\0\x01\x02 more\n",
            );
        },
        &[
            at("content/basics/diagram.md", 1, "not valid UTF-8"),
            at("content/basics/nul.md", 5, "binary"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Size and depth
// ---------------------------------------------------------------------------------------------

#[test]
fn twenty_megabyte_lesson() {
    let mut body = String::from("+++\ntitle = \"Huge\"\n+++\n\n");
    let block = "Some **bold** text, a [link](first.md#core-idea), `inline code`, and more words \
                 to make the paragraph long enough to be a realistic paragraph of a lesson.\n\n\
                 - a list item\n- another item with _emphasis_\n\n";
    let mut i = 0;
    while body.len() < 20 * 1024 * 1024 {
        if i % 200 == 0 {
            body.push_str(&format!(
                "## Part {i}\n\n```rust\nfn part_{i}() -> u32 {{ {i} }}\n```\n\n"
            ));
        }
        body.push_str(block);
        i += 1;
    }
    let last_line = body.lines().count() + 1;
    body.push_str("The end links to [a page that is not there](nowhere.md).\n");
    large_case(
        "huge-lesson",
        |g| g.write("content/basics/huge.md", &body),
        &[Expect {
            file: "content/basics/huge.md",
            line: Some(last_line),
            says: "nowhere.md",
        }],
    );
}

#[test]
fn fifty_thousand_headings() {
    let mut body = String::from("+++\ntitle = \"Many headings\"\n+++\n\n");
    for i in 0..50_000 {
        // Half of them share one text, so ids must be made unique 25,000 times over.
        if i % 2 == 0 {
            body.push_str("## Step\n\n");
        } else {
            body.push_str(&format!("### Detail {i}\n\n"));
        }
    }
    let last_line = body.lines().count() + 1;
    body.push_str("See [a heading that is not there](#no-such-step).\n");
    large_case(
        "many-headings",
        |g| g.write("content/basics/headings.md", &body),
        &[Expect {
            file: "content/basics/headings.md",
            line: Some(last_line),
            says: "no-such-step",
        }],
    );
}

#[test]
fn lists_and_quotes_nested_ten_thousand_deep() {
    const DEPTH: usize = 10_000;
    let mut body = String::from("+++\ntitle = \"Deep\"\n+++\n\n");
    body.push_str(&"> ".repeat(DEPTH));
    body.push_str("[quoted](quote-target.md)\n\n");
    body.push_str(&"- ".repeat(DEPTH));
    body.push_str("[listed](list-target.md)\n\n");
    body.push_str(&"1. ".repeat(DEPTH));
    body.push_str("[numbered](number-target.md)\n\n");
    body.push_str(&"> - ".repeat(DEPTH / 2));
    body.push_str("[mixed](mixed-target.md)\n\n");
    body.push_str(&"*".repeat(DEPTH));
    body.push('x');
    body.push_str(&"*".repeat(DEPTH));
    body.push_str("\n\n");
    body.push_str(&"[".repeat(DEPTH));
    body.push_str(&"]".repeat(DEPTH));
    body.push('\n');
    large_case(
        "deep-nesting",
        |g| g.write("content/basics/deep.md", &body),
        &[
            at("content/basics/deep.md", 5, "quote-target.md"),
            at("content/basics/deep.md", 7, "list-target.md"),
            at("content/basics/deep.md", 9, "number-target.md"),
            at("content/basics/deep.md", 11, "mixed-target.md"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Names, links and cycles
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicate_slugs() {
    case(
        "duplicate-slugs",
        &[
            file(
                "content/basics/third-lesson.md",
                "content/basics/Third Lesson.md",
            ),
            file("content/basics/index.md", "content/basics/_index.md"),
            file("content/basics", "basics/third-lesson.html"),
        ],
    );
}

#[test]
fn names_differing_only_in_case() {
    case_prepared(
        "case-only-names",
        |g| {
            // Made here: a checkout on a case-insensitive file system could not hold them.
            g.write(
                "content/basics/Intro.md",
                "+++\ntitle = \"Upper\"\n+++\n\nBody.\n",
            );
            g.write(
                "content/basics/intro.md",
                "+++\ntitle = \"Lower\"\n+++\n\nBody.\n",
            );
            g.write(
                "content/Extra/_index.md",
                "+++\ntitle = \"Extra, upper\"\n+++\n\nBody.\n",
            );
            g.write(
                "content/extra/_index.md",
                "+++\ntitle = \"Extra, lower\"\n+++\n\nBody.\n",
            );
        },
        &[
            file("content/basics/", "`content/basics/Intro.md`"),
            file("content/basics/", "`content/basics/intro.md`"),
            file("content/basics/", "`basics/intro.html`"),
            file("content/", "`content/Extra/_index.md`"),
            file("content/", "`content/extra/_index.md`"),
            file("content/", "`extra/index.html`"),
        ],
    );
}

#[test]
fn link_to_its_own_missing_anchor() {
    case(
        "link-to-itself",
        &[
            at(
                "content/basics/selfie.md",
                11,
                "no heading with id `nowhere`",
            ),
            at(
                "content/basics/selfie.md",
                12,
                "no heading with id `also-nowhere`",
            ),
        ],
    );
}

/// A lesson linking to itself is fine: the links lead to its own page, and it is not listed
/// among its own backlinks ("referenced by").
#[test]
fn link_to_itself_builds_and_is_not_its_own_backlink() {
    let guide = base_guide();
    let selfie =
        std::fs::read_to_string(fixtures_dir().join("bad/link-to-itself/content/basics/selfie.md"))
            .unwrap();
    let fine = selfie
        .split("A heading this page does not have")
        .next()
        .unwrap();
    guide.write(
        "content/basics/selfie.md",
        format!("{fine}And [the first lesson](first.md).\n"),
    );
    guide.build().ok();
    let site = guide.out();
    let html = site.page("basics/selfie.html");
    let content = support::element_by_id(&html, "content").expect("#content");
    let targets: Vec<String> = support::hrefs(content)
        .iter()
        .map(|h| support::target_of("basics/selfie.html", h))
        .collect();
    for wanted in ["basics/selfie.html", "basics/selfie.html#here"] {
        assert!(
            targets.iter().any(|t| t == wanted),
            "no link to {wanted}: {targets:?}"
        );
    }
    if let Some(backlinks) = support::element_by_id(&html, "backlinks") {
        assert!(
            !support::hrefs(backlinks)
                .iter()
                .any(|h| h.ends_with("selfie.html")),
            "the lesson lists itself as a backlink:\n{backlinks}"
        );
    }
    let first = site.page("basics/first.html");
    let backlinks = support::element_by_id(&first, "backlinks").expect("#backlinks on first");
    assert!(
        support::hrefs(backlinks)
            .iter()
            .any(|h| h.ends_with("selfie.html")),
        "a real backlink is missing:\n{backlinks}"
    );
}

#[test]
fn prerequisite_cycles() {
    case(
        "prerequisite-cycle",
        &[
            at(
                "content/basics/chicken.md",
                4,
                "`basics/chicken.md` → `basics/egg.md` → `basics/chicken.md`",
            ),
            at(
                "content/basics/ouroboros.md",
                4,
                "`basics/ouroboros.md` → `basics/ouroboros.md`",
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Templates and book.toml
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_template() {
    case(
        "missing-template",
        &[at(
            "themes/default/templates/lesson.html",
            3,
            "partials/no-such-partial.html",
        )],
    );
}

#[test]
fn missing_theme() {
    case(
        "missing-theme",
        &[file("book.toml", "theme `no-such-theme` not found")],
    );
}

#[test]
fn missing_theme_names_its_line_in_book_toml() {
    case(
        "missing-theme",
        &[at("book.toml", 5, "theme `no-such-theme` not found")],
    );
}

#[test]
fn template_syntax_error() {
    case(
        "template-syntax-error",
        &[at(
            "themes/default/templates/lesson.html",
            3,
            "{{ page.title | }}",
        )],
    );
}

#[test]
fn template_including_itself() {
    case(
        "template-includes-itself",
        &[file(
            "themes/default/templates/partials/echo.html",
            "templates include each other in a circle",
        )],
    );
}

// The `{% include %}` that closes the circle is on line 2.
#[test]
fn template_including_itself_names_the_line_of_the_include() {
    case(
        "template-includes-itself",
        &[at(
            "themes/default/templates/partials/echo.html",
            2,
            "templates include each other in a circle",
        )],
    );
}

#[test]
fn book_toml_syntax_error() {
    case(
        "book-toml-syntax-error",
        &[at("book.toml", 3, "description = \"Unclosed")],
    );
}

#[test]
fn book_toml_wrong_type() {
    case(
        "book-toml-wrong-type",
        &[at("book.toml", 3, "invalid type: string \"Test Author\"")],
    );
}

#[test]
fn book_toml_unknown_key() {
    case(
        "book-toml-unknown-key",
        &[at("book.toml", 5, "did you mean `output-dir`?")],
    );
}

// ---------------------------------------------------------------------------------------------
// The file system: unreadable files, symbolic links, special files
// ---------------------------------------------------------------------------------------------

#[cfg(target_os = "linux")]
mod privileges {
    //! Running as root (or with CAP_DAC_OVERRIDE), file modes do not stop reads. The guide is then
    //! started without the two capabilities that bypass them, so that `chmod 000` means what it
    //! says for it; where even that is not allowed, the test says so and skips.

    use std::os::unix::process::CommandExt;
    use std::process::Command;

    unsafe extern "C" {
        fn prctl(option: i32, ...) -> i32;
    }

    const PR_CAPBSET_DROP: i32 = 24;
    const CAP_DAC_OVERRIDE: u64 = 1;
    const CAP_DAC_READ_SEARCH: u64 = 2;

    /// Makes `cmd` run without the capabilities that bypass file modes.
    pub fn without_file_mode_bypass(cmd: &mut Command) {
        // SAFETY: the closure runs in the child between fork and exec and only calls prctl(2),
        // which is async-signal-safe; it touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                for cap in [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH] {
                    if prctl(PR_CAPBSET_DROP, cap, 0u64, 0u64, 0u64) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
    }

    /// Whether `without_file_mode_bypass` works here: the probe must start, and must be unable
    /// to read `locked`.
    pub fn works(locked: &std::path::Path) -> Result<(), String> {
        let mut probe = Command::new("sh");
        probe
            .arg("-c")
            .arg("cat \"$0\" >/dev/null 2>&1")
            .arg(locked);
        without_file_mode_bypass(&mut probe);
        match probe.status() {
            Ok(status) if !status.success() => Ok(()),
            Ok(_) => Err("the file stays readable without CAP_DAC_OVERRIDE".into()),
            Err(e) => Err(format!("cannot drop CAP_DAC_OVERRIDE ({e})")),
        }
    }
}

#[cfg(unix)]
#[test]
fn unreadable_file_and_folder() {
    use std::os::unix::fs::PermissionsExt;

    let guide = broken_after_good_builds("unreadable", |g| {
        g.write(
            "content/basics/locked.md",
            "+++\ntitle = \"Locked\"\n+++\n\nBody.\n",
        );
        g.write(
            "content/basics/vault/deep.md",
            "+++\ntitle = \"Deep\"\n+++\n\nBody.\n",
        );
    });
    let locked = guide.path("content/basics/locked.md");
    let vault = guide.path("content/basics/vault");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&vault, std::fs::Permissions::from_mode(0o000)).unwrap();
    let restore = || {
        let _ = std::fs::set_permissions(&vault, std::fs::Permissions::from_mode(0o755));
        let _ = std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644));
    };

    let mut cmd = guide.command(&["build", "--root", &guide.root_str()]);
    if std::fs::read(&locked).is_ok() {
        // Modes do not bind this process (root): take away what lets the guide ignore them.
        #[cfg(target_os = "linux")]
        match privileges::works(&locked) {
            Ok(()) => privileges::without_file_mode_bypass(&mut cmd),
            Err(why) => {
                restore();
                println!("skipped: running as root and {why}: cannot make a file unreadable");
                return;
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            restore();
            println!("skipped: file modes do not stop this user's reads");
            return;
        }
    }

    // The content cannot be read now (that is the point), so only the output and what lies
    // beside it are compared.
    let outside = || {
        let mut all = support::snapshot(&guide.path("public"));
        for dir in [guide.tmp.path(), guide.root.as_path()] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                all.insert(format!("{}/{name}", dir.display()), None);
            }
        }
        all
    };
    let before = outside();
    let run = support::run_bounded(cmd, SMALL);
    restore();
    println!("unreadable: {}", run.summary());
    let context = format!("{}\n--- stderr:\n{}", run.summary(), run.stderr);
    assert!(
        run.killed_for.is_none() && run.signal.is_none(),
        "{context}"
    );
    assert_eq!(run.code, Some(1), "{context}");
    assert!(!run.stderr.contains("panicked"), "{context}");
    for needle in [
        "--> content/basics/locked.md",
        "--> content/basics/vault",
        "Permission denied",
    ] {
        assert!(run.stderr.contains(needle), "lacks {needle:?}: {context}");
    }
    assert_same(
        &before,
        &outside(),
        "an unreadable file must not change the output",
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_in_content() {
    case_prepared(
        "symlink-loop",
        |g| {
            // A folder that links back to its parent, and a file that links to itself.
            std::os::unix::fs::symlink("..", g.path("content/basics/loop")).unwrap();
            std::os::unix::fs::symlink("self.md", g.path("content/basics/self.md")).unwrap();
        },
        &[
            file("content/basics/loop", "symbolic link loop"),
            file(
                "content/basics/self.md",
                "Too many levels of symbolic links",
            ),
        ],
    );
}

#[cfg(unix)]
#[test]
fn dangling_symlink_in_content() {
    case_prepared(
        "dangling-symlink",
        |g| std::os::unix::fs::symlink("moved-away.md", g.path("content/basics/gone.md")).unwrap(),
        &[file("content/basics/gone.md", "No such file or directory")],
    );
}

/// A FIFO named like a lesson is not a lesson: reading it would block for ever, so the build
/// must not try (it may skip it or report it, but it must finish).
#[cfg(unix)]
#[test]
fn fifo_named_md_does_not_hang_the_build() {
    let guide = base_guide();
    let fifo = guide.path("content/basics/pipe.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        println!("skipped: mkfifo is not available");
        return;
    }
    let limits = Limits {
        deadline: Duration::from_secs(20),
        ..SMALL
    };
    let run = support::run_bounded(
        guide.command(&["build", "--root", &guide.root_str()]),
        limits,
    );
    println!("fifo: {}", run.summary());
    assert!(
        run.killed_for.is_none() && run.signal.is_none(),
        "{}\n{}",
        run.summary(),
        run.stderr
    );
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{}\n{}",
        run.summary(),
        run.stderr
    );
    assert!(!Path::new(&guide.path("public/basics/pipe.html")).exists());
}
