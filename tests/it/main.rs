//! The integration tests, in one test binary so that their support code compiles once. Each
//! module is what a separate test file used to be; `cargo test --test it <name>` picks tests by
//! name (a module's name selects all of its tests, e.g. `serve::`).
//!
//! All tests share one process and run on the harness's threads: a test makes its own temp
//! folders, asks for free ports and starts its own servers and browsers, and changes nothing
//! process-wide (no environment variables, no current folder).

mod support;

mod a11y;
mod a11y_journey;
mod badinput;
mod browser;
mod build;
mod course;
mod escaping;
mod fuzz_regressions;
mod glossary;
mod hosting;
mod links;
mod progress;
mod quiz;
mod relevance;
mod safety;
mod search;
mod serve;
mod serve_abuse;
mod sidebar;
mod teams;
mod validate;
