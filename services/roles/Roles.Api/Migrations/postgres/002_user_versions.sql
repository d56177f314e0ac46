-- The last users-service version roles has applied for each user it heard of (user.deleted.v1, user.restored.v1),
-- so those events apply only if newer: a SCIM DELETE then POST of the same userName brings the same user id back,
-- and a late user.deleted must not remove the memberships given after the restore. One row per user ever deleted or
-- restored; never purged (it must outlive every redelivery, and is small).
CREATE TABLE user_versions (
    tenant_id  TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL,
    version    BIGINT NOT NULL,
    deleted    BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
