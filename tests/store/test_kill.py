"""SIGKILL at the worst moment loses nothing that was reported saved (issue 9).

A county laptop loses power; the province's script is killed by a log-off. Each
test kills a real process with SIGKILL (no cleanup runs, like a power cut) in the
middle of its work, then checks that the store is consistent and that running the
work again reaches the result of an uninterrupted run:

- an import batch, at several points of the batch;
- an edit burst in the GUI's writer thread: every edit reported saved is there, and
  an edit of several cells is all there or not at all;
- a backup: the user's target file is either absent or a complete, good backup;
- a migration, killed inside its transaction: the old schema and all data remain,
  and the next start applies it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jlip_desk.cli import main
from jlip_desk.store import backups, database

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX"),
]

PERIOD = "2025Q3"
STORE = "jlip_desk.sqlite3"


def _cli(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


def _spawn(args: list[str], **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
    )


def _jlip(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "jlip_desk", "--data-dir", str(data_dir), *args]


def _kill_after_line(
    process: subprocess.Popen[str], marker: str, delay: float = 0.0, *, stderr: bool = False
) -> str:
    """Read until a line holds ``marker``, wait ``delay``, SIGKILL; return what was read."""
    stream = process.stderr if stderr else process.stdout
    assert stream is not None
    seen = []
    for line in stream:
        seen.append(line)
        if marker in line:
            break
    else:
        process.wait(timeout=60)
        raise AssertionError(f"the process ended before {marker!r}: {''.join(seen)[-2000:]}")
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    return "".join(seen)


def _sound(store_file: Path) -> None:
    conn = sqlite3.connect(store_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def _values(store_file: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(store_file)
    try:
        cells = conn.execute(
            "SELECT plan_id, form, org_code, period, subject, field, value FROM cells "
            "ORDER BY 1, 2, 3, 4, 5, 6"
        ).fetchall()
        records = conn.execute("SELECT code, org_code, registry FROM records ORDER BY 1").fetchall()
        subs = conn.execute("SELECT org_code, period FROM submissions ORDER BY 1, 2").fetchall()
    finally:
        conn.close()
    return [*cells, *records, *subs]


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    source = tmp_path_factory.mktemp("source")
    out = tmp_path_factory.mktemp("workbooks")
    assert _cli(source, "init", "--org", "220000") == 0
    assert _cli(source, "demo") == 0
    assert _cli(source, "export", "--period", PERIOD, "--all-counties", "-o", str(out)) == 0
    files = sorted(out.glob("*.xlsx"))[:10]
    assert len(files) == 10
    return files


@pytest.fixture(scope="module")
def uninterrupted(
    submissions: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> list[object]:
    folder = tmp_path_factory.mktemp("reference")
    assert _cli(folder, "init", "--org", "220000") == 0
    assert _cli(folder, "import", *map(str, submissions)) == 0
    return list(_values(folder / STORE))


@pytest.mark.parametrize("kill_at", [1, 5, 8])
def test_an_import_batch_killed_midway_is_finished_by_running_it_again(
    submissions: list[Path], uninterrupted: list[object], tmp_path: Path, kill_at: int
) -> None:
    folder = tmp_path / "data"
    assert _cli(folder, "init", "--org", "220000") == 0
    batch = _spawn(_jlip(folder, "import", *map(str, submissions)))
    # "[k/10] file" goes to stderr as file k is done: kill while the next is imported.
    _kill_after_line(batch, f"[{kill_at}/{len(submissions)}]", stderr=True)
    _sound(folder / STORE)
    assert _cli(folder, "check") == 0
    partial = _values(folder / STORE)
    assert len(partial) < len(uninterrupted)
    assert _cli(folder, "import", *map(str, submissions)) == 0
    assert _values(folder / STORE) == uninterrupted


EDIT_BURST = r"""
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from jlip_desk.periods import Period
from jlip_desk.store.cells import CellKey
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.ui.entry_commands import save_job
from jlip_desk.ui.tasks import Writer

app = QCoreApplication(sys.argv[:1])
path = Path(sys.argv[1])
store = Store.open(path)
plan = active_plan(store)
writer = Writer(path)
YEARS = range(2021, 2026)

def done(n):
    return lambda _result: print(f"saved {n}", flush=True)

for n in range(1, 100_000):
    year = YEARS[n % len(YEARS)]
    key = CellKey(plan.id, "county_annual", "220102", str(year), "")
    # Two cells in one edit (a paste): both are saved, or neither.
    row = {"population": str(n), "high_value_patents": str(n)}
    writer.submit(save_job(plan, "county_annual", Period(year), {key: row}), on_done=done(n))
print("queued", flush=True)
app.exec()
"""


def test_an_edit_burst_killed_keeps_every_edit_reported_saved(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    assert _cli(folder, "init", "--org", "220102") == 0
    burst = _spawn(
        [sys.executable, "-c", EDIT_BURST, str(folder / STORE)], QT_QPA_PLATFORM="offscreen"
    )
    read = _kill_after_line(burst, "saved 200")
    saved = [int(line.split()[1]) for line in read.splitlines() if line.startswith("saved ")]
    _sound(folder / STORE)
    conn = sqlite3.connect(folder / STORE)
    try:
        stored: dict[str, dict[str, object]] = {}
        for period, field, value in conn.execute(
            "SELECT period, field, value FROM cells WHERE form = 'county_annual'"
        ):
            stored.setdefault(period, {})[field] = value
    finally:
        conn.close()
    years = range(2021, 2026)
    for year in years:
        acknowledged = [n for n in saved if years[n % len(years)] == year]
        row = stored[str(year)]
        # The edit is whole, and no later than nothing: at least the last one reported saved.
        assert row["population"] == row["high_value_patents"]
        assert float(str(row["population"])) >= max(acknowledged)
    assert _cli(folder, "check") == 0


def _demo_province(folder: Path) -> Path:
    assert _cli(folder, "init", "--org", "220000") == 0
    assert _cli(folder, "demo") == 0
    return folder / STORE


def test_a_backup_killed_midway_leaves_no_half_file_as_a_backup(tmp_path: Path) -> None:
    store_file = _demo_province(tmp_path / "data")
    before = _values(store_file)
    target = tmp_path / "copy.sqlite3"
    for delay in (0.0, 0.15, 0.3, 0.45, 0.6, 0.9):
        target.unlink(missing_ok=True)
        process = _spawn(_jlip(store_file.parent, "backup", "-o", str(target)))
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        if target.exists():
            # Only a complete, verified copy ever takes the target's name.
            assert backups.contents(target).values > 0
            assert _values(target) == before
        _sound(store_file)
        assert _values(store_file) == before
    # Which of the two each kill met depends on the machine's speed (both are fine);
    # a later backup to the same file replaces what a killed one left behind.
    assert _cli(store_file.parent, "backup", "-o", str(target)) == 0
    assert _values(target) == before


# Rebuild the history table, then spend a second inside the transaction: the kill
# lands after the rebuild's writes and before its commit.
SLOW_REBUILD = """
CREATE TABLE cell_history_new (
    id        INTEGER PRIMARY KEY,
    cell_id   INTEGER NOT NULL REFERENCES cells (id),
    old_value,
    new_value,
    change_id INTEGER NOT NULL REFERENCES changes (id)
);
INSERT INTO cell_history_new SELECT * FROM cell_history;
DROP TABLE cell_history;
ALTER TABLE cell_history_new RENAME TO cell_history;
CREATE INDEX cell_history_by_cell ON cell_history (cell_id);
CREATE TRIGGER cell_history_append_only BEFORE UPDATE ON cell_history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only');
END;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 6000000)
SELECT count(*) FROM n;
"""

MIGRATE = r"""
import sys
from pathlib import Path

from jlip_desk import paths
from jlip_desk.store.database import Store

folder = Path(sys.argv[2])
paths.migrations_dir = lambda: folder
print("opening", flush=True)
Store.open(Path(sys.argv[1])).close()
print("migrated", flush=True)
"""


def test_a_migration_killed_inside_its_transaction_leaves_the_old_store_whole(
    tmp_path: Path,
) -> None:
    store_file = _demo_province(tmp_path / "data")
    before = _values(store_file)
    history = sqlite3.connect(store_file).execute("SELECT count(*) FROM cell_history").fetchone()
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for file in database.migration_files():
        (migrations / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    (migrations / "0900_slow_rebuild.sql").write_text(SLOW_REBUILD, encoding="utf-8")

    process = _spawn([sys.executable, "-c", MIGRATE, str(store_file), str(migrations)])
    read = _kill_after_line(process, "opening", delay=0.6)
    assert "migrated" not in read
    _sound(store_file)
    conn = sqlite3.connect(store_file)
    try:
        applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
        assert "0900_slow_rebuild" not in applied
        assert conn.execute("SELECT count(*) FROM cell_history").fetchone() == history
    finally:
        conn.close()
    assert _values(store_file) == before

    done = subprocess.run(
        [sys.executable, "-c", MIGRATE, str(store_file), str(migrations)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "migrated" in done.stdout, done.stderr
    _sound(store_file)
    assert _values(store_file) == before
    conn = sqlite3.connect(store_file)
    try:
        assert conn.execute("SELECT count(*) FROM cell_history").fetchone() == history
        # The other tables' triggers now write to the rebuilt table, which keeps its own.
        conn.execute("UPDATE cells SET value = 'x' WHERE id = 1")
        assert conn.execute("SELECT count(*) FROM cell_history").fetchone()[0] == history[0] + 1
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE cell_history SET new_value = 0")
        conn.rollback()
    finally:
        conn.close()
    kept = backups.list_backups(store_file.parent / "backups")
    assert [b.reason for b in kept].count("before-migration") >= 1
