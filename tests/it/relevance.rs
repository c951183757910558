//! Search relevance in real headless Chromium: the ranking file (`tests/search-ranking.toml`) on
//! the bundled guide; the rules behind it on a small guide (compounds, whole words before
//! completions, every word before some, phrases first, synonyms both ways, the highlight of a
//! result); an abbreviation's glossary entry first in a glossary of over 64 terms; and, for
//! `scripts/bench-relevance.sh`, the ranking file run through `guide` and Pagefind side by side
//! on one served copy of the guide.

use std::fs;
use std::path::Path;

use serde::Deserialize;

use crate::search::{Built, Hit, Shown, WAIT, expect_clean, grouping_problem, search};
use crate::support::browser::{Browser, lit, with_browser};

#[derive(Deserialize)]
struct RankingFile {
    query: Vec<RankedQuery>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RankedQuery {
    q: String,
    /// The result that must come first, `page.html#heading`.
    #[serde(default)]
    top: Option<String>,
    /// The page that must be among the first three pages of results.
    #[serde(default)]
    lesson: Option<String>,
    why: String,
}

impl RankedQuery {
    /// The page expected in the top three: `lesson`, else the page of `top`.
    fn page(&self) -> &str {
        match (&self.lesson, &self.top) {
            (Some(lesson), _) => lesson,
            (None, Some(top)) => top.split('#').next().unwrap_or(top),
            (None, None) => "",
        }
    }
}

/// Queries the ranking file must hold, at the least.
const MIN_QUERIES: usize = 60;
/// Pages of results a reader sees at first (`SHOWN` in js/search.js); ranks past it count as
/// misses in the mean reciprocal rank.
const SHOWN_PAGES: usize = 6;

fn ranking_file() -> RankingFile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search-ranking.toml");
    let text = fs::read_to_string(&path).expect("read tests/search-ranking.toml");
    let file: RankingFile = toml::from_str(&text).expect("tests/search-ranking.toml parses");
    for query in &file.query {
        assert!(
            !query.page().is_empty(),
            "search-ranking.toml: {:?} names neither `top` nor `lesson`",
            query.q
        );
    }
    file
}

/// The pages of the results in order, each once, relative to `base`.
fn pages_of(results: &[Hit], base: &str) -> Vec<String> {
    let mut pages: Vec<String> = Vec::new();
    for hit in results {
        let target = hit.target(base);
        let page = target.split('#').next().unwrap_or_default().to_owned();
        if !pages.contains(&page) {
            pages.push(page);
        }
    }
    pages
}

/// 1-based rank of `page` among the first [`SHOWN_PAGES`] of `pages`.
fn rank_of(pages: &[String], page: &str) -> Option<usize> {
    pages
        .iter()
        .take(SHOWN_PAGES)
        .position(|p| p == page)
        .map(|i| i + 1)
}

#[test]
fn ranking_file_on_the_bundled_guide() {
    let file = ranking_file();
    assert!(
        file.query.len() >= MIN_QUERIES,
        "the ranking file needs {MIN_QUERIES} queries or more, it has {}",
        file.query.len()
    );
    let site = Built::bundled();
    for query in &file.query {
        assert!(
            site.out.join(query.page()).is_file(),
            "search-ranking.toml: {:?} expects {}, which the bundled guide does not have",
            query.q,
            query.page()
        );
    }
    with_browser("ranking file", |b| {
        let base = site.base();
        b.navigate(&format!("{base}index.html"))?;
        let mut wrong = Vec::new();
        let mut grouped = 0;
        for query in &file.query {
            let shown = search(b, &query.q)?;
            let pages = pages_of(&shown.results, &base);
            let first = shown.results.first().map(|h| h.target(&base));
            if let Some(top) = &query.top
                && first.as_ref() != Some(top)
            {
                wrong.push(format!(
                    "{:?} ({}): expected {top} first, got {first:?}",
                    query.q, query.why
                ));
            }
            if !pages.iter().take(3).any(|p| p == query.page()) {
                wrong.push(format!(
                    "{:?} ({}): expected {} in the top three, got {:?}",
                    query.q,
                    query.why,
                    query.page(),
                    &pages[..pages.len().min(3)]
                ));
            }
            if let Some(problem) = grouping_problem(&shown, &base) {
                wrong.push(format!("{:?}: {problem}", query.q));
            }
            grouped += shown.results.iter().filter(|h| h.sub).count();
        }
        expect_clean(b, "ranking")?;
        if grouped == 0 {
            wrong.push("no query showed a further section under its page".into());
        }
        if wrong.is_empty() {
            Ok(format!(
                "{} queries ranked as expected, {grouped} further sections under their pages",
                file.query.len()
            ))
        } else {
            Err(format!(
                "{} of {} queries:\n  {}",
                wrong.len(),
                file.query.len(),
                wrong.join("\n  ")
            ))
        }
    });
}

/// A guide whose lessons tell the ranking rules apart.
fn rules_guide() -> Built {
    let lesson = |title: &str, body: &str| format!("+++\ntitle = {}\n+++\n\n{body}\n", lit(title));
    let files = [
        (
            "rota",
            lesson(
                "Rotas",
                "Who carries the pager: the on-call engineer answers pages 24/7.",
            ),
        ),
        (
            "callers",
            lesson(
                "Callouts and callers",
                "Callouts, callers and callbacks.\n\n## Callouts\n\nCallouts again, for callers.",
            ),
        ),
        (
            "phone",
            lesson(
                "Phones",
                "Pick up when the phone rings and take the call on speaker.",
            ),
        ),
        (
            "shop",
            lesson("Shops", "An e-commerce shop ships with CI/CD."),
        ),
        (
            "commerce",
            lesson(
                "Commerce",
                "Commerce is trade; the e stands for electronic. CI runs, then CD.",
            ),
        ),
        (
            "many",
            lesson(
                "Forecast",
                "Forecast forecasts, forecast again: forecast and forecast.",
            ),
        ),
        (
            "apart",
            lesson(
                "Budget",
                "The budget: plans later reviewed in a forecast. Budget, budget.",
            ),
        ),
        (
            "phrase",
            lesson("Planning", "A budget forecast once a year."),
        ),
        (
            "spelt",
            lesson(
                "Deciding what to build",
                "The product manager decides what to build.",
            ),
        ),
        ("short", lesson("Asking", "Ask your PM before the sprint.")),
    ];
    let mut all: Vec<(String, String)> = files
        .iter()
        .map(|(name, text)| (format!("content/rules/{name}.md"), text.clone()))
        .collect();
    all.push((
        "book.toml".into(),
        "[book]\ntitle = \"Rules\"\n\n[search]\nsynonyms = { PM = [\"product manager\", \"product management\"] }\n".into(),
    ));
    all.push(("content/_index.md".into(), lesson("Rules", "Home.")));
    all.push((
        "content/rules/_index.md".into(),
        lesson("Rules", "Lessons."),
    ));
    let refs: Vec<(&str, &str)> = all.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    Built::fixture(&refs)
}

/// The pages of the results for `query`, relative to `base`, without `.html` and folder.
fn order(b: &mut Browser, base: &str, query: &str) -> Result<(Vec<String>, Shown), String> {
    let shown = search(b, query)?;
    let names = pages_of(&shown.results, base)
        .iter()
        .map(|p| {
            p.trim_start_matches("rules/")
                .trim_end_matches(".html")
                .to_owned()
        })
        .collect();
    Ok((names, shown))
}

/// The words of a result's `?highlight=`.
fn highlight(hit: &Hit) -> Vec<String> {
    let query = hit.href.split_once("?highlight=").map_or("", |(_, q)| q);
    let value = query.split('#').next().unwrap_or_default();
    value.split("%20").map(str::to_owned).collect()
}

/// Searches `query` and notes in `wrong` unless `names` come in that order, the first one first.
fn expect_order(
    b: &mut Browser,
    base: &str,
    query: &str,
    names: &[&str],
    wrong: &mut Vec<String>,
) -> Result<Shown, String> {
    let (pages, shown) = order(b, base, query)?;
    let at: Vec<Option<usize>> = names
        .iter()
        .map(|n| pages.iter().position(|p| p == n))
        .collect();
    let in_order = at
        .windows(2)
        .all(|w| matches!(w, [Some(x), Some(y)] if x < y));
    if at.first() != Some(&Some(0)) || !in_order {
        wrong.push(format!(
            "{query:?}: expected {names:?} in order, first first; got {pages:?}"
        ));
    }
    Ok(shown)
}

#[test]
fn compounds_whole_words_all_words_phrases_and_synonyms_rank_first() {
    let site = rules_guide();
    with_browser("ranking rules", |b| {
        let base = site.base();
        b.navigate(&format!("{base}index.html"))?;
        let mut wrong = Vec::new();
        let w = &mut wrong;
        // Compounds: written, joined and by parts, the written form first.
        let on_call = expect_order(b, &base, "on-call", &["rota", "phone"], w)?;
        expect_order(b, &base, "oncall", &["rota"], w)?;
        expect_order(b, &base, "e-commerce", &["shop", "commerce"], w)?;
        expect_order(b, &base, "ecommerce", &["shop"], w)?;
        expect_order(b, &base, "CI/CD", &["shop", "commerce"], w)?;
        expect_order(b, &base, "cicd", &["shop"], w)?;
        expect_order(b, &base, "24/7", &["rota"], w)?;
        // A whole word before words that only start with it.
        let call = expect_order(b, &base, "call", &["phone", "callers"], w)?;
        // Every word before some, whatever their frequencies; side by side before both.
        let (pages, _) = order(b, &base, "budget forecast")?;
        if pages != ["phrase", "apart"] {
            w.push(format!(
                "\"budget forecast\": expected phrase, then apart, not many (only some words); got {pages:?}"
            ));
        }
        // Synonyms both ways: an abbreviation finds the lesson that spells it out.
        expect_order(b, &base, "PM", &["short", "spelt"], w)?;
        expect_order(b, &base, "product manager", &["spelt", "short"], w)?;

        // The highlight lists the words that matched that result, not every expansion.
        for (shown, want, not) in [
            (&on_call, "oncall", "callouts"),
            (&call, "call", "callouts"),
        ] {
            let words = shown.results.first().map(highlight).unwrap_or_default();
            if !words.iter().any(|x| x == want) || words.iter().any(|x| x == not) {
                w.push(format!("highlight {words:?}: wants {want:?}, not {not:?}"));
            }
        }
        // The page marks the compound as written.
        let href = on_call
            .results
            .first()
            .map(|h| h.href.clone())
            .unwrap_or_default();
        b.navigate(&href)?;
        let marks = b.wait_for(
            "(() => { const m = [...document.querySelectorAll('mark.search-hit')].map((e) => e.textContent); return m.length ? m : null; })()",
            WAIT,
        )?;
        if marks != serde_json::json!(["on-call"]) {
            w.push(format!("marks on the rota page: {marks}"));
        }
        expect_clean(b, "ranking rules")?;
        if wrong.is_empty() {
            Ok("compounds, whole words, all words, phrases and synonyms rank as expected".into())
        } else {
            Err(wrong.join("\n  "))
        }
    });
}

/// A guide whose glossary has more terms than a page has room for documents of 64, the last
/// one an abbreviation that a lesson is titled with, in the plural, and has as a heading.
fn long_glossary_guide() -> Built {
    let mut glossary: String = (0..100)
        .map(|n| format!("[[term]]\nterm = \"Filler term {n:03}\"\ndefinition = \"A filler.\"\n\n"))
        .collect();
    glossary.push_str(
        "[[term]]\nterm = \"Zone transfer\"\naliases = [\"ZT\"]\n\
         definition = \"Copying a DNS zone to a secondary server.\"\n",
    );
    let lesson = "+++\ntitle = \"ZTs in practice\"\n+++\n\nZTs, ZTs and more ZTs.\n\n## ZT\n\n\
                  A ZT copies the zone: ZT after ZT.\n";
    let files = [
        ("book.toml", "[book]\ntitle = \"Zones\"\n"),
        ("glossary.toml", glossary.as_str()),
        (
            "content/_index.md",
            "+++\ntitle = \"Zones\"\n+++\n\nHome.\n",
        ),
        (
            "content/dns/_index.md",
            "+++\ntitle = \"DNS\"\n+++\n\nLessons.\n",
        ),
        ("content/dns/zones.md", lesson),
    ];
    Built::fixture(&files)
}

#[test]
fn an_abbreviation_finds_its_glossary_entry_first_however_long_the_glossary() {
    let site = long_glossary_guide();
    with_browser("abbreviations", |b| {
        let base = site.base();
        b.navigate(&format!("{base}index.html"))?;
        let mut wrong = Vec::new();
        for (query, first) in [
            ("ZT", "glossary.html#zone-transfer"),
            ("zt", "glossary.html#zone-transfer"),
            ("ZTs", "dns/zones.html"),
        ] {
            let shown = search(b, query)?;
            let got = shown.results.first().map(|h| h.target(&base));
            if got.as_deref() != Some(first) {
                wrong.push(format!("{query:?}: expected {first} first, got {got:?}"));
            }
        }
        expect_clean(b, "abbreviations")?;
        if wrong.is_empty() {
            Ok(
                "the glossary entry of an abbreviation comes first, its plural finds the lesson"
                    .into(),
            )
        } else {
            Err(wrong.join("\n  "))
        }
    });
}

/// The first pages Pagefind gives for `query` on the guide served at `url`.
fn pagefind_pages(b: &mut Browser, url: &str, query: &str) -> Result<Vec<String>, String> {
    let js = format!(
        r#"(async () => {{
  if (!window.__pagefind) {{
    window.__pagefind = await import({bundle});
    await window.__pagefind.init();
  }}
  const found = await window.__pagefind.search({q});
  const data = await Promise.all(found.results.slice(0, {n}).map((r) => r.data()));
  return data.map((d) => d.url);
}})()"#,
        bundle = lit(&format!("{url}pagefind/pagefind.js")),
        q = lit(query),
        n = SHOWN_PAGES
    );
    let urls = b.evaluate(&js)?;
    let path = url.find("://").map_or("/", |i| {
        url[i + 3..].find('/').map_or("/", |j| &url[i + 3 + j..])
    });
    Ok(urls
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|u| u.as_str())
                .map(|u| {
                    let rel = u.strip_prefix(path).unwrap_or(u).trim_start_matches('/');
                    if rel.is_empty() || rel.ends_with('/') {
                        format!("{rel}index.html")
                    } else {
                        rel.to_owned()
                    }
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Top-three hits and mean reciprocal rank of one engine.
#[derive(Default)]
struct Score {
    hits: usize,
    reciprocal: f64,
}

impl Score {
    fn add(&mut self, rank: Option<usize>) {
        if rank.is_some_and(|r| r <= 3) {
            self.hits += 1;
        }
        self.reciprocal += rank.map_or(0.0, |r| 1.0 / r as f64);
    }
}

fn shown_rank(rank: Option<usize>) -> String {
    rank.map_or("-".into(), |r| r.to_string())
}

#[test]
#[ignore = "run by scripts/bench-relevance.sh, which builds, indexes with Pagefind and serves the guide"]
fn relevance_against_pagefind() {
    let url = std::env::var("GUIDE_RELEVANCE_URL")
        .expect("GUIDE_RELEVANCE_URL: the URL of the served guide with its pagefind/ folder");
    let url = format!("{}/", url.trim_end_matches('/'));
    let file = ranking_file();
    with_browser("relevance", |b| {
        b.navigate(&format!("{url}index.html"))?;
        let (mut guide, mut pagefind) = (Score::default(), Score::default());
        for query in &file.query {
            let shown = search(b, &query.q)?;
            let ours = pages_of(&shown.results, &url);
            let theirs = pagefind_pages(b, &url, &query.q)?;
            let (a, p) = (rank_of(&ours, query.page()), rank_of(&theirs, query.page()));
            guide.add(a);
            pagefind.add(p);
            println!(
                "relevance: {:<44} {:<48} guide {:>2} {:<80} pagefind {:>2} {}",
                format!("{:?}", query.q),
                query.page(),
                shown_rank(a),
                ours.iter().take(3).cloned().collect::<Vec<_>>().join(" "),
                shown_rank(p),
                theirs.iter().take(3).cloned().collect::<Vec<_>>().join(" ")
            );
        }
        let n = file.query.len();
        for (name, score) in [("guide", &guide), ("pagefind", &pagefind)] {
            println!(
                "relevance: summary: {name:<8} top-3 hits {}/{n}, mean reciprocal rank {:.3}",
                score.hits,
                score.reciprocal / n as f64
            );
        }
        Ok(format!("{n} queries"))
    });
}
