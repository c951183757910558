//! Hosting end to end: the bundled guide built, served by a real nginx under a sub-path with the
//! configuration `docs/publishing.md` shows (`docs/nginx.conf`), its caching and compression
//! headers checked, and crawled page by page in headless Chromium; then the same crawl from
//! `file://`. Without nginx (or Chromium) the tests are skipped, unless
//! `GUIDE_REQUIRE_BROWSER=1`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::browser::{Browser, build_guide, file_url, html_pages, with_browser};
use serde_json::Value;

/// Where the documented snippet hosts the guide.
const SUB_PATH: &str = "/teams/it-guide/";
/// The folder the documented snippet names, replaced by the built site's folder.
const DOCS_FOLDER: &str = "/srv/it-guide/";

const SHORT: Duration = Duration::from_secs(10);

fn require() -> bool {
    std::env::var("GUIDE_REQUIRE_BROWSER").as_deref() == Ok("1")
}

/// nginx: `GUIDE_NGINX`, else Debian's `/usr/sbin/nginx`, else `nginx` on `PATH`.
fn find_nginx() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GUIDE_NGINX").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let debian = Path::new("/usr/sbin/nginx");
    if debian.is_file() {
        return Some(debian.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("nginx"))
        .find(|p| p.is_file())
}

/// The bundled guide built into a temporary folder.
struct Built {
    dir: tempfile::TempDir,
    out: PathBuf,
}

fn build_bundled() -> Built {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("site");
    build_guide(Path::new(env!("CARGO_MANIFEST_DIR")), &out);
    Built { dir, out }
}

/// The `location` block of `docs/nginx.conf`, which `docs/publishing.md` shows.
fn documented_location_block() -> String {
    let block = include_str!("../../docs/nginx.conf");
    assert!(
        block.contains(&format!("location {SUB_PATH} ")) && block.contains(DOCS_FOLDER),
        "docs/nginx.conf should host {DOCS_FOLDER} under {SUB_PATH}:\n{block}"
    );
    block.to_owned()
}

/// A real nginx serving one folder with the documented snippet, in the foreground as a child,
/// with its pid file, logs and temp folders in a folder of its own.
struct Nginx {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Nginx {
    /// The bundled guide built and served by a new nginx on a free port, or `None` (skipped)
    /// when nginx is not installed.
    fn serve_bundled() -> Option<(Built, Nginx)> {
        let Some(program) = find_nginx() else {
            assert!(!require(), "nginx not found");
            println!("skipped: nginx not found");
            return None;
        };
        let site = build_bundled();
        let nginx = Nginx::start(&program, &site.out, &site.dir.path().join("nginx"));
        Some((site, nginx))
    }

    fn start(program: &Path, site: &Path, dir: &Path) -> Nginx {
        fs::create_dir_all(dir).expect("nginx folder");
        let site = site.canonicalize().expect("site folder");
        let location =
            documented_location_block().replace(DOCS_FOLDER, &format!("{}/", site.display()));
        let mut last_error = String::new();
        // The port is found free and then handed over, so another process may take it first.
        for _ in 0..5 {
            let port = free_port();
            let d = dir.display();
            let conf = format!(
                "pid {d}/nginx.pid;\n\
                 error_log {d}/error.log warn;\n\
                 master_process off;\n\
                 events {{ worker_connections 128; }}\n\
                 http {{\n\
                 types {{ text/html html; text/css css; application/javascript js; \
                 image/svg+xml svg; image/png png; font/woff2 woff2; application/xml xml; \
                 text/plain txt; application/json json; }}\n\
                 default_type application/octet-stream;\n\
                 log_format hosting '$status $request_method $request_uri';\n\
                 access_log {d}/access.log hosting;\n\
                 client_body_temp_path {d}/client_body;\n\
                 proxy_temp_path {d}/proxy;\n\
                 fastcgi_temp_path {d}/fastcgi;\n\
                 uwsgi_temp_path {d}/uwsgi;\n\
                 scgi_temp_path {d}/scgi;\n\
                 server {{\n\
                 listen 127.0.0.1:{port};\n\
                 server_name localhost;\n\
                 {location}\n\
                 }}\n\
                 }}\n"
            );
            let conf_path = dir.join("nginx.conf");
            fs::write(&conf_path, conf).expect("write nginx.conf");
            let mut child = Command::new(program)
                .arg("-p")
                .arg(dir)
                .arg("-e")
                .arg(dir.join("error.log"))
                .arg("-c")
                .arg(&conf_path)
                .args(["-g", "daemon off;"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
            let started = Instant::now();
            while started.elapsed() < SHORT {
                if let Some(status) = child.try_wait().expect("nginx status") {
                    let mut stderr = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = e.read_to_string(&mut stderr);
                    }
                    let log = fs::read_to_string(dir.join("error.log")).unwrap_or_default();
                    last_error = format!("nginx exited ({status}):\n{stderr}\n{log}");
                    break;
                }
                // Other tests of this process bind free ports too: the port may have gone to
                // one of them, so it counts only when nginx answers on it.
                if answers_as_nginx(port) {
                    return Nginx {
                        child,
                        dir: dir.to_path_buf(),
                        port,
                    };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("nginx did not start: {last_error}");
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn base(&self) -> String {
        format!("{}{SUB_PATH}", self.origin())
    }

    /// Status of a plain `GET` of `target` (a path with its query).
    fn status(&self, target: &str) -> u16 {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to nginx");
        stream.set_read_timeout(Some(SHORT)).expect("timeout");
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("send request");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let head = String::from_utf8_lossy(&answer[..answer.len().min(64)]).into_owned();
        head.split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("GET {target}: no status line in {head:?}"))
    }

    /// Status and headers (names lower-cased) of a `GET` of `target`, asking for gzip when
    /// `gzip` is set.
    fn headers(&self, target: &str, gzip: bool) -> (u16, BTreeMap<String, String>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to nginx");
        stream.set_read_timeout(Some(SHORT)).expect("timeout");
        let accept = if gzip {
            "Accept-Encoding: gzip\r\n"
        } else {
            ""
        };
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{accept}Connection: close\r\n\r\n"
        )
        .expect("send request");
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("GET {target}: no status line in {head:?}"));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        (status, headers)
    }

    /// `(status, method, target)` of every request in the access log so far.
    fn access_log(&self) -> Vec<(u16, String, String)> {
        fs::read_to_string(self.dir.join("access.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let mut parts = line.splitn(3, ' ');
                let status = parts.next()?.parse().ok()?;
                Some((status, parts.next()?.to_owned(), parts.next()?.to_owned()))
            })
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the server on `port` of 127.0.0.1 says it is nginx. It asks for the guide's home page:
/// the tests count every error in nginx's access log.
fn answers_as_nginx(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(SHORT));
    if stream
        .write_all(
            format!("HEAD {SUB_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .is_err()
    {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("server: nginx"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

#[test]
fn nginx_caches_hashed_assets_for_a_year_revalidates_pages_and_compresses() {
    let Some((site, nginx)) = Nginx::serve_bundled() else {
        return;
    };
    let css = fs::read_dir(site.out.join("static/css"))
        .expect("static/css")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("tokens.") && name.ends_with(".css"))
        .expect("the hashed stylesheet of the design tokens");
    let immutable = "public, max-age=31536000, immutable";
    let cases = [
        (format!("static/css/{css}"), Some(immutable), true),
        ("index.html".to_owned(), Some("no-cache"), true),
        (String::new(), Some("no-cache"), true),
        (
            "it-management/index.html".to_owned(),
            Some("no-cache"),
            false,
        ),
        ("404.html".to_owned(), Some("no-cache"), true),
    ];
    for (path, cache, gzip) in cases {
        let target = format!("{SUB_PATH}{path}");
        let (status, headers) = nginx.headers(&target, gzip);
        assert_eq!(status, 200, "{target}: {headers:?}");
        assert_eq!(
            headers.get("cache-control").map(String::as_str),
            cache,
            "{target}: {headers:?}"
        );
        let encoding = headers.get("content-encoding").map(String::as_str);
        assert_eq!(encoding, gzip.then_some("gzip"), "{target}: {headers:?}");
        if gzip {
            assert_eq!(
                headers.get("vary").map(String::as_str),
                Some("Accept-Encoding"),
                "{target}"
            );
        }
    }
    // A missing page is the guide's 404, also never cached.
    let (status, headers) =
        nginx.headers(&format!("{SUB_PATH}static/css/gone.0123456789.css"), false);
    assert_eq!(status, 404);
    assert_eq!(
        headers.get("cache-control").map(String::as_str),
        Some("no-cache")
    );
}

/// Every URL a page refers to (`href` and `src` of any element, SVG links included), resolved
/// against the page, and every element id on it.
const PAGE_REFS: &str = "(() => ({ \
  refs: [...document.querySelectorAll('[href],[src]')].map(e => \
    new URL(e.getAttribute('href') ?? e.getAttribute('src'), document.baseURI).href), \
  ids: [...document.querySelectorAll('[id]')].map(e => e.id) }))()";

/// What a crawl saw: every internal target (without fragment) with the first page that links it,
/// and the fragments each target is linked with.
#[derive(Default)]
struct Crawl {
    targets: BTreeMap<String, String>,
    fragments: BTreeMap<String, BTreeSet<(String, String)>>,
    ids: BTreeMap<String, BTreeSet<String>>,
}

/// Loads every page of the site at `base`, failing on any console error, exception or failed
/// request, and gathers the URLs they refer to. A reference that starts with `origin` but not
/// with `base` leaves the site.
fn crawl(b: &mut Browser, base: &str, origin: &str, pages: &[String]) -> Result<Crawl, String> {
    let mut crawl = Crawl::default();
    b.take_problems();
    for page in pages {
        let url = format!("{base}{page}");
        b.navigate(&url)?;
        b.pause(Duration::from_millis(50))?;
        let problems = b.take_problems();
        if !problems.is_empty() {
            return Err(format!("{url}:\n  {}", problems.join("\n  ")));
        }
        let found = b.evaluate(PAGE_REFS)?;
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        crawl
            .ids
            .insert(url.clone(), strings(&found["ids"]).into_iter().collect());
        for r in strings(&found["refs"]) {
            if !r.starts_with(origin) {
                continue; // external, data: and the like; another test keeps pages offline
            }
            if !r.starts_with(base) {
                return Err(format!("{url} refers to {r}, outside the site at {base}"));
            }
            let (target, fragment) = match r.split_once('#') {
                Some((t, f)) => (t.to_owned(), Some(f.to_owned())),
                None => (r.clone(), None),
            };
            let target = target.split('?').next().unwrap_or("").to_owned();
            crawl
                .targets
                .entry(target.clone())
                .or_insert_with(|| url.clone());
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                let f = percent_encoding::percent_decode_str(&f)
                    .decode_utf8_lossy()
                    .into_owned();
                crawl
                    .fragments
                    .entry(target)
                    .or_default()
                    .insert((f, url.clone()));
            }
        }
    }
    // Every `#fragment` names an element of the page it points at.
    for (target, uses) in &crawl.fragments {
        let with_index = format!("{target}index.html");
        let ids = crawl
            .ids
            .get(target)
            .or_else(|| crawl.ids.get(&with_index))
            .ok_or_else(|| format!("{target} is linked with a #fragment but was not crawled"))?;
        for (fragment, from) in uses {
            if !ids.contains(fragment) {
                return Err(format!(
                    "{from} links {target}#{fragment}: no such id there"
                ));
            }
        }
    }
    Ok(crawl)
}

#[test]
fn bundled_guide_behind_nginx_under_a_sub_path_has_no_broken_link_and_no_error() {
    let Some((site, nginx)) = Nginx::serve_bundled() else {
        return;
    };
    with_browser("nginx-crawl", |b| {
        let base = nginx.base();
        let pages = html_pages(&site.out);
        assert!(
            pages.len() > 50,
            "the bundled guide has {} pages",
            pages.len()
        );
        let crawl = crawl(b, &base, &nginx.origin(), &pages)?;

        // Every page and asset any page refers to, fetched once more by a plain client.
        let mut broken = Vec::new();
        for (target, from) in &crawl.targets {
            let path = &target[nginx.origin().len()..];
            let status = nginx.status(path);
            if status != 200 {
                broken.push(format!("{target} ({status}), linked from {from}"));
            }
        }
        if !broken.is_empty() {
            return Err(format!("broken references:\n  {}", broken.join("\n  ")));
        }
        // And nginx saw no error at all: not from the pages, their assets or the fetches above.
        let errors: Vec<String> = nginx
            .access_log()
            .into_iter()
            .filter(|(status, _, _)| *status >= 400)
            .map(|(s, m, t)| format!("{s} {m} {t}"))
            .collect();
        if !errors.is_empty() {
            return Err(format!("nginx answered errors:\n  {}", errors.join("\n  ")));
        }
        let requests = nginx.access_log().len();
        if requests < pages.len() + crawl.targets.len() {
            return Err(format!(
                "the access log holds {requests} requests, fewer than the crawl made"
            ));
        }
        Ok(format!(
            "{} pages, {} distinct targets, {requests} requests, all answered 2xx/3xx",
            pages.len(),
            crawl.targets.len()
        ))
    });
}

#[test]
fn not_found_behind_nginx_is_the_styled_404_page_at_any_depth() {
    let Some((_site, nginx)) = Nginx::serve_bundled() else {
        return;
    };
    with_browser("nginx-404", |b| {
        let base = nginx.base();
        let home = format!("{base}index.html");
        let mut checked = Vec::new();
        for missing in [
            "no-such-page.html",
            "it-management/no-such-page.html",
            "a/b/c/d/e/no-such-page",
            "static/css/gone.css",
        ] {
            let url = format!("{base}{missing}");
            b.take_problems();
            b.navigate(&url)?;
            let logged = nginx
                .access_log()
                .into_iter()
                .rev()
                .find(|(_, m, t)| m == "GET" && t.ends_with(missing));
            if !matches!(logged, Some((404, _, _))) {
                return Err(format!("{url} was answered {logged:?}, expected 404"));
            }
            let title = b.eval_string("document.title")?;
            if !title.starts_with("Page not found") {
                return Err(format!("{url} shows {title:?}, not the guide's 404 page"));
            }
            // Styled: the page's own body font and spacing, not the browser's defaults.
            let styled = b.evaluate(
                "(() => { const s = getComputedStyle(document.body); \
                  return { font: s.fontFamily, margin: s.margin, sheets: document.styleSheets.length, \
                           rules: [...document.styleSheets].reduce((n, x) => n + x.cssRules.length, 0) }; })()",
            )?;
            let font = styled["font"].as_str().unwrap_or("");
            if font.is_empty() || font == "\"Times New Roman\"" || font == "serif" {
                return Err(format!("{url}: unstyled body font {font:?}"));
            }
            if styled["margin"] == "8px" || styled["rules"].as_u64().unwrap_or(0) < 20 {
                return Err(format!("{url}: the 404 page looks unstyled: {styled}"));
            }
            // Its links are rewritten to the site root, found by probing upwards.
            b.wait_for(
                &format!(
                    "[...document.querySelectorAll('a')].some(a => a.href === {})",
                    serde_json::to_string(&home).unwrap_or_default()
                ),
                SHORT,
            )
            .map_err(|_| format!("{url}: no link to {home}"))?;
            // The only errors allowed are the 404s themselves: the page and the probes of
            // `404.html` in the folders below the site root.
            let unexpected: Vec<String> = b
                .take_problems()
                .into_iter()
                .filter(|p| {
                    let text = p.rsplit_once(" [on ").map_or(p.as_str(), |(t, _)| t);
                    let probe =
                        text.contains("/404.html") && !text.contains(&format!("{base}404.html"));
                    !(text.contains("404") && (text.contains(&url) || probe))
                })
                .collect();
            if !unexpected.is_empty() {
                return Err(format!("{url}:\n  {}", unexpected.join("\n  ")));
            }
            checked.push(missing);
        }
        Ok(format!("styled 404 at {checked:?} under {SUB_PATH}"))
    });
}

#[test]
fn bundled_guide_from_disk_has_no_broken_link_and_no_error() {
    let site = build_bundled();
    with_browser("file-crawl", |b| {
        let base = format!("{}/", file_url(&site.out));
        let pages = html_pages(&site.out);
        let crawl = crawl(b, &base, "file://", &pages)?;
        let mut broken = Vec::new();
        for (target, from) in &crawl.targets {
            let rel = percent_encoding::percent_decode_str(&target[base.len()..])
                .decode_utf8_lossy()
                .into_owned();
            let path = site.out.join(&rel);
            if !path.is_file() {
                let why = if path.is_dir() { "a folder" } else { "missing" };
                broken.push(format!("{target} ({why}), linked from {from}"));
            }
        }
        if !broken.is_empty() {
            return Err(format!("broken references:\n  {}", broken.join("\n  ")));
        }
        Ok(format!(
            "{} pages, {} distinct targets, all files",
            pages.len(),
            crawl.targets.len()
        ))
    });
}

/// Types `query` into the search box of the landing page at `base` and waits for results.
fn search_finds(b: &mut Browser, base: &str, query: &str) -> Result<usize, String> {
    b.navigate(&format!("{base}index.html"))?;
    b.take_problems();
    b.click("input#search")?;
    b.call("Input.insertText", serde_json::json!({ "text": query }))?;
    let count = b
        .wait_for(
            "document.querySelectorAll('#search-results a').length",
            SHORT,
        )
        .map_err(|_| format!("{base}: no results for {query:?}"))?;
    let problems = b.take_problems();
    if !problems.is_empty() {
        return Err(format!("{base}: searching: {}", problems.join("\n  ")));
    }
    Ok(count.as_u64().unwrap_or(0) as usize)
}

#[test]
fn search_returns_results_behind_nginx_and_from_disk() {
    let Some((site, nginx)) = Nginx::serve_bundled() else {
        return;
    };
    with_browser("search", |b| {
        let mut found = Vec::new();
        for base in [nginx.base(), format!("{}/", file_url(&site.out))] {
            let n = search_finds(b, &base, "budget")?;
            if n == 0 {
                return Err(format!("{base}: no results"));
            }
            found.push(n);
        }
        Ok(format!("results behind nginx and from disk: {found:?}"))
    });
}
