//! A first sync writes a whole clinic (a million appointments) in pull
//! pages. Keeping every index through that costs a random B-tree insert per
//! row and index, and each page's commit rewrites most of those index pages
//! to the WAL again. Building an index once at the end sorts the rows
//! instead: the pull runs about twice as fast.
//!
//! So the priority pages, and a pull from cursor 0 that has more pages to
//! come, set aside the indexes that only speed up reads the desk can do
//! without meanwhile, and the pull's last page builds them again. Each step is part of a page's
//! transaction, and the set-aside indexes are recorded with their SQL
//! (`deferred_indexes`), so a crash never loses one: the next opening of
//! the store builds whatever is still set aside.
//!
//! `appointments_time` and `patients_id_name` stay: the agenda reads
//! through them while the first sync runs (appointments arrive roughly in
//! time order, so keeping the first is cheap).

use crate::error::Result;
use rusqlite::Connection;

/// The indexes a first sync sets aside.
const DEFERRED: [&str; 5] = [
    "appointments_doctor",
    "appointments_patient",
    "appointments_room",
    "patients_name",
    "clinical_notes_patient",
];

/// Records and drops the deferrable indexes not set aside yet.
pub(crate) fn defer_indexes(conn: &Connection) -> Result<()> {
    for name in DEFERRED {
        let sql: Option<String> = conn
            .prepare_cached("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1")?
            .query_map([name], |r| r.get(0))?
            .next()
            .transpose()?;
        let Some(sql) = sql else {
            continue; // already set aside
        };
        conn.execute(
            "INSERT INTO deferred_indexes (name, sql) VALUES (?1, ?2)",
            [name, &sql],
        )?;
        conn.execute_batch(&format!("DROP INDEX {name}"))?;
    }
    Ok(())
}

/// Builds every index set aside again.
pub(crate) fn restore_indexes(conn: &Connection) -> Result<()> {
    let deferred: Vec<(String, String)> = conn
        .prepare_cached("SELECT name, sql FROM deferred_indexes")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, sql) in deferred {
        conn.execute_batch(&sql)?;
        conn.execute("DELETE FROM deferred_indexes WHERE name = ?1", [name])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn indexes(conn: &Connection) -> Vec<(String, String)> {
        conn.prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
             ORDER BY name",
        )
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("read")
    }

    #[test]
    fn indexes_set_aside_come_back_as_they_were() {
        let mut store = Store::open_in_memory().expect("store");
        let conn = store.conn();
        let before = indexes(conn);
        defer_indexes(conn).expect("defer");
        defer_indexes(conn).expect("deferring again changes nothing");
        let during: Vec<String> = indexes(conn).into_iter().map(|i| i.0).collect();
        for name in DEFERRED {
            assert!(!during.iter().any(|d| d == name), "{name} still there");
        }
        assert!(during.iter().any(|d| d == "appointments_time"));
        restore_indexes(conn).expect("restore");
        assert_eq!(indexes(conn), before);
        let left: i64 = conn
            .query_row("SELECT count(*) FROM deferred_indexes", [], |r| r.get(0))
            .expect("count");
        assert_eq!(left, 0);
    }

    #[test]
    fn a_store_reopened_after_a_first_sync_broke_off_has_its_indexes() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("store.sqlite3");
        let mut store = Store::open(&path).expect("open");
        let before = indexes(store.conn());
        defer_indexes(store.conn()).expect("defer");
        drop(store);
        let mut store = Store::open(&path).expect("reopen");
        assert_eq!(indexes(store.conn()), before);
    }
}
