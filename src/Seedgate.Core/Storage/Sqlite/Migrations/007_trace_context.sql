-- Seedgate SQLite schema, version 7: the W3C trace context (traceparent) of the request that created a job, so the
-- spans of its claim, engine steps and completion, on whichever node, join the create's trace. NULL: none was active.
ALTER TABLE jobs ADD COLUMN trace_parent TEXT;
