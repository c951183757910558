//! `guide serve` under abuse, over real HTTP on 127.0.0.1: 64 connections at once for 10 s
//! without an error (with Debian's `wrk` when installed, else a client of our own), 100 clients
//! sending one byte a second next to a normal one, and 1,000 malformed and traversal requests
//! that must all be refused while the server stays up. (A burst of 100 saves in a second is in
//! `serve.rs`.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::Guide;
use crate::support::serve::Serve;

const FIXTURE: &str = "serve-basic";
/// What the load tests run for.
const LOAD_TIME: Duration = Duration::from_secs(10);

/// What these tests ask of a running server (the serve tests' own helpers are in `serve.rs`).
impl Serve {
    /// `guide serve` on the guide, once it names its address (without waiting for the watcher).
    fn launched(guide: &Guide) -> Serve {
        Serve::launch(guide, &guide.root_str())
            .unwrap_or_else(|log| panic!("guide serve did not start:\n{log}"))
    }

    /// Sends `raw` on a new connection, closes the sending side (so that half a request is
    /// all the server gets) and reads until the server closes the connection.
    fn half_closed(&self, raw: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect_timeout(&self.addr(), Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.set_write_timeout(Some(Duration::from_secs(5)))?;
        // The server may refuse a long head before it is all sent.
        let _ = stream.write_all(raw);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut bytes = Vec::new();
        match stream.read_to_end(&mut bytes) {
            Ok(_) => Ok(bytes),
            // A refused request may be cut off while the rest of it is still being sent.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && !bytes.is_empty() => {
                Ok(bytes)
            }
            Err(e) => Err(e),
        }
    }

    /// `GET path` (with its leading slash): the status and the whole answer.
    fn get_status(&self, path: &str) -> (u16, Vec<u8>) {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        let bytes = self
            .half_closed(request.as_bytes())
            .expect("the server answers");
        (status_of(&bytes).expect("a status line"), bytes)
    }
}

fn status_of(bytes: &[u8]) -> Option<u16> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).into_owned();
    head.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// Reads one response from a kept-alive connection: its status, by its Content-Length.
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = status_of(line.as_bytes())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().map_err(std::io::Error::other)?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(status)
}

/// Runs Debian's `wrk` when it is installed (and `GUIDE_TEST_NO_WRK` is not set):
/// `Some((requests, errors))`.
fn with_wrk(url: &str) -> Option<(u64, Vec<String>)> {
    if std::env::var_os("GUIDE_TEST_NO_WRK").is_some() {
        return None;
    }
    let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let seconds = format!("{}s", LOAD_TIME.as_secs());
    let out = Command::new(wrk)
        .args([
            "-t",
            "2",
            "-c",
            "64",
            "-d",
            &seconds,
            "--timeout",
            "5s",
            url,
        ])
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "wrk failed:\n{text}");
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no request count in wrk's output:\n{text}"));
    let errors = text
        .lines()
        .filter(|l| l.contains("Socket errors") || l.contains("Non-2xx"))
        .map(str::to_owned)
        .collect();
    eprintln!("wrk, 64 connections for {seconds}:\n{text}");
    Some((requests, errors))
}

/// 64 kept-alive connections of our own, each asking for `path` again and again.
fn with_own_client(serve: &Serve, path: &str) -> (u64, Vec<String>) {
    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..64)
        .map(|_| {
            let (stop, served, addr, port) =
                (stop.clone(), served.clone(), serve.addr(), serve.port);
            let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
            thread::spawn(move || -> Vec<String> {
                let mut errors = Vec::new();
                let connect = || -> std::io::Result<(TcpStream, BufReader<TcpStream>)> {
                    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
                    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
                    let reader = BufReader::new(stream.try_clone()?);
                    Ok((stream, reader))
                };
                let mut conn = connect();
                while !stop.load(Ordering::Relaxed) {
                    let result = match &mut conn {
                        Ok((stream, reader)) => stream
                            .write_all(request.as_bytes())
                            .and_then(|()| read_response(reader)),
                        Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
                    };
                    match result {
                        Ok(200) => {
                            served.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(status) => errors.push(format!("answered {status}")),
                        Err(e) => {
                            errors.push(e.to_string());
                            conn = connect();
                        }
                    }
                }
                errors
            })
        })
        .collect();
    thread::sleep(LOAD_TIME);
    stop.store(true, Ordering::Relaxed);
    let errors = workers
        .into_iter()
        .flat_map(|w| w.join().expect("client thread"))
        .collect();
    (served.load(Ordering::Relaxed) as u64, errors)
}

#[test]
fn sixty_four_connections_for_ten_seconds_without_an_error() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::launched(&guide);
    assert_eq!(serve.get_status("/basics/first.html").0, 200);
    let url = format!("http://127.0.0.1:{}/basics/first.html", serve.port);
    let (requests, errors) = match with_wrk(&url) {
        Some(result) => result,
        None => with_own_client(&serve, "/basics/first.html"),
    };
    assert!(errors.is_empty(), "errors under load: {errors:?}");
    assert!(requests > 100, "only {requests} requests served in 10 s");
    assert_eq!(serve.get_status("/basics/first.html").0, 200);
}

#[test]
fn a_hundred_clients_sending_a_byte_a_second_do_not_stop_a_normal_one() {
    let guide = Guide::fixture(FIXTURE);
    let serve = Serve::launched(&guide);
    let request = format!(
        "GET /basics/first.html HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        serve.port
    );
    let mut slow: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(serve.addr()).expect("connect"))
        .collect();
    // Four bytes from each slow client, a second apart; between two bytes, normal requests.
    // Each must be answered before the slow clients send their next byte: it waits on none of
    // them.
    let mut slowest = Duration::ZERO;
    for sent in 0..4 {
        for stream in &mut slow {
            let _ = stream.write_all(&request.as_bytes()[sent..sent + 1]);
        }
        let next_byte = Instant::now() + Duration::from_secs(1);
        let mut served = 0;
        while served == 0 || Instant::now() < next_byte {
            let t = Instant::now();
            let (status, _) = serve.get_status("/basics/first.html");
            assert_eq!(status, 200);
            slowest = slowest.max(t.elapsed());
            served += 1;
            thread::sleep(Duration::from_millis(50));
        }
    }
    drop(slow);
    assert!(
        slowest < Duration::from_secs(1),
        "a request took {slowest:?}, longer than slow clients take for a byte"
    );
}

/// Requests that must be refused: paths that try to leave the site, and heads that are not
/// HTTP. `{p}` stands for the server's port.
fn probes() -> Vec<Vec<u8>> {
    let traversals = [
        "/../etc/passwd",
        "/../../../../../../etc/passwd",
        "/basics/../../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/.%2e/etc/passwd",
        "/..%2fetc%2fpasswd",
        "/..%2Fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "/..\\..\\etc\\passwd",
        "/C:/Windows/win.ini",
        "/c:%5cwindows%5cwin.ini",
        "/%00",
        "/index.html%00.txt",
        "//etc/passwd",
        "/%252e%252e/etc/passwd",
        "/basics/%2e%2e/%2e%2e/outside/secret.txt",
        "/../outside/secret.txt",
        "/static/../../outside/secret.txt",
        "/%c0%ae%c0%ae/etc/passwd",
        "/..;/etc/passwd",
        "/no-such-page.html",
        "/static/",
        "/basics/img/",
    ];
    let heads: [&[u8]; 20] = [
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"\r\n\r\n",
        b"\xff\xfe\xfd HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\xff: x\r\n\r\n",
        b"GET relative HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n",
        b"GET * HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n",
        b"GET http://127.0.0.1:{p}/ HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n",
        b"GET /\x00 HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n",
        b"GET /a\\b HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n",
        b"GET /%zz HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n",
        b"GET /%ff%fe HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nX-Long: {long}\r\n\r\n",
    ];
    let mut out = Vec::new();
    for (i, path) in traversals.iter().cycle().take(500).enumerate() {
        let method = ["GET", "HEAD"][i % 2];
        let query = if i % 3 == 0 { "?x=../../etc" } else { "" };
        out.push(format!("{method} {path}{query} HTTP/1.1\r\nHost: 127.0.0.1:{{p}}\r\nConnection: close\r\n\r\n").into_bytes());
    }
    for (i, head) in heads.iter().cycle().take(500).enumerate() {
        let mut bytes = head.to_vec();
        if i % 7 == 3 {
            bytes.truncate(bytes.len() / 2);
        }
        out.push(bytes);
    }
    out
}

#[test]
fn a_thousand_malformed_and_traversal_requests_are_refused_and_the_server_stays_up() {
    let guide = Guide::fixture(FIXTURE);
    let secret = "SECRET-OUTSIDE-THE-SITE-51c2";
    let outside = guide.beside("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), secret).unwrap();
    let serve = Serve::launched(&guide);
    let port = serve.port.to_string();
    let long = "a".repeat(40 * 1024);
    let probes = probes();
    assert_eq!(probes.len(), 1000);
    let mut problems = Vec::new();
    for probe in &probes {
        let text = String::from_utf8_lossy(probe)
            .replace("{p}", &port)
            .replace("{long}", &long);
        let bytes: Vec<u8> = if probe.is_ascii() {
            text.into_bytes()
        } else {
            probe.clone()
        };
        let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]).into_owned();
        let oversized = bytes.len() > 16 * 1024;
        match serve.half_closed(&bytes) {
            Ok(answer) => {
                if String::from_utf8_lossy(&answer).contains(secret) {
                    problems.push(format!("{shown:?}: the secret was sent"));
                }
                match status_of(&answer) {
                    Some(400 | 404) => {}
                    other => problems.push(format!("{shown:?}: answered {other:?}")),
                }
            }
            // A head too long is cut off while still being sent: the connection is reset.
            Err(e) if oversized && e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => problems.push(format!("{shown:?}: {e}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let (status, page) = serve.get_status("/basics/first.html");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("first-body-v1"));
}
