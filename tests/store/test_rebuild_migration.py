"""Migrations can rebuild a table the SQLite way, on a store full of data (issue 9).

Changing a constraint in SQLite means rebuilding the table: create the new one,
copy, drop the old, rename. ``changes`` is referred to by every other table, so on
main (foreign keys on inside the migration's transaction) the DROP failed with
"FOREIGN KEY constraint failed" and no such migration could ever be shipped.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jlip_desk import paths
from jlip_desk.cli import main
from jlip_desk.errors import StoreError
from jlip_desk.store import backups, database
from jlip_desk.store.database import Store

# Widen the CHECK on changes.action: the standard twelve-step rebuild, abridged.
REBUILD_CHANGES = """
CREATE TABLE changes_new (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    action        TEXT NOT NULL
                  CHECK (action IN ('typed', 'imported', 'restored', 'demo', 'system',
                                    'accepted')),
    actor         TEXT NOT NULL DEFAULT '',
    source_file   TEXT,
    source_sha256 TEXT,
    note          TEXT
);
INSERT INTO changes_new SELECT * FROM changes;
DROP TABLE changes;
ALTER TABLE changes_new RENAME TO changes;
"""

# A rebuild that forgets rows others refer to: foreign_key_check must stop it.
LOSSY_REBUILD = REBUILD_CHANGES.replace(
    "INSERT INTO changes_new SELECT * FROM changes;",
    "INSERT INTO changes_new SELECT * FROM changes WHERE id > 1;",
)


@pytest.fixture
def filled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    assert main(["--data-dir", str(folder), "init", "--org", "220000"]) == 0
    assert main(["--data-dir", str(folder), "demo"]) == 0
    capsys.readouterr()
    return folder


def _with_migration(tmp_path: Path, name: str, sql: str) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for file in database.migration_files():
        (folder / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / name).write_text(sql, encoding="utf-8")
    return folder


def _dump(store_file: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(store_file)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name NOT IN ('_sqlite_migrations', 'settings')"
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        conn.close()


def test_a_rebuild_migration_keeps_every_row_and_every_reference(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_file = filled / paths.STORE_FILE
    before = _dump(store_file)
    assert len(before["cells"]) > 1000 and before["changes"]
    folder = _with_migration(tmp_path, "0900_rebuild.sql", REBUILD_CHANGES)
    monkeypatch.setattr(paths, "migrations_dir", lambda: folder)

    store = Store.open(store_file)
    try:
        assert store.info.applied == ("0900_rebuild",)
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The new constraint holds, and references still point at the rebuilt table.
        with store.atomic():
            store.conn.execute(
                "INSERT INTO changes (at, action) VALUES ('2026-12-03T00:00:00+08:00', 'accepted')"
            )
        with pytest.raises(sqlite3.IntegrityError), store.atomic():
            store.conn.execute(
                "INSERT INTO cell_history (cell_id, new_value, change_id) VALUES (1, 1, 999999)"
            )
        # Triggers on the other tables still fire: nothing is ever deleted.
        with pytest.raises(sqlite3.IntegrityError), store.atomic():
            store.conn.execute("DELETE FROM cells")
    finally:
        store.close()
    after = _dump(store_file)
    after["changes"] = after["changes"][:-1]  # the row this test added
    assert after == before
    kept = backups.list_backups(filled / "backups")
    assert any(b.reason == "before-migration" for b in kept)


def test_a_rebuild_that_breaks_references_is_refused_and_undone(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_file = filled / paths.STORE_FILE
    before = _dump(store_file)
    folder = _with_migration(tmp_path, "0900_lossy.sql", LOSSY_REBUILD)
    with monkeypatch.context() as patch:
        patch.setattr(paths, "migrations_dir", lambda: folder)
        with pytest.raises(StoreError, match="升级失败") as caught:
            Store.open(store_file)
    assert "关联" in caught.value.message
    assert _dump(store_file) == before
    again = Store.open(store_file)
    try:
        assert again.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert again.info.applied == ()
    finally:
        again.close()


def test_failed_upgrades_do_not_pile_up_backups(
    filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_file = filled / paths.STORE_FILE
    folder = _with_migration(tmp_path, "0900_lossy.sql", LOSSY_REBUILD)
    monkeypatch.setattr(paths, "migrations_dir", lambda: folder)
    for _ in range(backups.KEEP_LAST + 3):
        with pytest.raises(StoreError):
            Store.open(store_file)
    assert len(backups.list_backups(filled / "backups")) <= backups.KEEP_LAST + 1
