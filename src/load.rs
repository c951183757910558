//! Reads the content folder into a [`Site`]: sections (folders with `_index.md`), lessons, their
//! front matter and bodies, in guide order. Reports every problem it finds and keeps going.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Diagnostics, display_path, line_col};
use crate::frontmatter::{self, FrontMatter};
use crate::model::{Lesson, LessonId, Section, SectionId, Site, Source};

/// What to load.
#[derive(Debug, Clone)]
pub struct LoadOptions<'a> {
    /// The guide root; paths in messages are relative to it.
    pub root: &'a Path,
    pub content_dir: &'a Path,
    /// Title of the root section when the content folder has no `_index.md`.
    pub book_title: &'a str,
    pub drafts: bool,
}

/// A Markdown file read and split, before it is placed in the tree.
struct Parsed {
    /// Folder relative to the content folder, `/`-separated, `""` for the root.
    dir: String,
    /// File stem; `_index` for section files.
    stem: String,
    source: Source,
    front: FrontMatter,
}

/// Whether a file or folder name is an editor's temporary or hidden file that is never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
}

/// Loads every section and lesson under the content folder.
pub fn load(opts: &LoadOptions<'_>) -> (Site, Diagnostics) {
    let mut diags = Diagnostics::default();
    let content = opts.content_dir;
    if !content.is_dir() {
        diags.push(
            Diagnostic::error(
                display_path(opts.root, content),
                "the content folder does not exist",
            )
            .help("create it, or set [build] content-dir in book.toml"),
        );
        let site = assemble(opts, Vec::new(), &mut diags);
        return (site, diags);
    }

    let mut files = Vec::new();
    let walker = WalkDir::new(content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(&e.file_name().to_string_lossy()));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md") => {
                files.push(e.into_path());
            }
            Ok(_) => {}
            // A dangling link with an ignored name (Emacs' `.#x.md` lock) fails before
            // `filter_entry` sees its name.
            Err(e)
                if e.path()
                    .and_then(|p| p.file_name())
                    .is_some_and(|n| is_ignored_name(&n.to_string_lossy())) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| display_path(opts.root, p))
                    .unwrap_or_default();
                let message = if e.loop_ancestor().is_some() {
                    "symbolic link loop: this folder links back to one of its parents".to_owned()
                } else {
                    format!(
                        "cannot read: {}",
                        e.io_error().map_or(e.to_string(), |io| io.to_string())
                    )
                };
                diags.push(Diagnostic::error(path, message).help("remove or fix the link or file"));
            }
        }
    }

    let results: Vec<Result<Option<Parsed>, Diagnostic>> =
        files.par_iter().map(|path| read_one(opts, path)).collect();
    let mut parsed = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(Some(p)) => parsed.push(p),
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
    }

    let site = assemble(opts, parsed, &mut diags);
    (site, diags)
}

/// Reads one Markdown file as [`load`] does: its source and front matter, `None` for a draft
/// left out. `guide serve` uses it to take in an edited lesson without loading the guide again.
pub fn read_page(
    opts: &LoadOptions<'_>,
    path: &Path,
) -> Result<Option<(Source, FrontMatter)>, Diagnostic> {
    read_one(opts, path).map(|p| p.map(|p| (p.source, p.front)))
}

fn read_one(opts: &LoadOptions<'_>, path: &Path) -> Result<Option<Parsed>, Diagnostic> {
    let file = display_path(opts.root, path);
    let rel = path.strip_prefix(opts.content_dir).unwrap_or(path);
    let dir = rel
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(&file, format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let (line, col) = line_col(&lossy, valid);
        Diagnostic::error(&file, "the file is not valid UTF-8 text")
            .at(line, col)
            .help("save it as UTF-8; if it is not a lesson, give it another extension than .md")
            .with_source(&lossy)
    })?;
    if let Some(pos) = text.find('\0') {
        let (line, col) = line_col(&text, pos);
        return Err(
            Diagnostic::error(&file, "the file contains NUL bytes: it looks binary")
                .at(line, col)
                .help("if it is not a lesson, give it another extension than .md"),
        );
    }
    let (front, body_start, body_line) = frontmatter::read(&file, &text)?;
    if front.draft && !opts.drafts {
        return Ok(None);
    }
    let mut text = text;
    let body = text.split_off(body_start);
    Ok(Some(Parsed {
        dir,
        stem,
        source: Source {
            path: file,
            disk_path: path.to_path_buf(),
            words: count_words(&body),
            body: body.into(),
            front: text.into(),
            body_line,
        },
        front,
    }))
}

/// Words of prose in a Markdown body: whitespace-separated runs holding a letter or digit,
/// outside fenced code blocks.
pub fn count_words(body: &str) -> usize {
    let mut fence: Option<(u8, usize)> = None;
    let mut words = 0;
    for line in body.lines() {
        let trimmed = line.trim_start_matches(' ');
        let marker = trimmed
            .as_bytes()
            .first()
            .copied()
            .filter(|c| *c == b'`' || *c == b'~');
        if line.len() - trimmed.len() < 4
            && let Some(c) = marker
        {
            let run = trimmed.bytes().take_while(|&b| b == c).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((c, run)),
                    Some((open, len))
                        if open == c && run >= len && trimmed[run..].trim().is_empty() =>
                    {
                        fence = None
                    }
                    Some(_) => {}
                }
                continue;
            }
        }
        if fence.is_none() {
            words += line
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
        }
    }
    words
}

/// Output name for a file stem: lower-case, with anything but letters, digits, `-`, `_` and `.`
/// turned into `-`, so that URLs need no escaping and case-only clashes are caught.
pub fn url_name(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len());
    for c in stem.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "page".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn url_dir(dir: &str) -> String {
    dir.split('/')
        .filter(|s| !s.is_empty())
        .map(url_name)
        .collect::<Vec<_>>()
        .join("/")
}

fn join_url(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_owned()
    } else {
        format!("{dir}/{file}")
    }
}

fn assemble(opts: &LoadOptions<'_>, parsed: Vec<Parsed>, diags: &mut Diagnostics) -> Site {
    let mut index_files: BTreeMap<String, Parsed> = BTreeMap::new();
    let mut lesson_files: Vec<Parsed> = Vec::new();
    for p in parsed {
        if p.stem == "_index" {
            index_files.insert(p.dir.clone(), p);
        } else {
            lesson_files.push(p);
        }
    }
    let content_display = display_path(opts.root, opts.content_dir);

    let mut site = Site::default();
    let mut section_of_dir: HashMap<String, SectionId> = HashMap::new();
    let root_parsed = index_files.remove("");
    let root_section = match root_parsed {
        Some(p) => Section {
            front: p.front,
            source: p.source,
            dir: String::new(),
            url: "index.html".into(),
            parent: None,
            sections: vec![],
            lessons: vec![],
        },
        None => Section {
            front: FrontMatter {
                title: opts.book_title.to_owned(),
                ..FrontMatter::default()
            },
            source: Source {
                path: join_url(&content_display, "_index.md"),
                disk_path: opts.content_dir.join("_index.md"),
                front: "".into(),
                body: "".into(),
                body_line: 1,
                words: 0,
            },
            dir: String::new(),
            url: "index.html".into(),
            parent: None,
            sections: vec![],
            lessons: vec![],
        },
    };
    site.sections.push(root_section);
    section_of_dir.insert(String::new(), SectionId(0));

    // BTreeMap order puts parents before children.
    let mut missing_index: BTreeMap<String, String> = BTreeMap::new();
    for (dir, p) in index_files {
        let parent_dir = dir.rsplit_once('/').map_or("", |(a, _)| a).to_owned();
        let Some(&parent) = section_of_dir.get(&parent_dir) else {
            missing_index
                .entry(parent_dir)
                .or_insert_with(|| p.source.path.clone());
            continue;
        };
        let id = SectionId(site.sections.len());
        site.sections.push(Section {
            front: p.front,
            source: p.source,
            url: join_url(&url_dir(&dir), "index.html"),
            dir: dir.clone(),
            parent: Some(parent),
            sections: vec![],
            lessons: vec![],
        });
        site.sections[parent.0].sections.push(id);
        section_of_dir.insert(dir, id);
    }

    for p in lesson_files {
        let Some(&section) = section_of_dir.get(&p.dir) else {
            missing_index.entry(p.dir.clone()).or_insert(p.source.path);
            continue;
        };
        let id = LessonId(site.lessons.len());
        site.lessons.push(Lesson {
            url: join_url(&url_dir(&p.dir), &format!("{}.html", url_name(&p.stem))),
            slug_path: join_url(&p.dir, &p.stem),
            front: p.front,
            source: p.source,
            section,
        });
        site.sections[section.0].lessons.push(id);
    }

    for (dir, example) in missing_index {
        if draft_ancestor(opts, &dir) {
            continue;
        }
        let folder = join_url(&content_display, &dir);
        diags.push(
            Diagnostic::error(
                folder.clone(),
                format!(
                    "this folder holds `{example}` but is not a section: it has no `_index.md`"
                ),
            )
            .help(format!(
                "add {folder}/_index.md with front matter such as `+++` / `title = \"…\"` / `+++`"
            )),
        );
    }

    sort_site(&mut site);
    check_url_clashes(&site, diags);
    site
}

/// True when a folder sits inside a section whose `_index.md` is a draft (so it was skipped).
fn draft_ancestor(opts: &LoadOptions<'_>, dir: &str) -> bool {
    if opts.drafts {
        return false;
    }
    let mut current = dir;
    loop {
        let index = opts.content_dir.join(current).join("_index.md");
        if let Ok(text) = std::fs::read_to_string(&index)
            && let Ok((front, _, _)) = frontmatter::read("", &text)
            && front.draft
        {
            return true;
        }
        match current.rsplit_once('/') {
            Some((parent, _)) => current = parent,
            None if !current.is_empty() => current = "",
            None => return false,
        }
    }
}

fn order_key(front: &FrontMatter, path: &str) -> (i64, String, String) {
    (front.weight, front.title.to_lowercase(), path.to_owned())
}

fn sort_site(site: &mut Site) {
    let keys_l: Vec<_> = site
        .lessons
        .iter()
        .map(|l| order_key(&l.front, &l.source.path))
        .collect();
    let keys_s: Vec<_> = site
        .sections
        .iter()
        .map(|s| order_key(&s.front, &s.source.path))
        .collect();
    for section in &mut site.sections {
        section
            .lessons
            .sort_by(|a, b| keys_l[a.0].cmp(&keys_l[b.0]));
        section
            .sections
            .sort_by(|a, b| keys_s[a.0].cmp(&keys_s[b.0]));
    }
}

fn check_url_clashes(site: &Site, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let pages = site
        .sections
        .iter()
        .map(|s| (s.url.as_str(), s.source.path.as_str()))
        .chain(
            site.lessons
                .iter()
                .map(|l| (l.url.as_str(), l.source.path.as_str())),
        );
    for (url, path) in pages {
        if let Some(first) = seen.insert(url, path) {
            diags.push(
                Diagnostic::error(
                    path,
                    format!("`{path}` and `{first}` would both be written to `{url}`"),
                )
                .help("rename one of them (names differing only in case or punctuation clash)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_names_are_safe_and_lowercase() {
        assert_eq!(url_name("Vendor Management"), "vendor-management");
        assert_eq!(url_name("a--b"), "a--b");
        assert_eq!(url_name("???"), "page");
        assert_eq!(url_name("Café"), "café");
    }

    #[test]
    fn counts_prose_words_outside_code() {
        let body = "One two, three.\n\n```rust\nlet x = 1;\n```\n\n- four **five**\n~~~\nskip me\n~~~\nsix\n";
        assert_eq!(count_words(body), 6);
    }

    #[test]
    fn ignores_editor_files() {
        for name in [".x.md.swp", "x.md~", "4913", ".#x.md", "#x.md#", ".git"] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("x.md"));
    }
}
