-- The org unit tree of every tenant. Units are never deleted, only disabled. Path and depth are derived on read,
-- so a rename or move touches one row. Name and external id keep a normalised copy (NFC, lower-case, computed by
-- the service) so case-insensitive comparisons are plain indexed equality on both engines.
CREATE TABLE org_units (
    tenant_id        TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    name_norm        TEXT    NOT NULL,
    external_id      TEXT    NULL,
    external_id_norm TEXT    NULL,
    parent_id        TEXT    NULL,
    enabled          BOOLEAN NOT NULL,
    version          INTEGER NOT NULL,
    created_at       BIGINT  NOT NULL,
    last_modified    BIGINT  NOT NULL,
    CONSTRAINT pk_org_units PRIMARY KEY (tenant_id, id),
    CONSTRAINT fk_org_units_parent FOREIGN KEY (tenant_id, parent_id) REFERENCES org_units (tenant_id, id),
    CONSTRAINT ck_org_units_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id),
    CONSTRAINT ck_org_units_root_enabled CHECK (parent_id IS NOT NULL OR enabled),
    CONSTRAINT ck_org_units_external_id_pair CHECK ((external_id IS NULL) = (external_id_norm IS NULL))
);

-- SCIM resolves a user's department through this index on every user create/update.
CREATE UNIQUE INDEX ux_org_units_external_id ON org_units (tenant_id, external_id_norm) WHERE external_id_norm IS NOT NULL;

-- Exactly one root per tenant, even when two first units are created at once.
CREATE UNIQUE INDEX ux_org_units_root ON org_units (tenant_id) WHERE parent_id IS NULL;

CREATE INDEX ix_org_units_parent ON org_units (tenant_id, parent_id);
