"""Benchmark: a dashboard refresh for the whole province on five years of demo data.

Run: ``uv run python benchmarks/dashboard.py [--runs N]``.

A refresh is what the page does when the period changes or data changes: the
dashboard's data for the province (``build_dashboard``, on its own connection as
the page's background read does) and every chart drawn from it (offscreen).
Target: median of 10 under 200 ms. The floor, for information, is ``build_summary``
for the same period: the one report the overview page reads.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._figures import Figure, print_table
from jlip_desk.periods import Period
from jlip_desk.services.dashboard import build_dashboard
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import prepare
from jlip_desk.services.summary import build_summary
from jlip_desk.store.database import Store

TARGET_MS = 200.0
PERIOD = Period(2025, 4)


def run(runs: int) -> tuple[str, Figure]:
    from jlip_desk.ui import app as ui_app
    from jlip_desk.ui.dashboard_page import ChartSet

    ui_app.create_application()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        store = Store.open(path)
        prepare(store)
        generate(store)
        store.close()
        charts = ChartSet()

        def floor() -> None:
            s = Store.open(path, migrate=False)
            try:
                build_summary(s, PERIOD)
            finally:
                s.close()

        def ours() -> None:
            s = Store.open(path, migrate=False)
            try:
                dash = build_dashboard(s, PERIOD)
            finally:
                s.close()
            charts.fill(dash)

        floor()  # warm up both before timing
        ours()
        floors, times = [], []
        for _ in range(runs):
            start = time.perf_counter()
            floor()
            floors.append(time.perf_counter() - start)
            start = time.perf_counter()
            ours()
            times.append(time.perf_counter() - start)
    ours_ms = statistics.median(times) * 1000
    floor_ms = statistics.median(floors) * 1000
    about = (
        f"Province dashboard {PERIOD}, demo data 2021-2025 (60 counties): data and "
        f"{len(charts.charts())} charts, median of {runs} runs"
    )
    return about, Figure("dashboard refresh", floor_ms, ours_ms, "ms", TARGET_MS, "absolute")


def measure(quick: bool) -> list[Figure]:
    return [run(5 if quick else 10)[1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    about, figure = run(args.runs)
    print(about)
    print_table([figure])


if __name__ == "__main__":
    main()
