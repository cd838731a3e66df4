"""Reporting periods: quarters (``2025Q4``) and years (``2025``), parsed and validated here only."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

from jlip_desk.errors import InputError

_QUARTER = re.compile(r"^(\d{4})\s*[Qq季]\s*([1-4])$")
_QUARTER_CN = re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}

MIN_YEAR = 2000
MAX_YEAR = 2100


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A year (``quarter is None``) or one quarter of a year."""

    year: int
    quarter: int | None = None

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def kind(self) -> str:
        return "quarter" if self.is_quarter else "year"

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        """Chinese label: ``2025年第4季度`` or ``2025年度``."""
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年度"

    def _key(self) -> tuple[int, int]:
        # A year sorts after its own quarters: it closes when the fourth quarter does.
        return (self.year, self.quarter or 5)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    @property
    def start(self) -> dt.date:
        if self.quarter is None:
            return dt.date(self.year, 1, 1)
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def year_period(self) -> Period:
        """The year a quarter belongs to (a year is its own year)."""
        return Period(self.year)

    def quarters(self) -> list[Period]:
        """The quarters of a year; a quarter's list is itself."""
        if self.quarter is not None:
            return [self]
        return [Period(self.year, q) for q in range(1, 5)]

    def contains(self, other: Period) -> bool:
        return self == other or (self.quarter is None and other.year == self.year)

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def next(self) -> Period:
        if self.quarter is None:
            return Period(self.year + 1)
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)


def parse_period(text: str | int) -> Period:
    """Parse ``2025Q4``, ``2025q4``, ``2025年第4季度``, ``2025`` or ``2025年``.

    Raises InputError with a Chinese message naming the accepted forms.
    """
    raw = str(text).strip()
    match = _QUARTER.match(raw)
    if match:
        year, quarter = int(match.group(1)), int(match.group(2))
    else:
        match = _QUARTER_CN.match(raw)
        if match:
            q = match.group(2)
            year, quarter = int(match.group(1)), _CN_DIGITS.get(q) or int(q)
        else:
            match = _YEAR.match(raw)
            if not match:
                raise InputError(
                    f"无法识别的报告期“{raw}”",
                    where="报告期",
                    allowed="季度如 2025Q4,年度如 2025",
                )
            year, quarter = int(match.group(1)), 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(
            f"报告期年份 {year} 超出范围", where="报告期", allowed=f"{MIN_YEAR}到{MAX_YEAR}年"
        )
    return Period(year, quarter or None)


def quarters_between(first: Period, last: Period) -> list[Period]:
    """All quarters from ``first`` to ``last`` inclusive (years expand to their quarters)."""
    start = first.quarters()[0]
    stop = last.quarters()[-1]
    out: list[Period] = []
    current = start
    while current <= stop:
        out.append(current)
        current = current.next()
    return out


def current_quarter(today: dt.date | None = None) -> Period:
    """The last quarter that has ended: the one being reported now."""
    today = today or dt.date.today()
    this = Period(today.year, (today.month - 1) // 3 + 1)
    return this.previous()
