-- Seedgate PostgreSQL schema, version 6: long takes (Storage/Sqlite/Migrations/006_long_takes.sql in PostgreSQL's
-- dialect). A long take's finished segments, in order, as JSON; NULL for every other job.
ALTER TABLE jobs ADD COLUMN segments_json text;
