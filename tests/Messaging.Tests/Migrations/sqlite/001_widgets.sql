-- The producer's business table.
CREATE TABLE widgets (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    total INTEGER NOT NULL
);

-- The consumer's projection of widgets: newest version wins; a delete leaves a tombstone.
CREATE TABLE widget_projection (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    total INTEGER NOT NULL,
    deleted_at INTEGER NULL
);

-- The consumer's count of processed events per widget: not idempotent by itself, so a duplicate would show.
CREATE TABLE widget_effects (
    id TEXT PRIMARY KEY,
    processed INTEGER NOT NULL
);
