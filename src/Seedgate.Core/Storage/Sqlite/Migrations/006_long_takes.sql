-- Seedgate SQLite schema, version 6: long takes. A long take's finished segments, in order, as JSON (each its video
-- key, facts and price); written with the transition that finishes each (IJobStore.FinishSegmentAsync), read with the
-- job. NULL for every other job.
ALTER TABLE jobs ADD COLUMN segments_json TEXT;
