-- Each agenda row names its patient: with (id, full_name) in one index the
-- name is found in one B-tree search instead of the id index and then the
-- patient's row (the agenda's query names this index).
CREATE INDEX patients_id_name ON patients (id, full_name);
