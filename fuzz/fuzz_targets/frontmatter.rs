//! Front matter: `split`, `parse` and `read` on any text, as `load` calls them on every `.md` file.
//!
//! The first byte picks how the rest is used: as a whole file, or as the inside of a `+++` (TOML)
//! or `---` (YAML) block, so that the parsers behind the fences are reached at once.
//!
//! Besides not panicking, checked: the split's parts are slices of the text at the lines it says,
//! `read` agrees with `split` + `parse`, every diagnostic points at a line of the file, and
//! diagnostics render.

#![no_main]

use guide::diagnostics::Diagnostic;
use guide::internals::frontmatter::{self, Format};
use libfuzzer_sys::fuzz_target;

const FILE: &str = "content/fuzz.md";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let text = match mode % 3 {
        0 => rest.to_owned(),
        1 => format!("+++\n{rest}\n+++\nBody\n"),
        _ => format!("---\n{rest}\n---\nBody\n"),
    };
    check(&text);
});

fn check(text: &str) {
    // Lines an editor shows for this file (a final line without a newline counts).
    let lines = text.split('\n').count();
    let bom = text.len() - text.strip_prefix('\u{feff}').unwrap_or(text).len();

    let split = frontmatter::split(FILE, text);
    let parsed = match &split {
        Ok(s) => {
            let range = |part: &str| {
                let start = part.as_ptr() as usize - text.as_ptr() as usize;
                assert!(start + part.len() <= text.len(), "part outside the text");
                start
            };
            let front_start = range(s.front);
            let body_start = range(s.body);
            assert_eq!(s.front_line, 2);
            assert_eq!(
                front_start,
                bom + text[bom..].find('\n').unwrap() + 1,
                "front does not start on line 2"
            );
            assert!(front_start + s.front.len() <= body_start);
            assert_eq!(body_start + s.body.len(), text.len(), "body is not the rest");
            let fence = match s.format {
                Format::Toml => "+++",
                Format::Yaml => "---",
            };
            assert!(text[bom..].starts_with(fence));
            if !s.body.is_empty() {
                let newlines = text[..body_start].matches('\n').count();
                assert_eq!(s.body_line, newlines + 1, "body_line");
            }
            let parsed = frontmatter::parse(FILE, s);
            match &parsed {
                Ok(front) => assert!(!front.title.trim().is_empty()),
                Err(d) => check_diagnostic(d, lines),
            }
            Some(parsed)
        }
        Err(d) => {
            assert_eq!((d.line, d.col), (1, 1));
            check_diagnostic(d, lines);
            None
        }
    };

    match frontmatter::read(FILE, text) {
        Ok((front, body_start, body_line)) => {
            let Some(Ok(expected)) = &parsed else {
                panic!("read succeeded where split + parse failed");
            };
            let s = split.as_ref().unwrap();
            assert_eq!(&front, expected);
            assert_eq!(&text[body_start..], s.body);
            assert_eq!(body_line, s.body_line);
            let _ = guide::internals::count_words(&text[body_start..]);
        }
        Err(d) => {
            assert!(
                !matches!(parsed, Some(Ok(_))),
                "read failed where split + parse succeeded: {d:?}"
            );
            check_diagnostic(&d, lines);
            assert!(d.line >= 1, "read's diagnostic has no line: {d:?}");
            if let Some(source) = &d.source_line {
                assert_eq!(Some(source.as_str()), text.lines().nth(d.line - 1));
            }
        }
    }
}

fn check_diagnostic(d: &Diagnostic, lines: usize) {
    assert!(d.is_error());
    assert!(!d.message.is_empty());
    assert!(
        d.line <= lines,
        "diagnostic at line {} of a {lines}-line file: {d:?}",
        d.line
    );
    let _ = d.render(false);
    let _ = d.render(true);
    let _ = d.location();
}
