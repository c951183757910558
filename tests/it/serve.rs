//! `guide serve` over real HTTP on 127.0.0.1: every way an editor saves, errors and recovery,
//! traversal and Host probes, served bytes against a fresh `guide build`, live reload in headless
//! Chromium (skipped without it, unless `GUIDE_REQUIRE_BROWSER=1`), and slow clients.
//!
//! Each test copies a fixture into a temp folder, starts the real binary with `--port 0` on it,
//! reads the port from its first line on stderr and kills it when the test ends. Waits poll with
//! a deadline; nothing sleeps longer than it must.

use crate::support;

use std::collections::{BTreeSet, VecDeque};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::Guide;
use crate::support::browser::{lit, with_browser};
use crate::support::serve::{CONNECTED, Serve, TRACK_EVENT_SOURCES};
use serde_json::Value;

/// The longest any wait for the server may take.
const WAIT: Duration = Duration::from_secs(10);
/// Longer than the watcher holds back a burst of saves (300 ms) plus a rebuild of a small guide:
/// what has not been logged after this is not going to be.
const QUIET: Duration = Duration::from_millis(800);
/// Between two polls of the server.
const POLL: Duration = Duration::from_millis(10);

/// The fixture most tests run on: two sections, a lesson nobody links to (`basics/orphan.md`),
/// a topic, a track, an image and a theme override of the footer partial.
const FIXTURE: &str = "serve-basic";

// ---------------------------------------------------------------------------------------------
// The server under test
// ---------------------------------------------------------------------------------------------

impl Serve {
    /// `guide serve --root <absolute root> --port 0`, once it is serving and watching.
    fn start(guide: &Guide) -> Serve {
        let serve = Serve::launch(guide, &guide.root_str()).unwrap_or_else(|log| {
            panic!("guide serve did not start:\n{log}");
        });
        serve.wait_watching(guide);
        serve
    }

    /// Waits until saves are picked up (and the background check of the first build is done):
    /// re-saves the home page's source with the same bytes until a rebuild is logged (that
    /// rebuild changes nothing in the site).
    fn wait_watching(&self, guide: &Guide) {
        let rel = "content/_index.md";
        let bytes = fs::read(guide.path(rel)).expect("read the home page source");
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            let before = self.rebuilds();
            fs::write(guide.path(rel), &bytes).expect("re-save the home page source");
            let until = Instant::now() + Duration::from_millis(500);
            while Instant::now() < until {
                if self.rebuilds() > before {
                    return;
                }
                thread::sleep(POLL);
            }
        }
        panic!("saves were never picked up; log:\n{}", self.log());
    }

    /// Rebuilds logged so far, good or refused (`<paths> changed: ...`).
    fn rebuilds(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains(" changed: "))
            .count()
    }

    /// Good rebuilds logged so far (`... serving build N ...`).
    fn good_builds(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("; serving build "))
            .count()
    }

    /// Waits until the log satisfies `done`.
    fn wait_log(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let log = self.log();
            if done(&log) {
                return log;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; log:\n{log}");
            }
            thread::sleep(POLL);
        }
    }

    /// `GET path` (no leading slash) with this server's address as Host.
    fn get(&self, path: &str) -> Response {
        self.request("GET", &format!("/{path}"), &[])
    }

    /// A request with `Host: 127.0.0.1:PORT` unless `headers` names another Host.
    fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
        let mut raw = format!("{method} {target} HTTP/1.1\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            raw.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port));
        }
        for (name, value) in headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        raw.push_str("Connection: close\r\n\r\n");
        self.raw(raw.as_bytes())
    }

    /// Sends `bytes` as they are and reads the whole answer.
    fn raw(&self, bytes: &[u8]) -> Response {
        http(self.addr(), bytes).unwrap_or_else(|e| {
            panic!(
                "request {:?} failed: {e}\nlog:\n{}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)]),
                self.log()
            )
        })
    }

    /// The text of a page that must be there.
    fn page(&self, path: &str) -> String {
        let r = self.get(path);
        assert_eq!(r.status, 200, "GET /{path}: {}", r.head);
        r.text()
    }

    /// Polls `GET path` until `done` holds.
    fn wait_for(&self, path: &str, what: &str, done: impl Fn(&Response) -> bool) -> Response {
        let deadline = Instant::now() + WAIT;
        loop {
            let r = self.get(path);
            if done(&r) {
                return r;
            }
            if Instant::now() > deadline {
                let text = r.text();
                panic!(
                    "timed out waiting for /{path} to {what}; last answer {}:\n{}\n--- log:\n{}",
                    r.status,
                    &text[..text.len().min(3000)],
                    self.log()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Polls until `path` is served (200) and contains `needle`.
    fn wait_text(&self, path: &str, needle: &str) -> String {
        self.wait_for(path, &format!("contain {needle:?}"), |r| {
            r.status == 200 && r.text().contains(needle)
        })
        .text()
    }

    fn wait_status(&self, path: &str, status: u16) -> Response {
        self.wait_for(path, &format!("answer {status}"), |r| r.status == status)
    }

    /// Pages reachable from the home page through the site's own links, home first.
    fn crawl(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut order = Vec::new();
        let mut queue = VecDeque::from(["index.html".to_owned()]);
        while let Some(page) = queue.pop_front() {
            if !seen.insert(page.clone()) {
                continue;
            }
            let r = self.get(&page);
            if r.status != 200 {
                continue;
            }
            let html = r.text();
            order.push(page.clone());
            for href in support::hrefs(&html) {
                let lower = href.to_ascii_lowercase();
                if lower.contains(':') || lower.starts_with("//") || lower.starts_with('#') {
                    continue;
                }
                let target = support::target_of(&page, &href);
                let target = target.split('#').next().unwrap_or("").to_owned();
                if target.ends_with(".html") && !seen.contains(&target) {
                    queue.push_back(target);
                }
            }
        }
        order
    }
}

/// An HTTP answer.
struct Response {
    status: u16,
    /// The status line and headers.
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request and reads the answer to the end (requests ask the server to close the
/// connection, or are ones it closes after answering).
fn http(addr: SocketAddr, request: &[u8]) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(request)?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| {
            std::io::Error::other(format!(
                "no complete head in {:?}",
                String::from_utf8_lossy(&bytes)
            ))
        })?;
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line in {head:?}")))?;
    Ok(Response {
        status,
        head,
        body: bytes[end + 4..].to_vec(),
    })
}

/// The live-reload tags injected into `html`, and `html` without them.
fn strip_reload(html: &str) -> (Vec<String>, String) {
    let mut tags = Vec::new();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("__guide/reload.js\"") {
        let start = rest[..at]
            .rfind("<script")
            .expect("reload.js in a script tag");
        let close = "</script>\n";
        let end = at + rest[at..].find(close).expect("closed script tag") + close.len();
        out.push_str(&rest[..start]);
        tags.push(rest[start..end].to_owned());
        rest = &rest[end..];
    }
    out.push_str(rest);
    (tags, out)
}

/// The `data-build` of the page's reload script.
fn build_of(html: &str) -> String {
    let (tags, _) = strip_reload(html);
    let tag = tags.first().expect("a reload script");
    let from = tag.find("data-build=\"").expect("data-build") + "data-build=\"".len();
    tag[from..from + tag[from..].find('"').unwrap()].to_owned()
}

/// The text of the page's `#sidebar`.
fn sidebar(html: &str) -> String {
    support::text_of(support::element_by_id(html, "sidebar").unwrap_or_else(|| {
        panic!("no #sidebar in:\n{html}");
    }))
}

/// The text of the page's `#sidebar`, if it has one.
fn sidebar_of(html: &str) -> Option<String> {
    support::element_by_id(html, "sidebar").map(support::text_of)
}

// ---------------------------------------------------------------------------------------------
// Server-sent events
// ---------------------------------------------------------------------------------------------

/// A reader of `__guide/events`, collecting `(event, data)` pairs as they arrive.
struct Events {
    stream: TcpStream,
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

impl Drop for Events {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

impl Events {
    fn open(serve: &Serve) -> Events {
        let mut stream = TcpStream::connect(serve.addr()).expect("connect for events");
        write!(
            stream,
            "GET /__guide/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n\r\n",
            serve.port
        )
        .expect("request events");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reader = stream.try_clone().expect("clone the events stream");
        {
            let seen = seen.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(reader);
                let mut line = String::new();
                let mut in_head = true;
                let (mut event, mut data) = (String::new(), String::new());
                loop {
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let l = line.trim_end_matches(['\r', '\n']);
                    if in_head {
                        if l.starts_with("HTTP/") && !l.contains(" 200 ") {
                            seen.lock().unwrap().push(("http-error".into(), l.into()));
                        }
                        in_head = !l.is_empty();
                        continue;
                    }
                    if l.is_empty() {
                        if !event.is_empty() || !data.is_empty() {
                            let name = if event.is_empty() { "message" } else { &event };
                            seen.lock().unwrap().push((name.to_owned(), data.clone()));
                        }
                        event.clear();
                        data.clear();
                    } else if let Some(v) = l.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = l.strip_prefix("data:") {
                        if !data.is_empty() {
                            data.push('\n');
                        }
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
            });
        }
        let events = Events { stream, seen };
        events.wait(0, "the hello event", |e, _| e == "hello");
        events
    }

    fn all(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().clone()
    }

    fn len(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// Waits for an event at index `from` or later that satisfies `matches`; its index and data.
    fn wait(
        &self,
        from: usize,
        what: &str,
        matches: impl Fn(&str, &str) -> bool,
    ) -> (usize, String) {
        let deadline = Instant::now() + WAIT;
        loop {
            let all = self.all();
            if let Some((i, (_, data))) = all
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, (e, d))| matches(e, d))
            {
                return (i, data.clone());
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; events so far: {all:#?}");
            }
            thread::sleep(POLL);
        }
    }

    /// Waits for an `errors` event from index `from` on that names `location` (`file:line`,
    /// matched as a prefix of the error's location) and returns the error.
    fn wait_error_at(&self, from: usize, location: &str) -> (usize, Value) {
        let (i, data) = self.wait(from, &format!("an error at {location}"), |e, d| {
            e == "errors" && error_at(d, location).is_some()
        });
        (i, error_at(&data, location).unwrap())
    }
}

/// The error of an `errors` event's data at `location` (`file`, `file:line` or
/// `file:line:col`), whose location names a line.
fn error_at(data: &str, location: &str) -> Option<Value> {
    let list: Value = serde_json::from_str(data).ok()?;
    list.as_array()?
        .iter()
        .find(|e| {
            e["location"].as_str().is_some_and(|l| {
                let Some(rest) = l.strip_prefix(location) else {
                    return false;
                };
                let line_given = location[location.rfind('/').unwrap_or(0)..].contains(':');
                (line_given && (rest.is_empty() || rest.starts_with(':')))
                    || (!line_given
                        && rest
                            .strip_prefix(':')
                            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())))
            })
        })
        .cloned()
}

// ---------------------------------------------------------------------------------------------
// Ways editors save
// ---------------------------------------------------------------------------------------------

/// Rewrites the file in place (same inode): open, truncate, write.
fn save_in_place(path: &Path, text: &str) {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    file.write_all(text.as_bytes()).expect("write in place");
    file.sync_data().ok();
}

/// Writes the new text to `temp` beside the file, then renames it over the file.
fn save_by_rename(path: &Path, temp_name: &str, text: &str) {
    let temp = path.with_file_name(temp_name);
    fs::write(&temp, text).expect("write the temp file");
    fs::rename(&temp, path).expect("rename the temp file over the file");
}

/// Replaces `from` with `to` in a file of the guide, in place; panics when `from` is missing.
fn edit(guide: &Guide, rel: &str, from: &str, to: &str) {
    let text = guide.read(rel);
    assert!(text.contains(from), "{rel} lacks {from:?}:\n{text}");
    save_in_place(&guide.path(rel), &text.replacen(from, to, 1));
}

fn lesson(title: &str, weight: u32, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\nweight = {weight}\n+++\n\n{body}\n")
}

/// A tab that connects is greeted with the build its page carries, from the first build on and
/// after a rebuild; were they to differ, every tab would reload without end.
#[test]
fn the_hello_event_names_the_build_pages_carry() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let hello = |events: &Events| {
        let all = events.all();
        all.iter()
            .find(|(e, _)| e == "hello")
            .expect("hello")
            .1
            .clone()
    };
    let first = build_of(&serve.page("basics/first.html"));
    assert_eq!(hello(&Events::open(&serve)), first);
    edit(
        &guide,
        "content/basics/first.md",
        "first-body-v1",
        "first-body-v2",
    );
    let second = build_of(&serve.wait_text("basics/first.html", "first-body-v2"));
    assert_ne!(first, second);
    assert_eq!(hello(&Events::open(&serve)), second);
}

// ---------------------------------------------------------------------------------------------
// Watching: every way an editor saves
// ---------------------------------------------------------------------------------------------

#[test]
fn in_place_save_changes_the_page() {
    let guide = Guide::fixture(FIXTURE);
    let path = guide.path("content/basics/first.md");
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&fs::metadata(&path).unwrap());
    let serve = Serve::start(&guide);
    assert!(serve.page("basics/first.html").contains("first-body-v1"));

    edit(
        &guide,
        "content/basics/first.md",
        "first-body-v1",
        "first-body-v2",
    );
    #[cfg(unix)]
    assert_eq!(
        inode,
        std::os::unix::fs::MetadataExt::ino(&fs::metadata(&path).unwrap()),
        "the save was not in place"
    );
    let html = serve.wait_text("basics/first.html", "first-body-v2");
    assert!(!html.contains("first-body-v1"));
    let log = serve.log();
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains("; serving build "))
        .expect("a rebuild line");
    assert!(
        line.starts_with("content/basics/first.md changed:") && line.contains(" ms"),
        "the rebuild line should name the file and its time: {line}"
    );
}

#[test]
fn a_temp_file_renamed_into_place_is_an_edit_of_the_lesson_alone() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let rel = "content/basics/first.md";
    let path = guide.path(rel);
    // `sed -i` and many editors' "safe write": a new file with no telling name, renamed over.
    for (n, temp) in ["sedAb12Cd", "first.md.tmp.4242"].iter().enumerate() {
        let before = serve.rebuilds();
        let marker = format!("first-body-temp-{n}");
        let text = guide.read(rel).replace("first-body-v1", &marker);
        save_by_rename(&path, temp, &text);
        serve.wait_text("basics/first.html", &marker);
        let log = serve.wait_log("the rebuild", |l| {
            l.lines().filter(|l| l.contains(" changed: ")).count() > before
        });
        let line = log
            .lines()
            .filter(|l| l.contains(" changed: "))
            .nth(before)
            .unwrap_or_default()
            .to_owned();
        assert!(
            line.starts_with("content/basics/first.md changed: bodies replaced"),
            "a save through {temp} was not taken as an edit of the lesson alone: {line}\nlog:\n{log}"
        );
        guide.write(rel, guide.read(rel).replace(&marker, "first-body-v1"));
        serve.wait_text("basics/first.html", "first-body-v1");
    }
}

#[test]
fn write_temp_then_rename_saves_change_the_page() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let rel = "content/basics/first.md";
    let path = guide.path(rel);

    // Kate, gedit, Sublime Text: a hidden temp file renamed over the file.
    let text = guide.read(rel).replace("first-body-v1", "first-body-v2");
    save_by_rename(&path, ".first.md.kate-swp-1", &text);
    serve.wait_text("basics/first.html", "first-body-v2");

    // Vim with `writebackup`: the file is renamed to a backup, written anew, the backup removed.
    let text = text.replace("first-body-v2", "first-body-v3");
    let backup = path.with_file_name("first.md~");
    fs::rename(&path, &backup).unwrap();
    fs::write(&path, &text).unwrap();
    fs::remove_file(&backup).unwrap();
    serve.wait_text("basics/first.html", "first-body-v3");

    // JetBrains "safe write": temp written, original moved aside, temp renamed, original removed.
    let text = text.replace("first-body-v3", "first-body-v4");
    let temp = path.with_file_name("first.md___jb_tmp___");
    let old = path.with_file_name("first.md___jb_old___");
    fs::write(&temp, &text).unwrap();
    fs::rename(&path, &old).unwrap();
    fs::rename(&temp, &path).unwrap();
    fs::remove_file(&old).unwrap();
    serve.wait_text("basics/first.html", "first-body-v4");

    thread::sleep(QUIET);
    let html = serve.page("basics/first.html");
    assert!(
        html.contains("first-body-v4"),
        "a later rebuild lost the last save"
    );
    assert_eq!(serve.get("basics/first.md___jb_tmp___").status, 404);
    assert_eq!(serve.get("basics/first.md___jb_old___").status, 404);
}

#[test]
fn delete_then_create_saves_change_the_page() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let rel = "content/basics/first.md";
    let path = guide.path(rel);

    // At once, as most editors do.
    let text = guide.read(rel).replace("first-body-v1", "first-body-v2");
    fs::remove_file(&path).unwrap();
    fs::write(&path, &text).unwrap();
    serve.wait_text("basics/first.html", "first-body-v2");

    // With a pause longer than the watcher's quiet time in between.
    let text = text.replace("first-body-v2", "first-body-v3");
    fs::remove_file(&path).unwrap();
    thread::sleep(Duration::from_millis(120));
    fs::write(&path, &text).unwrap();
    serve.wait_text("basics/first.html", "first-body-v3");
    thread::sleep(QUIET);
    assert!(serve.page("basics/first.html").contains("first-body-v3"));
}

#[test]
fn a_burst_of_100_saves_in_one_second_ends_with_the_last() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let rel = "content/basics/first.md";
    let path = guide.path(rel);
    let template = guide.read(rel);
    let builds_before = serve.rebuilds();
    let started = Instant::now();
    for i in 0..100u32 {
        let text = template.replace("first-body-v1", &format!("burst-{i:03}"));
        if i % 3 == 2 {
            save_by_rename(&path, ".first.md.tmp", &text);
        } else {
            save_in_place(&path, &text);
        }
        let next = started + Duration::from_millis(10 * u64::from(i + 1));
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
    }
    let burst = started.elapsed();
    serve.wait_text("basics/first.html", "burst-099");
    thread::sleep(QUIET);
    let html = serve.page("basics/first.html");
    assert!(
        html.contains("burst-099"),
        "the last save was replaced by an earlier one"
    );
    let rebuilds = serve.rebuilds() - builds_before;
    assert!(
        rebuilds < 50,
        "{rebuilds} rebuilds for one burst of {burst:?}: saves are not gathered\n{}",
        serve.log()
    );
}

#[test]
fn a_new_lesson_appears_with_its_page_and_in_its_sections_sidebars() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    assert_eq!(serve.get("basics/fresh.html").status, 404);
    guide.write(
        "content/basics/fresh.md",
        lesson("Fresh lesson", 25, "Marker: fresh-body."),
    );
    serve.wait_text("basics/fresh.html", "fresh-body");
    for page in [
        "basics/index.html",
        "basics/first.html",
        "basics/second.html",
        "basics/fresh.html",
    ] {
        let html = serve.page(page);
        assert!(
            sidebar(&html).contains("Fresh lesson"),
            "{page}: the sidebar lacks the new lesson: {}",
            sidebar(&html)
        );
    }
    // Its place in the order: after Second (20), before Orphan (30).
    support::assert_in_order(
        &sidebar(&serve.page("basics/first.html")),
        &["Second lesson", "Fresh lesson", "Orphan lesson"],
    );
}

#[test]
fn a_deleted_lesson_is_404_and_gone_from_sidebars_and_topics() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    assert!(sidebar(&serve.page("basics/first.html")).contains("Orphan lesson"));
    let topic_pages: Vec<String> = serve
        .crawl()
        .into_iter()
        .filter(|p| serve.page(p).contains("orphan.html") && !p.starts_with("basics/"))
        .collect();
    assert!(
        !topic_pages.is_empty(),
        "the orphan lesson should be listed on its topic page"
    );

    guide.remove("content/basics/orphan.md");
    serve.wait_status("basics/orphan.html", 404);
    for page in serve.crawl() {
        let html = serve.page(&page);
        assert!(
            !html.contains("Orphan lesson") && !html.contains("orphan.html"),
            "{page} still names the deleted lesson"
        );
    }
    for page in &topic_pages {
        assert!(!serve.page(page).contains("orphan.html"), "{page}");
    }
}

/// Deleting a lesson that others link to breaks their links: `guide build` fails, so the server
/// must refuse the new build, keep the last good one and show the broken links.
#[test]
fn deleting_a_linked_lesson_shows_the_broken_links_and_keeps_the_last_good_build() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let events = Events::open(&serve);
    // second.md gets a link to the orphan lesson on line 12.
    guide.append(
        "content/basics/second.md",
        "\nSee [the orphan](orphan.md).\n",
    );
    serve.wait_text("basics/second.html", "orphan.html\">the orphan</a>");
    let before = serve.page("basics/orphan.html");
    let from = events.len();
    guide.remove("content/basics/orphan.md");
    let (_, error) = events.wait_error_at(from, "content/basics/second.md:12");
    assert!(error["message"].as_str().unwrap().contains("orphan.md"));
    serve.wait_log("the refusal", |l| {
        l.contains("still serving the last good build")
    });
    assert_eq!(serve.page("basics/orphan.html"), before);
}

#[test]
fn a_renamed_lesson_moves_to_its_new_url() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    fs::rename(
        guide.path("content/basics/orphan.md"),
        guide.path("content/basics/adopted.md"),
    )
    .unwrap();
    serve.wait_text("basics/adopted.html", "orphan-body-v1");
    assert_eq!(serve.get("basics/orphan.html").status, 404);
    let html = serve.page("basics/first.html");
    let hrefs = support::hrefs(support::element_by_id(&html, "sidebar").unwrap());
    assert!(
        hrefs.iter().any(|h| h.ends_with("adopted.html")),
        "{hrefs:?}"
    );
    assert!(
        !hrefs.iter().any(|h| h.ends_with("orphan.html")),
        "{hrefs:?}"
    );

    // The renamed file is watched under its new name.
    edit(
        &guide,
        "content/basics/adopted.md",
        "orphan-body-v1",
        "orphan-body-v2",
    );
    serve.wait_text("basics/adopted.html", "orphan-body-v2");
}

#[test]
fn a_new_section_folder_appears_and_is_watched() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    fs::create_dir(guide.path("content/extra")).unwrap();
    guide.write(
        "content/extra/_index.md",
        "+++\ntitle = \"Extra section\"\nweight = 30\n+++\n\nMarker: extra-section.\n",
    );
    guide.write(
        "content/extra/one.md",
        lesson("Extra one", 10, "Marker: extra-one-v1."),
    );
    serve.wait_text("extra/one.html", "extra-one-v1");
    assert!(serve.page("extra/index.html").contains("extra-section"));
    assert!(sidebar(&serve.page("basics/first.html")).contains("Extra section"));
    assert!(sidebar(&serve.page("extra/one.html")).contains("Extra one"));

    // Saves inside the new folder are seen, and so is a nested folder made later.
    edit(
        &guide,
        "content/extra/one.md",
        "extra-one-v1",
        "extra-one-v2",
    );
    serve.wait_text("extra/one.html", "extra-one-v2");
    guide.write(
        "content/extra/deeper/_index.md",
        "+++\ntitle = \"Deeper\"\n+++\n",
    );
    guide.write(
        "content/extra/deeper/two.md",
        lesson("Extra two", 10, "Marker: extra-two-v1."),
    );
    serve.wait_text("extra/deeper/two.html", "extra-two-v1");
    edit(
        &guide,
        "content/extra/deeper/two.md",
        "extra-two-v1",
        "extra-two-v2",
    );
    serve.wait_text("extra/deeper/two.html", "extra-two-v2");
}

#[test]
fn whole_folders_moved_are_followed() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);

    // Renamed inside the content folder.
    fs::rename(guide.path("content/advanced"), guide.path("content/expert")).unwrap();
    serve.wait_text("expert/third.html", "third-body-v1");
    assert_eq!(serve.get("advanced/third.html").status, 404);
    assert_eq!(serve.get("advanced/index.html").status, 404);
    edit(
        &guide,
        "content/expert/third.md",
        "third-body-v1",
        "third-body-v2",
    );
    serve.wait_text("expert/third.html", "third-body-v2");

    // Moved in from outside the guide, then edited.
    let outside = guide.beside("incoming");
    fs::create_dir_all(&outside).unwrap();
    fs::write(
        outside.join("_index.md"),
        "+++\ntitle = \"Incoming\"\nweight = 40\n+++\n",
    )
    .unwrap();
    fs::write(
        outside.join("arrived.md"),
        lesson("Arrived", 10, "Marker: arrived-v1."),
    )
    .unwrap();
    fs::rename(&outside, guide.path("content/incoming")).unwrap();
    serve.wait_text("incoming/arrived.html", "arrived-v1");
    edit(
        &guide,
        "content/incoming/arrived.md",
        "arrived-v1",
        "arrived-v2",
    );
    serve.wait_text("incoming/arrived.html", "arrived-v2");

    // Moved out of the guide.
    fs::rename(guide.path("content/incoming"), guide.beside("gone")).unwrap();
    serve.wait_status("incoming/arrived.html", 404);
    assert!(!sidebar(&serve.page("basics/first.html")).contains("Incoming"));
}

#[test]
fn swap_and_backup_files_are_ignored() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let first = serve.get("basics/first.html");
    let etag = first.header("etag").expect("an ETag");
    let rebuilds = serve.rebuilds();

    let dir = guide.path("content/basics");
    // Vim: swap file, the `4913` probe, the backup; Emacs: auto-save file and lock file.
    fs::write(dir.join(".first.md.swp"), b"b0VIM 9.0\0\0swap").unwrap();
    fs::write(dir.join("4913"), b"").unwrap();
    fs::remove_file(dir.join("4913")).unwrap();
    fs::write(dir.join("first.md~"), guide.read("content/basics/first.md")).unwrap();
    fs::write(dir.join("#first.md#"), "+++\ntitle = \"autosave\"\n+++\n").unwrap();
    fs::write(dir.join(".#second.md"), "someone@host.1234:1700000000").unwrap();
    fs::write(
        dir.join(".first.md.swp"),
        b"b0VIM 9.0\0\0swap, written again",
    )
    .unwrap();
    fs::write(guide.path(".book.toml.swp"), b"b0VIM").unwrap();
    thread::sleep(QUIET);

    assert_eq!(
        serve.rebuilds(),
        rebuilds,
        "an editor's temporary file caused a rebuild:\n{}",
        serve.log()
    );
    let again = serve.request(
        "GET",
        "/basics/first.html",
        &[("If-None-Match", etag.as_str())],
    );
    assert_eq!(again.status, 304, "the page changed");
    for path in [
        "basics/.first.md.swp",
        "basics/first.md~",
        "basics/4913",
        "basics/%23first.md%23",
    ] {
        assert_eq!(serve.get(path).status, 404, "{path} is served");
    }

    // The watcher is still alive, and names only the real file.
    edit(
        &guide,
        "content/basics/first.md",
        "first-body-v1",
        "first-body-v2",
    );
    serve.wait_text("basics/first.html", "first-body-v2");
    let log = serve.log();
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains(" changed: "))
        .unwrap();
    assert!(
        !line.contains(".swp") && !line.contains('~') && !line.contains('#'),
        "{line}"
    );
}

/// Emacs marks a file it is editing with a lock: a symbolic link `.#name` whose target
/// (`user@host.pid:boot`) does not exist. It must be ignored like any other editor file.
#[cfg(unix)]
#[test]
fn an_emacs_lock_link_is_ignored() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let rebuilds = serve.rebuilds();
    std::os::unix::fs::symlink(
        "someone@host.1234:1700000000",
        guide.path("content/basics/.#first.md"),
    )
    .unwrap();
    thread::sleep(QUIET);
    assert_eq!(serve.rebuilds(), rebuilds, "the lock link caused a rebuild");
    edit(
        &guide,
        "content/basics/first.md",
        "first-body-v1",
        "first-body-v2",
    );
    let r = serve.wait_for("basics/first.html", "show the save", |r| {
        r.text().contains("first-body-v2") || serve.log().contains("still serving")
    });
    assert!(
        r.text().contains("first-body-v2"),
        "the save was refused:\n{}",
        serve.log()
    );
}

#[test]
fn a_title_change_shows_in_every_sidebar() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let pages = serve.crawl();
    let listing: Vec<&String> = pages
        .iter()
        .filter(|p| sidebar_of(&serve.page(p)).is_some_and(|s| s.contains("First lesson")))
        .collect();
    assert!(
        listing.len() >= 4,
        "few pages list the lesson in their sidebar: {listing:?}"
    );

    edit(
        &guide,
        "content/basics/first.md",
        "title = \"First lesson\"",
        "title = \"Retitled lesson\"",
    );
    serve.wait_text("basics/first.html", "Retitled lesson");
    for page in &listing {
        let bar = sidebar(&serve.page(page));
        assert!(
            bar.contains("Retitled lesson") && !bar.contains("First lesson"),
            "{page}: the sidebar still has the old title: {bar}"
        );
    }
    // The neighbour's "previous" link and the pages that link to it follow too.
    let second = serve.page("basics/second.html");
    let prev = support::tags_named(&second, "a")
        .into_iter()
        .find(|t| t.attr("rel").as_deref() == Some("prev"))
        .expect("a previous link on the second lesson");
    let prev_end = prev.start + second[prev.start..].find("</a>").expect("a closed link");
    let prev_text = support::text_of(&second[prev.start..prev_end]);
    assert!(
        prev_text.contains("Retitled lesson"),
        "previous link: {prev_text}"
    );
    for page in pages {
        let html = serve.page(&page);
        assert!(!html.contains("First lesson"), "{page} has the old title");
    }
}

#[test]
fn a_template_change_re_renders_the_pages() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let pages = serve.crawl();
    for page in &pages {
        let _ = serve.page(page); // rendered and cached before the change
    }
    edit(
        &guide,
        "themes/default/templates/partials/footer.html",
        "footer-marker-v1",
        "footer-marker-v2",
    );
    serve.wait_text("basics/first.html", "footer-marker-v2");
    for page in &pages {
        let html = serve.page(page);
        assert!(
            html.contains("footer-marker-v2") && !html.contains("footer-marker-v1"),
            "{page} was not re-rendered"
        );
    }
    // Only the theme was loaded again: the log says so, and no Markdown was parsed.
    let log = serve.log();
    let line = log
        .lines()
        .find(|l| l.contains("footer.html changed: "))
        .unwrap_or_else(|| panic!("no rebuild logged for the template:\n{log}"));
    assert!(
        line.contains("theme reloaded") && line.contains("Markdown not parsed again"),
        "{line}"
    );
}

#[test]
fn a_theme_folder_made_after_the_start_is_watched() {
    let guide = Guide::fixture("minimal");
    let serve = Serve::start(&guide);
    let rel = "themes/default/templates/partials/footer.html";
    guide.write(rel, "<footer>late-theme-v1</footer>\n");
    serve.wait_text("basics/first.html", "late-theme-v1");
    edit(&guide, rel, "late-theme-v1", "late-theme-v2");
    serve.wait_text("basics/first.html", "late-theme-v2");
}

#[test]
fn a_book_toml_change_reloads_everything() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let events = Events::open(&serve);
    let pages = serve.crawl();
    for page in &pages {
        let _ = serve.page(page);
    }
    let from = events.len();
    edit(
        &guide,
        "book.toml",
        "title = \"Serve Fixture\"",
        "title = \"Renamed Guide\"",
    );
    serve.wait_text("basics/first.html", "Renamed Guide");
    events.wait(from, "a reload event", |e, _| e == "reload");
    for page in &pages {
        let html = serve.page(page);
        let head_title = html
            .split("<title>")
            .nth(1)
            .and_then(|t| t.split("</title>").next())
            .unwrap_or("");
        assert!(
            head_title.contains("Renamed Guide"),
            "{page}: <title>{head_title}</title>"
        );
        assert!(!html.contains("Serve Fixture"), "{page} has the old title");
    }
}

/// A save made as soon as the server says it is ready (or while its first build runs) must not
/// be lost.
#[test]
fn a_save_right_after_the_ready_line_is_picked_up() {
    for attempt in 0..3 {
        let guide = Guide::fixture(FIXTURE);
        let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
        edit(
            &guide,
            "content/basics/first.md",
            "first-body-v1",
            "first-body-v2",
        );
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            if serve.page("basics/first.html").contains("first-body-v2") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "attempt {attempt}: the save was never served; log:\n{}",
                serve.log()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `--root` given relative to the working folder, as people type it.
#[test]
fn a_relative_root_picks_up_saves() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::launch(&guide, "guide").expect("guide serve starts");
    edit(
        &guide,
        "content/basics/first.md",
        "first-body-v1",
        "first-body-v2",
    );
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if serve.page("basics/first.html").contains("first-body-v2") {
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "the save was never served with --root guide; log:\n{}",
        serve.log()
    );
}

// ---------------------------------------------------------------------------------------------
// Errors: overlay, last good build, recovery
// ---------------------------------------------------------------------------------------------

#[test]
fn broken_front_matter_keeps_the_last_good_page_then_recovers() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let events = Events::open(&serve);
    let good = serve.page("basics/first.html");
    let good_builds = serve.good_builds();

    let from = events.len();
    edit(
        &guide,
        "content/basics/first.md",
        "title = \"First lesson\"",
        "title = \"First lesson",
    );
    let (at, error) = events.wait_error_at(from, "content/basics/first.md:2");
    assert!(
        error["source"]
            .as_str()
            .is_some_and(|s| s.contains("title = \"First lesson")),
        "the error should carry its source line: {error}"
    );
    serve.wait_log("the refusal", |l| {
        l.contains("still serving the last good build")
    });
    assert_eq!(serve.good_builds(), good_builds);
    assert_eq!(
        serve.page("basics/first.html"),
        good,
        "the last good page changed"
    );
    assert!(serve.page("basics/second.html").contains("First lesson"));

    let text = guide
        .read("content/basics/first.md")
        .replace("title = \"First lesson", "title = \"First lesson\"")
        .replace("first-body-v1", "first-body-v2");
    save_by_rename(
        &guide.path("content/basics/first.md"),
        ".first.md.tmp",
        &text,
    );
    let (ok, _) = events.wait(at + 1, "the ok event", |e, _| e == "ok");
    let (reload, build) = events.wait(ok + 1, "the reload event", |e, _| e == "reload");
    assert!(reload > ok);
    let html = serve.page("basics/first.html");
    assert!(html.contains("first-body-v2"));
    assert_eq!(
        build_of(&html),
        build,
        "the page is not of the announced build"
    );
}

#[test]
fn a_broken_link_keeps_the_last_good_page_then_recovers() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let events = Events::open(&serve);
    let good = serve.page("basics/second.html");

    let from = events.len();
    // Line 10 of second.md is "Back to [the first lesson](first.md#core-idea)."
    edit(
        &guide,
        "content/basics/second.md",
        "first.md#core-idea",
        "missing.md",
    );
    let (at, error) = events.wait_error_at(from, "content/basics/second.md:10");
    assert!(
        error["message"].as_str().unwrap().contains("missing.md"),
        "{error}"
    );
    assert_eq!(serve.page("basics/second.html"), good);

    edit(
        &guide,
        "content/basics/second.md",
        "missing.md",
        "first.md#core-idea",
    );
    edit(
        &guide,
        "content/basics/second.md",
        "second-body-v1",
        "second-body-v2",
    );
    let (ok, _) = events.wait(at + 1, "the ok event", |e, _| e == "ok");
    events.wait(ok + 1, "the reload event", |e, _| e == "reload");
    serve.wait_text("basics/second.html", "second-body-v2");
}

/// `guide build` fails on a link to a heading that does not exist; so must the dev server.
#[test]
fn a_broken_anchor_keeps_the_last_good_page_then_recovers() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let events = Events::open(&serve);
    let good_second = serve.page("basics/second.html");
    let good_first = serve.page("basics/first.html");

    // A link to a heading that does not exist (second.md, line 10).
    let from = events.len();
    edit(
        &guide,
        "content/basics/second.md",
        "first.md#core-idea",
        "first.md#no-such-heading",
    );
    let (at, error) = events.wait_error_at(from, "content/basics/second.md:10");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("no-such-heading")
    );
    assert_eq!(serve.page("basics/second.html"), good_second);
    edit(
        &guide,
        "content/basics/second.md",
        "first.md#no-such-heading",
        "first.md#core-idea",
    );
    let (ok, _) = events.wait(at + 1, "the ok event", |e, _| e == "ok");

    // A heading renamed while another lesson links to it: first.md links to
    // second.md#next-steps on line 11.
    edit(
        &guide,
        "content/basics/second.md",
        "## Next steps",
        "## Later steps",
    );
    let (at, _) = events.wait_error_at(ok + 1, "content/basics/first.md:11");
    // The fix above was served as a new build: only the reload script's build id differs.
    assert_eq!(
        strip_reload(&serve.page("basics/first.html")).1,
        strip_reload(&good_first).1
    );
    edit(
        &guide,
        "content/basics/second.md",
        "## Later steps",
        "## Next steps",
    );
    events.wait(at + 1, "the ok event", |e, _| e == "ok");
}

#[test]
fn a_refused_save_right_after_a_good_one_leaves_that_build_its_search_index() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    let good_builds = serve.good_builds();
    edit(
        &guide,
        "content/basics/first.md",
        "first-body-v1",
        "first-body-v2",
    );
    let deadline = Instant::now() + WAIT;
    while serve.good_builds() == good_builds {
        assert!(
            Instant::now() < deadline,
            "no good build; log:\n{}",
            serve.log()
        );
        thread::sleep(Duration::from_millis(1));
    }
    // Before the served build's index is merged (that waits for saves to pause).
    edit(
        &guide,
        "content/basics/first.md",
        "title = \"First lesson\"",
        "title = \"First lesson",
    );
    serve.wait_log("the refusal", |l| {
        l.contains("still serving the last good build")
    });

    let html = serve.page("basics/first.html");
    assert!(
        html.contains("first-body-v2"),
        "the good build is not served"
    );
    let manifest = html
        .split('"')
        .find_map(|s| {
            let at = s.find("search/index.")?;
            Some(s[at..].to_owned())
        })
        .expect("the page names its search index");
    let r = http(
        serve.addr(),
        format!(
            "GET /{manifest} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            serve.port
        )
        .as_bytes(),
    )
    .unwrap_or_else(|e| panic!("GET /{manifest}: {e}; log:\n{}", serve.log()));
    assert_eq!(r.status, 200, "GET /{manifest}: {}", r.head);
    assert!(r.text().starts_with("guideSearchPart("), "{}", r.text());
}

#[test]
fn when_the_first_build_has_errors_the_server_starts_and_serves_what_it_can() {
    let guide = Guide::fixture(FIXTURE);
    edit(
        &guide,
        "content/basics/orphan.md",
        "title = \"Orphan lesson\"",
        "title = [",
    );
    edit(
        &guide,
        "content/basics/second.md",
        "first.md#core-idea",
        "nowhere.md",
    );
    let serve = Serve::launch(&guide, &guide.root_str()).unwrap_or_else(|log| {
        panic!("guide serve did not start:\n{log}");
    });
    assert!(serve.page("index.html").contains("home-body-v1"));
    assert!(serve.page("basics/first.html").contains("first-body-v1"));
    assert!(serve.page("basics/second.html").contains("second-body-v1"));
    assert_eq!(serve.get("basics/orphan.html").status, 404);
    let events = Events::open(&serve);
    events.wait_error_at(0, "content/basics/orphan.md");
    events.wait_error_at(0, "content/basics/second.md:10");
    serve.wait_watching(&guide);

    let from = events.len();
    edit(
        &guide,
        "content/basics/orphan.md",
        "title = [",
        "title = \"Orphan lesson\"",
    );
    edit(
        &guide,
        "content/basics/second.md",
        "nowhere.md",
        "first.md#core-idea",
    );
    let (ok, _) = events.wait(from, "the ok event", |e, _| e == "ok");
    events.wait(ok + 1, "the reload event", |e, _| e == "reload");
    serve.wait_text("basics/orphan.html", "orphan-body-v1");
    assert!(serve.page("basics/second.html").contains("second-body-v1"));
}

/// A guide that starts with an error keeps showing it while other lessons are edited.
#[test]
fn errors_of_the_first_build_stay_shown_until_fixed() {
    let guide = Guide::fixture(FIXTURE);
    edit(
        &guide,
        "content/basics/second.md",
        "first.md#core-idea",
        "nowhere.md",
    );
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    let events = Events::open(&serve);
    events.wait_error_at(0, "content/basics/second.md:10");
    let from = events.len();
    // Re-saving the home page unchanged is enough to clear them...
    serve.wait_watching(&guide);
    // ...and so is an edit of a lesson unrelated to the broken one.
    edit(
        &guide,
        "content/advanced/third.md",
        "third-body-v1",
        "third-body-v2",
    );
    serve.wait_log("the rebuild", |l| {
        l.contains("content/advanced/third.md changed:")
    });
    thread::sleep(Duration::from_millis(200));
    let after: Vec<(String, String)> = events.all().into_iter().skip(from).collect();
    assert!(
        !after.iter().any(|(e, _)| e == "ok"),
        "the errors were cleared while second.md's link is still broken: {after:#?}"
    );
}

/// A theme that does not load at the start: the server still starts, shows the error, and
/// serves the guide once the template is fixed.
#[test]
fn when_the_first_build_has_a_template_error_the_server_starts_and_recovers() {
    let guide = Guide::fixture(FIXTURE);
    let rel = "themes/default/templates/partials/footer.html";
    guide.write(rel, "<footer>{% if %}</footer>\n");
    let serve = Serve::launch(&guide, &guide.root_str()).unwrap_or_else(|log| {
        panic!("guide serve exited on a template error:\n{log}");
    });
    let events = Events::open(&serve);
    events.wait_error_at(0, "themes/default/templates/partials/footer.html:1");
    guide.write(rel, "<footer>fixed-footer</footer>\n");
    serve.wait_text("basics/first.html", "fixed-footer");
}

#[test]
fn when_the_first_build_has_a_book_toml_error_the_server_starts_and_recovers() {
    let guide = Guide::fixture(FIXTURE);
    let good = guide.read("book.toml");
    guide.write("book.toml", good.replacen("[book]", "[book", 1));
    let serve = Serve::launch(&guide, &guide.root_str()).unwrap_or_else(|log| {
        panic!("guide serve exited on a book.toml error:\n{log}");
    });
    let events = Events::open(&serve);
    events.wait_error_at(0, "book.toml:1");
    guide.write("book.toml", good);
    serve.wait_text("basics/first.html", "first-body-v1");
}

// ---------------------------------------------------------------------------------------------
// Safety: traversal, Host, HTTP details
// ---------------------------------------------------------------------------------------------

#[test]
fn traversal_probes_never_leave_the_site() {
    let guide = Guide::fixture(FIXTURE);
    let secret = "SECRET-OUTSIDE-THE-GUIDE-7f3a";
    let outside = guide.beside("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret.txt"), secret).unwrap();
    fs::write(outside.join("secret.svg"), format!("<svg>{secret}</svg>")).unwrap();
    fs::write(guide.beside("secret.txt"), secret).unwrap();
    // Files of the guide that are not part of the site.
    guide.append("book.toml", &format!("# {secret}\n"));
    guide.write("content/basics/.env", secret);
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(
            outside.join("secret.txt"),
            guide.path("content/basics/leak.txt"),
        )
        .unwrap();
        symlink(
            outside.join("secret.svg"),
            guide.path("content/basics/leak.svg"),
        )
        .unwrap();
        symlink(&outside, guide.path("content/basics/leakdir")).unwrap();
        symlink("/etc", guide.path("content/etc")).unwrap();
    }
    let serve = Serve::start(&guide);
    let abs = outside
        .join("secret.txt")
        .to_string_lossy()
        .replace('\\', "/");
    let abs = abs.trim_start_matches('/');
    let probes: Vec<String> = [
        "/../secret.txt",
        "/../../outside/secret.txt",
        "/basics/../../secret.txt",
        "/basics/../../../outside/secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/outside/secret.txt",
        "/.%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%2fsecret.txt",
        "/..%2F..%2Foutside%2Fsecret.txt",
        "/%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/basics\\..\\..\\secret.txt",
        "/..%5csecret.txt",
        "/..%5c..%5coutside%5csecret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/..%c0%afsecret.txt",
        "/%252e%252e/secret.txt",
        "/secret.txt%00.html",
        "/C:/secret.txt",
        "/c:%5csecret.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/etc/hostname",
        "/../book.toml",
        "/book.toml",
        "/basics/first.md",
        "/basics/.env",
        "/basics/leak.txt",
        "/basics/leak.svg",
        "/basics/leakdir/secret.txt",
        "/basics/leakdir/",
        "/etc/",
        "..",
        "../secret.txt",
        "*",
        "http://127.0.0.1/../secret.txt",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("/{abs}"), format!("//{abs}"), format!("/%2f{abs}")])
    .collect();
    for probe in &probes {
        let r = serve.request("GET", probe, &[]);
        assert!(
            matches!(r.status, 400 | 404),
            "GET {probe} answered {}:\n{}",
            r.status,
            r.text()
        );
        assert!(!r.text().contains(secret), "GET {probe} leaked the file");
        assert!(
            !r.text().contains("root:x:0:0"),
            "GET {probe} leaked /etc/passwd"
        );
    }
    // The site itself is still served, and a symlink inside the content folder to a file
    // inside it is fine.
    assert!(serve.page("basics/first.html").contains("first-body-v1"));
    assert_eq!(serve.get("basics/img/diagram.svg").status, 200);
}

#[test]
fn host_header_must_name_the_server() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    let port = serve.port;
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
        // An address is no DNS name an attacker could point here.
        format!("192.168.1.5:{port}"),
    ] {
        let r = serve.request("GET", "/basics/first.html", &[("Host", &host)]);
        assert_eq!(r.status, 200, "Host: {host}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        format!("127.0.0.1:x{port}"),
        "127.0.0.1".to_owned(),
        String::new(),
    ] {
        let r = serve.request("GET", "/basics/first.html", &[("Host", &host)]);
        assert_eq!(r.status, 403, "Host: {host:?} answered {}", r.status);
        assert!(!r.text().contains("first-body-v1"));
        let r = serve.request("GET", "/__guide/events", &[("Host", &host)]);
        assert_eq!(r.status, 403, "events with Host: {host:?}");
    }
    // No Host at all (HTTP/1.0 style).
    let r = serve.raw(b"GET /basics/first.html HTTP/1.0\r\n\r\n");
    assert_eq!(r.status, 403);
}

#[test]
fn a_port_in_use_is_refused_with_what_to_do() {
    let guide = Guide::fixture(FIXTURE);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = taken.local_addr().expect("its address").port().to_string();
    let mut child = guide
        .command(&["serve", "--root", &guide.root_str(), "--port", &port])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start guide serve");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll guide serve") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("guide serve kept running on a port in use");
        }
        thread::sleep(POLL);
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("port {port} is already in use")) && stderr.contains("--port 0"),
        "{stderr}"
    );
}

#[test]
fn bound_beyond_loopback_it_warns_and_answers_by_address() {
    let guide = Guide::fixture(FIXTURE);
    let root = guide.root_str();
    let serve = Serve::launch_with(
        &guide,
        &["serve", "--root", &root, "--bind", "0.0.0.0", "--port", "0"],
    )
    .expect("guide serve starts");
    assert!(
        serve.log().contains(
            "warning: serving on 0.0.0.0 makes the preview reachable from other machines"
        ),
        "{}",
        serve.log()
    );
    let r = serve.request(
        "GET",
        "/basics/first.html",
        &[("Host", &format!("10.1.2.3:{}", serve.port))],
    );
    assert_eq!(r.status, 200, "{}", r.head);
    let r = serve.request(
        "GET",
        "/basics/first.html",
        &[("Host", &format!("attacker.example:{}", serve.port))],
    );
    assert_eq!(r.status, 403, "{}", r.head);
}

#[test]
fn head_etags_content_types_and_no_directory_listing() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    let page = serve.get("basics/first.html");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        page.header("content-length").and_then(|l| l.parse().ok()),
        Some(page.body.len())
    );

    // HEAD: the same head, no body.
    let head = serve.request("HEAD", "/basics/first.html", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD sent a body");
    assert_eq!(head.header("content-length"), page.header("content-length"));
    assert_eq!(head.header("etag"), page.header("etag"));

    // ETag and If-None-Match.
    let etag = page.header("etag").expect("an ETag");
    let r = serve.request("GET", "/basics/first.html", &[("If-None-Match", &etag)]);
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    let r = serve.request(
        "GET",
        "/basics/first.html",
        &[("If-None-Match", "\"0000000000000000\"")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body, page.body);

    // Content types of what the page links to, and of the live-reload script.
    let html = page.text();
    let mut wanted: Vec<(String, &str)> = Vec::new();
    for tag in support::tags(&html) {
        let (value, kind) = match (tag.name.as_str(), tag.attr("rel").as_deref()) {
            ("link", Some("stylesheet")) => (tag.attr("href"), "text/css; charset=utf-8"),
            ("link", Some("icon")) => (tag.attr("href"), "image/svg+xml"),
            ("script", _) => (tag.attr("src"), "text/javascript; charset=utf-8"),
            ("img", _) => (tag.attr("src"), "image/svg+xml"),
            _ => continue,
        };
        if let Some(value) = value.filter(|v| !v.contains(':')) {
            wanted.push((support::target_of("basics/first.html", &value), kind));
        }
    }
    let kinds: BTreeSet<&str> = wanted.iter().map(|(_, k)| *k).collect();
    assert_eq!(
        kinds.len(),
        3,
        "expected css, js and svg references: {wanted:?}"
    );
    assert!(wanted.iter().any(|(p, _)| p == "__guide/reload.js"));
    assert!(wanted.iter().any(|(p, _)| p == "basics/img/diagram.svg"));
    for (path, kind) in &wanted {
        let r = serve.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type").as_deref(), Some(*kind), "{path}");
        assert!(!r.body.is_empty(), "{path}");
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
    }

    // Folders: their index.html, or the 404 page; never a listing.
    assert_eq!(serve.get("").body, serve.get("index.html").body);
    assert_eq!(
        serve.get("basics/").body,
        serve.get("basics/index.html").body
    );
    let not_found = serve.get("no-such-page.html");
    assert_eq!(not_found.status, 404);
    for folder in [
        "static/",
        "static",
        "static/css/",
        "static/js/",
        "basics/img/",
        "basics/img",
        "__guide/",
    ] {
        let r = serve.get(folder);
        assert_eq!(r.status, 404, "/{folder}");
        let text = r.text();
        assert!(
            !text.contains("diagram.svg") && !text.contains("main."),
            "/{folder} lists files:\n{text}"
        );
    }

    // Other methods, and requests that are not HTTP at all.
    assert_eq!(serve.request("POST", "/basics/first.html", &[]).status, 405);
    assert_eq!(
        serve.request("DELETE", "/basics/first.html", &[]).status,
        405
    );
    assert_eq!(
        serve
            .raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n")
            .status,
        400
    );
    assert_eq!(serve.raw(b"GET\r\n\r\n").status, 400);
}

// ---------------------------------------------------------------------------------------------
// Incremental output equals a fresh build
// ---------------------------------------------------------------------------------------------

#[test]
fn after_edits_every_served_file_equals_a_fresh_build() {
    served_site_equals_a_fresh_build_after_edits(&|_| false);
}

/// The same as above without the search index, so that the rest stays checked meanwhile.
#[test]
fn after_edits_every_served_file_but_the_search_index_equals_a_fresh_build() {
    served_site_equals_a_fresh_build_after_edits(&|file| file.starts_with("search/"));
}

/// Makes a series of edits of every kind, then fetches every file of a fresh `guide build` of
/// the guide (but those `skip` names) from the server and compares the bytes; HTML pages may
/// differ only by the one injected reload script.
fn served_site_equals_a_fresh_build_after_edits(skip: &dyn Fn(&str) -> bool) {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::start(&guide);
    // Render and cache every page of the first build, so that stale caches would show.
    for page in serve.crawl() {
        let _ = serve.page(&page);
    }
    let step = |what: &str, check_path: &str, needle: &str, change: &dyn Fn()| {
        change();
        let _ = what;
        serve.wait_text(check_path, needle);
    };
    step("body", "basics/first.html", "first-body-v2", &|| {
        edit(
            &guide,
            "content/basics/first.md",
            "first-body-v1",
            "first-body-v2",
        )
    });
    step("title", "basics/first.html", "Second, retitled", &|| {
        edit(
            &guide,
            "content/basics/second.md",
            "title = \"Second lesson\"",
            "title = \"Second, retitled\"",
        )
    });
    step("new lesson", "basics/fourth.html", "fourth-body", &|| {
        guide.write(
            "content/basics/fourth.md",
            "+++\ntitle = \"Fourth lesson\"\nweight = 40\ntopics = [\"devops\"]\n+++\n\nMarker: fourth-body.\n\n## Tools\n\nRead [the core idea](first.md#core-idea) and [the third](../advanced/third.md).\n",
        )
    });
    step(
        "deleted lesson",
        "basics/first.html",
        "Fourth lesson",
        &|| guide.remove("content/basics/orphan.md"),
    );
    serve.wait_status("basics/orphan.html", 404);
    step("heading", "basics/second.html", "Next moves", &|| {
        let text = guide
            .read("content/basics/second.md")
            .replace("## Next steps", "## Next moves");
        let first = guide
            .read("content/basics/first.md")
            .replace("second.md#next-steps", "second.md#next-moves");
        save_in_place(&guide.path("content/basics/first.md"), &first);
        save_in_place(&guide.path("content/basics/second.md"), &text);
    });
    serve.wait_text("basics/first.html", "second.html#next-moves");
    step(
        "renamed lesson",
        "advanced/later.html",
        "third-body-v1",
        &|| {
            fs::rename(
                guide.path("content/advanced/third.md"),
                guide.path("content/advanced/later.md"),
            )
            .unwrap();
            let fourth = guide
                .read("content/basics/fourth.md")
                .replace("../advanced/third.md", "../advanced/later.md");
            save_in_place(&guide.path("content/basics/fourth.md"), &fourth);
        },
    );
    step("template", "basics/first.html", "footer-marker-v2", &|| {
        edit(
            &guide,
            "themes/default/templates/partials/footer.html",
            "footer-marker-v1",
            "footer-marker-v2",
        )
    });
    step(
        "book.toml",
        "basics/first.html",
        "A guide, edited.",
        &|| {
            edit(
                &guide,
                "book.toml",
                "A small guide for the dev server tests.",
                "A guide, edited.",
            )
        },
    );
    step("new section", "extra/index.html", "extra-section", &|| {
        guide.write(
            "content/extra/_index.md",
            "+++\ntitle = \"Extra section\"\nweight = 30\n+++\n\nMarker: extra-section.\n",
        );
        guide.write(
            "content/extra/one.md",
            lesson(
                "Extra one",
                10,
                "Marker: extra-one.\n\nSee [the fourth](../basics/fourth.md#tools).",
            ),
        );
    });
    thread::sleep(QUIET);
    // Last, an edit of a body alone that links to another lesson: taken in without loading the
    // guide again, it must still change the linked lesson's backlinks, the section list's
    // reading time and the search index exactly as a build does.
    let backlink =
        "href=\"../advanced/later.html\">Third lesson</a><span class=\"link-list-desc\">";
    step("body with a link", "basics/second.html", backlink, &|| {
        edit(
            &guide,
            "content/advanced/later.md",
            "third-body-v1.",
            &format!(
                "third-body-v1. {}\n\nSee [the second](../basics/second.md#next-moves).",
                "Many more words to read. ".repeat(60)
            ),
        )
    });
    thread::sleep(QUIET);
    // In-place saves can be read half-written and refused; the last rebuild must be good.
    let log = serve.log();
    let last = log
        .lines()
        .rev()
        .find(|l| l.contains(" changed: "))
        .unwrap();
    assert!(
        last.contains("; serving build "),
        "the last rebuild failed:\n{log}"
    );
    assert!(
        last.contains("bodies replaced"),
        "the last edit was not taken in as a body edit:\n{log}"
    );

    let out = guide.beside("fresh");
    guide
        .run(&[
            "build",
            "--root",
            &guide.root_str(),
            "--out",
            out.to_str().unwrap(),
        ])
        .ok();
    let built = support::Site::at(out.clone());
    let files: Vec<String> = built
        .files()
        .into_iter()
        .filter(|f| !f.split('/').any(|p| p.starts_with('.')) && !skip(f))
        .collect();
    assert!(files.len() > 15, "{files:?}");
    let mut problems = Vec::new();
    for file in &files {
        let want = fs::read(out.join(file)).unwrap();
        let r = serve.get(file);
        if r.status != 200 {
            problems.push(format!("{file}: answered {}", r.status));
            continue;
        }
        if file.ends_with(".html") {
            let text = r.text();
            let (tags, stripped) = strip_reload(&text);
            if tags.len() != 1 {
                problems.push(format!("{file}: {} reload scripts", tags.len()));
            }
            if stripped.as_bytes() != want.as_slice() {
                problems.push(format!(
                    "{file}: differs from the build apart from the reload script{}",
                    first_difference(&stripped, &String::from_utf8_lossy(&want))
                ));
            }
        } else if r.body != want {
            problems.push(format!("{file}: bytes differ from the build"));
        }
    }
    assert!(
        problems.is_empty(),
        "served site != fresh build:\n{}",
        problems.join("\n")
    );
}

/// Where two texts first differ, with some context.
fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .bytes()
        .zip(b.bytes())
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(80);
    let clip = |s: &str| {
        let s = s.as_bytes();
        String::from_utf8_lossy(&s[from.min(s.len())..(at + 120).min(s.len())]).into_owned()
    };
    format!(
        " at byte {at}:\n  served: {:?}\n  built:  {:?}",
        clip(a),
        clip(b)
    )
}

// ---------------------------------------------------------------------------------------------
// In the browser
// ---------------------------------------------------------------------------------------------

#[test]
fn in_the_browser_a_page_updates_itself_keeps_its_scroll_and_shows_then_clears_errors() {
    let guide = Guide::fixture(FIXTURE);
    let long: String = (1..=120)
        .map(|i| format!("Paragraph {i} of a long lesson, long enough to scroll.\n\n"))
        .collect();
    guide.write(
        "content/basics/first.md",
        format!(
            "+++\ntitle = \"First lesson\"\nweight = 10\n+++\n\nMarker: browser-v1.\n\n## Core idea\n\n{long}"
        ),
    );
    let serve = Serve::start(&guide);
    let url = format!("http://127.0.0.1:{}/basics/first.html", serve.port);
    let has = |needle: &str| format!("document.body.innerText.includes({})", lit(needle));
    with_browser("serve-update", |b| {
        b.add_script_on_new_document(TRACK_EVENT_SOURCES)?;
        b.navigate(&url)?;
        b.wait_for(&has("browser-v1"), WAIT)?;
        b.wait_for(CONNECTED, WAIT)?;
        b.evaluate("window.scrollTo(0, 1500); window.__kept = 'old page'; true")?;
        b.wait_for("Math.abs(window.scrollY - 1500) < 2", WAIT)?;

        edit(
            &guide,
            "content/basics/first.md",
            "browser-v1",
            "browser-v2",
        );
        b.wait_for(&has("browser-v2"), WAIT)?;
        if b.evaluate("window.__kept === undefined")? != Value::Bool(true) {
            return Err("the new text showed without a reload".into());
        }
        b.wait_for("Math.abs(window.scrollY - 1500) < 2", WAIT)
            .map_err(|e| format!("the scroll position was not kept: {e}"))?;

        // A mistake: the overlay names the file and line; the page stays as it was.
        b.evaluate("window.__kept = 'before the error'; true")?;
        edit(
            &guide,
            "content/basics/first.md",
            "title = \"First lesson\"",
            "title = \"First lesson",
        );
        b.wait_for(
            "(() => { const o = document.getElementById('guide-serve-errors'); \
             return !!o && o.textContent.includes('content/basics/first.md:2'); })()",
            WAIT,
        )?;
        if b.evaluate("window.__kept")? != Value::String("before the error".into()) {
            return Err("the page reloaded on an error".into());
        }
        if !b.eval_bool(&has("browser-v2"))? {
            return Err("the last good text is gone".into());
        }

        // The fix: the overlay goes and the new text shows, still at the same place.
        let text = guide
            .read("content/basics/first.md")
            .replace("title = \"First lesson", "title = \"First lesson\"")
            .replace("browser-v2", "browser-v3");
        save_by_rename(
            &guide.path("content/basics/first.md"),
            ".first.md.tmp",
            &text,
        );
        b.wait_for(&has("browser-v3"), WAIT)?;
        b.wait_for("!document.getElementById('guide-serve-errors')", WAIT)?;
        b.wait_for("Math.abs(window.scrollY - 1500) < 2", WAIT)
            .map_err(|e| format!("the scroll position was not kept after the fix: {e}"))?;
        let problems = b.take_problems();
        if !problems.is_empty() {
            return Err(format!("the page reported problems: {problems:#?}"));
        }
        Ok("updated itself, kept its scroll, showed then cleared the errors".into())
    });
}

#[test]
fn in_the_browser_a_css_change_swaps_the_stylesheet_without_a_reload() {
    let guide = Guide::fixture(FIXTURE);
    let rel = "themes/default/static/css/tokens.css";
    guide.write(rel, "body { margin: 0; }\n:root { --serve-probe: one; }\n");
    let serve = Serve::start(&guide);
    let url = format!("http://127.0.0.1:{}/basics/first.html", serve.port);
    let probe =
        "getComputedStyle(document.documentElement).getPropertyValue('--serve-probe').trim()";
    with_browser("serve-css", |b| {
        b.add_script_on_new_document(TRACK_EVENT_SOURCES)?;
        b.navigate(&url)?;
        b.wait_for(&format!("{probe} === 'one'"), WAIT)?;
        b.wait_for(CONNECTED, WAIT)?;
        let before = b.eval_string(
            "document.querySelector('link[rel=stylesheet][href*=\"css/tokens.\"]').getAttribute('href')",
        )?;
        b.evaluate("window.__kept = 42; true")?;

        edit(&guide, rel, "--serve-probe: one", "--serve-probe: two");
        b.wait_for(&format!("{probe} === 'two'"), WAIT)?;
        if b.evaluate("window.__kept")? != 42 {
            return Err("the page reloaded for a stylesheet change".into());
        }
        let after = b.eval_string(
            "document.querySelector('link[rel=stylesheet][href*=\"css/tokens.\"]').getAttribute('href')",
        )?;
        if after == before {
            return Err(format!("the stylesheet link was not swapped: {after}"));
        }
        // The new stylesheet is the one the server now puts in its pages.
        let html = serve.page("basics/first.html");
        if !html.contains(&format!("href=\"{after}\"")) {
            return Err(format!("{after} is not the stylesheet of a fresh page"));
        }
        Ok("swapped the stylesheet without a reload".into())
    });
}

// ---------------------------------------------------------------------------------------------
// Slow and idle clients
// ---------------------------------------------------------------------------------------------

#[test]
fn slow_clients_do_not_stop_others_from_being_served() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    let stop = Arc::new(AtomicBool::new(false));
    let mut trickles = Vec::new();
    for _ in 0..8 {
        let mut stream = TcpStream::connect(serve.addr()).unwrap();
        let stop = stop.clone();
        let port = serve.port;
        trickles.push(thread::spawn(move || {
            let request = format!("GET /basics/first.html HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
            for byte in request.bytes() {
                if stop.load(Ordering::SeqCst) || stream.write_all(&[byte]).is_err() {
                    return;
                }
                let until = Instant::now() + Duration::from_secs(1);
                while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(20));
                }
            }
        }));
    }
    // A client that sends half a request and stays silent, and one that sends garbage.
    let mut silent = TcpStream::connect(serve.addr()).unwrap();
    silent.write_all(b"GET /basics/first.html HTT").unwrap();
    let mut junk = vec![0xffu8; 3000];
    junk.extend_from_slice(b"\r\n\r\n");
    let garbage = serve.raw(&junk);
    assert_eq!(garbage.status, 400);
    // An oversized head: a 400, or the connection closed while it is still being sent (a server
    // that kept reading would run into the client's timeout instead).
    let oversized = http(
        serve.addr(),
        format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Long: {}\r\n\r\n",
            serve.port,
            "a".repeat(64 * 1024)
        )
        .as_bytes(),
    );
    match oversized {
        Ok(r) => assert_eq!(r.status, 400),
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            ),
            "oversized head: {e}"
        ),
    }

    // Each request is answered before the slow clients send their next byte: it waits on none
    // of them.
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let t = Instant::now();
        let r = serve.get("basics/first.html");
        assert_eq!(r.status, 200);
        slowest = slowest.max(t.elapsed());
        thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::SeqCst);
    for t in trickles {
        t.join().unwrap();
    }
    drop(silent);
    assert!(
        slowest < Duration::from_secs(1),
        "a request took {slowest:?}, longer than slow clients take for a byte"
    );
}

/// More idle connections than the server's limit must not lock everyone else out.
#[test]
fn many_idle_connections_do_not_lock_others_out() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    let idle: Vec<TcpStream> = (0..600)
        .map(|_| TcpStream::connect(serve.addr()).expect("connect"))
        .collect();
    thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let r = http(
        serve.addr(),
        format!(
            "GET /basics/first.html HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            serve.port
        )
        .as_bytes(),
    );
    drop(idle);
    match r {
        Ok(r) => assert_eq!(r.status, 200),
        Err(e) => panic!(
            "next to 600 idle connections a request failed after {:?}: {e}",
            started.elapsed()
        ),
    }
}

#[test]
fn in_the_browser_a_page_reloads_when_the_server_comes_back_with_new_content() {
    let guide = Guide::fixture(FIXTURE);
    // Both servers serve their first build: only the session tells the builds apart.
    let first = Serve::launch(&guide, &guide.root_str()).expect("guide serve starts");
    let port = first.port.to_string();
    let url = format!("http://127.0.0.1:{port}/basics/first.html");
    let has = |needle: &str| format!("document.body.innerText.includes({})", lit(needle));
    with_browser("serve-restart", |b| {
        b.add_script_on_new_document(TRACK_EVENT_SOURCES)?;
        b.navigate(&url)?;
        b.wait_for(&has("first-body-v1"), WAIT)?;
        b.wait_for(CONNECTED, WAIT)?;
        b.evaluate("window.__kept = 'first server'; true")?;
        drop(first);
        edit(
            &guide,
            "content/basics/first.md",
            "first-body-v1",
            "first-body-v2",
        );
        let root = guide.root_str();
        let _second = Serve::launch_with(&guide, &["serve", "--root", &root, "--port", &port])
            .map_err(|log| format!("the server did not start again on port {port}:\n{log}"))?;
        b.wait_for(&has("first-body-v2"), WAIT)
            .map_err(|e| format!("the page did not reload from the restarted server: {e}"))?;
        if b.evaluate("window.__kept === undefined")? != Value::Bool(true) {
            return Err("the new text showed without a reload".into());
        }
        Ok("reloaded from the restarted server".into())
    });
}
