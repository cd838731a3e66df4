"""Upgrades keep data: today's program started on a data folder the first version wrote.

The fixture (tests/data/upgrade/first_schema/) was written by the program of the last
commit whose schema was only ``db/0001_initial.sql``, run from that commit's own code
(tests/data/upgrade/make_first_schema_store.py regenerates it). Starting today's program
on it must migrate the store to today's schema, leave one verified backup from before the
migration, and lose nothing: every row the old program wrote is still there, and the
figures it reported are reported again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from jlip_desk import paths
from jlip_desk.cli import main
from jlip_desk.store import backups
from jlip_desk.store.database import MIGRATION_SET, Store, migration_files

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "upgrade" / "first_schema"
MANIFEST = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))
FIRST = "0001_initial"


def _connect(path: Path) -> sqlite3.Connection:
    """Read-only and immutable: reading the committed fixture must not write -shm beside it."""
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)


def _schema(conn: sqlite3.Connection, *, bookkeeping: bool = True) -> set[tuple[str, str, str]]:
    """Every table, index, trigger and view, with its SQL (whitespace normalised)."""
    return {
        (kind, name, " ".join(sql.split()))
        for kind, name, table, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
        )
        if bookkeeping or table != "_sqlite_migrations"
    }


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> dict[int, tuple[Any, ...]]:
    names = ", ".join(f'"{c}"' for c in columns)
    return {row[0]: row[1:] for row in conn.execute(f'SELECT rowid, {names} FROM "{table}"')}


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _applied(conn: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            (MIGRATION_SET,),
        )
    ]


Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], data_dir: Path) -> Cli:
    """``cli("check")``: today's program on the test's data folder; code, stdout, stderr."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data_dir), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def old_data(data_dir: Path) -> Path:
    """The test's data folder holding a copy of the first version's store."""
    data_dir.mkdir(parents=True)
    shutil.copyfile(FIXTURE / MANIFEST["store"], data_dir / paths.STORE_FILE)
    return data_dir


def test_the_fixture_is_the_first_schema_as_the_first_version_wrote_it() -> None:
    store = FIXTURE / MANIFEST["store"]
    assert hashlib.sha256(store.read_bytes()).hexdigest() == MANIFEST["sha256"]
    with closing(_connect(store)) as conn:
        assert _applied(conn) == [FIRST] == MANIFEST["migrations"]
        assert {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in _tables(conn)
        } == MANIFEST["rows"]
        fixture_schema = _schema(conn, bookkeeping=False)
        assert conn.execute("SELECT count(*) FROM cells WHERE demo = 0").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM org_units WHERE official = 0").fetchone()[0] == 1
    # A released migration is never edited: today's 0001 alone makes the same schema.
    first = next(f for f in migration_files() if f.stem == FIRST)
    with closing(sqlite3.connect(":memory:")) as fresh:
        fresh.executescript(first.read_text(encoding="utf-8"))
        assert _schema(fresh) == fixture_schema


def test_starting_the_new_version_migrates_backs_up_and_loses_nothing(
    cli: Cli, old_data: Path
) -> None:
    store_file = old_data / paths.STORE_FILE
    code, out, err = cli("check")
    assert code == 0, err
    assert "检查通过" in out

    # Migrated: every migration applied, and the schema a new installation gets.
    with closing(_connect(store_file)) as conn:
        assert _applied(conn) == [f.stem for f in migration_files()]
        migrated_schema = _schema(conn)
    fresh = Store.memory()
    try:
        assert migrated_schema == _schema(fresh.conn)
    finally:
        fresh.close()

    # One verified backup from before the migration, holding exactly the old store.
    made = backups.list_backups(old_data / "backups")
    assert [b.reason for b in made] == ["before-migration"]
    backup = made[0].path
    held = backups.contents(backup)  # integrity_check, and it is a JLIP Desk store
    assert held.bound_org == "220000"
    with closing(_connect(FIXTURE / MANIFEST["store"])) as old, closing(_connect(backup)) as kept:
        assert _applied(kept) == [FIRST]
        assert _tables(kept) == _tables(old)
        for table in _tables(old):
            columns = _columns(old, table)
            assert _columns(kept, table) == columns, table
            assert _rows(kept, table, columns) == _rows(old, table, columns), table

    # Nothing lost: every row the first version wrote is in the migrated store, unchanged
    # in every column it had (later migrations only add columns and tables).
    with (
        closing(_connect(FIXTURE / MANIFEST["store"])) as old,
        closing(_connect(store_file)) as new,
    ):
        for table in _tables(old):
            columns = _columns(old, table)
            assert set(columns) <= set(_columns(new, table)), table
            before, after = _rows(old, table, columns), _rows(new, table, columns)
            if table == "settings":
                # The one value an open is meant to rewrite: which version wrote the schema.
                key = columns.index("key")
                written = {r[key]: r for r in after.values()}["schema_written_by"]
                before = {i: r for i, r in before.items() if r[key] != "schema_written_by"}
                after = {i: r for i, r in after.items() if r != written}
            missing = {i: r for i, r in before.items() if after.get(i) != r}
            assert not missing, (
                f"{table}: {len(missing)} rows lost or changed, e.g. {next(iter(missing.values()))}"
            )

    # A second start has nothing to migrate and writes no second backup.
    assert cli("check")[0] == 0
    assert len(backups.list_backups(old_data / "backups")) == 1


def _contains(old: Any, new: Any, where: str = "") -> list[str]:
    """Where ``new`` does not hold everything ``old`` did (new keys are fine)."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{where}: {new!r} is not an object"]
        return [
            problem
            for key, value in old.items()
            for problem in (
                _contains(value, new[key], f"{where}/{key}")
                if key in new
                else [f"{where}/{key}: missing"]
            )
        ]
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return [f"{where}: {len(old)} items before, now {new!r:.80}"]
        return [
            p
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for p in _contains(a, b, f"{where}[{i}]")
        ]
    return [] if old == new else [f"{where}: {old!r} before, now {new!r}"]


def test_the_new_version_reports_what_the_first_version_reported(cli: Cli, old_data: Path) -> None:
    code, out, err = cli("orgs", "--json")
    assert code == 0, err
    assert out == (FIXTURE / "orgs.json").read_text(encoding="utf-8")

    code, out, err = cli("summary", "--json")
    assert code == 0, err
    old = json.loads((FIXTURE / "summary.json").read_text(encoding="utf-8"))
    new = json.loads(out)
    # The first version wrote a unit that has not reported as status null; today's
    # summary names that state "none". Every other figure must be the same.
    for unit in old["reporting"]["missing"]:
        assert unit["status"] is None
        unit["status"] = "none"
    # The first version counted every county as owing the quarter; today a county that
    # had no station or point then owes nothing (``exempt``). Those are the only units
    # that moved: every one the first version counted is still counted or exempt.
    before, now = old["reporting"], new["reporting"]
    exempt = set(now["exempt"])
    assert exempt and not exempt & set(now["reported_orgs"])
    assert {u["code"] for u in before["missing"]} == {u["code"] for u in now["missing"]} | exempt
    assert before["expected"] == now["expected"] + len(exempt)
    assert before["by_status"]["none"] == now["by_status"]["none"] + len(exempt)
    assert before["complete"] is False and now["complete"] is (now["missing"] == [])
    for key in ("expected", "missing", "by_status", "complete"):
        del before[key], now[key]
    assert old["targets"] and old["indicators"]
    assert _contains(old, new) == []
