-- Seedgate SQLite schema, version 10: an account's callback secret. Deliveries to a task's callback_url have no
-- endpoint to hold a secret; when the account has set one, it signs them (Standard Webhooks, as endpoints' do), and
-- after a rotation the previous one signs too until previous_until.

CREATE TABLE webhook_callback_secrets (
    account_id         TEXT    NOT NULL PRIMARY KEY,
    secret             TEXT    NOT NULL,               -- whsec_…: kept, since it must sign; shown once when set
    previous_secret    TEXT,
    previous_until     INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
