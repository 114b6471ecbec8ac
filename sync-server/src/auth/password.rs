//! Argon2id password hashing, off the async runtime (it is meant to be slow).

use crate::config::AuthSettings;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier, Version};

pub struct PasswordHasher {
    argon: Argon2<'static>,
    /// Verified against when the account does not exist, so a wrong email
    /// takes as long as a wrong password and does not reveal who has an account.
    dummy_hash: String,
}

impl PasswordHasher {
    pub fn new(settings: &AuthSettings) -> anyhow::Result<Self> {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            1,
            None,
        )
        .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash = hash_with(&argon, "not a real password")?;
        Ok(PasswordHasher { argon, dummy_hash })
    }

    pub async fn hash(self: &std::sync::Arc<Self>, password: String) -> anyhow::Result<String> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || hash_with(&me.argon, &password)).await?
    }

    /// Verifies `password` against `stored`, or against a dummy hash when
    /// there is no account, in constant-ish time either way.
    pub async fn verify(
        self: &std::sync::Arc<Self>,
        password: String,
        stored: Option<String>,
    ) -> bool {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let exists = stored.is_some();
            let stored = stored.unwrap_or_else(|| me.dummy_hash.clone());
            let ok = PasswordHash::new(&stored)
                .map(|parsed| {
                    me.argon
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
            ok && exists
        })
        .await
        .unwrap_or(false)
    }
}

fn hash_with(argon: &Argon2<'_>, password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}
