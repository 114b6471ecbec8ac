//! Opaque random tokens. Only their SHA-256 is stored, so a leaked database
//! does not leak usable tokens; 256 random bits make a slow hash unnecessary.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const SESSION_PREFIX: &str = "cds_";
const INVITATION_PREFIX: &str = "cdi_";

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn random_part() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A new session token. The prefix lets secret scanners recognise a leak.
pub fn new_session_token() -> String {
    format!("{SESSION_PREFIX}{}", URL_SAFE_NO_PAD.encode(random_part()))
}

/// A new invitation token. It carries its clinic's id, so accepting it can set
/// that clinic's row-security context before looking the invitation up.
pub fn new_invitation_token(clinic_id: Uuid) -> String {
    let mut raw = Vec::with_capacity(48);
    raw.extend_from_slice(clinic_id.as_bytes());
    raw.extend_from_slice(&random_part());
    format!("{INVITATION_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw))
}

/// The clinic an invitation token belongs to, if it is well-formed.
pub fn invitation_clinic(token: &str) -> Option<Uuid> {
    let raw = URL_SAFE_NO_PAD
        .decode(token.strip_prefix(INVITATION_PREFIX)?)
        .ok()?;
    if raw.len() != 48 {
        return None;
    }
    Uuid::from_slice(&raw[..16]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_invitations_carry_their_clinic() {
        assert_ne!(new_session_token(), new_session_token());
        let clinic = Uuid::now_v7();
        let t = new_invitation_token(clinic);
        assert_eq!(invitation_clinic(&t), Some(clinic));
        assert_eq!(invitation_clinic("cdi_garbage"), None);
        assert_eq!(invitation_clinic(&new_session_token()), None);
        assert_eq!(hash("a").len(), 32);
    }
}
