//! Running text with the first use of each glossary term linked.

use super::Writer;
use crate::markdown::TermLinker;
use crate::markdown::escape::escape_text;

impl<'a> Writer<'a> {
    /// Links terms through `terms` (none when `None`).
    pub(in crate::markdown) fn linking_terms(mut self, terms: Option<&'a dyn TermLinker>) -> Self {
        self.terms = terms;
        self
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
