"""One row of the benchmark table, and the table printer shared by every benchmark.

A figure compares our number with a floor measured in the same run (the same work
done the plainest way, on the same machine, at the same moment), because the
machines are shared and noisy: a ratio travels between machines, a bare time does
not. ``kind`` says what the target bounds:

- ``"ratio"``: ours / floor must be at most ``target``;
- ``"absolute"``: ours itself (in ``unit``) must be at most ``target``.

A figure with no target is shown for information. A figure that could not be
measured on this machine (``ours`` is None) carries a ``note`` saying why, and is
neither a pass nor a failure.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

Kind = Literal["ratio", "absolute"]


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    floor: float | None
    ours: float | None
    unit: str
    target: float | None
    kind: Kind
    note: str = ""

    @property
    def measured(self) -> bool:
        return self.ours is not None

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.floor:
            return None
        return self.ours / self.floor

    @property
    def passed(self) -> bool | None:
        """True or False against the target; None when not measured or without a target."""
        if self.target is None or self.ours is None:
            return None
        value = self.ratio if self.kind == "ratio" else self.ours
        if value is None:
            return None
        return value <= self.target

    @property
    def verdict(self) -> str:
        if not self.measured:
            return self.note or "not measured"
        if self.passed is None:
            return "info"
        return "pass" if self.passed else "FAIL"

    def target_text(self) -> str:
        if self.target is None:
            return "-"
        if self.kind == "ratio":
            return f"<= {self.target:g}x"
        return f"<= {self.target:g} {self.unit}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Figure:
        return cls(**data)  # type: ignore[arg-type]


def not_measured(name: str, unit: str, why: str, kind: Kind = "ratio") -> Figure:
    """A row for a figure this machine or this version cannot give (not a failure)."""
    return Figure(name, None, None, unit, None, kind, note=f"not measured: {why}")


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    digits = 0 if abs(value) >= 1000 else 1
    return f"{value:,.{digits}f} {unit}"


def table(figures: Iterable[Figure]) -> str:
    """The figures as one plain-text table (it also reads as Markdown)."""
    head = ("figure", "floor", "ours", "ratio", "target", "result")
    rows: list[Sequence[str]] = [head]
    for f in figures:
        ratio = f.ratio
        rows.append(
            (
                f.name,
                _number(f.floor, f.unit),
                _number(f.ours, f.unit),
                "-" if ratio is None else f"{ratio:.2f}x",
                f.target_text(),
                f.verdict,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    right = {1, 2, 3}  # numbers line up on the right

    def line(row: Sequence[str]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(cells) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":" if i in right else "-" * (w + 2)) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(rows[0]), rule, *(line(r) for r in rows[1:])])


def print_table(figures: Iterable[Figure]) -> None:
    print(table(figures))


def dumps(figures: Iterable[Figure]) -> str:
    return json.dumps([f.to_json() for f in figures], ensure_ascii=False)


def loads(text: str) -> list[Figure]:
    return [Figure.from_json(item) for item in json.loads(text)]
