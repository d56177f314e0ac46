-- Roles, their per-module permissions and their memberships, per tenant.
-- Text columns that are compared or sorted use the "C" collation so ordering is byte order, as on SQLite.

CREATE TABLE roles (
    tenant_id         TEXT COLLATE "C" NOT NULL,
    id                TEXT COLLATE "C" NOT NULL,
    name              TEXT NOT NULL,
    external_id       TEXT NULL,
    -- external_id upper-cased (invariant culture) in the service: uniqueness and SCIM displayName matching are
    -- case-insensitive, and a plain column compares the same way on both engines (no citext, no ICU).
    external_id_norm  TEXT COLLATE "C" NULL,
    group_external_id TEXT COLLATE "C" NULL,
    origin            TEXT NOT NULL CHECK (origin IN ('admin', 'scim')),
    scim_linked       BOOLEAN NOT NULL DEFAULT FALSE,
    scim_detached     BOOLEAN NOT NULL DEFAULT FALSE,
    version           BIGINT NOT NULL,
    created           BIGINT NOT NULL,
    last_modified     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK ((external_id IS NULL) = (external_id_norm IS NULL))
);

CREATE UNIQUE INDEX roles_external_id_norm ON roles (tenant_id, external_id_norm) WHERE external_id_norm IS NOT NULL;
CREATE INDEX roles_created ON roles (tenant_id, created, id);
CREATE INDEX roles_group_external_id ON roles (tenant_id, group_external_id) WHERE group_external_id IS NOT NULL;

CREATE TABLE role_permissions (
    tenant_id TEXT COLLATE "C" NOT NULL,
    role_id   TEXT COLLATE "C" NOT NULL,
    module    TEXT COLLATE "C" NOT NULL,
    access    TEXT NOT NULL CHECK (access IN ('Allow', 'Deny', 'Inherit')),
    PRIMARY KEY (tenant_id, role_id, module),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE memberships (
    tenant_id TEXT COLLATE "C" NOT NULL,
    role_id   TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('scim', 'admin')),
    created   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, role_id, user_id),
    FOREIGN KEY (tenant_id, role_id) REFERENCES roles (tenant_id, id) ON DELETE CASCADE
);

-- A user's roles, and the later user.deleted consumer that drops every membership of one user.
CREATE INDEX memberships_user ON memberships (tenant_id, user_id);
