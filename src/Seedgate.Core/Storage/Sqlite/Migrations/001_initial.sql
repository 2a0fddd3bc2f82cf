-- Seedgate SQLite schema, version 1.
-- Kept close to what PostgreSQL needs (the Postgres migrations mirror it in their own dialect):
-- times are INTEGER Unix milliseconds (UTC), JSON documents are TEXT written with JobJson, money is
-- INTEGER micro-dollars, statuses are the lower-case names of JobStatusRules.Name.
-- Runs inside a transaction opened by the migration runner: no BEGIN/COMMIT or PRAGMA here.

CREATE TABLE accounts (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT    NOT NULL PRIMARY KEY,
    account_id  TEXT    NOT NULL REFERENCES accounts (id),
    name        TEXT    NOT NULL,
    hash        TEXT    NOT NULL UNIQUE,   -- SHA-256 of the key, lower-case hex; the key itself is never stored
    prefix      TEXT    NOT NULL,          -- the first characters, to recognise a key in listings
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE INDEX ix_api_keys_account ON api_keys (account_id);

-- Node-shared secrets (e.g. the key that signs download URLs): first writer wins.
CREATE TABLE secrets (
    name   TEXT NOT NULL PRIMARY KEY,
    value  BLOB NOT NULL
);

-- No foreign key to accounts: the job store stands alone (its compliance suite needs no accounts), and the
-- server creates accounts before it accepts their jobs.
CREATE TABLE jobs (
    id                TEXT    NOT NULL PRIMARY KEY,
    account_id        TEXT    NOT NULL,
    status            TEXT    NOT NULL
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')),
    requested_model   TEXT    NOT NULL,   -- the name the caller used (id or alias)
    model             TEXT    NOT NULL,   -- the catalog id (request_json's model), copied out for filters
    engine            TEXT    NOT NULL,
    request_json      TEXT    NOT NULL,   -- the validated GenerationRequest
    priority          INTEGER NOT NULL,   -- request_json's priority, copied out for the claim order
    correlation_id    TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    started_at        INTEGER,
    finished_at       INTEGER,
    expires_at        INTEGER NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_owner       TEXT,               -- the node holding a running job; null while it waits for a retry
    lease_until       INTEGER,            -- lease end, or (no owner) when a retry may start
    upstream_task_id  TEXT,
    outputs_json      TEXT,               -- JobOutputs once succeeded
    error_code        TEXT,               -- the failure, or the last transient error of a running job
    error_message     TEXT,
    error_param       TEXT,
    cost_micros       INTEGER
);

-- Claiming and expiry only ever look at unfinished jobs, which stay few while the terminal ones pile up,
-- so both indexes are partial. The claim walks this one in claim order and checks the lease per row.
-- Queries must repeat the predicate verbatim (status IN ('queued', 'running')) for the planner to use them.
CREATE INDEX ix_jobs_claim ON jobs (priority DESC, created_at, id)
    WHERE status IN ('queued', 'running');

CREATE INDEX ix_jobs_expiry ON jobs (expires_at)
    WHERE status IN ('queued', 'running');

-- Start-up recovery (ReleaseLeases) finds one node's running jobs.
CREATE INDEX ix_jobs_lease_owner ON jobs (lease_owner)
    WHERE status = 'running';

-- Listing: one account's jobs, newest first.
CREATE INDEX ix_jobs_account_created ON jobs (account_id, created_at DESC, id DESC);
