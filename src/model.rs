//! The guide as plain data: sections and lessons with their raw front matter kept apart from what
//! is derived from it. Everything is addressed by index ids, never by path.

use std::path::PathBuf;

use crate::frontmatter::FrontMatter;

/// Index of a section in [`Site::sections`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId(pub usize);

/// Index of a lesson in [`Site::lessons`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LessonId(pub usize);

/// A page of the guide: a lesson or a section's own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageId {
    Section(SectionId),
    Lesson(LessonId),
}

/// A Markdown source file as read from disk, with the place of its body inside the file.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the guide root, with `/` separators (as shown in messages).
    pub path: String,
    /// Absolute or root-joined path on disk.
    pub disk_path: PathBuf,
    /// The front matter as written, delimiters included; empty only for a section that has no
    /// `_index.md` (a page read from a file always has one).
    pub front: std::sync::Arc<str>,
    /// The Markdown body after the front matter.
    pub body: std::sync::Arc<str>,
    /// 1-based line in the file where `body` starts.
    pub body_line: usize,
    /// Words of prose in the body (code blocks left out), for reading time.
    pub words: usize,
}

/// A folder with an `_index.md` (or the content root itself).
#[derive(Debug, Clone)]
pub struct Section {
    pub front: FrontMatter,
    pub source: Source,
    /// Path of the folder relative to the content folder (`""` for the root).
    pub dir: String,
    /// Output path relative to the site root, e.g. `it-management/index.html`.
    pub url: String,
    pub parent: Option<SectionId>,
    /// Child sections in guide order.
    pub sections: Vec<SectionId>,
    /// Lessons directly in this section, in guide order.
    pub lessons: Vec<LessonId>,
}

/// One lesson: a Markdown file that is not `_index.md`.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub front: FrontMatter,
    pub source: Source,
    /// Path relative to the content folder without extension, e.g. `it-management/vendors`.
    pub slug_path: String,
    /// Output path relative to the site root, e.g. `it-management/vendors.html`.
    pub url: String,
    pub section: SectionId,
}

impl Lesson {
    /// The folder, relative to the content folder, its relative links start from.
    pub fn dir(&self) -> &str {
        self.slug_path.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

/// Everything loaded from the content folder. `sections[0]` is the root section.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub sections: Vec<Section>,
    pub lessons: Vec<Lesson>,
}

impl Source {
    /// Line `line` (1-based, of the whole file) as written.
    pub fn line(&self, line: usize) -> Option<&str> {
        let front_lines = self.body_line.saturating_sub(1);
        match line.checked_sub(1)? {
            i if i < front_lines => self.front.lines().nth(i),
            i => self.body.lines().nth(i - front_lines),
        }
    }

    /// Whether the page was read from a file (rather than made for a folder without
    /// `_index.md`).
    pub fn has_file(&self) -> bool {
        !self.front.is_empty()
    }
}

impl Site {
    pub fn section(&self, id: SectionId) -> &Section {
        &self.sections[id.0]
    }

    pub fn lesson(&self, id: LessonId) -> &Lesson {
        &self.lessons[id.0]
    }

    /// The root section (the content folder itself).
    pub fn root(&self) -> SectionId {
        SectionId(0)
    }

    /// Every page in reading order: a section, then its lessons, then its child sections.
    pub fn reading_order(&self) -> Vec<PageId> {
        let mut out = Vec::with_capacity(self.sections.len() + self.lessons.len());
        if !self.sections.is_empty() {
            self.push_order(self.root(), &mut out);
        }
        out
    }

    fn push_order(&self, id: SectionId, out: &mut Vec<PageId>) {
        out.push(PageId::Section(id));
        let section = self.section(id);
        out.extend(section.lessons.iter().map(|&l| PageId::Lesson(l)));
        for &child in &section.sections {
            self.push_order(child, out);
        }
    }

    /// The section and its ancestors, from the root down.
    pub fn ancestry(&self, id: SectionId) -> Vec<SectionId> {
        let mut chain = vec![id];
        let mut current = id;
        while let Some(parent) = self.section(current).parent {
            chain.push(parent);
            current = parent;
        }
        chain.reverse();
        chain
    }

    pub fn page_source(&self, page: PageId) -> &Source {
        match page {
            PageId::Section(s) => &self.section(s).source,
            PageId::Lesson(l) => &self.lesson(l).source,
        }
    }

    /// The folder, relative to the content folder, a page's relative links start from.
    pub fn page_dir(&self, page: PageId) -> &str {
        match page {
            PageId::Section(s) => &self.section(s).dir,
            PageId::Lesson(l) => self.lesson(l).dir(),
        }
    }

    /// Every page by its source path (as shown in messages, `content/a/b.md`).
    pub fn pages_by_path(&self) -> std::collections::HashMap<&str, PageId> {
        self.reading_order()
            .into_iter()
            .map(|p| (self.page_source(p).path.as_str(), p))
            .collect()
    }

    pub fn page_front(&self, page: PageId) -> &FrontMatter {
        match page {
            PageId::Section(s) => &self.section(s).front,
            PageId::Lesson(l) => &self.lesson(l).front,
        }
    }

    pub fn page_url(&self, page: PageId) -> &str {
        match page {
            PageId::Section(s) => &self.section(s).url,
            PageId::Lesson(l) => &self.lesson(l).url,
        }
    }
}
