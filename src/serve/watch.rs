//! Watching the guide's files: content, themes and `book.toml`, whatever way an editor saves
//! (in place, write-then-rename, delete-then-create), with bursts gathered into one rebuild and
//! editors' swap and backup files ignored.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use super::builds::Builds;
use crate::load::is_ignored_name;

/// Quiet time that ends a burst of saves.
const SETTLE: Duration = Duration::from_millis(30);
/// Quiet time after a file was closed after writing or renamed into place: the save is
/// complete, and only the events that come with it are waited for. Used only when the last
/// rebuild is [`BURST`] ago or more; saves closer together are gathered with [`SETTLE`].
const DONE_SETTLE: Duration = Duration::from_millis(3);
const BURST: Duration = Duration::from_millis(250);
/// Quiet time after a rebuild before the search index is merged again.
const MERGE_AFTER: Duration = Duration::from_millis(100);
/// The longest a burst may hold back a rebuild.
const MAX_WAIT: Duration = Duration::from_millis(300);

/// Registers the watches at once (so that no save made from now on is missed) and starts the
/// thread that rebuilds on changes; a watcher that cannot start is reported, and serving goes on.
pub fn spawn(builds: Arc<Builds>) {
    let root = builds.root().to_path_buf();
    let (tx, rx) = mpsc::channel();
    let started = notify::recommended_watcher(tx).and_then(|mut watcher| {
        watcher.watch(&root, RecursiveMode::NonRecursive)?;
        let mut watched = Vec::new();
        watch_dirs(&root, &mut watcher, &mut watched);
        Ok((watcher, watched))
    });
    match started {
        Ok((watcher, watched)) => {
            std::thread::spawn(move || run(&builds, watcher, watched, &rx));
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
    builds: &Builds,
    mut watcher: notify::RecommendedWatcher,
    mut watched: Vec<PathBuf>,
    rx: &mpsc::Receiver<notify::Result<notify::Event>>,
) {
    let root = builds.root().to_path_buf();
    let content_name = watched_dirs(&root)[0]
        .strip_prefix(&root)
        .ok()
        .and_then(|p| p.iter().next())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "content".into());
    let mut last_rebuild: Option<Instant> = None;
    let mut merge_pending = false;
    loop {
        let first = if merge_pending {
            match rx.recv_timeout(MERGE_AFTER) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => {
                    builds.merge_search();
                    merge_pending = false;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            let Ok(event) = rx.recv() else {
                return;
            };
            event
        };
        let in_burst = last_rebuild.is_some_and(|t| t.elapsed() < BURST);
        let mut batch = Batch::default();
        let mut done = batch.collect(&root, &content_name, first).unwrap_or(false);
        let started = Instant::now();
        loop {
            let left = MAX_WAIT.saturating_sub(started.elapsed());
            let settle = if done && !in_burst {
                DONE_SETTLE
            } else {
                SETTLE
            };
            match rx.recv_timeout(settle.min(left)) {
                Ok(event) => {
                    if let Some(d) = batch.collect(&root, &content_name, event) {
                        done = d;
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if left.is_zero() {
                break;
            }
        }
        let mut changed = batch.changed;
        if changed.is_empty() {
            continue;
        }
        watch_dirs(&root, &mut watcher, &mut watched);
        changed.sort();
        changed.dedup();
        builds.rebuild(&changed);
        last_rebuild = Some(Instant::now());
        merge_pending = true;
    }
}

/// The folders watched recursively: the content folder and the themes folder.
fn watched_dirs(root: &Path) -> Vec<PathBuf> {
    let content = crate::config::Config::load(root)
        .map(|c| root.join(&c.build.content_dir))
        .unwrap_or_else(|_| root.join("content"));
    vec![content, root.join("themes")]
}

/// The changes gathered into one rebuild.
#[derive(Default)]
struct Batch {
    /// Paths that matter to the guide.
    changed: Vec<PathBuf>,
    /// Paths created during the batch: one of them renamed or removed before the batch ends was
    /// an editor's temporary file (`sed -i`, many "safe write" editors), never part of the site.
    created: HashSet<PathBuf>,
}

impl Batch {
    /// Keeps the paths of an event that matter to the guide. `Some(true)` when the event ends a
    /// save (a file closed after writing, or renamed into place), `Some(false)` when more may
    /// follow (a write in progress, a file moved away or removed before it is written again),
    /// `None` when nothing relevant happened.
    fn collect(
        &mut self,
        root: &Path,
        content: &str,
        event: notify::Result<notify::Event>,
    ) -> Option<bool> {
        use notify::EventKind;
        use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
        let event = event.ok()?;
        let done = match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => return None,
            EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => true,
            _ => false,
        };
        let gone = match event.kind {
            EventKind::Modify(ModifyKind::Name(RenameMode::From)) | EventKind::Remove(_) => {
                event.paths.first()
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) if event.paths.len() == 2 => {
                event.paths.first()
            }
            _ => None,
        };
        let transient = gone.filter(|p| self.created.contains(*p)).cloned();
        if let Some(path) = &transient {
            self.changed.retain(|p| p != path);
        }
        let created = matches!(event.kind, EventKind::Create(_));
        let before = self.changed.len();
        for path in event.paths {
            if Some(&path) == transient.as_ref() || !relevant(root, content, &path) {
                continue;
            }
            if created {
                self.created.insert(path.clone());
            }
            self.changed.push(path);
        }
        (self.changed.len() > before || (transient.is_some() && done)).then_some(done)
    }
}

/// Whether a changed path can change the site: `book.toml`, `glossary.toml`, or a file under the content or
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
        Some("book.toml" | crate::glossary::FILE) => parts.len() == 1,
        Some("themes") => true,
        Some(first) => first == content,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RenameMode};
    use notify::{Event, EventKind};

    #[test]
    fn a_save_is_complete_once_closed_or_renamed_into_place() {
        let root = Path::new("/g");
        let at = |kind: EventKind, rel: &str| {
            let mut batch = Batch::default();
            let event = Event::new(kind).add_path(root.join(rel));
            (
                batch.collect(root, "content", Ok(event)),
                batch.changed.len(),
            )
        };
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let moved_in = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        let moved_away = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        let opened = EventKind::Access(AccessKind::Open(AccessMode::Any));
        let created = EventKind::Create(CreateKind::File);
        assert_eq!(at(write, "content/a.md"), (Some(false), 1));
        assert_eq!(at(created, "content/a.md"), (Some(false), 1));
        assert_eq!(at(moved_away, "content/a.md"), (Some(false), 1));
        assert_eq!(at(closed, "content/a.md"), (Some(true), 1));
        assert_eq!(at(moved_in, "content/a.md"), (Some(true), 1));
        assert_eq!(at(opened, "content/a.md"), (None, 0));
        assert_eq!(at(closed, "content/.a.md.swp"), (None, 0));
        assert_eq!(at(closed, "content/4913"), (None, 0));
        assert_eq!(at(closed, "public/a.html"), (None, 0));
        assert_eq!(at(closed, "book.toml"), (Some(true), 1));
    }

    #[test]
    fn a_temporary_file_renamed_into_place_is_not_a_change() {
        let root = Path::new("/g");
        let temp = root.join("content/basics/sedAb12Cd");
        let lesson = root.join("content/basics/first.md");
        let mut batch = Batch::default();
        let mut done = None;
        for (kind, paths) in [
            (EventKind::Create(CreateKind::File), vec![temp.clone()]),
            (
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                vec![temp.clone()],
            ),
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                vec![temp.clone()],
            ),
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                vec![lesson.clone()],
            ),
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                vec![temp.clone(), lesson.clone()],
            ),
        ] {
            let mut event = Event::new(kind);
            event.paths = paths;
            done = batch.collect(root, "content", Ok(event)).or(done);
        }
        batch.changed.dedup();
        assert_eq!(batch.changed, vec![lesson.clone()]);
        assert_eq!(done, Some(true));

        // A file that was there before the batch and is moved away is a change (a deletion).
        let mut batch = Batch::default();
        let mut event = Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::From)));
        event.paths = vec![lesson.clone()];
        assert_eq!(batch.collect(root, "content", Ok(event)), Some(false));
        assert_eq!(batch.changed, vec![lesson]);
    }
}
