"""Benchmark: importing a folder of 60 county submissions into a province store.

Run: ``uv run python benchmarks/folder_import.py [--runs N]``.

The folder is made the way a province gets it: demo data for all 60 counties
(``jlip-desk demo``), one filled workbook per county (``export --all-counties``)
for 2025Q3, the latest quarter every county reported in the demo, then the whole
folder imported (``import DIR``) into a fresh, bound province store on disk: vetting,
reading, validation, database writes and each county's period submitted.

Two floors read the same 60 files in the same run, alternating with ours:
openpyxl in read_only mode, every cell of every sheet (the floor of the other
Excel import benchmark), and python-calamine, the reader the import itself uses,
every sheet to Python values (what the import cannot do without).

Targets (provisional, set from the first measurements on a shared 2-core machine,
where ours took 0.5x to 0.6x the openpyxl floor and about 16x the calamine one):
at most 0.8x the openpyxl floor, and at most 20x the calamine floor. Reading is a
small part of an import: the rest is vetting, checking and writing the store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import python_calamine

from benchmarks._figures import Figure
from benchmarks.excel_import import read_only_floor
from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submissions_all, import_files
from jlip_desk.services.installation import bind, prepare
from jlip_desk.store.database import Store

# The demo leaves five counties' 2025Q4 unreported on purpose; every county reported 2025Q3.
PERIOD = Period(2025, 3)
TARGET_RATIO = 0.8  # vs openpyxl read_only, provisional
CALAMINE_TARGET_RATIO = 20.0  # vs python-calamine, provisional
RUNS = 5


@dataclass(frozen=True, slots=True)
class FolderImport:
    files: int
    size: int  # bytes, all files
    runs: int
    floor: float  # medians, seconds: openpyxl read_only
    calamine: float  # python-calamine
    ours: float


def calamine_floor(path: Path) -> None:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    book.close()


def _province_store(path: Path) -> Store:
    store = Store.open(path)
    prepare(store)
    bind(store, "220000")
    return store


def run(runs: int = RUNS) -> FolderImport:
    demo = Store.memory()
    prepare(demo)
    generate(demo)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        files = [r.path for r in export_submissions_all(demo, PERIOD, folder)]
        demo.close()
        size = sum(f.stat().st_size for f in files)

        floor_times: list[float] = []
        calamine_times: list[float] = []
        our_times: list[float] = []
        for attempt in range(runs + 1):  # the first round warms all three up
            start = time.perf_counter()
            for path in files:
                read_only_floor(path)
            floor_time = time.perf_counter() - start
            start = time.perf_counter()
            for path in files:
                calamine_floor(path)
            calamine_time = time.perf_counter() - start
            # A fresh store each time, made and bound before the clock starts.
            store = _province_store(Path(tmp) / f"province-{attempt}.sqlite3")
            start = time.perf_counter()
            report = import_files(store, files)
            our_time = time.perf_counter() - start
            store.close()
            applied = sum(1 for f in report.files if f.outcome == "applied")
            assert applied == len(files), report.text()
            if attempt:
                floor_times.append(floor_time)
                calamine_times.append(calamine_time)
                our_times.append(our_time)
    return FolderImport(
        len(files), size, runs, statistics.median(floor_times),
        statistics.median(calamine_times), statistics.median(our_times),
    )  # fmt: skip


def figures(result: FolderImport) -> list[Figure]:
    name = f"import a folder of {result.files} counties"
    ours = result.ours * 1000
    return [
        Figure(f"{name} (vs openpyxl)", result.floor * 1000, ours, "ms", TARGET_RATIO, "ratio"),
        Figure(f"{name} (vs calamine)", result.calamine * 1000, ours, "ms",
               CALAMINE_TARGET_RATIO, "ratio"),
    ]  # fmt: skip


def measure(quick: bool) -> list[Figure]:
    return figures(run(2 if quick else RUNS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    result = run(args.runs)
    folder, calamine = figures(result)
    print(
        f"Folder of {result.files} county submissions {PERIOD} ({result.size:,} bytes), "
        f"median of {result.runs} alternating runs after a warm-up"
    )
    print(f"openpyxl read_only, every cell of every file: {result.floor * 1000:8.1f} ms")
    print(f"python-calamine, every sheet of every file:   {result.calamine * 1000:8.1f} ms")
    print(f"import DIR into a province store on disk:    {result.ours * 1000:8.1f} ms")
    for f, floor in ((folder, "openpyxl"), (calamine, "calamine")):
        verdict = "meets" if f.passed else "MISSES"
        print(
            f"folder imported at {f.ratio:.2f}x the {floor} floor — {verdict} the "
            f"{f.target}x target (provisional)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
