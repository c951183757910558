//! The bundled course's downloadable artefacts: every file in a `files/` folder of the content is
//! linked from a lesson that shows it verbatim, is copied by the build, and every script among
//! them prints exactly the output its lesson shows (and fails loudly on missing input).

use crate::support::{Guide, Site};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::path::{Path, PathBuf};
use std::process::Command;
use walkdir::WalkDir;

/// A lesson of the bundled course: its path in the content folder, links and fenced blocks.
struct Lesson {
    rel: String,
    links: Vec<String>,
    blocks: Vec<(String, String)>,
}

fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

fn lessons() -> Vec<Lesson> {
    let root = content_dir();
    WalkDir::new(&root)
        .into_iter()
        .map(|e| e.expect("content folder readable"))
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).expect("lesson readable");
            let rel = rel_path(&root, e.path());
            let (mut links, mut blocks, mut open) = (Vec::new(), Vec::new(), None);
            for event in Parser::new(&text) {
                match event {
                    Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                        open = Some((info.to_string(), String::new()))
                    }
                    Event::Text(t) => {
                        if let Some((_, body)) = open.as_mut() {
                            body.push_str(&t);
                        }
                    }
                    Event::End(TagEnd::CodeBlock) => blocks.extend(open.take()),
                    _ => {}
                }
            }
            Lesson { rel, links, blocks }
        })
        .collect()
}

fn rel_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("under the root")
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every file in a `files/` folder of the content, by its path in the content folder.
fn artefacts() -> Vec<String> {
    let root = content_dir();
    WalkDir::new(&root)
        .into_iter()
        .map(|e| e.expect("content folder readable"))
        .filter(|e| {
            e.file_type().is_file()
                && e.path()
                    .parent()
                    .is_some_and(|p| p.file_name().is_some_and(|n| n == "files"))
        })
        .map(|e| rel_path(&root, e.path()))
        .collect()
}

/// The lessons that link to the artefact `rel` (both paths in the content folder).
fn linking<'a>(lessons: &'a [Lesson], rel: &str) -> Vec<&'a Lesson> {
    lessons
        .iter()
        .filter(|l| {
            l.links.iter().any(|href| {
                let href = href.split(['#', '?']).next().unwrap_or_default();
                crate::support::resolve(&l.rel, href).as_deref() == Some(rel)
            })
        })
        .collect()
}

fn interpreter(rel: &str) -> Option<&'static str> {
    match Path::new(rel).extension()?.to_str()? {
        "py" => Some("python3"),
        "sh" => Some("bash"),
        _ => None,
    }
}

fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

#[test]
fn every_artefact_is_linked_shown_verbatim_and_copied_by_the_build() {
    let lessons = lessons();
    let files = artefacts();
    assert!(files.len() >= 20, "the course has downloads: {files:?}");
    let guide = Guide::empty();
    let out = guide.beside("out");
    let root = env!("CARGO_MANIFEST_DIR");
    guide
        .run(&["build", "--root", root, "--out", out.to_str().unwrap()])
        .ok();
    let site = Site::at(out);
    for rel in &files {
        let text = std::fs::read_to_string(content_dir().join(rel)).expect("artefact is text");
        let from = linking(&lessons, rel);
        assert!(!from.is_empty(), "no lesson links to the artefact {rel}");
        assert!(
            from.iter().any(|l| l
                .blocks
                .iter()
                .any(|(_, b)| b.trim_end() == text.trim_end())),
            "none of {:?} shows {rel} verbatim in a fenced block",
            from.iter().map(|l| &l.rel).collect::<Vec<_>>()
        );
        // Output names are lower-case (`files/Dockerfile` is copied as `files/dockerfile`).
        assert_eq!(
            site.page(&rel.to_lowercase()),
            text,
            "the build's copy of {rel} differs from the content's"
        );
    }
}

#[test]
fn every_script_prints_what_its_lesson_shows_and_fails_loudly_without_its_input() {
    let lessons = lessons();
    let scripts: Vec<(String, &str)> = artefacts()
        .into_iter()
        .filter_map(|rel| interpreter(&rel).map(|i| (rel, i)))
        .collect();
    assert!(scripts.len() >= 5, "the course has scripts: {scripts:?}");
    for (rel, program) in &scripts {
        if !have(program) {
            assert!(
                std::env::var_os("GUIDE_REQUIRE_BROWSER").is_none(),
                "{program} is required to run {rel}"
            );
            eprintln!("skipped: {program} not found, {rel} not run");
            continue;
        }
        let path = content_dir().join(rel);
        let dir = path.parent().expect("in a files folder");
        let name = path.file_name().expect("a file").to_owned();
        let run = Command::new(program)
            .arg(&name)
            .current_dir(dir)
            .output()
            .expect("the interpreter starts");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{rel} failed: {}\n{stdout}",
            String::from_utf8_lossy(&run.stderr)
        );
        let shown = linking(&lessons, rel).into_iter().any(|l| {
            l.blocks
                .iter()
                .any(|(info, b)| info == "text" && b.trim_end() == stdout.trim_end())
        });
        assert!(
            shown,
            "no lesson linking {rel} shows its output in a ```text block:\n{stdout}"
        );

        let source = std::fs::read_to_string(&path).expect("script readable");
        if source.contains("sys.argv") || source.contains("$1") || source.contains("${1") {
            let missing = Command::new(program)
                .arg(&name)
                .arg("no-such-input.file")
                .current_dir(dir)
                .output()
                .expect("the interpreter starts");
            assert!(
                !missing.status.success(),
                "{rel} reports success when its input file is missing"
            );
            let stderr = String::from_utf8_lossy(&missing.stderr);
            assert!(
                stderr.contains("no-such-input.file"),
                "{rel} should name the missing file on stderr, said: {stderr}"
            );
        }
    }
}
