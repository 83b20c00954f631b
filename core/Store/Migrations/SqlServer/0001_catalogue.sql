-- Catalogue tables (component "servicehall", version 1), T-SQL for the SQL Server store provider.
-- Same tables, columns and constraints as ../0001_catalogue.sql (SQLite); see that file for what each holds.
-- Text is NVARCHAR with the binary collation Latin1_General_100_BIN2, so comparisons and ordering are ordinal
-- as in SQLite; key and indexed columns are bounded (index keys hold at most 900 bytes), the rest NVARCHAR(MAX).
-- SQLite INTEGER is BIGINT here: the sync engine moves every integer as a 64-bit value.

CREATE TABLE departments (
    code    NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    name    NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    name_en NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL
);

CREATE TABLE items (
    code                NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    name                NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    name_en             NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    category            NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    lead_department     NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
    handling_level      NVARCHAR(20)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (handling_level IN ('city', 'township', 'village')),
    legal_basis         NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    conditions          NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    materials           NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL DEFAULT '[]',
    legal_limit_days    BIGINT        NOT NULL CHECK (legal_limit_days >= 0),
    promised_limit_days BIGINT        NOT NULL CHECK (promised_limit_days >= 0),
    fees                NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    review_departments  NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL DEFAULT '[]',
    review_rule         NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (review_rule IN ('none', 'all_must_approve', 'lead_decides')),
    on_the_spot         BIGINT        NOT NULL CHECK (on_the_spot IN (0, 1)),
    silent_consent      BIGINT        NOT NULL CHECK (silent_consent IN (0, 1)),
    review_limit_days   BIGINT        NOT NULL CHECK (review_limit_days >= 0),
    service_location    NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    phone               NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    online_pre_review   BIGINT        NOT NULL CHECK (online_pre_review IN (0, 1))
);
CREATE INDEX ix_items_handling_level ON items (handling_level, code);

CREATE TABLE calendar_days (
    date    NVARCHAR(10)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    working BIGINT        NOT NULL CHECK (working IN (0, 1)),
    name    NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL
);

CREATE TABLE nodes (
    id        NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    level     NVARCHAR(20)  COLLATE Latin1_General_100_BIN2 NOT NULL CHECK (level IN ('city', 'township', 'village')),
    parent_id NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    name      NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    scope     NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL UNIQUE
);
CREATE INDEX ix_nodes_parent ON nodes (parent_id, id);

CREATE TABLE agencies (
    code    NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    name    NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    service NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL
);
