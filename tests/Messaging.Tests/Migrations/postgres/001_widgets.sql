-- The producer's business table.
CREATE TABLE widgets (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    total BIGINT NOT NULL
);

-- The consumer's projection of widgets: newest version wins; a delete leaves a tombstone.
CREATE TABLE widget_projection (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    total BIGINT NOT NULL,
    deleted_at BIGINT NULL
);

-- The consumer's count of processed events per widget: not idempotent by itself, so a duplicate would show.
CREATE TABLE widget_effects (
    id TEXT PRIMARY KEY,
    processed BIGINT NOT NULL
);
