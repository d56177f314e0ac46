-- The SQLite twin of postgres/002_org_unit_external_id_nullable.sql. SQLite cannot drop a NOT NULL constraint in
-- place, so the table is rebuilt (its documented procedure): same columns and key, external_id nullable, rows copied.
-- No index, trigger, view or foreign key refers to org_units.
CREATE TABLE org_units_002 (
    tenant_id   TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    external_id TEXT    NULL,
    name        TEXT    NOT NULL,
    enabled     INTEGER NOT NULL,
    version     INTEGER NULL,
    observed_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

INSERT INTO org_units_002 (tenant_id, id, external_id, name, enabled, version, observed_at)
SELECT tenant_id, id, external_id, name, enabled, version, observed_at FROM org_units;

DROP TABLE org_units;

ALTER TABLE org_units_002 RENAME TO org_units;
