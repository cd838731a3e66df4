"""Run every benchmark and print one table: figure, floor, ours, ratio, target, result.

Run: ``uv run python benchmarks/run.py [--quick] [--only NAME ...] [--strict]``.

Each benchmark runs in a fresh Python process of its own (``measure(quick)`` of its
module), one after the other, so one's Qt state, threads or memory cannot weigh on
the next; its figures come back as JSON. Every floor is measured in the same run as
the figure compared with it. The table is printed at the end; progress goes to
stderr.

Exit status: 0 even when a figure misses its target, since the machines are shared
and noisy; with ``--strict``, 1 when any figure misses. A benchmark that cannot run
at all (it crashed) is always exit status 1. Rows marked "not measured" (no frozen
bundle built) are neither passes nor failures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._figures import Figure, dumps, loads, table

# In the order they run and appear in the table.
BENCHMARKS = (
    "startup",
    "entry_grid",
    "excel_export",
    "excel_import",
    "folder_import",
    "gui_memory",
    "dashboard",
)
MARK = "FIGURES-JSON "
ROOT = Path(__file__).resolve().parents[1]


def _measure(name: str, quick: bool) -> list[Figure]:
    module = importlib.import_module(f"benchmarks.{name}")
    figures: list[Figure] = module.measure(quick)
    return figures


def _child(name: str, quick: bool) -> int:
    figures = _measure(name, quick)
    print(MARK + dumps(figures), flush=True)
    return 0


def _run_child(name: str, quick: bool) -> list[Figure] | str:
    """The benchmark's figures, or why it could not give them."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    args = [sys.executable, str(Path(__file__).resolve()), "--child", name]
    done = subprocess.run(
        [*args, "--quick"] if quick else args,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or len(lines) != 1:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        print(f"  {name} failed (exit {done.returncode}):\n{tail}", file=sys.stderr)
        return f"error: exit {done.returncode}"
    return loads(lines[0].removeprefix(MARK))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs of each benchmark")
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHMARKS,
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if any figure misses")
    parser.add_argument("--child", choices=BENCHMARKS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child(args.child, args.quick)

    names = [n for n in BENCHMARKS if args.only is None or n in args.only]
    figures: list[Figure] = []
    broken: list[str] = []
    began = time.perf_counter()
    for name in names:
        start = time.perf_counter()
        print(f"running {name}{' (quick)' if args.quick else ''} ...", file=sys.stderr, flush=True)
        result = _run_child(name, args.quick)
        if isinstance(result, str):
            broken.append(name)
            result = [Figure(name, None, None, "", None, "ratio", note=result)]
        figures.extend(result)
        print(f"  {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)

    today = dt.date.today().isoformat()
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    mode = "quick" if args.quick else "full"
    print(f"JLIP Desk benchmarks, {today}, {machine}, {mode} run")
    print(table(figures))
    missed = [f.name for f in figures if f.passed is False]
    total = time.perf_counter() - began
    print(
        f"{sum(f.passed is True for f in figures)} pass, {len(missed)} miss, "
        f"{sum(not f.measured for f in figures) - len(broken)} not measured, "
        f"{len(broken)} broken; {total:.0f} s"
    )
    if broken:
        return 1
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
