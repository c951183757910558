//! Running text with the first use of each glossary term linked.

use pulldown_cmark::Event;

use super::Writer;
use crate::markdown::TermLinker;
use crate::markdown::escape::escape_text;

impl<'a> Writer<'a> {
    /// Links terms through `terms` (none when `None`).
    pub(in crate::markdown) fn linking_terms(mut self, terms: Option<&'a dyn TermLinker>) -> Self {
        self.terms = terms;
        self
    }

    /// While terms are linked, holds back text and soft breaks (written as a line break, as
    /// without terms) until another event comes, so that a term's name written across a line
    /// break is found; returns whether `event` was held.
    pub(super) fn held_for_terms(&mut self, event: &Event<'_>) -> bool {
        if self.terms.is_none() {
            return false;
        }
        match event {
            Event::Text(text) => {
                self.held.push_str(text);
                self.push_text(text);
                true
            }
            Event::SoftBreak => {
                self.held.push('\n');
                self.push_text(" ");
                true
            }
            _ => {
                self.release_text();
                false
            }
        }
    }

    /// Writes the text held back by [`Self::held_for_terms`].
    pub(super) fn release_text(&mut self) {
        if !self.held.is_empty() {
            let held = std::mem::take(&mut self.held);
            self.write_text(&held);
        }
    }

    /// Writes a text event: escaped, with each term's first use on the page linked, except in
    /// headings and links.
    pub(super) fn write_text(&mut self, text: &str) {
        let Some(terms) = self
            .terms
            .filter(|_| self.heading.is_none() && self.link_depth == 0)
        else {
            escape_text(&mut self.html, text);
            return;
        };
        let mut from = 0;
        for (range, term) in terms.find_terms(text) {
            if self.terms_used.contains(&term) || range.start < from {
                continue;
            }
            self.terms_used.push(term);
            escape_text(&mut self.html, &text[from..range.start]);
            self.html.push_str(&terms.term_link(term));
            escape_text(&mut self.html, &text[range.clone()]);
            self.html.push_str("</a>");
            from = range.end;
        }
        escape_text(&mut self.html, &text[from..]);
    }
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use crate::markdown::{
        Fence, FenceHtml, FenceRenderer, LinkResolver, MarkdownIssue, OutLink, TermLinker,
        render_linking_terms,
    };

    /// Finds `service level objective` (term 0) and `SLO` (term 1).
    struct Terms;

    impl TermLinker for Terms {
        fn find_terms(&self, text: &str) -> Vec<(Range<usize>, usize)> {
            let folded = text.replace('\n', " ");
            let mut found: Vec<(Range<usize>, usize)> = ["service level objective", "SLO"]
                .iter()
                .enumerate()
                .flat_map(|(term, name)| {
                    folded
                        .match_indices(name)
                        .map(move |(at, _)| (at..at + name.len(), term))
                })
                .collect();
            found.sort_by_key(|(r, _)| r.start);
            found
        }

        fn term_link(&self, term: usize) -> String {
            format!("<a class=\"term\" href=\"#t{term}\">")
        }
    }

    struct Plain;

    impl FenceRenderer for Plain {
        fn render_fence(
            &self,
            fence: &Fence<'_>,
            _: &dyn LinkResolver,
        ) -> Result<FenceHtml, Vec<MarkdownIssue>> {
            Ok(format!("<pre>{}</pre>", fence.code).into())
        }
    }

    impl LinkResolver for Plain {
        fn resolve(&self, link: &OutLink) -> Result<String, MarkdownIssue> {
            Ok(link.dest.clone())
        }
    }

    fn html(body: &str) -> String {
        render_linking_terms(body, 1, &Plain, &Plain, Some(&Terms)).html
    }

    #[test]
    fn a_name_across_a_line_break_is_linked_and_the_break_kept() {
        assert_eq!(
            html("Our service level\nobjective and the SLO, then SLO.\n"),
            "<p>Our <a class=\"term\" href=\"#t0\">service level\nobjective</a> and the \
             <a class=\"term\" href=\"#t1\">SLO</a>, then SLO.</p>\n"
        );
    }

    #[test]
    fn headings_links_code_and_fences_are_left_alone() {
        let out = html("# SLO\n\n[SLO](x.md) `SLO`\n\n```\nSLO\n```\n\n*SLO* here\n");
        assert_eq!(out.matches("class=\"term\"").count(), 1, "{out}");
        assert!(
            out.contains("<em><a class=\"term\" href=\"#t1\">SLO</a></em>"),
            "{out}"
        );
    }
}
