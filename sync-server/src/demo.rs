//! The demo clinic (filled in below).
use crate::config::Settings;

pub async fn seed(_settings: &Settings) -> anyhow::Result<()> {
    anyhow::bail!("demo seeding is not written yet")
}
