-- One row per SCIM request and per mutating admin request. Never a key, never a body (docs/operations.md).
-- tenant_id has no foreign key: a 401 has no tenant, and the record must outlive whatever it describes.
CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    occurred_at    INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    tenant_id      TEXT NULL,
    api_key_id     TEXT NULL,
    client         TEXT NULL,
    method         TEXT NOT NULL,
    route          TEXT NULL,
    resource_type  TEXT NULL,
    resource_id    TEXT NULL,
    status         INTEGER NOT NULL,
    scim_type      TEXT NULL,
    duration_us    INTEGER NOT NULL,
    correlation_id TEXT NOT NULL
);

-- The admin query: one tenant, newest first, keyset paging on (occurred_at, id).
CREATE INDEX ix_audit_log_tenant_time ON audit_log (tenant_id, occurred_at DESC, id DESC);

-- The retention purge deletes by age alone.
CREATE INDEX ix_audit_log_time ON audit_log (occurred_at);

-- Per-tenant override of the SCIM rate limit; NULL = the configured default.
ALTER TABLE tenants ADD COLUMN rate_limit_rps INTEGER NULL;
ALTER TABLE tenants ADD COLUMN rate_limit_burst INTEGER NULL;
