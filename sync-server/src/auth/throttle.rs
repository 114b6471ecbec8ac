//! Limits on attempts over a sliding window (password checks per account
//! and per client address, sign-ups per address, ...), kept in
//! `auth_attempts`.
//!
//! An attempt takes its place *before* it is evaluated: holding a
//! transaction advisory lock per bucket, it counts each bucket's live
//! attempts and, only if every bucket has room, records itself in each. So
//! however many attempts arrive at once, a bucket with room for `max` lets
//! `max` of them through and refuses the rest. Attempts in unrelated
//! buckets never wait for each other, and the locks are held for a few
//! queries, never while a password is hashed.
//!
//! A bucket is the SHA-256 of what it counts, so the table holds no email
//! or address; its first 8 bytes are the bucket's lock key.

use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use std::net::IpAddr;

/// Expired rows swept by each attempt let through: as many as one attempt
/// adds and more, so the table stays at about what the windows hold.
const SWEEP: i64 = 32;

/// At most `max` attempts in `bucket` within `window_secs`.
#[derive(Debug, Clone)]
pub struct Limit {
    bucket: [u8; 32],
    max: i64,
    window_secs: i64,
}

impl Limit {
    /// `what` names the bucket, e.g. `password/account/<email>`.
    pub fn new(what: &str, max: i64, window_secs: i64) -> Limit {
        Limit {
            bucket: Sha256::digest(what.as_bytes()).into(),
            max,
            window_secs,
        }
    }

    fn lock_key(&self) -> i64 {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.bucket[..8]);
        i64::from_be_bytes(first)
    }
}

/// How a client address is counted: an IPv4 address as itself (also when
/// mapped into IPv6), an IPv6 address by its /64, the block one subscriber
/// is usually given, so rotating through it does not buy more attempts.
pub fn address(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = std::net::Ipv6Addr::from(u128::from(v6) & !(u128::from(u64::MAX)));
                format!("{network}/64")
            }
        },
    }
}

/// The places one attempt took, one per bucket. Kept, they count the
/// attempt as made (a failure, a sign-up); see [`Reservation::forgive`].
#[derive(Debug)]
pub struct Reservation {
    ids: Vec<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum Throttled {
    /// A bucket is full; its oldest attempt leaves in `retry_after` seconds.
    #[error("too many attempts; retry in {retry_after} s")]
    Limited { retry_after: u64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Takes a place in every bucket of `limits`, in a transaction of its own
/// that is committed at once: the place counts even if what follows fails.
pub async fn reserve(pool: &PgPool, limits: &[Limit]) -> Result<Reservation, Throttled> {
    let mut tx = pool.begin().await?;
    let reservation = take(&mut tx, limits).await?;
    tx.commit().await?;
    Ok(reservation)
}

/// As [`reserve`], in the caller's transaction: the place is taken if and
/// when it commits. The bucket locks are held until then, so commit soon.
pub async fn take(conn: &mut PgConnection, limits: &[Limit]) -> Result<Reservation, Throttled> {
    // One fixed order (by key), so two attempts sharing buckets never wait
    // for each other in a cycle.
    let mut keys: Vec<i64> = limits.iter().map(Limit::lock_key).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    // A statement after the locks, so its snapshot sees every attempt
    // committed by whoever held them before.
    let buckets: Vec<Vec<u8>> = limits.iter().map(|l| l.bucket.to_vec()).collect();
    let live: Vec<(i64, Option<f64>)> = sqlx::query_as(
        "SELECT count(a.id), extract(epoch FROM min(a.expires_at) - now())::float8
         FROM unnest($1::bytea[]) WITH ORDINALITY AS b(bucket, i)
         LEFT JOIN auth_attempts a ON a.bucket = b.bucket AND a.expires_at > now()
         GROUP BY b.i ORDER BY b.i",
    )
    .bind(&buckets)
    .fetch_all(&mut *conn)
    .await?;
    let retry_after = limits
        .iter()
        .zip(&live)
        .filter(|(limit, (count, _))| *count >= limit.max)
        .map(|(_, (_, left))| left.unwrap_or(0.0).ceil().max(1.0) as u64)
        .max();
    if let Some(retry_after) = retry_after {
        return Err(Throttled::Limited { retry_after });
    }
    let windows: Vec<f64> = limits.iter().map(|l| l.window_secs as f64).collect();
    let ids: Vec<i64> = sqlx::query_scalar(
        "WITH swept AS (
             DELETE FROM auth_attempts WHERE id IN (
                 SELECT id FROM auth_attempts WHERE expires_at <= now()
                 ORDER BY expires_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         )
         INSERT INTO auth_attempts (bucket, expires_at)
         SELECT bucket, now() + make_interval(secs => window_secs)
         FROM unnest($1::bytea[], $2::float8[]) AS b(bucket, window_secs)
         RETURNING id",
    )
    .bind(&buckets)
    .bind(&windows)
    .bind(SWEEP)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Reservation { ids })
}

impl Reservation {
    /// The attempt succeeded: it no longer counts, nor do the attempts in
    /// `earlier_in` taken before it (a right password forgives the account's
    /// earlier typos, but not the address's failures on other accounts).
    pub async fn forgive(self, conn: &mut PgConnection, earlier_in: &Limit) -> sqlx::Result<()> {
        let first = self.ids.iter().copied().min().unwrap_or(0);
        sqlx::query("DELETE FROM auth_attempts WHERE id = ANY($1) OR (bucket = $2 AND id < $3)")
            .bind(&self.ids)
            .bind(earlier_in.bucket.to_vec())
            .bind(first)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_count_ipv4_alone_and_ipv6_by_its_64() {
        let cases = [
            ("203.0.113.7", "203.0.113.7"),
            ("::ffff:203.0.113.7", "203.0.113.7"),
            ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
            ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
            ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ];
        for (ip, counted) in cases {
            assert_eq!(address(ip.parse().expect("ip")), counted, "{ip}");
        }
    }

    #[test]
    fn buckets_differ_by_name_and_lock_by_their_digest() {
        let a = Limit::new("password/account/a@example.com", 5, 900);
        let b = Limit::new("password/account/b@example.com", 5, 900);
        assert_ne!(a.bucket, b.bucket);
        assert_ne!(a.lock_key(), b.lock_key());
        assert_eq!(
            a.lock_key(),
            Limit::new("password/account/a@example.com", 1, 1).lock_key()
        );
    }
}
