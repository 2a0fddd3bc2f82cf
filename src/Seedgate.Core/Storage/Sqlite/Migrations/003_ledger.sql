-- Seedgate SQLite schema, version 3: the money ledger.
-- Append-only: every balance is derived from it; amounts are integer micro-dollars. A submit reserves its estimate
-- ('reserve'), its end releases the hold ('release', minus the reserve) and a success records what it cost
-- ('charge'). Entries are written in the transaction of the job transition that causes them. At most one entry of
-- each kind a job (the unique index), so a transition replayed after a crash or retry cannot write one twice. No
-- foreign key to jobs: deleting a job's record keeps its money history.
CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY,
    account_id     TEXT    NOT NULL,
    job_id         TEXT,
    kind           TEXT    NOT NULL,
    amount_micros  INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE UNIQUE INDEX ux_ledger_job_kind ON ledger_entries (job_id, kind) WHERE job_id IS NOT NULL;
CREATE INDEX ix_ledger_account ON ledger_entries (account_id, created_at);

-- The free quota: per account and calendar month (UTC, 'YYYY-MM'), how many Fast-tier successes were free. Counted at
-- settlement by one conditional upsert a write (used never passes the quota), so settlements racing on any node never
-- give more away; granted is how many the last upsert gave, read back with RETURNING.
CREATE TABLE free_quota_use (
    account_id  TEXT    NOT NULL,
    month       TEXT    NOT NULL,
    used        INTEGER NOT NULL,
    granted     INTEGER NOT NULL,
    PRIMARY KEY (account_id, month)
);
