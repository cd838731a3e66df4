"""Startup benchmark: process start to main window shown (offscreen), next to a bare PySide6 window.

Run: ``uv run python benchmarks/startup.py [--runs N]``.

Both are whole processes (interpreter start included), measured from outside,
interleaved in the same run, and compared as a ratio of medians because the
machines are shared and noisy. "Shown" is the window's first paint, for both.
JLIP Desk is started by its real entry point (``python -m jlip_desk``) on a bound
store; ``JLIP_DESK_STARTUP_PROBE`` makes it print at the first paint and again
when its first page is ready, then quit. Target: shown within 1.5x of the floor.

Frozen start-up: when a PyInstaller bundle built by ``installer/build.py`` is in
``dist/jlip-desk/`` (or ``JLIP_DESK_BUNDLE`` names its executable), the bundle's
window shown is measured too, against the unfrozen one in the same run
(provisional target: at most 1.5x). Without a bundle that row says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._figures import Figure, not_measured

TARGET_RATIO = 1.5
FROZEN_TARGET_RATIO = 1.5  # provisional: frozen vs unfrozen, both shown
ROOT = Path(__file__).resolve().parents[1]
EXE_NAME = "jlip-desk.exe" if sys.platform == "win32" else "jlip-desk"

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Probe(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print("shown", flush=True)
            watched.removeEventFilter(self)
            QTimer.singleShot(0, app.quit)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 720)
probe = Probe()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def _run(args: list[str], env: dict[str, str], marks: tuple[str, ...]) -> list[float]:
    """Seconds from process start until each expected line appears on stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None
    times = []
    for mark in marks:
        line = proc.stdout.readline()
        if line.strip() != mark:
            proc.kill()
            raise SystemExit(f"benchmark child printed {line!r}, expected {mark!r}")
        times.append(time.perf_counter() - start)
    proc.wait(timeout=60)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed with exit code {proc.returncode}")
    return times


def bundle() -> Path | None:
    """The frozen executable installer/build.py leaves in dist/, if one was built."""
    named = os.environ.get("JLIP_DESK_BUNDLE")
    path = Path(named) if named else ROOT / "dist" / "jlip-desk" / EXE_NAME
    return path if path.is_file() and os.access(path, os.X_OK) else None


@dataclass(frozen=True, slots=True)
class Startup:
    runs: int
    bare: float  # medians, seconds
    shown: float
    ready: float
    frozen: float | None  # the bundle's window shown, None without a bundle


def run(runs: int) -> Startup:
    frozen_exe = bundle()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "JLIP_DESK_DATA_DIR": folder}
        # Users' Pythons cache bytecode (and the frozen app ships it): so does the benchmark.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # A bound, migrated store: later starts are what users wait for every day.
        subprocess.run(
            [sys.executable, "-m", "jlip_desk", "init", "--org", "220000"],
            env=env,
            check=True,
            capture_output=True,
        )
        app_env = {**env, "JLIP_DESK_STARTUP_PROBE": "1"}
        bare_cmd = [sys.executable, "-c", BARE]
        app_cmd = [sys.executable, "-m", "jlip_desk"]
        frozen_cmd = [str(frozen_exe)] if frozen_exe is not None else None
        _run(bare_cmd, env, ("shown",))  # warm the file cache and bytecode for both
        _run(app_cmd, app_env, ("shown", "ready"))
        if frozen_cmd is not None:
            _run(frozen_cmd, app_env, ("shown", "ready"))
        bare: list[float] = []
        shown: list[float] = []
        ready: list[float] = []
        frozen: list[float] = []
        for _ in range(runs):
            bare.extend(_run(bare_cmd, env, ("shown",)))
            first, page = _run(app_cmd, app_env, ("shown", "ready"))
            shown.append(first)
            ready.append(page)
            if frozen_cmd is not None:
                frozen.append(_run(frozen_cmd, app_env, ("shown", "ready"))[0])
    return Startup(
        runs,
        statistics.median(bare),
        statistics.median(shown),
        statistics.median(ready),
        statistics.median(frozen) if frozen else None,
    )


def figures(result: Startup) -> list[Figure]:
    ms = 1000
    rows = [
        Figure("start-up: main window shown", result.bare * ms, result.shown * ms, "ms",
               TARGET_RATIO, "ratio"),
        Figure("start-up: first page ready", result.bare * ms, result.ready * ms, "ms",
               None, "ratio"),
    ]  # fmt: skip
    if result.frozen is None:
        rows.append(not_measured("start-up: frozen bundle vs unfrozen", "ms", "no bundle"))
    else:
        rows.append(
            Figure("start-up: frozen bundle vs unfrozen", result.shown * ms, result.frozen * ms,
                   "ms", FROZEN_TARGET_RATIO, "ratio")
        )  # fmt: skip
    return rows


def measure(quick: bool, runs: int | None = None) -> list[Figure]:
    return figures(run(runs or (5 if quick else 15)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    result = run(args.runs)
    shown, *_, frozen_row = figures(result)
    floor, ours, page = result.bare, result.shown, result.ready
    ratio = ours / floor
    print(f"bare PySide6 window shown:        median {floor * 1000:7.1f} ms  ({args.runs} runs)")
    print(f"JLIP Desk main window shown:      median {ours * 1000:7.1f} ms  ({ratio:.2f}x)")
    print(f"JLIP Desk first page ready:       median {page * 1000:7.1f} ms  ({page / floor:.2f}x)")
    if result.frozen is not None:
        frozen = result.frozen
        print(f"frozen bundle window shown:       median {frozen * 1000:7.1f} ms  "
              f"({frozen / ours:.2f}x the unfrozen)")  # fmt: skip
    else:
        print(f"frozen bundle: {frozen_row.note}")
    verdict = "meets" if shown.passed else "MISSES"
    print(f"main window shown at {ratio:.2f}x the floor — {verdict} the {TARGET_RATIO}x target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
