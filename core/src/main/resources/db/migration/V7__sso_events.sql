-- Gatehouse schema, version 7: sign-ins, refused sign-ins (with the reason) and sign-outs (issue #19).
--
-- Written by the gateways' sign-in threads, one row per event (a person signs in a few times a day: no batching
-- needed). The requests a signed-in account makes are in access_events, with the account, like any other.

CREATE TABLE sso_events (
    ts          timestamptz NOT NULL DEFAULT now(),
    org_id      uuid,
    provider_id uuid,
    account_id  uuid,
    event       text        NOT NULL CHECK (event IN ('sign-in', 'sign-in refused', 'sign-out')),
    email       text,
    client_ip   inet,
    reason      text
);
CREATE INDEX sso_events_org_ts ON sso_events (org_id, ts);
