-- Indexes set aside while a first sync writes the whole clinic, with the SQL
-- that rebuilds them when that pull ends. Empty otherwise.
CREATE TABLE deferred_indexes (
    name TEXT PRIMARY KEY,
    sql  TEXT NOT NULL
);
