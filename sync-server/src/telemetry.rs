//! Logging setup. Request spans carry the route template, never the raw URI,
//! whose query string may hold patient names typed into a search box.

use crate::config::LogSettings;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init(settings: &LogSettings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.filter));
    // Colour codes only for a person at a terminal, not in log files.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    // A second init (tests build many servers in one process) is harmless.
    let _ = if settings.format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
