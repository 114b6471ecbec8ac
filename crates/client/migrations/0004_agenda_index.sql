-- An agenda asks for the appointments overlapping a day: those starting
-- from half a day before it (the longest an appointment lasts) to its end,
-- of which those ending after its start. With `ends_at` in the index, the
-- ones that ended before the day are skipped without reading their rows.
DROP INDEX appointments_time;
CREATE INDEX appointments_time ON appointments (starts_at, ends_at);
