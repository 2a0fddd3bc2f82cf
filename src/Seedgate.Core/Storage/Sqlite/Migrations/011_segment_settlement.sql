-- Seedgate SQLite schema, version 11: long takes settled per segment. A finished segment is charged at once (kind
-- 'segment', its index in segment), in the transaction that records it; the job's end charges what it owes less what
-- its segments were charged (a refund when it delivered less), and releases its reserve less the same. Every other
-- entry has segment -1, so the unique index still allows at most one entry of each kind a job, and one 'segment'
-- entry a segment.
ALTER TABLE ledger_entries ADD COLUMN segment INTEGER NOT NULL DEFAULT -1;

DROP INDEX ux_ledger_job_kind;
CREATE UNIQUE INDEX ux_ledger_job_kind ON ledger_entries (job_id, kind, segment) WHERE job_id IS NOT NULL;
