"""Regenerate the first-schema data folder that tests/store/test_upgrade_fixture.py upgrades.

    uv run python tests/data/upgrade/make_first_schema_store.py

The store is written by the *program of an older commit*, not by today's code: the commit
below is the last one whose ``db/`` held only ``0001_initial.sql`` (the first schema), and
its ``jlip_desk``, ``db`` and ``resources`` are taken out with ``git archive`` and run with
this checkout's virtual environment. Through that old program it binds a province
installation (``init``), adds a development zone (``orgs add``), writes the old demo data
for three counties, the year 2025 and six records a registry (the old ``demo`` wrote sixty
counties over five years and 95 records: 5 MB), and one value typed by hand (not flagged
as demo data). Its ``orgs --json`` and ``summary --json`` are kept beside the store, with
a manifest of what the store holds (328 kB in all).

Run it again only to change the fixture: the timestamps inside differ each time, so the
store's bytes and its checksum in the manifest change with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
OUT = HERE / "first_schema"
# "GUI shell: first-run dialog, main window ...": the newest commit with only 0001.
FIRST_SCHEMA_COMMIT = "182278242eba7e3cc559d0adfb0b0d454f90c416"
STORE_FILE = "jlip_desk.sqlite3"
ZONE = ("220171", "长春新区", "220100")
COUNTIES = ("220102", "222401", ZONE[0])
FIRST_YEAR = "2025"  # the old demo's years are FIRST_YEAR..2025

# Runs inside the old tree: its own demo generator, limited to COUNTIES, then one value
# written the way the old store wrote any value (write_values under a change), not demo.
_DEMO_DRIVER = """
import sys
from jlip_desk import paths
from jlip_desk.services import demo
from jlip_desk.services.installation import open_store
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.plans import active_plan

paths.set_data_dir(sys.argv[1])
wanted = set(sys.argv[2].split(","))
demo.FIRST_YEAR = int(sys.argv[3])
registry = demo._Builder._registry
demo._Builder._registry = lambda self, rid, count, *rest: registry(self, rid, min(count, 6), *rest)
all_counties = demo.counties_under
demo.counties_under = lambda store, code: [
    c for c in all_counties(store, code) if c.code in wanted
]
store = open_store()
result = demo.generate(store, seed=2021)
print(f"demo: {result.counties} counties, {result.records} records, {result.values} values")
plan = active_plan(store)
with store.atomic():
    change = store.new_change("typed", note="手工录入")
    key = CellKey(plan.id, "county_annual", "222401", "2025", "")
    written = write_values(store, key, {"pledge_count": 17, "population": 53.21}, change)
print(f"typed by hand: {written} values")
store.close()
"""


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True).stdout


def _old_tree(folder: Path) -> None:
    migrations = _git("ls-tree", "--name-only", FIRST_SCHEMA_COMMIT, "db/").decode().split()
    if migrations != ["db/0001_initial.sql"]:
        raise SystemExit(f"{FIRST_SCHEMA_COMMIT} has migrations {migrations}, not only 0001")
    archive = folder / "old.tar"
    archive.write_bytes(
        _git("archive", "--format=tar", FIRST_SCHEMA_COMMIT, "jlip_desk", "db", "resources")
    )
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "tree", filter="data")


def _run_old(tree: Path, data: Path, args: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if k != "JLIP_DESK_DATA_DIR"}
    env |= {"PYTHONPATH": str(tree), "PYTHONUTF8": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"old program {args} failed:\n{result.stdout}\n{result.stderr}")
    print(f"old {' '.join(args[:4])}: {result.stdout.strip()[:120]}")
    return result.stdout


def _counts(store: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{store}?mode=ro&immutable=1", uri=True)) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="jlip-first-schema-") as scratch:
        folder = Path(scratch)
        _old_tree(folder)
        tree, data = folder / "tree", folder / "data"
        cli = ["-m", "jlip_desk", "--data-dir", str(data)]
        _run_old(tree, data, [*cli, "init", "--org", "220000"])
        _run_old(tree, data, [*cli, "orgs", "add", "--code", ZONE[0], "--name", ZONE[1],
                              "--parent", ZONE[2]])  # fmt: skip
        _run_old(tree, data, ["-c", _DEMO_DRIVER, str(data), ",".join(COUNTIES), FIRST_YEAR])
        orgs_json = _run_old(tree, data, [*cli, "orgs", "--json"])
        summary_json = _run_old(tree, data, [*cli, "summary", "--json"])
        store = data / STORE_FILE
        for suffix in ("-wal", "-shm"):
            if Path(f"{store}{suffix}").exists():
                raise SystemExit(f"the old program left {store.name}{suffix}: not checkpointed")
        if OUT.exists():
            shutil.rmtree(OUT)
        OUT.mkdir(parents=True)
        shutil.copyfile(store, OUT / STORE_FILE)
    (OUT / "orgs.json").write_text(orgs_json, encoding="utf-8")
    (OUT / "summary.json").write_text(summary_json, encoding="utf-8")
    fixture = OUT / STORE_FILE
    manifest = {
        "written_by_commit": FIRST_SCHEMA_COMMIT,
        "migrations": ["0001_initial"],
        "store": STORE_FILE,
        "sha256": hashlib.sha256(fixture.read_bytes()).hexdigest(),
        "rows": _counts(fixture),
    }
    (OUT / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    size = fixture.stat().st_size
    print(f"wrote {OUT.relative_to(ROOT)}: {size / 1000:.0f} kB, rows {manifest['rows']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
