//! `guide serve`: builds the guide into memory, serves it on 127.0.0.1, watches the guide's files
//! and, on every save, prepares a new generation, checks the pages that depend on what changed
//! and swaps it in only when the guide has no errors; browsers reload through server-sent events.
//!
//! Pages are rendered when requested and cached per generation, so the time from a save to the
//! new page does not grow with the size of the guide.

mod builds;
mod cache;
mod checks;
mod clients;
mod http;
mod quick;
pub mod site;
mod watch;

use std::net::{IpAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::Failure;
use crate::highlight::Highlighter;
use builds::Builds;
use clients::Clients;

pub use http::content_type;

/// The script injected into every served page.
pub const RELOAD_JS: &str = include_str!("reload.js");

/// Served in place of every page while the guide has never built (its errors show as an
/// overlay, and the page reloads once it builds).
const NO_BUILD_YET: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>guide serve: the guide does not build yet</title></head>\n<body><h1>The guide does not build yet</h1><p>Fix the errors shown in the terminal (and on this page); it reloads by itself once the guide builds.</p></body></html>\n";

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
    let session = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let clients = Arc::new(Clients::new(addr, format!("{session}-none")));
    let builds = Arc::new(Builds::new(
        opts.root.clone(),
        opts.drafts,
        highlighter,
        clients.clone(),
        session,
    ));
    // Watching starts before the first build, so that no save made meanwhile is lost.
    watch::spawn(builds.clone());
    builds.first_build();
    let url = format!("http://{addr}/");
    eprintln!(
        "serving {} at {url} (ready in {} ms; Ctrl+C to stop)",
        opts.root.display(),
        started.elapsed().as_millis()
    );
    builds.report_errors();
    {
        let builds = builds.clone();
        std::thread::spawn(move || builds.check_everything());
    }
    if opts.open {
        open_browser(&url);
    }
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let Some(id) = clients.admit() else {
            continue;
        };
        let (builds, clients) = (builds.clone(), clients.clone());
        std::thread::spawn(move || {
            http::handle(&builds, &clients, stream, id);
            clients.leave(id);
        });
    }
    Ok(())
}

/// A lock, taken over from a thread that panicked while holding it (the state it guards stays
/// usable: each holder leaves it whole).
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
