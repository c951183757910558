//! Test support for driving a real browser: a small synchronous Chrome DevTools Protocol client
//! for headless Chromium, a static HTTP server that serves a built site under a sub-path, and
//! helpers to build a guide with the real `guide` binary.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::{Message, WebSocket};

/// The longest any single wait may take; nothing in a browser test blocks longer than this.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// Program names tried on `PATH` when `GUIDE_CHROMIUM` is not set.
const CHROMIUM_NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// How long one blocking read on the DevTools socket may take before deadlines are checked again.
const POLL: Duration = Duration::from_millis(50);

/// Finds the Chromium executable: `GUIDE_CHROMIUM` if set, else the first known name on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(program) = env::var_os("GUIDE_CHROMIUM").filter(|p| !p.is_empty()) {
        return resolve_program(Path::new(&program));
    }
    CHROMIUM_NAMES
        .iter()
        .find_map(|name| resolve_program(Path::new(name)))
}

fn resolve_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return is_executable(program).then(|| program.to_path_buf());
    }
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Starts headless Chromium for a test. When no browser is installed the test is skipped
/// (prints `skipped: chromium not found` and gets `None`), unless `GUIDE_REQUIRE_BROWSER=1`,
/// in which case it fails.
pub fn launch_or_skip() -> Option<Browser> {
    match find_chromium() {
        Some(program) => match Browser::launch(&program) {
            Ok(browser) => Some(browser),
            Err(err) => panic!("could not start {}: {err}", program.display()),
        },
        None => {
            if env::var("GUIDE_REQUIRE_BROWSER").as_deref() == Ok("1") {
                panic!("chromium not found");
            }
            println!("skipped: chromium not found");
            None
        }
    }
}

/// axe-core's `axe.min.js`: the one `GUIDE_AXE` names, or the repository's `node_modules` copy
/// (`npm ci` installs the version `package-lock.json` pins). Without it accessibility tests are
/// skipped (`None`), unless `GUIDE_REQUIRE_BROWSER=1`, in which case they fail.
pub fn axe_source() -> Option<String> {
    let path = env::var_os("GUIDE_AXE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js")
        });
    match fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) if env::var("GUIDE_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!(
                "axe-core not found at {} ({e}): run `npm ci`",
                path.display()
            )
        }
        Err(_) => {
            println!("skipped: axe-core not found (run `npm ci`, or set GUIDE_AXE)");
            None
        }
    }
}

/// The axe violations inside `selectors` (all of the page when empty) of the page the browser
/// shows, one line each: rule, element, help.
pub fn axe_violations(
    b: &mut Browser,
    axe: &str,
    selectors: &[&str],
) -> Result<Vec<String>, String> {
    b.evaluate(axe)?;
    let context = if selectors.is_empty() {
        "document".to_owned()
    } else {
        let include: Vec<Value> = selectors.iter().map(|s| serde_json::json!([s])).collect();
        format!("{{ include: {} }}", Value::Array(include))
    };
    let found = b.evaluate(&format!(
        r#"axe.run({context}).then((r) => r.violations.flatMap((v) =>
             v.nodes.map((n) => v.id + ": " + n.target.join(" ") + " (" + v.help + ")")))"#
    ))?;
    Ok(found
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect())
}

/// Turns a local path into a `file://` URL.
pub fn file_url(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

/// A JavaScript string literal.
pub fn lit(s: &str) -> String {
    serde_json::to_string(s).expect("string literal")
}

/// Starts a browser (or skips), runs `test`, prints its summary; on failure saves a screenshot
/// and names it in the panic message.
pub fn with_browser(name: &str, test: impl FnOnce(&mut Browser) -> Result<String, String>) {
    let started = Instant::now();
    let Some(mut browser) = launch_or_skip() else {
        return;
    };
    match test(&mut browser) {
        Ok(summary) => println!("{name}: {summary} ({:.1?})", started.elapsed()),
        Err(err) => {
            let shot = browser.debug_screenshot(name);
            panic!("{name}: {err}\nscreenshot: {shot}");
        }
    }
}

/// Builds the guide at `root` into `out` with the real binary; panics with its output on failure.
pub fn build_guide(root: &Path, out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_guide"))
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .expect("run guide build");
    assert!(
        output.status.success(),
        "guide build --root {} failed ({}):\n{}{}",
        root.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every `.html` file under `dir`, as `/`-separated paths relative to it, sorted.
pub fn html_pages(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, found: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}/"), found);
            } else if name.ends_with(".html") {
                found.push(format!("{prefix}{name}"));
            }
        }
    }
    let mut found = Vec::new();
    walk(dir, "", &mut found);
    found.sort();
    found
}

/// One request the page made, from `Network.requestWillBeSent`.
#[derive(Clone, Debug)]
pub struct PageRequest {
    /// The requested URL.
    pub url: String,
}

/// A running headless Chromium with one page attached over the DevTools Protocol.
///
/// Console errors, uncaught exceptions, error log entries, failed requests and HTTP error
/// responses are collected as they arrive; tests read them with [`Browser::take_problems`].
/// Dropping it kills the browser and all its processes.
pub struct Browser {
    ws: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    loader: String,
    url: String,
    loaded: HashSet<String>,
    in_flight: HashMap<String, String>,
    answered: HashSet<String>,
    quiet: HashSet<String>,
    requests: Vec<PageRequest>,
    problems: Vec<String>,
    media: Vec<(String, String)>,
    _process: BrowserProcess,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts `program` headless with a fresh profile and opens a blank page.
    pub fn launch(program: &Path) -> Result<Browser, String> {
        let profile = tempfile::Builder::new()
            .prefix("guide-chromium-")
            .tempdir()
            .map_err(|e| format!("profile dir: {e}"))?;
        let mut command = Command::new(program);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,900",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command.spawn().map_err(|e| format!("spawn: {e}"))?;
        let stderr = child.stderr.take();
        let process = BrowserProcess { child };

        let (found_tx, found_rx) = mpsc::channel();
        let tail = Arc::new(Mutex::new(Vec::<String>::new()));
        let tail_writer = Arc::clone(&tail);
        if let Some(stderr) = stderr {
            thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if line.contains("DevTools listening on") {
                        if let Some(at) = line.find("ws://") {
                            let _ = found_tx.send(line[at..].trim().to_string());
                        }
                    }
                    let mut tail = tail_writer.lock().unwrap_or_else(|e| e.into_inner());
                    if tail.len() >= 40 {
                        tail.remove(0);
                    }
                    tail.push(line);
                }
            });
        }
        let ws_url = found_rx.recv_timeout(MAX_WAIT).map_err(|_| {
            let tail = tail.lock().unwrap_or_else(|e| e.into_inner());
            format!(
                "no DevTools address within {MAX_WAIT:?}; stderr:\n{}",
                tail.join("\n")
            )
        })?;

        let ws = connect_devtools(&ws_url)?;
        let mut browser = Browser {
            ws,
            session: String::new(),
            next_id: 0,
            loader: String::new(),
            url: String::new(),
            loaded: HashSet::new(),
            in_flight: HashMap::new(),
            answered: HashSet::new(),
            quiet: HashSet::new(),
            requests: Vec::new(),
            problems: Vec::new(),
            media: vec![("prefers-reduced-motion".into(), "reduce".into())],
            _process: process,
            _profile: profile,
        };
        let target = browser.send(None, "Target.createTarget", json!({ "url": "about:blank" }))?;
        let target_id = target["targetId"]
            .as_str()
            .ok_or("Target.createTarget gave no targetId")?
            .to_string();
        let attached = browser.send(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        )?;
        browser.session = attached["sessionId"]
            .as_str()
            .ok_or("Target.attachToTarget gave no sessionId")?
            .to_string();
        for method in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            browser.call(method, json!({}))?;
        }
        browser.call("Page.setLifecycleEventsEnabled", json!({ "enabled": true }))?;
        browser.apply_media()?;
        Ok(browser)
    }

    /// Sends a DevTools command to the page and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        let session = self.session.clone();
        self.send(Some(&session), method, params)
    }

    fn send(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session.filter(|s| !s.is_empty()) {
            message["sessionId"] = json!(session);
        }
        self.ws
            .send(Message::text(message.to_string()))
            .map_err(|e| format!("{method}: send: {e}"))?;
        let deadline = Instant::now() + MAX_WAIT;
        loop {
            let Some(reply) = self.next_message(deadline)? else {
                return Err(format!("{method}: no answer within {MAX_WAIT:?}"));
            };
            if reply.get("id").and_then(Value::as_u64) != Some(id) {
                continue;
            }
            if let Some(error) = reply.get("error") {
                return Err(format!(
                    "{method}: {}",
                    error["message"].as_str().unwrap_or("error")
                ));
            }
            return Ok(reply.get("result").cloned().unwrap_or(Value::Null));
        }
    }

    /// Reads one message, handling it if it is an event; `None` once `deadline` has passed.
    fn next_message(&mut self, deadline: Instant) -> Result<Option<Value>, String> {
        loop {
            if Instant::now() >= deadline {
                return Ok(None);
            }
            match self.ws.read() {
                Ok(Message::Text(text)) => {
                    let value: Value = serde_json::from_str(text.as_str())
                        .map_err(|e| format!("bad DevTools message: {e}"))?;
                    if value.get("method").is_some() {
                        self.on_event(&value);
                    }
                    return Ok(Some(value));
                }
                Ok(Message::Close(_)) => {
                    return Err("the browser closed its DevTools socket".into());
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(format!("DevTools socket: {e}")),
            }
        }
    }

    fn on_event(&mut self, event: &Value) {
        let params = &event["params"];
        match event["method"].as_str().unwrap_or("") {
            "Page.frameNavigated" => {
                let frame = &params["frame"];
                if frame.get("parentId").is_none() {
                    self.loader = frame["loaderId"].as_str().unwrap_or("").to_string();
                    self.url = frame["url"].as_str().unwrap_or("").to_string();
                }
            }
            "Page.lifecycleEvent" if params["name"] == "load" => {
                if let Some(loader) = params["loaderId"].as_str() {
                    self.loaded.insert(loader.to_string());
                }
            }
            "Network.requestWillBeSent" => {
                let url = params["request"]["url"].as_str().unwrap_or("").to_string();
                let id = params["requestId"].as_str().unwrap_or("").to_string();
                if is_default_favicon(&url) {
                    self.quiet.insert(id.clone());
                }
                self.in_flight.insert(id, url.clone());
                self.requests.push(PageRequest { url });
            }
            "Network.responseReceived" => {
                let id = params["requestId"].as_str().unwrap_or("");
                self.answered.insert(id.to_string());
                let status = params["response"]["status"].as_f64().unwrap_or(0.0);
                if status >= 400.0 && !self.quiet.contains(id) {
                    let url = params["response"]["url"].as_str().unwrap_or("");
                    self.problem(format!("HTTP {status} for {url}"));
                }
            }
            "Network.loadingFinished" => {
                if let Some(id) = params["requestId"].as_str() {
                    self.in_flight.remove(id);
                }
            }
            "Network.loadingFailed" => {
                let id = params["requestId"].as_str().unwrap_or("");
                let url = self.in_flight.remove(id).unwrap_or_default();
                let canceled = params["canceled"] == true;
                // A response whose body the page never read is cancelled once it is dropped;
                // the request itself succeeded.
                let abandoned = canceled && self.answered.contains(id);
                if !abandoned && !self.quiet.contains(id) {
                    let error = params["errorText"].as_str().unwrap_or("");
                    let canceled = if canceled { ", canceled" } else { "" };
                    self.problem(format!("request failed: {url} ({error}{canceled})"));
                }
            }
            "Runtime.consoleAPICalled" => {
                let kind = params["type"].as_str().unwrap_or("");
                if kind == "error" || kind == "assert" {
                    let text = params["args"]
                        .as_array()
                        .map(|args| args.iter().map(remote_text).collect::<Vec<_>>().join(" "))
                        .unwrap_or_default();
                    self.problem(format!("console.{kind}: {text}"));
                }
            }
            "Runtime.exceptionThrown" => {
                let details = &params["exceptionDetails"];
                let text = details["exception"]["description"]
                    .as_str()
                    .or_else(|| details["text"].as_str())
                    .unwrap_or("exception");
                let at = details["url"].as_str().unwrap_or("");
                let line = details["lineNumber"].as_i64().unwrap_or(-1) + 1;
                self.problem(format!("uncaught exception: {text} at {at}:{line}"));
            }
            "Log.entryAdded" => {
                let entry = &params["entry"];
                if entry["level"] == "error"
                    && !is_default_favicon(entry["url"].as_str().unwrap_or(""))
                {
                    self.problem(format!(
                        "log ({}): {} {}",
                        entry["source"].as_str().unwrap_or(""),
                        entry["text"].as_str().unwrap_or(""),
                        entry["url"].as_str().unwrap_or("")
                    ));
                }
            }
            "Inspector.targetCrashed" => self.problem("the page crashed".into()),
            _ => {}
        }
    }

    fn problem(&mut self, text: String) {
        let on = if self.url.is_empty() {
            String::new()
        } else {
            format!(" [on {}]", self.url)
        };
        self.problems.push(format!("{text}{on}"));
    }

    /// Handles incoming events until `done` holds or `timeout` (at most [`MAX_WAIT`]) passes.
    fn pump_until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&Browser) -> bool,
    ) -> Result<bool, String> {
        let deadline = Instant::now() + timeout.min(MAX_WAIT);
        while !done(self) {
            if self.next_message(deadline)?.is_none() {
                return Ok(done(self));
            }
        }
        Ok(true)
    }

    /// Handles incoming events for `duration` (at most [`MAX_WAIT`]).
    pub fn pause(&mut self, duration: Duration) -> Result<(), String> {
        self.pump_until(duration, |_| false).map(|_| ())
    }

    /// Loads `url` and waits for its `load` event.
    pub fn navigate(&mut self, url: &str) -> Result<(), String> {
        let result = self.call("Page.navigate", json!({ "url": url }))?;
        if let Some(error) = result["errorText"].as_str() {
            if !error.is_empty() && error != "net::ERR_HTTP_RESPONSE_CODE_FAILURE" {
                return Err(format!("navigate to {url}: {error}"));
            }
        }
        let Some(loader) = result["loaderId"].as_str().map(str::to_string) else {
            return Ok(());
        };
        if self.pump_until(MAX_WAIT, |b| b.loaded.contains(&loader))? {
            Ok(())
        } else {
            Err(format!("{url} did not finish loading within {MAX_WAIT:?}"))
        }
    }

    /// Reloads the page and waits for its `load` event.
    pub fn reload(&mut self) -> Result<(), String> {
        let before = self.loader.clone();
        self.call("Page.reload", json!({ "ignoreCache": true }))?;
        self.wait_for_new_document(&before)
    }

    fn wait_for_new_document(&mut self, before: &str) -> Result<(), String> {
        let loaded = self.pump_until(MAX_WAIT, |b| {
            b.loader != before && b.loaded.contains(&b.loader)
        })?;
        if loaded {
            Ok(())
        } else {
            Err(format!(
                "no new page finished loading within {MAX_WAIT:?} (still at {})",
                self.url
            ))
        }
    }

    /// Evaluates `js` in the page (awaiting a returned promise) and returns its value as JSON;
    /// a thrown exception becomes `Err` with its message.
    pub fn evaluate(&mut self, js: &str) -> Result<Value, String> {
        let reply = self.call(
            "Runtime.evaluate",
            json!({
                "expression": js,
                "awaitPromise": true,
                "returnByValue": true,
                "userGesture": true,
            }),
        )?;
        if let Some(details) = reply.get("exceptionDetails") {
            let message = details["exception"]["description"]
                .as_str()
                .or_else(|| details["text"].as_str())
                .unwrap_or("exception");
            return Err(message.to_string());
        }
        Ok(reply["result"].get("value").cloned().unwrap_or(Value::Null))
    }

    /// Evaluates `js` and expects a string.
    pub fn eval_string(&mut self, js: &str) -> Result<String, String> {
        match self.evaluate(js)? {
            Value::String(s) => Ok(s),
            other => Err(format!("`{js}` gave {other}, not a string")),
        }
    }

    /// Evaluates `js` and expects a number.
    pub fn eval_f64(&mut self, js: &str) -> Result<f64, String> {
        let value = self.evaluate(js)?;
        value
            .as_f64()
            .ok_or_else(|| format!("`{js}` gave {value}, not a number"))
    }

    /// Evaluates `js` and expects a boolean.
    pub fn eval_bool(&mut self, js: &str) -> Result<bool, String> {
        let value = self.evaluate(js)?;
        value
            .as_bool()
            .ok_or_else(|| format!("`{js}` gave {value}, not a boolean"))
    }

    /// Re-evaluates `js` until it gives a truthy value and returns that value; errors (a page
    /// being replaced, say) count as "not yet". Fails after `timeout` (at most [`MAX_WAIT`]).
    pub fn wait_for(&mut self, js: &str, timeout: Duration) -> Result<Value, String> {
        let deadline = Instant::now() + timeout.min(MAX_WAIT);
        loop {
            let last = match self.evaluate(js) {
                Ok(value) if truthy(&value) => return Ok(value),
                Ok(value) => value.to_string(),
                Err(err) => err,
            };
            if Instant::now() >= deadline {
                return Err(format!(
                    "timed out after {:?} waiting for `{js}` (last: {last})",
                    timeout.min(MAX_WAIT)
                ));
            }
            self.pump_until(Duration::from_millis(50), |_| false)?;
        }
    }

    /// The page's current URL.
    pub fn location(&mut self) -> Result<String, String> {
        self.eval_string("location.href")
    }

    /// Clicks the first element matching `selector` with a real mouse press at its centre,
    /// after scrolling it into view; fails if it is missing, has no size or is covered.
    pub fn click(&mut self, selector: &str) -> Result<(), String> {
        let selector_js = serde_json::to_string(selector).map_err(|e| e.to_string())?;
        let point = self.evaluate(&format!(
            r#"(async () => {{
                const el = document.querySelector({selector_js});
                if (!el) return "nothing matches";
                el.scrollIntoView({{ block: "center", inline: "center", behavior: "instant" }});
                const frame = () => new Promise((done) => {{
                    requestAnimationFrame(() => done());
                    setTimeout(done, 100);
                }});
                let before = null;
                for (let i = 0; i < 20; i++) {{
                    await frame();
                    const r = el.getBoundingClientRect();
                    const now = [r.left, r.top, r.width, r.height].join();
                    if (now === before) break;
                    before = now;
                }}
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) return "it has no size (hidden?)";
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const hit = document.elementFromPoint(x, y);
                if (!hit || !(hit === el || el.contains(hit))) {{
                    const what = hit ? hit.outerHTML.slice(0, 120) : "nothing (off screen)";
                    return "its centre is covered by " + what;
                }}
                return {{ x, y }};
            }})()"#
        ))?;
        if let Some(why) = point.as_str() {
            return Err(format!("cannot click `{selector}`: {why}"));
        }
        let (x, y) = (point["x"].clone(), point["y"].clone());
        self.call(
            "Input.dispatchMouseEvent",
            json!({ "type": "mouseMoved", "x": x, "y": y }),
        )?;
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            )?;
        }
        Ok(())
    }

    /// Clicks `selector` (see [`Browser::click`]) and waits until the page it leads to has loaded.
    pub fn click_and_wait_load(&mut self, selector: &str) -> Result<(), String> {
        let before = self.loader.clone();
        self.click(selector)?;
        self.wait_for_new_document(&before)
            .map_err(|e| format!("after clicking `{selector}`: {e}"))
    }

    /// Presses and releases a key such as `Escape` or `ArrowRight`.
    pub fn press_key(&mut self, key: &str) -> Result<(), String> {
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": key, "code": key }),
            )?;
        }
        Ok(())
    }

    /// Emulates a viewport of `width` x `height` CSS pixels; `mobile` also emulates a phone's
    /// handling of the viewport meta tag.
    pub fn set_viewport(&mut self, width: u32, height: u32, mobile: bool) -> Result<(), String> {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": mobile,
            }),
        )
        .map(|_| ())
    }

    /// Emulates the system colour scheme (`"light"` or `"dark"`) for `prefers-color-scheme`.
    pub fn set_color_scheme(&mut self, scheme: &str) -> Result<(), String> {
        self.set_media_feature("prefers-color-scheme", scheme)
    }

    /// Emulates one CSS media feature, keeping the others already set. Reduced motion is
    /// emulated from the start so that scrolling and transitions finish at once.
    pub fn set_media_feature(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.media.retain(|(n, _)| n != name);
        self.media.push((name.to_string(), value.to_string()));
        self.apply_media()
    }

    fn apply_media(&mut self) -> Result<(), String> {
        let features: Vec<Value> = self
            .media
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        self.call(
            "Emulation.setEmulatedMedia",
            json!({ "features": features }),
        )
        .map(|_| ())
    }

    /// Runs `source` in every new document before its own scripts; returns an id for
    /// [`Browser::remove_script_on_new_document`].
    pub fn add_script_on_new_document(&mut self, source: &str) -> Result<String, String> {
        let reply = self.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )?;
        reply["identifier"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| "no script identifier".to_string())
    }

    /// Stops running a script added with [`Browser::add_script_on_new_document`].
    pub fn remove_script_on_new_document(&mut self, id: &str) -> Result<(), String> {
        self.call(
            "Page.removeScriptToEvaluateOnNewDocument",
            json!({ "identifier": id }),
        )
        .map(|_| ())
    }

    /// Saves a PNG of the viewport to `path`.
    pub fn screenshot(&mut self, path: &Path) -> Result<(), String> {
        let reply = self.call("Page.captureScreenshot", json!({ "format": "png" }))?;
        let data = reply["data"].as_str().ok_or("no screenshot data")?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("screenshot: {e}"))?;
        fs::write(path, png).map_err(|e| format!("write {}: {e}", path.display()))
    }

    /// Saves a screenshot named after `name` in the temporary folder and returns its path, or a
    /// note why there is none; for failure messages.
    pub fn debug_screenshot(&mut self, name: &str) -> String {
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = env::temp_dir().join(format!("guide-browser-{safe}.png"));
        match self.screenshot(&path) {
            Ok(()) => path.display().to_string(),
            Err(err) => format!("(no screenshot: {err})"),
        }
    }

    /// Handles pending events, then returns and clears the problems seen so far: console
    /// errors, uncaught exceptions, error log entries, failed requests, HTTP errors.
    pub fn take_problems(&mut self) -> Vec<String> {
        let _ = self.pause(Duration::from_millis(20));
        std::mem::take(&mut self.problems)
    }

    /// Handles pending events, then returns and clears the requests made so far.
    pub fn take_requests(&mut self) -> Vec<PageRequest> {
        let _ = self.pause(Duration::from_millis(20));
        std::mem::take(&mut self.requests)
    }
}

/// Whether `url` is the icon browsers fetch by themselves from a web server's root when a
/// page names none. Its outcome is not the page's doing, so it is not counted as a problem;
/// [`Browser::take_requests`] still lists it.
pub fn is_default_favicon(url: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        url.strip_prefix(scheme)
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(_, path)| path == "favicon.ico")
    })
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

fn remote_text(arg: &Value) -> String {
    match arg.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => arg["description"]
            .as_str()
            .unwrap_or_else(|| arg["type"].as_str().unwrap_or(""))
            .to_string(),
    }
}

fn connect_devtools(ws_url: &str) -> Result<WebSocket<TcpStream>, String> {
    let host_port = ws_url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .ok_or_else(|| format!("odd DevTools address {ws_url}"))?;
    let addr = host_port
        .to_socket_addrs()
        .map_err(|e| format!("{host_port}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host_port} has no address"))?;
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .map_err(|e| format!("connect to DevTools at {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let (ws, _) = tungstenite::client(ws_url, stream)
        .map_err(|e| format!("DevTools WebSocket handshake: {e}"))?;
    ws.get_ref()
        .set_read_timeout(Some(POLL))
        .map_err(|e| e.to_string())?;
    Ok(ws)
}

/// The browser's process; dropping it kills its whole process group and reaps it.
struct BrowserProcess {
    child: Child,
}

impl Drop for BrowserProcess {
    fn drop(&mut self) {
        #[cfg(unix)]
        kill_process_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(unix)]
fn kill_process_group(leader: u32) {
    unsafe extern "C" {
        fn kill(pid: i32, signal: i32) -> i32;
    }
    const SIGKILL: i32 = 9;
    if let Ok(group) = i32::try_from(leader) {
        if group > 0 {
            // SAFETY: kill(2) takes plain integers; a negative pid names the process group
            // that the browser was started in (its own, via `process_group(0)`).
            unsafe {
                kill(-group, SIGKILL);
            }
        }
    }
}

/// One request the static server answered.
#[derive(Clone, Debug)]
pub struct Served {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The request target as sent, query included.
    pub path: String,
    /// The status code answered.
    pub status: u16,
}

/// A static file server on 127.0.0.1 that serves one folder under a URL sub-path, the way a
/// team would host a built guide on an intranet server. Missing files get a 404 with the
/// folder's `404.html` as the body; nothing outside the folder is ever served.
pub struct StaticServer {
    addr: SocketAddr,
    prefix: String,
    stop: Arc<AtomicBool>,
    served: Arc<Mutex<Vec<Served>>>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root` under `prefix` (such as `/teams/it-guide/`) on a free port.
    pub fn start(root: &Path, prefix: &str) -> io::Result<StaticServer> {
        Self::start_with_headers(root, prefix, &[])
    }

    /// Like [`StaticServer::start`], adding `headers` (such as a `Content-Security-Policy`) to
    /// every response, the way a hardened host would.
    pub fn start_with_headers(
        root: &Path,
        prefix: &str,
        headers: &[(&str, &str)],
    ) -> io::Result<StaticServer> {
        let root = root.canonicalize()?;
        let prefix = format!("/{}/", prefix.trim_matches('/')).replace("//", "/");
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(Mutex::new(Vec::new()));
        let site = Arc::new(Site {
            root,
            headers: headers
                .iter()
                .map(|(name, value)| format!("{name}: {value}\r\n"))
                .collect(),
            prefix: prefix.clone(),
            served: Arc::clone(&served),
        });
        let stop_flag = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else {
                    continue;
                };
                let site = Arc::clone(&site);
                thread::spawn(move || {
                    let _ = site.handle(stream);
                });
            }
        });
        Ok(StaticServer {
            addr,
            prefix,
            stop,
            served,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The site's base URL, ending in `/`: `http://127.0.0.1:PORT/teams/it-guide/`.
    pub fn url(&self) -> String {
        format!("{}{}", self.origin(), self.prefix)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request answered so far, in order.
    pub fn served(&self) -> Vec<Served> {
        self.served
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Site {
    root: PathBuf,
    headers: String,
    prefix: String,
    served: Arc<Mutex<Vec<Served>>>,
}

struct Reply {
    status: u16,
    /// From the dev server's own table, so both servers agree.
    content_type: Cow<'static, str>,
    location: Option<String>,
    body: Vec<u8>,
}

impl Site {
    fn handle(&self, mut stream: TcpStream) -> io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_write_timeout(Some(Duration::from_secs(10)))?;
        let mut head = Vec::new();
        let mut chunk = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            head.extend_from_slice(&chunk[..n]);
            if head.len() > 64 * 1024 {
                return self.respond(
                    &mut stream,
                    "?",
                    "?",
                    false,
                    text_reply(431, "headers too large"),
                );
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let mut parts = head.lines().next().unwrap_or("").split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let reply = match method.as_str() {
            "GET" | "HEAD" => self.lookup(&target),
            _ => text_reply(405, "method not allowed"),
        };
        let head_only = method == "HEAD";
        self.respond(&mut stream, &method, &target, head_only, reply)
    }

    fn respond(
        &self,
        stream: &mut TcpStream,
        method: &str,
        target: &str,
        head_only: bool,
        reply: Reply,
    ) -> io::Result<()> {
        self.served
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Served {
                method: method.to_string(),
                path: target.to_string(),
                status: reply.status,
            });
        let mut out = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n",
            reply.status,
            reason(reply.status),
            reply.content_type,
            reply.body.len()
        );
        if let Some(location) = &reply.location {
            let _ = write!(out, "Location: {location}\r\n");
        }
        out.push_str(&self.headers);
        out.push_str("\r\n");
        stream.write_all(out.as_bytes())?;
        if !head_only {
            stream.write_all(&reply.body)?;
        }
        stream.flush()
    }

    fn lookup(&self, target: &str) -> Reply {
        let path = target.split(['?', '#']).next().unwrap_or("");
        if format!("{path}/") == self.prefix {
            return Reply {
                status: 301,
                content_type: "text/plain; charset=utf-8".into(),
                location: Some(self.prefix.clone()),
                body: b"moved".to_vec(),
            };
        }
        let Some(rest) = path.strip_prefix(&self.prefix) else {
            return self.not_found();
        };
        let Some(rest) = percent_decode(rest) else {
            return text_reply(400, "bad request");
        };
        let mut file = self.root.clone();
        for segment in rest.split('/') {
            match segment {
                "" | "." => {}
                ".." => return self.not_found(),
                s if s.contains(['\\', '\0']) => return self.not_found(),
                s => file.push(s),
            }
        }
        if file.is_dir() {
            if !(rest.is_empty() || rest.ends_with('/')) {
                return Reply {
                    status: 301,
                    content_type: "text/plain; charset=utf-8".into(),
                    location: Some(format!("{path}/")),
                    body: b"moved".to_vec(),
                };
            }
            file.push("index.html");
        }
        let Ok(real) = file.canonicalize() else {
            return self.not_found();
        };
        if !real.starts_with(&self.root) || !real.is_file() {
            return self.not_found();
        }
        match fs::read(&real) {
            Ok(body) => Reply {
                status: 200,
                content_type: guide::internals::content_type(&real.to_string_lossy()),
                location: None,
                body,
            },
            Err(_) => self.not_found(),
        }
    }

    fn not_found(&self) -> Reply {
        match fs::read(self.root.join("404.html")) {
            Ok(body) => Reply {
                status: 404,
                content_type: "text/html; charset=utf-8".into(),
                location: None,
                body,
            },
            Err(_) => text_reply(404, "not found"),
        }
    }
}

fn text_reply(status: u16, text: &str) -> Reply {
    Reply {
        status,
        content_type: "text/plain; charset=utf-8".into(),
        location: None,
        body: text.as_bytes().to_vec(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Unknown",
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
