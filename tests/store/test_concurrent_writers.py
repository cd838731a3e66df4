"""Two writers at once (two windows, or the window and a script) both finish.

Reproduces issue 9: deferred transactions made a second import fail with
``UNIQUE constraint failed`` or "数据库正被其他程序占用" after a few files.
Write transactions now start IMMEDIATE, and an import reads the store inside
its own write transaction, so the second one waits its turn and then sees the
first one's result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jlip_desk.cli import main

pytestmark = pytest.mark.slow

PERIOD = "2025Q4"


def _cli(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


def _spawn(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "jlip_desk", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _values(data_dir: Path) -> list[tuple[object, ...]]:
    """Every stored value with its place: what the province would see."""
    import sqlite3

    conn = sqlite3.connect(data_dir / "jlip_desk.sqlite3")
    try:
        cells = conn.execute(
            "SELECT plan_id, form, org_code, period, subject, field, value FROM cells "
            "ORDER BY 1, 2, 3, 4, 5, 6"
        ).fetchall()
        records = conn.execute(
            "SELECT code, org_code, registry FROM records ORDER BY code"
        ).fetchall()
        subs = conn.execute(
            "SELECT org_code, period, revision FROM submissions ORDER BY 1, 2, 3"
        ).fetchall()
    finally:
        conn.close()
    # change ids and times differ between runs; the values and their places do not
    return [tuple(c) for c in cells] + [tuple(r) for r in records] + [tuple(s) for s in subs]


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    source = tmp_path_factory.mktemp("source")
    out = tmp_path_factory.mktemp("workbooks")
    assert _cli(source, "init", "--org", "220000") == 0
    assert _cli(source, "demo") == 0
    assert _cli(source, "export", "--period", PERIOD, "--all-counties", "-o", str(out)) == 0
    files = sorted(out.glob("*.xlsx"))[:8]
    assert len(files) == 8
    return files


def _fresh_province(folder: Path) -> Path:
    assert _cli(folder, "init", "--org", "220000") == 0
    return folder


def test_two_imports_at_once_both_finish_like_one_after_the_other(
    submissions: list[Path], tmp_path: Path
) -> None:
    together = _fresh_province(tmp_path / "together")
    # The same files in opposite orders: they collide on every county.
    first = _spawn(together, "import", *map(str, submissions))
    second = _spawn(together, "import", *map(str, reversed(submissions)))
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert "Traceback" not in err1 + err2
    assert "占用" not in err1 + err2
    assert (first.returncode, second.returncode) == (0, 0), (err1, err2)

    sequential = _fresh_province(tmp_path / "sequential")
    assert _cli(sequential, "import", *map(str, submissions)) == 0
    assert _values(together) == _values(sequential)
    # Each county's period was imported once: the other process found it unchanged.
    text = out1 + out2
    assert text.count("首次导入") == len(submissions), text


def test_a_window_editing_while_a_script_imports_waits_its_turn(
    submissions: list[Path], tmp_path: Path
) -> None:
    from jlip_desk import paths
    from jlip_desk.services.installation import open_store

    folder = _fresh_province(tmp_path / "store")
    script = _spawn(folder, "import", *map(str, submissions))
    paths.set_data_dir(folder)
    try:
        store = open_store()
        try:
            writes = 0
            while script.poll() is None:
                with store.atomic():
                    store.set_setting("probe", str(writes))
                writes += 1
                # Edits come as fast as a person can type (a burst, not a loop that
                # holds the write lock 100% of the time and starves SQLite's
                # polling busy handler past its timeout on a loaded machine).
                time.sleep(0.01)
        finally:
            store.close()
    finally:
        paths.set_data_dir(None)
    _out, err = script.communicate(timeout=300)
    assert script.returncode == 0, (_out, err)
    assert "Traceback" not in err
    assert writes > 0
    summary = subprocess.run(
        [
            sys.executable,
            "-m",
            "jlip_desk",
            "--data-dir",
            str(folder),
            "status",
            "--period",
            PERIOD,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(summary.stdout)
    assert data["handed_in"] == len(submissions)
