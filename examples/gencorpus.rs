//! Generates a large synthetic guide for benchmarks and stress tests.
//!
//! ```text
//! cargo run --release --example gencorpus -- --lessons 10000 --out /tmp/corpus [--seed 7]
//! ```
//!
//! The output is a complete guide folder (`book.toml` and `content/`) with 50 lessons per section.
//! Every lesson has front matter, headings, a list, a table, one or two code blocks that are unique
//! across the corpus, and three links to other lessons, some with anchors to headings that exist.
//! The same seed always gives the same corpus. The folder is marked with a `.gencorpus` file; a
//! non-empty folder without that marker is never touched.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;
use std::time::Instant;

const LESSONS_PER_SECTION: usize = 50;
const MARKER: &str = ".gencorpus";
const DEFAULT_SEED: u64 = 1;

const USAGE: &str = "\
usage: gencorpus --lessons N --out DIR [--seed S]

Writes a synthetic guide (book.toml + content/) with N lessons, 50 per section, into DIR.

  --lessons N   number of lessons to generate (at least 1)
  --out DIR     output folder: missing, empty, or a previous corpus (holds a .gencorpus file)
  --seed S      seed for the pseudo-random text (default 1); the same seed gives the same corpus
  -h, --help    show this help";

const TOPICS: [&str; 30] = [
    "devops",
    "agile",
    "project-management",
    "user-research",
    "vendor-management",
    "budgeting",
    "leadership",
    "operations",
    "security",
    "strategy",
    "roadmaps",
    "incident-management",
    "career",
    "cloud",
    "networking",
    "compliance",
    "hiring",
    "metrics",
    "pricing",
    "launch",
    "architecture",
    "testing",
    "support",
    "data",
    "governance",
    "risk",
    "automation",
    "onboarding",
    "analytics",
    "documentation",
];

const WORDS: &[&str] = &[
    "the",
    "team",
    "product",
    "service",
    "system",
    "budget",
    "vendor",
    "release",
    "customer",
    "roadmap",
    "incident",
    "policy",
    "network",
    "server",
    "backup",
    "contract",
    "review",
    "plan",
    "goal",
    "metric",
    "risk",
    "cost",
    "value",
    "change",
    "process",
    "support",
    "user",
    "market",
    "feature",
    "priority",
    "decision",
    "strategy",
    "platform",
    "database",
    "deployment",
    "pipeline",
    "capacity",
    "latency",
    "outage",
    "runbook",
    "alert",
    "dashboard",
    "ticket",
    "license",
    "renewal",
    "forecast",
    "quarter",
    "sprint",
    "backlog",
    "story",
    "estimate",
    "feedback",
    "interview",
    "survey",
    "experiment",
    "launch",
    "pricing",
    "partner",
    "stakeholder",
    "manager",
    "engineer",
    "designer",
    "analyst",
    "director",
    "leader",
    "owner",
    "operator",
    "developer",
    "audit",
    "control",
    "standard",
    "framework",
    "baseline",
    "target",
    "trend",
    "signal",
    "evidence",
    "insight",
    "outcome",
    "output",
    "impact",
    "effort",
    "scope",
    "schedule",
    "milestone",
    "dependency",
    "migration",
    "upgrade",
    "patch",
    "rollout",
    "rollback",
    "monitoring",
    "logging",
    "storage",
    "identity",
    "access",
    "firewall",
    "endpoint",
    "laptop",
    "cloud",
    "region",
    "cluster",
    "queue",
    "cache",
    "index",
    "report",
    "meeting",
    "workshop",
    "training",
    "hiring",
    "coaching",
    "career",
    "growth",
    "retention",
    "churn",
    "revenue",
    "margin",
    "invoice",
    "payment",
    "account",
    "segment",
    "persona",
    "journey",
    "prototype",
    "design",
    "test",
    "quality",
    "defect",
    "issue",
    "request",
    "approval",
    "exception",
    "governance",
    "compliance",
    "security",
    "privacy",
    "data",
    "model",
    "query",
    "schema",
    "version",
    "branch",
    "commit",
    "build",
    "artifact",
    "container",
    "image",
    "host",
    "node",
    "shift",
    "rotation",
    "handover",
    "escalation",
    "severity",
    "response",
    "recovery",
    "resilience",
    "continuity",
    "vision",
    "mission",
    "principle",
    "habit",
    "ritual",
    "routine",
    "weekly",
    "monthly",
    "yearly",
    "careful",
    "steady",
    "simple",
    "clear",
    "shared",
    "small",
    "large",
    "early",
    "late",
    "fast",
    "slow",
    "reliable",
    "secure",
    "honest",
    "useful",
    "practical",
    "critical",
    "internal",
    "external",
    "manual",
    "automated",
    "open",
    "closed",
    "new",
    "old",
    "first",
    "next",
    "last",
    "every",
    "each",
    "most",
    "some",
    "few",
    "many",
    "often",
    "rarely",
    "always",
    "never",
    "usually",
    "quickly",
    "slowly",
    "directly",
    "and",
    "or",
    "but",
    "with",
    "without",
    "for",
    "from",
    "into",
    "across",
    "between",
    "before",
    "after",
    "during",
    "while",
    "because",
    "when",
    "where",
    "which",
    "that",
    "this",
    "these",
    "those",
    "it",
    "they",
    "we",
    "you",
    "is",
    "are",
    "was",
    "has",
    "have",
    "can",
    "should",
    "must",
    "will",
    "may",
    "helps",
    "keeps",
    "makes",
    "needs",
    "shows",
    "takes",
    "gives",
    "builds",
];

const CODE_LANGS: [&str; 4] = ["rust", "yaml", "bash", "python"];

/// Command-line options after validation.
struct Options {
    lessons: usize,
    out: PathBuf,
    seed: u64,
}

/// A small xorshift64* generator: fast, deterministic and good enough for filler text.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64, salt: u64) -> Self {
        let mut z = seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(stream.wrapping_mul(0xBF58_476D_1CE4_E5B9))
            .wrapping_add(salt.wrapping_mul(0x94D0_49BB_1331_11EB));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn word(&mut self) -> &'static str {
        let a = self.below(WORDS.len());
        let b = self.below(WORDS.len());
        WORDS[a.min(b)]
    }

    fn noun(&mut self) -> &'static str {
        WORDS[1 + self.below(150)]
    }
}

/// A heading of a generated lesson: its level, text and the id the renderer derives from it.
struct Heading {
    level: usize,
    text: String,
    id: String,
}

/// Where one lesson lives in the corpus.
struct Place {
    section: usize,
    lesson: usize,
}

/// Digits used in file names, so that they sort in reading order.
struct Widths {
    section: usize,
    lesson: usize,
}

impl Widths {
    fn for_count(lessons: usize) -> Self {
        let sections = lessons.div_ceil(LESSONS_PER_SECTION);
        Widths {
            section: sections.to_string().len().max(3),
            lesson: lessons.to_string().len().max(4),
        }
    }

    fn section_dir(&self, section: usize) -> String {
        format!("section-{section:0w$}", w = self.section)
    }

    fn lesson_file(&self, lesson: usize) -> String {
        format!("lesson-{lesson:0w$}.md", w = self.lesson)
    }
}

fn place(lesson: usize) -> Place {
    Place {
        section: (lesson - 1) / LESSONS_PER_SECTION + 1,
        lesson,
    }
}

fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !slug.is_empty() {
                slug.push('-');
            }
            gap = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    slug
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn phrase(rng: &mut Rng, words: usize) -> String {
    let mut out = capitalize(rng.noun());
    for _ in 1..words {
        out.push(' ');
        out.push_str(rng.noun());
    }
    out
}

/// The headings of a lesson, computable on their own so that links can target them.
fn headings(seed: u64, lesson: usize) -> Vec<Heading> {
    let mut rng = Rng::new(seed, lesson as u64, 1);
    let levels = [2, 3, 2, 3, 2];
    let mut out: Vec<Heading> = Vec::with_capacity(levels.len() + 1);
    for (k, level) in levels.into_iter().enumerate() {
        let len = rng.range(2, 4);
        let mut text = phrase(&mut rng, len);
        if out.iter().any(|h| h.id == slugify(&text)) || slugify(&text) == "key-takeaways" {
            text = format!("{text} {}", k + 1);
        }
        let id = slugify(&text);
        out.push(Heading { level, text, id });
    }
    out.push(Heading {
        level: 2,
        text: "Key takeaways".to_string(),
        id: "key-takeaways".to_string(),
    });
    out
}

fn sentence(rng: &mut Rng, out: &mut String) -> usize {
    let words = rng.range(8, 18);
    let bold = if rng.chance(12) {
        rng.below(words)
    } else {
        usize::MAX
    };
    let code = if rng.chance(8) {
        rng.below(words)
    } else {
        usize::MAX
    };
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        let w = rng.word();
        if i == bold && i == 0 {
            let _ = write!(out, "**{}**", capitalize(w));
        } else if i == bold {
            let _ = write!(out, "**{w}**");
        } else if i == code {
            let _ = write!(out, "`{w}_{}`", rng.below(1000));
        } else if i == 0 {
            out.push_str(&capitalize(w));
        } else {
            out.push_str(w);
        }
    }
    out.push_str(if rng.chance(8) { "?" } else { "." });
    words
}

fn paragraph(rng: &mut Rng, out: &mut String, target_words: usize) -> usize {
    let mut words = 0;
    while words < target_words {
        if words > 0 {
            out.push(' ');
        }
        words += sentence(rng, out);
    }
    out.push_str("\n\n");
    words
}

fn link_target(rng: &mut Rng, lesson: usize, total: usize) -> usize {
    loop {
        let candidate = if rng.chance(65) {
            let lo = lesson.saturating_sub(60).max(1);
            let hi = (lesson + 60).min(total);
            rng.range(lo, hi)
        } else {
            rng.range(1, total)
        };
        if candidate != lesson {
            return candidate;
        }
    }
}

fn link(rng: &mut Rng, seed: u64, from: &Place, total: usize, widths: &Widths) -> (String, usize) {
    let target = place(link_target(rng, from.lesson, total));
    let mut href = if target.section == from.section {
        widths.lesson_file(target.lesson)
    } else {
        format!(
            "../{}/{}",
            widths.section_dir(target.section),
            widths.lesson_file(target.lesson)
        )
    };
    if rng.chance(40) {
        let heads = headings(seed, target.lesson);
        let pick = &heads[rng.below(heads.len())];
        href.push('#');
        href.push_str(&pick.id);
    }
    let words = rng.range(2, 4);
    let mut text = rng.noun().to_string();
    for _ in 1..words {
        text.push(' ');
        text.push_str(rng.noun());
    }
    (format!("[{text}]({href})"), words)
}

fn code_block(rng: &mut Rng, out: &mut String, lesson: usize, block: usize) {
    let lang = CODE_LANGS[rng.below(CODE_LANGS.len())];
    let name = rng.noun();
    let other = rng.noun();
    let a = rng.range(2, 9999);
    let b = rng.range(2, 500);
    let c = rng.range(1, 60);
    let tag = format!("{lesson}_{block}");
    let _ = writeln!(out, "```{lang}");
    match lang {
        "rust" => {
            let ty = format!("{}{}", capitalize(name), tag.replace('_', "x"));
            let _ = write!(
                out,
                "/// Keeps a running total of {name} values up to a limit.\n\
                 pub struct {ty} {{\n    entries: Vec<u64>,\n    limit: u64,\n}}\n\n\
                 impl {ty} {{\n    pub fn new(limit: u64) -> Self {{\n        \
                 Self {{ entries: Vec::new(), limit }}\n    }}\n\n    \
                 pub fn record(&mut self, value: u64) -> bool {{\n        \
                 let total: u64 = self.entries.iter().sum();\n        \
                 if total + value > self.limit {{\n            return false;\n        }}\n        \
                 self.entries.push(value);\n        true\n    }}\n}}\n\n\
                 fn main() {{\n    let mut {other}_{tag} = {ty}::new({a});\n    \
                 let accepted = (0..{c}u64).filter(|step| {other}_{tag}.record(step * {b})).count();\n    \
                 println!(\"accepted {{accepted}} of {c}\");\n}}\n"
            );
        }
        "yaml" => {
            let _ = write!(
                out,
                "service: {name}-{other}-{lesson}\nowner: {other}-team\nversion: \"{c}.{b}.{block}\"\n\
                 replicas: {}\nresources:\n  cpu: \"{}m\"\n  memory: \"{}Mi\"\n\
                 checks:\n  - name: {name}-ready\n    path: /health/{tag}\n    interval_seconds: {}\n\
                 alerts:\n  - name: {other}-latency-{tag}\n    threshold_ms: {a}\n    severity: {}\n",
                1 + c % 5,
                100 * (1 + b % 8),
                128 * (1 + a % 16),
                5 + c % 25,
                ["low", "medium", "high"][a % 3]
            );
        }
        "bash" => {
            let _ = write!(
                out,
                "#!/usr/bin/env bash\nset -euo pipefail\n\n\
                 {name}_{tag}() {{\n  local host=\"$1\"\n  \
                 for attempt in $(seq 1 {}); do\n    \
                 if curl --fail --silent --max-time {} \"https://$host/{other}/{a}\" >/dev/null; then\n      \
                 echo \"$host ok after $attempt attempts\"\n      return 0\n    fi\n    \
                 sleep {}\n  done\n  echo \"$host failed\" >&2\n  return 1\n}}\n\n\
                 for host in {other}-{}.internal {other}-{}.internal; do\n  {name}_{tag} \"$host\"\ndone\n",
                2 + c % 5,
                1 + b % 10,
                1 + a % 7,
                b,
                b + 1
            );
        }
        _ => {
            let _ = write!(
                out,
                "def {name}_{tag}(values, limit={a}):\n    \
                 \"\"\"Return the {other} totals that stay under the limit.\"\"\"\n    \
                 totals = {{}}\n    for key, value in values:\n        \
                 totals[key] = totals.get(key, 0) + value * {b}\n    \
                 return {{k: v for k, v in totals.items() if v < limit}}\n\n\n\
                 if __name__ == \"__main__\":\n    \
                 sample = [(\"{other}\", {c}), (\"{name}\", {}), (\"{other}\", {})]\n    \
                 print({name}_{tag}(sample))\n",
                c + 3,
                b % 17
            );
        }
    }
    out.push_str("```\n\n");
}

fn table(rng: &mut Rng, out: &mut String) -> usize {
    let cols = [rng.noun(), rng.noun(), rng.noun()];
    let _ = writeln!(
        out,
        "| {} | {} | {} |\n| --- | --- | ---: |",
        capitalize(cols[0]),
        capitalize(cols[1]),
        capitalize(cols[2])
    );
    let rows = rng.range(3, 5);
    for _ in 0..rows {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} |",
            rng.noun(),
            rng.noun(),
            rng.word(),
            rng.range(1, 9999)
        );
    }
    out.push('\n');
    3 + rows * 4
}

fn lesson_text(seed: u64, lesson: usize, total: usize, widths: &Widths) -> String {
    let here = place(lesson);
    let mut rng = Rng::new(seed, lesson as u64, 2);
    let heads = headings(seed, lesson);
    let mut out = String::with_capacity(6 * 1024);

    let title_len = rng.range(2, 5);
    let title = phrase(&mut rng, title_len);
    let weight = (lesson - 1) % LESSONS_PER_SECTION + 1;
    let mut topics: Vec<&str> = Vec::with_capacity(3);
    let wanted = rng.range(2, 3);
    while topics.len() < wanted {
        let t = TOPICS[rng.below(TOPICS.len())];
        if !topics.contains(&t) {
            topics.push(t);
        }
    }
    let topics = topics
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut description = String::new();
    sentence(&mut rng, &mut description);
    let description = description.replace(['*', '`'], "");
    let _ = write!(
        out,
        "+++\ntitle = \"{title} {lesson}\"\ndescription = \"{description}\"\nweight = {weight}\n\
         topics = [{topics}]\n+++\n\n"
    );

    let blocks = if rng.chance(50) { 2 } else { 1 };
    let code_after = [1, 3];
    let mut links = Vec::with_capacity(3);
    if total > 1 {
        for _ in 0..3 {
            links.push(link(&mut rng, seed, &here, total, widths));
        }
    }
    let link_sections = [0, 2, 4];
    let mut words = paragraph(&mut rng, &mut out, 60);

    for (k, head) in heads.iter().enumerate().take(heads.len() - 1) {
        let _ = writeln!(out, "{} {}\n", "#".repeat(head.level), head.text);
        words += paragraph(&mut rng, &mut out, 55);
        let slot = link_sections.iter().position(|&s| s == k);
        if let Some((link, link_words)) = slot.and_then(|slot| links.get(slot)) {
            let lead_len = rng.range(3, 6);
            let lead = phrase(&mut rng, lead_len);
            let _ = write!(out, "{lead} {link}. ");
            words += lead_len + link_words;
            words += paragraph(&mut rng, &mut out, 20);
        }
        if k == 1 {
            words += table(&mut rng, &mut out);
        }
        let block = code_after.iter().position(|&s| s == k);
        if let Some(block) = block.filter(|&b| b < blocks) {
            code_block(&mut rng, &mut out, lesson, block + 1);
        }
        if k == 2 {
            words += paragraph(&mut rng, &mut out, 40);
        }
    }

    let last = heads.last().map(|h| h.text.as_str()).unwrap_or_default();
    let _ = writeln!(out, "## {last}\n");
    let items = rng.range(4, 6);
    for _ in 0..items {
        out.push_str("- ");
        words += sentence(&mut rng, &mut out);
        out.push('\n');
    }
    out.push('\n');
    while words < 560 {
        words += paragraph(&mut rng, &mut out, 40);
    }
    out
}

fn section_index(seed: u64, section: usize) -> String {
    let mut rng = Rng::new(seed, section as u64, 3);
    let title_len = rng.range(2, 4);
    let title = phrase(&mut rng, title_len);
    let mut description = String::new();
    sentence(&mut rng, &mut description);
    let description = description.replace(['*', '`'], "");
    let mut out = format!(
        "+++\ntitle = \"Section {section}: {title}\"\ndescription = \"{description}\"\n\
         weight = {section}\n+++\n\n"
    );
    paragraph(&mut rng, &mut out, 50);
    out
}

fn root_files(opts: &Options, sections: usize) -> [(PathBuf, String); 2] {
    let mut book = format!(
        "[book]\ntitle = \"Generated guide ({} lessons)\"\n\
         description = \"A synthetic guide for benchmarks, seed {}.\"\n\
         authors = [\"gencorpus\"]\nlanguage = \"en\"\n\n\
         [build]\ncontent-dir = \"content\"\noutput-dir = \"public\"\ntheme = \"default\"\n\
         site-url = \"\"\n\n[search]\nenabled = true\n",
        opts.lessons, opts.seed
    );
    for topic in TOPICS {
        book.push_str(&format!(
            "\n[topics.{topic}]\ntitle = \"{}\"\ndescription = \"Lessons about {topic}.\"\n",
            topic.replace('-', " ")
        ));
    }
    let index = format!(
        "+++\ntitle = \"Generated guide\"\ndescription = \"{} lessons in {} sections.\"\n+++\n\n\
         This guide is synthetic text for measuring how fast a site generator works.\n",
        opts.lessons, sections
    );
    [
        (opts.out.join("book.toml"), book),
        (opts.out.join("content").join("_index.md"), index),
    ]
}

fn write_section(opts: &Options, widths: &Widths, section: usize) -> io::Result<usize> {
    let dir = opts.out.join("content").join(widths.section_dir(section));
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("_index.md"), section_index(opts.seed, section))?;
    let first = (section - 1) * LESSONS_PER_SECTION + 1;
    let last = (section * LESSONS_PER_SECTION).min(opts.lessons);
    let mut bytes = 0;
    for lesson in first..=last {
        let text = lesson_text(opts.seed, lesson, opts.lessons, widths);
        bytes += text.len();
        fs::write(dir.join(widths.lesson_file(lesson)), text)?;
    }
    Ok(bytes)
}

fn prepare_out(out: &Path) -> Result<(), String> {
    let shown = out.display();
    match fs::symlink_metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return fs::create_dir_all(out).map_err(|e| format!("cannot create {shown}: {e}"));
        }
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
        Ok(meta) if !meta.is_dir() => {
            return Err(format!("{shown} exists and is not a folder"));
        }
        Ok(_) => {}
    }
    let entries: Vec<_> = fs::read_dir(out)
        .and_then(|dir| dir.collect::<io::Result<Vec<_>>>())
        .map_err(|e| format!("cannot list {shown}: {e}"))?;
    if entries.is_empty() {
        return Ok(());
    }
    if !out.join(MARKER).is_file() {
        return Err(format!(
            "refusing to write into {shown}: it is not empty and has no {MARKER} marker \
             (it does not look like a corpus made by this tool)"
        ));
    }
    for entry in entries {
        let path = entry.path();
        let is_dir = entry
            .file_type()
            .map(|t| t.is_dir())
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let removed = if is_dir {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        removed.map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    Ok(())
}

fn generate(opts: &Options) -> Result<usize, String> {
    prepare_out(&opts.out)?;
    let marker = format!("lessons = {}\nseed = {}\n", opts.lessons, opts.seed);
    fs::write(opts.out.join(MARKER), marker).map_err(|e| format!("cannot write marker: {e}"))?;
    let widths = Widths::for_count(opts.lessons);
    let sections = opts.lessons.div_ceil(LESSONS_PER_SECTION);
    fs::create_dir_all(opts.out.join("content"))
        .map_err(|e| format!("cannot create content folder: {e}"))?;
    for (path, text) in root_files(opts, sections) {
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let workers = thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(sections);
    let results: Vec<io::Result<usize>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let widths = &widths;
                scope.spawn(move || {
                    let mut bytes = 0;
                    for section in (1 + w..=sections).step_by(workers) {
                        bytes += write_section(opts, widths, section)?;
                    }
                    Ok(bytes)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("worker panicked")))
            })
            .collect()
    });
    let mut bytes = 0;
    for result in results {
        bytes += result.map_err(|e| format!("cannot write lesson: {e}"))?;
    }
    Ok(bytes)
}

fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut lessons = None;
    let mut out = None;
    let mut seed = DEFAULT_SEED;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(None);
        }
        if !matches!(name, "--lessons" | "--out" | "--seed") {
            return Err(format!("unknown argument `{arg}`"));
        }
        let value = match inline.or_else(|| iter.next().cloned()) {
            Some(v) if !v.is_empty() => v,
            _ => return Err(format!("`{name}` needs a value")),
        };
        match name {
            "--lessons" => match value.parse::<usize>() {
                Ok(n) if n >= 1 => lessons = Some(n),
                _ => {
                    return Err(format!(
                        "`--lessons` wants a whole number >= 1, got `{value}`"
                    ));
                }
            },
            "--out" => out = Some(PathBuf::from(value)),
            _ => {
                seed = value
                    .parse()
                    .map_err(|_| format!("`--seed` wants a whole number, got `{value}`"))?;
            }
        }
    }
    match (lessons, out) {
        (Some(lessons), Some(out)) => Ok(Some(Options { lessons, out, seed })),
        (None, _) => Err("`--lessons N` is required".to_string()),
        (_, None) => Err("`--out DIR` is required".to_string()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args) {
        Ok(Some(opts)) => opts,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("gencorpus: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    match generate(&opts) {
        Ok(bytes) => {
            println!(
                "wrote {} lessons ({:.1} MB) to {} in {:.2?}",
                opts.lessons,
                bytes as f64 / 1_000_000.0,
                opts.out.display(),
                started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("gencorpus: {message}");
            ExitCode::FAILURE
        }
    }
}
