-- Seedgate PostgreSQL schema, version 11: long takes settled per segment (Storage/Sqlite/Migrations/
-- 011_segment_settlement.sql in PostgreSQL's dialect; the comments there say what changes).
ALTER TABLE ledger_entries ADD COLUMN segment integer NOT NULL DEFAULT -1;

DROP INDEX ux_ledger_job_kind;
CREATE UNIQUE INDEX ux_ledger_job_kind ON ledger_entries (job_id, kind, segment) WHERE job_id IS NOT NULL;
