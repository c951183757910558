//! `guide init` (a new guide that builds at once) and `guide new` (a lesson with front matter).

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

const BOOK_TOML: &str = r#"[book]
title = "My guide"
description = "What this guide teaches, in one sentence."
authors = []
language = "en"

[build]
content-dir = "content"
output-dir = "public"
theme = "default"
site-url = ""

[search]
enabled = true
"#;

const LANDING: &str = r#"+++
title = "My guide"
description = "Start here."
+++

Welcome. Each folder under `content/` with an `_index.md` is a section; every other `.md` file
is a lesson. Run `guide serve` and edit the files: the browser follows along.
"#;

const SECTION: &str = r#"+++
title = "Getting started"
description = "The first steps."
weight = 10
+++

The lessons of this section are listed below.
"#;

const LESSON: &str = r#"+++
title = "First lesson"
description = "A lesson to copy when you write the next one."
weight = 10
+++

## What a lesson looks like

A lesson is Markdown with front matter. Link to other lessons with relative links to their
`.md` files, such as [the section page](_index.md): the build checks every such link.

> [!TIP]
> Run `guide new getting-started/second-lesson` to add the next lesson.

## Key takeaways

- Lessons live in section folders.
- Links between lessons are checked at build time.

## Check yourself

A `quiz` block is a self-check: readers answer, press the button, and see what they got right.

```quiz
[[question]]
prompt = "Where does a lesson's title go?"
hint = "Look at the top of this file."
[[question.option]]
text = "In its front matter"
right = true
explain = "Yes: `title` sits between the `+++` lines."
[[question.option]]
text = "In the first heading"
explain = "No: headings structure the body; the title comes from the front matter."

[[question]]
prompt = "The build checks links between lessons."
answer = true
explain = "A broken link to a `.md` file stops the build with its file and line."

[[question]]
prompt = "Which command adds a lesson?"
accept = ["guide new", "new"]
explain = "`guide new getting-started/second-lesson` writes a lesson to fill in."
```
"#;

/// Creates a new guide in `dir` (which must not hold a guide already); returns the files written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if dir.join("book.toml").exists() {
        return Err(format!(
            "{} already holds a guide (book.toml exists); nothing was changed",
            dir.display()
        ));
    }
    if dir.join("content").exists() {
        return Err(format!(
            "{} already has a content/ folder; nothing was changed",
            dir.display()
        ));
    }
    let files: [(&str, &str); 5] = [
        ("book.toml", BOOK_TOML),
        ("content/_index.md", LANDING),
        ("content/getting-started/_index.md", SECTION),
        ("content/getting-started/first-lesson.md", LESSON),
        (".gitignore", "/public\n/.public.previous\n/.guide-cache\n"),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        let target = dir.join(path);
        if target.exists() {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, text)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        written.push(target);
    }
    Ok(written)
}

/// Creates `content/<section>/<slug>.md` with front matter; the section folder must exist.
pub fn new_lesson(root: &Path, spec: &str, title: Option<&str>) -> Result<PathBuf, Diagnostic> {
    let config = Config::load(root)?;
    let spec = spec.trim_matches('/').trim_end_matches(".md");
    let (section, slug) = spec.rsplit_once('/').unwrap_or(("", spec));
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    };
    if !valid(slug) || !section.split('/').all(|s| section.is_empty() || valid(s)) {
        return Err(Diagnostic::error(
            spec,
            "a lesson is named `<section>/<slug>` with lower-case letters, digits and `-`",
        )
        .help("for example: guide new it-management/vendor-management"));
    }
    let content = root.join(&config.build.content_dir);
    let section_dir = content.join(section);
    if !section_dir.join("_index.md").is_file() {
        return Err(Diagnostic::error(
            crate::diagnostics::display_path(root, &section_dir),
            "there is no such section (a folder with an `_index.md`)",
        )
        .help("create the section's _index.md first, or pick an existing section"));
    }
    let path = section_dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(Diagnostic::error(
            crate::diagnostics::display_path(root, &path),
            "this lesson already exists; nothing was changed",
        ));
    }
    let title = title.map_or_else(|| title_from_slug(slug), str::to_owned);
    let text = format!(
        "+++\ntitle = {}\ndescription = \"\"\nweight = 100\ntopics = []\n+++\n\n## Overview\n\nWrite the lesson here.\n\n## Key takeaways\n\n- \n",
        toml::Value::String(title)
    );
    std::fs::write(&path, text).map_err(|e| {
        Diagnostic::error(
            crate::diagnostics::display_path(root, &path),
            format!("cannot write: {e}"),
        )
    })?;
    Ok(path)
}

fn title_from_slug(slug: &str) -> String {
    let words: Vec<String> = slug
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            if i == 0 {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            } else {
                w.to_owned()
            }
        })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_slugs() {
        assert_eq!(title_from_slug("vendor-management"), "Vendor management");
    }

    #[test]
    fn init_refuses_an_existing_guide() {
        let dir = tempfile::tempdir().unwrap();
        assert!(init(dir.path()).is_ok());
        assert!(init(dir.path()).is_err());
        let path = new_lesson(dir.path(), "getting-started/second-step", None).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("title = \"Second step\""), "{text}");
        assert!(new_lesson(dir.path(), "nowhere/x", None).is_err());
        assert!(new_lesson(dir.path(), "getting-started/Bad Name", None).is_err());
    }
}
