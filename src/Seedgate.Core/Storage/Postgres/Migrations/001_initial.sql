-- Seedgate PostgreSQL schema, version 1: the SQLite schema (Storage/Sqlite/Migrations/001_initial.sql) in
-- PostgreSQL's dialect, so that both stores map rows the same way:
-- times are bigint Unix milliseconds (UTC), JSON documents are text written with JobJson (never queried inside,
-- kept byte for byte as written), money is bigint micro-dollars, statuses are the lower-case names of
-- JobStatusRules.Name. Ids sort bytewise (COLLATE "C"), as in SQLite and in C#'s ordinal order, whatever the
-- database's default collation.
-- Runs inside a transaction opened by the migration runner (under its advisory lock): no BEGIN/COMMIT here.

CREATE TABLE accounts (
    id          text   NOT NULL PRIMARY KEY,
    name        text   NOT NULL,
    created_at  bigint NOT NULL
);

CREATE TABLE api_keys (
    id          text   NOT NULL PRIMARY KEY,
    account_id  text   NOT NULL REFERENCES accounts (id),
    name        text   NOT NULL,
    hash        text   NOT NULL UNIQUE,   -- SHA-256 of the key, lower-case hex; the key itself is never stored
    prefix      text   NOT NULL,          -- the first characters, to recognise a key in listings
    created_at  bigint NOT NULL,
    revoked_at  bigint
);

CREATE INDEX ix_api_keys_account ON api_keys (account_id);

-- Node-shared secrets (e.g. the key that signs download URLs): first writer wins.
CREATE TABLE secrets (
    name   text  NOT NULL PRIMARY KEY,
    value  bytea NOT NULL
);

-- No foreign key to accounts: the job store stands alone (its compliance suite needs no accounts), and the
-- server creates accounts before it accepts their jobs.
CREATE TABLE jobs (
    id                text COLLATE "C" NOT NULL PRIMARY KEY,
    account_id        text     NOT NULL,
    status            text     NOT NULL
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired')),
    requested_model   text     NOT NULL,   -- the name the caller used (id or alias)
    model             text     NOT NULL,   -- the catalog id (request_json's model), copied out for filters
    engine            text     NOT NULL,
    request_json      text     NOT NULL,   -- the validated GenerationRequest
    priority          integer  NOT NULL,   -- request_json's priority, copied out for the claim order
    correlation_id    text,
    created_at        bigint   NOT NULL,
    updated_at        bigint   NOT NULL,
    started_at        bigint,
    finished_at       bigint,
    expires_at        bigint   NOT NULL,
    attempts          integer  NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_owner       text,                -- the node holding a running job; null while it waits for a retry
    lease_until       bigint,              -- lease end, or (no owner) when a retry may start
    upstream_task_id  text,
    outputs_json      text,                -- JobOutputs once succeeded
    error_code        text,                -- the failure, or the last transient error of a running job
    error_message     text,
    error_param       text,
    cost_micros       bigint
);

-- Claiming and expiry only ever look at unfinished jobs, which stay few while the terminal ones pile up,
-- so both indexes are partial. The claim walks this one in claim order and checks the lease per row.
-- Queries must repeat the predicate (status IN ('queued', 'running')) for the planner to prove they may use them.
CREATE INDEX ix_jobs_claim ON jobs (priority DESC, created_at, id)
    WHERE status IN ('queued', 'running');

CREATE INDEX ix_jobs_expiry ON jobs (expires_at)
    WHERE status IN ('queued', 'running');

-- Start-up recovery (ReleaseLeases) finds one node's running jobs.
CREATE INDEX ix_jobs_lease_owner ON jobs (lease_owner)
    WHERE status = 'running';

-- Listing: one account's jobs, newest first.
CREATE INDEX ix_jobs_account_created ON jobs (account_id, created_at DESC, id DESC);
