-- Seedgate SQLite schema, version 9: webhooks. An account's endpoints, and the outbox of deliveries that job
-- transitions write in their own transaction (WebhookOutbox), so a delivery exists exactly when its transition
-- committed. Any node delivers (WebhookStore.ClaimAsync leases rows); a delivery keeps its message id (webhook-id)
-- across retries.

CREATE TABLE webhook_endpoints (
    id                 TEXT    NOT NULL PRIMARY KEY,   -- ep_…
    account_id         TEXT    NOT NULL,
    url                TEXT    NOT NULL,
    events             TEXT    NOT NULL,               -- comma-separated event types, or * for all
    description        TEXT,
    enabled            INTEGER NOT NULL,
    disabled_reason    TEXT,
    secret             TEXT    NOT NULL,               -- whsec_…: kept, since it must sign; shown once at creation
    previous_secret    TEXT,                           -- after a rotation, also signs until previous_until
    previous_until     INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE INDEX ix_webhook_endpoints_account ON webhook_endpoints (account_id);

-- One row per event and target: an endpoint (endpoint_id) or a task's callback_url (endpoint_id NULL).
-- status: pending (to send, or to send again at next_attempt_at), delivered, failed (the schedule ran out).
CREATE TABLE webhook_deliveries (
    seq                INTEGER NOT NULL PRIMARY KEY,   -- insertion order: a job's events go out in this order
    id                 TEXT    NOT NULL UNIQUE,        -- dlv_…, the API's name for it
    message_id         TEXT    NOT NULL,               -- msg_…, sent as webhook-id: the same on every attempt
    account_id         TEXT    NOT NULL,
    endpoint_id        TEXT,
    url                TEXT    NOT NULL,
    event_type         TEXT    NOT NULL,
    job_id             TEXT    NOT NULL,
    job_json           TEXT    NOT NULL,               -- the job as the transition left it: what the body shows
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts           INTEGER NOT NULL,
    next_attempt_at    INTEGER NOT NULL,
    lease_owner        TEXT,
    lease_until        INTEGER,
    last_status_code   INTEGER,
    last_error         TEXT,
    last_latency_ms    INTEGER,
    created_at         INTEGER NOT NULL,
    finished_at        INTEGER
);

CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX ix_webhook_deliveries_job ON webhook_deliveries (job_id, url);
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq);
