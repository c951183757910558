//! The `guide` command line: thin glue over the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, Parser, Subcommand};
use guide::Cleaned;
use guide::diagnostics::Diagnostic;
use guide::{BuildOptions, Failure, Outcome};

#[derive(Parser)]
#[command(
    name = "guide",
    version = env!("GUIDE_VERSION"),
    about = "Build learning guides into static sites"
)]
struct Cli {
    /// Print per-stage timings.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Each problem with its source line, on stderr.
    Human,
    /// One JSON object per problem and line, for editors and scripts.
    Json,
    /// GitHub Actions annotations (`::error file=…,line=…::…`), shown on a pull request's lines.
    Github,
    /// A GitLab code quality report (a JSON array), shown on the merge request's lines.
    Gitlab,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build {
        /// The guide's root folder (with book.toml).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: book.toml's output-dir).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Include lessons marked `draft = true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Serve the guide with live reload while you write.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Address to listen on; anything but a loopback address makes the preview public.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
        #[arg(long)]
        drafts: bool,
    },
    /// Check everything a build checks, writing nothing.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long)]
        drafts: bool,
        /// How to report problems.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Write the report to FILE instead of stdout, and print the problems on stderr as
        /// `human` does (for CI: a report artifact and a readable log).
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Remove what guide made: the output folder (only if guide's marker is in it), the previous
    /// output kept beside it and the highlight cache.
    Clean {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: book.toml's output-dir).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print a shell completion script, e.g. `guide completions bash > /etc/bash_completion.d/guide`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Create a new guide, ready to build.
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Create a new lesson: `guide new <section>/<slug>` (and the section, if it is new).
    New {
        /// Section folder and file name, e.g. it-management/vendor-management.
        lesson: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let code = match cli.command {
        Command::Build { root, out, drafts } => run_build(
            BuildOptions {
                root,
                out,
                drafts,
                write: true,
                progress: true,
            },
            cli.verbose,
            color,
        ),
        Command::Check {
            root,
            drafts,
            format,
            output,
            deny_warnings,
        } => run_check(
            BuildOptions {
                root,
                out: None,
                drafts,
                write: false,
                progress: format == Format::Human,
            },
            format,
            output,
            deny_warnings,
            cli.verbose,
            color,
        ),
        Command::Clean { root, out } => run_clean(&root, out.as_deref(), color),
        Command::Completions { shell } => {
            let mut cli = Cli::command();
            clap_complete::generate(shell, &mut cli, "guide", &mut std::io::stdout());
            0
        }
        Command::Serve {
            root,
            bind,
            port,
            open,
            drafts,
        } => match guide::serve(guide::ServeOptions {
            root,
            bind,
            port,
            open,
            drafts,
        }) {
            Ok(()) => 0,
            Err(Failure::Guide(diags)) => {
                print_all(&diags, color);
                1
            }
            Err(failure @ Failure::Usage(_)) => {
                if let Failure::Usage(message) = &failure {
                    eprintln!("error: {message}");
                }
                failure.exit_code() as u8
            }
        },
        Command::Init { dir } => match guide::init(&dir) {
            Ok(files) => {
                for f in files {
                    eprintln!("created {}", f.display());
                }
                eprintln!("next: guide build --root {}", dir.display());
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
        Command::New {
            lesson,
            title,
            root,
        } => match guide::new_lesson(&root, &lesson, title.as_deref()) {
            Ok(made) => {
                for (index, title) in made.sections {
                    eprintln!("created section {} (titled {title:?})", index.display());
                }
                eprintln!("created {}", made.lesson.display());
                0
            }
            Err(d) => {
                eprint!("{}", d.render(color));
                1
            }
        },
    };
    ExitCode::from(code)
}

fn run_build(opts: BuildOptions, verbose: bool, color: bool) -> u8 {
    let started = Instant::now();
    let writing = opts.write;
    match guide::build(&opts) {
        Ok(outcome) => {
            print_all(&outcome.warnings, color);
            report(&outcome, writing, started, verbose);
            0
        }
        Err(Failure::Guide(diags)) => {
            print_all(&diags, color);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            let warnings = diags.len() - errors;
            eprintln!(
                "{}: {errors} error{} and {warnings} warning{}; nothing was written",
                if writing {
                    "build failed"
                } else {
                    "check failed"
                },
                plural(errors),
                plural(warnings)
            );
            1
        }
        Err(failure @ Failure::Usage(_)) => {
            if let Failure::Usage(message) = &failure {
                eprintln!("error: {message}");
            }
            failure.exit_code() as u8
        }
    }
}

fn run_check(
    opts: BuildOptions,
    format: Format,
    output: Option<PathBuf>,
    deny_warnings: bool,
    verbose: bool,
    color: bool,
) -> u8 {
    if format == Format::Human && output.is_some() {
        eprintln!("error: --output needs --format json, github or gitlab");
        return 2;
    }
    if format == Format::Human && !deny_warnings {
        return run_build(opts, verbose, color);
    }
    let started = Instant::now();
    let prefix = guide::report::prefix(&opts.root);
    let (diags, failed, usage) = match guide::build(&opts) {
        Ok(outcome) => {
            let warned = !outcome.warnings.is_empty();
            (outcome.warnings, deny_warnings && warned, false)
        }
        Err(Failure::Guide(diags)) => (diags, true, false),
        Err(Failure::Usage(message)) => (vec![Diagnostic::error("", message)], true, true),
    };
    let text = match format {
        Format::Human => String::new(),
        Format::Json => guide::report::json_lines(&diags),
        Format::Github => guide::report::github(&diags, &prefix),
        Format::Gitlab => guide::report::gitlab(&diags, &prefix),
    };
    // People read stderr unless the report has stdout to itself; even then, what a GitLab report
    // cannot hold (a problem without a file) is shown there.
    let for_people = format == Format::Human || output.is_some();
    for d in &diags {
        if for_people || (format == Format::Gitlab && d.file.is_empty()) {
            eprintln!("{}", d.render(color));
        }
    }
    if for_people {
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let warnings = diags.len() - errors;
        eprintln!(
            "{}: {errors} error{}, {warnings} warning{} in {} ms",
            if failed {
                "check failed"
            } else {
                "check passed"
            },
            plural(errors),
            plural(warnings),
            started.elapsed().as_millis()
        );
    }
    let written = match &output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .write_all(text.as_bytes())
                .map_err(|e| format!("cannot write the report: {e}"))
        }
    };
    if let Err(message) = written {
        eprintln!("error: {message}");
        return 2;
    }
    match (usage, failed) {
        (true, _) => 2,
        (false, true) => 1,
        (false, false) => 0,
    }
}

fn run_clean(root: &std::path::Path, out: Option<&std::path::Path>, color: bool) -> u8 {
    match guide::clean(root, out) {
        Ok(done) => {
            let mut kept = false;
            for item in &done {
                match item {
                    Cleaned::Removed(dir, what) => {
                        eprintln!("removed {} ({what})", dir.display());
                    }
                    Cleaned::Kept(dir, why) => {
                        kept = true;
                        eprintln!("kept {}: {why}", dir.display());
                    }
                }
            }
            if done.is_empty() {
                eprintln!("nothing to clean");
            }
            u8::from(kept)
        }
        Err(d) => {
            eprint!("{}", d.render(color));
            1
        }
    }
}

fn print_all(diags: &[Diagnostic], color: bool) {
    for d in diags {
        eprintln!("{}", d.render(color));
    }
}

fn report(outcome: &Outcome, writing: bool, started: Instant, verbose: bool) {
    let ms = started.elapsed().as_millis();
    let warnings = outcome.warnings.len();
    let warned = if warnings > 0 {
        format!(", {warnings} warning{}", plural(warnings))
    } else {
        String::new()
    };
    match &outcome.out {
        Some(out) if writing => eprintln!(
            "built {} pages ({} files) into {} in {ms} ms{warned}",
            outcome.pages,
            outcome.files,
            out.display()
        ),
        _ => eprintln!(
            "checked {} pages in {ms} ms: no errors{warned}",
            outcome.pages
        ),
    }
    if verbose {
        for (stage, time, peak) in &outcome.timings {
            let peak = peak.map_or(String::new(), |kb| format!("  (peak {} MB)", kb / 1024));
            eprintln!(
                "  {stage:<12} {:>8.1} ms{peak}",
                time.as_secs_f64() * 1000.0
            );
        }
        let (hits, misses) = outcome.cache;
        eprintln!("  highlight cache: {hits} hits, {misses} misses");
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
