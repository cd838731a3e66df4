"""Shared helpers for the Excel benchmarks: timing, stores and printing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from benchmarks._figures import Figure
from jlip_desk.services.installation import bind, prepare
from jlip_desk.store.database import Store


def median_seconds(fn: Callable[[], object], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(
    floor: Callable[[], object], ours: Callable[[], object], runs: int = 7
) -> tuple[float, float]:
    """Median seconds of ``floor`` and ``ours``, run alternately.

    The machine is shared: taking all floor runs first and all of ours later lets a
    change in load between the two phases show up as a change in the ratio.
    """
    floor_times: list[float] = []
    our_times: list[float] = []
    for _ in range(runs):
        for fn, times in ((floor, floor_times), (ours, our_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(floor_times), statistics.median(our_times)


def province_store() -> Store:
    store = Store.memory()
    prepare(store)
    bind(store, "220000")
    return store


def show(label: str, ours: float, floor: float, floor_label: str, target: float) -> None:
    ratio = ours / floor
    verdict = "OK" if ratio <= target else "OVER TARGET"
    print(
        f"{label:<34} {ours * 1000:8.1f} ms | floor ({floor_label}) {floor * 1000:8.1f} ms"
        f" | ratio {ratio:4.2f}x (target <= {target:.1f}x) {verdict}"
    )


def figure(name: str, ours: float, floor: float, target: float) -> Figure:
    """A ratio figure from medians in seconds, shown in milliseconds."""
    return Figure(name, floor * 1000, ours * 1000, "ms", target, "ratio")


def show_figure(f: Figure, floor_label: str) -> None:
    assert f.ours is not None and f.floor is not None and f.target is not None
    show(f.name, f.ours / 1000, f.floor / 1000, floor_label, f.target)
