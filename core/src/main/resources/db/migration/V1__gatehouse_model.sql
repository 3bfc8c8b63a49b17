-- Gatehouse schema, version 1: the whole model.
--
-- Landed migrations are never edited: change the schema with a new V<n>__*.sql file.
-- Conventions: uuid keys (gen_random_uuid, core since PostgreSQL 13), timestamptz everywhere,
-- CHECK constraints for every closed vocabulary, and networks as PostgreSQL cidr/inet so the
-- database itself rejects a malformed or host-bits-set network.

-- Organisations: the tenant. audit_retention_days NULL means "keep until purged by hand".
CREATE TABLE organisations (
    id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name                 text        NOT NULL UNIQUE
                                     CHECK (length(btrim(name)) > 0 AND length(name) <= 200),
    require_sso          boolean     NOT NULL DEFAULT false,
    audit_retention_days integer     CHECK (audit_retention_days >= 0),
    -- full: one access_events row per request; aggregated: one row per
    -- (org, app, account, client ip, decision, minute) with a count; off: nothing recorded.
    audit_mode           text        NOT NULL DEFAULT 'full'
                                     CHECK (audit_mode IN ('full', 'aggregated', 'off')),
    created_at           timestamptz NOT NULL DEFAULT now()
);

-- Apps belong to one organisation; retention and audit mode may be overridden per app (NULL = the org's).
CREATE TABLE apps (
    id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id               uuid        NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name                 text        NOT NULL CHECK (length(btrim(name)) > 0 AND length(name) <= 200),
    audit_retention_days integer     CHECK (audit_retention_days >= 0),
    audit_mode           text        CHECK (audit_mode IN ('full', 'aggregated', 'off')),
    created_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);

-- Accounts: people (member) and machines (service).
CREATE TABLE accounts (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid        NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('member', 'service')),
    name       text        NOT NULL CHECK (length(btrim(name)) > 0 AND length(name) <= 200),
    email      text        CHECK (email IS NULL OR position('@' IN email) > 1),
    role       text        NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, name),
    UNIQUE (id, org_id)       -- target of the same-org foreign keys below
);
CREATE UNIQUE INDEX accounts_org_email_key ON accounts (org_id, lower(email)) WHERE email IS NOT NULL;

-- API tokens: only the SHA-256 of the secret is stored; prefix is the short part shown in listings.
CREATE TABLE api_tokens (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         text,
    token_hash   bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    prefix       text        NOT NULL CHECK (length(prefix) BETWEEN 4 AND 16),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    CHECK (expires_at IS NULL OR expires_at > created_at)
);
CREATE INDEX api_tokens_account_idx ON api_tokens (account_id);

-- Network access policies. A global policy applies to every request of its organisation;
-- a non-global one applies to the accounts it is assigned to.
CREATE TABLE network_access_policies (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid        NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    name        text        NOT NULL CHECK (length(btrim(name)) > 0 AND length(name) <= 200),
    description text,
    is_global   boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL,
    UNIQUE (org_id, name),
    UNIQUE (id, org_id)
);
CREATE INDEX network_access_policies_global_idx ON network_access_policies (org_id) WHERE is_global;

-- Entries: allow or deny one network. cidr rejects host bits set (10.0.0.1/8) and garbage.
CREATE TABLE network_policy_entries (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    policy_id  uuid        NOT NULL REFERENCES network_access_policies (id) ON DELETE CASCADE,
    action     text        NOT NULL CHECK (action IN ('allow', 'deny')),
    network    cidr        NOT NULL,
    note       text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (policy_id, action, network)
);

-- Account <-> policy assignments; both sides must belong to the same organisation.
CREATE TABLE account_network_policies (
    org_id      uuid        NOT NULL,
    account_id  uuid        NOT NULL,
    policy_id   uuid        NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    assigned_by text        NOT NULL,
    PRIMARY KEY (account_id, policy_id),
    FOREIGN KEY (account_id, org_id) REFERENCES accounts (id, org_id) ON DELETE CASCADE,
    FOREIGN KEY (policy_id, org_id) REFERENCES network_access_policies (id, org_id) ON DELETE CASCADE
);
CREATE INDEX account_network_policies_policy_idx ON account_network_policies (policy_id);

-- Emergency resets of global policies, so that a restore turns back on exactly what a reset turned off.
CREATE TABLE global_policy_resets (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      uuid        REFERENCES organisations (id) ON DELETE CASCADE,  -- NULL: every organisation
    policy_ids  uuid[]      NOT NULL,
    reset_at    timestamptz NOT NULL DEFAULT now(),
    reset_by    text        NOT NULL,
    restored_at timestamptz,
    restored_by text
);

-- SSO identity providers of an organisation (one per provider type).
CREATE TABLE sso_providers (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid        NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    provider_type text        NOT NULL CHECK (length(btrim(provider_type)) > 0),
    name          text        NOT NULL,
    enabled       boolean     NOT NULL DEFAULT true,
    config        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, provider_type)
);

-- The audit log. Range-partitioned by day on ts, so that retention drops whole partitions
-- (instant, disk returned at once) and per-org purges touch only the old partitions.
-- No foreign keys: the audit trail outlives the rows it names, and inserts stay cheap.
-- event_id makes replays of the local spool idempotent (ON CONFLICT DO NOTHING).
CREATE TABLE access_events (
    ts          timestamptz NOT NULL,
    event_id    uuid        NOT NULL,
    event_type  text        NOT NULL DEFAULT 'request' CHECK (event_type IN ('request', 'aggregate')),
    event_count integer     NOT NULL DEFAULT 1 CHECK (event_count > 0),
    org_id      uuid,
    app_id      uuid,
    account_id  uuid,
    client_ip   inet        NOT NULL,
    peer_ip     inet,
    method      text,
    path        text,
    status      smallint,
    decision    text        NOT NULL CHECK (decision IN ('allow', 'deny')),
    policy_id   uuid,
    user_agent  text,
    request_id  text,
    PRIMARY KEY (ts, event_id)
) PARTITION BY RANGE (ts);

CREATE INDEX access_events_org_ts_idx ON access_events (org_id, ts);
CREATE INDEX access_events_app_ts_idx ON access_events (app_id, ts) WHERE app_id IS NOT NULL;

-- Rows outside every daily partition land here rather than fail the insert.
CREATE TABLE access_events_default PARTITION OF access_events DEFAULT;

-- Creates the daily partitions access_events_pYYYYMMDD for [from_day, from_day + days).
-- Idempotent; called by migrations and by the gateway ahead of time.
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
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF access_events FOR VALUES FROM (%L) TO (%L)',
                part, d::timestamptz, (d + 1)::timestamptz);
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;

SELECT gatehouse_ensure_access_event_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);

-- Every state-changing admin command leaves a row here.
CREATE TABLE admin_actions (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL,
    command    text        NOT NULL,
    target     text,
    before     jsonb,
    after      jsonb
);
CREATE INDEX admin_actions_at_idx ON admin_actions (at);

-- Live updates: every change that can alter an enforcement decision is announced on the
-- channel gatehouse_policy_changes with a small JSON payload {table, op, org_id};
-- gateways LISTEN and reload what changed.
CREATE FUNCTION gatehouse_notify_policy_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rec    record;
    org    uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
    CASE TG_TABLE_NAME
        WHEN 'organisations' THEN org := rec.id;
        WHEN 'network_policy_entries' THEN
            SELECT p.org_id INTO org FROM network_access_policies p WHERE p.id = rec.policy_id;
        WHEN 'api_tokens' THEN
            SELECT a.org_id INTO org FROM accounts a WHERE a.id = rec.account_id;
        ELSE org := rec.org_id;
    END CASE;
    PERFORM pg_notify('gatehouse_policy_changes',
        json_build_object('table', TG_TABLE_NAME, 'op', TG_OP, 'org_id', org)::text);
    RETURN NULL;
END $$;

CREATE TRIGGER organisations_notify AFTER INSERT OR UPDATE OR DELETE ON organisations
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
CREATE TRIGGER apps_notify AFTER INSERT OR UPDATE OR DELETE ON apps
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
CREATE TRIGGER accounts_notify AFTER INSERT OR UPDATE OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
-- not on last_used_at, which the gateway touches on every use
CREATE TRIGGER api_tokens_notify AFTER INSERT OR DELETE OR UPDATE OF account_id, token_hash, expires_at, revoked_at ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
CREATE TRIGGER network_access_policies_notify AFTER INSERT OR UPDATE OR DELETE ON network_access_policies
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
CREATE TRIGGER network_policy_entries_notify AFTER INSERT OR UPDATE OR DELETE ON network_policy_entries
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
CREATE TRIGGER account_network_policies_notify AFTER INSERT OR UPDATE OR DELETE ON account_network_policies
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
CREATE TRIGGER sso_providers_notify AFTER INSERT OR UPDATE OR DELETE ON sso_providers
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
