//! Pages' rendered Markdown kept between generations of `guide serve`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::Prepared;
use crate::markdown::Rendered;
use crate::model::PageId;

/// Pages' rendered Markdown kept between generations, by source path, for as long as the body
/// and the set of pages (which links resolve against) stay the same: a template change then
/// re-renders pages without parsing their Markdown again.
#[derive(Default)]
pub struct MarkdownCache {
    entries: Mutex<HashMap<String, (u64, Arc<Rendered>)>>,
}

/// Entries kept at most; the cache starts again empty when full.
const CACHED_PAGES: usize = 1024;

impl MarkdownCache {
    pub(super) fn get(&self, path: &str, key: u64) -> Option<Arc<Rendered>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(path)
            .filter(|(k, _)| *k == key)
            .map(|(_, r)| r.clone())
    }

    pub(super) fn put(&self, path: &str, key: u64, rendered: Arc<Rendered>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHED_PAGES {
            entries.clear();
        }
        entries.insert(path.to_owned(), (key, rendered));
    }

    /// Forgets everything (the set of pages or the fenced-block templates changed).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The hash of a page's Markdown and where it starts in its file: what its rendering depends on
/// besides the set of pages.
pub fn body_key(prepared: &Prepared, page: PageId) -> u64 {
    let source = prepared.site.page_source(page);
    xxhash_rust::xxh3::xxh3_64(source.body.as_bytes()) ^ (source.body_line as u64).rotate_left(48)
}
