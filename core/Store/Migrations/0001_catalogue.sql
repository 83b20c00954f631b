-- Catalogue tables (component "servicehall", version 1).
-- Written at the city, synced down to every node (SyncDirection.DownOnly, global).
-- Each table has one TEXT primary key: the sync engine keys rows by it.
-- No foreign keys between these tables on purpose: the engine applies a batch of rows in
-- one transaction but a batch may hold an item before the department it names, and
-- PRAGMA foreign_keys=ON would refuse it. Reference rules are checked in code instead
-- (CatalogueRepository.RegisterNode, the seed tests).
-- Enumerations are stored as lower-case text so that a row reads the same in any store.

-- Departments (部门) stationed at the hall.
CREATE TABLE departments (
    code    TEXT NOT NULL PRIMARY KEY,
    name    TEXT NOT NULL,
    name_en TEXT NOT NULL
);

-- Service items (事项) with their full service guide (办事指南).
-- materials: JSON array of {"name","copies","original","required"};
-- review_departments: JSON array of department codes.
CREATE TABLE items (
    code                TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL,
    name_en             TEXT    NOT NULL,
    category            TEXT    NOT NULL,
    lead_department     TEXT    NOT NULL,
    handling_level      TEXT    NOT NULL CHECK (handling_level IN ('city', 'township', 'village')),
    legal_basis         TEXT    NOT NULL,
    conditions          TEXT    NOT NULL,
    materials           TEXT    NOT NULL DEFAULT '[]',
    legal_limit_days    INTEGER NOT NULL CHECK (legal_limit_days >= 0),
    promised_limit_days INTEGER NOT NULL CHECK (promised_limit_days >= 0),
    fees                TEXT    NOT NULL,
    review_departments  TEXT    NOT NULL DEFAULT '[]',
    review_rule         TEXT    NOT NULL CHECK (review_rule IN ('none', 'all_must_approve', 'lead_decides')),
    on_the_spot         INTEGER NOT NULL CHECK (on_the_spot IN (0, 1)),
    silent_consent      INTEGER NOT NULL CHECK (silent_consent IN (0, 1)),
    review_limit_days   INTEGER NOT NULL CHECK (review_limit_days >= 0),
    service_location    TEXT    NOT NULL,
    phone               TEXT    NOT NULL,
    online_pre_review   INTEGER NOT NULL CHECK (online_pre_review IN (0, 1))
);
CREATE INDEX ix_items_handling_level ON items (handling_level, code);

-- Exceptions to the Monday–Friday working week: days off (放假) and make-up working days (调休上班).
-- date is ISO 8601 yyyy-MM-dd, so text order is date order.
CREATE TABLE calendar_days (
    date    TEXT    NOT NULL PRIMARY KEY,
    working INTEGER NOT NULL CHECK (working IN (0, 1)),
    name    TEXT    NOT NULL
);

-- The node registry: which township each village belongs to, and every node's scope path.
CREATE TABLE nodes (
    id        TEXT NOT NULL PRIMARY KEY,
    level     TEXT NOT NULL CHECK (level IN ('city', 'township', 'village')),
    parent_id TEXT NULL,
    name      TEXT NOT NULL,
    scope     TEXT NOT NULL UNIQUE
);
CREATE INDEX ix_nodes_parent ON nodes (parent_id, id);

-- Intermediary agencies (中介机构).
CREATE TABLE agencies (
    code    TEXT NOT NULL PRIMARY KEY,
    name    TEXT NOT NULL,
    service TEXT NOT NULL
);
