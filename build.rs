//! Embeds the theme's change tracking and the version `guide --version` prints: the package
//! version, and when built from a git checkout the commit and its date (`-dirty` when the
//! sources differ from it). A build without git or outside a checkout still works.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What decides the binary: a change here can make a clean tree dirty, so the script reruns.
const SOURCES: [&str; 5] = ["src", "themes", "build.rs", "Cargo.toml", "Cargo.lock"];

fn main() {
    println!("cargo:rerun-if-changed=themes/default");
    let version = env("CARGO_PKG_VERSION");
    let described = match commit() {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=GUIDE_VERSION={described}");
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// `abc1234 2026-12-03` (or `abc1234-dirty 2026-12-03`), when the package is a git checkout's
/// top folder and git runs.
fn commit() -> Option<String> {
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let top = git(&manifest, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != manifest.canonicalize().ok()? {
        return None;
    }
    watch_head(&manifest);
    for source in SOURCES {
        println!("cargo:rerun-if-changed={source}");
    }
    let described = git(&manifest, &["log", "-1", "--format=%h %cs"])?;
    let (hash, date) = described.split_once(' ')?;
    let mut status = vec!["status", "--porcelain", "--untracked-files=no", "--"];
    status.extend(SOURCES);
    let dirty = git(&manifest, &status).is_some_and(|s| !s.is_empty());
    Some(format!(
        "{hash}{} {date}",
        if dirty { "-dirty" } else { "" }
    ))
}

/// Reruns the script when HEAD moves: HEAD itself (a branch switch) and the branch it names,
/// loose or packed. Only existing files are named, since cargo reruns for a missing one always.
fn watch_head(dir: &Path) {
    let mut files = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        files.push(branch);
    }
    for file in files {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &file])
            .map(|p| dir.join(p))
            .filter(|p| p.is_file())
        {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// What `git args` prints in `dir`, trimmed, when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
