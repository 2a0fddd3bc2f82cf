-- Seedgate SQLite schema, version 4: plans, per-account limits and what they are checked against.

-- An account's plan (a name from configuration, Seedgate:Plans) and the fields it overrides, as JSON
-- ({"max_in_progress": 10}); updated_at moves with every admin change.
ALTER TABLE accounts ADD COLUMN plan TEXT NOT NULL DEFAULT 'default';
ALTER TABLE accounts ADD COLUMN overrides TEXT NOT NULL DEFAULT '{}';
ALTER TABLE accounts ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;

-- The unfinished jobs of an account: the capped claim counts the running ones.
CREATE INDEX ix_jobs_account_open ON jobs (account_id, status) WHERE status IN ('queued', 'running');

-- Ledger entries say what they were for, so usage reports need no job row (deleted jobs keep their history):
-- the model (reserve, charge, release), the output video's length in ms (charge), and a note (a release: the job's outcome;
-- a credit: the operator's words). A credit is an entry with no job.
ALTER TABLE ledger_entries ADD COLUMN model TEXT;
ALTER TABLE ledger_entries ADD COLUMN output_ms INTEGER;
ALTER TABLE ledger_entries ADD COLUMN note TEXT;

-- What each account was charged each calendar month (UTC), raised at settlement: the budget check reads one row.
CREATE TABLE account_months (
    account_id      TEXT    NOT NULL,
    month           TEXT    NOT NULL,   -- YYYY-MM
    charged_micros  INTEGER NOT NULL,
    PRIMARY KEY (account_id, month)
);

INSERT INTO account_months (account_id, month, charged_micros)
SELECT account_id, strftime('%Y-%m', created_at / 1000, 'unixepoch'), SUM(amount_micros)
FROM ledger_entries WHERE kind = 'charge' GROUP BY 1, 2;

-- Each account's unfinished jobs and what they hold, kept by the create and the end of each job (in their
-- transactions): the one row admission reads and locks. Started from the jobs there are.
CREATE TABLE account_open (
    account_id   TEXT    NOT NULL PRIMARY KEY,
    jobs         INTEGER NOT NULL,
    held_micros  INTEGER NOT NULL
);

INSERT INTO account_open (account_id, jobs, held_micros)
SELECT j.account_id, COUNT(*), COALESCE(SUM(l.amount_micros), 0)
FROM jobs j LEFT JOIN ledger_entries l ON l.job_id = j.id AND l.kind = 'reserve'
WHERE j.status IN ('queued', 'running') GROUP BY j.account_id;

-- The cluster-wide request-rate buckets: one per account and class of request. Nodes lease whole tokens from it; it
-- holds micro-tokens, refilled from at_ms at the plan's rate up to its burst.
CREATE TABLE rate_buckets (
    account_id    TEXT    NOT NULL,
    class         TEXT    NOT NULL,   -- create | poll
    micro_tokens  INTEGER NOT NULL,
    at_ms         INTEGER NOT NULL,
    granted       INTEGER NOT NULL,   -- what the last lease took
    PRIMARY KEY (account_id, class)
);
