//! The integration tests, built as one binary (as ripgrep does): one link step instead of one per file, and one
//! shared store fixture. Each module is a file of `tests/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs,
    unreachable_pub
)]

mod common;

mod browser;
mod cli;
mod consumers;
mod crash;
mod graph;
mod hostile;
mod knowledge;
mod layers;
mod named_queries;
mod properties;
mod scale;
mod search;
mod server;
mod standards;
mod time;
mod views;
