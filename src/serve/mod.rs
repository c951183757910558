//! `guide serve`: builds the guide into memory, serves it on 127.0.0.1, watches the guide's files
//! and, on every save, prepares a new generation, checks the pages that depend on what changed
//! and swaps it in only when the guide has no errors; browsers reload through server-sent events.
//!
//! Pages are rendered when requested and cached per generation, so the time from a save to the
//! new page does not grow with the size of the guide.

mod checks;
mod events;
mod http;
mod quick;
mod rebuild;
pub mod site;
mod watch;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::Failure;
use crate::diagnostics::Diagnostic;
use crate::highlight::Highlighter;
use site::Generation;

/// The script injected into every served page.
pub const RELOAD_JS: &str = include_str!("reload.js");

/// Served in place of every page while the guide has never built (its errors show as an
/// overlay, and the page reloads once it builds).
const NO_BUILD_YET: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>guide serve: the guide does not build yet</title></head>\n<body><h1>The guide does not build yet</h1><p>Fix the errors shown in the terminal (and on this page); it reloads by itself once the guide builds.</p></body></html>\n";

/// The most connections served at once. When a new one arrives at the limit, the connection
/// that has waited longest for its request head is closed to make room.
const MAX_CONNECTIONS: usize = 512;

/// What `guide serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The guide root (the folder with `book.toml`).
    pub root: PathBuf,
    /// The address to listen on; anything but loopback makes the preview public.
    pub bind: IpAddr,
    /// The port to listen on; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// Include lessons marked `draft = true`.
    pub drafts: bool,
}

/// Open connections, and those among them waiting for a request head (which may be closed to
/// make room).
#[derive(Default)]
struct Connections {
    open: usize,
    idle: BTreeMap<usize, TcpStream>,
}

/// The dev server's state, shared by its connections and its watcher.
pub struct Server {
    opts: ServeOptions,
    addr: SocketAddr,
    highlighter: Arc<Highlighter>,
    /// The generation being served; `None` until the guide first builds.
    generation: RwLock<Option<Arc<Generation>>>,
    /// Problems of the guide as last checked; shown as an overlay while not empty.
    errors: Mutex<Vec<Diagnostic>>,
    /// What the checks of every page found; held while a generation is made and checked, so
    /// that rebuilds happen one at a time.
    state: Mutex<checks::State>,
    /// How long each stage of the last full load took, for the log.
    last_laps: Mutex<String>,
    listeners: Mutex<Vec<Sender<String>>>,
    connections: Mutex<Connections>,
    next_connection: AtomicUsize,
    next_id: AtomicUsize,
    /// Tells this server's builds from those of an earlier run, so a reconnecting tab reloads.
    session: String,
}

/// Runs the dev server until the process is stopped.
pub fn serve(mut opts: ServeOptions) -> Result<(), Failure> {
    opts.root = std::fs::canonicalize(&opts.root).map_err(|e| {
        Failure::Usage(format!(
            "cannot open the guide folder {}: {e}",
            opts.root.display()
        ))
    })?;
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
    let started = Instant::now();
    let highlighter = Arc::new(Highlighter::new());
    highlighter.load_cache(&crate::cache_dir(&opts.root).join("highlight.bin"));
    let server = Arc::new(Server {
        addr,
        highlighter,
        generation: RwLock::new(None),
        errors: Mutex::new(Vec::new()),
        state: Mutex::new(checks::State::default()),
        last_laps: Mutex::new(String::new()),
        listeners: Mutex::new(Vec::new()),
        connections: Mutex::new(Connections::default()),
        next_connection: AtomicUsize::new(0),
        next_id: AtomicUsize::new(1),
        session: format!(
            "{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ),
        opts,
    });
    // Watching starts before the first build, so that no save made meanwhile is lost.
    watch::spawn(server.clone());
    server.first_build();
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
    if server.opts.open {
        open_browser(&url);
    }
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let Some(id) = server.admit() else {
            continue;
        };
        let server = server.clone();
        std::thread::spawn(move || {
            http::handle(server.clone(), stream, id);
            server.leave(id);
        });
    }
    Ok(())
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Server {
    /// The id of the build being served, as the browser sees it.
    fn build_id(&self) -> String {
        match self.current() {
            Some(g) => format!("{}-{}", self.session, g.id),
            None => format!("{}-none", self.session),
        }
    }

    /// The generation being served, once the guide has built.
    pub fn current(&self) -> Option<Arc<Generation>> {
        self.generation
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Counts a new connection in; at the limit, closes the one that has waited longest for
    /// its request head, or refuses this one when every connection is busy.
    fn admit(&self) -> Option<usize> {
        let mut connections = lock(&self.connections);
        if connections.open >= MAX_CONNECTIONS {
            let oldest = connections.idle.keys().next().copied()?;
            if let Some(idle) = connections.idle.remove(&oldest) {
                let _ = idle.shutdown(std::net::Shutdown::Both);
            }
        }
        connections.open += 1;
        Some(self.next_connection.fetch_add(1, Ordering::SeqCst))
    }

    fn leave(&self, id: usize) {
        let mut connections = lock(&self.connections);
        connections.open -= 1;
        connections.idle.remove(&id);
    }

    /// Marks a connection as waiting for a request head (or not any more).
    fn set_idle(&self, id: usize, idle: bool, stream: &TcpStream) {
        let mut connections = lock(&self.connections);
        if idle {
            if let Ok(clone) = stream.try_clone() {
                connections.idle.insert(id, clone);
            }
        } else {
            connections.idle.remove(&id);
        }
    }

    /// Only requests naming this server by an IP address or as localhost, with its port, are
    /// answered: a web page can reach it only through a DNS name it controls (DNS rebinding),
    /// while a colleague's browser reaches a `--bind 0.0.0.0` server by its IP address.
    fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some((name, port)) = host.and_then(|h| h.rsplit_once(':')) else {
            return false;
        };
        if port.parse::<u16>().ok() != Some(self.addr.port()) {
            return false;
        }
        let ip = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .map_or_else(
                || name.parse::<std::net::Ipv4Addr>().map(IpAddr::V4).ok(),
                |v6| v6.parse::<std::net::Ipv6Addr>().map(IpAddr::V6).ok(),
            );
        name.eq_ignore_ascii_case("localhost") || ip.is_some()
    }

    /// Adds the live-reload script to an HTML page.
    fn decorate(&self, path: &str, html: &[u8]) -> Vec<u8> {
        let root = crate::urls::root_prefix(path);
        let tag = format!(
            "<script src=\"{root}{}reload.js\" data-build=\"{}\" defer></script>\n",
            http::OWN,
            self.build_id()
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
}
