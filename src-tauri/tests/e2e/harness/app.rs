//! The real desktop app in a real window, driven over WebDriver: tauri-driver
//! (own port) in front of WebKitWebDriver (own native port), one W3C session
//! per app launch. Waits poll with a deadline and fail with what they waited
//! for, never sleep blindly.

use super::process::Group;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Default wait for something to appear on screen. Generous: a debug build on
/// two busy cores.
pub const WAIT: Duration = Duration::from_secs(20);

/// Longest a single WebDriver command may take. WebDriver has no timeout of
/// its own for commands: a page whose main thread is stuck would hang the
/// test instead of failing it.
const COMMAND_LIMIT: Duration = Duration::from_secs(30);

/// Awaits one WebDriver command, failing with `what` if the app does not
/// answer within [`COMMAND_LIMIT`].
pub async fn answer<T>(what: &str, command: impl Future<Output = T>) -> T {
    tokio::time::timeout(COMMAND_LIMIT, command)
        .await
        .unwrap_or_else(|_| {
            panic!("{what}: the app did not answer within {COMMAND_LIMIT:?} (page busy?)")
        })
}

/// What the app process gets in its environment (through tauri-driver and
/// WebKitWebDriver, which pass theirs on).
pub struct AppEnv {
    pub display: String,
    pub bus_address: String,
    pub xdg_runtime_dir: PathBuf,
    pub xdg_data_home: PathBuf,
    /// `CLINIC_DESK_DATA_DIR`: this desk's stores and session.
    pub data_dir: PathBuf,
    /// The app binary to run (see [`pin_app_binary`]).
    pub binary: PathBuf,
}

/// Hard-links (or copies) the app binary into `dir` and returns the pinned
/// path: the one cargo built with these tests, or `CLINIC_E2E_APP` (e.g. a
/// release build, for the benchmarks). The target folder is shared with other
/// checkouts whose builds replace `debug/clinic-desk`; cargo writes a new file
/// rather than rewriting the old one, so the link keeps this build for the
/// whole scenario.
pub fn pin_app_binary(dir: &Path) -> PathBuf {
    let built = std::env::var_os("CLINIC_E2E_APP").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_clinic-desk")),
        PathBuf::from,
    );
    let built = built.as_path();
    let pinned = dir.join("clinic-desk");
    if std::fs::hard_link(built, &pinned).is_err() {
        std::fs::copy(built, &pinned)
            .unwrap_or_else(|e| panic!("copying {} to {}: {e}", built.display(), pinned.display()));
    }
    pinned
}

pub struct App {
    client: Option<Client>,
    driver: Group,
}

/// A free loopback port (the OS picks it; it stays free until we bind it in
/// practice, as nothing else asks for that exact number in between).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return path.into();
    }
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|home| home.join("bin/tauri-driver"));
    match in_cargo_home {
        Some(path) if path.is_file() => path,
        // Else whatever PATH has; spawning says so if nothing.
        _ => "tauri-driver".into(),
    }
}

impl App {
    /// Starts tauri-driver and opens the app in a new session; returns once
    /// the session exists (the window is up and its page is loading).
    pub async fn launch(env: &AppEnv, logs: &Path, launch_number: u32) -> App {
        let port = free_port();
        let native_port = loop {
            let p = free_port();
            if p != port {
                break p;
            }
        };
        std::fs::create_dir_all(&env.data_dir).expect("app data dir");
        let mut command = Command::new(tauri_driver());
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &env.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &env.bus_address)
            .env("XDG_RUNTIME_DIR", &env.xdg_runtime_dir)
            .env("XDG_DATA_HOME", &env.xdg_data_home)
            .env("CLINIC_DESK_DATA_DIR", &env.data_dir)
            // No accessibility bus on the test session: silence GTK's search for it.
            .env("NO_AT_BRIDGE", "1")
            .env_remove("WAYLAND_DISPLAY")
            // The tests type the server address themselves.
            .env_remove("CLINIC_DESK_SERVER");
        let mut driver = Group::spawn(
            "tauri-driver",
            command,
            &logs.join(format!("driver-{launch_number}.log")),
        );

        // tauri-driver starts WebKitWebDriver beside itself: a session asked
        // for before that one listens is refused (seen on a loaded machine).
        let listening = |p: u16| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok();
        let deadline = Instant::now() + Duration::from_secs(15);
        while !(listening(port) && listening(native_port)) {
            if let Some(status) = driver.exited() {
                panic!(
                    "tauri-driver exited at start ({status}); install it with \
                     `cargo install tauri-driver --locked` (scripts/lib/deps.sh does):\n{}",
                    driver.log_tail()
                );
            }
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port} and {native_port}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }

        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": env.binary }),
        );
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .unwrap_or_else(|_| panic!("no WebDriver session within 60 s:\n{}", driver.log_tail()))
        .unwrap_or_else(|e| {
            panic!(
                "opening the app over WebDriver failed: {e}\n{}",
                driver.log_tail()
            )
        });
        App {
            client: Some(client),
            driver,
        }
    }

    /// tauri-driver's pid: the app and its WebKit processes run under it.
    pub fn driver_pid(&self) -> u32 {
        self.driver.pid()
    }

    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("the app is open")
    }

    /// Ends the session (closing the app) and stops the drivers.
    pub async fn quit(mut self) {
        if let Some(client) = self.client.take() {
            // A session that is already broken cannot be closed; the process
            // group is stopped either way.
            let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        }
        self.driver.stop();
    }

    /// Polls `probe` until it gives a value, failing after `timeout` with
    /// `what` and the last error seen.
    pub async fn poll<T, F, Fut>(&self, what: &str, timeout: Duration, mut probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>, String>>,
    {
        let deadline = Instant::now() + timeout;
        let mut last = String::from("nothing yet");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(probed) = tokio::time::timeout(left.max(Duration::from_secs(1)), probe()).await
            else {
                panic!("waited {timeout:?} for {what}: the app stopped answering (page busy?)");
            };
            match probed {
                Ok(Some(value)) => return value,
                Ok(None) => {}
                Err(e) => last = e,
            }
            if Instant::now() >= deadline {
                panic!("waited {timeout:?} for {what}; last seen: {last}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The first displayed element matching `css`, waiting for it.
    pub async fn find(&self, css: &str) -> Element {
        self.find_within(css, WAIT).await
    }

    pub async fn find_within(&self, css: &str, timeout: Duration) -> Element {
        let client = self.client();
        self.poll(&format!("`{css}` on screen"), timeout, || async move {
            let found = client
                .find_all(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            for element in found {
                if element.is_displayed().await.unwrap_or(false) {
                    return Ok(Some(element));
                }
            }
            Ok(None)
        })
        .await
    }

    /// The element with `data-testid="id"` (the UI lists them in ui/TESTIDS.md).
    pub async fn testid(&self, id: &str) -> Element {
        self.find(&testid(id)).await
    }

    pub async fn click(&self, id: &str) {
        let target = self.testid(id).await;
        answer(&format!("clicking [data-testid={id}]"), target.click())
            .await
            .unwrap_or_else(|e| panic!("clicking [data-testid={id}]: {e}"));
    }

    /// Replaces the text of an input, as a person typing it.
    pub async fn fill(&self, id: &str, text: &str) {
        let input = self.testid(id).await;
        answer(&format!("clearing [data-testid={id}]"), input.clear())
            .await
            .unwrap_or_else(|e| panic!("clearing [data-testid={id}]: {e}"));
        answer(
            &format!("typing into [data-testid={id}]"),
            input.send_keys(text),
        )
        .await
        .unwrap_or_else(|e| panic!("typing into [data-testid={id}]: {e}"));
    }

    /// Waits until the element's visible text contains `expected`; returns it.
    pub async fn wait_text(&self, css: &str, expected: &str) -> String {
        self.wait_first(
            css,
            &format!("`{css}` to read {expected:?}"),
            |element| async move {
                let text = element.text().await.map_err(|e| e.to_string())?;
                if text.contains(expected) {
                    Ok(Some(text))
                } else {
                    Err(format!("text {text:?}"))
                }
            },
        )
        .await
    }

    /// Polls `check` on the first element matching `css` (displayed or not)
    /// until it gives a value; `what` names the wait in its failure.
    async fn wait_first<T, F, Fut>(&self, css: &str, what: &str, check: F) -> T
    where
        F: Fn(Element) -> Fut,
        Fut: Future<Output = Result<Option<T>, String>>,
    {
        let client = self.client();
        let check = &check;
        self.poll(what, WAIT, || async move {
            let element = client
                .find(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            check(element).await
        })
        .await
    }

    /// Waits until nothing displayed matches `css`.
    pub async fn wait_gone(&self, css: &str) {
        let client = self.client();
        self.poll(&format!("`{css}` to disappear"), WAIT, || async move {
            let found = client
                .find_all(Locator::Css(css))
                .await
                .map_err(|e| e.to_string())?;
            for element in found {
                if element.is_displayed().await.unwrap_or(false) {
                    return Err("still displayed".into());
                }
            }
            Ok(Some(()))
        })
        .await
    }

    /// Sets an input's or select's value as the browser would after a person
    /// picked it (date and time pickers, selects), firing `input` and
    /// `change` so the UI's bindings see it. Typing into native date/time
    /// widgets differs between engines; the resulting value does not.
    pub async fn set_value(&self, id: &str, value: &str) {
        self.testid(id).await;
        let script = r#"
            const [selector, value] = arguments;
            const el = document.querySelector(selector);
            const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
            Object.getOwnPropertyDescriptor(proto, "value").set.call(el, value);
            el.dispatchEvent(new Event("input", { bubbles: true }));
            el.dispatchEvent(new Event("change", { bubbles: true }));
            return el.value;
        "#;
        let now = answer(
            &format!("setting [data-testid={id}]"),
            self.client()
                .execute(script, vec![testid(id).into(), value.into()]),
        )
        .await
        .unwrap_or_else(|e| panic!("setting [data-testid={id}] to {value:?}: {e}"));
        assert_eq!(now, value, "[data-testid={id}] did not take {value:?}");
    }

    /// Picks the option of a select whose visible text is `label`.
    pub async fn choose(&self, id: &str, label: &str) {
        let select = self.testid(id).await;
        let mut known = Vec::new();
        for option in select
            .find_all(Locator::Css("option"))
            .await
            .expect("options")
        {
            let text = option.text().await.unwrap_or_default();
            if text.trim() == label {
                let value = option
                    .attr("value")
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                return self.set_value(id, &value).await;
            }
            known.push(text);
        }
        panic!("[data-testid={id}] has no option {label:?}; it has {known:?}");
    }

    /// An attribute of the first element matching `css`, waiting for it.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css)
            .await
            .attr(name)
            .await
            .unwrap_or_else(|e| panic!("reading {name} of `{css}`: {e}"))
    }

    /// Waits until the first element matching `css` has `name="value"`.
    pub async fn wait_attr(&self, css: &str, name: &str, value: &str) {
        self.wait_first(
            css,
            &format!("`{css}` to have {name}={value:?}"),
            |element| async move {
                let now = element.attr(name).await.map_err(|e| e.to_string())?;
                if now.as_deref() == Some(value) {
                    Ok(Some(()))
                } else {
                    Err(format!("{name}={now:?}"))
                }
            },
        )
        .await
    }

    /// Closes the result messages (toasts) on screen with their close
    /// buttons, until none has come for half a second (some arrive a moment
    /// after the action that caused them), so a screenshot shows the screen.
    pub async fn dismiss_toasts(&self) {
        const CLOSE_ALL: &str = r#"const open = document.querySelectorAll('[data-testid="toasts"] button');
            open.forEach((close) => close.click());
            return open.length;"#;
        let deadline = Instant::now() + WAIT;
        let mut quiet_since = Instant::now();
        while quiet_since.elapsed() < Duration::from_millis(500) {
            let closed = answer("closing toasts", self.client().execute(CLOSE_ALL, vec![]))
                .await
                .unwrap_or_else(|e| panic!("closing toasts: {e}"));
            if closed != 0 {
                quiet_since = Instant::now();
            }
            assert!(Instant::now() < deadline, "toasts kept coming for {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn screenshot(&self) -> Result<Vec<u8>, String> {
        tokio::time::timeout(COMMAND_LIMIT, self.client().screenshot())
            .await
            .map_err(|_| "no answer".to_owned())?
            .map_err(|e| e.to_string())
    }

    pub async fn source(&self) -> Result<String, String> {
        tokio::time::timeout(COMMAND_LIMIT, self.client().source())
            .await
            .map_err(|_| "no answer".to_owned())?
            .map_err(|e| e.to_string())
    }
}

/// CSS selector of a `data-testid`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}
