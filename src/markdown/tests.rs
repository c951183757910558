use std::collections::HashSet;

use super::words::words;
use super::*;

struct TestFences;

impl FenceRenderer for TestFences {
    fn render_fence(
        &self,
        fence: &Fence<'_>,
        _: &dyn LinkResolver,
    ) -> Result<FenceHtml, Vec<MarkdownIssue>> {
        let Fence { lang, code, line } = *fence;
        if lang == "bad" {
            return Err(vec![MarkdownIssue {
                line,
                col: 1,
                message: "bad block".into(),
                help: None,
            }]);
        }
        Ok(format!("<pre data-fence=\"{lang}:{line}\">{}</pre>", code.len()).into())
    }
}

struct TestLinks;

impl LinkResolver for TestLinks {
    fn resolve(&self, link: &OutLink) -> Result<String, MarkdownIssue> {
        if link.dest.starts_with("missing") {
            return Err(MarkdownIssue {
                line: link.line,
                col: link.col,
                message: format!("broken link `{}`", link.dest),
                help: None,
            });
        }
        match link.dest.strip_suffix(".md") {
            Some(stem) => Ok(format!("guide-root:/{stem}.html")),
            None => Ok(link.dest.clone()),
        }
    }
}

fn md(body: &str) -> Rendered {
    render(body, 1, &TestFences, &TestLinks)
}

#[test]
fn heading_keeps_inline_markup_and_gets_anchor() {
    let out = md("## Hello *World*\n");
    assert_eq!(
        out.html,
        "<h2 id=\"hello-world\">Hello <em>World</em> <a class=\"anchor\" \
         href=\"#hello-world\" aria-label=\"Link to this section\">#</a></h2>\n"
    );
    assert_eq!(
        out.headings,
        vec![Heading {
            level: 2,
            id: "hello-world".into(),
            text: "Hello World".into(),
            line: 1
        }]
    );
}

#[test]
fn heading_ids_are_unique_per_page() {
    let out = md("# A\n\n# A\n\n# A 1\n\n# A\n\nSetext\n------\n\n# Setext\n");
    let ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["a", "a-1", "a-1-1", "a-2", "setext", "setext-1"]);
    assert!(out.issues.is_empty());

    let out = md("# A 1\n\n# A\n\n# A\n");
    let ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["a-1", "a", "a-2"]);
}

#[test]
fn explicit_heading_ids_and_classes() {
    let out = md("# Intro\n\n## Custom {#own .wide .x data-k=v}\n\n## Again {#intro}\n");
    assert_eq!(out.headings[1].id, "own");
    assert!(out.html.contains(
        "<h2 id=\"own\" class=\"wide x\" data-k=\"v\">Custom <a class=\"anchor\" href=\"#own\""
    ));
    assert_eq!(out.headings[2].id, "intro-1");
    assert_eq!(out.issues.len(), 1);
    assert_eq!((out.issues[0].line, out.issues[0].col), (5, 1));
    assert!(out.issues[0].message.contains("`intro`"));
}

#[test]
fn slugs() {
    assert_eq!(slugify("Hello, World!"), "hello-world");
    assert_eq!(slugify("  C++ & Rust  "), "c-rust");
    assert_eq!(
        slugify("snake_case and kebab-case"),
        "snake-case-and-kebab-case"
    );
    assert_eq!(slugify("Ünïcode Straße"), "ünïcode-straße");
    assert_eq!(slugify("日本語 の 見出し"), "日本語-の-見出し");
    assert_eq!(slugify("!!!"), "section");
    assert_eq!(slugify(""), "section");
    assert_eq!(md("# `code` *only*\n").headings[0].id, "code-only");
    assert_eq!(md("#\n").headings[0].id, "section");
}

#[test]
fn positions_are_file_lines_and_char_columns() {
    let body =
        "Intro\n\n## Title\n\nSé é [x](a.md) and ![i](missing.png)\n\n```rust\nfn a() {}\n```\n";
    let out = render(body, 10, &TestFences, &TestLinks);
    assert_eq!(out.headings[0].line, 12);
    assert_eq!((out.links[0].line, out.links[0].col), (14, 6));
    assert_eq!((out.links[1].line, out.links[1].col), (14, 20));
    assert_eq!((out.issues[0].line, out.issues[0].col), (14, 20));
    assert!(
        out.html.contains("<pre data-fence=\"rust:16\">10</pre>"),
        "{}",
        out.html
    );
}

#[test]
fn columns_on_one_long_line_with_many_links() {
    let body = "é [a](x) ".repeat(20_000);
    let out = md(&body);
    assert_eq!(out.links.len(), 20_000);
    assert_eq!(out.links[0].col, 3);
    assert_eq!(out.links[1].col, 12);
    assert_eq!(out.links[19_999].col, 19_999 * 9 + 3);
    let out = md("[b](y)\n\n> [a](x)\n");
    assert_eq!((out.links[1].line, out.links[1].col), (3, 3));
}

#[test]
fn callouts_and_blockquotes() {
    for (marker, class, title) in [
        ("NOTE", "note", "Note"),
        ("TIP", "tip", "Tip"),
        ("IMPORTANT", "important", "Important"),
        ("WARNING", "warning", "Warning"),
        ("CAUTION", "caution", "Caution"),
    ] {
        let out = md(&format!("> [!{marker}]\n> Be *careful*.\n"));
        assert_eq!(
            out.html,
            format!(
                "<div class=\"callout callout-{class}\" role=\"note\"><p class=\"callout-title\">{title}</p>\n<p>Be <em>careful</em>.</p>\n</div>\n"
            )
        );
    }
    let out = md("> plain\n");
    assert_eq!(out.html, "<blockquote>\n<p>plain</p>\n</blockquote>\n");
}

#[test]
fn tables_are_wrapped() {
    let out = md("| a | b |\n|:--|--:|\n| 1 | 2 |\n");
    assert_eq!(
        out.html,
        "<section class=\"table-wrap\" aria-label=\"Table 1\"><table><thead><tr>\
         <th scope=\"col\" class=\"align-left\">a</th>\
         <th scope=\"col\" class=\"align-right\">b</th></tr></thead><tbody>\n\
         <tr><td class=\"align-left\">1</td><td class=\"align-right\">2</td></tr>\n\
         </tbody></table></section>\n"
    );
    assert_eq!(
        out.plain_text.split_whitespace().collect::<Vec<_>>(),
        ["a", "b", "1", "2"]
    );
}

#[test]
fn fenced_blocks_go_to_the_fence_renderer() {
    let out = md("Text\n\n```compare extra words\ntitle = \"x\"\n```\n");
    assert!(
        out.html
            .contains("<pre data-fence=\"compare:3\">12</pre>\n"),
        "{}",
        out.html
    );
    let out = md("```\n<b>\n```\n");
    assert_eq!(out.html, "<pre data-fence=\":1\">4</pre>\n");
    let out = md("- item\n\n  ```bad\n  <x> & y\n  ```\n");
    assert_eq!(out.issues.len(), 1);
    assert_eq!(out.issues[0].line, 3);
    assert!(
        out.html
            .contains("<pre class=\"code\"><code>&lt;x&gt; &amp; y\n</code></pre>"),
        "{}",
        out.html
    );
    let out = md("para\n\n    indented <code>\n");
    assert_eq!(
        out.html,
        "<p>para</p>\n<pre class=\"code\"><code>indented &lt;code&gt;\n</code></pre>\n"
    );
}

#[test]
fn links_are_resolved_and_recorded() {
    let body = "[in](a.md) [ref][r] [short] <https://x.org/?a=1&b=2> <me@x.org> \
                ![alt *t*](img.png \"T\") [bad](missing.md)\n\n[r]: b.md\n[short]: c.md\n";
    let out = md(body);
    let dests: Vec<&str> = out.links.iter().map(|l| l.dest.as_str()).collect();
    assert_eq!(
        dests,
        [
            "a.md",
            "b.md",
            "c.md",
            "https://x.org/?a=1&b=2",
            "mailto:me@x.org",
            "img.png",
            "missing.md"
        ]
    );
    assert!(out.links[5].is_image);
    let html = &out.html;
    assert!(
        html.contains("<a href=\"guide-root:/a.html\">in</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"guide-root:/b.html\">ref</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"guide-root:/c.html\">short</a>"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"https://x.org/?a=1&amp;b=2\">"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"mailto:me@x.org\">me@x.org</a>"),
        "{html}"
    );
    assert!(
        html.contains("<img src=\"img.png\" alt=\"alt t\" title=\"T\">"),
        "{html}"
    );
    assert!(html.contains("<a href=\"missing.md\">bad</a>"), "{html}");
    assert_eq!(out.issues.len(), 1);
    assert_eq!(out.issues[0].message, "broken link `missing.md`");
}

#[test]
fn hrefs_and_text_are_escaped() {
    let out = md("[x](<a b\"c'.html>) [y](é.html \"a\\\"b\") <b>raw</b> 1 < 2 & \"q\"\n");
    assert!(
        out.html.contains("href=\"a%20b%22c&#39;.html\""),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("href=\"%C3%A9.html\" title=\"a&quot;b\""),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("<b>raw</b> 1 &lt; 2 &amp; \"q\""),
        "{}",
        out.html
    );
}

#[test]
fn footnotes_and_task_lists_use_defaults() {
    let out = md("Text[^n].\n\n[^n]: The note.\n\n- [x] done\n- [ ] todo\n~~gone~~\n");
    assert!(
        out.html
            .contains("<sup class=\"footnote-reference\"><a href=\"#fn-n\">1</a></sup>"),
        "{}",
        out.html
    );
    assert!(out.html.contains(
        "<div class=\"footnote-definition\" id=\"fn-n\"><sup class=\"footnote-definition-label\">1</sup>"
    ));
    assert!(
        out.html
            .contains("<input type=\"checkbox\" disabled checked aria-label=\"Task\">\ndone")
    );
    assert!(
        out.html
            .contains("<input type=\"checkbox\" disabled aria-label=\"Task\">\ntodo")
    );
    assert!(out.html.contains("<del>gone</del>"));
}

#[test]
fn script_urls_and_heading_attributes_are_marked_unsafe() {
    let out = md("[a](javascript:x(1)) ![i](javascript:y('i'))\n\n## T {onclick=z}\n");
    let at: Vec<(usize, usize)> = out.unsafe_markup.iter().map(|i| (i.line, i.col)).collect();
    assert_eq!(at, [(1, 1), (1, 22), (3, 1)], "{:?}", out.unsafe_markup);
    assert!(out.unsafe_markup[2].message.contains("`onclick`"));
    assert!(
        md("[a](x.html) ![i](data:image/png,x)\n## T {#t .c}\n")
            .unsafe_markup
            .is_empty()
    );
}

#[test]
fn raw_html_passes_through() {
    let out = md("<div class=\"x\">\n\n*hi*\n\n</div>\n\nInline <kbd>K</kbd>.\n");
    assert_eq!(
        out.html,
        "<div class=\"x\">\n<p><em>hi</em></p>\n</div>\n<p>Inline <kbd>K</kbd>.</p>\n"
    );
    assert_eq!(
        out.plain_text.split_whitespace().collect::<Vec<_>>(),
        ["hi", "Inline", "K."]
    );
}

#[test]
fn plain_text_and_word_count() {
    let body = "# Title here\n\nOne *two* three.\n\n- four\n- five\n  - six\n\n```rust\nlet not_counted = 1;\n```\n\n`inline` seven\n";
    let out = md(body);
    assert_eq!(
        out.plain_text.split_whitespace().collect::<Vec<_>>(),
        [
            "Title",
            "here",
            "One",
            "two",
            "three.",
            "four",
            "five",
            "six",
            "let",
            "not_counted",
            "=",
            "1;",
            "inline",
            "seven"
        ]
    );
    assert_eq!(out.word_count, 10);
    let out = md("a**b**c\n");
    assert_eq!(out.word_count, 1);
    assert_eq!(words("naïve\u{a0}café  日本語です x"), 8);
}

#[test]
fn heading_spans_and_code_blocks_cut_the_plain_text() {
    let body = "Intro *text*.\n\n## First `one`\n\nBody one.\n\n```rust\nlet x = 1;\n```\n\n\
                > ### Quoted\n> inside\n\n    indented\n";
    let out = md(body);
    let texts: Vec<&str> = out
        .heading_spans
        .iter()
        .map(|r| &out.plain_text[r.clone()])
        .collect();
    assert_eq!(texts, ["First one", "Quoted"]);
    assert_eq!(
        out.plain_text[..out.heading_spans[0].start].trim(),
        "Intro text."
    );
    let between = &out.plain_text[out.heading_spans[0].end..out.heading_spans[1].start];
    assert_eq!(
        between.split_whitespace().collect::<Vec<_>>(),
        ["Body", "one.", "let", "x", "=", "1;"]
    );
    let langs: Vec<Option<&str>> = out.code_blocks.iter().map(|c| c.lang.as_deref()).collect();
    assert_eq!(langs, [Some("rust"), None]);
    assert_eq!(
        &out.plain_text[out.code_blocks[0].range.clone()],
        "let x = 1;\n"
    );
    assert_eq!(
        &out.plain_text[out.code_blocks[1].range.clone()],
        "indented\n"
    );
}

#[test]
fn huge_lesson_renders_whole() {
    let chunk = "## Section heading\n\n\
                 Some *text* with a [link](other.md) and `code`, then a longer sentence that \
                 goes on about budgets, vendors, roadmaps and the people who run them, so that \
                 the paragraph looks like prose rather than markup. Another sentence follows \
                 with **strong** words, a footnote[^1] and ~~struck~~ text.\n\n\
                 - a list item with enough words to wrap\n- another item\n  - nested item\n\n\
                 > A quotation from someone who knew what they were talking about.\n\n\
                 | a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\n";
    let body = chunk.repeat(20_000_000 / chunk.len()) + "[^1]: The note.\n";
    let out = md(&body);
    let count = 20_000_000 / chunk.len();
    assert_eq!(out.headings.len(), count);
    assert_eq!(
        out.headings.last().unwrap().id,
        format!("section-heading-{}", count - 1)
    );
    assert_eq!(out.links.len(), count);
    for tag in ["<h2", "<blockquote", "<table", "<pre"] {
        assert_eq!(out.html.matches(tag).count(), count, "{tag}");
    }
    assert!(out.html.len() > body.len(), "{} bytes", out.html.len());
}

#[test]
fn many_headings_with_the_same_text() {
    let body = "## Same\n\n".repeat(50_000) + &"# Same 1\n".repeat(100);
    let out = md(&body);
    assert_eq!(out.headings.len(), 50_100);
    let ids: HashSet<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids.len(), 50_100);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 10_000;
    let cases = [
        ">".repeat(depth) + " deep\n",
        "- ".repeat(depth) + "deep\n",
        "1. ".repeat(depth) + "deep\n",
        "> - ".repeat(depth) + "deep\n",
        (0..200)
            .map(|i| " ".repeat(i * 2) + "- x\n")
            .collect::<String>(),
        "*".repeat(depth) + "x" + &"*".repeat(depth),
        "[".repeat(depth) + "x" + &"](y)".repeat(depth),
        "![".repeat(depth) + "x" + &"](y)".repeat(depth),
        "<div>".repeat(depth),
        "`".repeat(depth),
        "|a|\n|-|\n".to_string() + &"|x|\n".repeat(depth),
        "[^a]".repeat(depth) + "\n\n" + &"[^a]: b\n".repeat(10),
        "> [!NOTE]\n".repeat(depth),
        "# a {#x}\n".repeat(1000),
    ];
    for body in cases {
        let out = md(&body);
        assert!(!out.html.is_empty(), "{:?}", &body[..20.min(body.len())]);
    }
}

#[test]
fn odd_input_never_panics() {
    let samples = [
        "",
        "\n",
        "\r\n\r\n# a\r\n",
        "\u{feff}# BOM",
        "#",
        "# {#}",
        "# {#a b}",
        "[](",
        "![](<>)",
        "```",
        "~~~\n",
        "    ",
        "\t- x",
        "> [!NOTE]",
        "> [!nope]\n> x",
        "[^]",
        "<!--",
        "|",
        "|-|",
        "\0",
        "é\u{301}",
        "# 🦀 crab",
        "[a]: <>\n[a]",
        "* [ ]",
        "1) x\n2) y",
        "***\n---\n___",
    ];
    for a in samples {
        for b in samples {
            let body = format!("{a}\n{b}");
            let out = render(&body, 0, &TestFences, &TestLinks);
            let _ = out.word_count;
        }
    }
}

#[test]
fn each_table_region_has_its_own_name() {
    let out = md(
        "| a |\n| - |\n| 1 |\n\n## Costs & more\n\n| b |\n| - |\n| 2 |\n\n| c |\n| - |\n| 3 |\n",
    );
    let names: Vec<&str> = out
        .html
        .split("aria-label=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| name.starts_with("Table"))
        .collect();
    assert_eq!(
        names,
        [
            "Table 1",
            "Table 2: Costs &amp; more",
            "Table 3: Costs &amp; more"
        ]
    );
}

#[test]
fn an_empty_header_cell_is_a_plain_cell() {
    let out = md("| | a |\n| --- | --- |\n| x | 1 |\n");
    assert!(
        out.html
            .contains("<thead><tr><td></td><th scope=\"col\">a</th></tr></thead>"),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("<tr><td>x</td><td>1</td></tr>"),
        "{}",
        out.html
    );
}
