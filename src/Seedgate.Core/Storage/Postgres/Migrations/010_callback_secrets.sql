-- Seedgate PostgreSQL schema, version 10: an account's callback secret (Storage/Sqlite/Migrations/010_callback_secrets.sql
-- in PostgreSQL's dialect; the comments there say what each column is).

CREATE TABLE webhook_callback_secrets (
    account_id         text    NOT NULL PRIMARY KEY,
    secret             text    NOT NULL,
    previous_secret    text,
    previous_until     bigint,
    created_at         bigint  NOT NULL,
    updated_at         bigint  NOT NULL
);
