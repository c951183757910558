//! `guide build`, `check`, `init` and `new` run as a user runs them: the real binary on fixture
//! guides copied into temp folders, with assertions on exit codes, messages and the files and HTML
//! a reader gets.

use crate::support;

use std::collections::BTreeSet;

use crate::support::{
    Guide, Run, Site, assert_in_order, assert_same, element_by_id, elements_by_class, has_id,
    hrefs, link_texts, tags, tags_named, target_of, text_of,
};

/// Reading order of the `course` fixture: a section, its lessons, then its child sections.
const COURSE_ORDER: [&str; 13] = [
    "index.html",
    "alpha/index.html",
    "alpha/zeta.html",
    "alpha/c-apple.html",
    "alpha/a-banana.html",
    "alpha/more/index.html",
    "alpha/deep/index.html",
    "alpha/deep/nested.html",
    "beta/index.html",
    "beta/intro.html",
    "beta/callouts.html",
    "beta/compare.html",
    "beta/yaml.html",
];

/// Every page title of the `course` fixture, the draft included.
const COURSE_TITLES: [&str; 14] = [
    "Fixture Course",
    "Alpha section",
    "Zeta basics",
    "Apple",
    "Banana",
    "Appendix",
    "Deep dive",
    "Nested lesson",
    "Beta section",
    "Introduction",
    "Callouts",
    "Comparison",
    "Written in YAML",
    "Unfinished draft",
];

/// The body marker of each `course` page, in reading order.
const COURSE_MARKERS: [&str; 13] = [
    "landing-body",
    "alpha-section-body",
    "zeta-body",
    "apple-body",
    "banana-body",
    "appendix-body",
    "deep-section-body",
    "nested-body",
    "beta-section-body",
    "intro-body",
    "callouts-body",
    "compare-body",
    "yaml-body",
];

/// Builds a copy of a fixture into its default output folder and expects success.
fn built(fixture: &str) -> (Guide, Site) {
    let guide = Guide::fixture(fixture);
    guide.build().ok();
    let site = guide.out();
    (guide, site)
}

/// The titles of guide pages linked from the sidebar of `page`, in order.
fn sidebar_titles(site: &Site, page: &str) -> Vec<String> {
    let html = site.page(page);
    let sidebar = element_by_id(&html, "sidebar").unwrap_or_else(|| panic!("{page}: no #sidebar"));
    link_texts(sidebar)
        .into_iter()
        .filter(|t| COURSE_TITLES.contains(&t.as_str()))
        .collect()
}

/// Where the links with `rel="<rel>"` of `page` lead, as root-relative paths.
fn rel_targets(site: &Site, page: &str, rel: &str) -> BTreeSet<String> {
    let html = site.page(page);
    tags(&html)
        .iter()
        .filter(|t| t.attr("rel").as_deref() == Some(rel))
        .filter_map(|t| t.attr("href"))
        .map(|href| target_of(page, &href))
        .collect()
}

/// Where the links inside `#content` of `page` lead, as root-relative paths with fragments.
fn content_targets(site: &Site, page: &str) -> BTreeSet<String> {
    let html = site.page(page);
    let content = element_by_id(&html, "content").unwrap_or_else(|| panic!("{page}: no #content"));
    hrefs(content)
        .iter()
        .map(|href| target_of(page, href))
        .collect()
}

/// The `<pre>` elements of a page whose `data-lang` is `lang`.
fn code_blocks<'a>(html: &'a str, lang: &str) -> Vec<&'a str> {
    elements_by_class(html, "code")
        .into_iter()
        .filter(|el| {
            tags(el)
                .first()
                .is_some_and(|t| t.name == "pre" && t.attr("data-lang").as_deref() == Some(lang))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What a reader gets
// ---------------------------------------------------------------------------------------------

#[test]
fn course_builds_every_page_at_its_url() {
    let (_guide, site) = built("course");
    for page in COURSE_ORDER {
        assert!(
            site.exists(page),
            "{page} missing; files: {:?}",
            site.files()
        );
    }
    for page in ["404.html", "print.html"] {
        assert!(site.exists(page), "{page} missing");
    }
    let source_names: Vec<String> = site
        .files()
        .into_iter()
        .filter(|f| f.ends_with(".md") || f.contains("_index"))
        .collect();
    assert!(source_names.is_empty(), "{source_names:?}");
}

#[test]
fn sidebar_orders_lessons_by_weight_then_title() {
    let (_guide, site) = built("course");
    assert_eq!(
        sidebar_titles(&site, "alpha/zeta.html"),
        [
            "Fixture Course",
            "Alpha section",
            "Zeta basics",
            "Apple",
            "Banana",
            "Appendix",
            "Deep dive",
            "Beta section",
        ],
        "weight 1 before weight 5; Apple before Banana (same weight); Appendix before Deep dive \
         (same weight); file names must not matter"
    );
}

#[test]
fn sidebar_expands_only_the_current_section_and_its_parents() {
    let (_guide, site) = built("course");
    assert_eq!(
        sidebar_titles(&site, "index.html"),
        ["Fixture Course", "Alpha section", "Beta section"]
    );
    assert_eq!(
        sidebar_titles(&site, "beta/intro.html"),
        [
            "Fixture Course",
            "Alpha section",
            "Beta section",
            "Introduction",
            "Callouts",
            "Comparison",
            "Written in YAML",
        ]
    );
    assert_eq!(
        sidebar_titles(&site, "alpha/deep/nested.html"),
        [
            "Fixture Course",
            "Alpha section",
            "Zeta basics",
            "Apple",
            "Banana",
            "Appendix",
            "Deep dive",
            "Nested lesson",
            "Beta section",
        ]
    );
    assert_eq!(
        sidebar_titles(&site, "alpha/more/index.html"),
        [
            "Fixture Course",
            "Alpha section",
            "Zeta basics",
            "Apple",
            "Banana",
            "Appendix",
            "Deep dive",
            "Beta section",
        ]
    );
}

#[test]
fn sidebar_marks_the_current_page_and_only_it() {
    let (_guide, site) = built("course");
    for page in COURSE_ORDER {
        let html = site.page(page);
        let sidebar = element_by_id(&html, "sidebar").expect("#sidebar");
        let current: Vec<String> = tags_named(sidebar, "a")
            .iter()
            .filter(|t| t.attr("aria-current").as_deref() == Some("page"))
            .filter_map(|t| t.attr("href"))
            .map(|href| target_of(page, &href))
            .collect();
        assert_eq!(
            current,
            [page],
            "aria-current links in the sidebar of {page}"
        );
    }
}

#[test]
fn toc_lists_h2_and_h3_headings_which_carry_anchors() {
    let (_guide, site) = built("course");
    let html = site.page("alpha/zeta.html");
    let toc = element_by_id(&html, "toc").expect("#toc");
    let entries: Vec<String> = hrefs(toc)
        .into_iter()
        .filter(|h| h.starts_with('#'))
        .collect();
    assert_eq!(entries, ["#first-steps", "#a-detail", "#second-steps"]);
    let texts = link_texts(toc);
    for text in ["First steps", "A detail", "Second steps"] {
        assert!(texts.iter().any(|t| t == text), "{text} not in {texts:?}");
    }

    let content = element_by_id(&html, "content").expect("#content");
    for (level, id) in [
        ("h2", "first-steps"),
        ("h3", "a-detail"),
        ("h2", "second-steps"),
    ] {
        let heading = tags_named(content, level)
            .into_iter()
            .find(|t| t.attr("id").as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no <{level} id=\"{id}\"> in #content"));
        let anchor = tags_named(&content[heading.start..], "a")
            .into_iter()
            .next()
            .expect("an anchor link inside the heading");
        assert!(anchor.has_class("anchor"), "{}", anchor.raw);
        assert_eq!(anchor.attr("href").as_deref(), Some(&*format!("#{id}")));
    }

    let banana = site.page("alpha/a-banana.html");
    assert!(
        element_by_id(&banana, "toc").is_none(),
        "a lesson without headings has no #toc"
    );
}

#[test]
fn prev_and_next_follow_reading_order_across_sections() {
    let (_guide, site) = built("course");
    for pair in COURSE_ORDER.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let next = rel_targets(&site, a, "next");
        // The landing page may show its way in as a call to action instead of a pager.
        if !(a == "index.html" && next.is_empty()) {
            assert_eq!(next, BTreeSet::from([b.to_owned()]), "rel=next of {a}");
        }
        assert_eq!(
            rel_targets(&site, b, "prev"),
            BTreeSet::from([a.to_owned()]),
            "rel=prev of {b}"
        );
    }
    assert!(rel_targets(&site, COURSE_ORDER[0], "prev").is_empty());
    assert!(rel_targets(&site, COURSE_ORDER[12], "next").is_empty());
}

#[test]
fn code_is_highlighted_for_rust_toml_typescript_and_dockerfile() {
    let (_guide, site) = built("course");
    let html = site.page("beta/intro.html");
    for (lang, word) in [
        ("rust", "println!"),
        ("toml", "output-dir"),
        ("typescript", "interface"),
        ("dockerfile", "FROM"),
    ] {
        let blocks = code_blocks(&html, lang);
        assert_eq!(
            blocks.len(),
            1,
            "one <pre class=\"code\" data-lang=\"{lang}\">"
        );
        let block = blocks[0];
        assert!(
            block.contains("<span class=\"hl-"),
            "{lang} block has no hl- spans:\n{block}"
        );
        assert!(text_of(block).contains(word), "{lang}: {word} missing");
    }
}

#[test]
fn unknown_language_is_escaped_and_not_highlighted() {
    let (_guide, site) = built("course");
    let html = site.page("beta/intro.html");
    let pre = tags_named(&html, "pre")
        .into_iter()
        .find(|t| {
            let rest = &html[t.end()..];
            rest.find("</pre>")
                .is_some_and(|end| rest[..end].contains("unknown &amp; unsafe"))
        })
        .expect("the nosuchlang block");
    assert!(pre.has_class("code"), "{}", pre.raw);
    let body = &html[pre.end()..pre.end() + html[pre.end()..].find("</pre>").unwrap()];
    assert!(body.contains("&lt;script&gt;alert("), "{body}");
    assert!(!body.contains("hl-"), "{body}");
    assert!(!html.contains("<script>alert("), "raw script tag leaked");
}

#[test]
fn compare_block_is_rendered_through_the_theme_template() {
    let (_guide, site) = built("course");
    let html = site.page("beta/compare.html");
    let content = element_by_id(&html, "content").expect("#content");
    let compare = elements_by_class(content, "compare");
    assert_eq!(compare.len(), 1, "one element with class `compare`");
    let text = text_of(compare[0]);
    for part in [
        "Two roles",
        "IT management",
        "Product management",
        "Main question",
        "Does it run?",
        "Are we building the right thing?",
        "Pick the one whose question you want to answer.",
    ] {
        assert!(
            text.contains(part),
            "{part:?} not in the compare block: {text}"
        );
    }
    assert!(
        compare[0].contains("Uptime &amp; &lt;cost&gt;"),
        "cell text must be escaped:\n{}",
        compare[0]
    );
    assert!(!content.contains("```compare") && !content.contains("columns = ["));
}

#[test]
fn callouts_render_for_all_five_kinds() {
    let (_guide, site) = built("course");
    let html = site.page("beta/callouts.html");
    for (kind, body) in [
        ("note", "A note."),
        ("tip", "A tip."),
        ("important", "Something important."),
        ("warning", "A warning."),
        ("caution", "A caution."),
    ] {
        let class = format!("callout-{kind}");
        let found = elements_by_class(&html, &class);
        assert_eq!(found.len(), 1, "one .callout.{class}");
        let open = &tags(found[0])[0];
        assert_eq!(open.name, "div");
        assert!(open.has_class("callout"), "{}", open.raw);
        assert!(text_of(found[0]).contains(body), "{}", found[0]);
    }
    assert!(!html.contains("[!NOTE]") && !html.contains("[!TIP]"));
}

#[test]
fn tables_and_footnotes_render() {
    let (_guide, site) = built("course");
    let html = site.page("beta/compare.html");
    let wraps = elements_by_class(&html, "table-wrap");
    assert_eq!(wraps.len(), 1);
    assert!(wraps[0].contains("<table>") && text_of(wraps[0]).contains("Operations"));
    let reference = elements_by_class(&html, "footnote-reference");
    assert_eq!(reference.len(), 1);
    let definition = elements_by_class(&html, "footnote-definition");
    assert_eq!(definition.len(), 1);
    assert!(text_of(definition[0]).contains("The footnote text."));
    let href = hrefs(reference[0]).pop().expect("a link in the reference");
    let id = href.strip_prefix('#').expect("an in-page link");
    assert!(has_id(&html, id), "footnote target #{id} missing");
}

#[test]
fn every_link_and_source_is_relative() {
    let (_guide, site) = built("course");
    let absolute = site.absolute_references();
    assert!(
        absolute.is_empty(),
        "links starting with / or http in a guide without external links:\n{}",
        absolute.join("\n")
    );
}

#[test]
fn md_links_become_html_links_with_their_anchors() {
    let (_guide, site) = built("course");
    for page in site.pages() {
        let html = site.page(&page);
        let md: Vec<String> = hrefs(&html)
            .into_iter()
            .filter(|h| h.contains(".md"))
            .collect();
        assert!(md.is_empty(), "{page} still links to Markdown: {md:?}");
    }
    let zeta = content_targets(&site, "alpha/zeta.html");
    assert!(
        zeta.contains("alpha/c-apple.html#core-idea"),
        "zeta links: {zeta:?}"
    );
    let landing = content_targets(&site, "index.html");
    for target in ["alpha/index.html", "beta/intro.html#getting-started"] {
        assert!(landing.contains(target), "{target} not in {landing:?}");
    }
}

#[test]
fn links_from_a_nested_page_lead_to_the_right_pages() {
    let (_guide, site) = built("course");
    let targets = content_targets(&site, "alpha/deep/nested.html");
    for expected in [
        "alpha/c-apple.html#core-idea",
        "beta/intro.html",
        "alpha/index.html",
        "index.html",
        "alpha/deep/index.html",
        "alpha/deep/nested.html#here",
        "beta/callouts.html#tip",
    ] {
        assert!(targets.contains(expected), "{expected} not in {targets:?}");
    }
}

#[test]
fn every_reference_in_the_output_resolves_to_a_file() {
    let (guide, site) = built("course");
    let broken = site.broken_references();
    assert!(
        broken.is_empty(),
        "broken references:\n{}",
        broken.join("\n")
    );

    guide.build_with(&["--drafts"]).ok();
    let broken = guide.out().broken_references();
    assert!(
        broken.is_empty(),
        "broken references with --drafts:\n{}",
        broken.join("\n")
    );
}

#[test]
fn drafts_are_skipped_unless_drafts_is_given() {
    let (guide, site) = built("course");
    assert!(!site.exists("beta/draft.html"));
    for page in site.pages() {
        let html = site.page(&page);
        assert!(
            !html.contains("Unfinished draft") && !html.contains("draft-body"),
            "{page} mentions the draft"
        );
    }

    guide.build_with(&["--drafts"]).ok();
    let site = guide.out();
    assert!(site.page("beta/draft.html").contains("draft-body"));
    assert!(
        sidebar_titles(&site, "beta/intro.html").contains(&"Unfinished draft".to_owned()),
        "the draft is in the sidebar with --drafts"
    );
    assert!(site.page("print.html").contains("draft-body"));
}

#[test]
fn yaml_front_matter_is_read() {
    let (_guide, site) = built("course");
    let html = site.page("beta/yaml.html");
    let title = tags_named(&html, "title")
        .first()
        .map(|t| text_of(&html[t.start..t.start + html[t.start..].find("</title>").unwrap()]))
        .expect("<title>");
    assert!(title.contains("Written in YAML"), "{title}");
    let content = element_by_id(&html, "content").expect("#content");
    let text = text_of(content);
    assert!(text.contains("Written in YAML"), "{text}");
    assert!(
        text.contains("A lesson whose front matter is YAML."),
        "{text}"
    );
    assert!(text.contains("yaml-body") && !text.contains("weight: 4"));
}

#[test]
fn print_page_has_every_page_in_reading_order() {
    let (_guide, site) = built("course");
    let html = site.page("print.html");
    let content = element_by_id(&html, "content").expect("#content in print.html");
    assert_in_order(content, &COURSE_MARKERS);
    for title in &COURSE_TITLES[..13] {
        assert!(text_of(content).contains(title), "{title} missing");
    }
    let broken = site.broken_references();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn not_found_page_exists_and_inlines_its_css() {
    let (_guide, site) = built("course");
    let html = site.page("404.html");
    let stylesheet_links: Vec<_> = tags_named(&html, "link")
        .into_iter()
        .filter(|t| t.attr("rel").as_deref() == Some("stylesheet"))
        .collect();
    assert!(
        stylesheet_links.is_empty(),
        "404.html may be served at any depth: it must not link its CSS: {stylesheet_links:?}"
    );
    // Every stylesheet the other pages link, in the order they link it (the cascade).
    let linked: Vec<String> = tags_named(&site.page("index.html"), "link")
        .into_iter()
        .filter(|t| t.attr("rel").as_deref() == Some("stylesheet"))
        .filter_map(|t| t.attr("href"))
        .collect();
    assert!(linked.len() > 1, "{linked:?}");
    assert!(html.contains("<style>"), "no <style> in 404.html");
    let mut from = 0;
    for css_file in &linked {
        let css = site.page(css_file);
        assert!(css.len() > 10, "{css_file} is empty");
        let at = html[from..].find(css.trim()).unwrap_or_else(|| {
            panic!("404.html does not inline {css_file} after the stylesheets linked before it")
        });
        from += at + css.trim().len();
    }
}

#[test]
fn sitemap_is_written_only_when_site_url_is_set() {
    let (guide, site) = built("course");
    assert!(!site.exists("sitemap.xml"));

    guide.append(
        "book.toml",
        "\n[build]\nsite-url = \"https://intranet.example/guides/it/\"\n",
    );
    guide.build().ok();
    let site = guide.out();
    let xml = site.page("sitemap.xml");
    let locs: BTreeSet<String> = xml
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().to_owned())
        .collect();
    for loc in &locs {
        assert!(
            loc.starts_with("https://intranet.example/guides/it/") && loc.ends_with(".html"),
            "{loc} is not an absolute page URL under the site URL"
        );
        let page = loc.trim_start_matches("https://intranet.example/guides/it/");
        assert!(site.exists(page), "{loc} names no page of the output");
    }
    for page in COURSE_ORDER {
        let loc = format!("https://intranet.example/guides/it/{page}");
        assert!(
            locs.contains(&loc),
            "{loc} missing from sitemap.xml:\n{xml}"
        );
    }
    assert!(!xml.contains("404.html") && !xml.contains("draft"), "{xml}");
    assert!(xml.starts_with("<?xml"), "{xml}");
}

#[test]
fn static_assets_have_content_hashes_and_pages_use_them() {
    let (_guide, site) = built("course");
    let statics: Vec<String> = site
        .files()
        .into_iter()
        .filter(|f| f.starts_with("static/"))
        .collect();
    assert!(!statics.is_empty());
    for file in &statics {
        let name = file.rsplit('/').next().unwrap();
        let hashed = name
            .split('.')
            .any(|part| part.len() >= 8 && part.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(hashed, "{file} has no content hash in its name");
    }
    for page in COURSE_ORDER {
        let html = site.page(page);
        let sheets: Vec<String> = tags_named(&html, "link")
            .iter()
            .filter(|t| t.attr("rel").as_deref() == Some("stylesheet"))
            .filter_map(|t| t.attr("href"))
            .map(|href| target_of(page, &href))
            .collect();
        assert!(!sheets.is_empty(), "{page} links no stylesheet");
        for sheet in sheets {
            assert!(
                statics.contains(&sheet),
                "{page} links {sheet}, not in {statics:?}"
            );
        }
    }
}

#[test]
fn theme_override_replaces_one_template_and_the_rest_fall_back() {
    let (_guide, site) = built("theme-override");
    let lesson = site.page("basics/first.html");
    assert!(lesson.contains("class=\"custom-marker\""), "{lesson}");
    assert!(
        element_by_id(&lesson, "sidebar").is_some(),
        "base.html falls back to the default"
    );
    assert!(text_of(&lesson).contains("The first lesson links to"));
    let badge = tags_named(&lesson, "img")
        .iter()
        .find_map(|t| t.attr("src"))
        .map(|src| target_of("basics/first.html", &src))
        .expect("the badge image");
    assert!(
        badge.starts_with("static/img/badge.") && badge.ends_with(".svg") && site.exists(&badge),
        "{badge}"
    );

    let section = site.page("basics/index.html");
    assert!(!section.contains("custom-marker"));
    assert!(element_by_id(&section, "sidebar").is_some());
    assert!(element_by_id(&section, "content").is_some());
    let broken = site.broken_references();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn verbose_flag_prints_stage_timings() {
    let guide = Guide::fixture("minimal");
    let quiet = guide.build();
    quiet.ok();
    let verbose = guide.run(&["-v", "build", "--root", &guide.root_str()]);
    verbose.ok();
    let timed = |run: &Run| {
        run.stderr
            .lines()
            .filter(|l| l.ends_with(" ms") || l.contains(" ms "))
            .count()
    };
    assert!(
        timed(&verbose) >= timed(&quiet) + 3,
        "-v should print a timing line per stage:\n{}",
        verbose.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input: exit 1, file and line named, nothing written
// ---------------------------------------------------------------------------------------------

/// Adds `files` to a copy of the `minimal` fixture and builds it, expecting exit code 1 and
/// nothing written anywhere in the temp folder.
fn fails_with(files: &[(&str, &[u8])]) -> Run {
    let guide = Guide::fixture("minimal");
    for (path, bytes) in files {
        guide.write(path, bytes);
    }
    fails(&guide)
}

/// Builds `guide`, expecting exit code 1, a summary line, and nothing written.
fn fails(guide: &Guide) -> Run {
    let before = guide.snapshot();
    let run = guide.build();
    run.expect_code(1).stderr_has("nothing was written");
    assert!(run.error_count() >= 1, "no `error:` line:\n{}", run.stderr);
    assert_same(
        &before,
        &guide.snapshot(),
        "a failed build must not write anything",
    );
    run
}

/// Panics unless stderr points at `file:line` (and `:col` when given) with `-->`.
fn points_at(run: &Run, file: &str, line: usize, col: Option<usize>) {
    let needle = match col {
        Some(c) => format!("--> {file}:{line}:{c}\n"),
        None => format!("--> {file}:{line}:"),
    };
    run.stderr_has(&needle);
}

#[test]
fn unknown_front_matter_key_suggests_the_nearest() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"+++\ntitle = \"Bad\"\ntopcis = [\"a\"]\n+++\n\nBody\n",
    )]);
    run.stderr_has("unknown key `topcis`")
        .stderr_has("did you mean `topics`?")
        .stderr_has("topcis = [\"a\"]");
    points_at(&run, "content/basics/bad.md", 3, Some(1));
}

#[test]
fn toml_syntax_error_in_front_matter() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"+++\ntitle = \"Bad\nweight = 3\n+++\n\nBody\n",
    )]);
    points_at(&run, "content/basics/bad.md", 2, None);
    run.stderr_has("title = \"Bad");
}

#[test]
fn yaml_syntax_error_in_front_matter() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"---\ntitle: Bad\n  weight: 3\n---\n\nBody\n",
    )]);
    points_at(&run, "content/basics/bad.md", 3, None);
    run.stderr_has("weight: 3");
}

#[test]
fn yaml_error_message_gives_file_lines_not_block_lines() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"---\ntitle: Bad\ntopics: [a, b\n---\n\nBody\n",
    )]);
    points_at(&run, "content/basics/bad.md", 4, Some(1));
    let headline = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap();
    assert!(
        !headline.contains("line 3 column 1"),
        "the message repeats the error's position counted inside the front matter: {headline}"
    );
    assert!(
        headline.contains("line 3 column 9"),
        "the message should say where the unclosed list starts, in file lines: {headline}"
    );
}

#[test]
fn wrong_type_in_front_matter() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"+++\ntitle = \"Bad\"\nweight = \"x\"\n+++\n\nBody\n",
    )]);
    run.stderr_has("invalid type").stderr_has("weight = \"x\"");
    points_at(&run, "content/basics/bad.md", 3, None);
}

#[test]
fn missing_title() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"+++\ndescription = \"No title here\"\n+++\n\nBody\n",
    )]);
    run.stderr_has("title");
    points_at(&run, "content/basics/bad.md", 2, None);
}

#[test]
fn unclosed_front_matter() {
    let run = fails_with(&[("content/basics/bad.md", b"+++\ntitle = \"Bad\"\n\nBody\n")]);
    run.stderr_has("never closed");
    points_at(&run, "content/basics/bad.md", 1, Some(1));
}

#[test]
fn file_without_front_matter() {
    let run = fails_with(&[("content/basics/bad.md", b"# Just Markdown\n\nBody\n")]);
    run.stderr_has("missing front matter");
    points_at(&run, "content/basics/bad.md", 1, Some(1));
}

#[test]
fn empty_file() {
    let run = fails_with(&[("content/basics/bad.md", b"")]);
    run.stderr_has("missing front matter");
    points_at(&run, "content/basics/bad.md", 1, Some(1));
}

#[test]
fn invalid_utf8() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"+++\ntitle = \"Bad\"\n+++\n\nCaf\xe9 au lait\n",
    )]);
    run.stderr_has("UTF-8");
    points_at(&run, "content/basics/bad.md", 5, Some(4));
}

#[test]
fn binary_file_named_md() {
    let run = fails_with(&[(
        "content/basics/image.md",
        b"+++\ntitle = \"Bin\"\n+++\n\nab\0\0\x01\x02",
    )]);
    run.stderr_has("binary");
    points_at(&run, "content/basics/image.md", 5, Some(3));
}

#[test]
fn broken_md_link_suggests_the_nearest_page() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"+++\ntitle = \"Bad\"\n+++\n\nSee [first](frist.md) now.\n",
    )]);
    run.stderr_has("broken link")
        .stderr_has("frist.md")
        .stderr_has("did you mean `first.md`?");
    points_at(&run, "content/basics/bad.md", 5, Some(5));
}

#[test]
fn broken_anchor_suggests_the_nearest_heading() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"+++\ntitle = \"Bad\"\n+++\n\nSee [first](first.md#core-ide) now.\n",
    )]);
    run.stderr_has("broken anchor")
        .stderr_has("core-ide")
        .stderr_has("did you mean `core-idea`?");
    points_at(&run, "content/basics/bad.md", 5, Some(5));
}

#[test]
fn compare_block_toml_error_points_at_the_lesson_line() {
    let run = fails_with(&[(
        "content/basics/bad.md",
        b"+++\ntitle = \"Bad\"\n+++\n\nIntro.\n\n```compare\ncolumns = [\"a\", \"b\"]\ntitle = \"unclosed\n```\n",
    )]);
    run.stderr_has("compare").stderr_has("title = \"unclosed");
    points_at(&run, "content/basics/bad.md", 9, None);
}

#[test]
fn two_files_on_the_same_url_are_both_named() {
    let run = fails_with(&[(
        "content/basics/index.md",
        b"+++\ntitle = \"Clash\"\n+++\n\nBody\n",
    )]);
    run.stderr_has("content/basics/index.md")
        .stderr_has("content/basics/_index.md")
        .stderr_has("basics/index.html");

    let run = fails_with(&[
        (
            "content/basics/Third Lesson.md",
            b"+++\ntitle = \"One\"\n+++\n\nBody\n",
        ),
        (
            "content/basics/third-lesson.md",
            b"+++\ntitle = \"Two\"\n+++\n\nBody\n",
        ),
    ]);
    run.stderr_has("content/basics/Third Lesson.md")
        .stderr_has("content/basics/third-lesson.md")
        .stderr_has("basics/third-lesson.html");
}

#[test]
fn folder_without_index_is_an_error() {
    let run = fails_with(&[(
        "content/orphan/lost.md",
        b"+++\ntitle = \"Lost\"\n+++\n\nBody\n",
    )]);
    run.stderr_has("--> content/orphan")
        .stderr_has("_index.md")
        .stderr_has("content/orphan/lost.md");
}

#[cfg(unix)]
#[test]
fn symlink_loop_in_content_is_an_error() {
    let guide = Guide::fixture("minimal");
    std::os::unix::fs::symlink("..", guide.path("content/basics/loop")).unwrap();
    let run = fails(&guide);
    run.stderr_has("--> content/basics/loop").stderr_has("loop");
}

#[test]
fn missing_parent_template_in_theme_override() {
    let run = fails_with(&[(
        "themes/default/templates/lesson.html",
        b"{% extends \"nope.html\" %}\n{% block main %}x{% endblock main %}\n",
    )]);
    run.stderr_has("themes/default/templates/lesson.html")
        .stderr_has("nope.html");
}

// Regression: an included template that does not exist was reported with Tera's whole report
// and no location, instead of the including file and line.
#[test]
fn missing_included_template_names_the_including_file_and_line() {
    let run = fails_with(&[(
        "themes/default/templates/lesson.html",
        b"{% extends \"base.html\" %}\n{% block main %}\n{% include \"partials/nope.html\" %}\n{% endblock main %}\n",
    )]);
    run.stderr_has("partials/nope.html");
    points_at(&run, "themes/default/templates/lesson.html", 3, None);
}

#[test]
fn template_syntax_error_names_template_file_and_line() {
    let run = fails_with(&[(
        "themes/default/templates/lesson.html",
        b"{% extends \"base.html\" %}\n{% block main %}\n<p>{{ page.title | }}</p>\n{% endblock main %}\n",
    )]);
    points_at(&run, "themes/default/templates/lesson.html", 3, None);
    run.stderr_has("{{ page.title | }}");
}

#[test]
fn undefined_template_variable_names_template_file_and_line() {
    let run = fails_with(&[(
        "themes/default/templates/lesson.html",
        b"{% extends \"base.html\" %}\n{% block main %}\n<p>{{ page.nosuch.thing }}</p>\n{% endblock main %}\n",
    )]);
    points_at(&run, "themes/default/templates/lesson.html", 3, None);
    run.stderr_has("nosuch");
}

#[test]
fn unknown_key_in_book_toml_suggests_the_nearest() {
    let guide = Guide::fixture("minimal");
    let lines = guide.read("book.toml").lines().count();
    guide.append("book.toml", "\n[build]\noutput-dri = \"site\"\n");
    let run = fails(&guide);
    run.stderr_has("unknown key `output-dri`")
        .stderr_has("did you mean `output-dir`?");
    points_at(&run, "book.toml", lines + 3, Some(1));
}

#[test]
fn toml_syntax_error_in_book_toml() {
    let guide = Guide::fixture("minimal");
    guide.write("book.toml", "[book]\ntitle = \"Unclosed\n");
    let run = fails(&guide);
    points_at(&run, "book.toml", 2, None);
}

#[test]
fn missing_book_toml_says_where_it_looked() {
    let guide = Guide::fixture("minimal");
    guide.remove("book.toml");
    let run = fails(&guide);
    run.stderr_has("book.toml")
        .stderr_has(&guide.root_str())
        .stderr_has("guide init");
}

#[test]
fn every_error_of_a_run_is_reported() {
    let guide = Guide::fixture("three-broken");
    let run = fails(&guide);
    assert_eq!(run.error_count(), 3, "{}", run.stderr);
    run.stderr_has("3 errors");
    points_at(&run, "content/notes/bad-key.md", 3, Some(1));
    points_at(&run, "content/notes/broken-link.md", 7, None);
    points_at(&run, "content/notes/no-front-matter.md", 1, Some(1));
}

#[test]
fn failed_build_leaves_the_previous_output_byte_for_byte() {
    let guide = Guide::fixture("course");
    guide.build().ok();
    assert!(guide.out().exists("alpha/zeta.html"));
    guide.write(
        "content/alpha/zeta.md",
        "+++\ntitle = \"Zeta basics\"\nwieght = 1\n+++\n\nChanged.\n",
    );
    guide.write("content/beta/new.md", "+++\ntitle = \"New\"\n+++\n\nNew.\n");
    let run = fails(&guide);
    run.stderr_has("did you mean `weight`?");
    assert!(!guide.out().exists("beta/new.html"));
}

#[test]
fn build_failing_while_writing_pages_leaves_the_previous_output() {
    let guide = Guide::fixture("course");
    guide.build().ok();
    guide.write(
        "themes/default/templates/lesson.html",
        "{% extends \"base.html\" %}\n{% block main %}{{ page.no_such_field }}{% endblock main %}\n",
    );
    let run = fails(&guide);
    points_at(&run, "themes/default/templates/lesson.html", 2, None);
    assert!(guide.out().page("alpha/zeta.html").contains("zeta-body"));
}

// ---------------------------------------------------------------------------------------------
// --out refusals: exit 2, nothing touched
// ---------------------------------------------------------------------------------------------

/// Builds with `--out <out>` (and extra environment), expecting exit 2 and nothing touched.
fn refused(guide: &Guide, out: &str, env: &[(&str, &std::path::Path)]) -> Run {
    let before = guide.snapshot();
    let run = guide.run_with_env(&["build", "--root", &guide.root_str(), "--out", out], env);
    run.expect_code(2).stderr_has("refusing");
    assert_same(
        &before,
        &guide.snapshot(),
        "a refused --out must not touch anything",
    );
    run
}

#[test]
fn out_refuses_the_content_folder() {
    let guide = Guide::fixture("minimal");
    refused(&guide, guide.path("content").to_str().unwrap(), &[]);
}

#[test]
fn out_refuses_a_folder_inside_the_content_folder() {
    let guide = Guide::fixture("minimal");
    refused(&guide, guide.path("content/site").to_str().unwrap(), &[]);
}

#[test]
fn out_refuses_the_guide_root() {
    let guide = Guide::fixture("minimal");
    refused(&guide, &guide.root_str(), &[]);
}

#[test]
fn out_refuses_the_file_system_root() {
    let guide = Guide::fixture("minimal");
    refused(&guide, "/", &[]).stderr_has("file system root");
}

#[test]
fn out_refuses_the_home_folder() {
    let guide = Guide::fixture("minimal");
    let home = guide.beside("home");
    std::fs::create_dir(&home).unwrap();
    refused(&guide, home.to_str().unwrap(), &[("HOME", &home)]).stderr_has("home");
}

#[test]
fn out_refuses_a_folder_with_foreign_files() {
    let guide = Guide::fixture("minimal");
    let foreign = guide.beside("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("keep.txt"), "not guide's").unwrap();
    refused(&guide, foreign.to_str().unwrap(), &[]);
}

#[test]
fn out_rebuilds_its_own_folder_and_drops_stale_pages() {
    let guide = Guide::fixture("course");
    let out = guide.beside("site");
    let out_str = out.to_str().unwrap();
    guide.build_with(&["--out", out_str]).ok();
    let site = Site::at(out.clone());
    assert!(site.exists("alpha/a-banana.html"));
    guide.remove("content/alpha/a-banana.md");
    guide.build_with(&["--out", out_str]).ok();
    assert!(!site.exists("alpha/a-banana.html"), "stale page kept");
    assert!(site.exists("alpha/c-apple.html"));
    let beside: Vec<String> = std::fs::read_dir(guide.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut beside = beside;
    beside.sort();
    assert_eq!(
        beside,
        [".site.previous", "guide", "site"],
        "staging folders left behind (only the previous output is kept, for reuse)"
    );
    let previous = Site::at(guide.beside(".site.previous"));
    assert!(
        previous.exists("alpha/a-banana.html"),
        "the replaced output is kept for reuse"
    );
    guide.build_with(&["--out", out_str]).ok();
    assert!(
        !site.exists("alpha/a-banana.html"),
        "a stale page came back from the reused folder"
    );
}

#[test]
fn unknown_flag_is_bad_usage() {
    let guide = Guide::fixture("minimal");
    let before = guide.snapshot();
    guide
        .run(&["build", "--root", &guide.root_str(), "--nope"])
        .expect_code(2);
    assert_same(&before, &guide.snapshot(), "bad usage must not write");
}

// ---------------------------------------------------------------------------------------------
// check, init, new
// ---------------------------------------------------------------------------------------------

#[test]
fn check_writes_nothing_and_exits_0_on_a_good_guide() {
    let guide = Guide::fixture("course");
    let before = guide.snapshot();
    guide.check().ok().stderr_has("no errors");
    assert_same(&before, &guide.snapshot(), "guide check must not write");
}

#[test]
fn check_writes_nothing_and_exits_1_on_errors() {
    let guide = Guide::fixture("three-broken");
    let before = guide.snapshot();
    let run = guide.check();
    run.expect_code(1);
    assert_eq!(run.error_count(), 3, "{}", run.stderr);
    assert_same(&before, &guide.snapshot(), "guide check must not write");
}

#[test]
fn init_then_build_works() {
    let guide = Guide::empty();
    let dir = guide.beside("new-guide");
    let dir_str = dir.to_str().unwrap();
    guide.run(&["init", dir_str]).ok();
    assert!(dir.join("book.toml").is_file());
    guide.run(&["build", "--root", dir_str]).ok();
    let site = Site::at(dir.join("public"));
    assert!(site.exists("index.html"));
    assert!(site.pages().len() >= 3, "{:?}", site.pages());
    let broken = site.broken_references();
    assert!(broken.is_empty(), "{}", broken.join("\n"));

    let before = guide.snapshot();
    guide
        .run(&["init", dir_str])
        .expect_code(1)
        .stderr_has("already");
    assert_same(
        &before,
        &guide.snapshot(),
        "a second init must change nothing",
    );
}

#[test]
fn new_creates_a_lesson_that_builds() {
    let guide = Guide::fixture("course");
    guide
        .run(&[
            "new",
            "beta/fresh-lesson",
            "--title",
            "Fresh \"quoted\" lesson",
            "--root",
            &guide.root_str(),
        ])
        .ok();
    let text = guide.read("content/beta/fresh-lesson.md");
    assert!(text.starts_with("+++\n"), "{text}");
    guide.build().ok();
    let html = guide.out().page("beta/fresh-lesson.html");
    let content = element_by_id(&html, "content").expect("#content");
    assert!(
        text_of(content).contains("Fresh \"quoted\" lesson"),
        "{content}"
    );

    let before = guide.snapshot();
    guide
        .run(&["new", "Nowhere/lesson", "--root", &guide.root_str()])
        .expect_code(1)
        .stderr_has("lower-case letters");
    guide
        .run(&["new", "beta/fresh-lesson", "--root", &guide.root_str()])
        .expect_code(1)
        .stderr_has("already exists");
    assert_same(
        &before,
        &guide.snapshot(),
        "a refused `guide new` must not write",
    );
}

// ---------------------------------------------------------------------------------------------
// Size: no panic, no timing assertions
// ---------------------------------------------------------------------------------------------

#[test]
fn huge_lesson_builds() {
    let guide = Guide::fixture("minimal");
    let block = "Some **bold** text, a [link](first.md#core-idea), `inline code`, and more words \
                 to make the paragraph long enough to be a realistic paragraph of a lesson.\n\n\
                 - a list item\n- another item with _emphasis_\n\n";
    let mut body = String::from("+++\ntitle = \"Huge\"\n+++\n\n");
    let mut i = 0;
    while body.len() < 5 * 1024 * 1024 {
        if i % 200 == 0 {
            body.push_str(&format!(
                "## Part {i}\n\n```rust\nfn part_{i}() -> u32 {{ {i} }}\n```\n\n"
            ));
        }
        body.push_str(block);
        i += 1;
    }
    guide.write("content/basics/huge.md", &body);
    guide.build().ok();
    let html = guide.out().page("basics/huge.html");
    assert!(html.len() > 5 * 1024 * 1024, "{} bytes", html.len());
}

#[test]
fn twenty_thousand_headings_build() {
    let guide = Guide::fixture("minimal");
    let mut body = String::from("+++\ntitle = \"Many headings\"\n+++\n\n");
    for i in 0..20_000 {
        body.push_str(if i % 2 == 0 {
            "## Step\n\nText.\n\n"
        } else {
            "### Detail\n\nText.\n\n"
        });
    }
    guide.write("content/basics/headings.md", &body);
    guide.build().ok();
    let html = guide.out().page("basics/headings.html");
    let content = element_by_id(&html, "content").expect("#content");
    let ids: BTreeSet<String> = tags(content)
        .iter()
        .filter(|t| t.name == "h2" || t.name == "h3")
        .filter_map(|t| t.attr("id"))
        .collect();
    assert_eq!(ids.len(), 20_000, "heading ids must be unique");
}

// ---------------------------------------------------------------------------------------------
// The bundled guide
// ---------------------------------------------------------------------------------------------

#[test]
fn bundled_guide_builds() {
    let guide = Guide::empty();
    let out = guide.beside("out");
    guide
        .run(&[
            "build",
            "--root",
            env!("CARGO_MANIFEST_DIR"),
            "--out",
            out.to_str().unwrap(),
        ])
        .ok();
    let site = Site::at(out);
    for page in [
        "index.html",
        "print.html",
        "404.html",
        "foundations/index.html",
        "foundations/side-by-side.html",
        "it-management/vendor-management.html",
        "product-management/roadmaps.html",
    ] {
        assert!(
            site.exists(page),
            "{page} missing; files: {:?}",
            site.files()
        );
    }
    let side_by_side = site.page("foundations/side-by-side.html");
    assert_eq!(elements_by_class(&side_by_side, "compare").len(), 1);
    let broken = site.broken_references();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Edge cases found while writing these tests
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_content_folder_is_an_error_not_a_panic() {
    let guide = Guide::fixture("minimal");
    guide.remove("content");
    let run = fails(&guide);
    run.stderr_has("--> content\n")
        .stderr_has("content folder does not exist")
        .stderr_lacks("panicked");
    let before = guide.snapshot();
    guide.check().expect_code(1).stderr_lacks("panicked");
    assert_same(&before, &guide.snapshot(), "guide check must not write");
}

#[test]
fn empty_content_folder_builds_a_landing_page() {
    let guide = Guide::fixture("minimal");
    guide.remove("content");
    std::fs::create_dir(guide.path("content")).unwrap();
    guide.build().ok();
    let html = guide.out().page("index.html");
    assert!(text_of(&html).contains("Minimal Guide"));
}

#[test]
fn draft_section_skips_everything_under_it() {
    let guide = Guide::fixture("minimal");
    guide.write(
        "content/wip/_index.md",
        "+++\ntitle = \"Work in progress\"\ndraft = true\n+++\n\nSoon.\n",
    );
    guide.write(
        "content/wip/lesson.md",
        "+++\ntitle = \"Half done\"\n+++\n\nx\n",
    );
    guide.write(
        "content/wip/sub/_index.md",
        "+++\ntitle = \"Sub\"\n+++\n\nx\n",
    );
    guide.write(
        "content/wip/sub/deeper.md",
        "+++\ntitle = \"Deeper\"\n+++\n\nx\n",
    );
    guide.build().ok();
    let site = guide.out();
    let under_wip: Vec<String> = site
        .files()
        .into_iter()
        .filter(|f| f.starts_with("wip/"))
        .collect();
    assert!(under_wip.is_empty(), "{under_wip:?}");
    assert!(!site.page("print.html").contains("Half done"));

    guide.build_with(&["--drafts"]).ok();
    let site = guide.out();
    for page in [
        "wip/index.html",
        "wip/lesson.html",
        "wip/sub/index.html",
        "wip/sub/deeper.html",
    ] {
        assert!(site.exists(page), "{page} missing with --drafts");
    }
}

#[test]
fn titles_and_descriptions_are_escaped() {
    let guide = Guide::fixture("minimal");
    guide.write(
        "content/basics/esc.md",
        "+++\ntitle = \"A <b>bold</b> & title\"\ndescription = \"Desc <i>x</i>\"\n+++\n\nBody\n",
    );
    guide.build().ok();
    let site = guide.out();
    for page in ["basics/esc.html", "basics/first.html", "print.html"] {
        let html = site.page(page);
        assert!(!html.contains("<b>bold</b>"), "{page}: unescaped title");
        assert!(!html.contains("<i>x</i>"), "{page}: unescaped description");
    }
    assert!(
        site.page("basics/esc.html")
            .contains("A &lt;b&gt;bold&lt;/b&gt; &amp; title")
    );
}

#[test]
fn crlf_line_endings_build_and_errors_keep_their_lines() {
    let guide = Guide::fixture("minimal");
    guide.write(
        "content/basics/crlf.md",
        "+++\r\ntitle = \"CRLF\"\r\nweight = 3\r\n+++\r\n\r\n## Windows heading\r\n\r\nSee [first](first.md#core-idea).\r\n",
    );
    guide.build().ok();
    let html = guide.out().page("basics/crlf.html");
    assert!(has_id(&html, "windows-heading"));
    assert!(
        content_targets(&guide.out(), "basics/crlf.html").contains("basics/first.html#core-idea")
    );

    guide.write(
        "content/basics/crlf.md",
        "+++\r\ntitle = \"CRLF\"\r\n+++\r\n\r\nSee [first](frist.md).\r\n",
    );
    let run = fails(&guide);
    points_at(&run, "content/basics/crlf.md", 5, Some(5));
}

#[test]
fn byte_order_mark_is_accepted() {
    let guide = Guide::fixture("minimal");
    guide.write(
        "content/basics/bom.md",
        b"\xef\xbb\xbf+++\ntitle = \"With BOM\"\n+++\n\nBody\n",
    );
    guide.build().ok();
    assert!(text_of(&guide.out().page("basics/bom.html")).contains("With BOM"));
}

#[test]
fn building_twice_gives_identical_output() {
    let guide = Guide::fixture("course");
    let (a, b) = (guide.beside("a"), guide.beside("b"));
    guide.build_with(&["--out", a.to_str().unwrap()]).ok();
    guide.build_with(&["--out", b.to_str().unwrap()]).ok();
    assert_same(
        &support::snapshot(&a),
        &support::snapshot(&b),
        "two builds of the same guide differ",
    );
}

// Regression: footnote definitions had bare ids (`id="source"`), so a heading `## Source` and a
// footnote `[^source]` shared one id and the footnote link jumped to the heading.
#[test]
fn footnote_ids_do_not_collide_with_heading_ids() {
    let guide = Guide::fixture("minimal");
    guide.write(
        "content/basics/notes.md",
        "+++\ntitle = \"Notes\"\n+++\n\n## Source\n\nA claim.[^source]\n\n[^source]: Where it comes from.\n",
    );
    guide.build().ok();
    let html = guide.out().page("basics/notes.html");
    let mut ids: Vec<String> = tags(&html).iter().filter_map(|t| t.attr("id")).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "duplicate ids in basics/notes.html");
}

// Regression: link destinations were not percent-decoded, so `[x](Third%20Lesson.md)` — the way
// GitHub and most editors write a link to a file with a space — was reported as broken.
#[test]
fn percent_encoded_md_links_resolve() {
    let guide = Guide::fixture("minimal");
    guide.write(
        "content/basics/Third Lesson.md",
        "+++\ntitle = \"Third\"\n+++\n\nx\n",
    );
    guide.write(
        "content/basics/links.md",
        "+++\ntitle = \"Links\"\n+++\n\nSee [the third](Third%20Lesson.md).\n",
    );
    guide.build().ok();
    assert!(
        content_targets(&guide.out(), "basics/links.html").contains("basics/third-lesson.html")
    );
}

#[test]
fn bundled_guide_passes_check_with_warnings_denied() {
    let guide = Guide::empty();
    let run = guide.run(&[
        "check",
        "--root",
        env!("CARGO_MANIFEST_DIR"),
        "--deny-warnings",
    ]);
    run.ok().stderr_lacks("warning:").stderr_lacks("error:");
}
