-- Roles, their per-module permissions and their memberships, per tenant. Booleans are INTEGER 0/1.

CREATE TABLE roles (
    tenant_id         TEXT NOT NULL,
    id                TEXT NOT NULL,
    name              TEXT NOT NULL,
    external_id       TEXT NULL,
    -- external_id upper-cased (invariant culture) in the service: uniqueness and SCIM displayName matching are
    -- case-insensitive (SQLite's NOCASE folds ASCII only, so the service folds instead, the same way on both engines).
    external_id_norm  TEXT NULL,
    group_external_id TEXT NULL,
    origin            TEXT NOT NULL CHECK (origin IN ('admin', 'scim')),
    scim_linked       INTEGER NOT NULL DEFAULT 0 CHECK (scim_linked IN (0, 1)),
    scim_detached     INTEGER NOT NULL DEFAULT 0 CHECK (scim_detached IN (0, 1)),
    version           INTEGER NOT NULL,
    created           INTEGER NOT NULL,
    last_modified     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK ((external_id IS NULL) = (external_id_norm IS NULL))
) WITHOUT ROWID;

CREATE UNIQUE INDEX roles_external_id_norm ON roles (tenant_id, external_id_norm) WHERE external_id_norm IS NOT NULL;
CREATE INDEX roles_created ON roles (tenant_id, created, id);
CREATE INDEX roles_group_external_id ON roles (tenant_id, group_external_id) WHERE group_external_id IS NOT NULL;

CREATE TABLE role_permissions (
    tenant_id TEXT NOT NULL,
    role_id   TEXT NOT NULL,
    module    TEXT NOT NULL,
    access    TEXT NOT NULL CHECK (access IN ('Allow', 'Deny', 'Inherit')),
    PRIMARY KEY (tenant_id, role_id, module),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE memberships (
    tenant_id TEXT NOT NULL,
    role_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('scim', 'admin')),
    created   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, role_id, user_id),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- A user's roles, and the later user.deleted consumer that drops every membership of one user.
CREATE INDEX memberships_user ON memberships (tenant_id, user_id);
