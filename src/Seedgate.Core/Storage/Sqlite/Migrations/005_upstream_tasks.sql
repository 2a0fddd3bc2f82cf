-- Seedgate SQLite schema, version 5: the upstream tasks in flight. A job served by an upstream account holds one row
-- from the claim that gave it a slot of that account's tasks in flight until it ends: `held` (slot taken, the create not
-- yet acknowledged), `submitted` (the upstream task id is known), `done` (the upstream task ended; its body is kept
-- for the step that collects it, and the slot is free). Every node counts the same rows, so the cluster together never
-- has more tasks in flight on an account than its limit. No foreign key: rows go with their job's end.
CREATE TABLE upstream_tasks (
    job_id     TEXT    NOT NULL PRIMARY KEY,
    upstream   TEXT    NOT NULL,   -- the upstream account's configuration name
    model      TEXT    NOT NULL,   -- the job's catalog model (what the account's latency is learned by)
    state      TEXT    NOT NULL,   -- held | submitted | done
    task_id    TEXT,               -- the upstream's task id, once acknowledged
    body       TEXT,               -- the upstream's task object, once it ended
    polled_at  INTEGER NOT NULL,   -- Unix ms of the last status request for it; 0 before any
    since      INTEGER NOT NULL    -- Unix ms when the slot was taken
);

CREATE INDEX ix_upstream_tasks_open ON upstream_tasks (upstream, state);

-- Reconciling a create whose answer was lost asks which upstream task ids are some job's already.
CREATE INDEX ix_jobs_upstream_task ON jobs (upstream_task_id) WHERE upstream_task_id IS NOT NULL;

-- When each Seedgate account last got an upstream slot: between accounts with as many tasks in flight (per weight),
-- the one served longest ago goes first, so scarce slots go round the accounts.
CREATE TABLE upstream_turns (
    account_id  TEXT NOT NULL PRIMARY KEY,
    last_start  INTEGER NOT NULL
);
