//! Internal links: relative links to a page's Markdown file, its folder or its output file (as
//! mdBook authors write them, `x.html` or `x/index.html`) are rewritten to the target page's URL
//! and checked, anchors included, with the nearest existing path or heading suggested.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::diagnostics::Diagnostic;
use crate::markdown::{Heading, LinkResolver, MarkdownIssue, OutLink};
use crate::model::{PageId, Site};
use crate::suggest;
use crate::urls;

/// Prefix of internal link destinations in rendered HTML, replaced by each page's way back to the
/// site root when the page is written (so one rendering serves pages at any depth).
pub const ROOT_MARK: &str = "guide-root:/";

/// Every page by its source path relative to the content folder (`ops/budget.md`,
/// `ops/_index.md`), and by the output files a link may name instead.
pub struct LinkIndex {
    by_path: HashMap<String, PageId>,
    /// Output file names of each page, both as the source folders are named and as the output's
    /// are: `Ops/Budget.html` and `ops/budget.html`, and a lesson's `ops/budget/index.html` as
    /// `pretty-urls` would write it.
    by_html: HashMap<String, PageId>,
}

impl LinkIndex {
    pub fn new(site: &Site) -> Self {
        let mut by_path = HashMap::with_capacity(site.lessons.len() + site.sections.len());
        for (i, s) in site.sections.iter().enumerate() {
            let id = PageId::Section(crate::model::SectionId(i));
            let path = if s.dir.is_empty() {
                "_index.md".to_owned()
            } else {
                format!("{}/_index.md", s.dir)
            };
            by_path.insert(path, id);
        }
        for (i, l) in site.lessons.iter().enumerate() {
            by_path.insert(
                format!("{}.md", l.slug_path),
                PageId::Lesson(crate::model::LessonId(i)),
            );
        }
        let mut by_html = HashMap::with_capacity(by_path.len() * 4);
        for (path, &id) in &by_path {
            by_html.insert(html_name(path), id);
            by_html.insert(site.page_url(id).to_owned(), id);
        }
        for (path, &id) in &by_path {
            if let PageId::Lesson(_) = id {
                let url = site.page_url(id);
                for stem in [&path[..path.len() - 3], &url[..url.len() - 5]] {
                    by_html.entry(format!("{stem}/index.html")).or_insert(id);
                }
            }
        }
        Self { by_path, by_html }
    }

    /// The page a link from a page in content folder `dir` points at, if it names a page.
    /// `path` is a link destination as written (percent-encoded where it needs to be).
    pub fn target(&self, dir: &str, path: &str) -> Option<PageId> {
        let path = percent_decode_str(path).decode_utf8().ok()?;
        let path = path.as_ref();
        let joined = urls::join_normalized(dir, path)?;
        if is_html(path) {
            return self.by_html.get(&joined).copied().or_else(|| {
                let from_output = urls::join_normalized(&output_dir(dir), path)?;
                self.by_html.get(&from_output).copied()
            });
        }
        if let Some(&id) = self.by_path.get(&joined) {
            return Some(id);
        }
        let as_section = if joined.is_empty() {
            "_index.md".to_owned()
        } else {
            format!("{joined}/_index.md")
        };
        let last = path.rsplit('/').next().unwrap_or("");
        if last.is_empty() || last == ".." || last == "." || !last.contains('.') {
            return self.by_path.get(&as_section).copied();
        }
        None
    }

    fn nearest(&self, dir: &str, path: &str) -> Option<String> {
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let joined = urls::join_normalized(dir, &decoded).unwrap_or_default();
        if is_html(&decoded) {
            let names: Vec<String> = self.by_path.keys().map(|p| html_name(p)).collect();
            let best = suggest::nearest(&joined, names.iter().map(String::as_str))?;
            return Some(relative_source(dir, best));
        }
        let best = suggest::nearest(&joined, self.by_path.keys().map(String::as_str))?;
        Some(relative_source(dir, best))
    }
}

/// The output file name of a page's source path as it is written: `a/_index.md` →
/// `a/index.html`, `a/b.md` → `a/b.html`.
fn html_name(source: &str) -> String {
    let stem = &source[..source.len() - 3];
    match stem.strip_suffix("_index") {
        Some(dir) => format!("{dir}index.html"),
        None => format!("{stem}.html"),
    }
}

/// The output folder of content folder `dir`, where links written against output files start.
fn output_dir(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        asset_url(dir)
    }
}

/// Whether a destination names a page's output file (`x.html`, `x/index.html`).
fn is_html(path: &str) -> bool {
    path.ends_with(".html")
}

/// Characters a Markdown link destination cannot hold as they are.
const LINK_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'(')
    .add(b')')
    .add(b'<')
    .add(b'>')
    .add(b'%');

/// `best` (content-relative) written relative to `dir`, as an author would link it.
fn relative_source(dir: &str, best: &str) -> String {
    let from = if dir.is_empty() {
        "x".to_owned()
    } else {
        format!("{dir}/x")
    };
    utf8_percent_encode(&urls::relative_between(&from, best), LINK_UNSAFE).to_string()
}

/// Splits `a.md#b` into path and fragment (without `#`).
pub fn split_fragment(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    }
}

/// Whether a destination is a link to another Markdown page (rather than external or an asset).
fn is_page_link(path: &str) -> bool {
    path.ends_with(".md") || path.ends_with('/')
}

/// Files of the content folder that pages link to (images, downloads), to copy to the output:
/// output path → file on disk.
#[derive(Debug, Default)]
pub struct Assets {
    files: Mutex<BTreeMap<String, PathBuf>>,
}

impl Assets {
    /// Every asset linked so far, by output path.
    pub fn take(&self) -> BTreeMap<String, PathBuf> {
        std::mem::take(&mut *self.files.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Resolves the links of one page whose source sits in content folder `dir`.
pub struct PageLinks<'a> {
    pub index: &'a LinkIndex,
    pub site: &'a Site,
    pub dir: &'a str,
    /// The content folder on disk, canonical.
    pub content_dir: &'a Path,
    pub assets: &'a Assets,
}

impl PageLinks<'_> {
    /// Whether a link that leads to no page was meant for one (and is broken) rather than for a
    /// file: a `.md` or folder link, or an `.html` link unless the content folder holds that
    /// file. An `.html` path leaving the folder counts as a file, for the asset check to report.
    fn names_page(&self, path: &str) -> bool {
        if is_page_link(path) {
            return true;
        }
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        is_html(path)
            && urls::join_normalized(self.dir, &decoded)
                .is_some_and(|rel| !self.content_dir.join(rel).is_file())
    }

    /// A relative link to a file that is not a page: checked on disk, recorded for copying.
    fn resolve_asset(
        &self,
        link: &OutLink,
        path: &str,
        rest: &str,
    ) -> Result<String, MarkdownIssue> {
        let issue = |message: String, help: Option<String>| MarkdownIssue {
            line: link.line,
            col: link.col,
            message,
            help,
        };
        let what = if link.is_image { "image" } else { "file" };
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        let Some(rel) = urls::join_normalized(self.dir, &decoded) else {
            return Err(issue(
                format!("broken {what} link: `{path}` points outside the content folder"),
                None,
            ));
        };
        let disk = self.content_dir.join(&rel);
        let inside = std::fs::canonicalize(&disk)
            .ok()
            .filter(|p| p.starts_with(self.content_dir));
        match inside {
            Some(file) if file.is_file() => {
                let out = asset_url(&rel);
                self.assets
                    .files
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(out.clone(), file);
                Ok(format!("{ROOT_MARK}{out}{rest}"))
            }
            Some(_) => Err(issue(
                format!("broken {what} link: `{path}` is a folder, not a file"),
                None,
            )),
            None => {
                let folder = disk.parent().map(Path::to_path_buf).unwrap_or_default();
                let names: Vec<String> = std::fs::read_dir(&folder)
                    .map(|d| {
                        d.flatten()
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                let file_name = decoded.rsplit('/').next().unwrap_or(&decoded);
                let help = suggest::nearest(file_name, names.iter().map(String::as_str)).map(|n| {
                    let prefix = &path[..path.len() - path.rsplit('/').next().unwrap_or("").len()];
                    format!(
                        "did you mean `{}`?",
                        utf8_percent_encode(&format!("{prefix}{n}"), LINK_UNSAFE)
                    )
                });
                Err(issue(
                    format!("broken {what} link: `{path}` does not exist"),
                    help,
                ))
            }
        }
    }
}

/// Output path of a content file: folders and name made URL-safe like pages' are.
pub fn asset_url(rel: &str) -> String {
    rel.split('/')
        .map(crate::load::url_name)
        .collect::<Vec<_>>()
        .join("/")
}

impl LinkResolver for PageLinks<'_> {
    fn resolve(&self, link: &OutLink) -> Result<String, MarkdownIssue> {
        let dest = link.dest.as_str();
        if urls::is_external(dest) || dest.starts_with('#') || dest.is_empty() {
            return Ok(dest.to_owned());
        }
        let (path, fragment) = split_fragment(dest);
        let page = if link.is_image {
            None
        } else {
            self.index.target(self.dir, path)
        };
        if page.is_none() && (link.is_image || !self.names_page(path)) {
            let cut = path.find('?').unwrap_or(path.len());
            return self.resolve_asset(link, &path[..cut], &dest[cut..]);
        }
        match page {
            Some(page) => {
                let mut out = format!("{ROOT_MARK}{}", self.site.page_url(page));
                if let Some(f) = fragment {
                    out.push('#');
                    out.push_str(f);
                }
                Ok(out)
            }
            None => Err(MarkdownIssue {
                line: link.line,
                col: link.col,
                message: format!("broken link: `{path}` is not a page of the guide"),
                help: self
                    .index
                    .nearest(self.dir, path)
                    .map(|p| format!("did you mean `{p}`?")),
            }),
        }
    }
}

/// Checks `#anchor`s of links to pages against the target pages' heading ids.
pub fn check_anchors<'h>(
    site: &Site,
    index: &LinkIndex,
    page: PageId,
    links: &[OutLink],
    own_headings: &'h [Heading],
    headings_of: &dyn Fn(PageId) -> &'h [Heading],
) -> Vec<Diagnostic> {
    let source = site.page_source(page);
    let dir = site.page_dir(page);
    let mut out = Vec::new();
    for link in links {
        if link.is_image || urls::is_external(&link.dest) {
            continue;
        }
        let (path, Some(fragment)) = split_fragment(&link.dest) else {
            continue;
        };
        if fragment.is_empty() {
            continue;
        }
        let decoded = percent_decode_str(fragment).decode_utf8_lossy();
        let fragment = decoded.as_ref();
        let (target_headings, shown) = if path.is_empty() {
            (own_headings, "this page".to_owned())
        } else if is_page_link(path)
            || is_html(path)
            || !path.rsplit('/').next().unwrap_or("").contains('.')
        {
            match index.target(dir, path) {
                Some(target) => (headings_of(target), format!("`{path}`")),
                None => continue,
            }
        } else {
            continue;
        };
        if target_headings.iter().any(|h| h.id == fragment) {
            continue;
        }
        let help = suggest::did_you_mean(fragment, target_headings.iter().map(|h| h.id.as_str()));
        out.push(
            Diagnostic::error(
                &source.path,
                format!("broken anchor: {shown} has no heading with id `{fragment}`"),
            )
            .at(link.line, link.col)
            .help_opt(help),
        );
    }
    out
}
