"""What the org units of a scope report in a period: one answer for every aggregate view.

The overview page, the entry page's header and period list, ``summary --json`` and
``status`` all show an :class:`Overview` made by :func:`period_overviews`, so their
counts cannot disagree. An overview covers every unit that should report in the
period (those that sent nothing included, as 未报送), with each unit's state from the
one state machine, whether it is overdue (the plan's ``due_days`` after the period's
end, not handed in), and its open errors and warnings from the one validator.

Which units should report: the org units of the forms of the period's frequency that
the scope covers. A scope that covers others (the province, a prefecture) is counted
over them, not over its own forms; ``own=True`` asks for the scope's own report.

Which of them owe a period (:func:`owing_units`, the one answer the review matrix and
the dashboard read too): a form about the unit itself or about plan items is owed
every period; a form about registry records only while one of the unit's records
existed during the period (a county whose first station opened in 2024 owes no
quarter before it, a county with no station owes none). A unit that typed figures
for the period or whose period has a state owes it whatever its records say. Only
an owed period that is past due and not handed in is overdue (:func:`is_overdue`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from jlip_desk.periods import Period
from jlip_desk.plan.model import Form, Frequency, Plan, SubjectKind
from jlip_desk.services.entry_rows import LOCKED_STATES, build_rows, scope_orgs
from jlip_desk.services.period_status import STATUS_LABELS, PeriodState, plan_periods
from jlip_desk.services.validator import FormHistory, check_rows, load_confirmations
from jlip_desk.store.cells import filled_periods
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit, get_org
from jlip_desk.store.plans import require_in_plan
from jlip_desk.store.records import active_during, list_records
from jlip_desk.store.status import periods_with_status, read_statuses

__all__ = [
    "COUNT_KEYS",
    "COUNT_LABELS",
    "EXEMPT_LABEL",
    "EXEMPT_WHY",
    "HANDED_IN_LABEL",
    "STATE_KEYS",
    "Overview",
    "UnitReport",
    "counts_text",
    "covers_form",
    "data_text",
    "due_date",
    "faulty_text",
    "is_overdue",
    "overview_json",
    "owing_units",
    "past_due",
    "period_overview",
    "period_overviews",
    "problems_text",
    "recount",
    "reporting_units",
    "units_with_errors",
]

# The headline count of every aggregate view: units that submitted, accepted included.
HANDED_IN_LABEL = "已报送(含已接收)"
# What the overviews say of a unit that owes nothing in the period.
EXEMPT_LABEL = "无需报送"
EXEMPT_WHY = "本期没有在册的登记对象(工作站、服务网点等尚未设立或已撤销),不用填报"

# The words of every aggregate view, in this order; "overdue" overlaps the states
# (an overdue unit is also 未报送, 草稿 or 已退回).
STATE_KEYS = ("none", "draft", "submitted", "accepted", "returned")
COUNT_KEYS = (*STATE_KEYS, "overdue")
COUNT_LABELS = {**STATUS_LABELS, "overdue": "逾期"}

FormTally = tuple[str, int, int]  # (form id, open errors, open warnings)


@dataclass(frozen=True, slots=True)
class UnitReport:
    """One org unit's report for the period."""

    org: OrgUnit
    state: PeriodState
    overdue: bool
    by_form: tuple[FormTally, ...] = ()

    @property
    def errors(self) -> int:
        return sum(e for _, e, _ in self.by_form)

    @property
    def warnings(self) -> int:
        return sum(w for _, _, w in self.by_form)

    @property
    def handed_in(self) -> bool:
        return self.state.status in LOCKED_STATES


@dataclass(frozen=True, slots=True)
class Overview:
    """Every unit of ``scope`` that should report in ``period``, and their reports."""

    scope: OrgUnit
    period: Period
    due: dt.date
    units: tuple[UnitReport, ...]
    own: bool = False
    # The units of the scope that owe nothing this period (not counted in ``units``).
    exempt: tuple[OrgUnit, ...] = ()

    # Derived once: every view reads these many times (a table repaints cell by cell).
    single: UnitReport | None = field(init=False, compare=False, repr=False)
    counts: dict[str, int] = field(init=False, compare=False, repr=False)
    handed_in: int = field(init=False, compare=False, repr=False)
    errors: int = field(init=False, compare=False, repr=False)
    warnings: int = field(init=False, compare=False, repr=False)
    units_with_errors: int = field(init=False, compare=False, repr=False)
    units_with_warnings: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        units = self.units
        covers = any(u.org.code != self.scope.code for u in units)
        # One unit's own report (not one unit of a scope that covers others).
        single = units[0] if len(units) == 1 and (self.own or not covers) else None
        counts = dict.fromkeys(COUNT_KEYS, 0)
        for unit in units:
            counts[unit.state.status] += 1
            counts["overdue"] += unit.overdue
        tallies = [(u.errors, u.warnings) for u in units]
        derived = {
            "single": single,
            "counts": counts,
            "handed_in": sum(1 for u in units if u.handed_in),
            "errors": sum(e for e, _ in tallies),
            "warnings": sum(w for _, w in tallies),
            "units_with_errors": sum(1 for e, _ in tallies if e),
            "units_with_warnings": sum(1 for _, w in tallies if w),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @property
    def expected(self) -> int:
        return len(self.units)

    @property
    def not_handed_in(self) -> list[UnitReport]:
        return [u for u in self.units if not u.handed_in]

    def unit(self, org_code: str) -> UnitReport | None:
        return next((u for u in self.units if u.org.code == org_code), None)

    def codes(self) -> set[str]:
        """Every unit of the scope that reports this period's forms, owing it or not."""
        return {u.org.code for u in self.units} | {o.code for o in self.exempt}

    def counts_text(self) -> str:
        return counts_text(self.counts, self.handed_in, self.expected, len(self.exempt))

    def problems_text(self) -> str:
        return problems_text(
            self.errors, self.units_with_errors, self.warnings, self.units_with_warnings
        )

    def text(self) -> str:
        """The words every aggregate view shows for this overview."""
        return f"{self.counts_text()};{self.problems_text()}"


def counts_text(counts: Mapping[str, int], handed_in: int, expected: int, exempt: int = 0) -> str:
    """ "已报送(含已接收)54 / 60 个单位(未报送 5、已报送 50、已接收 4、已退回 1;逾期 5)",
    with "另有 18 个单位无需报送" when some units of the scope owe nothing."""
    parts = [f"{COUNT_LABELS[k]} {counts[k]}" for k in STATE_KEYS if counts.get(k)]
    tally = "、".join(parts) or "无应报单位"
    if counts.get("overdue"):
        tally += f";{COUNT_LABELS['overdue']} {counts['overdue']}"
    if exempt:
        tally += f";另有 {exempt} 个单位{EXEMPT_LABEL}"
    # The headline counts every unit that handed in (报送 or already 接收): said so, as
    # the tally's 已报送 is the state alone.
    return f"{HANDED_IN_LABEL}{handed_in} / {expected} 个单位({tally})"


def problems_text(
    errors: int, units_with_errors: int, warnings: int, units_with_warnings: int
) -> str:
    """ "错误 80 个(1 个单位)、警告 3 个(2 个单位)"."""
    text = f"错误 {errors} 个" + (f"({units_with_errors} 个单位)" if errors else "")
    text += f"、警告 {warnings} 个" + (f"({units_with_warnings} 个单位)" if warnings else "")
    return text


def data_text(data: Mapping[str, Any]) -> str:
    """Both lines' words from :func:`overview_json`'s data (``summary --json``'s ``reporting``)."""
    counts = counts_text(
        data["counts"], data["handed_in"], data["expected"], len(data.get("exempt", ()))
    )
    problems = problems_text(
        data["errors"], data["units_with_errors"], data["warnings"], data["units_with_warnings"]
    )
    return f"{counts};{problems}"


def overview_json(overview: Overview) -> dict[str, Any]:
    """The overview as plain data (``summary --json``'s ``reporting``, ``status --json``)."""
    scope = overview.scope
    return {
        "period": str(overview.period),
        "scope": {"code": scope.code, "name": scope.name, "level": scope.level},
        "due": overview.due.isoformat(),
        "expected": overview.expected,
        "handed_in": overview.handed_in,
        "counts": overview.counts,
        "errors": overview.errors,
        "warnings": overview.warnings,
        "units_with_errors": overview.units_with_errors,
        "units_with_warnings": overview.units_with_warnings,
        # The units that owe nothing this period, by code.
        "exempt": [o.code for o in overview.exempt],
        "units": [
            {
                "code": u.org.code,
                "name": u.org.name,
                "level": u.org.level,
                "prefecture": u.org.parent_code,
                "status": u.state.status,
                "label": u.state.label,
                "reason": u.state.reason,
                "overdue": u.overdue,
                "errors": u.errors,
                "warnings": u.warnings,
            }
            for u in overview.units
        ],
    }


def _forms(plan: Plan, frequency: Frequency) -> list[Form]:
    return [f for f in plan.forms if f.frequency == frequency]


def reporting_units(
    store: Store, plan: Plan, scope_code: str, frequency: Frequency, *, own: bool = False
) -> list[OrgUnit]:
    """The org units that should report forms of ``frequency`` in the scope."""
    scope = get_org(store, scope_code)
    forms = _forms(plan, frequency)
    if own:
        return [scope] if any(f.org_level == scope.level for f in forms) else []
    found: dict[str, OrgUnit] = {}
    for form in forms:
        for org in scope_orgs(store, form, scope_code):
            found[org.code] = org
    if len(found) > 1:
        found.pop(scope.code, None)  # a scope that covers others is counted over them
    return [found[code] for code in sorted(found)]


def due_date(plan: Plan, period: Period) -> dt.date:
    return period.end + dt.timedelta(days=plan.due_days)


def past_due(plan: Plan, period: Period, today: dt.date) -> bool:
    """Whether the plan's due date for ``period`` has passed."""
    return today > due_date(plan, period)


def is_overdue(plan: Plan, period: Period, handed_in: bool, today: dt.date) -> bool:
    """Whether an owed period is overdue: past the plan's due date and not handed in (a
    returned report is owed again). Only a period the unit owes can be overdue."""
    return not handed_in and past_due(plan, period, today)


def owing_units(
    store: Store,
    plan: Plan,
    frequency: Frequency,
    periods: Iterable[Period],
    units: Iterable[OrgUnit],
) -> dict[Period, frozenset[str]]:
    """The codes of ``units`` that owe each period (of ``frequency``): see the module."""
    periods = list(periods)
    units = list(units)
    texts = {str(p): p for p in periods}
    owed: dict[Period, set[str]] = {p: set() for p in periods}
    for code, text in periods_with_status(store, plan.id):
        if text in texts:
            owed[texts[text]].add(code)
    for form in _forms(plan, frequency):
        codes = [u.code for u in units if u.level == form.org_level]
        if not codes:
            continue
        wanted = set(codes)
        for code, text in filled_periods(store, plan.id, form.id):
            if code in wanted and text in texts:
                owed[texts[text]].add(code)
        if form.subject != SubjectKind.REGISTRY:
            for period in periods:
                owed[period].update(codes)
            continue
        for registry_id in form.registries:
            registry = plan.registry(registry_id)
            records = list_records(store, plan.id, registry_id, codes)
            for period in periods:
                owed[period].update(
                    r.org_code for r in records if active_during(r, registry, period)
                )
    wanted_all = {u.code for u in units}
    return {p: frozenset(codes & wanted_all) for p, codes in owed.items()}


def _tallies(
    store: Store,
    plan: Plan,
    form: Form,
    scope_code: str,
    codes: Sequence[str],
    periods: Iterable[Period],
) -> dict[Period, dict[str, tuple[int, int]]]:
    """Open (errors, warnings) of ``form`` per period and org unit among ``codes``.

    The form's stored history is read once for every period.
    """
    wanted = set(codes)
    history = FormHistory(store, plan.id, form.id, codes)
    confirmations = load_confirmations(store, plan.id, form.id, codes)
    out: dict[Period, dict[str, tuple[int, int]]] = {}
    for period in periods:
        rows = [
            r
            for r in build_rows(store, plan, form.id, scope_code, period)
            if r.key.org_code in wanted
        ]
        tally = dict.fromkeys(codes, (0, 0))
        for problem in check_rows(form, rows, period, history, confirmations):
            if not problem.open:
                continue
            errors, warnings = tally[problem.key.org_code]
            if problem.severity == "error":
                tally[problem.key.org_code] = (errors + 1, warnings)
            else:
                tally[problem.key.org_code] = (errors, warnings + 1)
        out[period] = tally
    return out


def period_overviews(
    store: Store,
    plan: Plan,
    scope_code: str,
    periods: Sequence[Period] | None = None,
    *,
    own: bool = False,
    today: dt.date | None = None,
) -> list[Overview]:
    """The overview of each period (every period of the plan when None), newest first."""
    today = today or dt.date.today()
    scope = get_org(store, scope_code)
    if periods is None:
        # The periods of every frequency someone in the scope reports.
        reported = {f for f in Frequency if reporting_units(store, plan, scope_code, f, own=own)}
        periods = plan_periods(plan, reported)
    for period in periods:
        require_in_plan(store, plan, period)
    by_frequency: dict[Frequency, list[Period]] = {}
    for period in periods:
        by_frequency.setdefault(Frequency.of(period), []).append(period)
    out: list[Overview] = []
    for frequency, group in by_frequency.items():
        units = reporting_units(store, plan, scope_code, frequency, own=own)
        codes = [u.code for u in units]
        wanted = set(codes)
        forms: dict[Period, dict[str, list[FormTally]]] = {p: {c: [] for c in codes} for p in group}
        for form in _forms(plan, frequency):
            form_codes = [o.code for o in scope_orgs(store, form, scope_code) if o.code in wanted]
            if not form_codes:
                continue
            for period, tally in _tallies(store, plan, form, scope_code, form_codes, group).items():
                for code, (errors, warnings) in tally.items():
                    forms[period][code].append((form.id, errors, warnings))
        owing = owing_units(store, plan, frequency, group, units)
        for period in group:
            recorded = read_statuses(store, plan.id, str(period))
            due = due_date(plan, period)
            reports = []
            for unit in units:
                if unit.code not in owing[period]:
                    continue
                row = recorded.get(unit.code)
                state = PeriodState(row.status, row.reason) if row else PeriodState()
                overdue = is_overdue(plan, period, state.locked, today)
                by_form = tuple(sorted(forms[period][unit.code]))
                reports.append(UnitReport(unit, state, overdue, by_form))
            exempt = tuple(u for u in units if u.code not in owing[period])
            out.append(Overview(scope, period, due, tuple(reports), own, exempt))
    return sorted(out, key=lambda o: o.period, reverse=True)


def period_overview(
    store: Store,
    plan: Plan,
    scope_code: str,
    period: Period,
    *,
    own: bool = False,
    today: dt.date | None = None,
) -> Overview:
    """The overview of one period."""
    return period_overviews(store, plan, scope_code, [period], own=own, today=today)[0]


def units_with_errors(
    store: Store, plan: Plan, scope_code: str, period: Period, codes: Iterable[str]
) -> list[OrgUnit]:
    """The units among ``codes`` whose ``period`` still has open errors (their workbooks,
    exported anyway by a superior, are refused when imported)."""
    overview = period_overview(store, plan, scope_code, period)
    return [u.org for code in codes if (u := overview.unit(code)) is not None and u.errors]


def faulty_text(units: Sequence[OrgUnit], period: Period) -> str:
    """ "注意:其中 5 个单位…仍有错误…:榆树市、永吉县…。", or "" when there are none."""
    if not units:
        return ""
    names = "、".join(u.name for u in units[:10]) + ("等" if len(units) > 10 else "")
    return (
        f"注意:其中 {len(units)} 个单位{period.label}的数据仍有错误,"
        f"其报送文件导入时会被拒绝:{names}。请待这些单位改正并报送后再导出。"
    )


def covers_form(overviews: Sequence[Overview], plan: Plan, form_id: str, edited: set[str]) -> bool:
    """Whether an edit of ``form_id`` rows of ``edited`` units changes these overviews."""
    frequency = plan.form(form_id).frequency
    # A unit may owe some periods and not others: any period of the frequency counts.
    return any(
        code in o.codes()
        for o in overviews
        if Frequency.of(o.period) == frequency
        for code in edited
    )


def recount(
    store: Store,
    plan: Plan,
    overviews: Sequence[Overview],
    form_id: str,
    since: Period,
    edited: set[str],
    *,
    today: dt.date | None = None,
) -> list[Overview]:
    """The overviews after an edit of ``form_id`` rows of ``edited`` units in ``since``.

    An edit changes its own period's problems and, through ``prior()``, those of the
    later periods of the same form, only for the units edited; and figures typed (or
    all deleted) can make a unit owe a period it did not (or no longer). Nothing else
    is checked again.
    """
    today = today or dt.date.today()
    form = plan.form(form_id)
    later = [
        o.period
        for o in overviews
        if Frequency.of(o.period) == form.frequency and o.period >= since
    ]
    present = {code for o in overviews if o.period in later for code in o.codes()}
    units = [
        org
        for code in sorted(edited & present)
        if (org := get_org(store, code)).level == form.org_level
    ]
    if not units or not later:
        return list(overviews)
    codes = [u.code for u in units]
    fresh: dict[Period, dict[str, tuple[int, int]]] = {p: {} for p in later}
    for code in codes:
        # Each unit's own rows: build_rows for a unit's code covers that unit alone.
        for period, tally in _tallies(store, plan, form, code, [code], later).items():
            fresh[period].update(tally)
    owing = owing_units(store, plan, form.frequency, later, units)
    out = []
    for overview in overviews:
        counts = fresh.get(overview.period)
        if not counts:
            out.append(overview)
            continue
        owed = owing[overview.period]
        recorded = read_statuses(store, plan.id, str(overview.period))
        reports = {u.org.code: u for u in overview.units}
        for unit in units:
            if unit.code not in owed:
                reports.pop(unit.code, None)
                continue
            if unit.code not in reports:  # it owes the period now
                row = recorded.get(unit.code)
                state = PeriodState(row.status, row.reason) if row else PeriodState()
                late = is_overdue(plan, overview.period, state.locked, today)
                reports[unit.code] = UnitReport(unit, state, late)
            reports[unit.code] = _with_form(reports[unit.code], form_id, counts[unit.code])
        exempt = {o.code: o for o in overview.exempt if o.code not in owed}
        exempt |= {u.code: u for u in units if u.code not in owed}
        out.append(
            replace(
                overview,
                units=tuple(reports[c] for c in sorted(reports)),
                exempt=tuple(exempt[c] for c in sorted(exempt)),
            )
        )
    return out


def _with_form(unit: UnitReport, form_id: str, tally: tuple[int, int]) -> UnitReport:
    forms = [t for t in unit.by_form if t[0] != form_id]
    forms.append((form_id, *tally))
    return replace(unit, by_form=tuple(sorted(forms)))
