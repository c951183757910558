//! Self-checks: a ```` ```quiz ```` block's TOML read into questions of four kinds, checked
//! (each problem at the line of the key it is about, unknown keys with a "did you mean"), its
//! Markdown rendered with the page's links, and the whole passed to the theme's
//! `blocks/quiz.html`.

mod html;
mod schema;

use serde::Serialize;
use toml::Spanned;

use crate::diagnostics::line_col;
use crate::markdown::{Fence, FenceHtml, LinkResolver, MarkdownIssue};
use crate::suggest;
use crate::theme::Theme;
use schema::{QuestionToml, QuizToml};

/// The kinds of question, as written in `kind = "…"`.
pub const KINDS: [&str; 4] = ["one", "many", "true-false", "short"];

/// Short answers are compared after this: case folded, and every run of whitespace or
/// punctuation dropped, so "  Recovery-Point objective. " equals "recovery point objective".
/// The theme's `js/quiz.js` does the same.
pub fn normalise(answer: &str) -> String {
    answer
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The Markdown strings of a `quiz` block (prompts, hints, option texts, explanations), read
/// leniently, so that the links in them can be found without rendering the block.
pub fn markdown_strings(code: &str) -> Vec<String> {
    let Ok(quiz) = code.parse::<toml::Table>() else {
        return Vec::new();
    };
    let texts = |table: &toml::Value, keys: &[&str], out: &mut Vec<String>| {
        let found = keys.iter().filter_map(|k| table.get(*k)?.as_str());
        out.extend(found.map(str::to_owned));
    };
    let mut out = Vec::new();
    let tables = |v: Option<&toml::Value>| v.and_then(toml::Value::as_array).cloned();
    for q in tables(quiz.get("question")).unwrap_or_default() {
        texts(&q, &["prompt", "hint", "explain"], &mut out);
        for o in tables(q.get("option")).unwrap_or_default() {
            texts(&o, &["text", "explain"], &mut out);
        }
    }
    out
}

/// Renders a `quiz` block through the theme's `blocks/quiz.html`; problems that keep it from
/// rendering come back as issues located in the page's file.
pub fn render(
    theme: &Theme,
    fence: &Fence<'_>,
    links: &dyn LinkResolver,
) -> Result<FenceHtml, Vec<MarkdownIssue>> {
    let block = Block { fence: *fence };
    let quiz: QuizToml = toml::from_str(fence.code).map_err(|e| vec![block.toml_issue(&e)])?;
    let (kinds, mut issues) = block.check(&quiz);
    let mut out = FenceHtml::default();
    let context = html::context(&block, &quiz, &kinds, links, &mut out);
    if !issues.is_empty() {
        issues.append(&mut out.issues);
        issues.sort_by_key(|i| (i.line, i.col));
        return Err(issues);
    }
    let context = tera::Context::from_serialize(&context)
        .map_err(|e| vec![block.issue(0, format!("in the `quiz` block: {e}"), None)])?;
    out.html = theme
        .tera
        .render("blocks/quiz.html", &context)
        .map_err(|e| {
            let d = theme.error(&e);
            vec![block.issue(
                0,
                format!("the `quiz` block could not be rendered: {}", d.message),
                Some(format!("check {} (error at {})", d.file, d.location())),
            )]
        })?;
    Ok(out)
}

/// A question's kind once it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    One,
    Many,
    TrueFalse,
    Short,
}

/// One block being read: turns offsets inside it into lines and columns of the file.
struct Block<'a> {
    fence: Fence<'a>,
}

impl Block<'_> {
    /// Line and column in the file of byte `offset` of the block.
    fn at(&self, offset: usize) -> (usize, usize) {
        let (line, col) = line_col(self.fence.code, offset);
        (self.fence.line + line, col)
    }

    /// An issue at byte `offset` of the block.
    fn issue(&self, offset: usize, message: String, help: Option<String>) -> MarkdownIssue {
        let (line, col) = if offset == 0 && self.fence.code.is_empty() {
            (self.fence.line, 1)
        } else {
            self.at(offset)
        };
        MarkdownIssue {
            line,
            col,
            message,
            help,
        }
    }

    fn at_value<T>(&self, value: &Spanned<T>, message: String, help: &str) -> MarkdownIssue {
        self.issue(value.span().start, message, Some(help.to_owned()))
    }

    fn toml_issue(&self, e: &toml::de::Error) -> MarkdownIssue {
        let d = crate::config::serde_message("", e.message());
        let mut issue = self.issue(e.span().map_or(0, |s| s.start), d.message, d.help);
        issue.message = format!("in the `quiz` block: {}", issue.message);
        if issue.help.is_none() {
            issue.help = Some(SHAPE_HELP.to_owned());
        }
        issue
    }

    /// Every question's kind (one answer where it cannot be told) and every problem found.
    fn check(&self, quiz: &QuizToml) -> (Vec<Kind>, Vec<MarkdownIssue>) {
        let mut kinds = Vec::new();
        let mut issues = Vec::new();
        if quiz.question.is_empty() {
            issues.push(self.issue(
                0,
                "the `quiz` block has no questions".into(),
                Some(SHAPE_HELP.into()),
            ));
        }
        for q in &quiz.question {
            match self.kind(q) {
                Ok(kind) => {
                    issues.extend(self.check_answers(q, kind));
                    kinds.push(kind);
                }
                Err(issue) => {
                    issues.push(issue);
                    kinds.push(Kind::One);
                }
            }
        }
        (kinds, issues)
    }

    /// The kind written, or the one the fields imply: `answer` for true/false, `accept` for a
    /// short answer, options for one answer.
    fn kind(&self, q: &QuestionToml) -> Result<Kind, MarkdownIssue> {
        let Some(kind) = &q.kind else {
            return Ok(if q.answer.is_some() {
                Kind::TrueFalse
            } else if q.accept.is_some() {
                Kind::Short
            } else {
                Kind::One
            });
        };
        match kind.get_ref().as_str() {
            "one" => Ok(Kind::One),
            "many" => Ok(Kind::Many),
            "true-false" => Ok(Kind::TrueFalse),
            "short" => Ok(Kind::Short),
            other => {
                let help = suggest::did_you_mean(other, KINDS)
                    .unwrap_or_else(|| format!("the kinds are {}", KINDS.join(", ")));
                Err(self.at_value(kind, format!("unknown question kind `{other}`"), &help))
            }
        }
    }

    fn check_answers(&self, q: &QuestionToml, kind: Kind) -> Vec<MarkdownIssue> {
        let mut issues = Vec::new();
        let kind_name = match kind {
            Kind::One => "a one-answer",
            Kind::Many => "a several-answer",
            Kind::TrueFalse => "a true/false",
            Kind::Short => "a short-answer",
        };
        let misplaced = |key: &str, offset: usize| {
            self.issue(
                offset,
                format!("`{key}` does not belong in {kind_name} question"),
                Some(KEYS_HELP.into()),
            )
        };
        let choice = matches!(kind, Kind::One | Kind::Many);
        if let (false, Some(first)) = (choice, q.option.first()) {
            issues.push(misplaced("[[question.option]]", first.text.span().start));
        }
        if let (true, Some(answer)) = (kind != Kind::TrueFalse, &q.answer) {
            issues.push(misplaced("answer", answer.span().start));
        }
        if let (true, Some(accept)) = (kind != Kind::Short, &q.accept) {
            issues.push(misplaced("accept", accept.span().start));
        }
        if !issues.is_empty() {
            return issues;
        }
        let prompt = q.prompt.span().start;
        let rights: Vec<&Spanned<bool>> = q
            .option
            .iter()
            .filter_map(|o| o.right.as_ref())
            .filter(|r| *r.get_ref())
            .collect();
        match kind {
            Kind::One | Kind::Many if q.option.len() < 2 => issues.push(self.issue(
                prompt,
                format!("{kind_name} question needs at least two options"),
                Some("add `[[question.option]]` tables, each with a `text`".into()),
            )),
            Kind::One | Kind::Many if rights.is_empty() => issues.push(self.issue(
                prompt,
                "this question has no right answer".into(),
                Some("mark the right option with `right = true`".into()),
            )),
            Kind::One if rights.len() > 1 => issues.push(self.at_value(
                rights[1],
                format!("a one-answer question has {} right answers", rights.len()),
                "keep `right = true` on one option, or set `kind = \"many\"` on the question",
            )),
            Kind::TrueFalse if q.answer.is_none() => issues.push(self.issue(
                prompt,
                "this true/false question has no right answer".into(),
                Some("add `answer = true` or `answer = false`".into()),
            )),
            Kind::Short => {
                let accepted = q.accept.as_ref().map_or(&[][..], |a| &a.get_ref()[..]);
                if !accepted.iter().any(|a| !normalise(a).is_empty()) {
                    let at = q.accept.as_ref().map_or(prompt, |a| a.span().start);
                    issues.push(self.issue(
                        at,
                        "this short-answer question has no accepted answer".into(),
                        Some("list the answers to accept: `accept = [\"RPO\", \"recovery point objective\"]`".into()),
                    ));
                }
            }
            _ => {}
        }
        issues
    }
}

const SHAPE_HELP: &str =
    "a `quiz` block is TOML: `[[question]]` tables with a `prompt`; see the theme's README";

const KEYS_HELP: &str = "options are for `kind = \"one\"` or `\"many\"`, `answer = true|false` for \
                         true/false, `accept = [...]` for a short answer";

#[cfg(test)]
mod tests {
    use super::{markdown_strings, normalise};

    #[test]
    fn markdown_strings_are_the_texts_not_the_answers() {
        let code = "[[question]]\nprompt = \"p\"\nhint = \"h\"\naccept = [\"a\"]\n\
                    [[question.option]]\ntext = \"t\"\nexplain = \"e\"\n";
        assert_eq!(markdown_strings(code), ["p", "h", "t", "e"]);
        assert!(markdown_strings("not = [toml").is_empty());
    }

    #[test]
    fn short_answers_ignore_case_spacing_and_punctuation() {
        assert_eq!(
            normalise("  Recovery-Point objective. "),
            normalise("recovery point objective")
        );
        assert_eq!(normalise("Straße"), normalise("STRAßE"));
        assert_ne!(normalise("RPO"), normalise("RTO"));
        assert_eq!(normalise("?!"), "");
    }
}
