//! `guide serve`: builds the guide into memory, serves it on 127.0.0.1, watches the guide's files
//! and, on every save, prepares a new generation, checks the pages that changed and swaps it in
//! only when it has no errors; browsers reload through server-sent events.
//!
//! Pages are rendered when requested and cached per generation, so the time from a save to the
//! new page does not grow with the size of the guide.

mod http;
pub mod site;
mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use crate::model::PageId;
use crate::{Failure, Stopwatch};
use site::Generation;

/// The script injected into every served page.
pub const RELOAD_JS: &str = include_str!("reload.js");

/// The most connections served at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 512;

/// What `guide serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    pub drafts: bool,
}

/// The dev server's state, shared by its connections and its watcher.
pub struct Server {
    opts: ServeOptions,
    addr: SocketAddr,
    highlighter: Arc<Highlighter>,
    generation: RwLock<Arc<Generation>>,
    /// Problems of the guide as last checked; shown as an overlay while not empty.
    errors: Mutex<Vec<Diagnostic>>,
    listeners: Mutex<Vec<Sender<String>>>,
    connections: AtomicUsize,
    next_id: AtomicUsize,
    /// Tells this server's builds from those of an earlier run, so a reconnecting tab reloads.
    session: String,
}

/// Runs the dev server until the process is stopped.
pub fn serve(opts: ServeOptions) -> Result<(), Failure> {
    let listener = TcpListener::bind((opts.bind, opts.port)).map_err(|e| {
        Failure::Usage(if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "port {} is already in use on {}; pass --port with another port, or --port 0 to pick a free one",
                opts.port, opts.bind
            )
        } else {
            format!("cannot listen on {}:{}: {e}", opts.bind, opts.port)
        })
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::Usage(format!("cannot read the bound address: {e}")))?;
    if !opts.bind.is_loopback() {
        eprintln!(
            "warning: serving on {} makes the preview reachable from other machines",
            opts.bind
        );
    }
    let highlighter = Arc::new(Highlighter::new());
    highlighter.load_cache(&crate::cache_dir(&opts.root).join("highlight.bin"));
    let started = Instant::now();
    let (generation, errors) = first_generation(&opts, &highlighter)?;
    let server = Arc::new(Server {
        addr,
        highlighter,
        generation: RwLock::new(Arc::new(generation)),
        errors: Mutex::new(errors),
        listeners: Mutex::new(Vec::new()),
        connections: AtomicUsize::new(0),
        next_id: AtomicUsize::new(1),
        session: format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ),
        opts,
    });
    let url = format!("http://{addr}/");
    eprintln!(
        "serving {} at {url} (ready in {} ms; Ctrl+C to stop)",
        server.opts.root.display(),
        started.elapsed().as_millis()
    );
    server.report_errors();
    {
        let server = server.clone();
        std::thread::spawn(move || server.check_everything());
    }
    watch::spawn(server.clone());
    if server.opts.open {
        open_browser(&url);
    }
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if server.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            server.connections.fetch_sub(1, Ordering::SeqCst);
            drop(stream);
            continue;
        }
        let server = server.clone();
        std::thread::spawn(move || {
            http::handle(server.clone(), stream);
            server.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

/// The first generation; when the guide has errors it is served anyway, with the errors shown.
fn first_generation(
    opts: &ServeOptions,
    highlighter: &Arc<Highlighter>,
) -> Result<(Generation, Vec<Diagnostic>), Failure> {
    let config = Config::load(&opts.root).map_err(|d| Failure::Guide(vec![d]))?;
    let content_dir = opts.root.join(&config.build.content_dir);
    let prepared = crate::prepare(
        &opts.root,
        config,
        opts.drafts,
        highlighter,
        &mut Stopwatch::new(),
    )?;
    let errors: Vec<Diagnostic> = prepared
        .diagnostics
        .0
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let generation =
        Generation::new(0, prepared, highlighter.clone(), &content_dir).map_err(Failure::Guide)?;
    Ok((generation, errors))
}

fn open_browser(url: &str) {
    for opener in ["xdg-open", "open"] {
        if std::process::Command::new(opener)
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .is_ok()
        {
            return;
        }
    }
    eprintln!("could not open a browser; visit {url}");
}

impl Server {
    /// The id of the build being served, as the browser sees it.
    fn build_id(&self, id: u64) -> String {
        format!("{}-{id}", self.session)
    }

    /// The generation being served.
    pub fn current(&self) -> Arc<Generation> {
        self.generation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Only requests naming this server by its address or as localhost are answered, so that a
    /// web page cannot reach it through a DNS name it controls.
    fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return false;
        };
        let port = self.addr.port();
        let ip = self.addr.ip();
        let mut allowed = vec![
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
            format!("[::1]:{port}"),
        ];
        allowed.push(match ip {
            IpAddr::V4(v4) => format!("{v4}:{port}"),
            IpAddr::V6(v6) => format!("[{v6}]:{port}"),
        });
        let host = host.to_ascii_lowercase();
        allowed.contains(&host)
    }

    /// Adds the live-reload script to an HTML page.
    fn decorate(&self, path: &str, html: &[u8]) -> Vec<u8> {
        let root = crate::urls::root_prefix(path);
        let tag = format!(
            "<script src=\"{root}{}reload.js\" data-build=\"{}\" defer></script>\n",
            http::OWN,
            self.build_id(self.current().id)
        );
        let text = String::from_utf8_lossy(html);
        let mut out = String::with_capacity(text.len() + tag.len());
        match text.rfind("</body>") {
            Some(at) => {
                out.push_str(&text[..at]);
                out.push_str(&tag);
                out.push_str(&text[at..]);
            }
            None => {
                out.push_str(&text);
                out.push_str(&tag);
            }
        }
        out.into_bytes()
    }

    /// Streams server-sent events to one browser tab until it goes away.
    fn events(&self, mut stream: TcpStream) {
        use std::io::Write;
        let (tx, rx): (Sender<String>, Receiver<String>) = mpsc::channel();
        let hello = format!(
            "event: hello\ndata: {}\n\n{}",
            self.build_id(self.current().id),
            self.errors_event()
        );
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(hello.as_bytes()).is_err()
        {
            return;
        }
        let _ = stream.flush();
        self.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        loop {
            let message = match rx.recv_timeout(Duration::from_secs(15)) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_owned(),
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if stream.write_all(message.as_bytes()).is_err() || stream.flush().is_err() {
                return;
            }
        }
    }

    fn broadcast(&self, message: &str) {
        self.listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|tx| tx.send(message.to_owned()).is_ok());
    }

    /// The current errors as an event (`ok` when there are none).
    fn errors_event(&self) -> String {
        let errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        if errors.is_empty() {
            return "event: ok\ndata: {}\n\n".to_owned();
        }
        let list: Vec<serde_json::Value> = errors
            .iter()
            .map(|d| {
                serde_json::json!({
                    "location": d.location(),
                    "message": d.message,
                    "help": d.help,
                    "source": d.source_line,
                })
            })
            .collect();
        format!(
            "event: errors\ndata: {}\n\n",
            serde_json::Value::Array(list)
        )
    }

    fn report_errors(&self) {
        for d in self.errors.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            eprint!("{}", d.render(false));
        }
    }

    /// Renders every page once in the background, to report problems of pages not yet viewed.
    fn check_everything(&self) {
        let generation = self.current();
        let started = Instant::now();
        let errors: Vec<Diagnostic> = generation
            .check_all()
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        if self.current().id != generation.id {
            return;
        }
        eprintln!(
            "checked all {} pages in {} ms: {} error{}",
            generation.prepared.site.lessons.len() + generation.prepared.site.sections.len(),
            started.elapsed().as_millis(),
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        );
        let changed = *self.errors.lock().unwrap_or_else(|e| e.into_inner()) != errors;
        if changed {
            *self.errors.lock().unwrap_or_else(|e| e.into_inner()) = errors;
            self.report_errors();
            self.broadcast(&self.errors_event());
        }
    }

    /// Makes a new generation after `changed` files were saved, and swaps it in if it is good.
    fn rebuild(&self, changed: &[PathBuf]) {
        let started = Instant::now();
        let shown: Vec<String> = changed
            .iter()
            .map(|p| crate::diagnostics::display_path(&self.opts.root, p))
            .collect();
        let old = self.current();
        let result = Config::load(&self.opts.root)
            .map_err(|d| vec![d])
            .and_then(|config| {
                let content_dir = self.opts.root.join(&config.build.content_dir);
                let prepared = crate::prepare(
                    &self.opts.root,
                    config,
                    self.opts.drafts,
                    &self.highlighter,
                    &mut Stopwatch::new(),
                )
                .map_err(|f| match f {
                    Failure::Guide(d) => d,
                    Failure::Usage(m) => vec![Diagnostic::error("", m)],
                })?;
                let id = self.next_id.fetch_add(1, Ordering::SeqCst) as u64;
                Generation::new(id, prepared, self.highlighter.clone(), &content_dir)
            });
        let prepared_ms = started.elapsed().as_millis();
        let generation = match result {
            Ok(g) => g,
            Err(errors) => return self.refuse(&shown, errors, started),
        };
        let pages = changed_pages(&old, &generation);
        let render_started = Instant::now();
        let mut errors: Vec<Diagnostic> = generation
            .prepared
            .diagnostics
            .0
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        for &page in &pages {
            errors.extend(
                generation
                    .render_page(page)
                    .1
                    .into_iter()
                    .filter(Diagnostic::is_error),
            );
        }
        if !errors.is_empty() {
            return self.refuse(&shown, errors, started);
        }
        let css_only = !changed.is_empty()
            && changed.iter().all(|p| {
                p.extension().is_some_and(|x| x == "css")
                    && p.components().any(|c| c.as_os_str() == "static")
            });
        let css_map = css_only.then(|| css_changes(&old, &generation));
        let id = generation.id;
        *self.generation.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(generation);
        let had_errors =
            !std::mem::take(&mut *self.errors.lock().unwrap_or_else(|e| e.into_inner())).is_empty();
        if had_errors {
            self.broadcast(&self.errors_event());
        }
        let build = self.build_id(id);
        match css_map {
            Some(pairs) => self.broadcast(&format!(
                "event: css\ndata: {{\"build\":\"{build}\",\"pairs\":{pairs}}}\n\n"
            )),
            None => self.broadcast(&format!("event: reload\ndata: {build}\n\n")),
        }
        eprintln!(
            "{} changed: prepared the guide in {prepared_ms} ms, re-rendered {} page{} in {} ms; serving build {id} ({} ms in all; other pages render when requested)",
            shown.join(", "),
            pages.len(),
            if pages.len() == 1 { "" } else { "s" },
            render_started.elapsed().as_millis(),
            started.elapsed().as_millis()
        );
    }

    /// Keeps serving the last good generation and shows why the new one was refused.
    fn refuse(&self, shown: &[String], errors: Vec<Diagnostic>, started: Instant) {
        eprintln!(
            "{} changed: {} error{}; still serving the last good build ({} ms)",
            shown.join(", "),
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            started.elapsed().as_millis()
        );
        *self.errors.lock().unwrap_or_else(|e| e.into_inner()) = errors;
        self.report_errors();
        self.broadcast(&self.errors_event());
    }
}

/// Pages whose source changed between two generations, plus the pages linking to them (their
/// anchors may now be broken).
fn changed_pages(old: &Generation, new: &Generation) -> Vec<PageId> {
    let fingerprint = |g: &Generation, page: PageId| {
        let s = g.prepared.site.page_source(page);
        xxhash_rust::xxh3::xxh3_64(s.body.as_bytes()) ^ s.body_line as u64
    };
    let before: HashMap<&str, (u64, &crate::frontmatter::FrontMatter)> = old
        .prepared
        .site
        .reading_order()
        .into_iter()
        .map(|p| {
            let site = &old.prepared.site;
            (
                site.page_source(p).path.as_str(),
                (fingerprint(old, p), site.page_front(p)),
            )
        })
        .collect();
    let site = &new.prepared.site;
    let mut pages = Vec::new();
    for page in site.reading_order() {
        let source = site.page_source(page);
        let same = before
            .get(source.path.as_str())
            .is_some_and(|&(hash, front)| {
                hash == fingerprint(new, page) && front == site.page_front(page)
            });
        if !same {
            pages.push(page);
            if let PageId::Lesson(l) = page {
                pages.extend(
                    new.prepared.crossrefs.backlinks[l.0]
                        .iter()
                        .map(|&b| PageId::Lesson(b)),
                );
            }
        }
    }
    pages.sort();
    pages.dedup();
    pages
}

/// Old and new output paths of the stylesheets that changed, as JSON.
fn css_changes(old: &Generation, new: &Generation) -> String {
    let before = old.prepared.theme.asset_map();
    let after = new.prepared.theme.asset_map();
    let pairs: Vec<(String, String)> = after
        .iter()
        .filter(|(k, _)| k.ends_with(".css"))
        .filter_map(|(k, v)| {
            let was = before.get(k)?;
            (was != v).then(|| (was.to_string(), v.to_string()))
        })
        .collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}
