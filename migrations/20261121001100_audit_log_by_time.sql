-- The audit log is read newest first, for the whole clinic or for one
-- person's actions, a page at a time. It grows with every patient record
-- read, so these reads must walk an index instead of sorting the clinic's
-- whole history for each page. (Lookups by record use audit_log_entity.)
CREATE INDEX audit_log_recent ON audit_log (clinic_id, at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (clinic_id, actor_id, at DESC, id DESC);
