-- Seedgate PostgreSQL schema, version 4: plans, per-account limits and what they are checked against
-- (Storage/Sqlite/Migrations/004_plans.sql in PostgreSQL's dialect).
ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'default';
ALTER TABLE accounts ADD COLUMN overrides text NOT NULL DEFAULT '{}';
ALTER TABLE accounts ADD COLUMN updated_at bigint NOT NULL DEFAULT 0;

CREATE INDEX ix_jobs_account_open ON jobs (account_id, status) WHERE status IN ('queued', 'running');

-- Job ids compare bytewise (COLLATE "C"), as jobs.id does: a lookup of a job's entries by jobs.id (the task views,
-- admission) can only use the (job_id, kind) index when both sides have the same collation.
ALTER TABLE ledger_entries ALTER COLUMN job_id SET DATA TYPE text COLLATE "C";
ALTER TABLE ledger_entries ADD COLUMN model text;
ALTER TABLE ledger_entries ADD COLUMN output_ms bigint;
ALTER TABLE ledger_entries ADD COLUMN note text;

CREATE TABLE account_months (
    account_id      text    NOT NULL,
    month           text    NOT NULL,
    charged_micros  bigint  NOT NULL,
    PRIMARY KEY (account_id, month)
);

INSERT INTO account_months (account_id, month, charged_micros)
SELECT account_id, to_char(to_timestamp(created_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM'), SUM(amount_micros)
FROM ledger_entries WHERE kind = 'charge' GROUP BY 1, 2;

CREATE TABLE account_open (
    account_id   text    NOT NULL PRIMARY KEY,
    jobs         bigint NOT NULL,
    held_micros  bigint NOT NULL
);

INSERT INTO account_open (account_id, jobs, held_micros)
SELECT j.account_id, COUNT(*), COALESCE(SUM(l.amount_micros), 0)
FROM jobs j LEFT JOIN ledger_entries l ON l.job_id = j.id AND l.kind = 'reserve'
WHERE j.status IN ('queued', 'running') GROUP BY j.account_id;

CREATE TABLE rate_buckets (
    account_id    text    NOT NULL,
    class         text    NOT NULL,
    micro_tokens  bigint  NOT NULL,
    at_ms         bigint  NOT NULL,
    granted       bigint  NOT NULL,
    PRIMARY KEY (account_id, class)
);
