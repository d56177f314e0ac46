-- The users service's own tables. Every row carries tenant_id and every key starts with it: no query ever crosses
-- tenants. Times are integer microseconds since the Unix epoch (UTC); ids are text UUIDs.

-- Projection of the org units users point at. Filled at write time from the snapshot the edge sends, later by
-- orgunits events. version is the orgunits aggregate version when known (events, or a snapshot that carries one);
-- NULL means "only write-time knowledge". A versioned fact is only replaced by a higher version, never by an
-- unversioned snapshot (see docs/users-service.md, "org unit projection rule").
CREATE TABLE org_units (
    tenant_id   TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    enabled     BOOLEAN NOT NULL,
    version     BIGINT  NULL,
    observed_at BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- The managed job-title picklist: one row per case-insensitive title; title keeps the first spelling seen.
CREATE TABLE job_titles (
    tenant_id  TEXT   NOT NULL,
    title_norm TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    created    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, title_norm)
);

-- Exact totalResults for unfiltered lists without COUNT(*) over a million rows: the number of non-deleted users,
-- maintained in the same transaction as every create, revive and delete.
CREATE TABLE tenant_user_counts (
    tenant_id TEXT   NOT NULL PRIMARY KEY,
    users     BIGINT NOT NULL
);

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
    active             BOOLEAN NOT NULL,
    user_type          TEXT    NULL,
    access_type        TEXT    NOT NULL,
    is_manager         BOOLEAN NOT NULL,
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
    deleted            BOOLEAN NOT NULL,
    version            BIGINT  NOT NULL,
    created            BIGINT  NOT NULL,
    last_modified      BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_person_unique UNIQUE (tenant_id, person_id),
    CONSTRAINT users_access_type_check CHECK (access_type IN ('full', 'agoOnly'))
);

-- userName is unique per tenant among users SCIM can see; a SCIM-deleted user keeps its name so a later POST of the
-- same userName can bring it back (users_deleted_name finds it).
CREATE UNIQUE INDEX users_name_live ON users (tenant_id, user_name_norm) WHERE NOT deleted;
CREATE INDEX users_deleted_name ON users (tenant_id, user_name_norm) WHERE deleted;
CREATE INDEX users_external_id ON users (tenant_id, external_id) WHERE NOT deleted;
-- The default list order (created, id) as a keyset-pageable index.
CREATE INDEX users_created ON users (tenant_id, created, id) WHERE NOT deleted;

-- The Person Register record of each user, strictly 1:1: persons.user_id references users, and users.person_id
-- references persons with a deferred check, so neither row can commit without the other.
CREATE TABLE persons (
    tenant_id       TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    forename        TEXT    NOT NULL,
    surname         TEXT    NOT NULL,
    email           TEXT    NULL,
    job_title       TEXT    NULL,
    default_unit_id TEXT    NOT NULL,
    is_current      BOOLEAN NOT NULL,
    reference       TEXT    NOT NULL,
    phone           TEXT    NULL,
    mobile          TEXT    NULL,
    version         BIGINT  NOT NULL,
    created         BIGINT  NOT NULL,
    last_modified   BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT persons_user_unique UNIQUE (tenant_id, user_id),
    CONSTRAINT persons_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

ALTER TABLE users ADD CONSTRAINT users_person_fk FOREIGN KEY (tenant_id, person_id)
    REFERENCES persons (tenant_id, id) DEFERRABLE INITIALLY DEFERRED;

-- All of a user's addresses; value_norm (lower-invariant) makes `emails.value eq` an index lookup.
CREATE TABLE user_emails (
    tenant_id  TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    ordinal    INTEGER NOT NULL,
    value      TEXT    NOT NULL,
    value_norm TEXT    NOT NULL,
    type       TEXT    NULL,
    is_primary BOOLEAN NOT NULL,
    PRIMARY KEY (tenant_id, user_id, ordinal),
    CONSTRAINT user_emails_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE INDEX user_emails_value ON user_emails (tenant_id, value_norm);

-- Projection of each user's roles, filled by role-membership events. source_version is the producer's version of
-- the fact; a removal is kept as a tombstone (removed = true) so a late "added" cannot resurrect it.
CREATE TABLE user_roles (
    tenant_id      TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    role_id        TEXT    NOT NULL,
    role_display   TEXT    NOT NULL,
    removed        BOOLEAN NOT NULL,
    source_version BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, user_id, role_id)
);

-- A role rename touches every membership row of the role.
CREATE INDEX user_roles_role ON user_roles (tenant_id, role_id);
