-- Seedgate PostgreSQL schema, version 3: the money ledger (Storage/Sqlite/Migrations/003_ledger.sql in PostgreSQL's
-- dialect). Append-only, integer micro-dollars, at most one entry of each kind a job, no foreign key to jobs.
CREATE TABLE ledger_entries (
    id             bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id     text    NOT NULL,
    job_id         text,
    kind           text    NOT NULL,
    amount_micros  bigint  NOT NULL,
    created_at     bigint  NOT NULL
);

CREATE UNIQUE INDEX ux_ledger_job_kind ON ledger_entries (job_id, kind) WHERE job_id IS NOT NULL;
CREATE INDEX ix_ledger_account ON ledger_entries (account_id, created_at);

-- The free quota: Fast-tier successes made free per account and calendar month (UTC), counted by a conditional upsert;
-- granted is how many the last upsert gave.
CREATE TABLE free_quota_use (
    account_id  text     NOT NULL,
    month       text     NOT NULL,
    used        integer  NOT NULL,
    granted     integer  NOT NULL,
    PRIMARY KEY (account_id, month)
);
