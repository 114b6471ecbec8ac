// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    match clinic_desk::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("clinic-desk: {error}");
            ExitCode::FAILURE
        }
    }
}
