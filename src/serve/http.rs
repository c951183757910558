//! A small HTTP/1.1 server for `guide serve`: one thread per connection with time limits, GET and
//! HEAD only, Host checked against DNS rebinding, paths checked against traversal, ETags, and
//! server-sent events for live reload.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use super::Server;
use super::site::Found;

/// The longest request head accepted.
const MAX_HEAD: usize = 16 * 1024;
/// The prefix of the dev server's own URLs (reload script, events).
pub const OWN: &str = "__guide/";

/// A parsed request line and the headers we use.
pub struct Request {
    pub method: String,
    pub target: String,
    pub host: Option<String>,
    pub if_none_match: Option<String>,
}

/// Reads a request head; `None` for a malformed, oversized or too slow one.
fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.take(MAX_HEAD as u64));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let mut request = Request {
        method,
        target,
        host: None,
        if_none_match: None,
    };
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            return Some(request);
        }
        let (name, value) = header.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => request.host = Some(value.trim().to_owned()),
            "if-none-match" => request.if_none_match = Some(value.trim().to_owned()),
            _ => {}
        }
    }
}

/// Serves one connection (one request: `Connection: close`).
pub fn handle(server: Arc<Server>, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let Some(request) = read_request(&stream) else {
        let _ = respond(
            &mut stream,
            400,
            "text/plain; charset=utf-8",
            b"bad request\n",
            None,
            false,
        );
        return;
    };
    if !server.host_allowed(request.host.as_deref()) {
        let _ = respond(
            &mut stream,
            403,
            "text/plain; charset=utf-8",
            b"this dev server only answers requests for its own address or localhost\n",
            None,
            false,
        );
        return;
    }
    let head = request.method == "HEAD";
    if request.method != "GET" && !head {
        let _ = respond(
            &mut stream,
            405,
            "text/plain; charset=utf-8",
            b"only GET and HEAD\n",
            None,
            false,
        );
        return;
    }
    let Some(path) = clean_path(&request.target) else {
        let _ = respond(
            &mut stream,
            400,
            "text/plain; charset=utf-8",
            b"bad path\n",
            None,
            head,
        );
        return;
    };
    if let Some(own) = path.strip_prefix(OWN) {
        match own {
            "events" if !head => server.events(stream),
            "reload.js" => {
                let _ = respond(
                    &mut stream,
                    200,
                    "text/javascript; charset=utf-8",
                    super::RELOAD_JS.as_bytes(),
                    None,
                    head,
                );
            }
            _ => {
                let _ = respond(
                    &mut stream,
                    404,
                    "text/plain; charset=utf-8",
                    b"not found\n",
                    None,
                    head,
                );
            }
        }
        return;
    }
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    let generation = server.current();
    let (status, bytes) = match generation.get(&path) {
        Found::Bytes(bytes) => (200, bytes),
        Found::NotFound => match generation.get("404.html") {
            Found::Bytes(bytes) => (404, bytes),
            Found::NotFound => (404, Arc::new(b"not found\n".to_vec())),
        },
    };
    let kind = content_type(if status == 404 { "404.html" } else { &path });
    let body = if kind.starts_with("text/html") {
        server.decorate(&path, &bytes)
    } else {
        bytes.as_ref().clone()
    };
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&body));
    if status == 200 && request.if_none_match.as_deref() == Some(etag.as_str()) {
        let _ = respond(&mut stream, 304, kind, b"", Some(&etag), true);
        return;
    }
    let _ = respond(&mut stream, status, kind, &body, Some(&etag), head);
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    kind: &str,
    body: &[u8],
    etag: Option<&str>,
    head_only: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        body.len()
    );
    if let Some(etag) = etag {
        head.push_str(&format!("ETag: {etag}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only && status != 304 {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// The request target as a path relative to the site root, or `None` when it tries to leave the
/// site (`..`, encoded slashes or dots, backslashes, NUL, absolute Windows paths).
pub fn clean_path(target: &str) -> Option<String> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let path = path.strip_prefix('/')?;
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if decoded.contains('\\') || decoded.contains('\0') || decoded.contains(':') {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    let mut clean = parts.join("/");
    if decoded.ends_with('/') && !clean.is_empty() {
        clean.push('/');
    }
    Some(clean)
}

/// The Content-Type for a path, by extension.
pub fn content_type(path: &str) -> &'static str {
    match path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("pdf") => "application/pdf",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_site() {
        assert_eq!(clean_path("/a/b.html?x=1").as_deref(), Some("a/b.html"));
        assert_eq!(clean_path("/").as_deref(), Some(""));
        assert_eq!(clean_path("/a/").as_deref(), Some("a/"));
        assert_eq!(clean_path("/caf%C3%A9.html").as_deref(), Some("café.html"));
        for bad in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/a%2f..%2fx",
            "/..%5cx",
            "/a\\..\\x",
            "/C:/x",
            "relative",
            "/%00",
        ] {
            assert_eq!(clean_path(bad), None, "{bad}");
        }
    }
}
