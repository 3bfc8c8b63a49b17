-- Gatehouse schema, version 5: OpenID Connect providers an organisation signs in with (issue #19).
--
-- sso_providers existed with a free-form config; a provider is now an OIDC issuer with a client registration. The
-- client secret is never stored: client_secret_ref names where the gateway reads it (file:/path or env:NAME), so a
-- database dump alone reveals no secret. An organisation may have several providers (a chooser page offers them),
-- named uniquely within it.

ALTER TABLE sso_providers
    ADD COLUMN issuer            text,
    ADD COLUMN client_id         text,
    ADD COLUMN client_secret_ref text,
    ADD COLUMN allowed_domains   text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN auto_create       text    CHECK (auto_create IN ('member')),
    ADD COLUMN email_vouched     boolean NOT NULL DEFAULT false,
    ADD COLUMN last_sign_in_at   timestamptz,
    ADD COLUMN updated_by        text;

-- Providers made before version 5 carried no issuer: they stay (disabled, so nothing signs in with them), and an OIDC
-- one is completed by `gatehouse-admin sso provider remove` and `add` again.
UPDATE sso_providers SET enabled = false, provider_type = provider_type || '-unconfigured'
    WHERE issuer IS NULL AND provider_type = 'oidc';

ALTER TABLE sso_providers
    ADD CONSTRAINT sso_providers_oidc_complete CHECK (provider_type <> 'oidc' OR (issuer IS NOT NULL AND client_id IS NOT NULL
        AND client_secret_ref IS NOT NULL)),
    ADD CONSTRAINT sso_providers_secret_ref CHECK (client_secret_ref IS NULL OR client_secret_ref ~ '^(file:/|env:[A-Za-z_][A-Za-z0-9_]*$)'),
    ADD CONSTRAINT sso_providers_name_nonblank CHECK (length(btrim(name)) > 0),
    DROP CONSTRAINT sso_providers_org_id_provider_type_key,
    ADD CONSTRAINT sso_providers_org_id_name_key UNIQUE (org_id, name);

-- When an account last signed in through a provider (the "admins who never signed in" warning, sso require).
ALTER TABLE accounts ADD COLUMN last_sign_in_at timestamptz;
