//! Writing the site safely: into a staging folder beside the output folder, swapped in only when
//! the build succeeded; an output folder is only ever replaced if guide's marker shows guide made
//! it, and dangerous targets are refused.

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file guide leaves in every output folder it writes.
pub const MARKER: &str = ".guide-output";
const MARKER_TEXT: &str =
    "This folder is written by `guide build`, which replaces it on each build.\n";

/// Where rendered files go: a folder on disk, memory, or nowhere (`guide check`).
pub trait Sink: Sync {
    /// Writes `bytes` at `path`, a `/`-separated path relative to the site root.
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()>;

    /// Opens `path` for streaming a large file (such as `print.html`).
    fn open(&self, path: &str) -> io::Result<Box<dyn io::Write + '_>>;
}

/// Discards everything: used by `guide check`.
pub struct NullSink;

impl Sink for NullSink {
    fn write(&self, _path: &str, _bytes: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn open(&self, _path: &str) -> io::Result<Box<dyn io::Write + '_>> {
        Ok(Box::new(io::sink()))
    }
}

/// Files kept in memory, by path relative to the site root.
#[derive(Default)]
pub struct MemorySink {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemorySink {
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_owned(), bytes.to_vec());
        Ok(())
    }

    fn open(&self, path: &str) -> std::io::Result<Box<dyn std::io::Write + '_>> {
        Ok(Box::new(MemoryFile {
            sink: self,
            path: path.to_owned(),
            bytes: Vec::new(),
        }))
    }
}

struct MemoryFile<'a> {
    sink: &'a MemorySink,
    path: String,
    bytes: Vec<u8>,
}

impl std::io::Write for MemoryFile<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sink.write(&self.path, &self.bytes)
    }
}

/// Why an output folder is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

/// Checks that `out` may be replaced by a build of the guide at `root` with content in `content`.
pub fn check_target(root: &Path, content: &Path, out: &Path) -> Result<(), Refusal> {
    let out_abs = absolute(out);
    let root_abs = absolute(root);
    let content_abs = absolute(content);
    let shown = out.display();
    if out_abs.parent().is_none() {
        return Err(Refusal(format!(
            "refusing to write the site to `{shown}`: it is the file system root"
        )));
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && !home.as_os_str().is_empty()
        && absolute(&home) == out_abs
    {
        return Err(Refusal(format!(
            "refusing to write the site to `{shown}`: it is your home folder"
        )));
    }
    if content_abs.starts_with(&out_abs) {
        return Err(Refusal(format!(
            "refusing to write the site to `{shown}`: it holds the content folder, which a build would replace"
        )));
    }
    if root_abs.starts_with(&out_abs) {
        return Err(Refusal(format!(
            "refusing to write the site to `{shown}`: it holds the guide itself, which a build would replace"
        )));
    }
    if out_abs.starts_with(&content_abs) {
        return Err(Refusal(format!(
            "refusing to write the site to `{shown}`: it is inside the content folder"
        )));
    }
    if out_abs.exists() {
        if !out_abs.is_dir() {
            return Err(Refusal(format!(
                "refusing to write the site to `{shown}`: it is a file"
            )));
        }
        let has_marker = out_abs.join(MARKER).is_file();
        let empty = std::fs::read_dir(&out_abs)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !has_marker && !empty {
            return Err(Refusal(format!(
                "refusing to write the site to `{shown}`: it holds files that guide did not write (no {MARKER} marker); empty it or choose another folder"
            )));
        }
    }
    Ok(())
}

/// Makes a path absolute and lexically normal, without touching the file system for missing parts.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let canonical = std::fs::canonicalize(&joined);
    let joined = canonical.unwrap_or(joined);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A staging folder next to the output folder; [`Staging::commit`] swaps it in.
///
/// The output it replaces is kept beside it as `.<name>.previous` and becomes the next build's
/// staging folder: files are rewritten in place and the ones no longer written are removed, which
/// is much faster than creating every file anew on file systems slow to allocate new files.
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    /// Set when the folder is a previous output being rewritten: what this build wrote.
    written: Option<Mutex<HashSet<PathBuf>>>,
}

impl Staging {
    /// Prepares a staging folder beside `out` (removing stale ones from killed builds).
    pub fn create(out: &Path) -> io::Result<Staging> {
        let out = absolute(out);
        let parent = out.parent().map(Path::to_path_buf).unwrap_or_default();
        std::fs::create_dir_all(&parent)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        remove_stale(&parent, &name);
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            remove_tree(&dir)?;
        }
        let previous = previous_dir(&out);
        let reused = previous.join(MARKER).is_file() && std::fs::rename(&previous, &dir).is_ok();
        if !reused {
            std::fs::create_dir(&dir)?;
        }
        std::fs::write(dir.join(MARKER), MARKER_TEXT)?;
        Ok(Staging {
            dir,
            out,
            written: reused.then(|| Mutex::new(HashSet::new())),
        })
    }

    /// Swaps the staged site in place of the output folder.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(written) = self.written.take() {
            let written = written.into_inner().unwrap_or_else(|e| e.into_inner());
            prune(&self.dir, &written)?;
        }
        let dir = self.dir.clone();
        let out = self.out.clone();
        std::mem::forget(self);
        let previous = previous_dir(&out);
        if out.exists() {
            if exchange(&dir, &out).is_ok() {
                return keep_as_previous(&dir, &previous);
            }
            let old = out.with_file_name(format!(
                ".{}.old-{}",
                out.file_name().unwrap_or_default().to_string_lossy(),
                std::process::id()
            ));
            std::fs::rename(&out, &old)?;
            std::fs::rename(&dir, &out)?;
            return keep_as_previous(&old, &previous);
        }
        std::fs::rename(&dir, &out)
    }

    fn record(&self, path: &Path) {
        if let Some(written) = &self.written {
            written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.to_path_buf());
        }
    }
}

/// Where the output replaced by the last build is kept for reuse.
fn previous_dir(out: &Path) -> PathBuf {
    out.with_file_name(format!(
        ".{}.previous",
        out.file_name().unwrap_or_default().to_string_lossy()
    ))
}

fn keep_as_previous(dir: &Path, previous: &Path) -> io::Result<()> {
    if previous.exists() {
        remove_tree(previous)?;
    }
    if std::fs::rename(dir, previous).is_err() {
        return remove_tree(dir);
    }
    Ok(())
}

/// Removes every file under `dir` that this build did not write (and folders left empty).
fn prune(dir: &Path, written: &HashSet<PathBuf>) -> io::Result<()> {
    for entry in walkdir::WalkDir::new(dir).min_depth(1).contents_first(true) {
        let entry = entry.map_err(io::Error::other)?;
        let path = entry.path();
        if entry.file_type().is_dir() {
            let _ = std::fs::remove_dir(path);
        } else if !written.contains(path) && entry.file_name() != MARKER {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.written.is_some() {
            let previous = previous_dir(&self.out);
            if std::fs::rename(&self.dir, &previous).is_ok() {
                return;
            }
        }
        let _ = remove_tree(&self.dir);
    }
}

impl Sink for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.dir.join(path);
        self.record(&target);
        match std::fs::write(&target, bytes) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&target, bytes)
            }
            other => other,
        }
    }

    fn open(&self, path: &str) -> io::Result<Box<dyn io::Write + '_>> {
        let target = self.dir.join(path);
        self.record(&target);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        Ok(Box::new(std::fs::File::create(target)?))
    }
}

/// Removes a folder tree, its top-level entries in parallel (a site has many files) and the
/// marker last: a build killed half-way leaves a folder that still shows it is guide's, which
/// the next build removes.
fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<_> = std::fs::read_dir(dir)?.flatten().collect();
    entries
        .par_iter()
        .filter(|entry| entry.file_name() != MARKER)
        .try_for_each(|entry| {
            if entry.file_type()?.is_dir() {
                std::fs::remove_dir_all(entry.path())
            } else {
                std::fs::remove_file(entry.path())
            }
        })?;
    match std::fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::remove_dir(dir)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::other("atomic exchange is not available"))
}

/// Removes staging and old folders left by builds that were killed: those that carry the marker,
/// and empty ones (killed between creating the folder and writing the marker). Folders of a
/// build still running beside this one are left alone.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let staging = format!(".{name}.staging-");
    let old = format!(".{name}.old-");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file
            .strip_prefix(&staging)
            .or_else(|| file.strip_prefix(&old))
        else {
            continue;
        };
        if is_running(pid) {
            continue;
        }
        if entry.path().join(MARKER).is_file() {
            let _ = remove_tree(&entry.path());
        } else {
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}

/// Whether `pid` names another process that is still running (known on Linux only).
fn is_running(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    pid != std::process::id()
        && Path::new("/proc/self").exists()
        && Path::new("/proc").join(pid.to_string()).exists()
}

/// What builds leave beside `out`, for `guide clean`: first the previous output kept for reuse,
/// then the staging and old folders of builds that were stopped (not those of a build still running).
pub fn leftovers(out: &Path) -> Vec<PathBuf> {
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    let prefixes = [format!(".{name}.staging-"), format!(".{name}.old-")];
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    let mut found = vec![previous_dir(out)];
    for entry in std::fs::read_dir(parent.unwrap_or(Path::new(".")))
        .into_iter()
        .flatten()
        .flatten()
    {
        let file = entry.file_name().to_string_lossy().into_owned();
        let pid = prefixes.iter().find_map(|p| file.strip_prefix(p.as_str()));
        if pid.is_some_and(|pid| !is_running(pid)) {
            found.push(out.with_file_name(&file));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_targets() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("guide");
        let content = root.join("content");
        std::fs::create_dir_all(&content).unwrap();
        assert!(check_target(&root, &content, &content).is_err());
        assert!(check_target(&root, &content, &root).is_err());
        assert!(check_target(&root, &content, tmp.path()).is_err());
        assert!(check_target(&root, &content, Path::new("/")).is_err());
        assert!(check_target(&root, &content, &content.join("out")).is_err());
        let foreign = tmp.path().join("foreign");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "mine").unwrap();
        assert!(check_target(&root, &content, &foreign).is_err());
        assert!(check_target(&root, &content, &root.join("public")).is_ok());
    }

    #[test]
    fn staging_swaps_and_drop_leaves_previous() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let s = Staging::create(&out).unwrap();
        s.write("a/b.html", b"one").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read(out.join("a/b.html")).unwrap(), b"one");
        let s = Staging::create(&out).unwrap();
        s.write("a/b.html", b"two").unwrap();
        drop(s);
        assert_eq!(std::fs::read(out.join("a/b.html")).unwrap(), b"one");
        let s = Staging::create(&out).unwrap();
        s.write("c.html", b"three").unwrap();
        s.commit().unwrap();
        assert!(!out.join("a/b.html").exists());
        assert!(out.join(MARKER).is_file());
        let mut left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".public.previous", "public"]);
        let s = Staging::create(&out).unwrap();
        s.write("d.html", b"four").unwrap();
        s.commit().unwrap();
        let mut files: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [MARKER, "d.html"],
            "stale files of the reused folder are pruned"
        );
    }
}
