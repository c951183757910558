//! Measures live reload of a dev server: saves a lesson again and again and polls its page until
//! each save is served, printing the latency of each save in milliseconds.
//!
//! ```text
//! cargo run --release --example savepoll -- --file content/a.md --url http://127.0.0.1:3000/a.html
//! ```
//!
//! Each save rewrites the file in place (truncate and write, as most editors do) with a new
//! marker line after its front matter. The page is polled from this process every millisecond
//! with plain HTTP/1.0 requests, so that the figure is the server's latency, not the cost of
//! starting a client per poll. The same poller is used for every server compared.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: savepoll --file FILE --url http://HOST:PORT/PATH [--saves N] [--gap SECONDS]

Saves FILE N times (default 20), SECONDS apart (default 1), and prints the milliseconds from each
save until the page at URL shows it, on one line.";

/// Longest wait for one save to be served.
const LIMIT: Duration = Duration::from_secs(60);

struct Args {
    file: String,
    addr: SocketAddr,
    host: String,
    path: String,
    saves: usize,
    gap: f64,
}

fn parse() -> Result<Args, String> {
    let mut file = None;
    let mut url = None;
    let mut saves = 20;
    let mut gap = 1.0;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--file" => file = Some(value()?),
            "--url" => url = Some(value()?),
            "--saves" => saves = value()?.parse().map_err(|e| format!("--saves: {e}"))?,
            "--gap" => gap = value()?.parse().map_err(|e| format!("--gap: {e}"))?,
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    let file = file.ok_or("--file is required")?;
    let url = url.ok_or("--url is required")?;
    let rest = url
        .strip_prefix("http://")
        .ok_or("--url must start with http://")?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let addr = host
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or(format!("{host} has no address"))?;
    Ok(Args {
        file,
        addr,
        host: host.to_owned(),
        path: if path.is_empty() { "/" } else { path }.to_owned(),
        saves,
        gap,
    })
}

/// The file's front matter (through its closing `+++` line) and the rest.
fn split(text: &str) -> Result<(String, String), String> {
    let mut seen = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        at += line.len();
        if line.trim_end() == "+++" {
            seen += 1;
            if seen == 2 {
                return Ok((text[..at].to_owned(), text[at..].to_owned()));
            }
        }
    }
    Err("no +++ front matter".into())
}

/// The page's body, or empty when the server does not answer.
fn fetch(args: &Args) -> Vec<u8> {
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {}\r\nCache-Control: no-cache\r\n\r\n",
        args.path, args.host
    );
    let mut body = Vec::new();
    let Ok(mut stream) = TcpStream::connect_timeout(&args.addr, Duration::from_secs(5)) else {
        return body;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read_to_end(&mut body);
    }
    body
}

/// Saves `marker` into the file and waits until the page shows it; the time taken, if it did.
fn save_and_wait(args: &Args, head: &str, tail: &str, marker: &str) -> Option<Duration> {
    let text = format!("{head}\nEdited: {marker}.\n{tail}");
    let started = Instant::now();
    if let Err(e) = fs::write(&args.file, text) {
        eprintln!("savepoll: cannot write {}: {e}", args.file);
        return None;
    }
    let needle = marker.as_bytes();
    while started.elapsed() < LIMIT {
        if fetch(args).windows(needle.len()).any(|w| w == needle) {
            return Some(started.elapsed());
        }
        thread::sleep(Duration::from_millis(1));
    }
    None
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("savepoll: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (head, tail) = match fs::read_to_string(&args.file).map_err(|e| e.to_string()) {
        Ok(text) => match split(&text) {
            Ok(parts) => parts,
            Err(e) => {
                eprintln!("savepoll: {}: {e}", args.file);
                return ExitCode::FAILURE;
            }
        },
        Err(e) => {
            eprintln!("savepoll: cannot read {}: {e}", args.file);
            return ExitCode::FAILURE;
        }
    };
    let seed = std::process::id();
    // Saves until one is served: the server is watching from then on.
    if !(1..=5).any(|i| save_and_wait(&args, &head, &tail, &format!("warmup-{seed}-{i}")).is_some())
    {
        eprintln!(
            "savepoll: {} never served a save of {}",
            args.url(),
            args.file
        );
        return ExitCode::FAILURE;
    }
    thread::sleep(Duration::from_secs_f64(args.gap));
    let start = Instant::now();
    let mut out = Vec::new();
    for i in 1..=args.saves {
        let marker = format!("bench-{seed}-{i}");
        let Some(took) = save_and_wait(&args, &head, &tail, &marker) else {
            eprintln!(
                "savepoll: save {i} was not served within {} s",
                LIMIT.as_secs()
            );
            return ExitCode::FAILURE;
        };
        out.push(format!("{:.1}", took.as_secs_f64() * 1000.0));
        let next = Duration::from_secs_f64(args.gap * i as f64);
        if let Some(wait) = next.checked_sub(start.elapsed()) {
            thread::sleep(wait);
        }
    }
    if let Err(e) = fs::write(&args.file, format!("{head}{tail}")) {
        eprintln!("savepoll: cannot restore {}: {e}", args.file);
    }
    println!("{}", out.join(" "));
    ExitCode::SUCCESS
}

impl Args {
    fn url(&self) -> String {
        format!("http://{}{}", self.host, self.path)
    }
}
