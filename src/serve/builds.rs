//! The build `guide serve` serves, and its rebuilds: the first build, then after each burst of
//! saves one [`Rebuild`] that redoes only what depends on the saved files, checks the pages that
//! may have changed ([`super::checks`]) and swaps the new generation in when the guide has no
//! errors, then tells the browsers ([`Clients`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use super::checks::{self, Report, State};
use super::clients::Clients;
use super::lock;
use super::site::Generation;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use crate::model::PageId;
use crate::{Failure, Prepared, Stopwatch};

/// What a burst of saves calls for, from the cheapest to redo to the dearest; each has its own
/// function that makes the new generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rebuild {
    /// Only the bodies of existing pages changed: the last guide with them replaced and its
    /// backlinks patched ([`super::quick`]); the edited pages and those linking to them are
    /// checked.
    BodyEdit,
    /// Templates or static files only: the theme is loaded again, pages are re-templated and
    /// their Markdown is not parsed again.
    Theme,
    /// Content: the guide is loaded again, and the pages that depend on what changed are
    /// checked.
    Content,
    /// `book.toml`, `glossary.toml` or a fenced-block template (or the guide never built):
    /// everything is redone.
    Everything,
}

/// What a save touched, as the rebuild it calls for (a body edit is found out by trying it).
fn rebuild_for(root: &Path, changed: &[PathBuf]) -> Rebuild {
    let themes = root.join("themes");
    changed
        .iter()
        .map(|p| {
            if p == &crate::config::config_path(root) || p == &root.join(crate::glossary::FILE) {
                Rebuild::Everything
            } else if let Ok(rel) = p.strip_prefix(&themes) {
                let blocks = rel
                    .iter()
                    .collect::<Vec<_>>()
                    .windows(2)
                    .any(|w| w[0] == "templates" && w[1] == "blocks");
                if blocks {
                    Rebuild::Everything
                } else {
                    Rebuild::Theme
                }
            } else {
                Rebuild::Content
            }
        })
        .max()
        .unwrap_or(Rebuild::Content)
}

/// A new generation and which of its pages to check.
struct Made {
    generation: Arc<Generation>,
    /// Pages to check besides those whose source changed and those that had errors.
    dirty: BTreeSet<PageId>,
    /// For a body edit, the only pages whose source changed.
    edited: Option<Vec<PageId>>,
}

/// The build being served and everything needed to make the next one.
pub struct Builds {
    root: PathBuf,
    drafts: bool,
    highlighter: Arc<Highlighter>,
    clients: Arc<Clients>,
    /// The generation being served; `None` until the guide first builds.
    served: RwLock<Option<Arc<Generation>>>,
    /// What the checks of every page found; held while a generation is made and checked, so
    /// that rebuilds happen one at a time.
    state: Mutex<State>,
    /// How long each stage of the last full load took, for the log.
    last_laps: Mutex<String>,
    next_id: AtomicUsize,
    /// Tells this server's builds from those of an earlier run, so a reconnecting tab reloads.
    session: String,
}

fn to_failure_list(f: Failure) -> Vec<Diagnostic> {
    match f {
        Failure::Guide(d) => d,
        Failure::Usage(m) => vec![Diagnostic::error("", m)],
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Builds {
    pub fn new(
        root: PathBuf,
        drafts: bool,
        highlighter: Arc<Highlighter>,
        clients: Arc<Clients>,
        session: String,
    ) -> Self {
        Self {
            root,
            drafts,
            highlighter,
            clients,
            served: RwLock::new(None),
            state: Mutex::new(State::default()),
            last_laps: Mutex::new(String::new()),
            next_id: AtomicUsize::new(1),
            session,
        }
    }

    /// The guide's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The generation being served, once the guide has built.
    pub fn current(&self) -> Option<Arc<Generation>> {
        self.served
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The id of a generation (or of none yet) as the browser sees it.
    pub fn build_id(&self, generation: Option<&Generation>) -> String {
        match generation {
            Some(g) => format!("{}-{}", self.session, g.id),
            None => format!("{}-none", self.session),
        }
    }

    /// The first generation, served at once even when the guide has errors; when it cannot be
    /// made at all (a broken `book.toml` or template), the errors are shown until it can.
    pub fn first_build(&self) {
        let mut state = lock(&self.state);
        let made = self.prepare().and_then(|p| {
            let errors = p.diagnostics.0.iter().filter(|d| d.is_error()).cloned();
            let errors: Vec<Diagnostic> = errors.collect();
            self.generation(&state, p, None).map(|g| (g, errors))
        });
        let errors = match made {
            Ok((generation, errors)) => {
                state.base = Some(generation.clone());
                self.swap(generation);
                errors
            }
            Err(errors) => errors,
        };
        self.clients.show_errors(&errors, false);
    }

    /// Prints the errors shown in the browsers.
    pub fn report_errors(&self) {
        self.print_errors(&self.clients.errors());
    }

    /// Checks every page of the first generation in the background, to report problems of
    /// pages not viewed yet and to make the search index.
    pub fn check_everything(&self) {
        let mut state = lock(&self.state);
        let Some(generation) = self.current() else {
            return;
        };
        if state.base.as_ref().map(|b| b.id) != Some(generation.id) {
            return;
        }
        let started = Instant::now();
        let (errors, _) = checks::check(&mut state, &generation, BTreeSet::new(), false, None);
        let search = checks::merge_search(&mut state, &generation).map_or(String::new(), |ms| {
            format!("; search index merged in {ms} ms")
        });
        eprintln!(
            "checked all {} pages in {} ms: {} error{}{search}",
            generation.prepared.site.lessons.len() + generation.prepared.site.sections.len(),
            started.elapsed().as_millis(),
            errors.len(),
            plural(errors.len()),
        );
        self.show_errors(errors, false);
    }

    /// Makes a new generation after `changed` files were saved, and swaps it in if the guide
    /// has no errors.
    pub fn rebuild(&self, changed: &[PathBuf]) {
        let started = Instant::now();
        let mut state = lock(&self.state);
        let shown: Vec<String> = changed
            .iter()
            .map(|p| crate::diagnostics::display_path(&self.root, p))
            .collect();
        let shown = shown.join(", ");
        let (rebuild, made) = match state.base.clone() {
            None => (Rebuild::Everything, self.everything(&mut state)),
            Some(base) => self.make(&mut state, &base, changed),
        };
        let prepared_ms = started.elapsed().as_millis();
        let made = match made {
            Ok(made) => made,
            Err(errors) => return self.refuse(&shown, errors, started),
        };
        let check_started = Instant::now();
        let (errors, report) = checks::check(
            &mut state,
            &made.generation,
            made.dirty,
            rebuild == Rebuild::Theme,
            made.edited.as_deref(),
        );
        state.base = Some(made.generation.clone());
        let checked_ms = check_started.elapsed().as_millis();
        if !errors.is_empty() {
            return self.refuse(&shown, errors, started);
        }
        let generation = made.generation;
        let css_only = rebuild == Rebuild::Theme
            && changed.iter().all(|p| {
                p.extension().is_some_and(|x| x == "css")
                    && p.components().any(|c| c.as_os_str() == "static")
            });
        let css_pairs = match (self.current(), css_only) {
            (Some(old), true) => Some(css_changes(&old, &generation)),
            _ => None,
        };
        let id = generation.id;
        self.swap(generation.clone());
        if self.clients.has_errors() {
            self.show_errors(Vec::new(), true);
        }
        let build = self.build_id(Some(&generation));
        match css_pairs {
            Some(pairs) => self.clients.swap_css(&build, &pairs),
            None => self.clients.reload(&build),
        }
        eprintln!(
            "{shown} changed: {} in {checked_ms} ms; serving build {id} ({} ms in all; other pages render when requested)",
            self.describe(rebuild, prepared_ms, &report),
            started.elapsed().as_millis()
        );
        std::thread::spawn(move || generation.warm());
    }

    /// The rebuild that `changed` calls for after `base`, and its new generation.
    fn make(
        &self,
        state: &mut State,
        base: &Arc<Generation>,
        changed: &[PathBuf],
    ) -> (Rebuild, Result<Made, Vec<Diagnostic>>) {
        match rebuild_for(&self.root, changed) {
            Rebuild::Everything => (Rebuild::Everything, self.everything(state)),
            Rebuild::Theme => (Rebuild::Theme, self.retheme(state, base)),
            Rebuild::Content | Rebuild::BodyEdit => match self.body_edit(state, base, changed) {
                Some(made) => (Rebuild::BodyEdit, made),
                None => (Rebuild::Content, self.content(state, base)),
            },
        }
    }

    /// [`Rebuild::BodyEdit`], or `None` when the save did more than change bodies.
    fn body_edit(
        &self,
        state: &State,
        base: &Arc<Generation>,
        changed: &[PathBuf],
    ) -> Option<Result<Made, Vec<Diagnostic>>> {
        let (prepared, edited) =
            super::quick::body_edit(&self.root, self.drafts, &base.prepared, changed)?;
        Some(
            self.generation(state, prepared, Some(base))
                .map(|generation| {
                    let (old, new) = (&base.prepared.crossrefs, &generation.prepared.crossrefs);
                    let dirty = edited
                        .iter()
                        .filter_map(|p| match p {
                            PageId::Lesson(l) => {
                                Some(old.backlinks[l.0].iter().chain(&new.backlinks[l.0]))
                            }
                            PageId::Section(_) => None,
                        })
                        .flatten()
                        .map(|&l| PageId::Lesson(l))
                        .collect();
                    Made {
                        generation,
                        dirty,
                        edited: Some(edited),
                    }
                }),
        )
    }

    /// [`Rebuild::Theme`]: the guide of `base` with its theme loaded again.
    fn retheme(&self, state: &State, base: &Generation) -> Result<Made, Vec<Diagnostic>> {
        let base = &base.prepared;
        let theme = crate::theme::Theme::load(
            &self.root,
            &base.config.build.theme,
            vec![(
                "highlight.css".to_owned(),
                self.highlighter.css().into_bytes(),
            )],
        )
        .map_err(|d| vec![d])?;
        let prepared = Prepared::new(
            base.config.clone(),
            base.site.clone(),
            theme,
            crate::links::LinkIndex::new(&base.site),
            base.crossrefs.clone(),
            base.diagnostics.clone(),
        );
        Ok(Made {
            generation: self.generation(state, prepared, None)?,
            dirty: BTreeSet::new(),
            edited: None,
        })
    }

    /// [`Rebuild::Content`]: the guide loaded again; the lessons linking to what changed are
    /// checked with it.
    fn content(&self, state: &mut State, base: &Generation) -> Result<Made, Vec<Diagnostic>> {
        let generation = self.generation(state, self.prepare()?, None)?;
        let topics_changed = match (&base.search, &generation.search) {
            (Some(old), Some(new)) => !old.topic_slugs().eq(new.topic_slugs()),
            (None, Some(_)) => true,
            _ => false,
        };
        if topics_changed {
            state.forget();
        } else if checks::page_set_changed(&base.prepared.site, &generation.prepared.site) {
            state.markdown.clear();
        }
        let dirty = checks::linked_pages(state, &base.prepared, &generation.prepared);
        Ok(Made {
            generation,
            dirty,
            edited: None,
        })
    }

    /// [`Rebuild::Everything`]: the guide loaded again, nothing kept.
    fn everything(&self, state: &mut State) -> Result<Made, Vec<Diagnostic>> {
        let generation = self.generation(state, self.prepare()?, None)?;
        state.forget();
        Ok(Made {
            generation,
            dirty: BTreeSet::new(),
            edited: None,
        })
    }

    /// Loads, themes and links the whole guide.
    fn prepare(&self) -> Result<Prepared, Vec<Diagnostic>> {
        let config = Config::load(&self.root).map_err(|d| vec![d])?;
        let mut clock = Stopwatch::new();
        let prepared = crate::prepare(
            &self.root,
            config,
            self.drafts,
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

    fn generation(
        &self,
        state: &State,
        prepared: Prepared,
        same_shape: Option<&Generation>,
    ) -> Result<Arc<Generation>, Vec<Diagnostic>> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) as u64;
        let content_dir = self.root.join(&prepared.config.build.content_dir);
        let search = state.base.as_ref().and_then(|b| b.search.as_ref());
        Generation::new(
            id,
            prepared,
            self.highlighter.clone(),
            &content_dir,
            state.markdown.clone(),
            search,
            same_shape,
        )
        .map(Arc::new)
    }

    /// Serves `generation` from now on; tabs that connect are told so first, so that one whose
    /// page comes from it is never greeted with an older build.
    fn swap(&self, generation: Arc<Generation>) {
        self.clients.set_build(self.build_id(Some(&generation)));
        *self.served.write().unwrap_or_else(|e| e.into_inner()) = Some(generation);
    }

    /// What a rebuild redid, for the log.
    fn describe(&self, rebuild: Rebuild, prepared_ms: u128, report: &Report) -> String {
        let (checked, parsed) = (report.checked, report.parsed);
        match rebuild {
            Rebuild::Theme => format!(
                "theme reloaded in {prepared_ms} ms (content kept, Markdown not parsed again); re-templated {checked} page{}",
                plural(checked)
            ),
            Rebuild::BodyEdit => format!(
                "bodies replaced and backlinks patched in {prepared_ms} ms; re-checked {checked} page{} ({parsed} Markdown parsed)",
                plural(checked)
            ),
            Rebuild::Content => format!(
                "guide loaded and linked in {prepared_ms} ms ({}); re-checked {checked} page{} ({parsed} Markdown parsed)",
                lock(&self.last_laps),
                plural(checked)
            ),
            Rebuild::Everything => {
                format!("everything reloaded in {prepared_ms} ms; re-checked all {checked} pages")
            }
        }
    }

    /// Merges the search index of the generation being served if it is not merged yet: called
    /// by the watcher once saves have paused, so that the merge neither delays the new pages
    /// nor runs for builds that a quick next save replaces. When a refused build has replaced
    /// the kept page checks since, the served generation's index is made from its own pages.
    pub fn merge_search(&self) {
        let mut state = lock(&self.state);
        let Some(generation) = self.current() else {
            return;
        };
        if generation.search.is_none() || generation.has_search_files() {
            return;
        }
        let started = Instant::now();
        if state.base.as_ref().map(|b| b.id) == Some(generation.id) {
            checks::merge_search(&mut state, &generation);
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
        self.show_errors(errors, true);
    }

    /// Shows the errors in the browsers, and in the terminal, when they changed (or `always`).
    fn show_errors(&self, errors: Vec<Diagnostic>, always: bool) {
        if self.clients.show_errors(&errors, always) {
            self.print_errors(&errors);
        }
    }

    fn print_errors(&self, errors: &[Diagnostic]) {
        for d in errors {
            eprint!("{}", d.render(false));
        }
    }
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
            rebuild_for(root, &paths)
        };
        assert_eq!(kind(&["content/a.md"]), Rebuild::Content);
        assert_eq!(kind(&["themes/t/templates/lesson.html"]), Rebuild::Theme);
        assert_eq!(kind(&["themes/t/static/css/style.css"]), Rebuild::Theme);
        assert_eq!(
            kind(&["themes/t/templates/blocks/compare.html"]),
            Rebuild::Everything
        );
        assert_eq!(kind(&["book.toml"]), Rebuild::Everything);
        assert_eq!(kind(&["glossary.toml"]), Rebuild::Everything);
        assert_eq!(
            kind(&["themes/t/templates/lesson.html", "content/a.md"]),
            Rebuild::Content
        );
        assert_eq!(kind(&["content/a.md", "book.toml"]), Rebuild::Everything);
    }
}
