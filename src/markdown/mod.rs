//! Markdown → HTML for one page: headings with unique ids, table of contents data, callouts,
//! fenced blocks handed to a [`FenceRenderer`], links handed to a [`LinkResolver`], plain text.
//!
//! The page is parsed once and written by a single loop over pulldown-cmark's events: nothing
//! here recurses, so deeply nested input cannot overflow the stack.

use std::ops::Range;

use pulldown_cmark::{Options, Parser};

mod escape;
#[cfg(test)]
mod tests;
mod words;
mod writer;

pub(crate) use escape::{escape_attr, escape_text};
use writer::Writer;

/// A heading of the page, in document order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1..=6
    pub level: u8,
    /// Unique id on the page (explicit `{#id}` kept, else slugified text, `-1`, `-2` on clashes).
    pub id: String,
    /// Plain text of the heading.
    pub text: String,
    /// 1-based line in the source file.
    pub line: usize,
}

/// A link or image destination found in the body, with where it is in the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutLink {
    /// The destination as written (`mailto:` added for e-mail autolinks).
    pub dest: String,
    /// `true` for `![alt](src)`.
    pub is_image: bool,
    /// 1-based line of the link's start in the source file.
    pub line: usize,
    /// 1-based column (in characters) of the link's start.
    pub col: usize,
}

/// A problem found while rendering, located in the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownIssue {
    /// 1-based line in the source file.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

/// What a page's Markdown turned into.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The page body as HTML (internal links as the resolver wrote them).
    pub html: String,
    /// Every heading in document order, for the table of contents and anchor checks.
    pub headings: Vec<Heading>,
    /// Every link and image destination in document order, as written in the source.
    pub links: Vec<OutLink>,
    /// Text without markup, for search and reading time.
    pub plain_text: String,
    /// Words of `plain_text` outside code blocks.
    pub word_count: usize,
    /// Duplicate heading ids, broken links and failed fenced blocks, in document order.
    pub issues: Vec<MarkdownIssue>,
    /// Line and column of the first raw HTML in the body, if any (refused with `allow-html = false`).
    pub raw_html: Option<(usize, usize)>,
    /// Markup that can run script without raw HTML: heading attributes other than id and class,
    /// and `javascript:`-like link and image URLs (refused with `allow-html = false`).
    pub unsafe_markup: Vec<MarkdownIssue>,
    /// Where each heading's text is in `plain_text` (one per entry of `headings`), so that the
    /// text under each heading can be cut out for the search index without parsing again.
    pub heading_spans: Vec<Range<usize>>,
    /// The code blocks of `plain_text`, in document order.
    pub code_blocks: Vec<CodeText>,
    /// The terms a `TermLinker` linked, each once, in order of first use.
    pub terms: Vec<usize>,
}

/// A code block's place in [`Rendered::plain_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeText {
    /// Byte range in `plain_text`.
    pub range: Range<usize>,
    /// The fence's language (its info string's first word); `None` for an indented block.
    pub lang: Option<String>,
}

/// A fenced block as written: the info string's first word, its text, and where it starts.
#[derive(Debug, Clone, Copy)]
pub struct Fence<'a> {
    /// The info string's first word (may be empty).
    pub lang: &'a str,
    /// The block's text, without the fences.
    pub code: &'a str,
    /// 1-based line of the opening fence in the file.
    pub line: usize,
}

/// What a fenced block turned into: its HTML and, for blocks that hold Markdown of their own
/// (a self-check's questions), that Markdown's links and problems, merged into the page's.
#[derive(Debug, Clone, Default)]
pub struct FenceHtml {
    pub html: String,
    /// Links written inside the block, located in the file.
    pub links: Vec<OutLink>,
    /// Problems that still let the block render (a broken link in an explanation).
    pub issues: Vec<MarkdownIssue>,
    /// The first raw HTML inside the block, as in [`Rendered::raw_html`].
    pub raw_html: Option<(usize, usize)>,
    /// As in [`Rendered::unsafe_markup`].
    pub unsafe_markup: Vec<MarkdownIssue>,
}

impl From<String> for FenceHtml {
    fn from(html: String) -> Self {
        FenceHtml {
            html,
            ..FenceHtml::default()
        }
    }
}

/// Renders fenced code blocks (block templates, syntax highlighting).
pub trait FenceRenderer: Sync {
    /// Returns the HTML to insert, or the problems that keep the block from rendering (it is
    /// then shown as plain code). `links` is the page's resolver, for Markdown inside the block.
    fn render_fence(
        &self,
        fence: &Fence<'_>,
        links: &dyn LinkResolver,
    ) -> Result<FenceHtml, Vec<MarkdownIssue>>;
}

/// Rewrites link destinations (e.g. `../ops/x.md#a` → `../ops/x.html#a`).
pub trait LinkResolver: Sync {
    /// Returns the destination to write, or an issue (broken link). External links come back as is.
    fn resolve(&self, link: &OutLink) -> Result<String, MarkdownIssue>;
}

/// Links the first use of each glossary term on a page to its entry (the glossary's, on the
/// site side). Only running text is searched: never headings, links, code or fenced blocks.
pub trait TermLinker: Sync {
    /// The terms in `text`: each one's byte range and number, in order, not overlapping.
    fn find_terms(&self, text: &str) -> Vec<(Range<usize>, usize)>;
    /// The opening `<a …>` tag of a link to term `term`; the writer closes it.
    fn term_link(&self, term: usize) -> String;
}

/// Fenced blocks dropped and links kept as written: for passes that only read a body's words,
/// headings or terms (the search index of the glossary, the glossary's use count).
pub struct Plain;

impl FenceRenderer for Plain {
    fn render_fence(
        &self,
        _: &Fence<'_>,
        _: &dyn LinkResolver,
    ) -> Result<FenceHtml, Vec<MarkdownIssue>> {
        Ok(FenceHtml::default())
    }
}

impl LinkResolver for Plain {
    fn resolve(&self, link: &OutLink) -> Result<String, MarkdownIssue> {
        Ok(link.dest.clone())
    }
}

/// Renders `body`, whose first line is line `first_line` of its file.
pub fn render(
    body: &str,
    first_line: usize,
    fences: &dyn FenceRenderer,
    links: &dyn LinkResolver,
) -> Rendered {
    render_linking_terms(body, first_line, fences, links, None)
}

/// [`render`], with the first use of each term `terms` finds linked.
pub fn render_linking_terms(
    body: &str,
    first_line: usize,
    fences: &dyn FenceRenderer,
    links: &dyn LinkResolver,
    terms: Option<&dyn TermLinker>,
) -> Rendered {
    let mut writer = Writer::new(body, first_line, fences, links).linking_terms(terms);
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        writer.event(event, range);
    }
    writer.finish()
}

/// The Markdown dialect of lessons: CommonMark plus GFM tables, footnotes, strikethrough, task
/// lists, alerts and `{#id .class}` heading attributes; no smart punctuation.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// The id a heading with this text gets when it has no explicit `{#id}` (before de-duplication):
/// lowercase letters and digits, every other run of characters turned into one `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric()) {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            gap = false;
            if c.is_ascii() {
                slug.push(c.to_ascii_lowercase());
            } else {
                slug.extend(c.to_lowercase());
            }
        } else {
            gap = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}
