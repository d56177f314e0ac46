-- tenant_user_counts had one row per tenant, updated by every create, revive and delete: each such transaction held
-- that row's lock until its commit (an fsync), so all concurrent creates of one tenant took turns through it. The
-- count is now split over shards (a writer picks one at random), and a total is their sum.
ALTER TABLE tenant_user_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE tenant_user_counts DROP CONSTRAINT tenant_user_counts_pkey;
ALTER TABLE tenant_user_counts ADD PRIMARY KEY (tenant_id, shard);
