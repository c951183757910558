//! The TOML a `quiz` block holds, with where each value is written. Unknown keys are errors.

use serde::Deserialize;
use toml::Spanned;

/// The whole block: an optional title and its questions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct QuizToml {
    pub title: Option<String>,
    #[serde(default)]
    pub question: Vec<QuestionToml>,
}

/// One `[[question]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct QuestionToml {
    pub kind: Option<Spanned<String>>,
    pub prompt: Spanned<String>,
    pub hint: Option<Spanned<String>>,
    pub explain: Option<Spanned<String>>,
    pub answer: Option<Spanned<bool>>,
    pub accept: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub option: Vec<OptionToml>,
}

/// One `[[question.option]]` of a one- or several-answer question.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OptionToml {
    pub text: Spanned<String>,
    pub right: Option<Spanned<bool>>,
    pub explain: Option<Spanned<String>>,
}
