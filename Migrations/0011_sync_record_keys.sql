-- Sync speed: natural keys of sync records compared in byte order. A sync writes and looks up one record
-- per source row (a million for a large TR file), and every comparison in the primary key's B-tree went
-- through the database collation's string comparison: inserting 300,000 TR records into a copy of the
-- table took 3.8 s with it and 1.7 s in byte order. Keys only need equality (nothing orders by them), and
-- byte equality is what a deterministic collation's equality already is; joins on keys of the database's
-- default collation take the column's "C", so the statements that read the table are unchanged.
ALTER TABLE sync_records ALTER COLUMN natural_key TYPE text COLLATE "C";
