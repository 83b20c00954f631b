-- Clerks (component "servicehall", version 4): per-clerk credentials with role, node and department.
-- Written at the city by a city administrator and synced down (SyncDirection.DownOnly) scoped to the clerk's node,
-- so every node on the path from the city to that node can authenticate the clerk while its uplink is down, and no
-- other node holds the row. The secret is never stored: PBKDF2-HMAC-SHA256 with a per-clerk salt.
CREATE TABLE clerks (
    id                TEXT    NOT NULL PRIMARY KEY,  -- login id, e.g. window@t01-v01
    node_id           TEXT    NOT NULL,              -- the node the clerk works at
    scope             TEXT    NOT NULL,              -- that node's scope path; the sync scope of the row
    department        TEXT    NOT NULL,              -- department code recorded on the clerk's case events
    role              TEXT    NOT NULL CHECK (role IN ('window', 'reviewer', 'manager', 'operator', 'administrator')),
    name              TEXT    NOT NULL,
    disabled          INTEGER NOT NULL,              -- 1: refused at sign-in
    secret_salt       TEXT    NOT NULL,              -- base64, 16 random bytes
    secret_hash       TEXT    NOT NULL,              -- base64, 32 bytes of PBKDF2-HMAC-SHA256
    secret_iterations INTEGER NOT NULL,
    updated_at        TEXT    NOT NULL               -- ISO 8601 with offset
);
