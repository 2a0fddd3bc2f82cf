-- Seedgate SQLite schema, version 2: the job core.
-- Jobs record the dialect they came through, where their engine left off, and the Idempotency-Key they were created under (with the fingerprint
-- of the request sent with it). Jobs made before this version came through the Ark dialect or SeeDance v1; they
-- are taken as Ark's (views of every dialect read every job).
ALTER TABLE jobs ADD COLUMN dialect TEXT NOT NULL DEFAULT 'ark';
ALTER TABLE jobs ADD COLUMN idempotency_key TEXT;
ALTER TABLE jobs ADD COLUMN request_fingerprint TEXT;

-- Engines work in steps: where the last step left off (engine-defined, e.g. an upstream task id and its state),
-- stored before the engine waits or makes an external side effect, so any node can take the job up again.
ALTER TABLE jobs ADD COLUMN checkpoint TEXT;

-- How often a worker lost the job without an outcome (it died, or its lease lapsed): bounds a job that kills
-- its worker. Attempts (engine tries) no longer count restarts.
ALTER TABLE jobs ADD COLUMN lapses INTEGER NOT NULL DEFAULT 0;

-- Live Idempotency-Keys: one per account and key, until expires_at (24 h by default) or until its job is deleted.
-- Written in the transaction that creates the job, so two concurrent creates under one key make one job.
CREATE TABLE idempotency_keys (
    account_id           TEXT    NOT NULL,
    key                  TEXT    NOT NULL,
    request_fingerprint  TEXT    NOT NULL,
    job_id               TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    expires_at           INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
);

CREATE INDEX ix_idempotency_keys_job ON idempotency_keys (job_id);

-- Retention: when a finished job's files (outputs, inputs) were deleted; the record stays. The sweep looks only at
-- finished jobs whose files are still there.
ALTER TABLE jobs ADD COLUMN files_deleted_at INTEGER;

CREATE INDEX ix_jobs_retention ON jobs (finished_at)
    WHERE files_deleted_at IS NULL AND status IN ('succeeded', 'failed', 'cancelled', 'expired');
