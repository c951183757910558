//! What the writer does as a heading, code block, link or footnote closes, and the plain text
//! it keeps beside the HTML.

use pulldown_cmark::{CowStr, LinkType};

use super::Writer;
use crate::markdown::escape::{escape_attr, escape_text};
use crate::markdown::words::push_plain;
use crate::markdown::{CodeText, Fence, Heading, MarkdownIssue, OutLink, slugify};

impl Writer<'_> {
    pub(super) fn end_heading(&mut self) {
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

    pub(super) fn unique_id(&mut self, base: String) -> String {
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

    pub(super) fn end_code_block(&mut self) {
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
            Some(lang) => {
                let fence = Fence {
                    lang,
                    code: &code.text,
                    line: code.line,
                };
                match self.fences.render_fence(&fence, self.resolver) {
                    Ok(block) => {
                        self.links.extend(block.links);
                        self.issues.extend(block.issues);
                        self.raw_html = self.raw_html.or(block.raw_html);
                        self.unsafe_markup.extend(block.unsafe_markup);
                        Some(block.html)
                    }
                    Err(issues) => {
                        self.issues.extend(issues);
                        None
                    }
                }
            }
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

    pub(super) fn resolve(
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
    pub(super) fn footnote_number(&mut self, name: &str) -> usize {
        if let Some(number) = self.footnotes.get(name) {
            return *number;
        }
        let number = self.footnotes.len() + 1;
        self.footnotes.insert(name.to_string(), number);
        number
    }

    pub(super) fn push_text(&mut self, text: &str) {
        push_plain(&mut self.plain, text);
        if let Some(heading) = &mut self.heading {
            heading.text.push_str(text);
        }
    }

    pub(super) fn plain_break(&mut self) {
        if self
            .plain
            .as_bytes()
            .last()
            .is_some_and(|b| !b.is_ascii_whitespace())
        {
            self.plain.push('\n');
        }
    }

    pub(super) fn open_block(&mut self) {
        if !self.html.is_empty() && !self.html.ends_with('\n') {
            self.html.push('\n');
        }
    }
}
