-- The transactional outbox: one row per event, written in the same transaction as the change it announces.
-- id is the CloudEvent id; times are microseconds since the Unix epoch (UTC).
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    aggregate_version BIGINT NOT NULL,
    payload TEXT NOT NULL,
    traceparent TEXT NULL,
    occurred_at BIGINT NOT NULL,
    published_at BIGINT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claim_token TEXT NULL,
    last_error TEXT NULL
);

-- The relay's claim query: unpublished rows that are due, oldest first.
CREATE INDEX outbox_pending ON outbox (next_attempt_at, occurred_at) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Direct mode only: which subscriber already has which event (delivered or dropped), so a retry for one
-- subscriber that is down does not send duplicates to the healthy ones.
CREATE TABLE outbox_deliveries (
    event_id TEXT NOT NULL,
    subscriber TEXT NOT NULL,
    topic TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NULL,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, subscriber, topic)
);

-- Idempotent consumers: an event id is processed at most once per consumer.
CREATE TABLE inbox (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    processed_at BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

CREATE INDEX inbox_processed ON inbox (processed_at);

-- Events a subscriber gave up on (DROP), kept for operators: filled by the dead-letter topic subscription.
CREATE TABLE dead_letters (
    consumer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    type TEXT NOT NULL,
    source TEXT NULL,
    data TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
