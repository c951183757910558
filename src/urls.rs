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

#[cfg(test)]
mod tests {
    use super::*;

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
