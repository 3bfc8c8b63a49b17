-- Gatehouse schema, version 8: what the gateways need to hold the single sign-on boundary (issue #27).
--
-- Sessions are cookies the gateways seal; nothing is looked up per request. So ending sessions is data in the policy
-- snapshot every gateway already holds, announced by the same triggers as any policy change:
-- 1. sessions_not_before, per organisation and per account (`gatehouse-admin sso revoke`): a session issued at or
--    before the organisation's or its account's instant is over. NULL: never revoked.
-- 2. sso_revoked_sessions: the sessions signed out, by id, until they would have expired anyway — a copy of a
--    signed-out cookie opens nothing on any replica.
-- 3. sso_break_glass_at: set by `disable-org-sso` (--disable-enforcement or --disable-providers), cleared by
--    `sso require`. While set, the gateways serve every route of the organisation without sign-in, `sso = required`
--    ones included, with the network policy alone.
-- 4. sso_providers.callback_path: each provider gets a callback of its own, /.gatehouse/callback/<provider id>, so a
--    response is only ever taken for the provider it was meant for (IdP mix-up). NULL means that one; the providers
--    registered before this version keep the shared /.gatehouse/callback they were registered with at the provider.
-- 5. sso_handoffs: the one-time codes that hand a session from the public base URL's host, where the provider sends
--    the browser back, to the app's own host. Read by whichever replica the browser reaches next.
-- 6. A sign-in's last_sign_in_at update no longer announces a policy change (it reloaded the organisation on every
--    replica at every sign-in).

ALTER TABLE organisations
    ADD COLUMN sessions_not_before timestamptz,
    ADD COLUMN sso_break_glass_at  timestamptz;

ALTER TABLE accounts ADD COLUMN sessions_not_before timestamptz;

ALTER TABLE sso_providers ADD COLUMN callback_path text
    CONSTRAINT sso_providers_callback_path CHECK (callback_path IS NULL OR callback_path = '/.gatehouse/callback');

-- Registered at their provider with the shared path: they keep it. Providers added from now on get NULL.
UPDATE sso_providers SET callback_path = '/.gatehouse/callback';

-- A provider disabled ends the sessions made through it: enabled again, it does not bring them back (a session
-- issued at or before this instant is over). Set by the database whichever way the provider is disabled.
ALTER TABLE sso_providers ADD COLUMN sessions_not_before timestamptz;
CREATE FUNCTION gatehouse_provider_disabled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.enabled AND NOT NEW.enabled THEN
        NEW.sessions_not_before := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER sso_providers_disabled BEFORE UPDATE OF enabled ON sso_providers
    FOR EACH ROW EXECUTE FUNCTION gatehouse_provider_disabled();

-- A signed-out session's id until its expiry (the gateway deletes rows an hour past it). Notified on insert so that
-- every replica reloads the organisation; a delete is not: the rows deleted are of sessions expired anyway.
CREATE TABLE sso_revoked_sessions (
    session_id text        PRIMARY KEY,
    org_id     uuid        NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sso_revoked_sessions_org_idx ON sso_revoked_sessions (org_id, expires_at);
CREATE TRIGGER sso_revoked_sessions_notify AFTER INSERT OR UPDATE ON sso_revoked_sessions
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();

-- One-time sign-in hand-over codes, by the SHA-256 of the code (the code itself travels only in the browser's URL),
-- bound to the browser by the hash of a cookie the app's host set when the sign-in began there. A code is taken with
-- DELETE ... RETURNING, so it is used once across every replica, even when its redemption fails. Live for seconds;
-- no trigger: nothing in them decides a policy.
CREATE TABLE sso_handoffs (
    code_hash    bytea       PRIMARY KEY,
    org_id       uuid        NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    host         text        NOT NULL,
    binding_hash bytea       NOT NULL,
    session      text        NOT NULL,   -- sealed (encrypted) like the session cookie it becomes
    return_to    text        NOT NULL,
    expires_at   timestamptz NOT NULL
);

-- accounts and sso_providers: an update announces a change unless all it changed is last_sign_in_at, whatever
-- columns come later (the comparison is of the whole row but that column). Inserts and deletes announce as before.
DROP TRIGGER accounts_notify ON accounts;
CREATE TRIGGER accounts_notify AFTER INSERT OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
CREATE TRIGGER accounts_notify_update AFTER UPDATE ON accounts
    FOR EACH ROW WHEN ((to_jsonb(OLD) - 'last_sign_in_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_sign_in_at'))
    EXECUTE FUNCTION gatehouse_notify_policy_change();

DROP TRIGGER sso_providers_notify ON sso_providers;
CREATE TRIGGER sso_providers_notify AFTER INSERT OR DELETE ON sso_providers
    FOR EACH ROW EXECUTE FUNCTION gatehouse_notify_policy_change();
CREATE TRIGGER sso_providers_notify_update AFTER UPDATE ON sso_providers
    FOR EACH ROW WHEN ((to_jsonb(OLD) - 'last_sign_in_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_sign_in_at'))
    EXECUTE FUNCTION gatehouse_notify_policy_change();
