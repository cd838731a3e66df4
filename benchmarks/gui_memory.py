"""Benchmark: peak memory of the main window on a province store with five years of demo data.

Run: ``uv run python benchmarks/gui_memory.py [--runs N]``.

The store is made the way a user makes it: ``jlip-desk init --org 220000`` then
``jlip-desk demo`` (all 60 counties, 2021-2025). Each measurement is a fresh
process (offscreen Qt) that opens the real main window on that store, visits every
page of the navigation (overview, registries, entry, exchange), lets background
work finish, and reports its peak resident set size: ``VmHWM`` in
``/proc/self/status``. The floor is a process showing a bare PySide6 QMainWindow
of the same size, measured the same way, alternating with ours in the same run.

Target (provisional): peak RSS at most 3x the floor. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._figures import Figure, not_measured

TARGET_RATIO = 3.0
RUNS = 3
PAGES = ("overview", "dashboard", "registries", "entry", "exchange", "review")

# Shared by both children: wait until the event queue and the thread pool are quiet.
COMMON = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QThreadPool

def settle(app, at_least=0.3, at_most=20.0):
    start = time.perf_counter()
    pool = QThreadPool.globalInstance()
    while True:
        app.processEvents()
        elapsed = time.perf_counter() - start
        if elapsed >= at_most or (elapsed >= at_least and pool.activeThreadCount() == 0):
            break
        time.sleep(0.01)
    app.processEvents()

def peak_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status")
"""

BARE = (
    COMMON
    + """
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 720)
window.show()
settle(app)
print("peak", peak_kib(), flush=True)
window.close()
"""
)

OURS = (
    COMMON
    + f"""
from jlip_desk.services.installation import open_store
from jlip_desk.ui.app import build_main_window, create_application

app = create_application()
store = open_store()
window = build_main_window(store)
window.resize(1280, 720)
window.show()
settle(app)
for key in {PAGES!r}:
    window.show_page(key)
    settle(app)
    assert window.current_page() == key, window.current_page()
print("peak", peak_kib(), flush=True)
window.close()
settle(app)
QThreadPool.globalInstance().waitForDone(10_000)
window.ctx.close()
"""
)


@dataclass(frozen=True, slots=True)
class Memory:
    runs: int
    floor: float  # medians, MiB
    ours: float


def _peak_mib(code: str, env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    peaks = [line.split() for line in done.stdout.splitlines() if line.startswith("peak ")]
    if done.returncode != 0 or len(peaks) != 1:
        raise SystemExit(
            f"benchmark child failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return int(peaks[0][1]) / 1024


def run(runs: int = RUNS) -> Memory:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "JLIP_DESK_DATA_DIR": folder}
        for command in (["init", "--org", "220000"], ["demo"]):
            subprocess.run(
                [sys.executable, "-m", "jlip_desk", *command],
                env=env,
                check=True,
                capture_output=True,
            )
        floors: list[float] = []
        ours: list[float] = []
        for _ in range(runs):
            floors.append(_peak_mib(BARE, env))
            ours.append(_peak_mib(OURS, env))
    return Memory(runs, statistics.median(floors), statistics.median(ours))


NAME = "peak RSS: main window, 5 years x 60 counties"


def figures(result: Memory) -> list[Figure]:
    return [Figure(NAME, result.floor, result.ours, "MiB", TARGET_RATIO, "ratio")]


def measure(quick: bool) -> list[Figure]:
    if not Path("/proc/self/status").is_file():
        return [not_measured(NAME, "MiB", "no /proc (Linux only)")]
    return figures(run(1 if quick else RUNS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    result = run(args.runs)
    (peak,) = figures(result)
    print(f"bare PySide6 QMainWindow, peak RSS (VmHWM):   {result.floor:7.1f} MiB")
    print(
        f"JLIP Desk main window, {len(PAGES)} pages visited: {result.ours:7.1f} MiB"
        f"  (median of {result.runs}, each a fresh process)"
    )
    verdict = "meets" if peak.passed else "MISSES"
    print(
        f"peak RSS at {peak.ratio:.2f}x the floor — {verdict} the {TARGET_RATIO}x target"
        " (provisional)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
