//! What a team needs around `guide build`: installing the binary, its version, shell completions,
//! `guide clean`, `guide new` for a new section, `guide check`'s reports for GitHub and GitLab,
//! and the publishing recipes of `docs/publishing.md` (the CI files parsed and checked).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::support::Guide;
use serde_json::Value;

/// The repository: the bundled guide and the package.
fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn cargo_install_gives_a_binary_that_builds_the_bundled_guide() {
    let started = Instant::now();
    let exe = Path::new(env!("CARGO_BIN_EXE_guide"));
    // `<target>/<profile>/guide`: installing with the same target folder and profile reuses
    // what this test run compiled instead of building anew.
    let profile = exe.parent().expect("profile folder");
    let target = profile.parent().expect("target folder");
    let tmp = tempfile::tempdir().expect("temp folder");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut install = Command::new(cargo);
    install
        .args(["install", "--locked", "--offline", "--path"])
        .arg(repo())
        .arg("--root")
        .arg(tmp.path())
        .env("CARGO_TARGET_DIR", target);
    if profile.file_name().is_some_and(|p| p != "release") {
        install.arg("--debug");
    }
    let out = install.output().expect("run cargo install");
    assert!(
        out.status.success(),
        "cargo install failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = tmp.path().join("bin").join(exe.file_name().expect("name"));
    assert!(installed.is_file(), "{} missing", installed.display());

    let version = |bin: &Path| {
        let out = Command::new(bin)
            .arg("--version")
            .output()
            .expect("run --version");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(version(&installed), version(exe));

    let site = tmp.path().join("site");
    let built = Command::new(&installed)
        .arg("build")
        .arg("--root")
        .arg(repo())
        .arg("--out")
        .arg(&site)
        .output()
        .expect("run the installed guide");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let page = std::fs::read_to_string(site.join("index.html")).expect("index.html");
    assert!(page.contains("<title>"), "{page}");
    assert!(site.join("404.html").is_file() && site.join(".guide-output").is_file());
    println!(
        "installed and built the bundled guide in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn version_names_the_package_version_and_the_commit() {
    let out = Command::new(env!("CARGO_BIN_EXE_guide"))
        .arg("--version")
        .output()
        .expect("run --version");
    let text = String::from_utf8_lossy(&out.stdout);
    let text = text.trim();
    let expected = format!("guide {}", env!("CARGO_PKG_VERSION"));
    assert!(text.starts_with(&expected), "{text}");
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(repo())
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let in_checkout = git(&["rev-parse", "--show-toplevel"])
        .and_then(|top| Path::new(&top).canonicalize().ok())
        .is_some_and(|top| repo().canonicalize().is_ok_and(|r| r == top));
    if !in_checkout {
        assert_eq!(text, expected, "outside a git checkout there is no commit");
        return;
    }
    let described = git(&["log", "-1", "--format=%h %cs"]).expect("git log");
    let (hash, date) = described.split_once(' ').expect("hash and date");
    let rest = text[expected.len()..].trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no (commit date) in {text:?}"));
    let (commit, built_date) = inner.split_once(' ').expect("commit and date");
    assert!(
        commit == hash || commit == format!("{hash}-dirty"),
        "{text:?} should name {hash}"
    );
    assert_eq!(built_date, date, "{text}");
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let guide = Guide::empty();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = guide.run(&["completions", shell]);
        run.ok();
        for sub in [
            "build",
            "serve",
            "check",
            "init",
            "new",
            "clean",
            "completions",
        ] {
            assert!(
                run.stdout.contains(sub),
                "{shell} completions lack `{sub}`:\n{}",
                run.stdout
            );
        }
        assert!(run.stdout.contains("format"), "{shell}: no `--format`");
        // These three complete option values too.
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(run.stdout.contains("gitlab"), "{shell}: no `gitlab` format");
        }
    }
    // Where bash is installed, the script completes a subcommand and check's formats.
    let script = guide.beside("guide.bash");
    std::fs::write(&script, guide.run(&["completions", "bash"]).stdout).expect("write");
    let complete = |words: &str| {
        let program = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _guide guide \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             echo \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let out = Command::new("bash").arg("-c").arg(program).output().ok()?;
        Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    if let Some(found) = complete("guide che") {
        assert_eq!(found, "check");
        assert_eq!(
            complete("guide check --format gi").as_deref(),
            Some("github gitlab")
        );
    }
    guide.run(&["completions", "tcsh"]).expect_code(2);
}

/// Builds the guide twice, so that the output, the previous output and the cache all exist.
fn built_twice(guide: &Guide) {
    guide.build().ok();
    guide.build().ok();
    assert!(guide.path(".public.previous/.guide-output").is_file());
    assert!(guide.path(".guide-cache").is_dir());
}

#[test]
fn clean_removes_what_guide_made_and_nothing_else() {
    let guide = Guide::fixture("minimal");
    built_twice(&guide);
    guide.write("notes.txt", "mine");
    guide.write(".public.staging-999999999/.guide-output", "stopped build");
    guide.write(".public.staging-999999999/index.html", "half");
    let before = crate::support::snapshot(&guide.root);
    let run = guide.run(&["clean", "--root", &guide.root_str()]);
    run.ok()
        .stderr_has("public (the site)")
        .stderr_has(".public.previous (the previous site")
        .stderr_has(".public.staging-999999999 (the staging folder")
        .stderr_has(".guide-cache (the highlight cache)");
    let after = crate::support::snapshot(&guide.root);
    let removed: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    assert!(
        removed.iter().all(|k| k.starts_with("public")
            || k.starts_with(".public.")
            || k.starts_with(".guide-cache")),
        "removed more than guide made: {removed:?}"
    );
    let kept: Vec<&String> = after.keys().collect();
    let source: Vec<&String> = before
        .keys()
        .filter(|k| {
            !k.starts_with("public") && !k.starts_with(".public.") && !k.starts_with(".guide-cache")
        })
        .collect();
    assert_eq!(kept, source, "everything else is kept");
    guide
        .run(&["clean", "--root", &guide.root_str()])
        .ok()
        .stderr_has("nothing to clean");
}

#[test]
fn clean_leaves_an_output_folder_guide_did_not_make() {
    let guide = Guide::fixture("minimal");
    guide.write("public/index.html", "someone else's site");
    let out = guide.beside("elsewhere");
    std::fs::create_dir_all(&out).expect("folder");
    std::fs::write(out.join("keep.txt"), "mine").expect("write");
    let run = guide.run(&["clean", "--root", &guide.root_str()]);
    run.expect_code(1)
        .stderr_has("kept ")
        .stderr_has("no .guide-output marker");
    assert_eq!(guide.read("public/index.html"), "someone else's site");
    let out_arg = out.to_str().expect("UTF-8").to_owned();
    guide
        .run(&["clean", "--root", &guide.root_str(), "--out", &out_arg])
        .expect_code(1);
    assert!(out.join("keep.txt").is_file());
    guide
        .run(&[
            "clean",
            "--root",
            &guide.beside("nowhere").to_string_lossy(),
        ])
        .expect_code(1)
        .stderr_has("book.toml");
}

#[test]
fn new_creates_a_missing_section_and_says_so() {
    let guide = Guide::fixture("minimal");
    let root = guide.root_str();
    let run = guide.run(&["new", "team-practices/on-call/handover", "--root", &root]);
    run.ok()
        .stderr_has("created section ")
        .stderr_has("team-practices/_index.md (titled \"Team practices\")")
        .stderr_has("team-practices/on-call/_index.md (titled \"On call\")")
        .stderr_has("team-practices/on-call/handover.md");
    let index = guide.read("content/team-practices/_index.md");
    assert!(
        index.starts_with("+++\ntitle = \"Team practices\"\n"),
        "{index}"
    );
    let lesson = guide.read("content/team-practices/on-call/handover.md");
    assert!(lesson.contains("title = \"Handover\""), "{lesson}");
    let built = guide.build();
    built.ok();
    let out = guide.out();
    assert!(
        out.exists("team-practices/on-call/handover.html"),
        "{:?}",
        out.files()
    );
    assert!(
        out.page("team-practices/index.html")
            .contains("Team practices")
    );

    // An existing section is used as it is.
    let run = guide.run(&["new", "basics/third", "--root", &root]);
    run.ok().stderr_lacks("created section");
    assert!(guide.path("content/basics/third.md").is_file());
}

/// A guide with two errors (a broken link, a broken anchor) and a warning (a topic declared in
/// book.toml that no lesson uses) whose help makes a second line, which annotations escape.
fn guide_with_problems() -> Guide {
    let guide = Guide::fixture("minimal");
    guide.append("book.toml", "\n[topics.unused-topic]\ntitle = \"Unused\"\n");
    guide.append(
        "content/basics/second.md",
        "\nSee [the missing](missing.md) and [the first](first.md#no-such-heading).\n",
    );
    guide
}

fn check(guide: &Guide, format: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["check", "--root", "guide", "--format", format];
    args.extend_from_slice(extra);
    guide.run(&args)
}

#[test]
fn check_format_github_prints_annotations_with_repository_paths() {
    let guide = guide_with_problems();
    let run = check(&guide, "github", &[]);
    run.expect_code(1);
    assert_eq!(run.stderr, "", "annotations only");
    assert_text(
        &run.stdout,
        concat!(
            "::warning file=guide/book.toml,line=6,col=2,title=guide warning::topic `unused-topic` ",
            "is declared but no lesson uses it%0Ahelp: add it to some lesson's `topics`, or remove ",
            "its table from book.toml\n",
            "::error file=guide/content/basics/second.md,line=10,col=5,title=guide error::broken ",
            "link: `missing.md` is not a page of the guide\n",
            "::error file=guide/content/basics/second.md,line=10,col=35,title=guide error::broken ",
            "anchor: `first.md` has no heading with id `no-such-heading`\n",
        ),
    );
}

/// Panics showing both texts unless they are equal.
fn assert_text(actual: &str, expected: &str) {
    assert_eq!(
        actual, expected,
        "\n--- actual:\n{actual}\n--- expected:\n{expected}"
    );
}

#[test]
fn check_format_gitlab_writes_a_code_quality_report() {
    let guide = guide_with_problems();
    let run = check(&guide, "gitlab", &[]);
    run.expect_code(1);
    let report: Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    let mut findings = report.as_array().expect("an array").clone();
    let mut prints = std::collections::BTreeSet::new();
    for f in &mut findings {
        let print = f["fingerprint"].take();
        let print = print.as_str().expect("a fingerprint");
        assert!(
            print.len() == 32 && prints.insert(print.to_owned()),
            "{report:#}"
        );
    }
    let finding = |check: &str, severity: &str, description: &str, path: &str, line: u64| {
        serde_json::json!({
            "check_name": check, "severity": severity, "description": description,
            "fingerprint": null, "location": { "path": path, "lines": { "begin": line } },
        })
    };
    let second = "guide/content/basics/second.md";
    assert_eq!(
        findings,
        [
            finding(
                "guide/warning",
                "minor",
                "topic `unused-topic` is declared but no lesson uses it (add it to some lesson's \
                 `topics`, or remove its table from book.toml)",
                "guide/book.toml",
                6
            ),
            finding(
                "guide/error",
                "major",
                "broken link: `missing.md` is not a page of the guide",
                second,
                10
            ),
            finding(
                "guide/error",
                "major",
                "broken anchor: `first.md` has no heading with id `no-such-heading`",
                second,
                10
            ),
        ]
    );

    // --output: the report in a file, the problems for people on stderr.
    let file = guide.beside("gl-code-quality-report.json");
    let run = check(
        &guide,
        "gitlab",
        &["--output", "gl-code-quality-report.json"],
    );
    run.expect_code(1)
        .stderr_has("error: ")
        .stderr_has("check failed: 2 errors, 1 warning");
    assert_eq!(run.stdout, "");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("report")).expect("JSON");
    assert_eq!(written, report, "the same report, and stable fingerprints");

    // No problem: an empty report, exit 0.
    let clean = Guide::fixture("minimal");
    let run = check(&clean, "gitlab", &[]);
    run.ok();
    assert_eq!(run.stdout.trim(), "[]");
    check(&clean, "human", &["--output", "x.json"]).expect_code(2);
}

/// The location block of `docs/nginx.conf`, the CI files, all shown whole in `docs/publishing.md`.
fn published_files() -> [(&'static str, PathBuf); 3] {
    let docs = repo().join("docs");
    [
        ("nginx", docs.join("nginx.conf")),
        ("yaml", docs.join("publish/github-pages.yml")),
        ("yaml", docs.join("publish/gitlab-ci.yml")),
    ]
}

#[test]
fn publishing_page_shows_each_recipe_file_whole() {
    let page = std::fs::read_to_string(repo().join("docs/publishing.md")).expect("publishing.md");
    for (lang, path) in published_files() {
        let text = std::fs::read_to_string(&path).expect("recipe file");
        assert!(
            page.contains(&format!("```{lang}\n{text}```")),
            "docs/publishing.md does not show {} as it is",
            path.display()
        );
    }
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    assert!(
        readme.contains("docs/publishing.md"),
        "README links the recipes"
    );
    assert!(readme.contains("cargo install --locked --path ."));
}

fn yaml(path: &str) -> serde_norway::Value {
    let text = std::fs::read_to_string(repo().join(path)).expect("read YAML");
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid YAML: {e}"))
}

/// Every `run` line of a workflow's steps, joined.
fn runs(steps: &serde_norway::Value) -> String {
    steps
        .as_sequence()
        .expect("steps")
        .iter()
        .filter_map(|s| s.get("run").and_then(|r| r.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn github_workflow_checks_builds_and_deploys_to_pages() {
    let wf = yaml("docs/publish/github-pages.yml");
    let build = &wf["jobs"]["build"];
    let steps = &build["steps"];
    let commands = runs(steps);
    assert!(
        commands.contains("cargo install --locked --git"),
        "{commands}"
    );
    assert!(
        commands.contains("guide check --format github"),
        "{commands}"
    );
    assert!(commands.contains("guide build --out public"), "{commands}");
    let upload = steps
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-pages-artifact@"))
        })
        .expect("an upload-pages-artifact step");
    assert_eq!(upload["with"]["path"].as_str(), Some("public"));
    let deploy = &wf["jobs"]["deploy"];
    assert_eq!(deploy["needs"].as_str(), Some("build"));
    assert_eq!(deploy["permissions"]["pages"].as_str(), Some("write"));
    assert_eq!(deploy["permissions"]["id-token"].as_str(), Some("write"));
    assert!(runs(&deploy["steps"]).is_empty());
    assert!(
        deploy["steps"][0]["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/deploy-pages@"))
    );
    assert!(wf["on"]["pull_request"].is_null() && wf["on"].get("pull_request").is_some());
}

#[test]
fn gitlab_job_reports_code_quality_and_publishes_public() {
    let ci = yaml("docs/publish/gitlab-ci.yml");
    let install = ci["default"]["before_script"]
        .as_sequence()
        .expect("before_script")
        .iter()
        .filter_map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(install.contains("cargo install --locked"), "{install}");
    let check = &ci["check"];
    assert_eq!(
        check["script"][0].as_str(),
        Some("guide check --format gitlab --output gl-code-quality-report.json")
    );
    assert_eq!(
        check["artifacts"]["reports"]["codequality"].as_str(),
        Some("gl-code-quality-report.json")
    );
    assert_eq!(check["artifacts"]["when"].as_str(), Some("always"));
    let pages = &ci["pages"];
    assert_eq!(
        pages["script"][0].as_str(),
        Some("guide build --out public")
    );
    assert_eq!(pages["artifacts"]["paths"][0].as_str(), Some("public"));
    assert_eq!(pages["stage"].as_str(), Some("deploy"));
}
