-- Seedgate SQLite schema, version 8: listings break ties on created_at by insertion order. Two creates in the same
-- millisecond used to come back in the order of their ids' random suffixes; the rowid every SQLite table has is the
-- insertion order (PostgreSQL's 008 gives jobs a column of that name, so both run the same ORDER BY). The index the
-- listing reads ends in the rowid already, so (account_id, created_at) read backwards is newest first, ties included.
DROP INDEX ix_jobs_account_created;
CREATE INDEX ix_jobs_account_created ON jobs (account_id, created_at);
