//! A small HTTP/1.1 server for `guide serve`: one thread per connection, keep-alive, a deadline
//! for each request head, GET and HEAD only, Host checked against DNS rebinding, paths checked
//! against traversal, ETags, and server-sent events for live reload.

use std::borrow::Cow;
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

/// The most header lines a request head may have (as hyper allows by default).
const MAX_HEADERS: usize = 100;

/// Reads a request head: bytes are gathered until `httparse` finds it complete, and only the
/// head's own bytes are taken from `reader` (what follows belongs to the next request).
fn read_request(reader: &mut impl BufRead) -> Head {
    let mut head = Vec::new();
    loop {
        let chunk = match reader.fill_buf() {
            Ok([]) if head.is_empty() => return Head::Gone,
            Ok([]) => return Head::Malformed,
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // Cut off (deadline, length) before the request line ended: nothing to answer.
            Err(_) if !head.contains(&b'\n') => return Head::Gone,
            Err(_) => return Head::Malformed,
        };
        let before = head.len();
        let taken = chunk.len();
        let line_ended = chunk.contains(&b'\n');
        head.extend_from_slice(chunk);
        if !line_ended {
            reader.consume(taken);
            continue;
        }
        match parse_head(&head) {
            Ok(Some((request, len))) => {
                reader.consume(len.saturating_sub(before));
                return Head::Request(request);
            }
            Ok(None) => reader.consume(taken),
            Err(()) => return Head::Malformed,
        }
    }
}

/// The request in `bytes` and the length of its head, `None` while the head is incomplete, or
/// `Err` when it is not an HTTP/1.x request head.
fn parse_head(bytes: &[u8]) -> Result<Option<(Request, usize)>, ()> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let len = match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(()),
    };
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(());
    };
    let mut request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        host: None,
        if_none_match: None,
        close: version == 0,
    };
    for header in parsed.headers.iter() {
        let value = std::str::from_utf8(header.value).map_err(|_| ())?.trim();
        let name = header.name;
        if name.eq_ignore_ascii_case("host") {
            request.host = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("if-none-match") {
            request.if_none_match = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("connection") {
            request.close |= value.eq_ignore_ascii_case("close");
        } else if name.eq_ignore_ascii_case("content-length") {
            request.close |= value != "0";
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            request.close = true;
        }
    }
    Ok(Some((request, len)))
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
        Found::Missing => match generation.get(crate::outputs::NOT_FOUND) {
            Found::Bytes(bytes) => (404, bytes),
            _ => (404, std::sync::Arc::new(b"not found\n".to_vec())),
        },
    };
    let kind = &content_type(if status == 404 {
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
    let length = print.len(&template);
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

/// The Content-Type for a path, by extension, from `mime_guess`'s table (the dev server's and the
/// test server's one source), with the registered names where the table lags behind them
/// (RFC 9239 `text/javascript`, RFC 7303 `application/xml`, RFC 8081 `font/woff`) and
/// `charset=utf-8` on text, which the build always writes as UTF-8.
pub fn content_type(path: &str) -> Cow<'static, str> {
    let essence = match mime_guess::from_path(path).first_raw() {
        None => "application/octet-stream",
        Some("application/javascript") => "text/javascript",
        Some("text/xml") => "application/xml",
        Some("application/font-woff") => "font/woff",
        Some(known) => known,
    };
    if essence.starts_with("text/") {
        Cow::Owned(format!("{essence}; charset=utf-8"))
    } else {
        Cow::Borrowed(essence)
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

    #[test]
    fn pipelined_requests_are_read_one_after_another() {
        let mut two = &b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.0\r\n\r\n"[..];
        let mut next = || match read_request(&mut two) {
            Head::Request(r) => Some((r.method, r.target, r.close)),
            Head::Gone => None,
            Head::Malformed => panic!("malformed"),
        };
        assert_eq!(next(), Some(("GET".into(), "/a".into(), false)));
        assert_eq!(next(), Some(("HEAD".into(), "/b".into(), true)));
        assert_eq!(next(), None);
    }

    #[test]
    fn content_types_come_from_the_table_with_charset_on_text() {
        for (path, kind) in [
            ("a/index.html", "text/html; charset=utf-8"),
            ("old/page.HTM", "text/html; charset=utf-8"),
            ("static/site.css", "text/css; charset=utf-8"),
            ("static/search.js", "text/javascript; charset=utf-8"),
            ("static/module.mjs", "text/javascript; charset=utf-8"),
            ("search.json", "application/json"),
            ("img/a.svg", "image/svg+xml"),
            ("sitemap.xml", "application/xml"),
            ("app.wasm", "application/wasm"),
            ("fonts/a.woff", "font/woff"),
            ("fonts/a.woff2", "font/woff2"),
            ("notes.txt", "text/plain; charset=utf-8"),
            ("LICENSE", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), kind, "{path}");
        }
    }
}
