//! The desk's network link to the server: a loopback TCP relay the app signs
//! in through, which the test can cut and restore while the server itself
//! stays up for other desks (a desk losing its connection, not the server
//! going down).

use std::sync::Arc;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Link {
    pub port: u16,
    up: watch::Sender<bool>,
    relay: JoinHandle<()>,
}

impl Link {
    /// Relays a free loopback port to `127.0.0.1:upstream`.
    pub async fn open(upstream: u16) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind relay");
        let port = listener.local_addr().expect("relay addr").port();
        let (up, state) = watch::channel(true);
        let state = Arc::new(state);
        let relay = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if !*state.borrow() {
                    // Cut: the desk's connection attempt dies at once.
                    drop(inbound);
                    continue;
                }
                let mut state = (*state).clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                        return; // the server is down: the desk sees a closed connection
                    };
                    tokio::select! {
                        _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                        // Cutting also drops the connections already open (a
                        // long poll or the live event stream).
                        _ = state.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Link { port, up, relay }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.relay.abort();
    }
}
