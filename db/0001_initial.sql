-- JLIP Desk store, first schema. Values are stored by plan, form, org unit, period,
-- subject and field id, so a new plan needs no new table. Nothing is ever deleted:
-- triggers refuse deletes and write every value change to history.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE org_units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    parent_code TEXT REFERENCES org_units (code),
    official    INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE INDEX org_units_parent ON org_units (parent_code);

CREATE TABLE plans (
    id        TEXT NOT NULL,
    version   TEXT NOT NULL,
    name      TEXT NOT NULL,
    source    TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

-- One row per action that changed data: a typed edit, an import, a restore, demo data.
CREATE TABLE changes (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    action        TEXT NOT NULL
                  CHECK (action IN ('typed', 'imported', 'restored', 'demo', 'system')),
    actor         TEXT NOT NULL DEFAULT '',
    source_file   TEXT,
    source_sha256 TEXT,
    note          TEXT
);

-- Registry records (stations, service points). Closed with a status, never deleted.
CREATE TABLE records (
    code       TEXT PRIMARY KEY,
    plan_id    TEXT NOT NULL,
    registry   TEXT NOT NULL,
    org_code   TEXT NOT NULL REFERENCES org_units (code),
    seq        INTEGER NOT NULL,
    demo       INTEGER NOT NULL DEFAULT 0,
    change_id  INTEGER NOT NULL REFERENCES changes (id),
    UNIQUE (org_code, registry, seq)
);
CREATE INDEX records_by_org ON records (plan_id, registry, org_code);

CREATE TRIGGER records_never_deleted BEFORE DELETE ON records
BEGIN
    SELECT RAISE(ABORT, 'records are closed, never deleted');
END;

-- Every value: registry attributes (period = ''), periodic figures (subject = record
-- code, item id, or '' for the org unit itself). value is declared without a type (no affinity) on purpose:
-- numbers stay numbers and text typed in error stays text, exactly as entered.
CREATE TABLE cells (
    id        INTEGER PRIMARY KEY,
    plan_id   TEXT NOT NULL,
    form      TEXT NOT NULL,
    org_code  TEXT NOT NULL REFERENCES org_units (code),
    period    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    field     TEXT NOT NULL,
    value,
    demo      INTEGER NOT NULL DEFAULT 0,
    change_id INTEGER NOT NULL REFERENCES changes (id),
    UNIQUE (plan_id, form, org_code, period, subject, field)
);
CREATE INDEX cells_by_period ON cells (plan_id, form, period, org_code);
CREATE INDEX cells_by_subject ON cells (plan_id, subject);

CREATE TABLE cell_history (
    id        INTEGER PRIMARY KEY,
    cell_id   INTEGER NOT NULL REFERENCES cells (id),
    old_value,
    new_value,
    change_id INTEGER NOT NULL REFERENCES changes (id)
);
CREATE INDEX cell_history_by_cell ON cell_history (cell_id);

CREATE TRIGGER cells_history_insert AFTER INSERT ON cells
BEGIN
    INSERT INTO cell_history (cell_id, old_value, new_value, change_id)
    VALUES (NEW.id, NULL, NEW.value, NEW.change_id);
END;

CREATE TRIGGER cells_history_update AFTER UPDATE OF value ON cells
WHEN NEW.value IS NOT OLD.value OR typeof(NEW.value) != typeof(OLD.value)
BEGIN
    INSERT INTO cell_history (cell_id, old_value, new_value, change_id)
    VALUES (NEW.id, OLD.value, NEW.value, NEW.change_id);
END;

CREATE TRIGGER cells_never_deleted BEFORE DELETE ON cells
BEGIN
    SELECT RAISE(ABORT, 'values are cleared, never deleted');
END;

CREATE TRIGGER cell_history_append_only BEFORE UPDATE ON cell_history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;

-- Reporting status of one org unit for one period: draft, submitted, accepted, returned.
CREATE TABLE period_status (
    plan_id   TEXT NOT NULL,
    org_code  TEXT NOT NULL REFERENCES org_units (code),
    period    TEXT NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'returned')),
    reason    TEXT,
    demo      INTEGER NOT NULL DEFAULT 0,
    change_id INTEGER NOT NULL REFERENCES changes (id),
    PRIMARY KEY (plan_id, org_code, period)
);

CREATE TABLE period_status_history (
    id         INTEGER PRIMARY KEY,
    plan_id    TEXT NOT NULL,
    org_code   TEXT NOT NULL,
    period     TEXT NOT NULL,
    old_status TEXT,
    new_status TEXT NOT NULL,
    reason     TEXT,
    change_id  INTEGER NOT NULL REFERENCES changes (id)
);

CREATE TRIGGER period_status_history_insert AFTER INSERT ON period_status
BEGIN
    INSERT INTO period_status_history
        (plan_id, org_code, period, old_status, new_status, reason, change_id)
    VALUES (NEW.plan_id, NEW.org_code, NEW.period, NULL, NEW.status, NEW.reason, NEW.change_id);
END;

CREATE TRIGGER period_status_history_update AFTER UPDATE ON period_status
BEGIN
    INSERT INTO period_status_history
        (plan_id, org_code, period, old_status, new_status, reason, change_id)
    VALUES (NEW.plan_id, NEW.org_code, NEW.period, OLD.status, NEW.status, NEW.reason,
            NEW.change_id);
END;
