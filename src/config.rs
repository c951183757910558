//! `book.toml` into typed configuration. Unknown keys are errors with the nearest known key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, line_col};
use crate::suggest;

/// The guide's configuration, as written in `book.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// `[book]`: what the guide is called and who wrote it.
    pub book: Book,
    /// `[build]`: where things are and how pages are made.
    #[serde(default)]
    pub build: Build,
    /// `[search]`: whether the site gets a search box and index.
    #[serde(default)]
    pub search: Search,
    /// `[topics.<name>]`: the topics lessons may name, by name.
    #[serde(default)]
    pub topics: BTreeMap<String, TopicConfig>,
    /// `[tracks.<name>]`: learning tracks, by name.
    #[serde(default)]
    pub tracks: BTreeMap<String, TrackConfig>,
}

/// `[book]`: the guide's title and description, its authors and its language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Book {
    /// The guide's title, on every page.
    pub title: String,
    /// A sentence about the guide, for the home page and search engines.
    #[serde(default)]
    pub description: String,
    /// Who wrote it.
    #[serde(default)]
    pub authors: Vec<String>,
    /// The language of the content, e.g. `en` (the `lang` of every page).
    #[serde(default = "default_language")]
    pub language: String,
}

/// `[build]`: folders, theme, links out of the site, and what lessons may hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Build {
    /// Where the Markdown lessons are, relative to the guide root (`content`).
    pub content_dir: PathBuf,
    /// Where the site is written, relative to the guide root (`public`).
    pub output_dir: PathBuf,
    /// The theme's name: `default` (built in) or a folder under `themes/`.
    pub theme: String,
    /// Absolute URL of the hosted site; only for `sitemap.xml` and canonical links.
    pub site_url: String,
    /// Edit link template; `{path}` becomes the lesson's path relative to the guide root.
    pub edit_url: String,
    /// How many related lessons each lesson lists.
    pub related_lessons: usize,
    /// Whether lesson bodies may hold raw HTML (authors are trusted by default).
    pub allow_html: bool,
}

impl Default for Build {
    fn default() -> Self {
        Self {
            content_dir: "content".into(),
            output_dir: "public".into(),
            theme: "default".into(),
            site_url: String::new(),
            edit_url: String::new(),
            related_lessons: 5,
            allow_html: true,
        }
    }
}

/// `[search]`: the search box and its index.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Search {
    /// Whether the site gets them (on unless turned off).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Words or phrases a search also looks for under other names, both ways:
    /// `PM = ["product manager", "product management"]`.
    #[serde(default)]
    pub synonyms: BTreeMap<Phrase, Alternatives>,
}

impl Default for Search {
    fn default() -> Self {
        Self {
            enabled: true,
            synonyms: BTreeMap::new(),
        }
    }
}

/// A word or phrase of `[search] synonyms`: it has a word search can match (not only stop
/// words or punctuation), so that it can never expand a query into nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Phrase(pub String);

impl<'de> Deserialize<'de> for Phrase {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if crate::search::text::units(&crate::search::text::fold(&text)).is_empty() {
            return Err(serde::de::Error::custom(format!(
                "[search] synonyms: `{text}` has no word search can match (only stop words or punctuation)"
            )));
        }
        Ok(Self(text))
    }
}

/// The other names of a `[search] synonyms` entry: a list of one phrase or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternatives(pub Vec<Phrase>);

impl<'de> Deserialize<'de> for Alternatives {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let list = Vec::<Phrase>::deserialize(d)?;
        if list.is_empty() {
            return Err(serde::de::Error::custom(
                "[search] synonyms: an entry needs one other name or more, like `PM = [\"product manager\"]`",
            ));
        }
        Ok(Self(list))
    }
}

/// A topic lessons may name in their front matter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TopicConfig {
    /// How the topic is shown.
    pub title: String,
    /// A sentence on the topic's page.
    #[serde(default)]
    pub description: String,
}

/// A learning track: an ordered reading list across sections.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TrackConfig {
    /// How the track is shown.
    pub title: String,
    /// A sentence about the track, shown with it.
    #[serde(default)]
    pub description: String,
    /// Lessons in reading order, as paths relative to the content folder.
    pub lessons: Vec<String>,
}

fn default_language() -> String {
    "en".into()
}

fn yes() -> bool {
    true
}

/// Where `book.toml` lives under a guide root.
pub(crate) fn config_path(root: &Path) -> PathBuf {
    root.join("book.toml")
}

impl Config {
    /// Reads and checks `<root>/book.toml`.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = config_path(root);
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
                let (line, col) = line_col(
                    &String::from_utf8_lossy(e.as_bytes()),
                    e.utf8_error().valid_up_to(),
                );
                Diagnostic::error("book.toml", "book.toml is not valid UTF-8")
                    .at(line, col)
                    .help("save the file as UTF-8")
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Diagnostic::error(
                    "book.toml",
                    format!("no book.toml found in {}", root.display()),
                )
                .help("run `guide init` to start a guide here, or pass --root DIR pointing at a guide"));
            }
            Err(e) => {
                return Err(Diagnostic::error(
                    "book.toml",
                    format!("cannot read {}: {e}", path.display()),
                ));
            }
        };
        let config = Self::parse(&text).map_err(|d| d.with_source(&text))?;
        config
            .check()
            .map_err(|d| at_key(d, &text).with_source(&text))?;
        Ok(config)
    }

    /// Parses the text of a `book.toml`.
    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        toml::from_str(text).map_err(|e| toml_diagnostic("book.toml", text, 0, &e))
    }

    fn check(&self) -> Result<(), Diagnostic> {
        if self.book.title.trim().is_empty() {
            return Err(Diagnostic::error("book.toml", "[book] title is empty")
                .help("give the guide a title"));
        }
        let url = &self.build.site_url;
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Diagnostic::error(
                "book.toml",
                format!("[build] site-url `{url}` is not an absolute http(s) URL"),
            )
            .help("write it like `https://intranet.example/guides/it/`, or leave it empty"));
        }
        let edit = &self.build.edit_url;
        if !(edit.is_empty() || edit.starts_with("https://") || edit.starts_with("http://")) {
            return Err(Diagnostic::error(
                "book.toml",
                format!("[build] edit-url `{edit}` is not an absolute http(s) URL"),
            )
            .help(
                "write it like `https://git.example/guide/edit/main/{path}`, or leave it empty",
            ));
        }
        Ok(())
    }

    /// The site URL with exactly one trailing slash, or `""`.
    pub fn site_url(&self) -> String {
        let url = self.build.site_url.trim_end_matches('/');
        if url.is_empty() {
            String::new()
        } else {
            format!("{url}/")
        }
    }
}

/// Points a diagnostic about `[section] key` at the line where the key is written.
fn at_key(d: Diagnostic, text: &str) -> Diagnostic {
    let key = d
        .message
        .split_whitespace()
        .nth(1)
        .filter(|_| d.message.starts_with('['))
        .unwrap_or("");
    match text
        .lines()
        .position(|l| !key.is_empty() && l.trim_start().starts_with(key))
    {
        Some(i) => d.at(i + 1, 1),
        None => d,
    }
}

/// A TOML parse error as a diagnostic in `file`, whose TOML text starts at line `line_offset + 1`.
/// Unknown-field errors get the nearest expected field suggested.
pub(crate) fn toml_diagnostic(
    file: &str,
    text: &str,
    line_offset: usize,
    e: &toml::de::Error,
) -> Diagnostic {
    let (line, col) = e.span().map_or((0, 0), |s| line_col(text, s.start));
    serde_message(file, e.message()).at(line + line_offset, col)
}

/// A serde error message turned into a diagnostic; `unknown field` gets a suggestion.
pub(crate) fn serde_message(file: &str, message: &str) -> Diagnostic {
    let message = message.trim();
    if let Some((field, expected)) = unknown_field(message) {
        let help = suggest::did_you_mean(&field, expected.iter().map(String::as_str))
            .unwrap_or_else(|| format!("known keys: {}", expected.join(", ")));
        return Diagnostic::error(file, format!("unknown key `{field}`")).help(help);
    }
    let first_line = message.lines().next().unwrap_or(message);
    Diagnostic::error(file, first_line.to_owned())
}

/// Splits serde's "unknown field `x`, expected one of `a`, `b`" into the field and the expected ones.
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((field.to_owned(), expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_minimal_config_with_defaults() {
        let c = Config::parse("[book]\ntitle = \"T\"\n").unwrap();
        assert_eq!(c.build.output_dir, PathBuf::from("public"));
        assert!(c.search.enabled);
        assert_eq!(c.book.language, "en");
    }

    #[test]
    fn unknown_key_names_line_and_suggests() {
        let text = "[book]\ntitle = \"T\"\n\n[build]\noutput-dri = \"x\"\n";
        let d = Config::parse(text).unwrap_err();
        assert_eq!(d.message, "unknown key `output-dri`");
        assert_eq!(d.line, 5);
        assert_eq!(d.help.as_deref(), Some("did you mean `output-dir`?"));
    }

    #[test]
    fn syntax_error_has_line() {
        let d = Config::parse("[book]\ntitle = \"T\n").unwrap_err();
        assert_eq!(d.line, 2, "{d:?}");
    }

    #[test]
    fn synonyms_parse_and_bad_ones_name_their_line() {
        let ok = "[book]\ntitle = \"T\"\n[search]\nsynonyms = { PM = [\"product manager\", \"product management\"], \"on-call\" = [\"pager duty\"] }\n";
        let c = Config::parse(ok).unwrap();
        let pm = &c.search.synonyms[&Phrase("PM".into())];
        assert_eq!(
            pm.0,
            [
                Phrase("product manager".into()),
                Phrase("product management".into())
            ]
        );
        assert_eq!(c.search.synonyms.len(), 2);
        for (entry, said) in [
            ("PM = [\"the\"]", "`the` has no word search can match"),
            ("\"--\" = [\"dash\"]", "`--` has no word search can match"),
            ("PM = []", "needs one other name or more"),
            ("PM = [3]", "invalid type: integer"),
            ("PM = \"product manager\"", "invalid type: string"),
        ] {
            let text = format!(
                "[book]\ntitle = \"T\"\n\n[search]\nenabled = true\n[search.synonyms]\n{entry}\n"
            );
            let d = Config::parse(&text).unwrap_err();
            assert!(d.message.contains(said), "{entry}: {}", d.message);
            assert_eq!(
                (d.file.as_str(), d.line),
                ("book.toml", 7),
                "{entry}: {d:?}"
            );
        }
    }

    #[test]
    fn missing_file_says_where_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let d = Config::load(dir.path()).unwrap_err();
        assert!(d.message.contains("no book.toml found in"), "{}", d.message);
        assert!(d.help.unwrap().contains("guide init"));
    }
}
