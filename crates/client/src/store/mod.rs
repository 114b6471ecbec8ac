//! The desk's SQLite store: one file per (server, clinic, user), WAL,
//! foreign keys on, its own migrations. Writes happen in one transaction per
//! user action or per pull page, so a crash leaves either all of one or
//! none of it.

pub(crate) mod bulk;
pub(crate) mod lookup;
pub(crate) mod queries;
pub(crate) mod rebase;
pub(crate) mod rows;
pub(crate) mod state;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};
use std::path::Path;
use std::time::Duration;

fn migrations() -> Migrations<'static> {
    // Append-only: never edit a migration that has shipped; add the next one.
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_local_store.sql")),
        M::up(include_str!(
            "../../migrations/0002_patient_search_prefixes.sql"
        )),
        M::up(include_str!("../../migrations/0003_deferred_indexes.sql")),
        M::up(include_str!("../../migrations/0004_agenda_index.sql")),
        M::up(include_str!(
            "../../migrations/0005_agenda_patient_names.sql"
        )),
    ])
}

/// An open store. Not `Sync`: [`crate::Desk`] shares it behind a mutex.
pub struct Store {
    conn: Connection,
    /// File stores also get a connection for the screens' reads: in WAL
    /// mode it reads the last commit while the sync engine writes a page,
    /// instead of waiting for the page (up to a second on a first sync).
    reader: Option<Connection>,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            crate::paths::create_private_dir(dir)?;
        }
        // Patient records: the file is the user's alone. SQLite gives its
        // -wal and -shm files the database file's permissions.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options
            .open(path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| Error::io(format!("protecting {}", path.display()), e))?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut store = Self::prepare(conn, true)?;
        // Opened after the migrations ran, so it sees the current schema.
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.pragma_update(None, "query_only", "ON")?;
        Self::tune(&reader)?;
        store.reader = Some(reader);
        Ok(store)
    }

    /// A throwaway store, for tests and previews.
    pub fn open_in_memory() -> Result<Store> {
        Self::prepare(Connection::open_in_memory()?, false)
    }

    fn prepare(mut conn: Connection, on_disk: bool) -> Result<Store> {
        if on_disk {
            // WAL: readers never block the sync engine's writer, and a commit
            // is one append. synchronous=FULL: a booking the desk showed as
            // saved survives a power cut too, not only a crash of the app.
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::Corrupt(format!(
                    "the store refused WAL mode (got {mode})"
                )));
            }
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Self::tune(&conn)?;
        migrations().to_latest(&mut conn)?;
        // A first sync that stopped half way (see `bulk`) left indexes aside.
        let tx = conn.transaction()?;
        bulk::restore_indexes(&tx)?;
        tx.commit()?;
        Ok(Store { conn, reader: None })
    }

    fn tune(conn: &Connection) -> Result<()> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // A first sync writes a million appointments whose ids and times
        // arrive in random order: with SQLite's default 2 MB page cache every
        // index insert reads its B-tree page from disk again. 64 MB holds
        // the hot index pages (pages are allocated as used, not up front).
        conn.pragma_update(None, "cache_size", -64 * 1024)?;
        // Every synced table's upsert and delete, plus the sync bookkeeping,
        // stay prepared across the rows of a page.
        conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    /// The connection for reads, if this store has its own for them (see
    /// `reader`); the store keeps writing through its main one.
    pub(crate) fn take_reader(&mut self) -> Option<Connection> {
        self.reader.take()
    }

    pub(crate) fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(crate) fn conn_ref(&self) -> &Connection {
        &self.conn
    }

    /// SQLite's own consistency check plus the outbox's invariants; for
    /// tests and `desk status --check`. Returns the problems found.
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let row = row?;
            if row != "ok" {
                problems.push(format!("integrity: {row}"));
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let fk: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        if !fk.is_empty() {
            problems.push(format!("foreign keys broken in {fk:?}"));
        }
        let (max_seq, next_seq): (Option<i64>, i64) = self.conn.query_row(
            "SELECT (SELECT max(seq) FROM outbox), next_seq FROM sync_state",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if max_seq.is_some_and(|m| m >= next_seq) {
            problems.push(format!(
                "next_seq {next_seq} is not past the highest queued seq {max_seq:?}"
            ));
        }
        let fts: (i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM patients_fts)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if fts.0 != fts.1 {
            problems.push(format!(
                "patient search index has {} rows for {} patients",
                fts.1, fts.0
            ));
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn a_file_store_is_wal_with_foreign_keys() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(&dir.path().join("a/b/store.sqlite3")).expect("open");
        let mode: String = store
            .conn_ref()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn_ref()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("fk");
        assert_eq!(fk, 1);
        assert!(store.check().expect("check").is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| {
                std::fs::metadata(p).expect("exists").permissions().mode() & 0o777
            };
            let file = dir.path().join("a/b/store.sqlite3");
            assert_eq!(mode(&file), 0o600);
            assert_eq!(mode(&dir.path().join("a/b/store.sqlite3-wal")), 0o600);
            assert_eq!(mode(&dir.path().join("a/b")), 0o700);
        }
        drop(store);
        // Reopening runs no migration twice.
        Store::open(&dir.path().join("a/b/store.sqlite3")).expect("reopen");
    }
}
