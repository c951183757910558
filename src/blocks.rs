//! Fenced code blocks: a block whose language names a theme block template (`compare`) is parsed
//! as TOML and rendered through that template (`quiz` is read and checked by [`crate::quiz`]
//! first); any other block is syntax highlighted.

use crate::highlight::Highlighter;
use crate::markdown::{Fence, FenceHtml, FenceRenderer, LinkResolver, MarkdownIssue};
use crate::theme::Theme;

/// Renders the fenced blocks of pages through the theme and the highlighter.
pub struct Fences<'a> {
    pub theme: &'a Theme,
    pub highlighter: &'a Highlighter,
}

impl FenceRenderer for Fences<'_> {
    fn render_fence(
        &self,
        fence: &Fence<'_>,
        links: &dyn LinkResolver,
    ) -> Result<FenceHtml, Vec<MarkdownIssue>> {
        let Fence { lang, code, line } = *fence;
        if !self.theme.blocks.contains(lang) {
            return Ok(self.highlighter.highlight(lang, code).into());
        }
        if lang == "quiz" {
            return crate::quiz::render(self.theme, fence, links);
        }
        self.template(lang, code, line)
            .map(FenceHtml::from)
            .map_err(|issue| vec![issue])
    }
}

impl Fences<'_> {
    /// A block template's HTML, with the block's TOML as its context.
    fn template(&self, lang: &str, code: &str, line: usize) -> Result<String, MarkdownIssue> {
        let table: toml::Table = toml::from_str(code).map_err(|e| {
            let (l, c) = e
                .span()
                .map_or((1, 1), |s| crate::diagnostics::line_col(code, s.start));
            MarkdownIssue {
                line: line + l,
                col: c,
                message: format!("in the `{lang}` block: {}", e.message().trim()),
                help: Some(format!(
                    "the body of a `{lang}` block is TOML; see the theme's README"
                )),
            }
        })?;
        let context = tera::Context::from_serialize(&table).map_err(|e| MarkdownIssue {
            line,
            col: 1,
            message: format!("in the `{lang}` block: {e}"),
            help: None,
        })?;
        self.theme
            .tera
            .render(&format!("blocks/{lang}.html"), &context)
            .map_err(|e| {
                let d = self.theme.error(&e);
                MarkdownIssue {
                    line,
                    col: 1,
                    message: format!("the `{lang}` block could not be rendered: {}", d.message),
                    help: Some(format!(
                        "check the block's keys against {} (error at {})",
                        d.file,
                        d.location()
                    )),
                }
            })
    }
}
