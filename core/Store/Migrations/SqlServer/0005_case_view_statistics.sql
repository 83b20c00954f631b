-- case_view for aggregated statistics (component "servicehall", version 5), T-SQL for the SQL Server store provider.
-- Same step as ../0005_case_view_statistics.sql (SQLite).
ALTER TABLE case_view ADD
    decided_on_the_spot  BIGINT       NOT NULL CONSTRAINT df_case_view_on_the_spot DEFAULT 0,
    decided_within_three BIGINT       NOT NULL CONSTRAINT df_case_view_within_three DEFAULT 0,
    lead_department      NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NULL,
    derivation           BIGINT       NOT NULL CONSTRAINT df_case_view_derivation DEFAULT 0;

CREATE INDEX ix_case_view_live ON case_view (decided_at, accepted_at);

CREATE TABLE case_view_reviews (
    number        NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
    department    NVARCHAR(150) COLLATE Latin1_General_100_BIN2 NOT NULL,
    reviews       BIGINT        NOT NULL,
    answered_late BIGINT        NOT NULL,
    -- key of at most 900 bytes (SQL Server's limit): a case number of 300 characters and a department code of 150
    CONSTRAINT pk_case_view_reviews PRIMARY KEY (number, department)
);
