//! Writes `ui/src/bindings.ts` from the commands and events in src-tauri.

use std::process::ExitCode;

fn main() -> ExitCode {
    let path = clinic_desk::bindings::committed_path();
    match clinic_desk::bindings::generate()
        .and_then(|text| std::fs::write(&path, text).map_err(|e| e.to_string()))
    {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("export-bindings: {error}");
            ExitCode::FAILURE
        }
    }
}
