//! Errors and warnings about the guide's input, each located by file, line and column, and their
//! rendering for a terminal (with the offending source line) or as JSON for tools.

use std::fmt::Write as _;
use std::path::Path;

use unicode_width::UnicodeWidthStr;

/// How bad a diagnostic is: errors fail the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported; the build still succeeds (unless warnings are denied).
    Warning,
    /// The build fails and writes nothing.
    Error,
}

/// One problem with the guide's input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Whether it fails the build.
    pub severity: Severity,
    /// Path relative to the guide root, `/`-separated.
    pub file: String,
    /// 1-based; 0 when the problem has no line (a missing file).
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub col: usize,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What to do about it, e.g. "did you mean `topics`?".
    pub help: Option<String>,
    /// The source line the problem is on, when there is one.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// An error about `file` (a path relative to the guide root), with no line yet.
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.into(),
            line: 0,
            col: 0,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    /// A warning about `file`, with no line yet.
    pub(crate) fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, message)
        }
    }

    /// Located at `line` and `col` (1-based).
    pub(crate) fn at(mut self, line: usize, col: usize) -> Self {
        self.line = line;
        self.col = col;
        self
    }

    /// With a hint on what to do about it.
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// With a hint, when there is one.
    pub(crate) fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Fills in the source line from the file's full text.
    pub(crate) fn with_source(mut self, text: &str) -> Self {
        if self.line > 0 {
            self.source_line = text.lines().nth(self.line - 1).map(str::to_owned);
        }
        self
    }

    /// What tells two problems apart: where, and what (an error before a warning at the same
    /// place with the same message).
    fn key(&self) -> (&str, usize, usize, &str, std::cmp::Reverse<Severity>) {
        (
            &self.file,
            self.line,
            self.col,
            &self.message,
            std::cmp::Reverse(self.severity),
        )
    }

    /// Whether it fails the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, leaving out what is unknown.
    pub fn location(&self) -> String {
        match (self.line, self.col) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{l}", self.file),
            (l, c) => format!("{}:{l}:{c}", self.file),
        }
    }

    /// Human-readable form: headline, location, source line with a caret, help.
    pub fn render(&self, color: bool) -> String {
        let (label, code) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_owned()
            }
        };
        let mut out = String::new();
        let _ = writeln!(out, "{}: {}", paint(code, label), paint("1", &self.message));
        let gutter = self.line.to_string().len().max(1);
        let _ = writeln!(
            out,
            "{:gutter$}{} {}",
            "",
            paint("1;34", "-->"),
            self.location()
        );
        if let Some(src) = &self.source_line {
            let (shown, pad) = shown_source(src, self.col);
            let bar = paint("1;34", "|");
            let _ = writeln!(out, "{:gutter$} {bar}", "");
            let _ = writeln!(
                out,
                "{} {bar} {shown}",
                paint("1;34", &self.line.to_string())
            );
            if let Some(pad) = pad {
                let _ = writeln!(out, "{:gutter$} {bar} {:pad$}{}", "", "", paint(code, "^"));
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{:gutter$} = {}: {help}", "", paint("1", "help"));
        }
        out
    }
}

impl Ord for Diagnostic {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key()
            .cmp(&other.key())
            .then_with(|| self.help.cmp(&other.help))
            .then_with(|| self.source_line.cmp(&other.source_line))
    }
}

impl PartialOrd for Diagnostic {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The diagnostics of one run, in the order found.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds several.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(ds);
    }

    /// Whether any of them fails the build.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The list as every command reports it: see [`finish`].
    pub fn sorted(self) -> Vec<Diagnostic> {
        finish(self.0)
    }
}

/// A list of diagnostics as `build`, `check` and `serve` report it: in [`Diagnostic`]'s order
/// (file, line, column, message), each problem once, so the output is stable across parallel
/// runs and a problem met twice (by two pages, or by two passes) is not reported twice.
pub fn finish(mut list: Vec<Diagnostic>) -> Vec<Diagnostic> {
    list.sort();
    list.dedup_by(|a, b| a.key() == b.key());
    list
}

/// 1-based line and column (in chars) of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// A path shown relative to `root` with `/` separators.
pub(crate) fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// The most characters of a source line shown under a diagnostic.
const SHOWN_CHARS: usize = 200;

/// Whether `c` would act on the terminal or reorder the text around it instead of being seen:
/// control characters and the bidirectional marks, embeddings, overrides and isolates.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// A source line as echoed under a diagnostic, and the display width before column `col` (for
/// the caret; `None` when `col` is unknown or past the end). A tab is shown as one space and a
/// hidden character as its code point, `<U+202E>`, so the line cannot fool the reader or the
/// terminal; the caret counts display columns, so it stays under its character after wide (CJK,
/// emoji) or escaped ones.
fn shown_source(src: &str, col: usize) -> (String, Option<usize>) {
    let mut shown = String::with_capacity(src.len());
    let mut pad = None;
    let mut count = 0;
    for (i, c) in src.chars().take(SHOWN_CHARS).enumerate() {
        if i + 1 == col {
            pad = Some(shown.width());
        }
        if c == '\t' {
            shown.push(' ');
        } else if is_hidden(c) {
            let _ = write!(shown, "<U+{:04X}>", u32::from(c));
        } else {
            shown.push(c);
        }
        count = i + 1;
    }
    if col == count + 1 {
        pad = Some(shown.width());
    }
    (shown, pad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthChar;

    #[test]
    fn line_col_counts_chars() {
        let text = "ab\nçd x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, text.find('x').unwrap()), (2, 4));
    }

    #[test]
    fn render_shows_source_and_caret() {
        let d = Diagnostic::error("content/a.md", "unknown key `topcis`")
            .at(3, 1)
            .help("did you mean `topics`?")
            .with_source("+++\ntitle = \"x\"\ntopcis = []\n+++\n");
        let text = d.render(false);
        assert!(text.contains("content/a.md:3:1"), "{text}");
        assert!(text.contains("3 | topcis = []"), "{text}");
        assert!(text.contains("| ^"), "{text}");
        assert!(text.contains("help: did you mean `topics`?"), "{text}");
    }

    /// Renders an error at line 1, column `col` of `src`: the echoed line and the text the caret
    /// stands under (`None` without a caret).
    fn caret(src: &str, col: usize) -> (String, Option<String>) {
        let text = Diagnostic::error("content/a.md", "x")
            .at(1, col)
            .with_source(src)
            .render(false);
        let shown = text
            .lines()
            .find_map(|l| l.strip_prefix("1 | "))
            .unwrap_or_else(|| panic!("no source line:\n{text}"))
            .to_owned();
        let Some(marker) = text.lines().find(|l| l.ends_with('^')) else {
            return (shown, None);
        };
        let at = marker.strip_prefix("  | ").expect("caret line").width() - 1;
        let mut width = 0;
        for (i, c) in shown.char_indices() {
            if width == at {
                return (shown.clone(), Some(shown[i..].to_owned()));
            }
            width += c.width().unwrap_or(0);
        }
        assert_eq!(width, at, "caret past the line:\n{text}");
        (shown, Some(String::new()))
    }

    #[test]
    fn caret_stands_under_its_character_after_wide_ones() {
        assert_eq!(caret("見出し [x](y.md)", 5).1.as_deref(), Some("[x](y.md)"));
        assert_eq!(caret("🦀🦀 [x](y.md)", 4).1.as_deref(), Some("[x](y.md)"));
        assert_eq!(caret("ab", 3).1.as_deref(), Some(""));
        assert_eq!(caret("ab", 4).1, None);
        assert_eq!(caret("ab", 0).1, None);
    }

    #[test]
    fn a_tab_is_shown_as_one_space_under_which_the_caret_counts() {
        let (shown, under) = caret("\t[x](y.md)", 2);
        assert_eq!(shown, " [x](y.md)");
        assert_eq!(under.as_deref(), Some("[x](y.md)"));
    }

    #[test]
    fn bidirectional_and_control_characters_are_shown_escaped() {
        let (shown, under) = caret("a\u{202e}b [x](y.md)", 5);
        assert_eq!(shown, "a<U+202E>b [x](y.md)");
        assert_eq!(under.as_deref(), Some("[x](y.md)"));
        let (shown, under) = caret("\u{2066}\x1b[31m\u{200f} [x]", 9);
        assert_eq!(shown, "<U+2066><U+001B>[31m<U+200F> [x]");
        assert_eq!(under.as_deref(), Some("[x]"));
    }
}
