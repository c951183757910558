//! Reading `glossary.toml`: its terms parsed, checked (a name defined twice, related lessons
//! that do not exist) and their definitions rendered.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::matcher::words_key;
use super::{FILE, Term};
use crate::config::toml_diagnostic;
use crate::diagnostics::{Diagnostic, line_col};
use crate::links::{LinkIndex, ROOT_MARK, split_fragment};
use crate::markdown::{
    self, Fence, FenceHtml, FenceRenderer, LinkResolver, MarkdownIssue, OutLink,
};
use crate::model::{PageId, Site};
use crate::{suggest, urls};

/// `glossary.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    term: Vec<RawTerm>,
}

/// One `[[term]]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    term: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    definition: Spanned<String>,
    #[serde(default)]
    short: Option<String>,
    #[serde(default)]
    related: Vec<Spanned<String>>,
}

/// The terms of the guide at `root`, in file order, with every problem found and the file's
/// text; no file, no terms.
pub(super) fn terms(
    root: &Path,
    site: &Site,
    index: &LinkIndex,
) -> (Vec<Term>, Vec<Diagnostic>, Arc<str>) {
    let Ok(text) = std::fs::read_to_string(root.join(FILE)) else {
        return (Vec::new(), Vec::new(), Arc::from(""));
    };
    let (terms, diags) = parse(&text, site, index);
    (terms, diags, Arc::from(text))
}

fn parse(text: &str, site: &Site, index: &LinkIndex) -> (Vec<Term>, Vec<Diagnostic>) {
    let file: File = match toml::from_str(text) {
        Ok(file) => file,
        Err(e) => {
            return (
                Vec::new(),
                vec![toml_diagnostic(FILE, text, 0, &e).with_source(text)],
            );
        }
    };
    let mut diags = Vec::new();
    let mut terms = Vec::with_capacity(file.term.len());
    let mut names: HashMap<String, (String, usize)> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for raw in file.term {
        let (line, col) = line_col(text, raw.term.span().start + 1);
        let name = raw.term.get_ref().trim().to_owned();
        if words_key(&name).is_empty() {
            diags.push(
                Diagnostic::error(FILE, "a glossary term has no name")
                    .at(line, col)
                    .help("write the term, like `term = \"Recovery point objective\"`")
                    .with_source(text),
            );
            continue;
        }
        let mut aliases = Vec::new();
        let mut duplicate = false;
        for spanned in std::iter::once(&raw.term).chain(&raw.aliases) {
            let alias = spanned.get_ref().trim();
            let key = words_key(alias).to_lowercase();
            if key.is_empty() {
                continue;
            }
            let at = line_col(text, spanned.span().start + 1);
            if let Some((first, first_line)) = names.get(&key) {
                diags.push(
                    Diagnostic::error(
                        FILE,
                        format!("`{alias}` is defined twice: already a name of `{first}` (line {first_line})"),
                    )
                    .at(at.0, at.1)
                    .help("define each term once; list its other names in `aliases`")
                    .with_source(text),
                );
                duplicate |= std::ptr::eq(spanned, &raw.term);
                continue;
            }
            names.insert(key, (name.clone(), line));
            if !std::ptr::eq(spanned, &raw.term) {
                aliases.push(alias.to_owned());
            }
        }
        if duplicate {
            continue;
        }
        let mut id = markdown::slugify(&name);
        let clashes = ids.entry(id.clone()).or_insert(0);
        *clashes += 1;
        if *clashes > 1 {
            id = format!("{id}-{clashes}");
        }
        let (definition, short, plain) = definition(&raw.definition, text, site, index, &mut diags);
        let short = raw.short.map_or(short, |s| s.trim().to_owned());
        let related = raw
            .related
            .iter()
            .filter_map(|path| related(path, text, site, index, &mut diags))
            .collect();
        terms.push(Term {
            name,
            id,
            aliases,
            definition,
            short,
            plain,
            related,
            line,
            col,
        });
    }
    (terms, diags)
}

/// A related lesson's page, or an error naming the nearest lesson.
fn related(
    path: &Spanned<String>,
    text: &str,
    site: &Site,
    index: &LinkIndex,
    diags: &mut Vec<Diagnostic>,
) -> Option<PageId> {
    let written = path.get_ref().trim();
    if let Some(page @ PageId::Lesson(_)) = index.target("", written) {
        return Some(page);
    }
    let lessons: Vec<String> = site
        .lessons
        .iter()
        .map(|l| format!("{}.md", l.slug_path))
        .collect();
    let help =
        suggest::did_you_mean(written, lessons.iter().map(String::as_str)).unwrap_or_else(|| {
            "write the lesson's path inside the content folder, like `ops/backups.md`".into()
        });
    let (line, col) = line_col(text, path.span().start + 1);
    diags.push(
        Diagnostic::error(FILE, format!("related lesson `{written}` does not exist"))
            .at(line, col)
            .help(help)
            .with_source(text),
    );
    None
}

/// A definition's HTML (internal links marked with [`ROOT_MARK`]), its first paragraph as plain
/// text (the link's short definition) and its whole plain text.
fn definition(
    written: &Spanned<String>,
    text: &str,
    site: &Site,
    index: &LinkIndex,
    diags: &mut Vec<Diagnostic>,
) -> (String, String, String) {
    let (line, _) = line_col(text, written.span().start);
    let first_line = if text[written.span()].starts_with("\"\"\"\n")
        || text[written.span()].starts_with("'''\n")
    {
        line + 1
    } else {
        line
    };
    let rendered = markdown::render(
        written.get_ref(),
        first_line,
        &PlainFences,
        &RootLinks { index, site },
    );
    for issue in rendered.issues {
        diags.push(
            Diagnostic::error(FILE, issue.message)
                .at(issue.line, issue.col)
                .help_opt(issue.help)
                .with_source(text),
        );
    }
    let first = rendered
        .plain_text
        .split('\n')
        .map(str::trim)
        .find(|p| !p.is_empty())
        .unwrap_or("");
    let short = shorten(first, 240);
    (rendered.html, short, rendered.plain_text)
}

/// `text` cut at a word before `max` bytes, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind(' ').unwrap_or(end);
    format!("{}…", text[..cut].trim_end())
}

/// Code in a definition, written as it is.
struct PlainFences;

impl FenceRenderer for PlainFences {
    fn render_fence(
        &self,
        fence: &Fence<'_>,
        _: &dyn LinkResolver,
    ) -> Result<FenceHtml, Vec<MarkdownIssue>> {
        let mut html = String::from("<pre><code>");
        markdown::escape_text(&mut html, fence.code);
        html.push_str("</code></pre>\n");
        Ok(html.into())
    }
}

/// Links in a definition: paths inside the content folder to pages, external ones as they are.
struct RootLinks<'a> {
    index: &'a LinkIndex,
    site: &'a Site,
}

impl LinkResolver for RootLinks<'_> {
    fn resolve(&self, link: &OutLink) -> Result<String, MarkdownIssue> {
        let (path, fragment) = split_fragment(&link.dest);
        if path.is_empty() || urls::is_external(path) {
            return Ok(link.dest.clone());
        }
        match self.index.target("", path) {
            Some(page) => Ok(format!(
                "{ROOT_MARK}{}{}",
                self.site.page_url(page),
                fragment.map(|f| format!("#{f}")).unwrap_or_default()
            )),
            None => Err(MarkdownIssue {
                line: link.line,
                col: link.col,
                message: format!("link to `{}`, which is not a page of the guide", link.dest),
                help: Some(
                    "link to a lesson by its path inside the content folder, like `ops/backups.md`"
                        .into(),
                ),
            }),
        }
    }
}
