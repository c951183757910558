//! The site-wide files that are not pages of the guide: what the templates of `404.html` and
//! `print.html` get, how page bodies are streamed into `print.html`, and `sitemap.xml`.

use serde::Serialize;

use crate::context::PageContext;
use crate::model::{PageId, Site};
use crate::nav;
use crate::outputs::{NOT_FOUND, PRINT};

/// Where page `i`'s body goes in the rendered print template.
pub(crate) fn print_placeholder(i: usize) -> String {
    format!("<!--guide-print-{i}-->")
}

/// A page of `print.html`.
#[derive(Debug, Serialize)]
pub(crate) struct PrintPage<'a> {
    id: String,
    title: &'a str,
    depth: usize,
    content: String,
}

/// The pages of `print.html` in reading order, each with a placeholder for its body.
pub(crate) fn print_pages<'a>(site: &'a Site, order: &[PageId]) -> Vec<PrintPage<'a>> {
    order
        .iter()
        .enumerate()
        .map(|(i, &p)| PrintPage {
            id: nav::page_key(p),
            title: &site.page_front(p).title,
            depth: match p {
                PageId::Section(s) => site.ancestry(s).len() - 1,
                PageId::Lesson(l) => site.ancestry(site.lesson(l).section).len(),
            },
            content: print_placeholder(i),
        })
        .collect()
}

/// `print.html`'s own context: the landing page's, outside the reading order.
pub(crate) fn print_context(mut landing: PageContext<'_>) -> PageContext<'_> {
    landing.kind = "print";
    landing.id = "print".into();
    landing.url = PRINT;
    landing.prev = None;
    landing.next = None;
    landing.edit_url = None;
    landing
}

/// `404.html`'s context; its CSS is inlined so that it works at any depth.
pub(crate) fn not_found<'a>(site: &Site, css: &'a str) -> PageContext<'a> {
    PageContext {
        kind: "404",
        id: "404".into(),
        title: "Page not found",
        url: NOT_FOUND,
        nav: nav::expanded_at(site, site.root()),
        inline_css: Some(css),
        ..PageContext::default()
    }
}

/// `sitemap.xml` listing `urls` under the site's absolute `base` URL.
pub(crate) fn sitemap<'u>(base: &str, urls: impl Iterator<Item = &'u str>) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&format!("{base}{url}")));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
