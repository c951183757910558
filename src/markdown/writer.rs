//! The single loop that turns pulldown-cmark's events into a page's HTML, plain text,
//! headings, links and issues.

mod close;
mod terms;

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::ops::Range;

use pulldown_cmark::{Alignment, BlockQuoteKind, CodeBlockKind, Event, Tag, TagEnd};

use super::escape::{escape_attr, escape_href, escape_text};
use super::words::{push_plain, words};
use super::{
    CodeText, FenceRenderer, Heading, LinkResolver, MarkdownIssue, OutLink, Rendered, TermLinker,
};

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
    pub(super) fn new(body: &'a str, first_line: usize) -> Self {
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

pub(super) struct Writer<'a> {
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
    /// Tables so far, which number each table's scrolling region.
    tables: usize,
    /// Where the open table cell's tag starts in `html`.
    cell_start: usize,
    footnotes: HashMap<String, usize>,
    terms: Option<&'a dyn TermLinker>,
    /// Terms linked so far, in order of first use.
    terms_used: Vec<usize>,
    /// Links open around the current text (terms are not linked inside one).
    link_depth: usize,
    /// Running text held back while terms are linked, so a name may span a line break.
    held: String,
}

impl<'a> Writer<'a> {
    pub(super) fn new(
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
            tables: 0,
            cell_start: 0,
            footnotes: HashMap::new(),
            terms: None,
            terms_used: Vec::new(),
            link_depth: 0,
            held: String::new(),
        }
    }

    pub(super) fn finish(mut self) -> Rendered {
        self.release_text();
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
            terms: self.terms_used,
        }
    }

    pub(super) fn event(&mut self, event: Event<'_>, range: Range<usize>) {
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
        if self.held_for_terms(&event) {
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                self.write_text(&text);
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
                self.html.push_str("<br>\n");
                self.push_text(" ");
            }
            Event::Rule => {
                self.open_block();
                self.html.push_str("<hr>\n");
            }
            Event::TaskListMarker(checked) => {
                self.html.push_str(if checked {
                    "<input type=\"checkbox\" disabled checked aria-label=\"Task\">\n"
                } else {
                    "<input type=\"checkbox\" disabled aria-label=\"Task\">\n"
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
                self.tables += 1;
                let _ = write!(
                    self.html,
                    "<section class=\"table-wrap\" aria-label=\"Table {}",
                    self.tables
                );
                if let Some(heading) = self.headings.last() {
                    self.html.push_str(": ");
                    escape_attr(&mut self.html, &heading.text);
                }
                self.html.push_str("\"><table>");
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
                self.cell_start = self.html.len();
                self.html.push_str(if self.table_head {
                    "<th scope=\"col\""
                } else {
                    "<td"
                });
                self.html
                    .push_str(match self.table_alignments.get(self.table_cell) {
                        Some(Alignment::Left) => " class=\"align-left\">",
                        Some(Alignment::Center) => " class=\"align-center\">",
                        Some(Alignment::Right) => " class=\"align-right\">",
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
                self.link_depth += 1;
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
            TagEnd::Table => self.html.push_str("</tbody></table></section>\n"),
            TagEnd::TableHead => {
                self.html.push_str("</tr></thead><tbody>\n");
                self.table_head = false;
            }
            TagEnd::TableRow => self.html.push_str("</tr>\n"),
            TagEnd::TableCell => {
                let cell = self.html.get(self.cell_start..).unwrap_or("");
                let open = cell.find('>').map_or(0, |at| at + 1);
                if self.table_head && open > 0 && cell[open..].trim().is_empty() {
                    // An empty corner heads nothing: a plain cell, not an empty header.
                    let start = self.cell_start;
                    self.html.replace_range(start..start + open, "<td>");
                    self.html.push_str("</td>");
                } else {
                    self.html
                        .push_str(if self.table_head { "</th>" } else { "</td>" });
                }
                self.table_cell += 1;
                self.push_text(" ");
            }
            TagEnd::Emphasis => self.html.push_str("</em>"),
            TagEnd::Strong => self.html.push_str("</strong>"),
            TagEnd::Strikethrough => self.html.push_str("</del>"),
            TagEnd::Superscript => self.html.push_str("</sup>"),
            TagEnd::Subscript => self.html.push_str("</sub>"),
            TagEnd::Link => {
                self.link_depth = self.link_depth.saturating_sub(1);
                self.html.push_str("</a>");
            }
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
                self.html.push_str("\">");
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
