//! Output safety: `--out` (or `output-dir`) aimed at something precious is refused with exit
//! code 2 and nothing touched, and a build killed with SIGKILL at any moment leaves the output
//! folder exactly as the previous build left it or exactly as the new one makes it, never a mix.

use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{BoundedRun, Guide, Limits, Snapshot, assert_same, snapshot};

const LIMITS: Limits = Limits {
    deadline: Duration::from_secs(60),
    max_rss_kib: 512 * 1024,
};

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

/// Runs `guide build --root <root_arg> --out <out>` from `cwd` with extra environment.
fn build_from(
    guide: &Guide,
    cwd: &Path,
    root_arg: &str,
    out: &str,
    env: &[(&str, &Path)],
) -> BoundedRun {
    let mut cmd = guide.command(&["build", "--root", root_arg, "--out", out]);
    cmd.current_dir(cwd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    support::run_bounded(cmd, LIMITS)
}

/// Expects `run` to be a refusal: exit code 2, a message saying so, and `before` unchanged.
fn assert_refused(guide: &Guide, before: &Snapshot, run: &BoundedRun, what: &str) {
    let context = format!("{what}: {}\n--- stderr:\n{}", run.summary(), run.stderr);
    assert_eq!(run.code, Some(2), "not refused with exit code 2: {context}");
    assert!(
        run.stderr.contains("refusing"),
        "no refusal message: {context}"
    );
    assert!(!run.stderr.contains("panicked"), "{context}");
    assert_same(
        before,
        &guide.snapshot(),
        &format!("{what}: a refused build touched files"),
    );
}

/// Builds with `--out <out>` (from `cwd`, with `--root <root_arg>`) and expects a refusal.
fn refused_from(guide: &Guide, cwd: &Path, root_arg: &str, out: &str, env: &[(&str, &Path)]) {
    let before = guide.snapshot();
    let run = build_from(guide, cwd, root_arg, out, env);
    assert_refused(
        guide,
        &before,
        &run,
        &format!("--root {root_arg} --out {out} (from {})", cwd.display()),
    );
}

fn refused(guide: &Guide, out: &Path) {
    refused_from(
        guide,
        guide.tmp.path(),
        &guide.root_str(),
        out.to_str().expect("UTF-8 path"),
        &[],
    );
}

fn symlink_dir(target: &Path, link: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).expect("symlink");
    #[cfg(windows)]
    std::os::windows::fs::symlink_dir(target, link).expect("symlink");
}

fn path_str(path: &Path) -> String {
    path.to_str().expect("UTF-8 path").to_owned()
}

#[test]
fn out_refuses_the_content_folder_however_it_is_written() {
    let guide = Guide::fixture("minimal");
    let content = guide.path("content");
    refused(&guide, &content);
    refused(&guide, Path::new(&format!("{}/", path_str(&content))));
    refused(&guide, &guide.path("content/../content/./"));
    refused(&guide, &guide.path("content/basics"));
    refused(&guide, &guide.path("content/new-site"));
    // Relative to the working folder, as typed in a shell at the guide root.
    refused_from(&guide, &guide.root, ".", "content", &[]);
    refused_from(&guide, &guide.root, ".", "./content/", &[]);
    refused_from(&guide, &guide.path("content/basics"), "../..", "..", &[]);
    // Through a symbolic link.
    symlink_dir(&content, &guide.beside("content-link"));
    refused(&guide, &guide.beside("content-link"));
}

#[test]
fn out_refuses_the_guide_root_and_what_holds_it() {
    let guide = Guide::fixture("minimal");
    refused(&guide, &guide.root);
    refused(&guide, Path::new(&format!("{}/", guide.root_str())));
    refused(&guide, guide.tmp.path());
    refused_from(&guide, &guide.root, ".", ".", &[]);
    refused_from(&guide, &guide.root, ".", "./", &[]);
    refused_from(&guide, &guide.root, ".", "..", &[]);
    refused_from(&guide, &guide.path("content"), "..", "..", &[]);
    symlink_dir(&guide.root, &guide.beside("root-link"));
    refused(&guide, &guide.beside("root-link"));
}

/// Runs `guide build --root <root> --out <out>` from `cwd`; when the tests run as root, the
/// guide runs as `nobody`, so that a regression in the refusal cannot harm `/`.
fn build_unprivileged(guide: &Guide, cwd: &Path, out: &str) -> BoundedRun {
    let mut cmd = guide.command(&["build", "--root", &guide.root_str(), "--out", out]);
    cmd.current_dir(cwd);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        use std::os::unix::process::CommandExt;
        let owner = std::fs::metadata(guide.tmp.path()).unwrap().uid();
        if owner == 0 {
            // Let `nobody` read the guide: the temp folder is private to its owner.
            for dir in [guide.tmp.path(), guide.root.as_path()] {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            cmd.uid(65534).gid(65534);
        }
    }
    support::run_bounded(cmd, LIMITS)
}

#[test]
fn out_refuses_the_file_system_root() {
    let guide = Guide::fixture("minimal");
    let names = || -> BTreeSet<String> {
        std::fs::read_dir("/")
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let top = names();
    for out in ["/", "//", "/.", "/..", "/./", "/../.."] {
        let before = guide.snapshot();
        let run = build_unprivileged(&guide, guide.tmp.path(), out);
        assert_refused(&guide, &before, &run, &format!("--out {out}"));
        assert!(run.stderr.contains("file system root"), "{}", run.stderr);
    }
    let before = guide.snapshot();
    let run = build_unprivileged(&guide, Path::new("/"), ".");
    assert_refused(&guide, &before, &run, "--out . from /");
    assert_eq!(top, names(), "entries appeared or vanished in /");
}

#[test]
fn out_refuses_the_home_folder() {
    let guide = Guide::fixture("minimal");
    // An empty home: any other folder this empty would be accepted, so only the home rule
    // can refuse it.
    let home = guide.beside("home");
    std::fs::create_dir(&home).unwrap();
    let home_str = path_str(&home);
    let tmp = guide.tmp.path();
    let root = guide.root_str();
    for out in [
        home_str.clone(),
        format!("{home_str}/"),
        format!("{home_str}/."),
    ] {
        refused_from(&guide, tmp, &root, &out, &[("HOME", &home)]);
    }
    let with_slash = PathBuf::from(format!("{home_str}/"));
    refused_from(&guide, tmp, &root, &home_str, &[("HOME", &with_slash)]);
    refused_from(&guide, &home, &root, ".", &[("HOME", &home)]);
    symlink_dir(&home, &guide.beside("home-link"));
    refused_from(
        &guide,
        tmp,
        &root,
        &path_str(&guide.beside("home-link")),
        &[("HOME", &home)],
    );
    // HOME itself given through a link.
    refused_from(
        &guide,
        tmp,
        &root,
        &home_str,
        &[("HOME", &guide.beside("home-link"))],
    );
    let before = guide.snapshot();
    let run = build_from(&guide, tmp, &root, &home_str, &[("HOME", &home)]);
    assert_refused(&guide, &before, &run, "home");
    assert!(run.stderr.contains("home"), "{}", run.stderr);

    // A folder inside the home folder is fine.
    guide
        .run_with_env(
            &[
                "build",
                "--root",
                &root,
                "--out",
                &format!("{home_str}/site"),
            ],
            &[("HOME", &home)],
        )
        .ok();
}

#[test]
fn out_refuses_folders_holding_foreign_files() {
    let guide = Guide::fixture("minimal");
    let with_file = guide.beside("with-file");
    std::fs::create_dir(&with_file).unwrap();
    std::fs::write(with_file.join("notes.txt"), "mine, not guide's").unwrap();
    refused(&guide, &with_file);

    let only_hidden = guide.beside("only-hidden");
    std::fs::create_dir_all(only_hidden.join(".git")).unwrap();
    std::fs::write(only_hidden.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    refused(&guide, &only_hidden);

    let only_folder = guide.beside("only-folder");
    std::fs::create_dir_all(only_folder.join("empty")).unwrap();
    refused(&guide, &only_folder);

    let a_file = guide.beside("a-file.html");
    std::fs::write(&a_file, "<p>not a folder</p>").unwrap();
    refused(&guide, &a_file);

    symlink_dir(&with_file, &guide.beside("link-to-foreign"));
    refused(&guide, &guide.beside("link-to-foreign"));

    // The theme and cache folders of the guide hold files guide did not write as a site.
    guide.write(
        "themes/default/templates/partials/footer.html",
        "<footer></footer>\n",
    );
    refused(&guide, &guide.path("themes"));
    guide.build().ok();
    refused(&guide, &guide.path(".guide-cache"));

    // Controls: an empty folder is accepted, and so is guide's own output folder.
    let empty = guide.beside("empty");
    std::fs::create_dir(&empty).unwrap();
    guide.build_with(&["--out", &path_str(&empty)]).ok();
    guide.build_with(&["--out", &path_str(&empty)]).ok();
}

#[test]
fn output_dir_in_book_toml_is_checked_like_out() {
    for output_dir in [".", "./", "content", "content/site", "..", "/", "//"] {
        let guide = Guide::fixture("minimal");
        guide.append(
            "book.toml",
            &format!("\n[build]\noutput-dir = \"{output_dir}\"\n"),
        );
        let before = guide.snapshot();
        let mut cmd = guide.command(&["build", "--root", &guide.root_str()]);
        cmd.current_dir(guide.tmp.path());
        let run = support::run_bounded(cmd, LIMITS);
        assert_refused(
            &guide,
            &before,
            &run,
            &format!("output-dir = {output_dir:?}"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// SIGKILL at random moments
// ---------------------------------------------------------------------------------------------

/// A generated guide of `SECTIONS` × `PER_SECTION` lessons. `version` changes the book's title
/// (on every page), one lesson's title and one code block, so that the two versions differ in
/// nearly every output file and the highlight cache is rewritten by each build.
const SECTIONS: usize = 6;
const PER_SECTION: usize = 50;
const TOPICS: [&str; 8] = [
    "devops",
    "agile",
    "budgeting",
    "security",
    "leadership",
    "roadmaps",
    "metrics",
    "vendors",
];
const WORDS: [&str; 16] = [
    "team", "budget", "vendor", "release", "customer", "roadmap", "incident", "policy", "risk",
    "metric", "sprint", "contract", "service", "backlog", "outage", "review",
];

fn write_corpus(guide: &Guide) {
    guide.write(
        "content/_index.md",
        "+++\ntitle = \"Kill test\"\n+++\n\nStart with [the first lesson](s0/l000.md).\n",
    );
    for s in 0..SECTIONS {
        guide.write(
            &format!("content/s{s}/_index.md"),
            format!("+++\ntitle = \"Section {s}\"\nweight = {s}\n+++\n\nSection {s}.\n"),
        );
        for l in 0..PER_SECTION {
            let n = s * PER_SECTION + l;
            guide.write(&format!("content/s{s}/l{n:03}.md"), lesson(n));
        }
    }
}

fn lesson(n: usize) -> String {
    let total = SECTIONS * PER_SECTION;
    let word = |k: usize| WORDS[(n * 7 + k * 3) % WORDS.len()];
    let next = (n + 1) % total;
    let prev = (n + total - 1) % total;
    let path = |m: usize| format!("../s{}/l{m:03}.md", m / PER_SECTION);
    let mut text = format!(
        "+++\ntitle = \"Lesson {n}: the {} {}\"\ndescription = \"About the {} of lesson {n}.\"\n\
         weight = {n}\ntopics = [\"{}\", \"{}\"]\n+++\n\n",
        word(0),
        word(1),
        word(2),
        TOPICS[n % TOPICS.len()],
        TOPICS[(n / 3) % TOPICS.len()],
    );
    for h in 0..3 {
        text.push_str(&format!("## Part {h} of {n}\n\n"));
        for p in 0..3 {
            let sentence: Vec<&str> = (0..24).map(|k| word(h * 31 + p * 7 + k)).collect();
            text.push_str(&sentence.join(" "));
            text.push_str(".\n\n");
        }
    }
    text.push_str(&format!(
        "Read [the next lesson]({}#part-0-of-{next}) or [the previous one]({}).\n\n",
        path(next),
        path(prev)
    ));
    text.push_str(&format!(
        "```rust\nfn lesson_{n}() -> usize {{\n    let total = {n} * 2;\n    total + 1\n}}\n```\n"
    ));
    text
}

/// Switches the corpus to version `v` (`'A'` or `'B'`).
fn set_version(guide: &Guide, v: char) {
    let mut book = format!("[book]\ntitle = \"Kill test, version {v}\"\n");
    for t in TOPICS {
        book.push_str(&format!("\n[topics.{t}]\ntitle = \"Topic {t}\"\n"));
    }
    guide.write("book.toml", book);
    let mut first = lesson(0);
    first = first.replacen(
        "title = \"Lesson 0",
        &format!("title = \"Lesson 0 ({v})"),
        1,
    );
    first.push_str(&format!(
        "\n```python\ndef version():\n    return \"{v}\"\n```\n"
    ));
    guide.write("content/s0/l000.md", first);
}

/// A small deterministic generator (xorshift64*), seeded from `GUIDE_KILL_SEED` or the clock.
struct Rng(u64);

impl Rng {
    fn seeded() -> (Rng, u64) {
        let seed = std::env::var("GUIDE_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        (Rng(seed.max(1)), seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A duration in `0..=max`.
    fn delay(&mut self, max: Duration) -> Duration {
        let micros = max.as_micros().max(1) as u64;
        Duration::from_micros(self.next() % (micros + 1))
    }
}

fn build_cmd(guide: &Guide, out: &Path) -> Command {
    let mut cmd = guide.command(&[
        "build",
        "--root",
        &guide.root_str(),
        "--out",
        &path_str(out),
    ]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// A complete build into `out`; returns how long it took.
fn full_build(guide: &Guide, out: &Path) -> Duration {
    let started = Instant::now();
    let run = support::run_bounded(
        guide.command(&[
            "build",
            "--root",
            &guide.root_str(),
            "--out",
            &path_str(out),
        ]),
        LIMITS,
    );
    assert_eq!(run.code, Some(0), "{}\n{}", run.summary(), run.stderr);
    started.elapsed()
}

/// The names beside the output folder (in the temp folder), minus the guide.
fn beside(guide: &Guide) -> BTreeSet<String> {
    std::fs::read_dir(guide.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "guide")
        .collect()
}

/// Which reference build `now` is, or a panic listing how it differs from both.
fn which(now: &Snapshot, a: &Snapshot, b: &Snapshot, what: &str) -> char {
    if now == a {
        return 'A';
    }
    if now == b {
        return 'B';
    }
    let differ = |r: &Snapshot| {
        let keys: BTreeSet<&String> = r.keys().chain(now.keys()).collect();
        keys.into_iter()
            .filter(|k| r.get(*k) != now.get(*k))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (da, db) = (differ(a), differ(b));
    panic!(
        "{what}: the output folder is neither the old site nor the new one: {} paths differ \
         from A (first: {:?}), {} from B (first: {:?})",
        da.len(),
        &da[..da.len().min(5)],
        db.len(),
        &db[..db.len().min(5)]
    );
}

/// Whether `name`, found beside the output folder `out`, is one of the hidden folders the
/// README allows there.
fn allowed_beside(name: &str, out: &str) -> bool {
    name == out
        || name == format!(".{out}.previous")
        || name
            .strip_prefix(&format!(".{out}.staging-"))
            .is_some_and(|pid| !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()))
}

/// A generated guide with its two reference sites, for killing builds of it.
struct KillBench {
    guide: Guide,
    out: PathBuf,
    a: Snapshot,
    b: Snapshot,
    /// Kill delays are drawn from `0..=window`: a little longer than a whole build.
    window: Duration,
    rng: Rng,
    seed: u64,
    /// What the output folder holds now: `'A'` or `'B'`.
    state: char,
}

impl KillBench {
    /// The corpus, and each version built twice (the second time through the reused previous
    /// folder) to be sure a build is reproducible before comparing against it.
    fn new() -> KillBench {
        let guide = Guide::empty();
        write_corpus(&guide);
        let out = guide.beside("site");
        set_version(&guide, 'A');
        full_build(&guide, &out);
        let a = snapshot(&out);
        set_version(&guide, 'B');
        full_build(&guide, &out);
        let b = snapshot(&out);
        set_version(&guide, 'A');
        let t1 = full_build(&guide, &out);
        assert_same(&a, &snapshot(&out), "two builds of version A differ");
        set_version(&guide, 'B');
        let t2 = full_build(&guide, &out);
        assert_same(&b, &snapshot(&out), "two builds of version B differ");
        let changed = a.iter().filter(|(k, v)| b.get(*k) != Some(v)).count();
        assert!(
            changed * 2 > a.len(),
            "versions A and B should differ in most files ({changed} of {})",
            a.len()
        );
        let (rng, seed) = Rng::seeded();
        let window = t1.max(t2).mul_f64(1.2);
        println!(
            "{} files per site; builds take about {:?}; kill delays in 0..={window:?}; \
             GUIDE_KILL_SEED={seed}",
            a.len(),
            t1.max(t2)
        );
        KillBench {
            guide,
            out,
            a,
            b,
            window,
            rng,
            seed,
            state: 'B',
        }
    }

    /// Starts a build of version `target`, kills it after `delay` unless it has finished, and
    /// checks that the output folder is then exactly the site it held before or the new one.
    /// Returns whether the kill interrupted a running build.
    fn kill_after(&mut self, i: usize, target: char, delay: Duration) -> bool {
        set_version(&self.guide, target);
        let mut child = build_cmd(&self.guide, &self.out)
            .spawn()
            .expect("spawn guide");
        std::thread::sleep(delay);
        let running = child.try_wait().expect("try_wait").is_none();
        if running {
            child.kill().expect("SIGKILL the build");
        }
        let status = child.wait().expect("reap the build");
        let what = format!(
            "kill {i} after {delay:?} ({status}), {} → {target}, GUIDE_KILL_SEED={}",
            self.state, self.seed
        );
        assert!(running || status.success(), "{what}: the build failed");
        let now = which(&snapshot(&self.out), &self.a, &self.b, &what);
        assert!(
            now == self.state || now == target,
            "{what}: the output is version {now}, which neither the previous nor this build made"
        );
        self.state = now;
        for name in beside(&self.guide) {
            assert!(
                allowed_beside(&name, "site"),
                "{what}: unexpected `{name}` beside the output"
            );
        }
        running
    }

    /// A complete build of `target`, which must give exactly its reference site.
    fn complete(&mut self, target: char) {
        set_version(&self.guide, target);
        full_build(&self.guide, &self.out);
        let reference = if target == 'A' { &self.a } else { &self.b };
        assert_same(
            reference,
            &snapshot(&self.out),
            &format!("a complete build of {target} after killed ones"),
        );
        self.state = target;
    }

    /// The staging folders beside the output folder.
    fn staging_folders(&self) -> Vec<String> {
        beside(&self.guide)
            .into_iter()
            .filter(|n| n.starts_with(".site.staging-"))
            .collect()
    }
}

#[test]
fn sigkill_at_random_moments_leaves_the_old_site_or_the_new_one() {
    const KILLS: usize = 40;
    const FIRST_BUILD_KILLS: usize = 8;

    let mut bench = KillBench::new();
    let mut interrupted = 0;
    for i in 0..KILLS {
        let target = if bench.rng.next() % 2 == 0 { 'A' } else { 'B' };
        let delay = bench.rng.delay(bench.window);
        if bench.kill_after(i, target, delay) {
            interrupted += 1;
        }
    }
    println!(
        "{interrupted} builds killed mid-way, {} had finished",
        KILLS - interrupted
    );
    assert!(
        interrupted * 2 >= KILLS,
        "only {interrupted} of {KILLS} kills landed during a build: the delays are mistuned"
    );

    // A build after all that is complete and removes what the killed builds left.
    bench.complete('B');
    let left = bench.staging_folders();
    assert!(left.is_empty(), "staging folders left behind: {left:?}");

    // Killed during a first build: no output folder at all, or the whole new one.
    let guide = &bench.guide;
    let fresh = guide.beside("fresh");
    for i in 0..FIRST_BUILD_KILLS {
        let target = if i % 2 == 0 { 'A' } else { 'B' };
        set_version(guide, target);
        for name in beside(guide) {
            if allowed_beside(&name, "fresh") {
                std::fs::remove_dir_all(guide.beside(&name)).unwrap();
            }
        }
        let delay = bench.rng.delay(bench.window);
        let mut child = build_cmd(guide, &fresh).spawn().expect("spawn guide");
        std::thread::sleep(delay);
        if child.try_wait().expect("try_wait").is_none() {
            child.kill().expect("SIGKILL the build");
        }
        let status = child.wait().expect("reap the build");
        let what = format!(
            "first-build kill {i} after {delay:?} ({status}), GUIDE_KILL_SEED={}",
            bench.seed
        );
        if fresh.exists() {
            let now = which(&snapshot(&fresh), &bench.a, &bench.b, &what);
            assert_eq!(now, target, "{what}: an old version appeared");
        }
    }
}

// A build killed while it removes a stale staging folder, or just after it created a fresh one,
// once left a `.site.staging-<pid>` folder without the marker that no later build removed.
// Kill a build mid-way (a staging folder with many files), then kill the next one within a few
// milliseconds of its start, then build: no staging folder may stay.
#[test]
fn killed_builds_leave_no_staging_folders_behind() {
    const ROUNDS: u32 = 40;
    let mut bench = KillBench::new();
    let build = bench.window.div_f64(1.2);
    for round in 0..ROUNDS {
        let target = if round % 2 == 0 { 'A' } else { 'B' };
        // Late: leaves a staging folder full of pages (with its marker).
        let i = 2 * round as usize;
        bench.kill_after(i, target, build.mul_f64(0.8));
        // Early, sweeping the moments when the next build clears that folder away and makes
        // its own (about a third of the way into a build).
        let early = build.mul_f64(0.2 + 0.4 * f64::from(round) / f64::from(ROUNDS));
        bench.kill_after(i + 1, target, early);
        bench.complete(target);
        let left = bench.staging_folders();
        assert!(
            left.is_empty(),
            "round {round}: after a complete build, killed builds' staging folders remain: \
             {left:?} (second kill after {early:?})"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Writing failures
// ---------------------------------------------------------------------------------------------

#[cfg(target_os = "linux")]
mod full_disk {
    //! A disk that fills up mid-build, made by limiting the size of the files the build may
    //! write (RLIMIT_FSIZE, with SIGXFSZ ignored so that a write past it fails with EFBIG, as a
    //! write to a full disk fails with ENOSPC).

    use std::os::unix::process::CommandExt;
    use std::process::Command;

    unsafe extern "C" {
        fn setrlimit(resource: i32, limit: *const [u64; 2]) -> i32;
        fn signal(signum: i32, handler: usize) -> usize;
    }

    const RLIMIT_FSIZE: i32 = 1;
    const SIGXFSZ: i32 = 25;
    const SIG_IGN: usize = 1;

    /// Makes every file `cmd` writes fail past `bytes`.
    pub fn limit_file_size(cmd: &mut Command, bytes: u64) {
        // SAFETY: the closure runs in the child between fork and exec and only calls
        // setrlimit(2) and signal(2), both async-signal-safe; it touches no memory of the parent.
        unsafe {
            cmd.pre_exec(move || {
                signal(SIGXFSZ, SIG_IGN);
                if setrlimit(RLIMIT_FSIZE, &[bytes, bytes]) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
}

/// A build that cannot write its files stops at the first failure and says so once, naming the
/// output folder and the cause; the previous site stays as it was.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_once_and_the_previous_site_kept() {
    let guide = Guide::fixture("course");
    guide.build().ok();
    let out = guide.path("public");
    let before = snapshot(&out);
    let mut cmd = guide.command(&["build", "--root", &guide.root_str()]);
    full_disk::limit_file_size(&mut cmd, 4 * 1024);
    let run = cmd.output().expect("run guide");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.matches("error:").count(),
        1,
        "one error expected:\n{stderr}"
    );
    assert!(stderr.contains("cannot write the site"), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(stderr.contains(&out.display().to_string()), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_same(&before, &snapshot(&out), "a failed build touched the site");
}
