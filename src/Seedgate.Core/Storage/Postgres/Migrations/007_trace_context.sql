-- Seedgate PostgreSQL schema, version 7: trace context (Storage/Sqlite/Migrations/007_trace_context.sql in
-- PostgreSQL's dialect). The traceparent of the request that created the job; NULL when none was active.
ALTER TABLE jobs ADD COLUMN trace_parent text;
