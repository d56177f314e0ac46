-- The SQLite twin of postgres/001_users.sql (same tables, keys and indexes; booleans are INTEGER 0/1).
-- Comments on the meaning of each table live in the PostgreSQL file and docs/users-service.md.

CREATE TABLE org_units (
    tenant_id   TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    enabled     INTEGER NOT NULL,
    version     INTEGER NULL,
    observed_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE job_titles (
    tenant_id  TEXT    NOT NULL,
    title_norm TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, title_norm)
);

CREATE TABLE tenant_user_counts (
    tenant_id TEXT    NOT NULL PRIMARY KEY,
    users     INTEGER NOT NULL
);

-- SQLite checks foreign keys when rows change, so users may name persons before that table exists; the deferred
-- check lets the user row and its person row be inserted in either order inside one transaction. users_person_unique
-- is also the index SQLite needs to resolve a pending deferred violation when the person row arrives (without it
-- every person insert would scan users).
CREATE TABLE users (
    tenant_id          TEXT    NOT NULL,
    id                 TEXT    NOT NULL,
    person_id          TEXT    NOT NULL,
    user_name          TEXT    NOT NULL,
    user_name_norm     TEXT    NOT NULL,
    external_id        TEXT    NULL,
    display_name       TEXT    NULL,
    given_name         TEXT    NOT NULL,
    family_name        TEXT    NOT NULL,
    middle_name        TEXT    NULL,
    honorific_prefix   TEXT    NULL,
    honorific_suffix   TEXT    NULL,
    formatted_name     TEXT    NULL,
    email              TEXT    NULL,
    active             INTEGER NOT NULL,
    user_type          TEXT    NULL,
    access_type        TEXT    NOT NULL,
    is_manager         INTEGER NOT NULL,
    preferred_language TEXT    NOT NULL,
    locale             TEXT    NULL,
    time_zone          TEXT    NOT NULL,
    date_format        TEXT    NOT NULL,
    title              TEXT    NULL,
    default_unit_id    TEXT    NOT NULL,
    employee_number    TEXT    NULL,
    person_reference   TEXT    NULL,
    work_phone         TEXT    NULL,
    mobile_phone       TEXT    NULL,
    attributes         TEXT    NULL,
    deleted            INTEGER NOT NULL,
    version            INTEGER NOT NULL,
    created            INTEGER NOT NULL,
    last_modified      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_person_unique UNIQUE (tenant_id, person_id),
    CONSTRAINT users_access_type_check CHECK (access_type IN ('full', 'agoOnly')),
    CONSTRAINT users_person_fk FOREIGN KEY (tenant_id, person_id)
        REFERENCES persons (tenant_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE UNIQUE INDEX users_name_live ON users (tenant_id, user_name_norm) WHERE NOT deleted;
CREATE INDEX users_deleted_name ON users (tenant_id, user_name_norm) WHERE deleted;
CREATE INDEX users_external_id ON users (tenant_id, external_id) WHERE NOT deleted;
CREATE INDEX users_created ON users (tenant_id, created, id) WHERE NOT deleted;

CREATE TABLE persons (
    tenant_id       TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    forename        TEXT    NOT NULL,
    surname         TEXT    NOT NULL,
    email           TEXT    NULL,
    job_title       TEXT    NULL,
    default_unit_id TEXT    NOT NULL,
    is_current      INTEGER NOT NULL,
    reference       TEXT    NOT NULL,
    phone           TEXT    NULL,
    mobile          TEXT    NULL,
    version         INTEGER NOT NULL,
    created         INTEGER NOT NULL,
    last_modified   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT persons_user_unique UNIQUE (tenant_id, user_id),
    CONSTRAINT persons_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE TABLE user_emails (
    tenant_id  TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    ordinal    INTEGER NOT NULL,
    value      TEXT    NOT NULL,
    value_norm TEXT    NOT NULL,
    type       TEXT    NULL,
    is_primary INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, ordinal),
    CONSTRAINT user_emails_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE INDEX user_emails_value ON user_emails (tenant_id, value_norm);

CREATE TABLE user_roles (
    tenant_id      TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    role_id        TEXT    NOT NULL,
    role_display   TEXT    NOT NULL,
    removed        INTEGER NOT NULL,
    source_version INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role_id)
);

CREATE INDEX user_roles_role ON user_roles (tenant_id, role_id);
