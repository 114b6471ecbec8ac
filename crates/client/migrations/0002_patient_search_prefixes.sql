-- Patient search on a clinic of 100k patients: a typed "ana" or "600" is a
-- prefix query, which without a prefix index merges the doclists of every
-- word starting so (every phone number starts "600..."). FTS5 keeps
-- ready-made doclists for 2- and 3-character prefixes with `prefix`; longer
-- prefixes match few enough words to merge quickly. Same columns, same
-- triggers: only the index is rebuilt.
DROP TRIGGER patients_fts_insert;
DROP TRIGGER patients_fts_delete;
DROP TRIGGER patients_fts_update;
DROP TABLE patients_fts;

CREATE VIRTUAL TABLE patients_fts USING fts5 (
    full_name, email, national_id, phone, phone_digits,
    tokenize = "unicode61 remove_diacritics 2",
    prefix = '2 3'
);
INSERT INTO patients_fts (rowid, full_name, email, national_id, phone, phone_digits)
    SELECT rowid, full_name, email, national_id, phone, phone_search FROM patients;

CREATE TRIGGER patients_fts_insert AFTER INSERT ON patients BEGIN
    INSERT INTO patients_fts (rowid, full_name, email, national_id, phone, phone_digits)
    VALUES (new.rowid, new.full_name, new.email, new.national_id, new.phone, new.phone_search);
END;
CREATE TRIGGER patients_fts_delete AFTER DELETE ON patients BEGIN
    DELETE FROM patients_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER patients_fts_update AFTER UPDATE ON patients BEGIN
    DELETE FROM patients_fts WHERE rowid = old.rowid;
    INSERT INTO patients_fts (rowid, full_name, email, national_id, phone, phone_digits)
    VALUES (new.rowid, new.full_name, new.email, new.national_id, new.phone, new.phone_search);
END;
