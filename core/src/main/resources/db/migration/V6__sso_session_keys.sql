-- Gatehouse schema, version 6: the keys that seal single sign-on sessions, shared by every gateway (issue #19).
--
-- A session is a cookie the gateway encrypts (JWE, A256GCM) with one of these keys; any replica opens it, so no
-- session needs sticky routing or a database round trip. A new key is written ahead of its use (active_from in the
-- future), so every replica has read it before one seals a session with it; old keys open sessions until they expire.

CREATE TABLE sso_session_keys (
    kid         text        PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{8,64}$'),
    secret      bytea       NOT NULL CHECK (octet_length(secret) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    active_from timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    CHECK (expires_at > active_from)
);
