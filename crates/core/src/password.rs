//! What we accept as a password. Hashing is the server's job (argon2id).

use crate::error::Invalid;

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Bounded so a huge "password" cannot make argon2 hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Length is what matters (NIST SP 800-63B); no composition rules.
pub fn check_new_password(raw: &str) -> Result<(), Invalid> {
    if raw.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Invalid::new(
            "password",
            format!("must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if raw.len() > MAX_PASSWORD_BYTES {
        return Err(Invalid::new("password", "is too long"));
    }
    if raw.trim().is_empty() {
        return Err(Invalid::new("password", "must not be only spaces"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        assert!(check_new_password("correct horse").is_ok());
        assert!(check_new_password("short").is_err());
        assert!(check_new_password(&" ".repeat(12)).is_err());
        assert!(check_new_password(&"x".repeat(300)).is_err());
    }
}
