//! A private X display (Xvfb) for the app's real window.

use super::process::Group;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;

pub struct Display {
    /// e.g. `:101`, for `DISPLAY`.
    pub name: String,
    _xvfb: Group,
}

impl Display {
    /// Starts Xvfb on the first free display number (`-displayfd` lets Xvfb
    /// pick it and print it, so parallel runs and other engineers' displays
    /// never collide). The screen is larger than the 1280×800 window, so the
    /// whole window is drawn and screenshots are not cropped.
    pub fn start(logs: &Path) -> Display {
        let mut command = Command::new("Xvfb");
        command.args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1440x900x24",
            "-nolisten",
            "tcp",
        ]);
        let (mut xvfb, stdout) =
            Group::spawn_reading_stdout("Xvfb", command, &logs.join("xvfb.log"));
        let mut line = String::new();
        // Xvfb writes the number once it accepts clients, or exits (EOF).
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading Xvfb's display number");
        let number = line.trim();
        if number.is_empty() {
            panic!(
                "Xvfb did not start (exit {:?}; is the Debian package xvfb installed?):\n{}",
                xvfb.exited(),
                xvfb.log_tail()
            );
        }
        Display {
            name: format!(":{number}"),
            _xvfb: xvfb,
        }
    }
}
