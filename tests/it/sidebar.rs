//! The sidebar of a big guide: a page lists a window of a crowded level's sections around its
//! own, expanded and marked, and links the section's page for the rest, so no page's sidebar
//! grows with the number of sections.

use crate::support::{Guide, element_by_id, elements_by_class, hrefs, tags, target_of, text_of};

/// A guide of `sections` top-level sections with three lessons each.
fn guide_with(sections: usize) -> Guide {
    let guide = Guide::empty();
    guide.write("book.toml", "[book]\ntitle = \"Big\"\n");
    guide.write(
        "content/_index.md",
        "+++\ntitle = \"Big\"\n+++\n\nWelcome.\n",
    );
    for s in 1..=sections {
        guide.write(
            &format!("content/part-{s:03}/_index.md"),
            format!("+++\ntitle = \"Part {s}\"\nweight = {s}\n+++\n\nPart {s}.\n"),
        );
        for l in 1..=3 {
            guide.write(
                &format!("content/part-{s:03}/lesson-{l}.md"),
                format!("+++\ntitle = \"Lesson {s}.{l}\"\nweight = {l}\n+++\n\nText.\n"),
            );
        }
    }
    guide.build().ok();
    guide
}

/// The sections (their link targets) and lessons the sidebar of `page` lists.
fn sidebar(guide: &Guide, page: &str) -> (Vec<String>, Vec<String>, String) {
    let html = guide.out().page(page);
    let nav = element_by_id(&html, "sidebar")
        .expect("a #sidebar")
        .to_owned();
    let targets = |class: &str| -> Vec<String> {
        elements_by_class(&nav, class)
            .iter()
            .filter_map(|li| hrefs(li).first().map(|h| target_of(page, h)))
            .collect()
    };
    (targets("nav-section"), targets("nav-lesson"), nav)
}

#[test]
fn a_crowded_level_lists_a_window_around_the_open_section_and_links_the_rest() {
    let guide = guide_with(40);
    let page = "part-020/lesson-2.html";
    let (sections, lessons, nav) = sidebar(&guide, page);
    let expected: Vec<String> = (16..=24)
        .map(|s| format!("part-{s:03}/index.html"))
        .collect();
    assert_eq!(sections, expected, "{nav}");
    assert_eq!(
        lessons,
        [
            "part-020/lesson-1.html",
            "part-020/lesson-2.html",
            "part-020/lesson-3.html"
        ]
    );
    let current: Vec<_> = tags(&nav)
        .into_iter()
        .filter(|t| t.attr("aria-current").as_deref() == Some("page"))
        .map(|t| t.attr("href").unwrap_or_default())
        .collect();
    assert_eq!(current, ["../part-020/lesson-2.html"]);
    let more = elements_by_class(&nav, "nav-more");
    assert_eq!(more.len(), 1, "{nav}");
    assert_eq!(text_of(more[0]), "All 40 sections");
    assert_eq!(target_of(page, &hrefs(more[0])[0]), "index.html");

    // The page it links lists every section.
    let landing = guide.out().page("index.html");
    for s in 1..=40 {
        assert!(
            landing.contains(&format!("part-{s:03}/index.html")),
            "part {s}"
        );
    }
    // The first and the last section keep a full window too; the landing page shows the first.
    assert_eq!(
        sidebar(&guide, "part-001/index.html").0,
        expected_parts(1..=9)
    );
    assert_eq!(
        sidebar(&guide, "part-040/lesson-1.html").0,
        expected_parts(32..=40)
    );
    assert_eq!(sidebar(&guide, "index.html").0, expected_parts(1..=9));
}

fn expected_parts(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|s| format!("part-{s:03}/index.html")).collect()
}

#[test]
fn a_page_sidebar_does_not_grow_with_the_number_of_sections() {
    let small = guide_with(20);
    let big = guide_with(80);
    let page = "part-010/lesson-1.html";
    let (_, _, small_nav) = sidebar(&small, page);
    let (_, _, big_nav) = sidebar(&big, page);
    assert_eq!(
        small_nav.replace("20 sections", "80 sections"),
        big_nav,
        "the same page's sidebar differs between 20 and 80 sections"
    );
    // A level that is not crowded lists all its sections, with no "All" link.
    let few = guide_with(12);
    let (sections, _, nav) = sidebar(&few, page);
    assert_eq!(sections.len(), 12);
    assert!(elements_by_class(&nav, "nav-more").is_empty());
}
