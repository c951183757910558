//! `guide check`'s reports for machines: JSON lines for editors, GitHub Actions annotations and a
//! GitLab code quality report, so that CI shows each problem on the line of the merge request it
//! is about. Terminal rendering stays with [`Diagnostic::render`].

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Component, Path};

use crate::diagnostics::{Diagnostic, Severity};

/// One JSON object per diagnostic and line (paths relative to the guide root).
pub fn json_lines(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = writeln!(out, "{}", serde_json::to_string(d).unwrap_or_default());
    }
    out
}

/// GitHub Actions workflow commands, one a line: `::error file=…,line=…,col=…,title=…::…`.
/// `prefix` leads from the repository (the working folder) to the guide root, so the paths are
/// the repository's and the annotations land on the changed lines.
pub fn github(diags: &[Diagnostic], prefix: &str) -> String {
    let mut out = String::new();
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if !d.file.is_empty() {
            props.push(format!("file={}", github_property(&join(prefix, &d.file))));
            if d.line > 0 {
                props.push(format!("line={}", d.line));
                if d.col > 0 {
                    props.push(format!("col={}", d.col));
                }
            }
        }
        props.push(format!(
            "title={}",
            github_property(&format!("guide {command}"))
        ));
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            github_data(&described(d))
        );
    }
    out
}

/// A GitLab code quality report: a JSON array with one finding per located diagnostic (those
/// without a file, such as a missing `book.toml`, have no line to show and are left out).
/// `prefix` is as for [`github`]. Each fingerprint is a stable hash of severity, path, line and
/// message, numbered on when the same finding occurs twice.
pub fn gitlab(diags: &[Diagnostic], prefix: &str) -> String {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let findings: Vec<serde_json::Value> = diags
        .iter()
        .filter(|d| !d.file.is_empty())
        .map(|d| {
            let path = join(prefix, &d.file);
            let (severity, check) = match d.severity {
                Severity::Error => ("major", "guide/error"),
                Severity::Warning => ("minor", "guide/warning"),
            };
            let key = format!("{check}\0{path}\0{}\0{}", d.line, d.message);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let key = format!("{key}\0{n}");
            serde_json::json!({
                "description": match &d.help {
                    Some(help) => format!("{} ({help})", d.message),
                    None => d.message.clone(),
                },
                "check_name": check,
                "fingerprint": format!("{:032x}", xxhash_rust::xxh3::xxh3_128(key.as_bytes())),
                "severity": severity,
                "location": { "path": path, "lines": { "begin": d.line.max(1) } },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

/// The path from the working folder to the guide root, `/`-separated, for [`github`] and
/// [`gitlab`]: empty for the working folder itself, the root as given when it is relative, and
/// relative to the working folder when it is absolute and inside it.
pub fn prefix(root: &Path) -> String {
    let root = match std::env::current_dir() {
        Ok(cwd) if root.is_absolute() => root.strip_prefix(&cwd).unwrap_or(root),
        _ => root,
    };
    let parts: Vec<String> = root
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_owned()),
            _ => None,
        })
        .collect();
    let lead = if root.has_root() { "/" } else { "" };
    format!("{lead}{}", parts.join("/"))
}

fn join(prefix: &str, file: &str) -> String {
    if prefix.is_empty() {
        file.to_owned()
    } else {
        format!("{}/{file}", prefix.trim_end_matches('/'))
    }
}

/// The message, and the help on a line of its own when there is one.
fn described(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// Escapes a workflow command's message.
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_data_and_properties() {
        let d = Diagnostic::warning("content/a,b:c.md", "100% sure\r\nreally").at(2, 0);
        assert_eq!(
            github(&[d], "docs"),
            "::warning file=docs/content/a%2Cb%3Ac.md,line=2,title=guide warning::100%25 sure%0D%0Areally\n"
        );
        let usage = Diagnostic::error("", "no book.toml");
        assert_eq!(
            github(&[usage], ""),
            "::error title=guide error::no book.toml\n"
        );
    }

    #[test]
    fn gitlab_fingerprints_are_stable_and_distinct() {
        let d = Diagnostic::error("content/a.md", "broken link").at(3, 1);
        let report = gitlab(&[d.clone(), d.clone(), d.clone().at(4, 1)], "");
        let findings: Vec<serde_json::Value> = serde_json::from_str(&report).unwrap();
        let prints: std::collections::HashSet<&str> = findings
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(prints.len(), 3, "{report}");
        assert_eq!(report, gitlab(&[d.clone(), d.clone(), d.at(4, 1)], ""));
    }

    #[test]
    fn prefix_leads_to_the_guide_root() {
        assert_eq!(prefix(Path::new(".")), "");
        assert_eq!(prefix(Path::new("./docs/")), "docs");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(prefix(&cwd.join("docs/guide")), "docs/guide");
    }
}
