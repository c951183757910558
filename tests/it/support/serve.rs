//! Test support for `guide serve`: the real binary started on a free port of 127.0.0.1, its
//! stderr kept as a log, killed when dropped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use crate::support::Guide;

/// The longest the server may take to print its address.
const START_WAIT: Duration = Duration::from_secs(10);

/// A running `guide serve`, killed when dropped.
pub struct Serve {
    pub child: Child,
    pub port: u16,
    /// Everything it printed on stderr so far.
    pub log: Arc<Mutex<String>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `guide serve --root <root> --port 0` (from the temp folder) and waits for the line
    /// that names its address; `Err` with its output when it ends or stays silent instead.
    pub fn launch(guide: &Guide, root: &str) -> Result<Serve, String> {
        Serve::launch_with(guide, &["serve", "--root", root, "--port", "0"])
    }

    /// Starts `guide <args>` and waits for the line that names its address, as `launch`.
    pub fn launch_with(guide: &Guide, args: &[&str]) -> Result<Serve, String> {
        let mut child = guide
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start guide serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        {
            let log = log.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(stderr);
                let mut tx = Some(tx);
                let mut line = String::new();
                loop {
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    log.lock().unwrap().push_str(&line);
                    if let Some(port) = served_port(&line)
                        && let Some(tx) = tx.take()
                    {
                        let _ = tx.send(port);
                    }
                }
            });
        }
        match rx.recv_timeout(START_WAIT) {
            Ok(port) => Ok(Serve { child, port, log }),
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                thread::sleep(Duration::from_millis(50));
                let log = log.lock().unwrap().clone();
                Err(format!("exit status {status:?}; stderr:\n{log}"))
            }
        }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

/// The port of a `serving DIR at http://ADDRESS:PORT/ ...` line.
fn served_port(line: &str) -> Option<u16> {
    if !line.starts_with("serving ") {
        return None;
    }
    let rest = &line[line.find(" at http://")? + " at http://".len()..];
    let address = &rest[..rest.find('/')?];
    address.rsplit_once(':')?.1.parse().ok()
}

/// Run in a browser before each page's own scripts: remembers the page's `EventSource`s, so that
/// a test can wait ([`CONNECTED`]) until the live-reload script is connected before it saves.
pub const TRACK_EVENT_SOURCES: &str = r#"
(() => {
  const Native = window.EventSource;
  if (!Native) return;
  window.__eventSources = [];
  window.EventSource = function (url, options) {
    const source = new Native(url, options);
    window.__eventSources.push(source);
    return source;
  };
  window.EventSource.prototype = Native.prototype;
})();
"#;

/// True once the page's live-reload connection is open (with [`TRACK_EVENT_SOURCES`]).
pub const CONNECTED: &str = "(window.__eventSources || []).some(s => s.readyState === 1 && s.url.includes('__guide/events'))";
