//! Finding where a value is written in front matter or `book.toml`, so that a diagnostic about it
//! points at its own line and column even when the same text appears under another key or table.

use crate::diagnostics::line_col;

/// Line and column of `value` written under `key` inside the TOML table `table` (`None` for the
/// whole text), falling back to its first whole occurrence anywhere.
pub fn value_in(text: &str, table: Option<&str>, key: &str, value: &str) -> Option<(usize, usize)> {
    let (start, end) = table
        .and_then(|t| table_range(text, t))
        .unwrap_or((0, text.len()));
    let scope = &text[start..end];
    let from = key_offset(scope, key).unwrap_or(0);
    let at = find_token(&scope[from..], value)
        .map(|at| start + from + at)
        .or_else(|| find_token(text, value))?;
    Some(line_col(text, at))
}

/// Line and column of the name in the header of TOML table `[name]` (`[topics.dev]` →
/// `topics.dev`), falling back to the name's first whole occurrence anywhere.
pub fn table(text: &str, name: &str) -> Option<(usize, usize)> {
    let at = table_range(text, name)
        .map(|(start, _)| start + text[start..].find('[').map_or(0, |i| i + 1))
        .or_else(|| find_token(text, name))?;
    Some(line_col(text, at))
}

/// Characters that continue a slug, path or dotted key: a match next to one is part of a
/// longer value.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

/// Byte offset of the first occurrence of `value` not inside a longer name.
fn find_token(text: &str, value: &str) -> Option<usize> {
    if value.is_empty() {
        return None;
    }
    text.match_indices(value).map(|(at, _)| at).find(|&at| {
        let before = text[..at].chars().next_back();
        let after = text[at + value.len()..].chars().next();
        !before.is_some_and(is_name_char) && !after.is_some_and(is_name_char)
    })
}

/// Lines of `text` with the byte offset each starts at.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line))
    })
}

/// Byte offset of the line that sets `key` (`key =` in TOML, `key:` in YAML).
fn key_offset(text: &str, key: &str) -> Option<usize> {
    lines(text).find_map(|(start, line)| {
        let trimmed = line.trim_start();
        let rest = trimmed
            .strip_prefix(key)
            .or_else(|| strip_quoted(trimmed, key))?;
        rest.trim_start()
            .starts_with(['=', ':'])
            .then_some(start + line.len() - trimmed.len())
    })
}

fn strip_quoted<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    ['"', '\'']
        .into_iter()
        .find_map(|q| text.strip_prefix(q)?.strip_prefix(key)?.strip_prefix(q))
}

/// The byte range of TOML table `[name]`: from its header line to the next header.
fn table_range(text: &str, name: &str) -> Option<(usize, usize)> {
    let mut found = None;
    for (start, line) in lines(text) {
        let trimmed = line.trim();
        if found.is_some() && trimmed.starts_with('[') {
            return found.map(|s| (s, start));
        }
        if found.is_none() && header_names(trimmed, name) {
            found = Some(start);
        }
    }
    found.map(|s| (s, text.len()))
}

/// Whether `line` is the header `[name]`, allowing spaces, a comment and a quoted last part.
fn header_names(line: &str, name: &str) -> bool {
    let Some(inner) = line
        .strip_prefix('[')
        .filter(|l| !l.starts_with('['))
        .and_then(|l| l.split_once(']'))
        .map(|(inner, _)| inner)
    else {
        return false;
    };
    let parts: Vec<String> = inner
        .split('.')
        .map(|p| p.trim().trim_matches(['"', '\'']).to_owned())
        .collect();
    parts.join(".") == name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_found_under_its_own_key_and_as_a_whole_word() {
        let front = "prerequisites = [\"a.md\"]\nrelated = [\"a.md\"]\n";
        assert_eq!(value_in(front, None, "related", "a.md"), Some((2, 13)));
        assert_eq!(
            value_in(front, None, "prerequisites", "a.md"),
            Some((1, 19))
        );
        let yaml = "title: x\ntopics: [devops, dev]\n";
        assert_eq!(value_in(yaml, None, "topics", "dev"), Some((2, 18)));
        assert_eq!(value_in(yaml, None, "nope", "dev"), Some((2, 18)));
        assert_eq!(value_in(yaml, None, "topics", "ops"), None);
    }

    #[test]
    fn a_table_is_found_by_its_exact_header() {
        let book = "[topics.devops]\ntitle = \"D\"\n\n[topics.dev]\ntitle = \"d\"\n\n\
                    [tracks.a]\nlessons = [\"x.md\"]\n[tracks.b]\nlessons = [\"y.md\", \"x.md\"]\n";
        assert_eq!(table(book, "topics.dev"), Some((4, 2)));
        assert_eq!(table(book, "topics.devops"), Some((1, 2)));
        assert_eq!(
            value_in(book, Some("tracks.b"), "lessons", "x.md"),
            Some((10, 21))
        );
        assert_eq!(
            value_in(book, Some("tracks.a"), "lessons", "x.md"),
            Some((8, 13))
        );
    }
}
