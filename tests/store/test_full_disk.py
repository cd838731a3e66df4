"""A full disk is named a full disk, a batch reports every file, and nothing is lost (issue 9).

On main a full disk aborted a batch with no per-file report, and a disk with no
room left made every command call the store "数据库文件已损坏" and send the user
to a restore, which would have thrown away good data. These tests fill a real
small tmpfs where the machine lets root mount one, and simulate SQLITE_FULL with
``max_page_count`` everywhere.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jlip_desk.cli import main
from jlip_desk.services import excel
from jlip_desk.store.database import Store

PERIOD = "2025Q3"
STORE = "jlip_desk.sqlite3"


def _cli(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    source = tmp_path_factory.mktemp("source")
    out = tmp_path_factory.mktemp("workbooks")
    assert main(["--data-dir", str(source), "init", "--org", "220000"]) == 0
    assert main(["--data-dir", str(source), "demo"]) == 0
    args = ["--data-dir", str(source), "export", "--period", PERIOD, "--all-counties"]
    assert main([*args, "-o", str(out)]) == 0
    return sorted(out.glob("*.xlsx"))[:6]


def _values(store_file: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(store_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute(
            "SELECT form, org_code, period, subject, field, value FROM cells ORDER BY 1, 2, 3, 4, 5"
        ).fetchall()
    finally:
        conn.close()


def test_sqlite_full_mid_batch_reports_each_file_and_a_rerun_finishes(
    submissions: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = tmp_path / "reference"
    assert _cli(capsys, reference, "init", "--org", "220000")[0] == 0
    assert _cli(capsys, reference, "import", *map(str, submissions))[0] == 0

    folder = tmp_path / "data"
    assert _cli(capsys, folder, "init", "--org", "220000")[0] == 0
    store = Store.open(folder / STORE)
    try:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        # Room for about one county's values: SQLite answers SQLITE_FULL after that.
        store.conn.execute(f"PRAGMA max_page_count = {pages + 12}")
        report = excel.import_files(store, submissions)
    finally:
        store.close()
    outcomes = [f.outcome for f in report.files]
    full = next(i for i, f in enumerate(report.files) if f.outcome == "refused")
    assert "磁盘已满" in report.files[full].issues[0].message
    assert all(o == "applied" for o in outcomes[:full])
    assert all(f.issues[0].message.startswith("未处理") for f in report.files[full + 1 :])
    assert not report.ok
    text = report.text()
    assert all(path.name in text for path in submissions)

    assert _cli(capsys, folder, "import", *map(str, submissions))[0] == 0
    assert _values(folder / STORE) == _values(reference / STORE)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs, or a skip where this machine does not let the test mount one."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root on Linux")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace')}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` with a file until ``leave`` bytes are free; returns the filler."""
    filler = disk / "filler.bin"
    free = shutil.disk_usage(disk).free
    with filler.open("ab") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


def test_a_real_full_disk_mid_batch_is_reported_and_nothing_is_lost(
    submissions: list[Path], small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = small_disk / "data"
    assert _cli(capsys, folder, "init", "--org", "220000")[0] == 0
    filler = _fill(small_disk, 400 * 1024)  # room for the backup, not for every county
    code, out = _cli(capsys, folder, "import", *map(str, submissions))
    assert code == 1
    assert "磁盘已满" in out and "损坏或不是" not in out and "Traceback" not in out
    assert "未处理" in out or out.count("【已导入】") == len(submissions) - 1
    done = out.count("【已导入】")
    assert done < len(submissions)
    _values(folder / STORE)  # consistent

    filler.unlink()
    code, out = _cli(capsys, folder, "import", *map(str, submissions))
    assert code == 0, out
    assert out.count("无变化") + out.count("【已导入】") >= len(submissions)


def test_no_room_for_the_backup_refuses_the_batch_before_it_starts(
    submissions: list[Path], small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = small_disk / "data"
    assert _cli(capsys, folder, "init", "--org", "220000")[0] == 0
    before = _values(folder / STORE)
    _fill(small_disk, 64 * 1024)
    code, out = _cli(capsys, folder, "import", *map(str, submissions))
    assert code == 1
    assert "磁盘已满" in out and "无法写入备份" in out and "数据库未作改动" in out
    assert "【已导入】" not in out
    assert not list((folder / "backups").glob("*.part"))
    assert _values(folder / STORE) == before


def test_a_disk_with_no_room_at_all_is_not_called_a_damaged_store(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = small_disk / "data"
    assert _cli(capsys, folder, "init", "--org", "220000")[0] == 0
    store_file = folder / STORE
    before = store_file.read_bytes()
    filler = _fill(small_disk, 0)
    for command in (["summary", "--period", "2025"], ["check"]):
        code, out = _cli(capsys, folder, *command)
        assert code == 1, out
        assert "磁盘已满" in out and "没有损坏" in out
        assert "损坏或不是" not in out and "restore" not in out
    filler.unlink()
    assert _cli(capsys, folder, "check")[0] == 0
    assert store_file.read_bytes() == before or _values(store_file) == []
