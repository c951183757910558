//! The theme: Tera templates and static assets, from the default theme embedded in the binary,
//! overridden file by file by the guide's own `themes/<name>/`. Assets get content hashes in their
//! names.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use include_dir::{Dir, include_dir};
use tera::{ErrorKind, Tera};
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, display_path};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A file of the theme and where it came from (for messages).
#[derive(Debug, Clone)]
struct ThemeFile {
    /// Path inside the theme, e.g. `templates/lesson.html`.
    path: String,
    /// Shown in messages: the guide's file or `<embedded default theme>/…`.
    origin: String,
    bytes: Vec<u8>,
}

/// A static asset as written to the output.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path in the output, e.g. `static/css/tokens.1a2b3c4d.css`.
    pub out_path: String,
    pub bytes: Vec<u8>,
}

/// Templates compiled and assets named, ready for rendering.
#[derive(Clone)]
pub struct Theme {
    pub tera: Tera,
    /// Names of block templates (`compare` for `templates/blocks/compare.html`).
    pub blocks: HashSet<String>,
    /// Static path (`css/tokens.css`) → asset.
    pub assets: BTreeMap<String, Asset>,
    /// Template name → (the file it came from, its text), for messages.
    origins: BTreeMap<String, (String, String)>,
}

/// The default theme's stylesheets in cascade order, as `partials/styles.html` links them: each
/// layer may override the ones before it, and `highlight.css` (generated) comes last.
pub const STYLESHEETS: [&str; 17] = [
    "css/tokens.css",
    "css/base.css",
    "css/layout.css",
    "css/prose.css",
    "css/components/callouts.css",
    "css/components/compare.css",
    "css/components/listings.css",
    "css/components/hero.css",
    "css/components/link-lists.css",
    "css/components/search.css",
    "css/components/topics.css",
    "css/components/tracks.css",
    "css/components/quiz.css",
    "css/components/glossary.css",
    "css/components/progress.css",
    "css/print.css",
    "highlight.css",
];

const REQUIRED: [&str; 5] = [
    "lesson.html",
    "section.html",
    "index.html",
    "404.html",
    "print.html",
];

impl Theme {
    /// Loads the embedded default theme with the guide's `themes/<name>/` over it, plus extra
    /// generated assets (such as `highlight.css`).
    pub fn load(
        root: &Path,
        name: &str,
        extra_assets: Vec<(String, Vec<u8>)>,
    ) -> Result<Theme, Diagnostic> {
        let mut files: BTreeMap<String, ThemeFile> = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut files);
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            collect_disk(root, &dir, &mut files)?;
        } else if name != "default" {
            let d = Diagnostic::error(
                "book.toml",
                format!(
                    "theme `{name}` not found: there is no folder {}",
                    display_path(root, &dir)
                ),
            )
            .help("create that folder, or set [build] theme = \"default\"");
            let book =
                std::fs::read_to_string(crate::config::config_path(root)).unwrap_or_default();
            return Err(
                match crate::locate::value_in(&book, Some("build"), "theme", name) {
                    Some((line, col)) => d.at(line, col).with_source(&book),
                    None => d,
                },
            );
        }

        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        let mut origins = BTreeMap::new();
        let mut templates = Vec::new();
        let mut blocks = HashSet::new();
        let mut statics = Vec::new();
        for file in files.into_values() {
            if let Some(name) = file.path.strip_prefix("templates/") {
                let text = String::from_utf8(file.bytes)
                    .map_err(|_| Diagnostic::error(&file.origin, "template is not valid UTF-8"))?;
                if let Some(block) = name
                    .strip_prefix("blocks/")
                    .and_then(|b| b.strip_suffix(".html"))
                {
                    blocks.insert(block.to_owned());
                }
                origins.insert(name.to_owned(), (file.origin, text.clone()));
                templates.push((name.to_owned(), text));
            } else if let Some(p) = file.path.strip_prefix("static/") {
                statics.push((p.to_owned(), file.bytes));
            }
        }
        for required in REQUIRED {
            if !origins.contains_key(required) {
                return Err(Diagnostic::error(
                    format!("themes/{name}/templates/{required}"),
                    format!("the theme has no `{required}` template"),
                ));
            }
        }
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&origins, &e))?;
        statics.extend(extra_assets);
        Ok(Theme {
            tera,
            blocks,
            assets: hash_assets(statics),
            origins,
        })
    }

    /// Turns a Tera error into a diagnostic naming the template file and line.
    pub fn error(&self, e: &tera::Error) -> Diagnostic {
        template_error(&self.origins, e)
    }

    /// The CSS files of the theme, concatenated (for pages that must inline it, like 404.html):
    /// the [`STYLESHEETS`] in their order, then any other stylesheet by path, as the cascade of a
    /// page linking them all would apply them.
    pub fn inline_css(&self) -> String {
        let others = self
            .assets
            .keys()
            .filter(|p| p.ends_with(".css") && !STYLESHEETS.contains(&p.as_str()));
        let mut css = String::new();
        for path in STYLESHEETS
            .iter()
            .copied()
            .chain(others.map(String::as_str))
        {
            if let Some(asset) = self.assets.get(path) {
                css.push_str(&String::from_utf8_lossy(&asset.bytes));
                css.push('\n');
            }
        }
        css
    }

    /// Static path → output path, for templates.
    pub fn asset_map(&self) -> BTreeMap<&str, &str> {
        self.assets
            .iter()
            .map(|(k, a)| (k.as_str(), a.out_path.as_str()))
            .collect()
    }
}

fn collect_embedded(dir: &Dir<'static>, out: &mut BTreeMap<String, ThemeFile>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        out.insert(
            path.clone(),
            ThemeFile {
                origin: format!("<embedded default theme>/{path}"),
                path,
                bytes: file.contents().to_vec(),
            },
        );
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out);
    }
}

fn collect_disk(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, ThemeFile>,
) -> Result<(), Diagnostic> {
    for entry in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().map(|p| display_path(root, p)).unwrap_or_default();
            Diagnostic::error(path, format!("cannot read the theme: {e}"))
        })?;
        if !entry.file_type().is_file()
            || crate::load::is_ignored_name(&entry.file_name().to_string_lossy())
        {
            continue;
        }
        let path = display_path(dir, entry.path());
        let origin = display_path(root, entry.path());
        let bytes = std::fs::read(entry.path())
            .map_err(|e| Diagnostic::error(&origin, format!("cannot read: {e}")))?;
        out.insert(
            path.clone(),
            ThemeFile {
                path,
                origin,
                bytes,
            },
        );
    }
    Ok(())
}

fn template_error(origins: &BTreeMap<String, (String, String)>, e: &tera::Error) -> Diagnostic {
    let origin = |name: &str| {
        origins
            .get(name)
            .map(|(o, _)| o.clone())
            .unwrap_or_else(|| format!("templates/{name}"))
    };
    match e.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let span = report.span();
            let d = Diagnostic::error(origin(report.filename()), report.message().to_owned())
                .at(span.start_line, span.start_col + 1);
            match origins.get(report.filename()) {
                Some((_, text)) => d.with_source(text),
                None => d,
            }
        }
        ErrorKind::TemplateNotFound(name) => {
            Diagnostic::error(origin(name), format!("template `{name}` not found"))
                .help("add it to the theme's templates/ folder")
        }
        ErrorKind::MissingParent { current, parent } => Diagnostic::error(
            origin(current),
            format!("`{current}` extends `{parent}`, which does not exist"),
        ),
        ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => at_tag(
            origins,
            Diagnostic::error(
                origin(tpl),
                format!(
                    "templates extend each other in a circle: {}",
                    inheritance_chain.join(" → ")
                ),
            ),
            tpl,
            "extends",
            inheritance_chain,
        ),
        ErrorKind::CircularInclude { tpl, include_chain } => at_tag(
            origins,
            Diagnostic::error(
                origin(tpl),
                format!(
                    "templates include each other in a circle: {}",
                    include_chain.join(" → ")
                ),
            ),
            tpl,
            "include",
            include_chain,
        ),
        ErrorKind::Msg(text) => match parse_reports(text).into_iter().next() {
            Some((name, line, col, message)) => Diagnostic::error(origin(&name), message)
                .at(line, col)
                .with_source(origins.get(&name).map_or("", |(_, t)| t.as_str())),
            None => Diagnostic::error("templates", format!("template error: {text}")),
        },
        _ => Diagnostic::error("templates", format!("template error: {e}")),
    }
}

/// Places `d` at the first `{% <tag> "<name>" %}` in template `tpl` naming one of `names`.
fn at_tag(
    origins: &BTreeMap<String, (String, String)>,
    d: Diagnostic,
    tpl: &str,
    tag: &str,
    names: &[String],
) -> Diagnostic {
    let Some((_, text)) = origins.get(tpl) else {
        return d;
    };
    let found = text.lines().enumerate().find_map(|(i, line)| {
        let start = line.find("{%")?;
        let rest = line[start + 2..].trim_start_matches(['-', ' ']);
        let rest = rest.strip_prefix(tag)?.trim_start();
        let named = names
            .iter()
            .any(|n| rest.starts_with(&format!("\"{n}\"")) || rest.starts_with(&format!("'{n}'")));
        named.then(|| (i + 1, line[..start].chars().count() + 1))
    });
    match found {
        Some((line, col)) => d.at(line, col).with_source(text),
        None => d,
    }
}

/// Reads Tera's text reports (`error: msg` then ` --> name:line:col`) back into their parts;
/// Tera gives some checks, such as unknown includes, only in that form.
fn parse_reports(text: &str) -> Vec<(String, usize, usize, String)> {
    let mut out = Vec::new();
    let mut message: Option<&str> = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("error: ") {
            message = Some(m.trim());
        } else if let (Some(m), Some(place)) = (message, line.trim_start().strip_prefix("--> ")) {
            let mut parts = place.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.parse().ok());
            let line_no = parts.next().and_then(|l| l.parse().ok());
            if let (Some(col), Some(line_no), Some(name)) = (col, line_no, parts.next()) {
                out.push((name.to_owned(), line_no, col, m.to_owned()));
            }
            message = None;
        }
    }
    out
}

/// Short content hash used in asset names.
pub fn short_hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))[..10].to_owned()
}

fn hashed_name(path: &str, bytes: &[u8]) -> String {
    let hash = short_hash(bytes);
    let (dir, file) = path.rsplit_once('/').map_or(("", path), |(d, f)| (d, f));
    let file = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{file}.{hash}"),
    };
    if dir.is_empty() {
        format!("static/{file}")
    } else {
        format!("static/{dir}/{file}")
    }
}

/// Names every asset by its content hash; CSS is named last, after its `url(…)` references to
/// other assets are rewritten to their hashed names.
fn hash_assets(statics: Vec<(String, Vec<u8>)>) -> BTreeMap<String, Asset> {
    let mut out = BTreeMap::new();
    let (css, other): (Vec<_>, Vec<_>) =
        statics.into_iter().partition(|(p, _)| p.ends_with(".css"));
    for (path, bytes) in other {
        out.insert(
            path.clone(),
            Asset {
                out_path: hashed_name(&path, &bytes),
                bytes,
            },
        );
    }
    for (path, bytes) in css {
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        let css_dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        for (target, asset) in &out {
            let rel = crate::urls::relative_between(
                &format!("static/{css_dir}/x"),
                &format!("static/{target}"),
            );
            let hashed =
                crate::urls::relative_between(&format!("static/{css_dir}/x"), &asset.out_path);
            for quote in ["", "\"", "'"] {
                text = text.replace(
                    &format!("url({quote}{rel}{quote})"),
                    &format!("url({quote}{hashed}{quote})"),
                );
            }
        }
        let bytes = text.into_bytes();
        out.insert(
            path.clone(),
            Asset {
                out_path: hashed_name(&path, &bytes),
                bytes,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_folder_and_extension() {
        let name = hashed_name("css/style.css", b"body{}");
        assert!(
            name.starts_with("static/css/style.") && name.ends_with(".css"),
            "{name}"
        );
        assert_ne!(name, hashed_name("css/style.css", b"body{color:red}"));
    }

    #[test]
    fn the_styles_partial_links_the_stylesheets_in_cascade_order() {
        let partial = DEFAULT_THEME
            .get_file("templates/partials/styles.html")
            .and_then(|f| f.contents_utf8())
            .expect("templates/partials/styles.html");
        let linked: Vec<&str> = partial
            .split("assets['")
            .skip(1)
            .filter_map(|rest| rest.split_once("']").map(|(path, _)| path))
            .collect();
        assert_eq!(linked, STYLESHEETS);
        for path in STYLESHEETS.iter().filter(|p| p.starts_with("css/")) {
            assert!(
                DEFAULT_THEME.get_file(format!("static/{path}")).is_some(),
                "{path} is not in the default theme"
            );
        }
    }

    #[test]
    fn inline_css_follows_the_cascade_not_the_file_names() {
        let theme = Theme::load(
            Path::new("/nonexistent"),
            "default",
            vec![("highlight.css".into(), b"/* highlight */".to_vec())],
        )
        .expect("the default theme loads");
        let css = theme.inline_css();
        let at = |needle: &str| {
            css.find(needle)
                .unwrap_or_else(|| panic!("{needle} is not inlined"))
        };
        let starts: Vec<usize> = STYLESHEETS
            .iter()
            .map(|p| {
                let text = String::from_utf8_lossy(&theme.assets[*p].bytes).into_owned();
                at(&text)
            })
            .collect();
        assert!(starts.is_sorted(), "{starts:?}");
        assert!(at("--bg:") < at(".layout {") && at("@media print") > at(".search-panel {"));
    }

    #[test]
    fn css_references_follow_hashed_names() {
        let assets = hash_assets(vec![
            (
                "css/style.css".into(),
                b"a{background:url(../img/x.svg)}".to_vec(),
            ),
            ("img/x.svg".into(), b"<svg/>".to_vec()),
        ]);
        let css = String::from_utf8(assets["css/style.css"].bytes.clone()).unwrap();
        let svg = &assets["img/x.svg"].out_path;
        assert!(
            css.contains(&format!("../{}", svg.trim_start_matches("static/"))),
            "{css}"
        );
    }
}
