-- Tenants are chosen by the operator (slug ids); API keys are stored only as the SHA-256 digest of the secret.
CREATE TABLE tenants (
    id               TEXT PRIMARY KEY,
    display_name     TEXT NOT NULL,
    default_language TEXT NOT NULL,
    time_zone        TEXT NOT NULL,
    date_format      TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    title         TEXT NOT NULL,
    description   TEXT NULL,
    secret_digest TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT NULL,
    last_used_at  BIGINT NULL
);

-- Every SCIM request finds its key by digest: the one lookup on the hot path.
CREATE UNIQUE INDEX ux_api_keys_secret_digest ON api_keys (secret_digest);

-- Titles are unique per tenant, ignoring case, among keys still in use (a revoked title can be reused when rotating).
CREATE UNIQUE INDEX ux_api_keys_active_title ON api_keys (tenant_id, lower(title)) WHERE revoked_at IS NULL;

CREATE INDEX ix_api_keys_tenant ON api_keys (tenant_id, created_at);
