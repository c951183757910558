//! Watching the guide's files: content, themes and `book.toml`, whatever way an editor saves
//! (in place, write-then-rename, delete-then-create), with bursts gathered into one rebuild and
//! editors' swap and backup files ignored.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use super::Server;
use crate::load::is_ignored_name;

/// Quiet time that ends a burst of saves.
const SETTLE: Duration = Duration::from_millis(30);
/// The longest a burst may hold back a rebuild.
const MAX_WAIT: Duration = Duration::from_millis(300);

/// Registers the watches at once (so that no save made from now on is missed) and starts the
/// thread that rebuilds on changes; a watcher that cannot start is reported, and serving goes on.
pub fn spawn(server: Arc<Server>) {
    let root = server.opts.root.clone();
    let (tx, rx) = mpsc::channel();
    let started = notify::recommended_watcher(tx).and_then(|mut watcher| {
        watcher.watch(&root, RecursiveMode::NonRecursive)?;
        let mut watched = Vec::new();
        watch_dirs(&root, &mut watcher, &mut watched);
        Ok((watcher, watched))
    });
    match started {
        Ok((watcher, watched)) => {
            std::thread::spawn(move || run(&server, watcher, watched, &rx));
        }
        Err(e) => {
            eprintln!("warning: cannot watch the guide's files ({e}); saves will not be picked up");
        }
    }
}

/// Watches the content and themes folders that exist and are not watched yet.
fn watch_dirs(root: &Path, watcher: &mut notify::RecommendedWatcher, watched: &mut Vec<PathBuf>) {
    for dir in watched_dirs(root) {
        if dir.is_dir()
            && !watched.contains(&dir)
            && watcher.watch(&dir, RecursiveMode::Recursive).is_ok()
        {
            watched.push(dir);
        }
    }
}

fn run(
    server: &Server,
    mut watcher: notify::RecommendedWatcher,
    mut watched: Vec<PathBuf>,
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
) {
    let root = server.opts.root.clone();
    let content_name = watched_dirs(&root)[0]
        .strip_prefix(&root)
        .ok()
        .and_then(|p| p.iter().next())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "content".into());
    loop {
        let Ok(first) = rx.recv() else {
            return;
        };
        let mut changed: Vec<PathBuf> = Vec::new();
        collect(&root, &content_name, first, &mut changed);
        let started = Instant::now();
        loop {
            let left = MAX_WAIT.saturating_sub(started.elapsed());
            match rx.recv_timeout(SETTLE.min(left)) {
                Ok(event) => collect(&root, &content_name, event, &mut changed),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if left.is_zero() {
                break;
            }
        }
        if changed.is_empty() {
            continue;
        }
        watch_dirs(&root, &mut watcher, &mut watched);
        changed.sort();
        changed.dedup();
        server.rebuild(&changed);
    }
}

/// The folders watched recursively: the content folder and the themes folder.
fn watched_dirs(root: &Path) -> Vec<PathBuf> {
    let content = crate::config::Config::load(root)
        .map(|c| root.join(&c.build.content_dir))
        .unwrap_or_else(|_| root.join("content"));
    vec![content, root.join("themes")]
}

/// Keeps the paths of an event that matter to the guide.
fn collect(
    root: &Path,
    content: &str,
    event: notify::Result<notify::Event>,
    changed: &mut Vec<PathBuf>,
) {
    let Ok(event) = event else { return };
    if event.kind.is_access() {
        return;
    }
    for path in event.paths {
        if relevant(root, content, &path) {
            changed.push(path);
        }
    }
}

/// Whether a changed path can change the site: `book.toml`, or a file under the content or
/// themes folders that is not an editor's temporary file.
fn relevant(root: &Path, content: &str, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.iter().any(|p| is_ignored_name(p)) {
        return false;
    }
    match parts.first().map(String::as_str) {
        Some("book.toml") => parts.len() == 1,
        Some("themes") => true,
        Some(first) => first == content,
        None => false,
    }
}
