use std::path::Path;

/// Commands the UI may call. Each must also be granted in `capabilities/`
/// (`allow-<command-with-dashes>`), or the IPC layer refuses it.
const COMMANDS: &[&str] = &[
    "app_info",
    "session_state",
    "sign_in",
    "switch_clinic",
    "sign_out",
    "sync_status",
    "sync_now",
    "agenda",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "check_in",
    "mark_no_show",
    "complete_appointment",
    "search_patients",
    "patient",
    "register_patient",
    "update_patient",
    "archive_patient",
    "doctors",
    "create_doctor",
    "update_doctor",
    "set_working_hours",
    "add_time_off",
    "remove_time_off",
    "rooms",
    "create_room",
    "update_room",
    "staff",
    "change_role",
    "remove_staff",
    "invitations",
    "invite",
    "revoke_invitation",
    "clinic_settings",
    "update_clinic_settings",
    "conflicts",
    "resolve_conflict",
    "settings",
    "update_settings",
];

/// Built by `npm run build` in `ui/`; gitignored.
const UI_DIST: &str = "../ui/dist";

fn main() {
    ensure_ui_dist();
    println!("cargo:rerun-if-changed=capabilities");

    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS))
        .codegen(tauri_build::CodegenContext::new());
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}

/// The context embeds `ui/dist` and fails if it is missing. So that `cargo build`,
/// `clippy` and `test` work in a fresh clone before the UI is built, put a
/// placeholder page there; `npm run build` replaces it (Vite empties the folder).
fn ensure_ui_dist() {
    let dist = Path::new(UI_DIST);
    if dist.join("index.html").exists() {
        return;
    }
    let page = "<!doctype html><meta charset=\"utf-8\"><title>Clinic Desk</title>\
                <p>The UI is not built. Run <code>npm run build</code> in <code>ui/</code> \
                (or <code>./scripts/run-app.sh</code>) and rebuild.</p>\n";
    if let Err(error) =
        std::fs::create_dir_all(dist).and_then(|()| std::fs::write(dist.join("index.html"), page))
    {
        panic!("cannot write placeholder {UI_DIST}/index.html: {error}");
    }
}
