//! Where notices go: the desktop's notification server, or a recorder in
//! tests.

use super::plan::Notice;

pub trait Sink: Send + Sync {
    /// Shows `notice`; the error says why it could not be shown.
    fn show(&self, notice: &Notice) -> Result<(), String>;
}

/// The freedesktop notification server (D-Bus) via notify-rust. Blocking:
/// call it off the async runtime.
pub struct Desktop;

impl Sink for Desktop {
    fn show(&self, notice: &Notice) -> Result<(), String> {
        notify_rust::Notification::new()
            .appname("Clinic Desk")
            .summary(&notice.summary)
            .body(&notice.body)
            .show()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
