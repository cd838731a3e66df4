-- Outlier warnings the user confirmed with a comment. A confirmation holds for the
-- value it was given for; a later, different value is checked afresh. Append-only:
-- the newest confirmation of a cell is the one that counts, older ones stay as history.

CREATE TABLE outlier_confirmations (
    id        INTEGER PRIMARY KEY,
    plan_id   TEXT NOT NULL,
    form      TEXT NOT NULL,
    org_code  TEXT NOT NULL REFERENCES org_units (code),
    period    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    field     TEXT NOT NULL,
    value,
    comment   TEXT NOT NULL,
    change_id INTEGER NOT NULL REFERENCES changes (id)
);
CREATE INDEX outlier_confirmations_by_cell
    ON outlier_confirmations (plan_id, form, period, org_code, subject, field);

CREATE TRIGGER outlier_confirmations_never_deleted BEFORE DELETE ON outlier_confirmations
BEGIN
    SELECT RAISE(ABORT, 'confirmations are kept, never deleted');
END;

CREATE TRIGGER outlier_confirmations_append_only BEFORE UPDATE ON outlier_confirmations
BEGIN
    SELECT RAISE(ABORT, 'confirmations are append-only');
END;
