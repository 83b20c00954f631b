-- Link health of every node as its parent sees it (component "servicehall", version 3), T-SQL for the SQL Server
-- store provider. Same table as ../0003_node_links.sql (SQLite).
CREATE TABLE node_links (
    node_id       NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    scope         NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    parent_id     NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    state         NVARCHAR(20)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (state IN ('online', 'offline', 'never')),
    last_contact  NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    offline_since NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    last_error    NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NULL,
    reported_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL
);
