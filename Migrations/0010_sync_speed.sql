-- Sync speed: the ISO 8601 date helpers of 0006, with the same results, written so the planner inlines
-- them. PostgreSQL inlines an IMMUTABLE SQL function only when its body is immutable too; the text-to-date
-- casts of 0006 are only stable (they read DateStyle), so every call ran as a separate SQL function
-- execution, about 60 microseconds each, several per staged row. make_date is immutable and, for the
-- YYYY-MM-DD text the pattern admits, gives the same date as the cast.
CREATE OR REPLACE FUNCTION sync_date_part(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value !~ '^[12]\d{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?(T[0-9:.]*)?$' THEN NULL
        WHEN length(split_part(value, 'T', 1)) < 10 THEN split_part(value, 'T', 1)
        WHEN substr(value, 9, 2)::int
            <= extract(day FROM make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, 1) + interval '1 month - 1 day')
            THEN substr(value, 1, 10)
    END
$$;

CREATE OR REPLACE FUNCTION sync_full_date(value text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(sync_date_part(value)) = 10
        THEN make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, substr(value, 9, 2)::int) END
$$;

-- One check of a staged row: the column, its value and the reason it is refused (NULL when it passes).
CREATE TYPE sync_check AS (column_name text, value text, reason text);
