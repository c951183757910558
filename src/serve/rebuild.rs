//! Making generations: the first build, and a rebuild after each burst of saves that redoes only
//! what depends on the saved files (see [`super::checks`]) and swaps the result in when the
//! guide has no errors.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::checks::{State, check, linked_pages, merge_search, page_set_changed};
use super::site::Generation;
use super::{Server, lock};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::PageId;
use crate::{Failure, Prepared, Stopwatch};

/// What a burst of saves touched, from the cheapest to redo to the dearest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Templates or static files only: pages are re-templated, Markdown is not parsed again.
    Theme,
    /// Content (and maybe the theme): the guide is loaded again, and the pages that depend on
    /// what changed are checked.
    Content,
    /// `book.toml` or a fenced-block template: everything is redone.
    Everything,
}

fn kind_of(root: &Path, changed: &[PathBuf]) -> Kind {
    let themes = root.join("themes");
    changed
        .iter()
        .map(|p| {
            if p == &crate::config::config_path(root) {
                Kind::Everything
            } else if let Ok(rel) = p.strip_prefix(&themes) {
                let blocks = rel
                    .iter()
                    .collect::<Vec<_>>()
                    .windows(2)
                    .any(|w| w[0] == "templates" && w[1] == "blocks");
                if blocks {
                    Kind::Everything
                } else {
                    Kind::Theme
                }
            } else {
                Kind::Content
            }
        })
        .max()
        .unwrap_or(Kind::Content)
}

fn to_failure_list(f: Failure) -> Vec<Diagnostic> {
    match f {
        Failure::Guide(d) => d,
        Failure::Usage(m) => vec![Diagnostic::error("", m)],
    }
}

impl Server {
    /// Loads, themes and links the whole guide.
    fn prepare(&self) -> Result<Prepared, Vec<Diagnostic>> {
        let config = Config::load(&self.opts.root).map_err(|d| vec![d])?;
        let mut clock = Stopwatch::new();
        let prepared = crate::prepare(
            &self.opts.root,
            config,
            self.opts.drafts,
            &self.highlighter,
            &mut clock,
        )
        .map_err(to_failure_list);
        let laps: Vec<String> = clock
            .laps
            .iter()
            .map(|(stage, d, _)| format!("{stage} {} ms", d.as_millis()))
            .collect();
        *lock(&self.last_laps) = laps.join(", ");
        prepared
    }

    /// The guide of `base` with its theme loaded again.
    fn retheme(&self, base: &Prepared) -> Result<Prepared, Vec<Diagnostic>> {
        let config = base.config.clone();
        let site = base.site.clone();
        let mut theme = crate::theme::Theme::load(
            &self.opts.root,
            &config.build.theme,
            vec![(
                "highlight.css".to_owned(),
                self.highlighter.css().into_bytes(),
            )],
        )
        .map_err(|d| vec![d])?;
        crate::pages::set_globals(&mut theme, &site, &config, &base.crossrefs);
        Ok(Prepared {
            index: crate::links::LinkIndex::new(&site),
            crossrefs: base.crossrefs.clone(),
            diagnostics: base.diagnostics.clone(),
            config,
            site,
            theme,
        })
    }

    fn generation(
        &self,
        state: &State,
        prepared: Prepared,
        files_of: Option<&Generation>,
    ) -> Result<Arc<Generation>, Vec<Diagnostic>> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) as u64;
        let content_dir = self.opts.root.join(&prepared.config.build.content_dir);
        let search = state.base.as_ref().and_then(|b| b.search.as_ref());
        Generation::new(
            id,
            prepared,
            self.highlighter.clone(),
            &content_dir,
            state.markdown.clone(),
            search,
            files_of,
        )
        .map(Arc::new)
    }

    /// The first generation, served at once even when the guide has errors; when it cannot be
    /// made at all (a broken `book.toml` or template), the errors are shown until it can.
    pub(super) fn first_build(&self) {
        let mut state = lock(&self.state);
        let made = self.prepare().and_then(|p| {
            let errors = p.diagnostics.0.iter().filter(|d| d.is_error()).cloned();
            let errors: Vec<Diagnostic> = errors.collect();
            self.generation(&state, p, None).map(|g| (g, errors))
        });
        match made {
            Ok((generation, errors)) => {
                state.base = Some(generation.clone());
                *self.generation.write().unwrap_or_else(|e| e.into_inner()) = Some(generation);
                *lock(&self.errors) = errors;
            }
            Err(errors) => *lock(&self.errors) = errors,
        }
    }

    /// Checks every page of the first generation in the background, to report problems of
    /// pages not viewed yet and to make the search index.
    pub(super) fn check_everything(&self) {
        let mut state = lock(&self.state);
        let Some(generation) = self.current() else {
            return;
        };
        if state.base.as_ref().map(|b| b.id) != Some(generation.id) {
            return;
        }
        let started = Instant::now();
        let (errors, _) = check(&mut state, &generation, BTreeSet::new(), false, None);
        let search = merge_search(&mut state, &generation).map_or(String::new(), |ms| {
            format!("; search index merged in {ms} ms")
        });
        eprintln!(
            "checked all {} pages in {} ms: {} error{}{search}",
            generation.prepared.site.lessons.len() + generation.prepared.site.sections.len(),
            started.elapsed().as_millis(),
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
        );
        self.set_errors(errors, false);
    }

    /// Makes a new generation after `changed` files were saved, and swaps it in if the guide
    /// has no errors.
    pub(super) fn rebuild(&self, changed: &[PathBuf]) {
        let started = Instant::now();
        let mut state = lock(&self.state);
        let shown: Vec<String> = changed
            .iter()
            .map(|p| crate::diagnostics::display_path(&self.opts.root, p))
            .collect();
        let shown = shown.join(", ");
        let mut kind = kind_of(&self.opts.root, changed);
        let base = state.base.clone();
        if base.is_none() {
            kind = Kind::Everything;
        }
        let quick = match (&base, kind) {
            (Some(base), Kind::Content) => {
                super::quick::body_edit(&self.opts.root, self.opts.drafts, &base.prepared, changed)
            }
            _ => None,
        };
        let is_quick = quick.is_some();
        let mut edited = None;
        let prepared = match (&base, kind, quick) {
            (_, _, Some((p, pages))) => {
                edited = Some(pages);
                Ok(p)
            }
            (Some(base), Kind::Theme, None) => self.retheme(&base.prepared),
            _ => self.prepare(),
        };
        let prepared_ms = started.elapsed().as_millis();
        let files_of = if is_quick { base.as_deref() } else { None };
        let generation = match prepared.and_then(|p| self.generation(&state, p, files_of)) {
            Ok(g) => g,
            Err(errors) => return self.refuse(&shown, errors, started),
        };
        let topics_changed = match (&base, &generation.search) {
            (Some(b), Some(new)) => b
                .search
                .as_ref()
                .is_none_or(|old| !old.topic_slugs().eq(new.topic_slugs())),
            _ => false,
        };
        if kind == Kind::Everything || topics_changed {
            state.pages.clear();
            state.markdown.clear();
        } else if let Some(base) = &base
            && !is_quick
            && page_set_changed(&base.prepared.site, &generation.prepared.site)
        {
            state.markdown.clear();
        }
        let dirty = match (&base, &edited) {
            (Some(base), Some(edited)) => {
                let (old, new) = (&base.prepared.crossrefs, &generation.prepared.crossrefs);
                edited
                    .iter()
                    .filter_map(|p| match p {
                        PageId::Lesson(l) => {
                            Some(old.backlinks[l.0].iter().chain(&new.backlinks[l.0]))
                        }
                        PageId::Section(_) => None,
                    })
                    .flatten()
                    .map(|&l| PageId::Lesson(l))
                    .collect()
            }
            (Some(base), None) if kind == Kind::Content => {
                linked_pages(&state, &base.prepared, &generation.prepared)
            }
            _ => BTreeSet::new(),
        };
        let check_started = Instant::now();
        let (errors, report) = check(
            &mut state,
            &generation,
            dirty,
            kind == Kind::Theme,
            edited.as_deref(),
        );
        state.base = Some(generation.clone());
        let checked_ms = check_started.elapsed().as_millis();
        if !errors.is_empty() {
            return self.refuse(&shown, errors, started);
        }
        let css_only = kind == Kind::Theme
            && changed.iter().all(|p| {
                p.extension().is_some_and(|x| x == "css")
                    && p.components().any(|c| c.as_os_str() == "static")
            });
        let old = self.current();
        let css_map = match (&old, css_only) {
            (Some(old), true) => Some(css_changes(old, &generation)),
            _ => None,
        };
        let id = generation.id;
        let served = generation.clone();
        *self.generation.write().unwrap_or_else(|e| e.into_inner()) = Some(generation);
        let had_errors = !lock(&self.errors).is_empty();
        if had_errors {
            self.set_errors(Vec::new(), true);
        }
        let build = self.build_id();
        match css_map {
            Some(pairs) => self.broadcast(&format!(
                "event: css\ndata: {{\"build\":\"{build}\",\"pairs\":{pairs}}}\n\n"
            )),
            None => self.broadcast(&format!("event: reload\ndata: {build}\n\n")),
        }
        let what = match kind {
            Kind::Theme => format!(
                "theme reloaded in {prepared_ms} ms (content kept, Markdown not parsed again); re-templated {} page{}",
                report.checked,
                plural(report.checked)
            ),
            Kind::Content if is_quick => format!(
                "bodies replaced and backlinks patched in {prepared_ms} ms; re-checked {} page{} ({} Markdown parsed)",
                report.checked,
                plural(report.checked),
                report.parsed
            ),
            Kind::Content => format!(
                "guide loaded and linked in {prepared_ms} ms ({}); re-checked {} page{} ({} Markdown parsed)",
                lock(&self.last_laps),
                report.checked,
                plural(report.checked),
                report.parsed
            ),
            Kind::Everything => format!(
                "everything reloaded in {prepared_ms} ms; re-checked all {} pages",
                report.checked
            ),
        };
        eprintln!(
            "{shown} changed: {what} in {checked_ms} ms; serving build {id} ({} ms in all; other pages render when requested)",
            started.elapsed().as_millis()
        );
        std::thread::spawn(move || served.warm());
    }

    /// Merges the search index of the generation being served if it is not merged yet: called
    /// by the watcher once saves have paused, so that the merge neither delays the new pages
    /// nor runs for builds that a quick next save replaces. When a refused build has replaced
    /// the kept page checks since, the served generation's index is made from its own pages.
    pub(super) fn merge_search(&self) {
        let mut state = lock(&self.state);
        let Some(generation) = self.current() else {
            return;
        };
        if generation.search.is_none() || generation.has_search_files() {
            return;
        }
        let started = Instant::now();
        if state.base.as_ref().map(|b| b.id) == Some(generation.id) {
            merge_search(&mut state, &generation);
        } else {
            drop(state);
            generation.make_search_files();
        }
        eprintln!(
            "search index of build {} merged in {} ms",
            generation.id,
            started.elapsed().as_millis()
        );
    }

    /// Keeps serving the last good generation and shows why the new one was refused.
    fn refuse(&self, shown: &str, errors: Vec<Diagnostic>, started: Instant) {
        eprintln!(
            "{shown} changed: {} error{}; still serving the last good build ({} ms)",
            errors.len(),
            plural(errors.len()),
            started.elapsed().as_millis()
        );
        self.set_errors(errors, true);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Old and new output paths of the stylesheets that changed, as JSON.
fn css_changes(old: &Generation, new: &Generation) -> String {
    let before = old.prepared.theme.asset_map();
    let after = new.prepared.theme.asset_map();
    let pairs: Vec<(String, String)> = after
        .iter()
        .filter(|(k, _)| k.ends_with(".css"))
        .filter_map(|(k, v)| {
            let was = before.get(k)?;
            (was != v).then(|| (was.to_string(), v.to_string()))
        })
        .collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_save_touched_decides_what_is_redone() {
        let root = Path::new("/g");
        let kind = |paths: &[&str]| {
            let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
            kind_of(root, &paths)
        };
        assert_eq!(kind(&["content/a.md"]), Kind::Content);
        assert_eq!(kind(&["themes/t/templates/lesson.html"]), Kind::Theme);
        assert_eq!(kind(&["themes/t/static/css/style.css"]), Kind::Theme);
        assert_eq!(
            kind(&["themes/t/templates/blocks/compare.html"]),
            Kind::Everything
        );
        assert_eq!(kind(&["book.toml"]), Kind::Everything);
        assert_eq!(
            kind(&["themes/t/templates/lesson.html", "content/a.md"]),
            Kind::Content
        );
        assert_eq!(kind(&["content/a.md", "book.toml"]), Kind::Everything);
    }
}
