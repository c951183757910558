//! Front matter: split off the `+++` TOML or `---` YAML block of a Markdown file and parse it into
//! [`FrontMatter`]. Errors point at the line in the Markdown file, not in the block.

use serde::Deserialize;

use crate::config::{serde_message, toml_diagnostic};
use crate::diagnostics::{Diagnostic, line_col};

/// Front matter exactly as the author wrote it; nothing derived.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Order inside the section; ties are broken by title.
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub prerequisites: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    /// `false` leaves the page's glossary terms unlinked.
    #[serde(default)]
    pub glossary: Option<bool>,
}

/// The kinds of front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// A file split into its front matter block and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Format,
    /// The text between the fences.
    pub front: &'a str,
    /// 1-based line of the first line of `front`.
    pub front_line: usize,
    pub body: &'a str,
    /// 1-based line of the first line of `body`.
    pub body_line: usize,
}

/// Finds the front matter block. `file` names the file in diagnostics.
pub fn split<'a>(file: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (first, rest) = match text.find('\n') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let (format, fence) = match first.trim_end() {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => {
            return Err(Diagnostic::error(file, "missing front matter")
                .at(1, 1)
                .help("start the file with a `+++` line, then `title = \"…\"`, then a closing `+++` line"));
        }
    };
    let mut offset = 0;
    for (line, raw) in (2..).zip(rest.split_inclusive('\n')) {
        if raw.trim_end() == fence {
            return Ok(Split {
                format,
                front: &rest[..offset],
                front_line: 2,
                body: &rest[offset + raw.len()..],
                body_line: line + 1,
            });
        }
        offset += raw.len();
    }
    Err(Diagnostic::error(
        file,
        format!("front matter opened with `{fence}` is never closed"),
    )
    .at(1, 1)
    .help(format!(
        "add a line with only `{fence}` after the last front matter key"
    )))
}

/// Parses a split block into typed front matter.
pub fn parse(file: &str, split: &Split<'_>) -> Result<FrontMatter, Diagnostic> {
    let line_offset = split.front_line - 1;
    let front: FrontMatter = match split.format {
        Format::Toml => toml::from_str(split.front)
            .map_err(|e| toml_diagnostic(file, split.front, line_offset, &e))?,
        Format::Yaml => {
            if split.front.trim().is_empty() {
                return Err(missing_title(file, split));
            }
            serde_norway::from_str(split.front).map_err(|e| {
                let message = yaml_message(&e.to_string(), line_offset);
                let d = serde_message(file, &message);
                match e.location() {
                    // From the byte offset: YAML also breaks lines at a lone `\r`, U+0085,
                    // U+2028 and U+2029, so its own line numbers can run past the file's.
                    Some(loc) => {
                        let (line, col) = line_col(split.front, loc.index());
                        d.at(line + line_offset, col)
                    }
                    None => d.at(split.front_line, 1),
                }
            })?
        }
    };
    if front.title.trim().is_empty() {
        return Err(Diagnostic::error(file, "`title` is empty")
            .at(split.front_line, 1)
            .help("give the page a title"));
    }
    Ok(front)
}

/// A YAML error message with positions counted in the Markdown file: the first `at line L column
/// C` (the error's own position, which the diagnostic carries) is dropped, later ones (such as
/// where an unclosed list starts) are shifted by `line_offset`.
fn yaml_message(text: &str, line_offset: usize) -> String {
    const AT: &str = " at line ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut first = true;
    while let Some(i) = rest.find(AT) {
        out.push_str(&rest[..i]);
        let after = &rest[i + AT.len()..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        match after[..digits].parse::<usize>() {
            Ok(line) if after[digits..].starts_with(" column ") => {
                let col_start = digits + " column ".len();
                let col_len = after[col_start..]
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(after.len() - col_start);
                if !first {
                    out.push_str(&format!(
                        "{AT}{}{}",
                        line + line_offset,
                        &after[digits..col_start + col_len]
                    ));
                }
                rest = &after[col_start + col_len..];
            }
            _ => {
                out.push_str(AT);
                rest = after;
            }
        }
        first = false;
    }
    out.push_str(rest);
    out
}

fn missing_title(file: &str, split: &Split<'_>) -> Diagnostic {
    Diagnostic::error(file, "missing field `title`")
        .at(split.front_line, 1)
        .help("add `title: …` to the front matter")
}

/// Splits and parses in one go, adding the file's source line to any diagnostic.
pub fn read(file: &str, text: &str) -> Result<(FrontMatter, usize, usize), Diagnostic> {
    let result = split(file, text).and_then(|s| {
        let front = parse(file, &s)?;
        let body_start = text.len() - s.body.len();
        Ok((front, body_start, s.body_line))
    });
    result.map_err(|d| {
        let d = if d.line == 0 { d.at(1, 1) } else { d };
        let d = if d.message.starts_with("missing field `title`") {
            d.help("every page needs a title")
        } else {
            d
        };
        d.with_source(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_front_matter_and_body_line() {
        let text = "+++\ntitle = \"A\"\nweight = 3\n+++\n# Body\n";
        let (front, start, line) = read("a.md", text).unwrap();
        assert_eq!(front.title, "A");
        assert_eq!(front.weight, 3);
        assert_eq!(&text[start..], "# Body\n");
        assert_eq!(line, 5);
    }

    #[test]
    fn yaml_front_matter() {
        let text = "---\ntitle: B\ntopics: [devops, agile]\n---\nbody";
        let (front, _, line) = read("b.md", text).unwrap();
        assert_eq!(front.topics, ["devops", "agile"]);
        assert_eq!(line, 5);
    }

    #[test]
    fn unknown_key_points_at_file_line_with_suggestion() {
        let text = "+++\ntitle = \"A\"\ntopcis = [\"x\"]\n+++\n";
        let d = read("a.md", text).unwrap_err();
        assert_eq!((d.line, d.message.as_str()), (3, "unknown key `topcis`"));
        assert_eq!(d.help.as_deref(), Some("did you mean `topics`?"));
        assert_eq!(d.source_line.as_deref(), Some("topcis = [\"x\"]"));
    }

    #[test]
    fn yaml_unknown_key_and_syntax_error_lines() {
        let d = read("a.md", "---\ntitle: A\ndraf: true\n---\n").unwrap_err();
        assert_eq!(
            (d.line, d.help.as_deref()),
            (3, Some("did you mean `draft`?"))
        );
        let d = read("a.md", "---\ntitle: A\ntopics: [a, b\n---\n").unwrap_err();
        assert!(d.line >= 3, "{d:?}");
    }

    #[test]
    fn yaml_error_message_gives_file_lines_not_block_lines() {
        let d = read("a.md", "---\ntitle: A\ntopics: [a, b\n---\n").unwrap_err();
        assert_eq!((d.line, d.col), (4, 1), "{d:?}");
        assert!(!d.message.contains("line 3 column 1"), "{}", d.message);
        assert!(d.message.contains("at line 3 column 9"), "{}", d.message);
        assert_eq!(
            yaml_message(
                "bad at line 2 column 1, while parsing at line 1 column 5",
                1
            ),
            "bad, while parsing at line 2 column 5"
        );
    }

    #[test]
    fn wrong_type_names_line() {
        let d = read("a.md", "+++\ntitle = \"A\"\nweight = \"heavy\"\n+++\n").unwrap_err();
        assert_eq!(d.line, 3, "{d:?}");
    }

    #[test]
    fn unclosed_and_missing_and_empty() {
        let d = read("a.md", "+++\ntitle = \"A\"\n").unwrap_err();
        assert!(d.message.contains("never closed"));
        let d = read("a.md", "# Just markdown\n").unwrap_err();
        assert_eq!(d.message, "missing front matter");
        let d = read("a.md", "").unwrap_err();
        assert_eq!(d.message, "missing front matter");
        let d = read("a.md", "+++\n+++\n").unwrap_err();
        assert!(d.message.contains("title"), "{d:?}");
    }
}
