//! WebKitGTK settings for the main window that cost the user nothing: the
//! app is one page served from the binary, so WebKit's caches for browsing
//! (decoded resources of other pages, the back-forward page cache) only hold
//! memory.

use tauri::{App, Manager, Runtime};

/// Applies the settings to the main window's webview, when there is one.
pub fn lighten<R: Runtime>(app: &App<R>) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    if let Err(error) = window.with_webview(|webview| platform::lighten(&webview)) {
        tracing::warn!("cannot tune the webview: {error}");
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use tauri::webview::PlatformWebview;
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };

    pub fn lighten(webview: &PlatformWebview) {
        let view = webview.inner();
        if let Some(context) = view.context() {
            // A document viewer: no memory cache of other pages' resources.
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(settings) = WebViewExt::settings(&view) {
            // There is no "back" to another page in a one-page app.
            settings.set_enable_page_cache(false);
            // Forms, lists and a calendar draw fine on the CPU; GPU
            // compositing layers cost about 65 MiB more (PSS on the sign-in
            // page under Xvfb, 233 against 167 MiB) and are the usual cause
            // of blank WebKitGTK windows on Linux drivers.
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    pub fn lighten(_webview: &tauri::webview::PlatformWebview) {}
}
