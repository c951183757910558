//! `guide clean`: removes what guide made beside the guide — the output folder (only when it
//! carries guide's marker), the previous output kept for faster rebuilds, staging folders of
//! killed builds and the highlight cache — and nothing else.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::output::{self, MARKER};

/// What `clean` did with one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleaned {
    /// Removed; the text says what the folder was.
    Removed(PathBuf, &'static str),
    /// Left alone, with the reason.
    Kept(PathBuf, String),
}

/// Removes the generated folders of the guide at `root` (the output folder `out`, or
/// `book.toml`'s `output-dir`). Folders that are not there are not mentioned.
pub fn clean(root: &Path, out: Option<&Path>) -> Result<Vec<Cleaned>, Diagnostic> {
    let config = Config::load(root)?;
    let content = root.join(&config.build.content_dir);
    let out = out.map_or_else(|| root.join(&config.build.output_dir), Path::to_path_buf);
    let mut done = Vec::new();
    if out.exists() {
        let kept = |why: String| Cleaned::Kept(out.clone(), why);
        done.push(if !out.join(MARKER).is_file() {
            kept(format!(
                "it has no {MARKER} marker, so guide did not write it"
            ))
        } else if let Err(refusal) = output::check_target(root, &content, &out) {
            kept(refusal.0)
        } else {
            remove(&out, "the site")?
        });
    }
    for (i, dir) in output::leftovers(&out).into_iter().enumerate() {
        let what = if i == 0 {
            "the previous site, kept for faster builds"
        } else {
            "the staging folder of a build that was stopped"
        };
        if dir.join(MARKER).is_file() {
            done.push(remove(&dir, what)?);
        } else if dir.exists() {
            done.push(Cleaned::Kept(
                dir,
                format!("it has no {MARKER} marker, so guide did not write it"),
            ));
        }
    }
    let cache = crate::cache_dir(root);
    if cache.is_dir() {
        done.push(remove(&cache, "the highlight cache")?);
    }
    Ok(done)
}

fn remove(dir: &Path, what: &'static str) -> Result<Cleaned, Diagnostic> {
    std::fs::remove_dir_all(dir)
        .map_err(|e| Diagnostic::error(dir.display().to_string(), format!("cannot remove: {e}")))?;
    Ok(Cleaned::Removed(dir.to_path_buf(), what))
}
