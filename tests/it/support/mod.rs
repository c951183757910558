//! Helpers shared by the integration tests: fixture guides copied into temp folders, the real
//! `guide` binary run on them, folder snapshots, and plain string searches over the HTML a reader
//! gets (no HTML parser: a small tag scanner is enough for the theme contract).

pub mod browser;
pub mod serve;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The folder of the fixture sites.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// A guide in a temp folder: the guide itself is `<tmp>/guide`, so that tests can put output
/// folders, fake home folders and the like next to it, all inside the temp folder.
pub struct Guide {
    pub tmp: TempDir,
    pub root: PathBuf,
}

impl Guide {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Guide {
        let guide = Guide::empty();
        copy_dir(&fixtures_dir().join(name), &guide.root);
        guide
    }

    /// An empty guide folder (no `book.toml`).
    pub fn empty() -> Guide {
        let tmp = tempfile::Builder::new()
            .prefix("guide-test-")
            .tempdir()
            .expect("create a temp folder");
        let root = tmp.path().join("guide");
        std::fs::create_dir_all(&root).expect("create the guide folder");
        Guide { tmp, root }
    }

    /// A path under the guide root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// A path in the temp folder, beside the guide root.
    pub fn beside(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Writes a file under the guide root, creating its folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {rel}: {e}"));
    }

    /// Appends to a file under the guide root.
    pub fn append(&self, rel: &str, contents: &str) {
        let mut text = self.read(rel);
        text.push_str(contents);
        self.write(rel, text);
    }

    /// Reads a text file under the guide root.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn remove(&self, rel: &str) {
        let path = self.path(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(path).expect("remove folder");
        } else {
            std::fs::remove_file(path).expect("remove file");
        }
    }

    /// Runs `guide` with `args`, from the temp folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// Runs `guide` with `args` and extra environment variables.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &Path)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guide"));
        cmd.args(args)
            .current_dir(self.tmp.path())
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::of(&mut cmd, args)
    }

    /// `guide build --root <root>` (into book.toml's output-dir).
    pub fn build(&self) -> Run {
        self.run(&["build", "--root", &self.root_str()])
    }

    /// `guide build --root <root>` plus more arguments.
    pub fn build_with(&self, extra: &[&str]) -> Run {
        let root = self.root_str();
        let mut args = vec!["build", "--root", root.as_str()];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `guide check --root <root>`.
    pub fn check(&self) -> Run {
        self.run(&["check", "--root", &self.root_str()])
    }

    pub fn root_str(&self) -> String {
        self.root.to_str().expect("UTF-8 temp path").to_owned()
    }

    /// The default output folder, `<root>/public`.
    pub fn out(&self) -> Site {
        Site::at(self.path("public"))
    }

    /// Every file and folder of the temp folder (guide and anything beside it), with contents.
    pub fn snapshot(&self) -> Snapshot {
        snapshot(self.tmp.path())
    }
}

/// What a run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: String,
}

impl Run {
    fn of(cmd: &mut Command, args: &[&str]) -> Run {
        let out = cmd.output().expect("run the guide binary");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            args: args.join(" "),
        }
    }

    /// Panics, showing the output, unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "`guide {}` exited with {} (expected {code})\n--- stderr:\n{}\n--- stdout:\n{}",
            self.args, self.code, self.stderr, self.stdout
        );
        self
    }

    pub fn ok(&self) -> &Self {
        self.expect_code(0)
    }

    /// Panics unless stderr contains `needle`.
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr of `guide {}` lacks {needle:?}:\n{}",
            self.args,
            self.stderr
        );
        self
    }

    /// Panics if stderr contains `needle`.
    pub fn stderr_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.stderr.contains(needle),
            "stderr of `guide {}` should not contain {needle:?}:\n{}",
            self.args,
            self.stderr
        );
        self
    }

    /// The number of `error:` headlines on stderr.
    pub fn error_count(&self) -> usize {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count()
    }
}

/// Path → contents (`None` for a folder, `Some("-> target")` bytes for a symlink).
pub type Snapshot = BTreeMap<String, Option<Vec<u8>>>;

/// Every entry under `dir` with its bytes; symlinks are recorded, not followed.
pub fn snapshot(dir: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn walk(base: &Path, dir: &Path, out: &mut Snapshot) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let rel = path
            .strip_prefix(base)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).expect("read link");
            out.insert(rel, Some(format!("-> {}", target.display()).into_bytes()));
        } else if meta.is_dir() {
            out.insert(rel, None);
            walk(base, &path, out);
        } else {
            out.insert(rel, Some(std::fs::read(&path).expect("read file")));
        }
    }
}

/// Panics with the paths that differ between two snapshots.
pub fn assert_same(before: &Snapshot, after: &Snapshot, what: &str) {
    if before == after {
        return;
    }
    let mut diffs = Vec::new();
    for (path, contents) in before {
        match after.get(path) {
            None => diffs.push(format!("removed: {path}")),
            Some(c) if c != contents => diffs.push(format!("changed: {path}")),
            Some(_) => {}
        }
    }
    for path in after.keys() {
        if !before.contains_key(path) {
            diffs.push(format!("added:   {path}"));
        }
    }
    panic!("{what}:\n{}", diffs.join("\n"));
}

/// Copies a folder tree (files and folders only).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()))
    {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A built site: the output folder.
pub struct Site {
    pub dir: PathBuf,
}

impl Site {
    pub fn at(dir: PathBuf) -> Site {
        Site { dir }
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).is_file()
    }

    /// The text of an output file; panics with the list of files when it is missing.
    pub fn page(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel)).unwrap_or_else(|e| {
            panic!(
                "cannot read {rel} in the output ({e}); files: {:?}",
                self.files()
            )
        })
    }

    /// Every file of the output, `/`-separated and relative to it, sorted.
    pub fn files(&self) -> Vec<String> {
        snapshot(&self.dir)
            .into_iter()
            .filter_map(|(path, contents)| contents.map(|_| path))
            .collect()
    }

    /// Every `.html` file of the output.
    pub fn pages(&self) -> Vec<String> {
        self.files()
            .into_iter()
            .filter(|f| f.ends_with(".html"))
            .collect()
    }

    /// Every `href`/`src` of every page (and every `url(…)` of every stylesheet) that points
    /// inside the site but names no file of the output, or an `#anchor` the target lacks.
    pub fn broken_references(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for file in self.files() {
            let text = match std::fs::read(self.dir.join(&file)) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => continue,
            };
            let refs: Vec<String> = if file.ends_with(".html") {
                references(&text).into_iter().map(|(_, v)| v).collect()
            } else if file.ends_with(".css") {
                css_urls(&text)
            } else {
                continue;
            };
            for value in refs {
                if let Err(why) = self.resolve_reference(&file, &text, &value) {
                    problems.push(format!("{file}: `{value}`: {why}"));
                }
            }
        }
        problems
    }

    fn resolve_reference(&self, from: &str, from_text: &str, value: &str) -> Result<(), String> {
        let lower = value.to_ascii_lowercase();
        if is_external(&lower) {
            return Ok(());
        }
        // Browsers percent-decode both parts before looking for the file and the element.
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let (path, fragment) = match value.split_once('#') {
            Some((p, f)) => (p, Some(decode(f))),
            None => (value, None),
        };
        let path = decode(path.split('?').next().unwrap_or(""));
        let path = path.as_str();
        let fragment = fragment.as_deref();
        if path.is_empty() {
            return match fragment {
                Some(f) if !f.is_empty() && !has_id(from_text, f) => {
                    Err("no element with this id on the page".into())
                }
                _ => Ok(()),
            };
        }
        if path.starts_with('/') {
            return Err("root-absolute: breaks under a sub-path and from disk".into());
        }
        let target = resolve(from, path).ok_or("climbs above the site root")?;
        let disk = self.dir.join(&target);
        if disk.is_dir() {
            return Err("names a folder, not a file (breaks from disk)".into());
        }
        if !disk.is_file() {
            return Err(format!("no file `{target}` in the output"));
        }
        if let Some(f) = fragment.filter(|f| !f.is_empty())
            && target.ends_with(".html")
        {
            let text = std::fs::read_to_string(&disk).unwrap_or_default();
            if !has_id(&text, f) {
                return Err(format!("`{target}` has no element with id `{f}`"));
            }
        }
        Ok(())
    }

    /// Every `href`/`src` value of every page that is root-absolute (`/x`) or leaves the site
    /// (`http:`, `https:`, `//host`), as `page: value`.
    pub fn absolute_references(&self) -> Vec<String> {
        let mut out = Vec::new();
        for page in self.pages() {
            for (_, value) in references(&self.page(&page)) {
                let lower = value.to_ascii_lowercase();
                if lower.starts_with('/') || lower.starts_with("http") {
                    out.push(format!("{page}: {value}"));
                }
            }
        }
        out
    }
}

/// Whether a reference leaves the site or is not a file reference at all.
fn is_external(lower: &str) -> bool {
    lower.starts_with("http:")
        || lower.starts_with("https:")
        || lower.starts_with("//")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
        || lower.starts_with("data:")
        || lower.starts_with("javascript:")
}

/// `rel` resolved against the folder of the site file `from`; `None` when it climbs out.
pub fn resolve(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The root-relative target (with `#fragment`) of a link `href` found on page `from`.
pub fn target_of(from: &str, href: &str) -> String {
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (href, None),
    };
    let mut out = if path.is_empty() {
        from.to_owned()
    } else {
        resolve(from, path).unwrap_or_else(|| format!("<outside the site: {href}>"))
    };
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Whether some element of `html` has `id="<id>"`.
pub fn has_id(html: &str, id: &str) -> bool {
    tags(html)
        .iter()
        .any(|t| t.attr("id").as_deref() == Some(id))
}

/// Every `url(…)` of a stylesheet that is not a `data:` URL.
pub fn css_urls(css: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = css;
    while let Some(i) = rest.find("url(") {
        rest = &rest[i + 4..];
        let end = rest.find(')').unwrap_or(rest.len());
        let value = rest[..end].trim().trim_matches(['"', '\'']).to_owned();
        if !value.starts_with("data:") && !value.is_empty() {
            out.push(value);
        }
        rest = &rest[end..];
    }
    out
}

/// A start tag found in HTML.
#[derive(Debug, Clone)]
pub struct Tag<'a> {
    /// Lower-case tag name.
    pub name: String,
    /// The whole start tag, `<a href="…">`.
    pub raw: &'a str,
    /// Byte offset of the `<` in the document.
    pub start: usize,
}

impl Tag<'_> {
    /// Byte offset just past the `>`.
    pub fn end(&self) -> usize {
        self.start + self.raw.len()
    }

    /// The value of attribute `name`, entities `&amp; &lt; &gt; &quot; &#39;` decoded; `Some("")`
    /// for a bare attribute.
    pub fn attr(&self, name: &str) -> Option<String> {
        attributes(self.raw)
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }
}

impl Tag<'_> {
    /// Every attribute of the tag, in order: its name as written and its decoded value.
    pub fn attrs(&self) -> Vec<(String, String)> {
        attributes(self.raw)
    }
}

/// Every start tag of `html`, in order; comments, end tags and the insides of `<script>` and
/// `<style>` are skipped.
pub fn tags(html: &str) -> Vec<Tag<'_>> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            i = start + rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        let Some(&first) = bytes.get(start + 1) else {
            break;
        };
        if !first.is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
        let mut j = start + 1;
        let mut quote: Option<u8> = None;
        while j < bytes.len() {
            match (quote, bytes[j]) {
                (None, b'"' | b'\'') => quote = Some(bytes[j]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let end = (j + 1).min(html.len());
        let raw = &html[start..end];
        let name: String = raw[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        i = end;
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = html[end..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |e| end + e);
        }
        out.push(Tag { name, raw, start });
    }
    out
}

fn attributes(raw: &str) -> Vec<(String, String)> {
    let inner = raw
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let chars: Vec<char> = inner.chars().collect();
    let mut i = chars
        .iter()
        .position(|c| c.is_whitespace())
        .unwrap_or(chars.len());
    let mut out = Vec::new();
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let name_start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let name: String = chars[name_start..i].iter().collect();
        if name.is_empty() {
            break;
        }
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let q = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != q {
                    value.push(chars[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        out.push((name, decode_entities(&value)));
    }
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Every `href` and `src` value of `html`, with the name of the tag it is on.
pub fn references(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for tag in tags(html) {
        for attr in ["href", "src"] {
            if let Some(v) = tag.attr(attr) {
                out.push((tag.name.clone(), v));
            }
        }
    }
    out
}

/// The start tags named `name` (e.g. `"a"`) in `html`.
pub fn tags_named<'a>(html: &'a str, name: &str) -> Vec<Tag<'a>> {
    tags(html).into_iter().filter(|t| t.name == name).collect()
}

/// The whole element (start tag to matching end tag) whose `id` is `id`.
pub fn element_by_id<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let all = tags(html);
    let open = all.iter().find(|t| t.attr("id").as_deref() == Some(id))?;
    Some(&html[open.start..element_end(html, open)])
}

/// Every element (start tag to matching end tag) with class `class`.
pub fn elements_by_class<'a>(html: &'a str, class: &str) -> Vec<&'a str> {
    tags(html)
        .iter()
        .filter(|t| t.has_class(class))
        .map(|t| &html[t.start..element_end(html, t)])
        .collect()
}

/// Byte offset just past the end tag matching `open` (or the end of the document).
fn element_end(html: &str, open: &Tag<'_>) -> usize {
    let lower = html.to_ascii_lowercase();
    let opening = format!("<{}", open.name);
    let closing = format!("</{}", open.name);
    let ends_name = |at: usize| {
        matches!(
            lower.as_bytes().get(at),
            None | Some(b' ' | b'>' | b'\n' | b'\t' | b'\r' | b'/')
        )
    };
    let mut depth = 1;
    let mut i = open.end();
    while let Some(off) = lower[i..].find('<') {
        let at = i + off;
        if lower[at..].starts_with(&closing) && ends_name(at + closing.len()) {
            depth -= 1;
            if depth == 0 {
                return lower[at..].find('>').map_or(html.len(), |g| at + g + 1);
            }
        } else if lower[at..].starts_with(&opening) && ends_name(at + opening.len()) {
            depth += 1;
        }
        i = at + 1;
    }
    html.len()
}

/// The text of `html` with tags removed and whitespace collapsed.
pub fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The texts of the links (`<a>` elements) of `html`, in order.
pub fn link_texts(html: &str) -> Vec<String> {
    tags_named(html, "a")
        .iter()
        .map(|t| text_of(&html[t.start..element_end(html, t)]))
        .collect()
}

/// The `href`s of the `<a>` elements of `html`, in order.
pub fn hrefs(html: &str) -> Vec<String> {
    tags_named(html, "a")
        .iter()
        .filter_map(|t| t.attr("href"))
        .collect()
}

/// Panics unless each needle occurs in `haystack`, in the order given.
pub fn assert_in_order(haystack: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match haystack[from..].find(needle) {
            Some(i) => from += i + needle.len(),
            None => {
                panic!("{needle:?} not found after the previous ones ({needles:?}) in:\n{haystack}")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bounded runs: the binary under a deadline and a memory ceiling
// ---------------------------------------------------------------------------------------------

impl Guide {
    /// The `guide` binary with `args`, set up like [`Guide::run`] (from the temp folder, no
    /// colour), for callers that need the `Command` itself.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guide"));
        cmd.args(args)
            .current_dir(self.tmp.path())
            .env("NO_COLOR", "1");
        cmd
    }
}

/// How long and how much memory a bounded run may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The run is killed, and counted as a failure, once this has passed.
    pub deadline: std::time::Duration,
    /// Peak resident memory in KiB; a run that goes over is killed as soon as it is seen.
    pub max_rss_kib: u64,
}

/// What a bounded run did.
#[derive(Debug)]
pub struct BoundedRun {
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    /// The signal that ended the process, if one did.
    pub signal: Option<i32>,
    pub stderr: String,
    pub elapsed: std::time::Duration,
    /// Peak resident memory in KiB, where the platform reports it.
    pub max_rss_kib: Option<u64>,
    /// Why the run was killed by the harness (deadline or memory), if it was.
    pub killed_for: Option<String>,
}

impl BoundedRun {
    /// A one-line account for failure messages.
    pub fn summary(&self) -> String {
        format!(
            "code {:?}, signal {:?}, {:.2} s, peak {} KiB{}",
            self.code,
            self.signal,
            self.elapsed.as_secs_f64(),
            self.max_rss_kib
                .map_or_else(|| "unknown".to_owned(), |k| k.to_string()),
            self.killed_for
                .as_deref()
                .map_or_else(String::new, |w| format!(", killed: {w}"))
        )
    }
}

/// Runs `cmd` with its output captured, killing it when it passes `limits.deadline` or, where
/// the platform lets us watch it (Linux), when its resident memory passes `limits.max_rss_kib`.
/// The peak is the kernel's high-water mark of the process (`VmHWM`), read every 2 ms while it
/// runs. (`wait4`'s `ru_maxrss` would be simpler but counts the test process it was forked from.)
pub fn run_bounded(mut cmd: Command, limits: Limits) -> BoundedRun {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn the guide binary");
    let mut pipes = Vec::new();
    for pipe in [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ] {
        let mut pipe = pipe.expect("piped output");
        pipes.push(std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        }));
    }
    let mut killed_for = None;
    let mut peak: Option<u64> = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the guide binary") {
            break status;
        }
        if let Some((rss, hwm)) = memory_kib(child.id()) {
            peak = Some(peak.unwrap_or(0).max(hwm));
            if killed_for.is_none() && rss > limits.max_rss_kib {
                killed_for = Some(format!(
                    "resident memory {rss} KiB passed the limit of {} KiB",
                    limits.max_rss_kib
                ));
                let _ = child.kill();
            }
        }
        if killed_for.is_none() && started.elapsed() > limits.deadline {
            killed_for = Some(format!("still running after {:?}", limits.deadline));
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    let stderr = pipes
        .into_iter()
        .map(|t| t.join().unwrap_or_default())
        .nth(1)
        .unwrap_or_default();
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    BoundedRun {
        code: status.code(),
        signal,
        stderr,
        elapsed,
        max_rss_kib: peak,
        killed_for,
    }
}

/// A running process's resident memory and its high-water mark, in KiB (Linux only).
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

// ---------------------------------------------------------------------------------------------
// XML well-formedness (sitemap, SVG) without an XML library
// ---------------------------------------------------------------------------------------------

/// The well-formedness problems of an XML document (or fragment): unbalanced or crossed tags,
/// unquoted or duplicate attributes, a raw `<` in text or values, an `&` that starts no entity.
/// Empty when the text is well-formed. It covers what a generator can get wrong when it forgets
/// to escape; DTDs and processing instructions other than the declaration are not supported.
pub fn xml_problems(xml: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    let line_of = |at: usize| xml[..at].matches('\n').count() + 1;
    while i < xml.len() {
        let rest = &xml[i..];
        if !rest.starts_with('<') {
            let end = rest.find('<').map_or(xml.len(), |e| i + e);
            let text = &xml[i..end];
            if let Some(p) = bad_entity(text) {
                problems.push(format!("line {}: bare `&` in text: {p}", line_of(i)));
            }
            if text.contains("]]>") {
                problems.push(format!("line {}: `]]>` in text", line_of(i)));
            }
            if open.is_empty() && !text.trim().is_empty() {
                problems.push(format!(
                    "line {}: text outside the root element",
                    line_of(i)
                ));
            }
            i = end;
            continue;
        }
        if let Some(special) = special_len(rest) {
            match special {
                Ok(len) => i += len,
                Err(opener) => {
                    problems.push(format!("line {}: unclosed `{opener}`", line_of(i)));
                    break;
                }
            }
            continue;
        }
        // A start or end tag: scan to its `>` outside quotes.
        let bytes = rest.as_bytes();
        let mut j = 1;
        let mut quote = None;
        while j < bytes.len() {
            match (quote, bytes[j]) {
                (None, b'"' | b'\'') => quote = Some(bytes[j]),
                (Some(q), c) if c == q => quote = None,
                (Some(_), b'<') => {
                    problems.push(format!(
                        "line {}: raw `<` in an attribute value",
                        line_of(i + j)
                    ));
                }
                (None, b'<') => {
                    problems.push(format!("line {}: `<` inside a tag", line_of(i + j)));
                }
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        if j >= bytes.len() {
            problems.push(format!("line {}: unclosed tag", line_of(i)));
            break;
        }
        let tag = &rest[1..j];
        i += j + 1;
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            match open.pop() {
                Some(top) if top == name => {}
                Some(top) => {
                    problems.push(format!("line {}: `</{name}>` closes `<{top}>`", line_of(i)))
                }
                None => problems.push(format!("line {}: `</{name}>` closes nothing", line_of(i))),
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_:.".contains(c))
        {
            problems.push(format!("line {}: bad tag name `{name}`", line_of(i)));
        }
        problems.extend(
            attribute_problems(&tag[name_end..])
                .into_iter()
                .map(|p| format!("line {}: <{name}>: {p}", line_of(i))),
        );
        if open.is_empty() {
            roots += 1;
        }
        if !self_closing {
            open.push(name.to_owned());
        }
    }
    if let Some(top) = open.last() {
        problems.push(format!("`<{top}>` is never closed"));
    }
    if roots != 1 {
        problems.push(format!("{roots} root elements (expected 1)"));
    }
    problems
}

/// The length of the declaration, comment or CDATA section `rest` starts with; `Err` with its
/// opener when it is never closed; `None` when `rest` starts with something else.
fn special_len(rest: &str) -> Option<Result<usize, &'static str>> {
    for (opener, closer) in [("<?", "?>"), ("<!--", "-->"), ("<![CDATA[", "]]>")] {
        if let Some(body) = rest.strip_prefix(opener) {
            return Some(
                body.find(closer)
                    .map(|e| opener.len() + e + closer.len())
                    .ok_or(opener),
            );
        }
    }
    None
}

fn attribute_problems(attrs: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut rest = attrs.trim_start();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            problems.push(format!("attribute without a value: `{rest}`"));
            break;
        };
        let name = rest[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            problems.push(format!("bad attribute name `{name}`"));
        }
        if !seen.insert(name.to_owned()) {
            problems.push(format!("duplicate attribute `{name}`"));
        }
        let after = rest[eq + 1..].trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            problems.push(format!("unquoted value of `{name}`"));
            break;
        };
        let Some(end) = after[1..].find(q) else {
            problems.push(format!("unterminated value of `{name}`"));
            break;
        };
        let value = &after[1..1 + end];
        if let Some(p) = bad_entity(value) {
            problems.push(format!("bare `&` in `{name}`: {p}"));
        }
        rest = after[end + 2..].trim_start();
    }
    problems
}

/// The first `&` of `text` that does not start a predefined or numeric entity, with what follows.
fn bad_entity(text: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = text[from..].find('&') {
        let start = from + at;
        let tail = &text[start + 1..];
        let ok = match tail.find(';') {
            Some(semi) => {
                let name = &tail[..semi];
                matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || name
                        .strip_prefix("#x")
                        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                    || name
                        .strip_prefix('#')
                        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            }
            None => false,
        };
        if !ok {
            return Some(text[start..].chars().take(24).collect());
        }
        from = start + 1;
    }
    None
}
