-- Gatehouse schema, version 6: the keys single sign-on uses, shared by every gateway (issue #19).
--
-- purpose 'session': a 256-bit secret that seals sessions — a session is a cookie the gateway encrypts (JWE, A256GCM)
-- with one of these keys, so any replica opens it without a database round trip or sticky routing.
-- purpose 'assertion': a P-256 key pair (a private JWK) that signs the identity assertion sent to upstreams; the
-- public halves are served at /.gatehouse/jwks.json.
-- A new key is written ahead of its use (active_from in the future), so every replica has read it before one uses it;
-- old keys keep opening and verifying until they expire.

CREATE TABLE sso_keys (
    kid         text        PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{8,64}$'),
    purpose     text        NOT NULL CHECK (purpose IN ('session', 'assertion')),
    material    text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    active_from timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    CHECK (expires_at > active_from)
);
