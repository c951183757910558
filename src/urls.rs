//! Relative URLs between output files, so that every link works under any sub-path and from disk.

/// `../` once per folder of `page` (a root-relative output path): the way back to the site root.
pub fn root_prefix(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// The relative URL from the page at `from` to the file at `to` (both root-relative paths).
pub fn relative_between(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len() - 1);
    let mut out = "../".repeat(from_dir.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

/// Joins a relative path onto a folder (both `/`-separated, relative to the same root) and
/// resolves `.` and `..`; `None` when it climbs above the root.
pub fn join_normalized(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether a link destination leaves the site (has a scheme such as `https:` or `mailto:`, or is
/// protocol-relative).
pub fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !dest[..i].contains('/')
        }
        None => false,
    }
}

/// The scheme of a link destination that runs script or opens a document made from the URL
/// itself (`javascript:`, `vbscript:`, `data:`), read as browsers do: tabs and newlines inside
/// and control characters and spaces around it are ignored, case does not matter. `data:` URLs of
/// images are left alone (an `<img>` runs no script).
pub fn script_scheme(dest: &str, is_image: bool) -> Option<&'static str> {
    let cleaned: String = dest
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .into_iter()
        .find(|s| cleaned.starts_with(s) && !(is_image && *s == "data:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_schemes_are_found_as_browsers_read_them() {
        for dest in [
            "javascript:alert(1)",
            " JavaScript:x",
            "java\tscript:x",
            "\u{1}javascript:x",
            "vbscript:x",
            "data:text/html,<script>x</script>",
        ] {
            assert!(script_scheme(dest, false).is_some(), "{dest:?}");
        }
        for dest in [
            "https://example.com/javascript:x",
            "page.html#javascript:x",
            "javascript.html",
            "mailto:a@b.c",
            "./javascript:x",
        ] {
            assert_eq!(script_scheme(dest, false), None, "{dest:?}");
        }
        assert_eq!(script_scheme("data:image/png;base64,AA", true), None);
        assert_eq!(script_scheme("javascript:x", true), Some("javascript:"));
    }

    #[test]
    fn prefixes_and_relative_paths() {
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(root_prefix("a/b/c.html"), "../../");
        assert_eq!(relative_between("a/x.html", "a/y.html"), "y.html");
        assert_eq!(relative_between("a/x.html", "b/y.html"), "../b/y.html");
        assert_eq!(relative_between("index.html", "a/b.html"), "a/b.html");
        assert_eq!(relative_between("a/b/x.html", "a/y.html"), "../y.html");
        assert_eq!(relative_between("a/x.html", "a"), "../a");
    }

    #[test]
    fn joins_and_refuses_to_climb_out() {
        assert_eq!(join_normalized("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(
            join_normalized("a", "./x/../y.md").as_deref(),
            Some("a/y.md")
        );
        assert_eq!(join_normalized("", "../x.md"), None);
    }

    #[test]
    fn external_links() {
        for d in ["https://x.org", "mailto:a@b.c", "//cdn.x/y", "tel:+1"] {
            assert!(is_external(d), "{d}");
        }
        for d in ["a.md", "../a.md#x", "#top", "a/b:c.md", "./x:y"] {
            assert!(!is_external(d), "{d}");
        }
    }
}
