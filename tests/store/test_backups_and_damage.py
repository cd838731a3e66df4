"""Backups, restore and the check on opening a store (issue 9).

Each damaged-store case reproduces a failure seen on main before: an emptied
file was silently re-created as a new empty store, damaged pages still took
imports and crashed ``check``, a read-only folder was called damaged.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from jlip_desk.cli import main
from jlip_desk.store import backups


def _cli(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def filled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    assert _cli(capsys, folder, "init", "--org", "220102")[0] == 0
    assert _cli(capsys, folder, "demo")[0] == 0
    return folder


def _values(store_file: Path) -> int:
    conn = sqlite3.connect(store_file)
    try:
        return int(conn.execute("SELECT count(*) FROM cells").fetchone()[0])
    finally:
        conn.close()


def test_backup_command_writes_a_verified_copy_and_restore_brings_it_back(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_file = filled / "jlip_desk.sqlite3"
    before = _values(store_file)
    target = tmp_path / "copy.sqlite3"
    code, out = _cli(capsys, filled, "backup", "-o", str(target))
    assert code == 0, out
    assert "通过完整性检查" in out and f"数值 {before} 个" in out
    assert backups.contents(target).values == before

    # Something goes wrong after the backup: the restore puts the backed-up data back.
    conn = sqlite3.connect(store_file)
    conn.execute("UPDATE settings SET value = 'after' WHERE key = 'installation_org'")
    conn.commit()
    conn.close()
    code, out = _cli(capsys, filled, "restore", str(target))
    assert code == 0, out
    assert _values(store_file) == before
    assert backups.contents(store_file).bound_org == "220102"
    # The store as it was just before the restore is kept too: nothing is lost.
    kept = [b for b in backups.list_backups(filled / "backups") if b.reason == "before-restore"]
    assert len(kept) == 1 and backups.contents(kept[0].path).bound_org == "after"
    assert _cli(capsys, filled, "check")[0] == 0


def test_an_emptied_store_is_refused_not_replaced_and_restore_latest_repairs_it(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_file = filled / "jlip_desk.sqlite3"
    before = _values(store_file)
    assert _cli(capsys, filled, "summary", "--period", "2025")[0] == 0
    assert backups.list_backups(filled / "backups"), "a daily backup is taken on first start"
    store_file.write_bytes(b"")
    for command in (("summary", "--period", "2025"), ("check",)):
        code, out = _cli(capsys, filled, *command)
        assert code == 1
        assert "数据库文件是空的(0 字节)" in out and "jlip-desk restore" in out
        assert store_file.stat().st_size == 0, "the emptied file is left as it was"
    code, out = _cli(capsys, filled, "restore", "--latest")
    assert code == 0, out
    assert _values(store_file) == before
    assert list(filled.glob("jlip_desk.sqlite3.damaged-*")), "the emptied file is kept aside"


def test_a_store_with_overwritten_pages_is_refused_by_every_command(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_file = filled / "jlip_desk.sqlite3"
    data = bytearray(store_file.read_bytes())
    page = 4096
    data[page * 3 : page * 12] = b"\xa5" * (page * 9)
    store_file.write_bytes(bytes(data))
    for command in (("summary", "--period", "2025"), ("check",), ("demo",)):
        code, out = _cli(capsys, filled, *command)
        assert code == 1, (command, out)
        assert "损坏" in out and "Traceback" not in out and "内部错误" not in out
    assert store_file.read_bytes() == bytes(data), "nothing writes to a damaged store"


def test_another_programs_database_is_not_adopted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    conn = sqlite3.connect(folder / "jlip_desk.sqlite3")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.commit()
    conn.close()
    code, out = _cli(capsys, folder, "check")
    assert code == 1 and "不是 JLIP Desk 的数据库" in out


def test_a_file_that_is_not_sqlite_is_named_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "jlip_desk.sqlite3").write_bytes(b"PK\x03\x04 not a database at all" * 10)
    code, out = _cli(capsys, folder, "check")
    assert code == 1 and "文件头不对" in out


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root ignores modes"
)
def test_a_read_only_folder_is_named_read_only(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (filled / "jlip_desk.sqlite3").chmod(0o444)
    code, out = _cli(capsys, filled, "demo")
    assert code == 1 and "只读" in out and "损坏" not in out


def test_a_read_only_store_file_is_named_read_only(
    filled: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores file modes, so the check itself is what is exercised here.
    real_access = os.access
    store_file = filled / "jlip_desk.sqlite3"

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if Path(str(path)) == store_file and mode == os.W_OK:
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    code, out = _cli(capsys, filled, "summary", "--period", "2025")
    assert code == 1 and "数据库文件是只读的" in out and "损坏" not in out


def test_backups_are_rotated_last_ten_plus_one_a_month(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    start = dt.datetime(2025, 1, 15, 9, 0, 0)
    names = []
    for day in range(0, 600, 3):  # a backup every three days for twenty months
        taken = start + dt.timedelta(days=day)
        name = f"jlip_desk-{taken:%Y%m%d-%H%M%S}-daily.sqlite3"
        (folder / name).write_bytes(b"x")
        names.append((taken, name))
    backups.prune(folder)
    kept = backups.list_backups(folder)
    newest_ten = {n for _, n in sorted(names)[-10:]}
    assert newest_ten <= {b.path.name for b in kept}
    months = {(b.taken.year, b.taken.month) for b in kept}
    assert len(months) == 12  # one a month for a year, the newest of each
    assert len(kept) <= 10 + 12


def test_a_killed_backups_partial_file_is_tidied_once_stale(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    stale = folder / "jlip_desk-20261101-090000-daily.sqlite3.part"
    fresh = folder / "jlip_desk-20261203-090000-daily.sqlite3.part"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    old = dt.datetime.now().timestamp() - backups.STALE_PART_SECONDS - 60
    os.utime(stale, (old, old))
    backups.prune(folder)
    assert not stale.exists()
    assert fresh.exists()  # another program may still be writing it
    assert backups.list_backups(folder) == []  # a part file is never a backup


def test_a_failed_integrity_check_deletes_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jlip_desk.errors import StoreError

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    real_connect = sqlite3.connect

    class Lying:
        def __init__(self, inner: sqlite3.Connection) -> None:
            self.inner = inner

        def execute(self, sql: str, *args: object) -> object:
            if "integrity_check" in sql:
                return iter([("row 3 missing from index",)])
            return self.inner.execute(sql, *args)  # type: ignore[arg-type]

        def close(self) -> None:
            self.inner.close()

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: Lying(real_connect(*a, **k)))
    conn_backup = conn.backup

    class Source:
        def backup(self, dest: Lying) -> None:
            conn_backup(dest.inner)

    with pytest.raises(StoreError, match="完整性检查"):
        backups.backup_to(Source(), tmp_path / "b.sqlite3")  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())


def test_backups_of_one_second_are_listed_newest_first(tmp_path: Path) -> None:
    """take() names a second backup of the same second "-2": listing by name put the
    first of them ahead ("x.sqlite3" sorts after "x-2.sqlite3"), as if it were newest."""
    from jlip_desk.store.backups import list_backups

    names = ["jlip_desk-20261204-020427-before-import.sqlite3",
             "jlip_desk-20261204-020427-before-import-2.sqlite3",
             "jlip_desk-20261204-020427-before-import-10.sqlite3",
             "jlip_desk-20261204-020426-manual.sqlite3"]  # fmt: skip
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert [b.path.name for b in list_backups(tmp_path)] == [names[2], names[1], names[0], names[3]]
