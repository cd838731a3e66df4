"""The review matrix: every org unit of a scope by period, as its superior reviews them.

One cell per unit and period that the unit should report: not received (and
whether it is overdue, from the plan's due date), received (handed in, waiting
to be reviewed), accepted or returned. Counts per prefecture and the full list of
missing units come from the same cells, so they cannot disagree. Accepting and
returning are the period life cycle's own steps (:mod:`period_status`): who may
take them, from which state and with what reason is decided there, and recorded.

Only statuses are read (no validation), so the whole plan's matrix for the
province is quick to build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from jlip_desk.periods import Period
from jlip_desk.plan.model import Frequency, OrgLevel, Plan
from jlip_desk.services import period_status
from jlip_desk.services.reporting import (
    EXEMPT_LABEL,
    HANDED_IN_LABEL,
    due_date,
    is_overdue,
    owing_units,
    reporting_units,
)
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit, all_orgs, get_org
from jlip_desk.store.status import read_statuses

__all__ = [
    "KIND_LABELS",
    "ReviewCell",
    "ReviewMatrix",
    "accept_many",
    "return_many",
    "review_matrix",
]

# What the reviewer sees, in this order.
KIND_LABELS = {
    "overdue": "逾期未收到",
    "missing": "未收到",
    "received": "已收到",
    "accepted": "已接收",
    "returned": "已退回",
}


@dataclass(frozen=True, slots=True)
class ReviewCell:
    org: OrgUnit
    period: Period
    status: str  # the life cycle's state: none, draft, submitted, accepted, returned
    reason: str | None
    due: dt.date
    overdue: bool

    @property
    def kind(self) -> str:
        if self.status == "submitted":
            return "received"
        if self.status in ("accepted", "returned"):
            return self.status
        return "overdue" if self.overdue else "missing"

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def handed_in(self) -> bool:
        return self.status in period_status.LOCKED

    @property
    def can_accept(self) -> bool:
        return self.status in period_status.STEPS["accept"].sources

    @property
    def can_return(self) -> bool:
        return self.status in period_status.STEPS["return"].sources


@dataclass(frozen=True, slots=True)
class ReviewMatrix:
    scope: OrgUnit
    periods: tuple[Period, ...]  # newest first
    # (prefecture, its units that report), in code order
    groups: tuple[tuple[OrgUnit, tuple[OrgUnit, ...]], ...]
    cells: dict[tuple[str, str], ReviewCell] = field(repr=False)

    def cell(self, org_code: str, period: Period) -> ReviewCell | None:
        return self.cells.get((org_code, str(period)))

    def counts(self, period: Period, prefecture: str | None = None) -> dict[str, int]:
        """Units of each kind in ``period`` (within one prefecture when named)."""
        out = dict.fromkeys(KIND_LABELS, 0)
        for group, units in self.groups:
            if prefecture is not None and group.code != prefecture:
                continue
            for unit in units:
                found = self.cell(unit.code, period)
                if found is not None:
                    out[found.kind] += 1
        return out

    def expected(self, period: Period, prefecture: str | None = None) -> int:
        return sum(self.counts(period, prefecture).values())

    def missing(self, period: Period) -> list[ReviewCell]:
        """Every unit that has not handed ``period`` in, returned ones included (as in
        ``status``: a returned report is owed again), overdue ones first."""
        cells = [
            c
            for _, units in self.groups
            for u in units
            if (c := self.cell(u.code, period)) is not None and not c.handed_in
        ]
        return sorted(cells, key=lambda c: (not c.overdue, c.org.code))

    def handed_in(self, period: Period, prefecture: str | None = None) -> int:
        counts = self.counts(period, prefecture)
        return counts["received"] + counts["accepted"]

    def overdue(self, period: Period, prefecture: str | None = None) -> int:
        return sum(
            1
            for group, units in self.groups
            if prefecture is None or group.code == prefecture
            for u in units
            if (c := self.cell(u.code, period)) is not None and c.overdue
        )

    def exempt(self, period: Period, prefecture: str | None = None) -> int:
        """Units that owe nothing in ``period`` (no cell: nothing to report then)."""
        return sum(
            1
            for group, units in self.groups
            if prefecture is None or group.code == prefecture
            for u in units
            if self.cell(u.code, period) is None
        )

    def counts_text(self, period: Period, prefecture: str | None = None) -> str:
        """The words of ``status`` and the overview: 已报送(含已接收)54/60(…)."""
        counts = self.counts(period, prefecture)
        parts = [f"{KIND_LABELS[k]} {n}" for k, n in counts.items() if n]
        late = self.overdue(period, prefecture)
        # 逾期未收到 already counts the overdue among those not received; only returned
        # reports past due add to it.
        tail = f";逾期共 {late}" if late != counts["overdue"] else ""
        if exempt := self.exempt(period, prefecture):
            tail += f";另有 {exempt} 个单位{EXEMPT_LABEL}"
        expected = self.expected(period, prefecture)
        handed = self.handed_in(period, prefecture)
        return f"{HANDED_IN_LABEL}{handed}/{expected}({','.join(parts)}{tail})"


def _due_periods(plan: Plan, frequencies: set[Frequency], today: dt.date) -> list[Period]:
    """The plan's periods that have ended: a period still running owes nothing yet."""
    return [p for p in period_status.plan_periods(plan, frequencies) if p.end < today]


def review_matrix(
    store: Store, plan: Plan, scope_code: str, *, today: dt.date | None = None
) -> ReviewMatrix:
    """The matrix of every unit under ``scope_code`` by every period that has ended."""
    today = today or dt.date.today()
    scope = get_org(store, scope_code)
    orgs = {o.code: o for o in all_orgs(store)}
    units_by_frequency = {
        f: reporting_units(store, plan, scope.code, f) for f in (Frequency.QUARTER, Frequency.YEAR)
    }
    units_by_frequency = {f: u for f, u in units_by_frequency.items() if u}
    periods = _due_periods(plan, set(units_by_frequency), today)
    owing: dict[Period, frozenset[str]] = {}
    for frequency, units in units_by_frequency.items():
        of_frequency = [p for p in periods if Frequency.of(p) == frequency]
        owing |= owing_units(store, plan, frequency, of_frequency, units)
    cells: dict[tuple[str, str], ReviewCell] = {}
    reporting: dict[str, OrgUnit] = {}
    for period in periods:
        frequency = Frequency.of(period)
        recorded = read_statuses(store, plan.id, str(period))
        due = due_date(plan, period)
        for unit in units_by_frequency[frequency]:
            reporting[unit.code] = unit
            if unit.code not in owing[period]:
                continue  # nothing to report this period: no cell, as in every overview
            row = recorded.get(unit.code)
            status = row.status if row else "none"
            locked = status in period_status.LOCKED
            cells[(unit.code, str(period))] = ReviewCell(
                unit,
                period,
                status,
                row.reason if row else None,
                due,
                overdue=is_overdue(plan, period, locked, today),
            )
    groups: dict[str, list[OrgUnit]] = {}
    for unit in sorted(reporting.values(), key=lambda u: u.code):
        parent = _prefecture_of(unit, orgs)
        groups.setdefault(parent.code if parent else unit.code, []).append(unit)
    ordered = tuple(
        (orgs[code], tuple(units)) for code, units in sorted(groups.items()) if code in orgs
    )
    return ReviewMatrix(scope, tuple(periods), ordered, cells)


def _prefecture_of(unit: OrgUnit, orgs: dict[str, OrgUnit]) -> OrgUnit | None:
    current: OrgUnit | None = unit
    while current is not None and current.level != OrgLevel.PREFECTURE:
        current = orgs.get(current.parent_code or "")
    return current


def accept_many(
    store: Store, plan: Plan, cells: Sequence[tuple[str, Period]]
) -> list[period_status.PeriodState]:
    """Accept each (org, period): one transaction, all or none."""
    with store.atomic():
        return [period_status.accept(store, plan, org, period) for org, period in cells]


def return_many(
    store: Store, plan: Plan, cells: Sequence[tuple[str, Period]], reason: str
) -> list[period_status.PeriodState]:
    """Return each (org, period) with the same reason: one transaction, all or none."""
    with store.atomic():
        return [
            period_status.return_period(store, plan, org, period, reason) for org, period in cells
        ]
