//! What `blocks/quiz.html` gets: each question with its Markdown rendered (links resolved and
//! located in the page's file), ids unique on the page, and true/false given as two options.

use serde::Serialize;
use toml::Spanned;

use super::schema::{QuestionToml, QuizToml};
use super::{Block, Kind};
use crate::markdown::{self, Fence, FenceHtml, FenceRenderer, LinkResolver, MarkdownIssue};

/// The context of `blocks/quiz.html` (documented in the theme's README).
#[derive(Debug, Serialize)]
pub struct QuizContext {
    pub quiz: QuizView,
}

/// One self-check.
#[derive(Debug, Serialize)]
pub struct QuizView {
    /// Unique on the page and in `print.html`; every id inside the quiz starts with it.
    pub id: String,
    pub title: Option<String>,
    pub questions: Vec<QuestionView>,
}

/// One question; `prompt` and option texts are inline HTML, `hint` and `explain` block HTML.
#[derive(Debug, Serialize)]
pub struct QuestionView {
    pub id: String,
    pub number: usize,
    pub kind: Kind,
    pub prompt: String,
    pub hint: Option<String>,
    pub explain: Option<String>,
    pub options: Vec<OptionView>,
    /// Accepted short answers, as written.
    pub accept: Vec<String>,
    /// `accept` as a JSON array, for the script that checks answers.
    pub accept_json: String,
}

/// One option of a one-answer, several-answer or true/false question.
#[derive(Debug, Serialize)]
pub struct OptionView {
    pub id: String,
    pub text: String,
    pub right: bool,
    pub explain: Option<String>,
}

pub(super) fn context(
    block: &Block<'_>,
    quiz: &QuizToml,
    kinds: &[Kind],
    links: &dyn LinkResolver,
    out: &mut FenceHtml,
) -> QuizContext {
    let hash = xxhash_rust::xxh3::xxh3_64(block.fence.code.as_bytes())
        ^ (block.fence.line as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let id = format!("quiz-{:08x}", hash >> 32);
    let mut md = Fragments { block, links, out };
    let questions = quiz
        .question
        .iter()
        .zip(kinds)
        .enumerate()
        .map(|(i, (q, &kind))| md.question(&format!("{id}-{}", i + 1), i + 1, q, kind))
        .collect();
    QuizContext {
        quiz: QuizView {
            id,
            title: quiz.title.clone(),
            questions,
        },
    }
}

/// Renders the Markdown strings of one block with the page's links, gathering what they hold.
struct Fragments<'a, 'b> {
    block: &'a Block<'b>,
    links: &'a dyn LinkResolver,
    out: &'a mut FenceHtml,
}

impl Fragments<'_, '_> {
    fn question(&mut self, id: &str, number: usize, q: &QuestionToml, kind: Kind) -> QuestionView {
        let options = match kind {
            Kind::TrueFalse => {
                let answer = q.answer.as_ref().is_some_and(|a| *a.get_ref());
                [("True", answer), ("False", !answer)]
                    .into_iter()
                    .enumerate()
                    .map(|(i, (text, right))| OptionView {
                        id: format!("{id}-{}", i + 1),
                        text: text.to_owned(),
                        right,
                        explain: None,
                    })
                    .collect()
            }
            _ => q
                .option
                .iter()
                .enumerate()
                .map(|(i, o)| OptionView {
                    id: format!("{id}-{}", i + 1),
                    text: self.render(&o.text, true),
                    right: o.right.as_ref().is_some_and(|r| *r.get_ref()),
                    explain: o.explain.as_ref().map(|e| self.render(e, false)),
                })
                .collect(),
        };
        let accept = q
            .accept
            .as_ref()
            .map(|a| a.get_ref().clone())
            .unwrap_or_default();
        QuestionView {
            id: id.to_owned(),
            number,
            kind,
            prompt: self.render(&q.prompt, true),
            hint: q.hint.as_ref().map(|h| self.render(h, false)),
            explain: q.explain.as_ref().map(|e| self.render(e, false)),
            options,
            accept_json: serde_json::to_string(&accept).unwrap_or_default(),
            accept,
        }
    }

    /// One string's Markdown as HTML (one paragraph unwrapped when `inline`), its links and
    /// problems moved to the block's, located where the string is written.
    fn render(&mut self, value: &Spanned<String>, inline: bool) -> String {
        let span = value.span();
        let (line, col) = self.block.at(span.start);
        let raw = self.block.fence.code.get(span).unwrap_or("");
        let (first_line, shift) = match raw.get(..3) {
            Some("\"\"\"" | "'''") if raw[3..].starts_with(['\n', '\r']) => (line + 1, 0),
            Some("\"\"\"" | "'''") => (line, col + 2),
            _ => (line, col),
        };
        let rendered = markdown::render(value.get_ref(), first_line, &PlainFences, self.links);
        let moved = |l: usize, c: usize| if l == first_line { c + shift } else { c };
        let shifted = |mut issue: MarkdownIssue| {
            issue.col = moved(issue.line, issue.col);
            issue
        };
        self.out
            .links
            .extend(rendered.links.into_iter().map(|mut l| {
                l.col = moved(l.line, l.col);
                l
            }));
        self.out
            .issues
            .extend(rendered.issues.into_iter().map(shifted));
        self.out
            .unsafe_markup
            .extend(rendered.unsafe_markup.into_iter().map(shifted));
        if let (None, Some((l, c))) = (self.out.raw_html, rendered.raw_html) {
            self.out.raw_html = Some((l, moved(l, c)));
        }
        let html = rendered.html.trim();
        match html
            .strip_prefix("<p>")
            .and_then(|h| h.strip_suffix("</p>"))
        {
            Some(inner) if inline && !inner.contains("<p>") => inner.to_owned(),
            _ => html.to_owned(),
        }
    }
}

/// Code blocks inside a quiz's Markdown are shown as plain code.
struct PlainFences;

impl FenceRenderer for PlainFences {
    fn render_fence(
        &self,
        _: &Fence<'_>,
        _: &dyn LinkResolver,
    ) -> Result<FenceHtml, Vec<MarkdownIssue>> {
        Err(Vec::new())
    }
}
