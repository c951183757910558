//! `guide`: a static-site generator for learning guides. Markdown lessons with front matter
//! (topics, prerequisites, learning tracks) go in; a static site comes out — pages, cross links,
//! a topic map and a search index — that works on any web server, under any sub-path, and
//! straight from disk.
//!
//! The `guide` command line is a thin layer over these entry points:
//!
//! - [`build`] with [`BuildOptions`]: `guide build`, or with `write: false` `guide check`
//!   (everything rendered and checked, nothing written). It returns an [`Outcome`] or a
//!   [`Failure`].
//! - [`serve`] with [`ServeOptions`]: `guide serve`, the preview with live reload.
//! - [`init`] and [`new_lesson`]: `guide init` (a new guide) and `guide new` (a new lesson, and
//!   its sections when they are new).
//! - [`clean`]: `guide clean`, removing what builds left (only folders `guide` made).
//! - [`report`]: check results as GitHub annotations, a GitLab code-quality report or JSON lines.
//! - [`config::Config`]: `book.toml`, read and checked.
//! - [`diagnostics::Diagnostic`]: a problem with the guide, located by file, line and column.
//!
//! ```no_run
//! let options = guide::BuildOptions {
//!     root: "my-guide".into(),
//!     out: None,
//!     drafts: false,
//!     write: true,
//!     progress: false,
//! };
//! match guide::build(&options) {
//!     Ok(outcome) => println!("{} pages", outcome.pages),
//!     Err(guide::Failure::Guide(problems)) => {
//!         for problem in &problems {
//!             eprint!("{}", problem.render(false));
//!         }
//!     }
//!     Err(guide::Failure::Usage(message)) => eprintln!("{message}"),
//! }
//! ```
//!
//! How it works inside (one module per stage of the pipeline) is in `ARCHITECTURE.md`.

mod blocks;
mod clean;
pub mod config;
mod context;
mod crossref_pages;
pub mod diagnostics;
mod emit;
mod frontmatter;
mod glossary;
mod graph;
mod highlight;
mod init;
mod links;
mod load;
mod locate;
mod markdown;
mod model;
mod nav;
mod output;
mod outputs;
mod pages;
mod print;
mod quiz;
mod render;
pub mod report;
mod search;
mod serve;
mod site_files;
mod suggest;
mod theme;
mod topicmap;
mod topics;
mod urls;

pub use clean::{Cleaned, clean};
pub use init::{NewLesson, init, new_lesson};
pub use serve::{ServeOptions, serve};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use config::Config;
use diagnostics::{Diagnostic, Diagnostics};
use highlight::Highlighter;
use output::{NullSink, Sink, Staging};

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The guide root (the folder with `book.toml`).
    pub root: PathBuf,
    /// Output folder; `book.toml`'s `output-dir` under the root when `None`.
    pub out: Option<PathBuf>,
    /// Include lessons marked `draft = true`.
    pub drafts: bool,
    /// `false` for `guide check`: everything is rendered and checked, nothing is written.
    pub write: bool,
    /// Show a progress bar (only honoured on a terminal).
    pub progress: bool,
}

/// What a successful run did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Warnings (errors make the run fail).
    pub warnings: Vec<Diagnostic>,
    /// Pages rendered: sections and lessons.
    pub pages: usize,
    /// Files written in all: pages, assets, the theme's files and the search index.
    pub files: usize,
    /// The output folder written; `None` for `guide check`.
    pub out: Option<PathBuf>,
    /// Each stage, how long it took, and the peak memory (KB) when it ended, where known.
    pub timings: Vec<(&'static str, Duration, Option<u64>)>,
    /// Highlight cache hits and misses.
    pub cache: (usize, usize),
}

/// Why a run failed.
#[derive(Debug)]
pub enum Failure {
    /// The guide has errors (exit code 1); warnings may be among them.
    Guide(Vec<Diagnostic>),
    /// The command was used wrongly, e.g. a dangerous `--out` (exit code 2).
    Usage(String),
}

impl Failure {
    /// The exit code the command line ends with: 1 for the guide's errors, 2 for misuse.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Guide(_) => 1,
            Failure::Usage(_) => 2,
        }
    }
}

/// Folder of caches that are safe to delete, under the guide root.
pub(crate) fn cache_dir(root: &Path) -> PathBuf {
    root.join(".guide-cache")
}

/// Times the stages of a run.
#[doc(hidden)]
pub struct Stopwatch {
    last: Instant,
    laps: Vec<(&'static str, Duration, Option<u64>)>,
}

impl Default for Stopwatch {
    fn default() -> Self {
        Self::new()
    }
}

impl Stopwatch {
    /// Starts timing now.
    pub fn new() -> Self {
        Self {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Records the time since the last lap under `stage`.
    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.last, peak_memory_kb()));
        self.last = now;
    }
}

/// Everything known about a guide before its pages are rendered: loaded, themed and linked.
/// `guide serve` keeps one and renders pages from it on request.
#[doc(hidden)]
pub struct Prepared {
    pub config: Config,
    pub site: model::Site,
    pub theme: theme::Theme,
    pub index: links::LinkIndex,
    pub crossrefs: graph::Crossrefs,
    /// Problems found while loading and linking.
    pub diagnostics: Diagnostics,
}

impl Prepared {
    /// A prepared guide, with the theme's globals set from it: the one place they are set, so
    /// that whichever way a guide was prepared (loaded, re-themed, bodies replaced), its
    /// templates see its own site, navigation, tracks and search index.
    pub fn new(
        config: Config,
        site: model::Site,
        mut theme: theme::Theme,
        index: links::LinkIndex,
        crossrefs: graph::Crossrefs,
        diagnostics: Diagnostics,
    ) -> Self {
        context::set_globals(&mut theme, &site, &config, &crossrefs);
        Self {
            index,
            config,
            site,
            theme,
            crossrefs,
            diagnostics,
        }
    }

    /// A page writer over this guide.
    pub fn writer<'a>(&'a self, highlighter: &'a Highlighter) -> pages::PageWriter<'a> {
        pages::PageWriter {
            site: &self.site,
            config: &self.config,
            theme: &self.theme,
            markdown: render::MarkdownStage::new(&self.site, &self.theme, highlighter, &self.index)
                .allowing_html(self.config.build.allow_html)
                .linking_terms(&self.crossrefs.glossary),
            crossrefs: &self.crossrefs,
            order: nav::Order::new(&self.site),
        }
    }
}

/// Loads the content, the theme and the cross references of the guide at `root`. Fails only when
/// the theme cannot be loaded; other problems are in [`Prepared::diagnostics`].
#[doc(hidden)]
pub fn prepare(
    root: &Path,
    config: Config,
    drafts: bool,
    highlighter: &Highlighter,
    clock: &mut Stopwatch,
) -> Result<Prepared, Failure> {
    let content_dir = root.join(&config.build.content_dir);
    let (site, mut diags) = load::load(&load::LoadOptions {
        root,
        content_dir: &content_dir,
        book_title: &config.book.title,
        drafts,
    });
    clock.lap("load");

    let theme = theme::Theme::load(
        root,
        &config.build.theme,
        vec![("highlight.css".to_owned(), highlighter.css().into_bytes())],
    )
    .map_err(|d| {
        diags.push(d);
        Failure::Guide(std::mem::take(&mut diags).sorted())
    })?;
    clock.lap("theme");

    let book_text = std::fs::read_to_string(config::config_path(root)).unwrap_or_default();
    let index = links::LinkIndex::new(&site);
    let (mut crossrefs, link_diags) = graph::build(&site, &config, &index, &book_text);
    diags.extend(link_diags);
    let (glossary, glossary_diags) = glossary::Glossary::load(root, &site, &index);
    crossrefs.glossary = glossary;
    diags.extend(glossary_diags);
    clock.lap("link");
    Ok(Prepared::new(config, site, theme, index, crossrefs, diags))
}

/// Runs the whole pipeline: `guide build` when `opts.write`, `guide check` otherwise.
pub fn build(opts: &BuildOptions) -> Result<Outcome, Failure> {
    let mut clock = Stopwatch::new();
    let root = &opts.root;
    let config = Config::load(root).map_err(|d| Failure::Guide(vec![d]))?;
    let content_dir = root.join(&config.build.content_dir);
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| root.join(&config.build.output_dir));
    if opts.write {
        output::check_target(root, &content_dir, &out).map_err(|r| Failure::Usage(r.0))?;
    }
    clock.lap("config");

    let highlighter = Highlighter::new();
    let cache_file = cache_dir(root).join("highlight.bin");
    highlighter.load_cache(&cache_file);
    clock.lap("highlighter");

    let prepared = prepare(root, config, opts.drafts, &highlighter, &mut clock)?;
    let page_count = prepared.site.sections.len() + prepared.site.lessons.len();
    let progress = Progress::new(opts.progress, page_count);
    let writer = prepared.writer(&highlighter);
    let mut diags = prepared.diagnostics.clone();
    // Pages are written as they are rendered; a guide that already has errors is still
    // rendered in full to report every problem, but into nothing.
    let staging = if opts.write && !diags.has_errors() {
        Some(Staging::create(&out).map_err(|e| {
            Failure::Guide(vec![Diagnostic::error(
                out.display().to_string(),
                format!("cannot create the staging folder beside the output folder: {e}"),
            )])
        })?)
    } else {
        None
    };
    let sink: &dyn Sink = match &staging {
        Some(s) => s,
        None => &NullSink,
    };
    let written = emit::Written::new(sink);
    let outputs = outputs::Outputs::new(&prepared);
    diags.extend(emit::write_site(&writer, &outputs, &written, &|| {
        progress.tick()
    }));
    progress.finish();
    clock.lap("render");
    let files = written.files();
    if let Some((file, e)) = written.failure() {
        return Err(Failure::Guide(vec![
            Diagnostic::error(
                out.display().to_string(),
                format!("cannot write the site into this folder: {e} (at `{file}`); the build stopped there"),
            )
            .help("free some space or fix the folder's permissions, then build again; the previous site is left as it was"),
        ]));
    }
    if diags.has_errors() {
        return Err(Failure::Guide(diags.sorted()));
    }
    if let Some(staging) = staging {
        staging.commit().map_err(|e| {
            Failure::Guide(vec![Diagnostic::error(
                out.display().to_string(),
                format!("cannot swap the new site into place: {e}"),
            )])
        })?;
        if let Err(e) = save_cache(root, &highlighter, &cache_file) {
            diags.push(Diagnostic::warning(
                diagnostics::display_path(root, &cache_file),
                format!("cannot save the highlight cache: {e}"),
            ));
        }
        clock.lap("write");
    }
    Ok(Outcome {
        warnings: diags.sorted(),
        pages: page_count,
        files,
        out: opts.write.then_some(out),
        timings: clock.laps,
        cache: highlighter.stats(),
    })
}

/// The process's peak resident memory so far, in KB (Linux only).
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn save_cache(root: &Path, highlighter: &Highlighter, file: &Path) -> std::io::Result<()> {
    let dir = cache_dir(root);
    std::fs::create_dir_all(&dir)?;
    let tag = dir.join("CACHEDIR.TAG");
    if !tag.exists() {
        std::fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# guide's build cache: safe to delete.\n",
        )?;
        std::fs::write(dir.join(".gitignore"), "*\n")?;
    }
    highlighter.save_cache(file)
}

/// A progress bar on a terminal for long builds; nothing otherwise.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(wanted: bool, pages: usize) -> Self {
        use std::io::IsTerminal;
        let show = wanted && pages >= 500 && std::io::stderr().is_terminal();
        Self(show.then(|| {
            let bar = indicatif::ProgressBar::new(pages as u64);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message("building");
            bar
        }))
    }

    fn tick(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// What the fuzz targets, the examples and the integration tests reach beyond the public API:
/// the pipeline's stages, to be driven one at a time. Not a stable interface.
#[doc(hidden)]
pub mod internals {
    pub use crate::blocks::Fences;
    pub use crate::highlight::Highlighter;
    pub use crate::links::{Assets, PageLinks};
    pub use crate::load::count_words;
    pub use crate::model::PageId;
    pub use crate::search::{Part, SearchIndex};
    pub use crate::serve::content_type;
    pub use crate::{Prepared, Stopwatch, prepare};

    /// Front matter: split from the body, parsed, read whole.
    pub mod frontmatter {
        pub use crate::frontmatter::{Format, parse, read, split};
    }

    /// Markdown to HTML.
    pub mod markdown {
        pub use crate::markdown::{Rendered, render};
    }
}
