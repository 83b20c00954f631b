-- Link health of every node as its parent sees it. Written only by the node's parent (one writer per row),
-- scoped to the node, so it flows up to the city: the city's dashboard shows every station's last contact
-- and since when it has been offline, even for villages it never talks to directly.
CREATE TABLE node_links (
    node_id       TEXT NOT NULL PRIMARY KEY,
    scope         TEXT NOT NULL,
    parent_id     TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('online', 'offline', 'never')),
    last_contact  TEXT NULL,
    offline_since TEXT NULL,
    last_error    TEXT NULL,
    reported_at   TEXT NOT NULL
);
