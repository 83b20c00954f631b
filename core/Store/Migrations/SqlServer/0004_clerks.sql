-- Clerks (component "servicehall", version 4), T-SQL for the SQL Server store provider. Same table as
-- ../0004_clerks.sql (SQLite): per-clerk credentials with role, node and department, written at the city by a city
-- administrator and synced down scoped to the clerk's node. The secret is never stored: PBKDF2-HMAC-SHA256 with a
-- per-clerk salt.
CREATE TABLE clerks (
    id                NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    node_id           NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    scope             NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    department        NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    role              NVARCHAR(20)  COLLATE Latin1_General_100_BIN2 NOT NULL
        CHECK (role IN ('window', 'reviewer', 'manager', 'operator', 'administrator')),
    name              NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    disabled          BIGINT        NOT NULL,
    secret_salt       NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    secret_hash       NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    secret_iterations BIGINT        NOT NULL,
    updated_at        NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL
);
