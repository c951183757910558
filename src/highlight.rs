//! Build-time syntax highlighting with syntect into CSS classes, with a content-hash cache kept in
//! memory and on disk between builds.

mod palette;

use std::collections::HashMap;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use syntect::highlighting::{Color, Theme};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::EmbeddedThemeName;

use crate::markdown::{escape_attr, escape_text};
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// Changes whenever the highlighted HTML for the same input may change (class style, syntaxes,
/// output wrapper), so that stale cache files are ignored. Bump it when syntect or two-face move.
const VERSION_TAG: &str =
    "guide-highlight/2 syntect-5.3 two-face-0.5.2 hl- OneHalfLight OneHalfDark";

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

const LIGHT_THEME: EmbeddedThemeName = EmbeddedThemeName::OneHalfLight;
const DARK_THEME: EmbeddedThemeName = EmbeddedThemeName::OneHalfDark;

/// The code background of the default theme's light scheme (`--code-bg` in `css/tokens.css`):
/// the light theme's colours are made readable on it.
const LIGHT_CODE_BACKGROUND: Color = Color {
    r: 0xf4,
    g: 0xf5,
    b: 0xf7,
    a: 0xff,
};

/// The code background of the dark scheme (`--code-bg` in `css/tokens.css`).
const DARK_CODE_BACKGROUND: Color = Color {
    r: 0x1d,
    g: 0x20,
    b: 0x26,
    a: 0xff,
};

const CACHE_MAGIC: &[u8; 8] = b"GUIDEHLC";
const CACHE_FORMAT: u32 = 1;
const SHARDS: usize = 16;

/// Language names authors commonly write that syntect does not know by that token.
const ALIASES: &[(&str, &str)] = &[
    ("sh", "bash"),
    ("shell", "bash"),
    ("console", "bash"),
    ("zsh", "bash"),
    ("shellscript", "bash"),
    ("javascript", "js"),
    ("node", "js"),
    ("typescript", "ts"),
    ("yml", "yaml"),
    ("docker", "dockerfile"),
    ("py", "python"),
    ("python3", "python"),
    ("rs", "rust"),
    ("golang", "go"),
    ("make", "makefile"),
    ("md", "markdown"),
    ("patch", "diff"),
    ("jsonc", "json"),
    ("cfg", "ini"),
    ("conf", "ini"),
    ("htm", "html"),
    ("postgres", "sql"),
    ("postgresql", "sql"),
];

/// Languages that mean "no highlighting" rather than "unknown".
const PLAIN_LANGS: &[&str] = &["text", "txt", "plain", "plaintext", "none", "output"];

struct CacheEntry {
    html: Arc<str>,
    used: bool,
}

type Shard = Mutex<HashMap<u128, CacheEntry>>;

/// Loaded once per process; highlights code blocks into class-based HTML.
///
/// `Highlighter` is `Send + Sync`: share one (e.g. by reference or in an `Arc`) across rayon
/// threads. The cache is sharded and no lock is held while highlighting.
pub struct Highlighter {
    syntaxes: SyntaxSet,
    by_extension: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    filter: Option<ClassFilter>,
    css: String,
    cache: Vec<Shard>,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    /// Loads the syntax set (syntect defaults plus two-face's extra syntaxes) and the One Half
    /// themes, their colours adjusted to 4.5:1 contrast on the code background.
    pub fn new() -> Self {
        let syntaxes = two_face::syntax::extra_newlines();
        let mut by_extension = HashMap::new();
        let mut by_name = HashMap::new();
        for (index, syntax) in syntaxes.syntaxes().iter().enumerate() {
            for ext in &syntax.file_extensions {
                by_extension.insert(ext.to_ascii_lowercase(), index);
            }
            by_name.insert(syntax.name.to_ascii_lowercase(), index);
        }
        let themes = two_face::theme::extra();
        let light = palette::readable_theme(themes.get(LIGHT_THEME), LIGHT_CODE_BACKGROUND);
        let dark = palette::readable_theme(themes.get(DARK_THEME), DARK_CODE_BACKGROUND);
        Highlighter {
            syntaxes,
            by_extension,
            by_name,
            filter: ClassFilter::new(&[&light, &dark]),
            css: build_css(&light, &dark),
            cache: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
        }
    }

    /// Reads a cache file written by [`Highlighter::save_cache`]; a missing or corrupt file is ignored.
    pub fn load_cache(&self, path: &Path) {
        let Ok(bytes) = std::fs::read(path) else {
            return;
        };
        let Some(entries) = decode_cache(&bytes) else {
            return;
        };
        for (key, html) in entries {
            self.shard(key).entry(key).or_insert(CacheEntry {
                html: Arc::from(html),
                used: false,
            });
        }
    }

    /// Writes the blocks highlighted or reused in this run (stale entries are dropped).
    pub fn save_cache(&self, path: &Path) -> std::io::Result<()> {
        let mut entries: Vec<(u128, Arc<str>)> = Vec::new();
        for index in 0..SHARDS {
            let shard = lock(&self.cache[index]);
            entries.extend(
                shard
                    .iter()
                    .filter(|(_, entry)| entry.used)
                    .map(|(key, entry)| (*key, Arc::clone(&entry.html))),
            );
        }
        entries.sort_unstable_by_key(|(key, _)| *key);
        let bytes = encode_cache(&entries);

        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(format!(".tmp{}", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        // Not synced: the file is checksummed, and a cache lost in a crash is only rebuilt.
        let written = std::fs::File::create(&tmp).and_then(|mut file| file.write_all(&bytes));
        match written.and_then(|()| std::fs::rename(&tmp, path)) {
            Ok(()) => Ok(()),
            Err(err) => {
                let _ = std::fs::remove_file(&tmp);
                Err(err)
            }
        }
    }

    /// `<pre class="code" data-lang=".."><code>…</code></pre>` with `hl-` classed spans; unknown
    /// languages come back escaped and unhighlighted.
    pub fn highlight(&self, lang: &str, code: &str) -> String {
        let Some(syntax) = self.find_syntax(lang) else {
            return plain_block(lang, code);
        };
        let key = cache_key(lang, code);
        let cached = self.shard(key).get_mut(&key).map(|entry| {
            entry.used = true;
            Arc::clone(&entry.html)
        });
        if let Some(html) = cached {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return String::from(&*html);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let Some(inner) = self.classed_html(syntax, code) else {
            return plain_block(lang, code);
        };
        let mut html = String::with_capacity(inner.len() + lang.len() + 60);
        html.push_str("<pre class=\"code\" data-lang=\"");
        escape_attr(&mut html, lang);
        html.push_str("\"><code>");
        html.push_str(&inner);
        html.push_str("</code></pre>");
        self.shard(key).insert(
            key,
            CacheEntry {
                html: Arc::from(html.as_str()),
                used: true,
            },
        );
        html
    }

    /// CSS for the light theme, and for the dark one scoped to dark mode.
    pub fn css(&self) -> String {
        self.css.clone()
    }

    /// Cache hits and misses (blocks highlighted) since this highlighter was made.
    pub fn stats(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Whether `lang` names a language this highlighter colours.
    pub fn knows(&self, lang: &str) -> bool {
        self.find_syntax(lang).is_some()
    }

    fn find_syntax(&self, lang: &str) -> Option<&SyntaxReference> {
        let lang = lang.trim();
        if lang.is_empty() || lang.len() > 64 {
            return None;
        }
        let lower = lang.to_ascii_lowercase();
        if PLAIN_LANGS.contains(&lower.as_str()) {
            return None;
        }
        let token = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map_or(lower.as_str(), |(_, target)| target);
        let index = self
            .by_extension
            .get(token)
            .or_else(|| self.by_name.get(token))?;
        self.syntaxes.syntaxes().get(*index)
    }

    fn classed_html(&self, syntax: &SyntaxReference, code: &str) -> Option<String> {
        catch_unwind(AssertUnwindSafe(|| {
            let mut generator =
                ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, CLASS_STYLE);
            for line in LinesWithEndings::from(code) {
                generator
                    .parse_html_for_line_which_includes_newline(line)
                    .ok()?;
            }
            let html = generator.finalize();
            Some(match &self.filter {
                Some(filter) => filter.apply(&html),
                None => html,
            })
        }))
        .ok()
        .flatten()
    }

    fn shard(&self, key: u128) -> MutexGuard<'_, HashMap<u128, CacheEntry>> {
        lock(&self.cache[(key as usize) % SHARDS])
    }
}

/// The classes of syntect's spans that the theme CSS can match, as bit sets over the scope atoms
/// the two themes mention. Spans and classes no rule can match are dropped from the HTML: pages get
/// several times smaller and look the same, since the CSS only uses class and descendant
/// selectors.
struct ClassFilter {
    atoms: HashMap<String, u32>,
    /// One mask per compound selector (`.hl-string.hl-quoted`) of any theme rule.
    compounds: Vec<u128>,
}

impl ClassFilter {
    /// `None` when the themes mention more atoms than fit the masks (then nothing is dropped).
    fn new(themes: &[&Theme]) -> Option<Self> {
        let mut atoms: HashMap<String, u32> = HashMap::new();
        let mut compounds = Vec::new();
        let selectors = themes
            .iter()
            .flat_map(|theme| &theme.scopes)
            .flat_map(|item| &item.scope.selectors);
        for selector in selectors {
            for scope in selector.extract_scopes() {
                let mut mask = 0u128;
                for atom in scope.build_string().split('.').filter(|a| !a.is_empty()) {
                    let next = u32::try_from(atoms.len()).ok()?;
                    let bit = *atoms.entry(atom.to_string()).or_insert(next);
                    mask |= 1u128.checked_shl(bit)?;
                }
                if mask != 0 {
                    compounds.push(mask);
                }
            }
        }
        compounds.sort_unstable();
        compounds.dedup();
        Some(ClassFilter { atoms, compounds })
    }

    fn bit(&self, class: &str) -> u128 {
        class
            .strip_prefix("hl-")
            .and_then(|atom| self.atoms.get(atom))
            .map_or(0, |bit| 1u128 << bit)
    }

    /// Rewrites syntect's classed HTML (spans and escaped text, nothing else).
    fn apply(&self, html: &str) -> String {
        const OPEN: &str = "<span class=\"";
        const CLOSE: &str = "</span>";
        let mut out = String::with_capacity(html.len() / 2);
        let mut kept_spans: Vec<bool> = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            if let Some(after) = rest.strip_prefix(CLOSE) {
                if kept_spans.pop().unwrap_or(true) {
                    out.push_str(CLOSE);
                }
                rest = after;
            } else if let Some((classes, after)) = rest
                .strip_prefix(OPEN)
                .and_then(|tail| tail.split_once("\">"))
            {
                kept_spans.push(self.push_open(&mut out, classes));
                rest = after;
            } else {
                out.push('<');
                rest = &rest[1..];
            }
        }
        out.push_str(rest);
        out
    }

    fn push_open(&self, out: &mut String, classes: &str) -> bool {
        let element = classes.split(' ').fold(0, |mask, c| mask | self.bit(c));
        let kept = self
            .compounds
            .iter()
            .filter(|&&compound| compound & !element == 0)
            .fold(0, |mask, compound| mask | compound);
        if kept == 0 {
            return false;
        }
        out.push_str("<span class=\"");
        let mut first = true;
        for class in classes.split(' ') {
            if self.bit(class) & kept != 0 {
                if !first {
                    out.push(' ');
                }
                out.push_str(class);
                first = false;
            }
        }
        out.push_str("\">");
        true
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn cache_key(lang: &str, code: &str) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(VERSION_TAG.as_bytes());
    hasher.update(&(lang.len() as u64).to_le_bytes());
    hasher.update(lang.as_bytes());
    hasher.update(code.as_bytes());
    hasher.digest128()
}

fn plain_block(lang: &str, code: &str) -> String {
    let mut html = String::with_capacity(code.len() + code.len() / 8 + lang.len() + 60);
    html.push_str("<pre class=\"code\"");
    if !lang.is_empty() {
        html.push_str(" data-lang=\"");
        escape_attr(&mut html, lang);
        html.push('"');
    }
    html.push_str("><code>");
    escape_text(&mut html, code);
    html.push_str("</code></pre>");
    html
}

fn encode_cache(entries: &[(u128, Arc<str>)]) -> Vec<u8> {
    let size: usize = entries.iter().map(|(_, html)| 20 + html.len()).sum();
    let mut bytes = Vec::with_capacity(size + 40);
    bytes.extend_from_slice(CACHE_MAGIC);
    bytes.extend_from_slice(&CACHE_FORMAT.to_le_bytes());
    bytes.extend_from_slice(&xxh3_64(VERSION_TAG.as_bytes()).to_le_bytes());
    bytes.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (key, html) in entries {
        bytes.extend_from_slice(&key.to_le_bytes());
        bytes.extend_from_slice(&(html.len() as u32).to_le_bytes());
        bytes.extend_from_slice(html.as_bytes());
    }
    let checksum = xxh3_64(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

fn decode_cache(bytes: &[u8]) -> Option<Vec<(u128, &str)>> {
    let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if xxh3_64(body) != u64::from_le_bytes(checksum.try_into().ok()?) {
        return None;
    }
    let mut reader = Reader(body);
    if reader.take(8)? != CACHE_MAGIC
        || u32::from_le_bytes(reader.array()?) != CACHE_FORMAT
        || u64::from_le_bytes(reader.array()?) != xxh3_64(VERSION_TAG.as_bytes())
    {
        return None;
    }
    let count = usize::try_from(u64::from_le_bytes(reader.array()?)).ok()?;
    let mut entries = Vec::with_capacity(count.min(body.len() / 20));
    for _ in 0..count {
        let key = u128::from_le_bytes(reader.array()?);
        let len = u32::from_le_bytes(reader.array()?) as usize;
        let html = std::str::from_utf8(reader.take(len)?).ok()?;
        entries.push((key, html));
    }
    reader.0.is_empty().then_some(entries)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

/// The light theme applies unless dark mode is chosen (`html[data-theme="dark"]`, or the system
/// prefers dark and the page did not pick light). Backgrounds of the code block itself are left
/// to the page's CSS so the theme variables decide them.
fn build_css(light: &Theme, dark: &Theme) -> String {
    let light_css = css_for_theme_with_class_style(light, CLASS_STYLE).unwrap_or_default();
    let dark_css = css_for_theme_with_class_style(dark, CLASS_STYLE).unwrap_or_default();
    let mut css = String::with_capacity((light_css.len() + dark_css.len()) * 3);
    css.push_str("/* Syntax highlighting: light and dark themes. */\n");
    push_scoped_rules(&mut css, &light_css, "html[data-theme=\"light\"]", "");
    css.push_str("@media not all and (prefers-color-scheme: dark) {\n");
    push_scoped_rules(
        &mut css,
        &light_css,
        "html:not([data-theme=\"dark\"])",
        "  ",
    );
    css.push_str("}\n");
    push_scoped_rules(&mut css, &dark_css, "html[data-theme=\"dark\"]", "");
    css.push_str("@media (prefers-color-scheme: dark) {\n");
    push_scoped_rules(
        &mut css,
        &dark_css,
        "html:not([data-theme=\"light\"])",
        "  ",
    );
    css.push_str("}\n");
    css
}

fn push_scoped_rules(out: &mut String, theme_css: &str, scope: &str, indent: &str) {
    let stripped = strip_css_comments(theme_css);
    let mut rest = stripped.as_str();
    while let Some((selectors, tail)) = rest.split_once('{') {
        let Some((body, tail)) = tail.split_once('}') else {
            break;
        };
        rest = tail;
        let mut declarations: Vec<&str> = body
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .collect();
        let mut selectors: Vec<&str> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if selectors == [".hl-code"] {
            selectors = vec!["pre.code"];
            declarations.retain(|d| !d.starts_with("background"));
        }
        if selectors.is_empty() || declarations.is_empty() {
            continue;
        }
        out.push_str(indent);
        for (i, selector) in selectors.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(scope);
            out.push(' ');
            out.push_str(selector);
        }
        out.push_str(" { ");
        for declaration in &declarations {
            out.push_str(declaration);
            out.push_str("; ");
        }
        out.push_str("}\n");
    }
}

fn strip_css_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn shared() -> &'static Highlighter {
        static HIGHLIGHTER: OnceLock<Highlighter> = OnceLock::new();
        HIGHLIGHTER.get_or_init(Highlighter::new)
    }

    #[test]
    fn common_languages_produce_classed_spans() {
        let h = shared();
        let samples = [
            ("rust", "fn main() { let x = 1; }\n"),
            ("toml", "[package]\nname = \"x\"\n"),
            ("typescript", "const x: number = 1;\n"),
            ("ts", "let y: string = 'a';\n"),
            ("tsx", "const a = <div>hi</div>;\n"),
            ("dockerfile", "FROM rust:1\nRUN cargo build\n"),
            ("Dockerfile", "FROM alpine\n"),
            ("yaml", "key: value\nlist:\n  - a\n"),
            ("yml", "key: 1\n"),
            ("bash", "echo \"$HOME\"\n"),
            ("sh", "ls -la\n"),
            ("shell", "cd build\n"),
            ("console", "cargo test\n"),
            ("python", "def f():\n    return 1\n"),
            ("py", "import os\n"),
            ("rs", "struct A;\n"),
            ("json", "{\"a\": 1}\n"),
            ("sql", "SELECT * FROM t;\n"),
            ("go", "package main\n"),
            ("java", "class A {}\n"),
            ("js", "let a = 1;\n"),
            ("javascript", "var a = 1;\n"),
            ("html", "<p class=\"a\">x</p>\n"),
            ("css", "a { color: red; }\n"),
            ("ini", "[a]\nb = c\n"),
            ("diff", "+added\n-removed\n"),
            ("markdown", "# Title\n"),
            ("makefile", "all:\n\tcc x.c\n"),
            ("RUST", "fn a() {}\n"),
        ];
        for (lang, code) in samples {
            let html = h.highlight(lang, code);
            assert!(
                html.starts_with(&format!("<pre class=\"code\" data-lang=\"{lang}\"><code>")),
                "{lang}: {html}"
            );
            assert!(html.contains("<span class=\"hl-"), "{lang}: {html}");
            assert!(html.ends_with("</code></pre>"), "{lang}: {html}");
        }
    }

    #[test]
    fn spans_keep_only_classes_the_css_can_match() {
        let h = shared();
        let css = h.css();
        let code = "def f(x):\n    \"\"\"Doc.\"\"\"\n    return {k: 1 for k in x}  # done\n";
        let html = h.highlight("python", code);
        let opened = html.matches("<span").count();
        assert_eq!(opened, html.matches("</span>").count(), "{html}");
        assert!(opened > 5, "{html}");
        for class in html.split("class=\"").skip(2).flat_map(|rest| {
            rest.split('"')
                .next()
                .unwrap_or("")
                .split(' ')
                .collect::<Vec<_>>()
        }) {
            assert!(
                css.contains(&format!(".{class}")),
                "{class} is not in the CSS"
            );
        }
        assert!(!html.contains("hl-python"), "{html}");
        let text: String = {
            let mut text = String::new();
            let mut in_tag = false;
            for c in html.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' if in_tag => in_tag = false,
                    _ if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text
        };
        assert_eq!(text.replace("&quot;", "\""), code);
    }

    #[test]
    fn unknown_language_is_escaped_plain() {
        let h = shared();
        let html = h.highlight("nosuchlang", "<script>alert('x')</script> & more");
        assert_eq!(
            html,
            "<pre class=\"code\" data-lang=\"nosuchlang\"><code>&lt;script&gt;alert('x')&lt;/script&gt; &amp; more</code></pre>"
        );
        let html = h.highlight("", "<script>");
        assert_eq!(
            html,
            "<pre class=\"code\"><code>&lt;script&gt;</code></pre>"
        );
        let html = h.highlight("\"><x", "a");
        assert!(html.contains("data-lang=\"&quot;&gt;&lt;x\""), "{html}");
        assert!(!h.knows("text"));
        assert!(h.knows("Rust"));
    }

    #[test]
    fn highlighted_code_is_escaped() {
        let html = shared().highlight("rust", "let s = \"<script>\";\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn odd_input_never_panics() {
        let h = shared();
        let long_line = "x".repeat(100_000);
        for code in [
            "",
            "\n",
            "\r\n\r\n",
            "fn",
            "\u{0}\u{feff}é",
            long_line.as_str(),
        ] {
            for lang in ["rust", "yaml", "html", "bash", "nope", ""] {
                let html = h.highlight(lang, code);
                assert!(html.ends_with("</code></pre>"));
            }
        }
    }

    #[test]
    fn cache_round_trip_through_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache").join("highlight.bin");

        let first = Highlighter::new();
        let a = first.highlight("rust", "fn a() {}\n");
        let b = first.highlight("toml", "x = 1\n");
        assert_eq!(first.highlight("rust", "fn a() {}\n"), a);
        assert_eq!(first.stats(), (1, 2));
        first.save_cache(&path).unwrap();

        let second = Highlighter::new();
        second.load_cache(&path);
        assert_eq!(second.highlight("rust", "fn a() {}\n"), a);
        assert_eq!(second.stats(), (1, 0));
        second.save_cache(&path).unwrap();

        let third = Highlighter::new();
        third.load_cache(&path);
        assert_eq!(third.highlight("toml", "x = 1\n"), b);
        assert_eq!(
            third.stats(),
            (0, 1),
            "entries unused in the previous run are dropped"
        );
    }

    #[test]
    fn corrupt_or_truncated_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("highlight.bin");
        let h = Highlighter::new();
        let good = h.highlight("rust", "fn a() {}\n");
        h.save_cache(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();

        let mut flipped = bytes.clone();
        flipped[40] ^= 0x55;
        let cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"garbage".to_vec(),
            bytes[..bytes.len() / 2].to_vec(),
            bytes[..bytes.len() - 1].to_vec(),
            flipped,
            vec![0xff; 4096],
        ];
        for case in cases {
            std::fs::write(&path, &case).unwrap();
            let fresh = Highlighter::new();
            fresh.load_cache(&path);
            assert_eq!(fresh.highlight("rust", "fn a() {}\n"), good);
            assert_eq!(fresh.stats(), (0, 1));
        }
        let fresh = Highlighter::new();
        fresh.load_cache(&dir.path().join("missing.bin"));
        assert_eq!(fresh.stats(), (0, 0));
    }

    #[test]
    fn decode_rejects_bad_lengths() {
        let entries = vec![(7u128, Arc::<str>::from("<span>x</span>"))];
        let mut bytes = encode_cache(&entries);
        assert_eq!(
            decode_cache(&bytes).unwrap(),
            vec![(7u128, "<span>x</span>")]
        );
        let len_at = 8 + 4 + 8 + 8 + 16;
        bytes[len_at..len_at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let body_len = bytes.len() - 8;
        let checksum = xxh3_64(&bytes[..body_len]);
        bytes[body_len..].copy_from_slice(&checksum.to_le_bytes());
        assert!(decode_cache(&bytes).is_none());
    }

    #[test]
    fn css_has_both_themes_scoped() {
        let css = shared().css();
        assert!(css.contains("html[data-theme=\"light\"] .hl-"), "{css}");
        assert!(css.contains("html[data-theme=\"dark\"] .hl-"), "{css}");
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(css.contains("html:not([data-theme=\"light\"]) .hl-"));
        assert!(css.contains("html[data-theme=\"dark\"] pre.code { color:"));
        assert!(!css.contains(".hl-code"));
        assert!(!css.contains("background-color: #282c34"));
        assert!(!css.contains("background-color: #fafafa"));
        let open = css.matches('{').count();
        assert_eq!(open, css.matches('}').count());
        for line in css
            .lines()
            .filter(|l| l.contains('{') && l.contains(".hl-"))
        {
            assert!(
                line.trim_start().starts_with("html"),
                "unscoped rule: {line}"
            );
        }
    }

    #[test]
    fn parallel_use_shares_the_cache() {
        use rayon::prelude::*;
        let h = Highlighter::new();
        let blocks: Vec<String> = (0..200)
            .map(|i| format!("fn f{}() -> u32 {{ {} }}\n", i % 50, i % 50))
            .collect();
        let out: Vec<String> = blocks.par_iter().map(|b| h.highlight("rust", b)).collect();
        assert_eq!(out.len(), 200);
        let (hits, misses) = h.stats();
        assert_eq!(hits + misses, 200);
        assert!(misses >= 50);
    }

    #[test]
    #[ignore = "timing report; run with --release -- --ignored --nocapture"]
    fn measure_speed() {
        let start = std::time::Instant::now();
        let h = Highlighter::new();
        let new_time = start.elapsed();
        let rust = "use std::collections::HashMap;\n\n/// A vendor and its contracts.\n\
            #[derive(Debug, Clone)]\npub struct Vendor {\n    pub name: String,\n    \
            pub contracts: Vec<Contract>,\n}\n\nimpl Vendor {\n    \
            pub fn new(name: &str) -> Self {\n        Self { name: name.to_string(), \
            contracts: Vec::new() }\n    }\n\n    pub fn total(&self) -> u64 {\n        \
            self.contracts.iter().map(|c| c.value).sum()\n    }\n\n    \
            pub fn by_year(&self) -> HashMap<u16, u64> {\n        let mut years = HashMap::new();\n        \
            for c in &self.contracts {\n            *years.entry(c.year).or_insert(0) += c.value;\n        \
            }\n        years\n    }\n}\n\nfn main() {\n    let v = Vendor::new(\"acme\");\n    \
            println!(\"{} {}\", v.name, v.total()); // 0\n}\n";
        let yaml = "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    \
            runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      \
            - run: cargo test --all\n        env:\n          RUST_LOG: debug\n";
        for (lang, code) in [("rust", rust), ("yaml", yaml)] {
            let syntax = h.find_syntax(lang).unwrap();
            let lines = code.lines().count();
            assert!(h.classed_html(syntax, code).is_some());
            let rounds = 300;
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                let _ = h.classed_html(syntax, code);
            }
            let took = start.elapsed();
            println!(
                "{lang}: {:.0} lines/s ({:?} per {lines}-line block)",
                (rounds * lines) as f64 / took.as_secs_f64(),
                took / rounds as u32
            );
        }
        let start = std::time::Instant::now();
        for _ in 0..10_000 {
            let _ = h.highlight("rust", rust);
        }
        println!("cached: {:?} per block", start.elapsed() / 10_000);
        println!("new: {new_time:?}");
    }
}
