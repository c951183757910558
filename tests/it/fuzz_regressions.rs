//! Inputs the fuzz targets in `fuzz/` found, each fed through the same functions as the target
//! that found it (`guide::internals`), so that the bug stays fixed. See README's "Fuzzing" section.

use guide::internals::frontmatter;

/// Lines of `text` as the rest of `guide` counts them (`\n`-separated), 1-based.
fn line_of(text: &str, line: usize) -> Option<&str> {
    text.lines().nth(line.checked_sub(1)?)
}

// fuzz target `frontmatter`: YAML also breaks lines at a lone `\r` (and at U+0085, U+2028 and
// U+2029), so the YAML parser's line numbers ran past the end of the file and the diagnostic
// had no source line.
#[test]
fn yaml_error_after_lone_carriage_returns_points_at_a_line_of_the_file() {
    for (text, col) in [
        ("---\ntitle: A\r\r\r\r\r\rtopics: x\n---\n", 23),
        ("---\ntitle: A\u{2028}topics: x\n---\n", 18),
        ("---\ntitle: A\u{85}topics: x\n---\n", 18),
    ] {
        let d = frontmatter::read("content/a.md", text).unwrap_err();
        assert_eq!((d.line, d.col), (2, col), "{text:?}: {d:?}");
        assert_eq!(d.source_line.as_deref(), line_of(text, 2), "{text:?}");
        let shown = d.render(false);
        assert!(shown.contains("content/a.md:2:"), "{shown}");
    }
    for text in [
        "---\ntitle: A\r\r\r\r\r\rtopics: [a\n---\n",
        "---\ntitle: A\r\r\r\r\r\r- x\n---\n",
    ] {
        let d = frontmatter::read("content/a.md", text).unwrap_err();
        assert!(
            (1..=text.lines().count()).contains(&d.line),
            "{text:?}: {d:?}"
        );
        assert!(d.source_line.is_some(), "{text:?}: {d:?}");
    }
}
