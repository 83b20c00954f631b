-- Cases (办件): an immutable header and an append-only history of events, both synced in the case's scope
-- (the intake node's scope path), so a case flows up to the township and the city and back down to the intake node.
CREATE TABLE cases (
    number          TEXT NOT NULL PRIMARY KEY,   -- e.g. t01-v01-20261127-0007
    item_code       TEXT NOT NULL,
    applicant_name  TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    phone           TEXT NULL,
    intake_node     TEXT NOT NULL,
    scope           TEXT NOT NULL,               -- intake node's scope path; the sync scope of the case's rows
    submitted_at    TEXT NOT NULL,               -- ISO 8601 with offset
    channel         TEXT NOT NULL                -- Window | Online
);

CREATE TABLE case_events (
    id               TEXT    NOT NULL PRIMARY KEY, -- node id + time-ordered GUID
    case_number      TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    node_id          TEXT    NOT NULL,
    actor_user       TEXT    NOT NULL,
    actor_department TEXT    NOT NULL,
    at               TEXT    NOT NULL,             -- ISO 8601 with offset
    order_key        INTEGER NOT NULL,             -- HLC of the writing node; history order is (order_key, id)
    payload          TEXT    NOT NULL,             -- JSON of the kind-specific fields
    scope            TEXT    NOT NULL              -- the case's scope
);
CREATE INDEX ix_case_events_case ON case_events (case_number, order_key, id);

-- Local, never synced: each case's derived state, refreshed in the same transaction as every local write and
-- every applied sync batch, for listing and filtering. Time-dependent flags are as of refreshed_at.
CREATE TABLE case_view (
    number         TEXT    NOT NULL PRIMARY KEY,
    item_code      TEXT    NOT NULL,
    intake_node    TEXT    NOT NULL,
    township       TEXT    NULL,                   -- township on the case's path; null for a case taken at the city
    status         TEXT    NOT NULL,
    deciding_level INTEGER NOT NULL,
    deciding_node  TEXT    NULL,
    holder         TEXT    NOT NULL,
    accepted_at    TEXT    NULL,
    decided_at     TEXT    NULL,
    due_date       TEXT    NULL,                   -- yyyy-MM-dd
    on_time        INTEGER NOT NULL,
    near_due       INTEGER NOT NULL,
    overdue        INTEGER NOT NULL,
    rating         INTEGER NULL,
    has_conflict   INTEGER NOT NULL,
    submitted_at   TEXT    NOT NULL,
    refreshed_at   TEXT    NOT NULL
);
CREATE INDEX ix_case_view_status ON case_view (status, submitted_at);

-- Local, never synced: the per-node daily counter behind case numbers.
CREATE TABLE case_counters (
    node_id TEXT    NOT NULL,
    day     TEXT    NOT NULL,                      -- yyyyMMdd, local date
    last    INTEGER NOT NULL,
    PRIMARY KEY (node_id, day)
);
