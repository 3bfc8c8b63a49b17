-- Gatehouse schema, version 3: daily audit partitions are UTC days, whatever the client's time zone.
--
-- Until now the partition function turned each day into a timestamptz in the *session's* time zone, which the
-- JDBC driver takes from the JVM: a gateway or migration running with user.timezone=America/New_York created
-- access_events_p20261028 as [10-28 04:00Z, 10-29 04:00Z). Purges chose what to drop by the UTC day in the name,
-- so rows still inside retention were dropped; and two processes in different zones could try to create
-- overlapping partitions (the error was swallowed, and events went to the default partition).
--
-- This migration:
-- 1. replaces the partition function: bounds are written as UTC instants ('YYYY-MM-DD 00:00:00+00'), and a
--    partition that cannot be created (it would overlap one that exists) is skipped with a WARNING instead of
--    failing the whole call, and reported in the function's result;
-- 2. adds gatehouse_repair_access_event_partitions(): every partition whose bounds are not exactly its UTC day,
--    and the rows of the default partition, are moved into aligned daily partitions — without losing a row;
-- 3. runs the repair once.

DROP FUNCTION gatehouse_ensure_access_event_partitions(date, integer);

-- Creates the daily partitions access_events_pYYYYMMDD for the UTC days [from_day, from_day + days).
-- Idempotent. Returns the partitions created; a day that cannot be created (an existing partition, aligned
-- otherwise, covers part of it) is skipped with a WARNING naming it: gatehouse_repair_access_event_partitions()
-- fixes that.
CREATE FUNCTION gatehouse_ensure_access_event_partitions(from_day date, days integer)
    RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    d       date;
    part    text;
    created integer := 0;
BEGIN
    FOR i IN 0 .. days - 1 LOOP
        d := from_day + i;
        part := 'access_events_p' || to_char(d, 'YYYYMMDD');
        IF to_regclass(part) IS NULL THEN
            BEGIN
                EXECUTE format(
                    'CREATE TABLE %I PARTITION OF access_events FOR VALUES FROM (%L) TO (%L)',
                    part, to_char(d, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
                created := created + 1;
            EXCEPTION WHEN invalid_object_definition OR check_violation THEN
                RAISE WARNING 'gatehouse: audit partition % not created: %', part, SQLERRM;
            END;
        END IF;
    END LOOP;
    RETURN created;
END $$;

-- Every partition of access_events but the default, with its actual bounds (never read from its name).
-- A bound that is not a timestamp (MINVALUE, MAXVALUE) is null.
CREATE FUNCTION gatehouse_access_event_partitions()
    RETURNS TABLE (name text, lower_bound timestamptz, upper_bound timestamptz)
    LANGUAGE sql STABLE SET "TimeZone" = 'UTC' AS $$
    SELECT c.relname::text,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM $r$FROM \('([^']*)'\)$r$)::timestamptz,
           substring(pg_get_expr(c.relpartbound, c.oid) FROM $r$TO \('([^']*)'\)$r$)::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'access_events'::regclass
      AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
$$;

-- The partitions whose bounds are not exactly the UTC day their name says, [YYYY-MM-DD 00:00Z, +1 day).
CREATE FUNCTION gatehouse_misaligned_access_event_partitions()
    RETURNS SETOF text LANGUAGE sql STABLE SET "TimeZone" = 'UTC' AS $$
    SELECT p.name
    FROM gatehouse_access_event_partitions() p
    WHERE p.name !~ '^access_events_p[0-9]{8}$'
       OR p.lower_bound IS DISTINCT FROM (to_date(substr(p.name, 16), 'YYYYMMDD')::timestamp AT TIME ZONE 'UTC')
       OR p.upper_bound IS DISTINCT FROM ((to_date(substr(p.name, 16), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC')
$$;

-- Moves every misaligned daily partition and the default partition's rows into aligned UTC-day partitions.
-- Returns the rows moved. Takes an ACCESS EXCLUSIVE lock on access_events while it runs (inserts wait; the
-- gateways' audit writers spool meanwhile); with nothing to repair it only reads the catalog.
CREATE FUNCTION gatehouse_repair_access_event_partitions()
    RETURNS bigint LANGUAGE plpgsql SET "TimeZone" = 'UTC' AS $$
DECLARE
    part      text;
    moved     text[] := '{}';
    n         bigint;
    total     bigint := 0;
    day       date;
    has_rows  boolean;
BEGIN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM access_events_default)' INTO has_rows;
    IF NOT has_rows AND NOT EXISTS (SELECT 1 FROM gatehouse_misaligned_access_event_partitions()) THEN
        RETURN 0;
    END IF;
    LOCK TABLE access_events IN ACCESS EXCLUSIVE MODE;
    FOR part IN SELECT * FROM gatehouse_misaligned_access_event_partitions() LOOP
        EXECUTE format('ALTER TABLE access_events DETACH PARTITION %I', part);
        EXECUTE format('ALTER TABLE %I RENAME TO %I', part, 'gatehouse_moving_' || part);
        moved := moved || ('gatehouse_moving_' || part);
    END LOOP;
    IF has_rows THEN
        ALTER TABLE access_events DETACH PARTITION access_events_default;
        ALTER TABLE access_events_default RENAME TO gatehouse_moving_access_events_default;
        CREATE TABLE access_events_default PARTITION OF access_events DEFAULT;
        moved := moved || 'gatehouse_moving_access_events_default'::text;
    END IF;
    FOREACH part IN ARRAY moved LOOP
        FOR day IN EXECUTE format('SELECT DISTINCT (ts AT TIME ZONE ''UTC'')::date FROM %I', part) LOOP
            PERFORM gatehouse_ensure_access_event_partitions(day, 1);
        END LOOP;
    END LOOP;
    FOREACH part IN ARRAY moved LOOP
        EXECUTE format('INSERT INTO access_events SELECT * FROM %I', part);
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
        EXECUTE format('DROP TABLE %I', part);
    END LOOP;
    RETURN total;
END $$;

SELECT gatehouse_repair_access_event_partitions();
SELECT gatehouse_ensure_access_event_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);
