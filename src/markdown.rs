//! Markdown → HTML for one page: headings with unique ids, table of contents data, callouts,
//! fenced blocks handed to a [`FenceRenderer`], links handed to a [`LinkResolver`], plain text.
//!
//! The page is parsed once and written by a single loop over pulldown-cmark's events: nothing
//! here recurses, so deeply nested input cannot overflow the stack.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::ops::Range;

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd,
};

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
}

/// A code block's place in [`Rendered::plain_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeText {
    /// Byte range in `plain_text`.
    pub range: Range<usize>,
    /// The fence's language (its info string's first word); `None` for an indented block.
    pub lang: Option<String>,
}

/// Renders fenced code blocks (block templates, syntax highlighting).
pub trait FenceRenderer: Sync {
    /// `lang` is the info string's first word (may be empty); `line` is the 1-based line of the
    /// opening fence in the file. Returns the HTML to insert.
    fn render_fence(&self, lang: &str, code: &str, line: usize) -> Result<String, MarkdownIssue>;
}

/// Rewrites link destinations (e.g. `../ops/x.md#a` → `../ops/x.html#a`).
pub trait LinkResolver: Sync {
    /// Returns the destination to write, or an issue (broken link). External links come back as is.
    fn resolve(&self, link: &OutLink) -> Result<String, MarkdownIssue>;
}

/// Renders `body`, whose first line is line `first_line` of its file.
pub fn render(
    body: &str,
    first_line: usize,
    fences: &dyn FenceRenderer,
    links: &dyn LinkResolver,
) -> Rendered {
    let mut writer = Writer::new(body, first_line, fences, links);
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

/// Appends `text` with `&`, `<` and `>` escaped (HTML element content).
pub(crate) fn escape_text(out: &mut String, text: &str) {
    escape_with(out, text, |b| matches!(b, b'&' | b'<' | b'>'));
}

/// Appends `text` escaped for a double- or single-quoted HTML attribute value.
pub(crate) fn escape_attr(out: &mut String, text: &str) {
    escape_with(out, text, |b| {
        matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
    });
}

fn escape_with(out: &mut String, text: &str, special: impl Fn(u8) -> bool) {
    let mut start = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if !special(b) {
            continue;
        }
        out.push_str(&text[start..i]);
        out.push_str(match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// Appends a URL for an `href`/`src` attribute: characters that are not allowed in URLs are
/// percent-encoded (existing `%xx` escapes are kept), `&` and `'` become entities.
fn escape_href(out: &mut String, url: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut start = 0;
    for (i, &b) in url.as_bytes().iter().enumerate() {
        let keep = b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}' | b'&' | b'\''
            );
        if keep {
            continue;
        }
        if start < i {
            out.push_str(&url[start..i]);
        }
        match b {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#39;"),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        start = i + 1;
    }
    out.push_str(&url[start..]);
}

/// Maps byte offsets of the body to 1-based lines and columns (in characters) of the file.
struct LineIndex<'a> {
    body: &'a str,
    first_line: usize,
    starts: Vec<usize>,
    /// Last answer (line index, offset, column), so that walking forward along one long line
    /// counts only the characters in between.
    last: (usize, usize, usize),
}

impl<'a> LineIndex<'a> {
    fn new(body: &'a str, first_line: usize) -> Self {
        let mut starts = Vec::with_capacity(body.len() / 40 + 1);
        starts.push(0);
        starts.extend(body.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            body,
            first_line,
            starts,
            last: (0, 0, 1),
        }
    }

    fn locate(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.body.len());
        let index = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let (last_index, last_offset, last_col) = self.last;
        let (from, base) = if last_index == index && last_offset <= offset {
            (last_offset, last_col)
        } else {
            (self.starts[index], 1)
        };
        let col = base
            + self
                .body
                .get(from..offset)
                .map_or(offset - from, |s| s.chars().count());
        self.last = (index, offset, col);
        (self.first_line + index, col)
    }
}

struct OpenHeading {
    level: u8,
    explicit_id: Option<String>,
    classes: Vec<String>,
    attrs: Vec<(String, Option<String>)>,
    html_start: usize,
    /// Where the heading's text starts in the plain text.
    plain_start: usize,
    text: String,
    line: usize,
    col: usize,
}

struct OpenCode {
    /// `None` for an indented block.
    lang: Option<String>,
    line: usize,
    text: String,
}

struct OpenImage {
    depth: usize,
    title: String,
}

struct Writer<'a> {
    fences: &'a dyn FenceRenderer,
    resolver: &'a dyn LinkResolver,
    index: LineIndex<'a>,
    html: String,
    plain: String,
    /// Code blocks in `plain` (not counted as words).
    code_spans: Vec<CodeText>,
    heading_spans: Vec<Range<usize>>,
    headings: Vec<Heading>,
    links: Vec<OutLink>,
    issues: Vec<MarkdownIssue>,
    raw_html: Option<(usize, usize)>,
    unsafe_markup: Vec<MarkdownIssue>,
    used_ids: HashSet<String>,
    next_suffix: HashMap<String, usize>,
    heading: Option<OpenHeading>,
    code: Option<OpenCode>,
    image: Option<OpenImage>,
    table_alignments: Vec<Alignment>,
    table_head: bool,
    table_cell: usize,
    footnotes: HashMap<String, usize>,
}

impl<'a> Writer<'a> {
    fn new(
        body: &'a str,
        first_line: usize,
        fences: &'a dyn FenceRenderer,
        resolver: &'a dyn LinkResolver,
    ) -> Self {
        Writer {
            fences,
            resolver,
            index: LineIndex::new(body, first_line),
            html: String::with_capacity(body.len() + body.len() / 2 + 64),
            plain: String::with_capacity(body.len()),
            code_spans: Vec::new(),
            heading_spans: Vec::new(),
            headings: Vec::new(),
            links: Vec::new(),
            issues: Vec::new(),
            raw_html: None,
            unsafe_markup: Vec::new(),
            used_ids: HashSet::new(),
            next_suffix: HashMap::new(),
            heading: None,
            code: None,
            image: None,
            table_alignments: Vec::new(),
            table_head: false,
            table_cell: 0,
            footnotes: HashMap::new(),
        }
    }

    fn finish(self) -> Rendered {
        let mut word_count = 0;
        let mut from = 0;
        for span in &self.code_spans {
            word_count += words(self.plain.get(from..span.range.start).unwrap_or(""));
            from = span.range.end;
        }
        word_count += words(self.plain.get(from..).unwrap_or(""));
        Rendered {
            html: self.html,
            headings: self.headings,
            links: self.links,
            plain_text: self.plain,
            word_count,
            issues: self.issues,
            raw_html: self.raw_html,
            unsafe_markup: self.unsafe_markup,
            heading_spans: self.heading_spans,
            code_blocks: self.code_spans,
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if self.image.is_some() {
            self.image_alt_event(event);
            return;
        }
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(text) => code.text.push_str(&text),
                Event::End(TagEnd::CodeBlock) => self.end_code_block(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                escape_text(&mut self.html, &text);
                self.push_text(&text);
            }
            Event::Code(text) => {
                self.html.push_str("<code>");
                escape_text(&mut self.html, &text);
                self.html.push_str("</code>");
                self.push_text(&text);
            }
            Event::InlineMath(text) => {
                self.html.push_str("<span class=\"math math-inline\">");
                escape_text(&mut self.html, &text);
                self.html.push_str("</span>");
                self.push_text(&text);
            }
            Event::DisplayMath(text) => {
                self.html.push_str("<span class=\"math math-display\">");
                escape_text(&mut self.html, &text);
                self.html.push_str("</span>");
                self.push_text(&text);
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                if self.raw_html.is_none() {
                    self.raw_html = Some(self.index.locate(range.start));
                }
                self.html.push_str(&html);
            }
            Event::FootnoteReference(name) => {
                let number = self.footnote_number(&name);
                self.html
                    .push_str("<sup class=\"footnote-reference\"><a href=\"#fn-");
                escape_attr(&mut self.html, &name);
                let _ = write!(self.html, "\">{number}</a></sup>");
            }
            Event::SoftBreak => {
                self.html.push('\n');
                self.push_text(" ");
            }
            Event::HardBreak => {
                self.html.push_str("<br />\n");
                self.push_text(" ");
            }
            Event::Rule => {
                self.open_block();
                self.html.push_str("<hr />\n");
            }
            Event::TaskListMarker(checked) => {
                self.html.push_str(if checked {
                    "<input disabled=\"\" type=\"checkbox\" checked=\"\"/>\n"
                } else {
                    "<input disabled=\"\" type=\"checkbox\"/>\n"
                });
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        if is_block(&tag) {
            self.plain_break();
        }
        match tag {
            Tag::Paragraph => {
                self.open_block();
                self.html.push_str("<p>");
            }
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                self.open_block();
                let (line, col) = self.index.locate(range.start);
                let attrs: Vec<(String, Option<String>)> = attrs
                    .into_iter()
                    .filter(|(name, _)| {
                        !name.eq_ignore_ascii_case("id") && !name.eq_ignore_ascii_case("class")
                    })
                    .map(|(name, value)| (String::from(name), value.map(String::from)))
                    .collect();
                for (name, _) in &attrs {
                    self.unsafe_markup.push(MarkdownIssue {
                        line,
                        col,
                        message: format!("heading attribute `{name}` is not allowed in this guide"),
                        help: Some(
                            "only `{#id .class}` are allowed in headings; \
                             or set [build] allow-html = true in book.toml"
                                .into(),
                        ),
                    });
                }
                self.heading = Some(OpenHeading {
                    level: level as u8,
                    explicit_id: id.filter(|id| !id.is_empty()).map(String::from),
                    classes: classes.into_iter().map(String::from).collect(),
                    attrs,
                    html_start: self.html.len(),
                    plain_start: self.plain.len(),
                    text: String::new(),
                    line,
                    col,
                });
            }
            Tag::BlockQuote(None) => {
                self.open_block();
                self.html.push_str("<blockquote>\n");
            }
            Tag::BlockQuote(Some(kind)) => {
                self.open_block();
                let (class, title) = callout(kind);
                self.html.push_str("<div class=\"callout callout-");
                self.html.push_str(class);
                self.html
                    .push_str("\" role=\"note\"><p class=\"callout-title\">");
                self.html.push_str(title);
                self.html.push_str("</p>\n");
            }
            Tag::CodeBlock(kind) => {
                let (line, _) = self.index.locate(range.start);
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        Some(info.split_whitespace().next().unwrap_or("").to_string())
                    }
                    CodeBlockKind::Indented => None,
                };
                self.code = Some(OpenCode {
                    lang,
                    line,
                    text: String::new(),
                });
            }
            Tag::HtmlBlock => {}
            Tag::List(Some(1)) => {
                self.open_block();
                self.html.push_str("<ol>\n");
            }
            Tag::List(Some(start)) => {
                self.open_block();
                let _ = writeln!(self.html, "<ol start=\"{start}\">");
            }
            Tag::List(None) => {
                self.open_block();
                self.html.push_str("<ul>\n");
            }
            Tag::Item => {
                self.open_block();
                self.html.push_str("<li>");
            }
            Tag::FootnoteDefinition(name) => {
                self.open_block();
                let number = self.footnote_number(&name);
                self.html
                    .push_str("<div class=\"footnote-definition\" id=\"fn-");
                escape_attr(&mut self.html, &name);
                let _ = write!(
                    self.html,
                    "\"><sup class=\"footnote-definition-label\">{number}</sup>"
                );
            }
            Tag::DefinitionList => {
                self.open_block();
                self.html.push_str("<dl>\n");
            }
            Tag::DefinitionListTitle => {
                self.open_block();
                self.html.push_str("<dt>");
            }
            Tag::DefinitionListDefinition => {
                self.open_block();
                self.html.push_str("<dd>");
            }
            Tag::Table(alignments) => {
                self.open_block();
                self.table_alignments = alignments;
                self.html.push_str("<div class=\"table-wrap\"><table>");
            }
            Tag::TableHead => {
                self.table_head = true;
                self.table_cell = 0;
                self.html.push_str("<thead><tr>");
            }
            Tag::TableRow => {
                self.table_cell = 0;
                self.html.push_str("<tr>");
            }
            Tag::TableCell => {
                self.html
                    .push_str(if self.table_head { "<th" } else { "<td" });
                self.html
                    .push_str(match self.table_alignments.get(self.table_cell) {
                        Some(Alignment::Left) => " style=\"text-align: left\">",
                        Some(Alignment::Center) => " style=\"text-align: center\">",
                        Some(Alignment::Right) => " style=\"text-align: right\">",
                        _ => ">",
                    });
            }
            Tag::Emphasis => self.html.push_str("<em>"),
            Tag::Strong => self.html.push_str("<strong>"),
            Tag::Strikethrough => self.html.push_str("<del>"),
            Tag::Superscript => self.html.push_str("<sup>"),
            Tag::Subscript => self.html.push_str("<sub>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let dest = self.resolve(link_type, dest_url, false, range.start);
                self.html.push_str("<a href=\"");
                escape_href(&mut self.html, &dest);
                if !title.is_empty() {
                    self.html.push_str("\" title=\"");
                    escape_attr(&mut self.html, &title);
                }
                self.html.push_str("\">");
            }
            Tag::Image {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let dest = self.resolve(link_type, dest_url, true, range.start);
                self.html.push_str("<img src=\"");
                escape_href(&mut self.html, &dest);
                self.html.push_str("\" alt=\"");
                self.image = Some(OpenImage {
                    depth: 0,
                    title: title.into_string(),
                });
            }
            Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.html.push_str("</p>\n"),
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::BlockQuote(None) => self.html.push_str("</blockquote>\n"),
            TagEnd::BlockQuote(Some(_)) => self.html.push_str("</div>\n"),
            TagEnd::CodeBlock => self.end_code_block(),
            TagEnd::HtmlBlock => {}
            TagEnd::List(true) => self.html.push_str("</ol>\n"),
            TagEnd::List(false) => self.html.push_str("</ul>\n"),
            TagEnd::Item => self.html.push_str("</li>\n"),
            TagEnd::FootnoteDefinition => self.html.push_str("</div>\n"),
            TagEnd::DefinitionList => self.html.push_str("</dl>\n"),
            TagEnd::DefinitionListTitle => self.html.push_str("</dt>\n"),
            TagEnd::DefinitionListDefinition => self.html.push_str("</dd>\n"),
            TagEnd::Table => self.html.push_str("</tbody></table></div>\n"),
            TagEnd::TableHead => {
                self.html.push_str("</tr></thead><tbody>\n");
                self.table_head = false;
            }
            TagEnd::TableRow => self.html.push_str("</tr>\n"),
            TagEnd::TableCell => {
                self.html
                    .push_str(if self.table_head { "</th>" } else { "</td>" });
                self.table_cell += 1;
                self.push_text(" ");
            }
            TagEnd::Emphasis => self.html.push_str("</em>"),
            TagEnd::Strong => self.html.push_str("</strong>"),
            TagEnd::Strikethrough => self.html.push_str("</del>"),
            TagEnd::Superscript => self.html.push_str("</sup>"),
            TagEnd::Subscript => self.html.push_str("</sub>"),
            TagEnd::Link => self.html.push_str("</a>"),
            TagEnd::Image => {}
            TagEnd::MetadataBlock(_) => {}
        }
        if is_block_end(tag) {
            self.plain_break();
        }
    }

    /// Events between an image's start and end only make up its `alt` text.
    fn image_alt_event(&mut self, event: Event<'_>) {
        let Some(image) = &mut self.image else {
            return;
        };
        match event {
            Event::Start(_) => image.depth += 1,
            Event::End(_) if image.depth > 0 => image.depth -= 1,
            Event::End(_) => {
                let title = std::mem::take(&mut image.title);
                self.image = None;
                if !title.is_empty() {
                    self.html.push_str("\" title=\"");
                    escape_attr(&mut self.html, &title);
                }
                self.html.push_str("\" />");
            }
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => {
                escape_attr(&mut self.html, &text);
                push_plain(&mut self.plain, &text);
            }
            Event::SoftBreak | Event::HardBreak => {
                self.html.push(' ');
                push_plain(&mut self.plain, " ");
            }
            Event::Html(_)
            | Event::InlineHtml(_)
            | Event::FootnoteReference(_)
            | Event::Rule
            | Event::TaskListMarker(_) => {}
        }
    }

    fn end_heading(&mut self) {
        let Some(heading) = self.heading.take() else {
            return;
        };
        let text = heading.text.trim().to_string();
        let id = match heading.explicit_id {
            Some(explicit) => {
                if self.used_ids.contains(&explicit) {
                    self.issues.push(MarkdownIssue {
                        line: heading.line,
                        col: heading.col,
                        message: format!("duplicate heading id `{explicit}`"),
                        help: Some(
                            "an earlier heading on this page already has this id; \
                             give this one another `{#id}`"
                                .to_string(),
                        ),
                    });
                }
                self.unique_id(explicit)
            }
            None => self.unique_id(slugify(&text)),
        };

        let mut open = String::with_capacity(id.len() + 32);
        open.push_str("<h");
        open.push(char::from(b'0' + heading.level));
        open.push_str(" id=\"");
        escape_attr(&mut open, &id);
        open.push('"');
        if !heading.classes.is_empty() {
            open.push_str(" class=\"");
            escape_attr(&mut open, &heading.classes.join(" "));
            open.push('"');
        }
        for (name, value) in &heading.attrs {
            open.push(' ');
            escape_attr(&mut open, name);
            open.push_str("=\"");
            escape_attr(&mut open, value.as_deref().unwrap_or(""));
            open.push('"');
        }
        open.push('>');
        let start = heading.html_start.min(self.html.len());
        self.html.insert_str(start, &open);

        self.html.push_str(" <a class=\"anchor\" href=\"#");
        escape_attr(&mut self.html, &id);
        self.html
            .push_str("\" aria-label=\"Link to this section\">#</a></h");
        self.html.push(char::from(b'0' + heading.level));
        self.html.push_str(">\n");

        self.headings.push(Heading {
            level: heading.level,
            id,
            text,
            line: heading.line,
        });
        self.heading_spans
            .push(heading.plain_start.min(self.plain.len())..self.plain.len());
    }

    fn unique_id(&mut self, base: String) -> String {
        if self.used_ids.insert(base.clone()) {
            return base;
        }
        let next = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if !self.used_ids.contains(&candidate) {
                self.used_ids.insert(candidate.clone());
                return candidate;
            }
        }
    }

    fn end_code_block(&mut self) {
        let Some(code) = self.code.take() else {
            return;
        };
        self.plain_break();
        let start = self.plain.len();
        self.plain.push_str(&code.text);
        self.code_spans.push(CodeText {
            range: start..self.plain.len(),
            lang: code.lang.clone(),
        });
        self.plain_break();

        self.open_block();
        let rendered = match &code.lang {
            Some(lang) => match self.fences.render_fence(lang, &code.text, code.line) {
                Ok(html) => Some(html),
                Err(issue) => {
                    self.issues.push(issue);
                    None
                }
            },
            None => None,
        };
        match rendered {
            Some(html) => self.html.push_str(&html),
            None => {
                self.html.push_str("<pre class=\"code\"><code>");
                escape_text(&mut self.html, &code.text);
                self.html.push_str("</code></pre>");
            }
        }
        if !self.html.ends_with('\n') {
            self.html.push('\n');
        }
    }

    fn resolve(
        &mut self,
        link_type: LinkType,
        dest: CowStr<'_>,
        is_image: bool,
        offset: usize,
    ) -> String {
        let (line, col) = self.index.locate(offset);
        let dest = match link_type {
            LinkType::Email => format!("mailto:{dest}"),
            _ => dest.into_string(),
        };
        if let Some(scheme) = crate::urls::script_scheme(&dest, is_image) {
            self.unsafe_markup.push(MarkdownIssue {
                line,
                col,
                message: format!("`{scheme}` URLs are not allowed in this guide"),
                help: Some(
                    "link to a page or an http(s) address; \
                     or set [build] allow-html = true in book.toml"
                        .into(),
                ),
            });
        }
        let link = OutLink {
            dest,
            is_image,
            line,
            col,
        };
        let written = match self.resolver.resolve(&link) {
            Ok(dest) => dest,
            Err(issue) => {
                self.issues.push(issue);
                link.dest.clone()
            }
        };
        self.links.push(link);
        written
    }

    /// Footnote numbers follow first appearance, whether reference or definition.
    fn footnote_number(&mut self, name: &str) -> usize {
        if let Some(number) = self.footnotes.get(name) {
            return *number;
        }
        let number = self.footnotes.len() + 1;
        self.footnotes.insert(name.to_string(), number);
        number
    }

    fn push_text(&mut self, text: &str) {
        push_plain(&mut self.plain, text);
        if let Some(heading) = &mut self.heading {
            heading.text.push_str(text);
        }
    }

    fn plain_break(&mut self) {
        if self
            .plain
            .as_bytes()
            .last()
            .is_some_and(|b| !b.is_ascii_whitespace())
        {
            self.plain.push('\n');
        }
    }

    fn open_block(&mut self) {
        if !self.html.is_empty() && !self.html.ends_with('\n') {
            self.html.push('\n');
        }
    }
}

fn push_plain(plain: &mut String, text: &str) {
    if text == " " && plain.as_bytes().last().is_none_or(u8::is_ascii_whitespace) {
        return;
    }
    plain.push_str(text);
}

/// Counts words for reading time: runs of non-space characters, with each CJK ideograph or kana
/// counted as a word of its own since those scripts do not separate words by spaces.
fn words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_whitespace() {
                in_word = false;
            } else if !in_word {
                in_word = true;
                count += 1;
            }
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            i += 1;
            continue;
        };
        i += c.len_utf8();
        if c.is_whitespace() {
            in_word = false;
        } else if is_cjk(c) {
            in_word = false;
            count += 1;
        } else if !in_word {
            in_word = true;
            count += 1;
        }
    }
    count
}

fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{3040}'..='\u{30ff}'
            | '\u{3400}'..='\u{4dbf}'
            | '\u{4e00}'..='\u{9fff}'
            | '\u{f900}'..='\u{faff}'
            | '\u{20000}'..='\u{2ffff}'
    )
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::TableCell
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::TableCell
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    struct TestFences;

    impl FenceRenderer for TestFences {
        fn render_fence(
            &self,
            lang: &str,
            code: &str,
            line: usize,
        ) -> Result<String, MarkdownIssue> {
            if lang == "bad" {
                return Err(MarkdownIssue {
                    line,
                    col: 1,
                    message: "bad block".into(),
                    help: None,
                });
            }
            Ok(format!(
                "<pre data-fence=\"{lang}:{line}\">{}</pre>",
                code.len()
            ))
        }
    }

    struct TestLinks;

    impl LinkResolver for TestLinks {
        fn resolve(&self, link: &OutLink) -> Result<String, MarkdownIssue> {
            if link.dest.starts_with("missing") {
                return Err(MarkdownIssue {
                    line: link.line,
                    col: link.col,
                    message: format!("broken link `{}`", link.dest),
                    help: None,
                });
            }
            match link.dest.strip_suffix(".md") {
                Some(stem) => Ok(format!("guide-root:/{stem}.html")),
                None => Ok(link.dest.clone()),
            }
        }
    }

    fn md(body: &str) -> Rendered {
        render(body, 1, &TestFences, &TestLinks)
    }

    #[test]
    fn heading_keeps_inline_markup_and_gets_anchor() {
        let out = md("## Hello *World*\n");
        assert_eq!(
            out.html,
            "<h2 id=\"hello-world\">Hello <em>World</em> <a class=\"anchor\" \
             href=\"#hello-world\" aria-label=\"Link to this section\">#</a></h2>\n"
        );
        assert_eq!(
            out.headings,
            vec![Heading {
                level: 2,
                id: "hello-world".into(),
                text: "Hello World".into(),
                line: 1
            }]
        );
    }

    #[test]
    fn heading_ids_are_unique_per_page() {
        let out = md("# A\n\n# A\n\n# A 1\n\n# A\n\nSetext\n------\n\n# Setext\n");
        let ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a", "a-1", "a-1-1", "a-2", "setext", "setext-1"]);
        assert!(out.issues.is_empty());

        let out = md("# A 1\n\n# A\n\n# A\n");
        let ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a-1", "a", "a-2"]);
    }

    #[test]
    fn explicit_heading_ids_and_classes() {
        let out = md("# Intro\n\n## Custom {#own .wide .x data-k=v}\n\n## Again {#intro}\n");
        assert_eq!(out.headings[1].id, "own");
        assert!(out.html.contains(
            "<h2 id=\"own\" class=\"wide x\" data-k=\"v\">Custom <a class=\"anchor\" href=\"#own\""
        ));
        assert_eq!(out.headings[2].id, "intro-1");
        assert_eq!(out.issues.len(), 1);
        assert_eq!((out.issues[0].line, out.issues[0].col), (5, 1));
        assert!(out.issues[0].message.contains("`intro`"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("  C++ & Rust  "), "c-rust");
        assert_eq!(
            slugify("snake_case and kebab-case"),
            "snake-case-and-kebab-case"
        );
        assert_eq!(slugify("Ünïcode Straße"), "ünïcode-straße");
        assert_eq!(slugify("日本語 の 見出し"), "日本語-の-見出し");
        assert_eq!(slugify("!!!"), "section");
        assert_eq!(slugify(""), "section");
        assert_eq!(md("# `code` *only*\n").headings[0].id, "code-only");
        assert_eq!(md("#\n").headings[0].id, "section");
    }

    #[test]
    fn positions_are_file_lines_and_char_columns() {
        let body = "Intro\n\n## Title\n\nSé é [x](a.md) and ![i](missing.png)\n\n```rust\nfn a() {}\n```\n";
        let out = render(body, 10, &TestFences, &TestLinks);
        assert_eq!(out.headings[0].line, 12);
        assert_eq!((out.links[0].line, out.links[0].col), (14, 6));
        assert_eq!((out.links[1].line, out.links[1].col), (14, 20));
        assert_eq!((out.issues[0].line, out.issues[0].col), (14, 20));
        assert!(
            out.html.contains("<pre data-fence=\"rust:16\">10</pre>"),
            "{}",
            out.html
        );
    }

    #[test]
    fn columns_on_one_long_line_with_many_links() {
        let body = "é [a](x) ".repeat(20_000);
        let start = Instant::now();
        let out = md(&body);
        assert!(start.elapsed() < Duration::from_secs(3));
        assert_eq!(out.links.len(), 20_000);
        assert_eq!(out.links[0].col, 3);
        assert_eq!(out.links[1].col, 12);
        assert_eq!(out.links[19_999].col, 19_999 * 9 + 3);
        let out = md("[b](y)\n\n> [a](x)\n");
        assert_eq!((out.links[1].line, out.links[1].col), (3, 3));
    }

    #[test]
    fn callouts_and_blockquotes() {
        for (marker, class, title) in [
            ("NOTE", "note", "Note"),
            ("TIP", "tip", "Tip"),
            ("IMPORTANT", "important", "Important"),
            ("WARNING", "warning", "Warning"),
            ("CAUTION", "caution", "Caution"),
        ] {
            let out = md(&format!("> [!{marker}]\n> Be *careful*.\n"));
            assert_eq!(
                out.html,
                format!(
                    "<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{title}</p>\n<p>Be <em>careful</em>.</p>\n</div>\n"
                )
            );
        }
        let out = md("> plain\n");
        assert_eq!(out.html, "<blockquote>\n<p>plain</p>\n</blockquote>\n");
    }

    #[test]
    fn tables_are_wrapped() {
        let out = md("| a | b |\n|:--|--:|\n| 1 | 2 |\n");
        assert_eq!(
            out.html,
            "<div class=\"table-wrap\"><table><thead><tr><th style=\"text-align: left\">a</th>\
             <th style=\"text-align: right\">b</th></tr></thead><tbody>\n<tr><td style=\"text-align: left\">1</td>\
             <td style=\"text-align: right\">2</td></tr>\n</tbody></table></div>\n"
        );
        assert_eq!(
            out.plain_text.split_whitespace().collect::<Vec<_>>(),
            ["a", "b", "1", "2"]
        );
    }

    #[test]
    fn fenced_blocks_go_to_the_fence_renderer() {
        let out = md("Text\n\n```compare extra words\ntitle = \"x\"\n```\n");
        assert!(
            out.html
                .contains("<pre data-fence=\"compare:3\">12</pre>\n"),
            "{}",
            out.html
        );
        let out = md("```\n<b>\n```\n");
        assert_eq!(out.html, "<pre data-fence=\":1\">4</pre>\n");
        let out = md("- item\n\n  ```bad\n  <x> & y\n  ```\n");
        assert_eq!(out.issues.len(), 1);
        assert_eq!(out.issues[0].line, 3);
        assert!(
            out.html
                .contains("<pre class=\"code\"><code>&lt;x&gt; &amp; y\n</code></pre>"),
            "{}",
            out.html
        );
        let out = md("para\n\n    indented <code>\n");
        assert_eq!(
            out.html,
            "<p>para</p>\n<pre class=\"code\"><code>indented &lt;code&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn links_are_resolved_and_recorded() {
        let body = "[in](a.md) [ref][r] [short] <https://x.org/?a=1&b=2> <me@x.org> \
                    ![alt *t*](img.png \"T\") [bad](missing.md)\n\n[r]: b.md\n[short]: c.md\n";
        let out = md(body);
        let dests: Vec<&str> = out.links.iter().map(|l| l.dest.as_str()).collect();
        assert_eq!(
            dests,
            [
                "a.md",
                "b.md",
                "c.md",
                "https://x.org/?a=1&b=2",
                "mailto:me@x.org",
                "img.png",
                "missing.md"
            ]
        );
        assert!(out.links[5].is_image);
        let html = &out.html;
        assert!(
            html.contains("<a href=\"guide-root:/a.html\">in</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"guide-root:/b.html\">ref</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"guide-root:/c.html\">short</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://x.org/?a=1&amp;b=2\">"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"mailto:me@x.org\">me@x.org</a>"),
            "{html}"
        );
        assert!(
            html.contains("<img src=\"img.png\" alt=\"alt t\" title=\"T\" />"),
            "{html}"
        );
        assert!(html.contains("<a href=\"missing.md\">bad</a>"), "{html}");
        assert_eq!(out.issues.len(), 1);
        assert_eq!(out.issues[0].message, "broken link `missing.md`");
    }

    #[test]
    fn hrefs_and_text_are_escaped() {
        let out = md("[x](<a b\"c'.html>) [y](é.html \"a\\\"b\") <b>raw</b> 1 < 2 & \"q\"\n");
        assert!(
            out.html.contains("href=\"a%20b%22c&#39;.html\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("href=\"%C3%A9.html\" title=\"a&quot;b\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<b>raw</b> 1 &lt; 2 &amp; \"q\""),
            "{}",
            out.html
        );
    }

    #[test]
    fn footnotes_and_task_lists_use_defaults() {
        let out = md("Text[^n].\n\n[^n]: The note.\n\n- [x] done\n- [ ] todo\n~~gone~~\n");
        assert!(
            out.html
                .contains("<sup class=\"footnote-reference\"><a href=\"#fn-n\">1</a></sup>"),
            "{}",
            out.html
        );
        assert!(out.html.contains(
            "<div class=\"footnote-definition\" id=\"fn-n\"><sup class=\"footnote-definition-label\">1</sup>"
        ));
        assert!(
            out.html
                .contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone")
        );
        assert!(
            out.html
                .contains("<input disabled=\"\" type=\"checkbox\"/>\ntodo")
        );
        assert!(out.html.contains("<del>gone</del>"));
    }

    #[test]
    fn script_urls_and_heading_attributes_are_marked_unsafe() {
        let out = md("[a](javascript:x(1)) ![i](javascript:y('i'))\n\n## T {onclick=z}\n");
        let at: Vec<(usize, usize)> = out.unsafe_markup.iter().map(|i| (i.line, i.col)).collect();
        assert_eq!(at, [(1, 1), (1, 22), (3, 1)], "{:?}", out.unsafe_markup);
        assert!(out.unsafe_markup[2].message.contains("`onclick`"));
        assert!(
            md("[a](x.html) ![i](data:image/png,x)\n## T {#t .c}\n")
                .unsafe_markup
                .is_empty()
        );
    }

    #[test]
    fn raw_html_passes_through() {
        let out = md("<div class=\"x\">\n\n*hi*\n\n</div>\n\nInline <kbd>K</kbd>.\n");
        assert_eq!(
            out.html,
            "<div class=\"x\">\n<p><em>hi</em></p>\n</div>\n<p>Inline <kbd>K</kbd>.</p>\n"
        );
        assert_eq!(
            out.plain_text.split_whitespace().collect::<Vec<_>>(),
            ["hi", "Inline", "K."]
        );
    }

    #[test]
    fn plain_text_and_word_count() {
        let body = "# Title here\n\nOne *two* three.\n\n- four\n- five\n  - six\n\n```rust\nlet not_counted = 1;\n```\n\n`inline` seven\n";
        let out = md(body);
        assert_eq!(
            out.plain_text.split_whitespace().collect::<Vec<_>>(),
            [
                "Title",
                "here",
                "One",
                "two",
                "three.",
                "four",
                "five",
                "six",
                "let",
                "not_counted",
                "=",
                "1;",
                "inline",
                "seven"
            ]
        );
        assert_eq!(out.word_count, 10);
        let out = md("a**b**c\n");
        assert_eq!(out.word_count, 1);
        assert_eq!(words("naïve\u{a0}café  日本語です x"), 8);
    }

    #[test]
    fn heading_spans_and_code_blocks_cut_the_plain_text() {
        let body = "Intro *text*.\n\n## First `one`\n\nBody one.\n\n```rust\nlet x = 1;\n```\n\n\
                    > ### Quoted\n> inside\n\n    indented\n";
        let out = md(body);
        let texts: Vec<&str> = out
            .heading_spans
            .iter()
            .map(|r| &out.plain_text[r.clone()])
            .collect();
        assert_eq!(texts, ["First one", "Quoted"]);
        assert_eq!(
            out.plain_text[..out.heading_spans[0].start].trim(),
            "Intro text."
        );
        let between = &out.plain_text[out.heading_spans[0].end..out.heading_spans[1].start];
        assert_eq!(
            between.split_whitespace().collect::<Vec<_>>(),
            ["Body", "one.", "let", "x", "=", "1;"]
        );
        let langs: Vec<Option<&str>> = out.code_blocks.iter().map(|c| c.lang.as_deref()).collect();
        assert_eq!(langs, [Some("rust"), None]);
        assert_eq!(
            &out.plain_text[out.code_blocks[0].range.clone()],
            "let x = 1;\n"
        );
        assert_eq!(
            &out.plain_text[out.code_blocks[1].range.clone()],
            "indented\n"
        );
    }

    #[test]
    fn huge_lesson_renders_quickly() {
        let chunk = "## Section heading\n\n\
                     Some *text* with a [link](other.md) and `code`, then a longer sentence that \
                     goes on about budgets, vendors, roadmaps and the people who run them, so that \
                     the paragraph looks like prose rather than markup. Another sentence follows \
                     with **strong** words, a footnote[^1] and ~~struck~~ text.\n\n\
                     - a list item with enough words to wrap\n- another item\n  - nested item\n\n\
                     > A quotation from someone who knew what they were talking about.\n\n\
                     | a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\n";
        let body = chunk.repeat(20_000_000 / chunk.len()) + "[^1]: The note.\n";
        let start = Instant::now();
        let out = md(&body);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(10), "{took:?}");
        let count = 20_000_000 / chunk.len();
        assert_eq!(out.headings.len(), count);
        assert_eq!(
            out.headings.last().unwrap().id,
            format!("section-heading-{}", count - 1)
        );
        println!("20 MB lesson: {took:?}");
    }

    #[test]
    fn many_headings_with_the_same_text() {
        let body = "## Same\n\n".repeat(50_000) + &"# Same 1\n".repeat(100);
        let start = Instant::now();
        let out = md(&body);
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(out.headings.len(), 50_100);
        let ids: HashSet<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids.len(), 50_100);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 10_000;
        let cases = [
            ">".repeat(depth) + " deep\n",
            "- ".repeat(depth) + "deep\n",
            "1. ".repeat(depth) + "deep\n",
            "> - ".repeat(depth) + "deep\n",
            (0..200)
                .map(|i| " ".repeat(i * 2) + "- x\n")
                .collect::<String>(),
            "*".repeat(depth) + "x" + &"*".repeat(depth),
            "[".repeat(depth) + "x" + &"](y)".repeat(depth),
            "![".repeat(depth) + "x" + &"](y)".repeat(depth),
            "<div>".repeat(depth),
            "`".repeat(depth),
            "|a|\n|-|\n".to_string() + &"|x|\n".repeat(depth),
            "[^a]".repeat(depth) + "\n\n" + &"[^a]: b\n".repeat(10),
            "> [!NOTE]\n".repeat(depth),
            "# a {#x}\n".repeat(1000),
        ];
        for body in cases {
            let start = Instant::now();
            let out = md(&body);
            assert!(
                start.elapsed() < Duration::from_secs(3),
                "{:?} for {:?}",
                start.elapsed(),
                &body[..20.min(body.len())]
            );
            assert!(!out.html.is_empty() || body.trim().is_empty());
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let samples = [
            "",
            "\n",
            "\r\n\r\n# a\r\n",
            "\u{feff}# BOM",
            "#",
            "# {#}",
            "# {#a b}",
            "[](",
            "![](<>)",
            "```",
            "~~~\n",
            "    ",
            "\t- x",
            "> [!NOTE]",
            "> [!nope]\n> x",
            "[^]",
            "<!--",
            "|",
            "|-|",
            "\0",
            "é\u{301}",
            "# 🦀 crab",
            "[a]: <>\n[a]",
            "* [ ]",
            "1) x\n2) y",
            "***\n---\n___",
        ];
        for a in samples {
            for b in samples {
                let body = format!("{a}\n{b}");
                let out = render(&body, 0, &TestFences, &TestLinks);
                let _ = out.word_count;
            }
        }
    }
}
