//! `guide init` (a new guide that builds at once) and `guide new` (a lesson with front matter, and
//! its section when there is none yet).

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

Words defined in `glossary.toml`, like front matter or a call-out, are linked to the glossary
the first time a page uses them.

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

const GLOSSARY: &str = r#"# Each [[term]] is listed on glossary.html; the first use of its name or an alias on a page
# links to its entry. A term no page uses is a warning.

[[term]]
term = "Front matter"
definition = "The block between `+++` lines at the top of a lesson: its title, description, weight and other settings, in TOML."
related = ["getting-started/first-lesson.md"]

[[term]]
term = "Call-out"
aliases = ["callout"]
definition = "A highlighted note in a lesson, written as a block quote that starts with `[!TIP]`, `[!NOTE]` or `[!WARNING]`."

[[term]]
term = "Lesson"
definition = "One page of the guide: a Markdown file in a section folder."
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
    let files: [(&str, &str); 6] = [
        ("book.toml", BOOK_TOML),
        (crate::glossary::FILE, GLOSSARY),
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

/// What `guide new` wrote: the section pages it had to create (outermost first), then the lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLesson {
    /// `_index.md` of each section that did not exist yet, with the title it was given.
    pub sections: Vec<(PathBuf, String)>,
    pub lesson: PathBuf,
}

/// Creates `content/<section>/<slug>.md` with front matter, and any missing section on the way
/// (a folder with an `_index.md` titled from the folder name), as Hugo and Zola do.
pub fn new_lesson(root: &Path, spec: &str, title: Option<&str>) -> Result<NewLesson, Diagnostic> {
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
    let path = section_dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(Diagnostic::error(
            crate::diagnostics::display_path(root, &path),
            "this lesson already exists; nothing was changed",
        ));
    }
    let cannot = |path: &Path, e: std::io::Error| {
        Diagnostic::error(
            crate::diagnostics::display_path(root, path),
            format!("cannot write: {e}"),
        )
    };
    let mut sections = Vec::new();
    let mut dir = content.clone();
    for folder in section.split('/').filter(|s| !s.is_empty()) {
        dir.push(folder);
        let index = dir.join("_index.md");
        if index.is_file() {
            continue;
        }
        let title = title_from_slug(folder);
        std::fs::create_dir_all(&dir).map_err(|e| cannot(&dir, e))?;
        let text = format!(
            "+++\ntitle = {}\ndescription = \"\"\nweight = 100\n+++\n\nWhat this section covers.\n",
            toml::Value::String(title.clone())
        );
        std::fs::write(&index, text).map_err(|e| cannot(&index, e))?;
        sections.push((index, title));
    }
    let title = title.map_or_else(|| title_from_slug(slug), str::to_owned);
    let text = format!(
        "+++\ntitle = {}\ndescription = \"\"\nweight = 100\ntopics = []\n+++\n\n## Overview\n\nWrite the lesson here.\n\n## Key takeaways\n\n- \n",
        toml::Value::String(title)
    );
    std::fs::write(&path, text).map_err(|e| cannot(&path, e))?;
    Ok(NewLesson {
        sections,
        lesson: path,
    })
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
        let made = new_lesson(dir.path(), "getting-started/second-step", None).unwrap();
        assert!(made.sections.is_empty());
        let text = std::fs::read_to_string(made.lesson).unwrap();
        assert!(text.contains("title = \"Second step\""), "{text}");
        assert!(new_lesson(dir.path(), "getting-started/second-step", None).is_err());
        assert!(new_lesson(dir.path(), "getting-started/Bad Name", None).is_err());
    }
}
