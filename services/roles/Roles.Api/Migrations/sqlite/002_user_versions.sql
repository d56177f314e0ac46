-- The SQLite twin of postgres/002_user_versions.sql: the last user version roles applied per user (user.deleted.v1,
-- user.restored.v1), so a late user.deleted cannot undo a restore. Booleans are INTEGER 0/1.
CREATE TABLE user_versions (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
) WITHOUT ROWID;
