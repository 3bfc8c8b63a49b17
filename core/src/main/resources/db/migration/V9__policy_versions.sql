-- Gatehouse schema, version 9: a policy version per organisation, so that a gateway's periodic safety check asks
-- what changed instead of reloading every organisation (issue #32: with 10 000 organisations × 100 CIDRs, the full
-- reload every 30 s read ~1.9 million rows a minute per replica, for nothing).
--
-- policy_versions holds, per organisation, the version of what it enforces and the transaction that set it. The
-- trigger function that announces every change (gatehouse_notify_policy_change, V1) now also gives the
-- organisation a new version, once per transaction, in that same transaction: whatever NOTIFY announces moves the
-- version, so a missed notification is still seen.
--
-- A gateway's check (one small query, `refresh-interval`) reads the rows whose changed_xid is at or above the
-- xmin of the snapshot its previous check read: every transaction not visible then had an id at or above it. Idle,
-- that is an index probe returning nothing, whatever the number of organisations. It reloads only the
-- organisations whose version differs from the one it holds; a notification's partial reload has usually read
-- that version already. xid8 (64 bits, never wraps) needs PostgreSQL 13.
--
-- No foreign key: a deleted organisation's row stays, with a last version, as its tombstone, so that the check
-- sees the deletion too. A separate table rather than a column on organisations: the trigger on organisations
-- writes it without firing itself again, and an organisation's row is not rewritten on every entry change.

CREATE SEQUENCE policy_version_seq;

CREATE TABLE policy_versions (
    org_id      uuid   PRIMARY KEY,
    version     bigint NOT NULL,
    changed_xid xid8   NOT NULL
);
CREATE INDEX policy_versions_changed_xid_idx ON policy_versions (changed_xid);

INSERT INTO policy_versions (org_id, version, changed_xid)
    SELECT id, nextval('policy_version_seq'), pg_current_xact_id() FROM organisations;

-- The organisation a changed row belongs to (NULL when it cannot be known any more: an entry or a token deleted
-- together with its policy or account).
CREATE FUNCTION gatehouse_policy_org(tbl text, r record) RETURNS uuid LANGUAGE plpgsql STABLE AS $$
DECLARE
    org uuid;
BEGIN
    CASE tbl
        WHEN 'organisations' THEN org := r.id;
        WHEN 'network_policy_entries' THEN
            SELECT p.org_id INTO org FROM network_access_policies p WHERE p.id = r.policy_id;
        WHEN 'api_tokens' THEN
            SELECT a.org_id INTO org FROM accounts a WHERE a.id = r.account_id;
        ELSE org := r.org_id;
    END CASE;
    RETURN org;
END $$;

-- Announces a change of an organisation (NULL: of one unknown, which makes every gateway reload everything) and
-- gives it a new version, once per transaction (the first change; the others commit with it).
CREATE FUNCTION gatehouse_announce_policy_change(tbl text, op text, org uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gatehouse_policy_changes', json_build_object('table', tbl, 'op', op, 'org_id', org)::text);
    IF org IS NOT NULL THEN
        INSERT INTO policy_versions AS v (org_id, version, changed_xid)
            VALUES (org, nextval('policy_version_seq'), pg_current_xact_id())
            ON CONFLICT (org_id) DO UPDATE SET version = nextval('policy_version_seq'), changed_xid = EXCLUDED.changed_xid
            WHERE v.changed_xid <> EXCLUDED.changed_xid;
    END IF;
END $$;

-- The same triggers, the same payloads; besides the version:
-- 1. an update that moves a row to another organisation announces both (it announced only the new one);
-- 2. an entry or a token deleted with its policy or account announces nothing of its own: the policy's or the
--    account's deletion announced the organisation, while the entry's payload, its organisation unknown by then,
--    made every gateway reload everything (deleting a policy of 100 entries: 100 full reloads' worth of requests).
CREATE OR REPLACE FUNCTION gatehouse_notify_policy_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    org     uuid;
    old_org uuid;
BEGIN
    IF TG_OP <> 'DELETE' THEN
        org := gatehouse_policy_org(TG_TABLE_NAME, NEW);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        old_org := gatehouse_policy_org(TG_TABLE_NAME, OLD);
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF old_org IS NULL AND TG_TABLE_NAME IN ('network_policy_entries', 'api_tokens') THEN
            RETURN NULL;
        END IF;
        org := old_org;
    ELSIF TG_OP = 'UPDATE' AND old_org IS NOT NULL AND old_org IS DISTINCT FROM org THEN
        PERFORM gatehouse_announce_policy_change(TG_TABLE_NAME, TG_OP, old_org);
    END IF;
    PERFORM gatehouse_announce_policy_change(TG_TABLE_NAME, TG_OP, org);
    RETURN NULL;
END $$;
