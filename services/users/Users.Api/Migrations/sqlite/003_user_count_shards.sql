-- See postgres/003_user_count_shards.sql. SQLite cannot change a primary key in place, so the table is rebuilt.
CREATE TABLE tenant_user_counts_sharded (
    tenant_id TEXT    NOT NULL,
    shard     INTEGER NOT NULL,
    users     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, shard)
);
INSERT INTO tenant_user_counts_sharded (tenant_id, shard, users) SELECT tenant_id, 0, users FROM tenant_user_counts;
DROP TABLE tenant_user_counts;
ALTER TABLE tenant_user_counts_sharded RENAME TO tenant_user_counts;
