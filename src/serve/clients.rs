//! Who is connected to `guide serve`: connections, admitted up to a cap and checked for the
//! Host they name, and the browser tabs waiting on server-sent events for what a rebuild tells
//! them (the build served, a reload, a stylesheet swap, the errors shown as an overlay).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::lock;
use crate::diagnostics::Diagnostic;

/// The most connections served at once. When a new one arrives at the limit, the connection
/// that has waited longest for its request head is closed to make room.
const MAX_CONNECTIONS: usize = 512;

/// Open connections, and those among them waiting for a request head (which may be closed to
/// make room).
#[derive(Default)]
struct Connections {
    open: usize,
    idle: BTreeMap<usize, TcpStream>,
}

/// What a tab is told when it connects: the build served and the errors shown.
#[derive(Default)]
struct Shown {
    build: String,
    errors: Vec<Diagnostic>,
}

/// The connections and browser tabs of one server.
pub struct Clients {
    addr: SocketAddr,
    connections: Mutex<Connections>,
    next_connection: AtomicUsize,
    tabs: Mutex<Vec<Sender<String>>>,
    shown: Mutex<Shown>,
}

impl Clients {
    pub fn new(addr: SocketAddr, build: String) -> Self {
        Self {
            addr,
            connections: Mutex::default(),
            next_connection: AtomicUsize::new(0),
            tabs: Mutex::default(),
            shown: Mutex::new(Shown {
                build,
                errors: Vec::new(),
            }),
        }
    }

    /// Counts a new connection in; at the limit, closes the one that has waited longest for
    /// its request head, or refuses this one when every connection is busy.
    pub fn admit(&self) -> Option<usize> {
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

    pub fn leave(&self, id: usize) {
        let mut connections = lock(&self.connections);
        connections.open -= 1;
        connections.idle.remove(&id);
    }

    /// Marks a connection as waiting for a request head (or not any more).
    pub fn set_idle(&self, id: usize, idle: bool, stream: &TcpStream) {
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
    pub fn host_allowed(&self, host: Option<&str>) -> bool {
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

    /// Streams server-sent events to one browser tab until it goes away.
    pub fn events(&self, mut stream: TcpStream) {
        let (tx, rx): (Sender<String>, Receiver<String>) = mpsc::channel();
        let hello = {
            let shown = lock(&self.shown);
            format!(
                "event: hello\ndata: {}\n\n{}",
                shown.build,
                errors_event(&shown.errors)
            )
        };
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(hello.as_bytes()).is_err()
        {
            return;
        }
        let _ = stream.flush();
        lock(&self.tabs).push(tx);
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
        lock(&self.tabs).retain(|tx| tx.send(message.to_owned()).is_ok());
    }

    /// Sets the build that tabs connecting from now on are told is served.
    pub fn set_build(&self, build: String) {
        lock(&self.shown).build = build;
    }

    /// Tells every tab to load `build`.
    pub fn reload(&self, build: &str) {
        self.broadcast(&format!("event: reload\ndata: {build}\n\n"));
    }

    /// Tells every tab that `build` changed only stylesheets: `pairs` (JSON) maps each old
    /// stylesheet path to its new one, swapped in place.
    pub fn swap_css(&self, build: &str, pairs: &str) {
        let message = format!("event: css\ndata: {{\"build\":\"{build}\",\"pairs\":{pairs}}}\n\n");
        self.broadcast(&message);
    }

    /// The errors shown.
    pub fn errors(&self) -> Vec<Diagnostic> {
        lock(&self.shown).errors.clone()
    }

    /// Whether errors are shown.
    pub fn has_errors(&self) -> bool {
        !lock(&self.shown).errors.is_empty()
    }

    /// Shows `errors` (none: hides the overlay) when they changed, or `always`; returns
    /// whether the tabs were told.
    pub fn show_errors(&self, errors: &[Diagnostic], always: bool) -> bool {
        let message = {
            let mut shown = lock(&self.shown);
            if shown.errors == errors && !always {
                return false;
            }
            shown.errors = errors.to_vec();
            errors_event(errors)
        };
        self.broadcast(&message);
        true
    }
}

/// The errors as an event (`ok` when there are none).
fn errors_event(errors: &[Diagnostic]) -> String {
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
