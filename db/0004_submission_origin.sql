-- Where an imported workbook came from: when it was exported, and which revision of
-- that org unit's period the exporting store held then. An import that would replace a
-- newer revision with a workbook made from an older state is refused by this.

ALTER TABLE submissions ADD COLUMN exported_at TEXT;
ALTER TABLE submissions ADD COLUMN base_revision INTEGER;
