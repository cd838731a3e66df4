"""The dashboard's figures as plain data: counts over time, indicators on their path,
activity per quarter and reporting over time, for one scope and period.

Qt-free. Every number of the chosen period comes from :func:`build_summary` (or the
same store reads it makes), so the dashboard and ``summary --json`` cannot disagree;
the time series repeat those reads for earlier periods.

A scope below the province (a prefecture or a county) is never shown the province's
targets as its own: its counts carry its share of the province instead, and its
indicators the province's value for reference.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from jlip_desk.periods import Period, parse_period, quarters_between
from jlip_desk.plan.model import Frequency, Plan, Registry
from jlip_desk.services.entry_rows import LOCKED_STATES
from jlip_desk.services.installation import bound_org
from jlip_desk.services.reporting import owing_units, past_due, reporting_units
from jlip_desk.services.summary import (
    AT_RISK_MARGIN,
    INDICATOR_STATUS_LABELS,
    build_summary,
    indicator_entry,
    indicator_status,
    quarterly_registry_forms,
)
from jlip_desk.store.cells import read_form
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE, OrgUnit, all_orgs, counties_under, get_org
from jlip_desk.store.plans import plan_for_period
from jlip_desk.store.records import Record, counted_at, list_records
from jlip_desk.store.status import read_statuses
from jlip_desk.validation.records import record_name

__all__ = [
    "AT_RISK_MARGIN",
    "ActivitySeries",
    "CountSeries",
    "Coverage",
    "Dashboard",
    "Group",
    "IndicatorSeries",
    "ReportingSeries",
    "build_dashboard",
]

# The mediation success rate: successful / mediations (a ratio of sums), when the form has both.
SUCCESS_FIELDS = ("mediations_successful", "mediations")
HOST_TYPE_FIELD = "host_type"
NO_HOST_TYPE = "未填写"


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of the units that should give a figure gave it."""

    reported: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.reported == self.expected

    def text(self) -> str:
        if self.expected == 0:
            return "无应报单位"
        # "有数据", not "报送": a returned report still has its figures, a handed-in one
        # may lack this one (the headline counts say who handed in).
        return f"{self.reported}/{self.expected} 个单位有数据"


@dataclass(frozen=True, slots=True)
class Group:
    """One bar: a prefecture, a county or a station, with its count and share."""

    code: str
    name: str
    level: str
    count: int
    share: float | None  # of the scope's total
    drillable: bool = False  # a prefecture whose counties can be shown


@dataclass(frozen=True, slots=True)
class CountSeries:
    """A counted target (stations, service points) over the quarters and at the period's end."""

    id: str
    name: str
    unit: str
    count: int
    # The province's target and the straight path to it: only for the province scope.
    target: float | None
    target_year: int
    cumulative: list[int]  # per quarter of Dashboard.quarters
    planned: list[float | None]
    province_count: int
    share_of_province: float | None
    by_group: list[Group]
    by_host_type: list[tuple[str, int]]
    units: int  # county-level units whose registries are counted


@dataclass(frozen=True, slots=True)
class IndicatorSeries:
    id: str
    name: str
    unit: str
    aggregation: str
    decimals: int
    years: list[int]  # the plan's years up to the period's year
    actual: list[float | None]
    coverage: list[Coverage]  # per year
    value: float | None  # of the period's year (= summary's)
    planned_years: list[int]  # baseline year to target year (empty below the province)
    planned: list[float | None]
    planned_value: float | None
    baseline_year: int
    baseline: float
    target_year: int
    target: float | None
    target_text: str | None
    growth_rate: float | None
    growth_needed: float | None  # per year, from the latest value to the target
    status: str  # a key of INDICATOR_STATUS_LABELS
    province_value: float | None
    share_of_province: float | None  # sums only

    @property
    def status_label(self) -> str:
        return INDICATOR_STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class ActivitySeries:
    """One quarterly form's activity per quarter, stacked by group."""

    form_id: str
    form_name: str
    fields: list[tuple[str, str, str]]  # (id, label, unit) of the numeric fields
    group_kind: str  # what a group is, in Chinese
    groups: list[tuple[str, str]]  # (code, name)
    values: dict[str, dict[str, list[float]]]  # field -> group -> per quarter
    totals: dict[str, list[float]]  # field -> per quarter
    success_rate: list[float | None]  # per quarter
    coverage: list[Coverage]  # per quarter


@dataclass(frozen=True, slots=True)
class ReportingSeries:
    """Completeness and timeliness of the quarterly reports, per quarter."""

    periods: list[str]
    expected: list[int]
    handed_in: list[int]
    overdue: list[int]

    @property
    def completeness(self) -> list[float | None]:
        return [h / e if e else None for h, e in zip(self.handed_in, self.expected, strict=True)]


@dataclass(frozen=True, slots=True)
class Dashboard:
    period: str
    period_label: str
    year: int
    org: dict[str, str]
    parent: dict[str, str] | None  # where "back" leads (None at the province)
    is_province: bool
    demo_data: bool
    plan_years: tuple[int, int]
    quarters: list[str]
    counts: list[CountSeries]
    indicators: list[IndicatorSeries]
    activity: list[ActivitySeries]
    reporting: ReportingSeries
    current_reporting: dict[str, Any]  # summary["reporting"]
    summary: dict[str, Any] = field(repr=False)

    def count(self, target_id: str) -> CountSeries:
        return next(c for c in self.counts if c.id == target_id)

    def indicator(self, indicator_id: str) -> IndicatorSeries:
        return next(i for i in self.indicators if i.id == indicator_id)


def _org(org: OrgUnit) -> dict[str, str]:
    return {"code": org.code, "name": org.name, "level": org.level}


def _holds_province(store: Store) -> bool:
    """Whether this store receives every county's reports (a province installation)."""
    bound = bound_org(store)
    return bound is None or bound.code == PROVINCE_CODE


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def build_dashboard(
    store: Store,
    period: Period | None = None,
    org_code: str | None = None,
    today: dt.date | None = None,
    plan_id: str | None = None,
) -> Dashboard:
    """Everything the dashboard draws for ``org_code`` (default: the province) and ``period``
    (default: the latest with data of ``plan_id``'s plan, or of the active plan)."""
    summary = build_summary(store, period, org_code, today, plan_id)
    period = parse_period(summary["period"])
    plan = plan_for_period(store, period)
    scope = get_org(store, summary["org"]["code"])
    is_province = scope.code == PROVINCE_CODE
    orgs = {o.code: o for o in all_orgs(store)}
    counties = counties_under(store, scope.code)
    province_counties = counties if is_province else counties_under(store, PROVINCE_CODE)
    quarters = quarters_between(Period(plan.start_year, 1), period)
    # Who owes each quarter: read once for the activity coverage and the reporting series.
    units = reporting_units(store, plan, scope.code, Frequency.QUARTER)
    owing = owing_units(store, plan, Frequency.QUARTER, quarters, units)
    records = {
        r.id: list_records(store, plan.id, r.id, [c.code for c in province_counties])
        for r in plan.registries
    }
    counts = [
        _count(plan, t, summary, scope, counties, orgs, records, quarters)
        for t in plan.targets
        if t.count_registry
    ]
    indicators = [
        _indicator_series(store, plan, i, summary, scope, counties, province_counties, orgs)
        for i in range(len(plan.indicators))
    ]
    names = {rec.code: record_name(plan.registry(rec.registry), rec.values, rec.code)
             for recs in records.values() for rec in recs}  # fmt: skip
    activity = [
        _activity(store, plan, form.id, scope, counties, orgs, names, quarters, owing)
        for form in quarterly_registry_forms(plan)
    ]
    parent = None
    if not is_province:
        parent = _org(orgs[scope.parent_code] if scope.parent_code else orgs[PROVINCE_CODE])
    if not _holds_province(store):
        # A prefecture's or county's store holds only its own units: the "province"
        # it could sum is itself, and a share of 100% would be a false statement.
        counts = [replace(c, share_of_province=None, province_count=0) for c in counts]
        indicators = [replace(i, share_of_province=None, province_value=None) for i in indicators]
    return Dashboard(
        period=summary["period"],
        period_label=summary["period_label"],
        year=summary["year"],
        org=_org(scope),
        parent=parent,
        is_province=is_province,
        demo_data=summary["demo_data"],
        plan_years=(plan.start_year, plan.end_year),
        quarters=[str(q) for q in quarters],
        counts=counts,
        indicators=indicators,
        activity=activity,
        reporting=_reporting(store, plan, quarters, owing, today),
        current_reporting=summary["reporting"],
        summary=summary,
    )


def _count(
    plan: Plan,
    target: Any,
    summary: dict[str, Any],
    scope: OrgUnit,
    counties: list[OrgUnit],
    orgs: dict[str, OrgUnit],
    records: dict[str, list[Record]],
    quarters: list[Period],
) -> CountSeries:
    registry = plan.registry(target.count_registry)
    row = next(t for t in summary["targets"] if t["id"] == target.id)
    in_scope = {c.code for c in counties}
    all_records = records[registry.id]
    mine = [r for r in all_records if r.org_code in in_scope]
    cumulative = [sum(counted_at(r, registry, q.end) for r in mine) for q in quarters]
    period_end = quarters[-1].end
    province_count = sum(counted_at(r, registry, period_end) for r in all_records)
    count = int(row["count"])
    is_province = scope.code == PROVINCE_CODE
    planned: list[float | None] = [None] * len(quarters)
    target_value: float | None = None
    if is_province:
        target_value = float(target.target)
        planned = _straight_path(registry, mine, target, quarters, plan.start_year)
    groups: list[Group] = []
    if scope.level == "county":
        groups = [Group(scope.code, scope.name, scope.level, count, _share(count, count))]
    elif is_province:
        groups = [
            Group(p["code"], p["name"], p["level"], p["count"], _share(p["count"], count), True)
            for p in row["by_prefecture"]
        ]
    else:
        groups = [
            Group(c["code"], c["name"], c["level"], c["count"], _share(c["count"], count))
            for p in row["by_prefecture"]
            for c in p["counties"]
        ]
    hosts: dict[str, int] = defaultdict(int)
    for record in mine:
        if counted_at(record, registry, period_end):
            hosts[str(record.values.get(HOST_TYPE_FIELD) or NO_HOST_TYPE)] += 1
    order = _choices(registry, HOST_TYPE_FIELD)
    by_host = sorted(hosts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    return CountSeries(
        id=target.id,
        name=target.name,
        unit=target.unit,
        count=count,
        target=target_value,
        target_year=target.target_year,
        cumulative=cumulative,
        planned=planned,
        province_count=province_count,
        share_of_province=_share(count, province_count),
        by_group=groups,
        by_host_type=by_host,
        units=len(counties),
    )


def _choices(registry: Registry, field_id: str) -> dict[str, int]:
    try:
        return {c: i for i, c in enumerate(registry.field(field_id).choices)}
    except KeyError:
        return {}


def _straight_path(
    registry: Registry,
    records: list[Record],
    target: Any,
    quarters: list[Period],
    start_year: int,
) -> list[float | None]:
    """From the count at the plan's start to the target at the end of its target year."""
    base_day = dt.date(start_year - 1, 12, 31)
    base = sum(counted_at(r, registry, base_day) for r in records)
    steps = (target.target_year - start_year + 1) * 4
    out: list[float | None] = []
    for q in quarters:
        done = (q.year - start_year) * 4 + (q.quarter or 4)
        fraction = min(done / steps, 1.0) if steps > 0 else 1.0
        out.append(round(base + (target.target - base) * fraction, 2))
    return out


def _indicator_series(
    store: Store,
    plan: Plan,
    index: int,
    summary: dict[str, Any],
    scope: OrgUnit,
    counties: list[OrgUnit],
    province_counties: list[OrgUnit],
    orgs: dict[str, OrgUnit],
) -> IndicatorSeries:
    ind = plan.indicators[index]
    now = summary["indicators"][index]
    is_province = scope.code == PROVINCE_CODE
    last = summary["year"]
    years = list(range(plan.start_year, min(last, plan.end_year) + 1)) or [last]
    if last not in years:
        years.append(last)
    expected = 1 if ind.aggregation.value == "province" else len(counties)
    if ind.aggregation.value == "province" and not is_province:
        expected = 0
    actual: list[float | None] = []
    coverage: list[Coverage] = []
    yearly_planned: dict[int, float | None] = {}
    for year in years:
        row = (
            now if year == last else indicator_entry(store, plan, ind, year, scope, counties, orgs)
        )
        actual.append(row["value"])
        yearly_planned[year] = row["planned"]
        reported = row.get("reporting_orgs", 1 if row["value"] is not None else 0)
        coverage.append(Coverage(int(reported), expected))
    value = now["value"]
    province_value: float | None = value
    share: float | None = None
    if not is_province:
        whole = indicator_entry(store, plan, ind, last, get_org(store, PROVINCE_CODE),
                           province_counties, orgs)  # fmt: skip
        province_value = whole["value"]
        if ind.aggregation.value == "sum" and value is not None and province_value:
            share = value / province_value
    planned_years: list[int] = []
    planned: list[float | None] = []
    planned_value: float | None = None
    target: float | None = None
    growth_needed: float | None = None
    status = "unknown"
    if is_province:
        planned_years = list(range(ind.baseline_year, max(ind.target_year, last) + 1))
        planned = [_planned(ind, y, yearly_planned) for y in planned_years]
        planned_value = now["planned"]
        target = now["target"]
        status = indicator_status(value, planned_value, ind.higher_is_better)
        growth_needed = _growth_needed(years, actual, target, ind.target_year)
    return IndicatorSeries(
        id=ind.id,
        name=ind.name,
        unit=ind.unit,
        aggregation=ind.aggregation.value,
        decimals=ind.decimals,
        years=years,
        actual=actual,
        coverage=coverage,
        value=value,
        planned_years=planned_years,
        planned=planned,
        planned_value=planned_value,
        baseline_year=ind.baseline_year,
        baseline=ind.baseline,
        target_year=ind.target_year,
        target=target,
        target_text=ind.target_text,
        growth_rate=ind.growth_rate,
        growth_needed=growth_needed,
        status=status,
        province_value=province_value,
        share_of_province=share,
    )


def _planned(ind: Any, year: int, yearly: dict[int, float | None]) -> float | None:
    if ind.target_source:  # a yearly target the province records (a national average)
        return yearly.get(year)
    value = ind.planned_value(year)
    return None if value is None else round(value, ind.decimals)


def _growth_needed(
    years: list[int], actual: list[float | None], target: float | None, target_year: int
) -> float | None:
    """The average yearly growth still needed from the latest value to reach the target."""
    known = [(y, v) for y, v in zip(years, actual, strict=True) if v is not None]
    if not known or target is None:
        return None
    year, value = known[-1]
    if year >= target_year or value <= 0:
        return None
    return float((target / value) ** (1.0 / (target_year - year)) - 1.0)


def _activity(
    store: Store,
    plan: Plan,
    form_id: str,
    scope: OrgUnit,
    counties: list[OrgUnit],
    orgs: dict[str, OrgUnit],
    names: dict[str, str],
    quarters: list[Period],
    owing: dict[Period, frozenset[str]],
) -> ActivitySeries:
    """``owing``: the units that owe each quarter, out of whom a figure's coverage is
    counted (a county without a station then gives no figure and is not missing one)."""
    form = plan.form(form_id)
    fields = [(f.id, f.label, f.unit or "") for f in form.fields if f.is_numeric]
    ids = [f for f, _, _ in fields]
    codes = [c.code for c in counties]
    if scope.level == "county":
        kind = "登记记录"

        def group_of(org_code: str, subject: str) -> str:
            return subject

    elif scope.code == PROVINCE_CODE:
        kind = "市(州)"

        def group_of(org_code: str, subject: str) -> str:
            return orgs[org_code].parent_code or org_code

    else:
        kind = "县(市、区)"

        def group_of(org_code: str, subject: str) -> str:
            return org_code

    n = len(quarters)
    wanted = set(ids)
    values: dict[str, dict[str, list[float]]] = {f: {} for f in ids}
    coverage: list[Coverage] = []
    for i, q in enumerate(quarters):
        reported: set[str] = set()
        for (org_code, subject), row in read_form(store, plan.id, form.id, str(q), codes).items():
            group = group_of(org_code, subject)
            for f, raw in row.items():
                # Numbers only, as the SQL sums count them.
                if f not in wanted or isinstance(raw, bool) or not isinstance(raw, int | float):
                    continue
                reported.add(org_code)
                series = values[f].get(group)
                if series is None:
                    series = values[f][group] = [0.0] * n
                series[i] += raw
        coverage.append(Coverage(len(reported), len(owing[q] | reported)))
    present = sorted({g for per in values.values() for g in per})
    for per in values.values():
        for g in present:
            per.setdefault(g, [0.0] * n)
    groups = [(g, orgs[g].name if g in orgs else names.get(g, g)) for g in present]
    totals = {f: [sum(per[g][i] for g in present) for i in range(n)] for f, per in values.items()}
    success: list[float | None] = [None] * n
    good, all_ = SUCCESS_FIELDS
    if good in totals and all_ in totals:
        success = [g / a if a else None for g, a in zip(totals[good], totals[all_], strict=True)]
    return ActivitySeries(
        form_id=form.id,
        form_name=form.name,
        fields=fields,
        group_kind=kind,
        groups=groups,
        values=values,
        totals=totals,
        success_rate=success,
        coverage=coverage,
    )


def _reporting(
    store: Store,
    plan: Plan,
    quarters: list[Period],
    owing: dict[Period, frozenset[str]],
    today: dt.date | None,
) -> ReportingSeries:
    """Per quarter: units that owe it, handed in, overdue (the overview's counts)."""
    today = today or dt.date.today()
    expected, handed, overdue = [], [], []
    for q in quarters:
        recorded = read_statuses(store, plan.id, str(q))
        locked = {u for u in owing[q] if u in recorded and recorded[u].status in LOCKED_STATES}
        expected.append(len(owing[q]))
        handed.append(len(locked))
        # Each owed unit not handed in is overdue once the quarter is past due.
        overdue.append(len(owing[q] - locked) if past_due(plan, q, today) else 0)
    return ReportingSeries([str(q) for q in quarters], expected, handed, overdue)
