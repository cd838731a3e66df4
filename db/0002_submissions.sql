-- Imported submissions: one row per revision of an org unit's workbook for a period.
-- A corrected re-submission becomes the next revision; earlier ones are kept.

CREATE TABLE submissions (
    id            INTEGER PRIMARY KEY,
    plan_id       TEXT NOT NULL,
    plan_version  TEXT NOT NULL,
    org_code      TEXT NOT NULL REFERENCES org_units (code),
    period        TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    -- Fingerprint of the data as imported, and the one the exporting program wrote.
    data_sha256   TEXT NOT NULL,
    export_sha256 TEXT,
    imported_at   TEXT NOT NULL,
    values_changed INTEGER NOT NULL,
    change_id     INTEGER NOT NULL REFERENCES changes (id),
    UNIQUE (plan_id, org_code, period, revision)
);
CREATE INDEX submissions_by_file ON submissions (file_sha256);

CREATE TRIGGER submissions_never_deleted BEFORE DELETE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submissions are kept, never deleted');
END;

CREATE TRIGGER submissions_append_only BEFORE UPDATE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submissions are append-only');
END;
