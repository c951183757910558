//! A small HTTP/1.1 server for `guide serve`: one thread per connection, keep-alive, a deadline
//! for each request head, GET and HEAD only, Host checked against DNS rebinding, paths checked
//! against traversal, ETags, and server-sent events for live reload.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::builds::Builds;
use super::clients::Clients;
use super::site::{Found, Printed};

/// The longest request head accepted.
const MAX_HEAD: usize = 16 * 1024;
/// The time a client has to send a whole request head (the first one, or the next on a kept
/// connection): a client that trickles bytes cannot hold its connection longer than this.
const HEAD_TIME: Duration = Duration::from_secs(10);
/// The prefix of the dev server's own URLs (reload script, events).
pub const OWN: &str = "__guide/";

/// A parsed request line and the headers we use.
pub struct Request {
    pub method: String,
    pub target: String,
    pub host: Option<String>,
    pub if_none_match: Option<String>,
    /// The client asked to close the connection, spoke HTTP/1.0 or sent a body.
    pub close: bool,
}

/// Reads from a connection with a deadline for the whole request head rather than per read.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Instant,
    /// Bytes left before the head is too long.
    left: usize,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let wait = self.until.saturating_duration_since(Instant::now());
        if wait.is_zero() || self.left == 0 {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(wait))?;
        let max = buf.len().min(self.left);
        let n = (&mut &*self.stream).read(&mut buf[..max])?;
        self.left -= n;
        Ok(n)
    }
}

/// What reading a request head gave.
enum Head {
    Request(Request),
    /// The connection ended (or timed out) before a request began.
    Gone,
    Malformed,
}

fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Option<usize> {
    line.clear();
    reader.read_until(b'\n', line).ok()
}

/// Reads a request head.
fn read_request(reader: &mut impl BufRead) -> Head {
    let mut line = Vec::new();
    match read_line(reader, &mut line) {
        None | Some(0) => return Head::Gone,
        Some(_) => {}
    }
    let Ok(text) = std::str::from_utf8(&line) else {
        return Head::Malformed;
    };
    let mut parts = text.split_whitespace();
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Head::Malformed;
    };
    if !version.starts_with("HTTP/1.") {
        return Head::Malformed;
    }
    let mut request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        host: None,
        if_none_match: None,
        close: version == "HTTP/1.0",
    };
    loop {
        match read_line(reader, &mut line) {
            None | Some(0) => return Head::Malformed,
            Some(_) => {}
        }
        let Ok(header) = std::str::from_utf8(&line) else {
            return Head::Malformed;
        };
        let header = header.trim_end();
        if header.is_empty() {
            return Head::Request(request);
        }
        let Some((name, value)) = header.split_once(':') else {
            return Head::Malformed;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => request.host = Some(value.to_owned()),
            "if-none-match" => request.if_none_match = Some(value.to_owned()),
            "connection" => request.close |= value.eq_ignore_ascii_case("close"),
            "content-length" => request.close |= value != "0",
            "transfer-encoding" => request.close = true,
            _ => {}
        }
    }
}

/// Serves one connection: requests one after another until the client closes it, stays silent
/// past the deadline, or asks to close.
pub fn handle(builds: &Builds, clients: &Clients, stream: TcpStream, id: usize) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(Deadline {
        stream: &stream,
        until: Instant::now() + HEAD_TIME,
        left: MAX_HEAD,
    });
    loop {
        reader.get_mut().until = Instant::now() + HEAD_TIME;
        reader.get_mut().left = MAX_HEAD;
        clients.set_idle(id, true, &stream);
        let head = read_request(&mut reader);
        clients.set_idle(id, false, &stream);
        let mut out = &stream;
        let request = match head {
            Head::Gone => return,
            Head::Malformed => {
                let _ = respond(&mut out, 400, TEXT, b"bad request\n", None, false, true);
                return;
            }
            Head::Request(r) => r,
        };
        let close = request.close;
        if request.method == "GET"
            && request.target.starts_with(&format!("/{OWN}events"))
            && clients.host_allowed(request.host.as_deref())
        {
            if let Ok(stream) = stream.try_clone() {
                clients.events(stream);
            }
            return;
        }
        match answer(builds, clients, &request, &mut out, close) {
            Ok(true) if !close => {}
            _ => return,
        }
    }
}

const TEXT: &str = "text/plain; charset=utf-8";

/// Answers one request (anything but the event stream); `Ok(true)` when the connection may
/// serve another.
fn answer(
    builds: &Builds,
    clients: &Clients,
    request: &Request,
    out: &mut impl Write,
    close: bool,
) -> std::io::Result<bool> {
    if !clients.host_allowed(request.host.as_deref()) {
        let body =
            b"this dev server answers only requests that name it by IP address or as localhost\n";
        return respond(out, 403, TEXT, body, None, false, close);
    }
    let head = request.method == "HEAD";
    if request.method != "GET" && !head {
        return respond(out, 405, TEXT, b"only GET and HEAD\n", None, false, close);
    }
    let Some(path) = clean_path(&request.target) else {
        return respond(out, 400, TEXT, b"bad path\n", None, head, close);
    };
    if let Some(own) = path.strip_prefix(OWN) {
        return match own {
            "reload.js" => respond(
                out,
                200,
                "text/javascript; charset=utf-8",
                super::RELOAD_JS.as_bytes(),
                None,
                head,
                close,
            ),
            _ => respond(out, 404, TEXT, b"not found\n", None, head, close),
        };
    }
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    let Some(generation) = builds.current() else {
        let page = decorate(&path, super::NO_BUILD_YET, &builds.build_id(None));
        return respond(
            out,
            503,
            "text/html; charset=utf-8",
            page.as_bytes(),
            None,
            head,
            close,
        );
    };
    let build = builds.build_id(Some(&generation));
    let (status, bytes) = match generation.get(&path) {
        Found::Bytes(bytes) => (200, bytes),
        Found::Streamed(print) => return stream_print(out, &print, &path, &build, head, close),
        Found::NotFound => match generation.get(crate::outputs::NOT_FOUND) {
            Found::Bytes(bytes) => (404, bytes),
            _ => (404, std::sync::Arc::new(b"not found\n".to_vec())),
        },
    };
    let kind = content_type(if status == 404 {
        crate::outputs::NOT_FOUND
    } else {
        &path
    });
    let decorated;
    let body: &[u8] = if kind.starts_with("text/html") {
        decorated = decorate(&path, &String::from_utf8_lossy(&bytes), &build);
        decorated.as_bytes()
    } else {
        &bytes
    };
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(body));
    if status == 200 && request.if_none_match.as_deref() == Some(etag.as_str()) {
        return respond(out, 304, kind, b"", Some(&etag), true, close);
    }
    respond(out, status, kind, body, Some(&etag), head, close)
}

/// Adds the live-reload script, naming the build the page comes from, to an HTML page.
fn decorate(path: &str, html: &str, build: &str) -> String {
    let root = crate::urls::root_prefix(path);
    let tag =
        format!("<script src=\"{root}{OWN}reload.js\" data-build=\"{build}\" defer></script>\n");
    let mut out = String::with_capacity(html.len() + tag.len());
    match html.rfind("</body>") {
        Some(at) => {
            out.push_str(&html[..at]);
            out.push_str(&tag);
            out.push_str(&html[at..]);
        }
        None => {
            out.push_str(html);
            out.push_str(&tag);
        }
    }
    out
}

/// Sends `print.html` streamed from its page bodies on disk, as a build writes it.
fn stream_print(
    out: &mut impl Write,
    print: &Printed,
    path: &str,
    build: &str,
    head_only: bool,
    close: bool,
) -> std::io::Result<bool> {
    let template = decorate(path, print.template(), build);
    let length = print.len(&template)?;
    let mut head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {length}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n"
    );
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = std::io::BufWriter::new(out);
    out.write_all(head.as_bytes())?;
    if !head_only {
        print.stream(&template, &mut out)?;
    }
    out.flush()?;
    Ok(!close)
}

fn respond(
    out: &mut impl Write,
    status: u16,
    kind: &str,
    body: &[u8],
    etag: Option<&str>,
    head_only: bool,
    close: bool,
) -> std::io::Result<bool> {
    // A refused request ends its connection: what follows it on the wire cannot be trusted.
    let close = close || matches!(status, 400 | 403 | 405);
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n",
        body.len()
    );
    if close {
        head.push_str("Connection: close\r\n");
    }
    if let Some(etag) = etag {
        head.push_str(&format!("ETag: {etag}\r\n"));
    }
    head.push_str("\r\n");
    if head_only || status == 304 {
        out.write_all(head.as_bytes())?;
    } else {
        let mut all = head.into_bytes();
        all.extend_from_slice(body);
        out.write_all(&all)?;
    }
    out.flush()?;
    Ok(!close)
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

    #[test]
    fn request_heads_are_parsed_or_refused() {
        let mut ok = &b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"[..];
        match read_request(&mut ok) {
            Head::Request(r) => {
                assert_eq!((r.method.as_str(), r.target.as_str()), ("GET", "/a"));
                assert_eq!(r.host.as_deref(), Some("x"));
                assert!(r.close);
            }
            _ => panic!("not parsed"),
        }
        for bad in [
            &b"GET /a\r\n\r\n"[..],
            b"GET /a HTTP/1.1 extra\r\n\r\n",
            b"GET /a SPDY/3\r\n\r\n",
            b"GET /a HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET /a HTTP/1.1\r\nHost: x\r\n",
            b"\xff\xfe HTTP/1.1\r\n\r\n",
        ] {
            let mut input = bad;
            assert!(
                matches!(read_request(&mut input), Head::Malformed),
                "{bad:?}"
            );
        }
        let mut empty = &b""[..];
        assert!(matches!(read_request(&mut empty), Head::Gone));
    }
}
