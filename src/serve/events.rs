//! Server-sent events to the browser tabs: the build being served, reloads, stylesheet swaps
//! and the errors shown as an overlay.

use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::{Server, lock};

impl Server {
    /// Streams server-sent events to one browser tab until it goes away.
    pub(super) fn events(&self, mut stream: TcpStream) {
        use std::io::Write;
        let (tx, rx): (Sender<String>, Receiver<String>) = mpsc::channel();
        let hello = format!(
            "event: hello\ndata: {}\n\n{}",
            self.build_id(),
            self.errors_event()
        );
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n";
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(hello.as_bytes()).is_err()
        {
            return;
        }
        let _ = stream.flush();
        lock(&self.listeners).push(tx);
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

    pub(super) fn broadcast(&self, message: &str) {
        lock(&self.listeners).retain(|tx| tx.send(message.to_owned()).is_ok());
    }

    /// The current errors as an event (`ok` when there are none).
    pub(super) fn errors_event(&self) -> String {
        let errors = lock(&self.errors);
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

    pub(super) fn report_errors(&self) {
        for d in lock(&self.errors).iter() {
            eprint!("{}", d.render(false));
        }
    }

    /// Sets the errors shown; tells the browsers when they changed (or `always`).
    pub(super) fn set_errors(&self, errors: Vec<crate::diagnostics::Diagnostic>, always: bool) {
        let changed = {
            let mut current = lock(&self.errors);
            let changed = *current != errors;
            *current = errors;
            changed
        };
        if changed || always {
            self.report_errors();
            self.broadcast(&self.errors_event());
        }
    }
}
