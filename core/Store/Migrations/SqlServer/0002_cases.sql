-- Cases (component "servicehall", version 2), T-SQL for the SQL Server store provider.
-- Same tables as ../0002_cases.sql (SQLite); see that file for what each column holds. Times stay ISO 8601 text,
-- as on every node, so that a row reads the same in any store and text order is time order.

CREATE TABLE cases (
    number          NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    item_code       NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
    applicant_name  NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    id_number       NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    phone           NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NULL,
    intake_node     NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    scope           NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    submitted_at    NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    channel         NVARCHAR(20)  COLLATE Latin1_General_100_BIN2 NOT NULL
);

CREATE TABLE case_events (
    id               NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    case_number      NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
    kind             NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    node_id          NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    actor_user       NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    actor_department NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    at               NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    order_key        BIGINT        NOT NULL,
    payload          NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    scope            NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL
);
CREATE INDEX ix_case_events_case ON case_events (case_number, order_key, id);

CREATE TABLE case_view (
    number         NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    item_code      NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
    intake_node    NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    township       NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    status         NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    deciding_level BIGINT        NOT NULL,
    deciding_node  NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    holder         NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    accepted_at    NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    decided_at     NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    due_date       NVARCHAR(10)  COLLATE Latin1_General_100_BIN2 NULL,
    on_time        BIGINT        NOT NULL,
    near_due       BIGINT        NOT NULL,
    overdue        BIGINT        NOT NULL,
    rating         BIGINT        NULL,
    has_conflict   BIGINT        NOT NULL,
    submitted_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    refreshed_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL
);
CREATE INDEX ix_case_view_status ON case_view (status, submitted_at);

CREATE TABLE case_counters (
    node_id NVARCHAR(40) COLLATE Latin1_General_100_BIN2 NOT NULL,
    day     NVARCHAR(8)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    last    BIGINT       NOT NULL,
    CONSTRAINT pk_case_counters PRIMARY KEY (node_id, day)
);
