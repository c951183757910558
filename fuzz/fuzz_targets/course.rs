//! The guide the `markdown` and `search` targets run over: the `course` test fixture, loaded
//! once, and a page body rendered as the build renders it (the theme's fenced blocks, syntax
//! highlighting, `PageLinks` from the page's own folder).

use std::path::PathBuf;
use std::sync::OnceLock;

use guide::internals::markdown::{self, Rendered};
use guide::internals::{
    Assets, Fences, Highlighter, PageId, PageLinks, Prepared, Stopwatch, prepare,
};

pub struct Course {
    pub prepared: Prepared,
    pub highlighter: &'static Highlighter,
    pub content_dir: PathBuf,
    /// Every page, in reading order.
    pub pages: Vec<PageId>,
}

/// The fixture, loaded on first use.
pub fn course() -> &'static Course {
    static COURSE: OnceLock<Course> = OnceLock::new();
    COURSE.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/course");
        let config = guide::config::Config::load(&root).expect("fixture book.toml");
        let highlighter: &'static Highlighter = Box::leak(Box::new(Highlighter::new()));
        let prepared = prepare(&root, config, false, highlighter, &mut Stopwatch::new())
            .unwrap_or_else(|_| panic!("the course fixture does not load"));
        let content_dir = std::fs::canonicalize(root.join(&prepared.config.build.content_dir))
            .expect("fixture content folder");
        let pages = prepared.site.reading_order();
        Course {
            prepared,
            highlighter,
            content_dir,
            pages,
        }
    })
}

impl Course {
    /// `body` rendered as the build renders `page`'s body, starting at line `first_line`.
    pub fn render(&self, page: PageId, body: &str, first_line: usize) -> Rendered {
        let fences = Fences {
            theme: &self.prepared.theme,
            highlighter: self.highlighter,
        };
        let assets = Assets::default();
        let links = PageLinks {
            index: &self.prepared.index,
            site: &self.prepared.site,
            dir: self.prepared.site.page_dir(page),
            content_dir: &self.content_dir,
            assets: &assets,
        };
        markdown::render(body, first_line, &fences, &links)
    }
}
