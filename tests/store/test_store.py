"""The store: pragmas, migrations with a backup first, newer stores refused, history kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jlip_desk import paths
from jlip_desk.errors import StoreError
from jlip_desk.store import database
from jlip_desk.store.cells import CellKey, history, read_row, write_values
from jlip_desk.store.database import Store


def test_pragmas(store: Store) -> None:
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_store_lives_in_the_data_folder(store: Store, data_dir: Path) -> None:
    assert store.path == data_dir / paths.STORE_FILE
    assert store.path.exists()


def test_migrations_are_recorded_and_not_rerun(store: Store) -> None:
    applied = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations")]
    assert applied[0] == "0001_initial"
    assert applied == sorted(applied)
    store.close()
    again = Store.open()
    assert again.info.applied == ()
    assert again.info.backup is None
    again.close()


def test_pending_migration_backs_up_first(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()
    folder = tmp_path / "db"
    folder.mkdir()
    for file in database.migration_files():
        (folder / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "0999_extra.sql").write_text("CREATE TABLE extra (id INTEGER PRIMARY KEY);\n")
    monkeypatch.setattr(paths, "migrations_dir", lambda: folder)
    opened = Store.open()
    assert opened.info.applied == ("0999_extra",)
    assert opened.info.backup is not None
    backup = sqlite3.connect(opened.info.backup)
    tables = {r[0] for r in backup.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    backup.close()
    assert "cells" in tables and "extra" not in tables
    opened.close()


def test_failed_migration_rolls_back(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()
    before = Store.open()
    digest = before.content_hash()
    before.close()
    folder = tmp_path / "db"
    folder.mkdir()
    for file in database.migration_files():
        (folder / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "0999_bad.sql").write_text(
        "CREATE TABLE half (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n"
    )
    with monkeypatch.context() as patch:
        patch.setattr(paths, "migrations_dir", lambda: folder)
        with pytest.raises(StoreError, match="升级失败"):
            Store.open()
    after = Store.open()
    assert after.content_hash() == digest
    assert not after.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half'").fetchone()
    after.close()


def test_newer_store_is_refused_untouched(store: Store) -> None:
    with store.atomic():
        store.conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('jlip_desk', '9999_from_the_future', 'x')"
        )
    store.close()
    assert store.path is not None
    before = store.path.read_bytes()
    with pytest.raises(StoreError, match="更新版本") as caught:
        Store.open()
    assert "未作任何改动" in caught.value.message
    assert store.path.read_bytes() == before


def test_corrupt_file_is_refused(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / paths.STORE_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="损坏"):
        Store.open()


def test_every_change_keeps_history(store: Store) -> None:
    key = CellKey("jilin-ip-14", "county_annual", "220102", "2025", "")
    with store.atomic():
        typed = store.new_change("typed")
        write_values(store, key, {"population": 50.5, "high_value_patents": 100}, typed)
    with store.atomic():
        imported = store.new_change("imported", source_file="a.xlsx", source_sha256="ab" * 32)
        changed = write_values(
            store, key, {"population": 50.5, "high_value_patents": 120}, imported
        )
    assert changed == 1  # population unchanged: no history row for it
    assert read_row(store, key) == {"population": 50.5, "high_value_patents": 120}
    entries = history(store, key, "high_value_patents")
    assert [(e.old_value, e.new_value, e.action) for e in entries] == [
        (None, 100, "typed"),
        (100, 120, "imported"),
    ]
    assert entries[1].source_file == "a.xlsx"
    assert len(history(store, key, "population")) == 1


def test_values_keep_their_type_and_text_as_typed(store: Store) -> None:
    key = CellKey("jilin-ip-14", "activity", "220102", "2025Q1", "X")
    with store.atomic():
        change = store.new_change("typed")
        write_values(
            store, key, {"consultations": "12a", "trainings": "007", "mediations": 3}, change
        )
    assert read_row(store, key) == {"consultations": "12a", "trainings": "007", "mediations": 3}


def test_nothing_is_ever_deleted(store: Store) -> None:
    key = CellKey("jilin-ip-14", "county_annual", "220102", "2025", "")
    with store.atomic():
        write_values(store, key, {"population": 1.0}, store.new_change("typed"))
    with pytest.raises(sqlite3.IntegrityError), store.atomic():
        store.conn.execute("DELETE FROM cells")
    with pytest.raises(sqlite3.IntegrityError), store.atomic():
        store.conn.execute("UPDATE cell_history SET new_value = 0")
    assert read_row(store, key) == {"population": 1.0}


def test_content_hash_tracks_every_change(store: Store) -> None:
    first = store.content_hash()
    assert store.content_hash() == first
    with store.atomic():
        store.set_setting("x", "1")
    assert store.content_hash() != first


def test_atomic_rolls_back_everything(store: Store) -> None:
    digest = store.content_hash()
    key = CellKey("jilin-ip-14", "county_annual", "220102", "2025", "")
    with pytest.raises(RuntimeError), store.atomic():
        write_values(store, key, {"population": 1.0}, store.new_change("typed"))
        raise RuntimeError("boom")
    assert store.content_hash() == digest


def test_backup_is_a_complete_copy(store: Store) -> None:
    target = store.backup(reason="manual")
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT COUNT(*) FROM org_units").fetchone()[0] == 70
    copy.close()
