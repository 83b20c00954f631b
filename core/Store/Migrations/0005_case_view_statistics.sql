-- The dashboard aggregates case_view in SQL instead of re-deriving every case per call: the view keeps the
-- time-independent figures of each case (decided on the spot / within 3 working days, lead department) and its
-- required reviews. Local, never synced, refreshed with every case write and every applied batch as before.
-- derivation: the version of the derivation that wrote the row (CaseStoreSql.Derivation); rows from before this step
-- hold 0 and are derived per call by the statistics until they are rewritten.
ALTER TABLE case_view ADD COLUMN decided_on_the_spot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_view ADD COLUMN decided_within_three INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_view ADD COLUMN lead_department TEXT NULL;
ALTER TABLE case_view ADD COLUMN derivation INTEGER NOT NULL DEFAULT 0;

-- Accepted and not decided: the cases whose flags move with the clock, derived per call.
CREATE INDEX ix_case_view_live ON case_view (decided_at, accepted_at);

-- One row per (case, required review department): how many opinions the item requires of it and how many were
-- given after their limit (both fixed once the case is decided).
CREATE TABLE case_view_reviews (
    number        TEXT    NOT NULL,
    department    TEXT    NOT NULL,
    reviews       INTEGER NOT NULL,
    answered_late INTEGER NOT NULL,
    PRIMARY KEY (number, department)
);
