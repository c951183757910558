//! Errors and warnings about the guide's input, each located by file, line and column, and their
//! rendering for a terminal (with the offending source line) or as JSON for tools.

use std::fmt::Write as _;
use std::path::Path;

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
            let shown: String = src.chars().take(200).collect::<String>().replace('\t', " ");
            let bar = paint("1;34", "|");
            let _ = writeln!(out, "{:gutter$} {bar}", "");
            let _ = writeln!(
                out,
                "{} {bar} {shown}",
                paint("1;34", &self.line.to_string())
            );
            if self.col > 0 && self.col <= shown.chars().count() + 1 {
                let _ = writeln!(
                    out,
                    "{:gutter$} {bar} {:pad$}{}",
                    "",
                    "",
                    paint(code, "^"),
                    pad = self.col - 1
                );
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{:gutter$} = {}: {help}", "", paint("1", "help"));
        }
        out
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

    /// Sorted by file, line and column so output is stable across parallel runs.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.0
            .sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        self.0
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
