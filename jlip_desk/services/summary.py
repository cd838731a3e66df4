"""The progress report: counted targets, indicators on their target path, reporting completeness."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from jlip_desk import __version__
from jlip_desk.periods import Period, current_quarter, parse_period
from jlip_desk.plan.model import Aggregation, Form, Frequency, Indicator, Plan, SubjectKind, Target
from jlip_desk.services.reporting import STATE_KEYS, overview_json, period_overview
from jlip_desk.store.aggregates import (
    field_totals,
    has_demo_values,
    org_value,
    quarters_with_data,
    sums_by_org,
)
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE, OrgUnit, all_orgs, counties_under, get_org
from jlip_desk.store.plans import active_plan, get_plan, plan_for_period, require_in_plan
from jlip_desk.store.records import counted_at, list_records

SUMMARY_FORMAT = 1

# How an indicator stands against its planned path: one vocabulary for the overview,
# the dashboard, the report book and ``summary`` (it had three: 落后, 明显滞后, 落后于进度).
# Below the planned value by at most AT_RISK_MARGIN: at risk; further below: off track.
AT_RISK_MARGIN = 0.05
INDICATOR_STATUS_LABELS = {
    "on_track": "符合进度",
    "at_risk": "存在风险",
    "off_track": "明显滞后",
    "unknown": "数据不足",
}


def indicator_status(value: float | None, planned: float | None, higher_is_better: bool) -> str:
    """A key of INDICATOR_STATUS_LABELS: ``value`` read against ``planned``."""
    if value is None or planned is None:
        return "unknown"
    if (value >= planned) if higher_is_better else (value <= planned):
        return "on_track"
    gap = (planned - value) / planned if higher_is_better else (value - planned) / planned
    return "at_risk" if planned and gap <= AT_RISK_MARGIN else "off_track"


def latest_period(store: Store, plan: Plan) -> Period:
    """The latest quarter holding data, or the quarter being reported now.

    Always one of the plan's quarters: after the plan has ended its last quarter,
    before it starts its first (a period belongs to the plan whose years cover it).
    """
    quarterly = [f.id for f in plan.forms if f.frequency == Frequency.QUARTER]
    periods = quarters_with_data(store, plan.id, quarterly)
    latest = max(parse_period(p) for p in periods) if periods else current_quarter()
    first, last = Period(plan.start_year, 1), Period(plan.end_year, 4)
    return min(max(latest, first), last)


def build_summary(
    store: Store,
    period: Period | None = None,
    org_code: str | None = None,
    today: dt.date | None = None,
    plan_id: str | None = None,
) -> dict[str, Any]:
    """The whole report as plain data (keys documented in the README).

    ``today`` decides which units are overdue (the real date when None). The plan
    is the one whose years cover ``period`` (refused when no loaded plan does); with
    no period, the latest quarter holding data of ``plan_id``'s plan (default: the
    active one). A period given with ``plan_id`` must be one of that plan's years.
    """
    chosen = get_plan(store, plan_id) if plan_id else None
    if period is None:
        plan = chosen or active_plan(store)
        period = latest_period(store, plan)
    elif chosen is not None:
        require_in_plan(store, chosen, period)
        plan = chosen
    else:
        plan = plan_for_period(store, period)
    scope = get_org(store, org_code or PROVINCE_CODE)
    counties = counties_under(store, scope.code)
    orgs = {o.code: o for o in all_orgs(store)}
    demo = has_demo_values(store)
    return {
        "format": SUMMARY_FORMAT,
        "app_version": __version__,
        "plan": {
            "id": plan.id,
            "version": plan.version,
            "name": plan.name,
            "years": [plan.start_year, plan.end_year],
        },
        "period": str(period),
        "period_label": period.label,
        "year": period.year,
        "org": _org(scope),
        "demo_data": demo,
        "targets": [_target(store, plan, t, period, scope, counties, orgs) for t in plan.targets],
        "indicators": [
            indicator_entry(store, plan, ind, period.year, scope, counties, orgs)
            for ind in plan.indicators
        ],
        "activity": _activity(store, plan, period, counties),
        "reporting": _reporting(store, plan, period, scope, today),
    }


def _org(org: OrgUnit) -> dict[str, Any]:
    return {"code": org.code, "name": org.name, "level": org.level}


def _province_value(store: Store, plan: Plan, ref: str, year: int) -> float | None:
    form, field = plan.resolve(ref)
    return org_value(store, plan.id, form.id, PROVINCE_CODE, str(year), field.id)


def _by_org(store: Store, plan: Plan, ref: str, period: str, codes: list[str]) -> dict[str, float]:
    """Numeric values of one field per org unit (summed over subjects) for one period."""
    form, field = plan.resolve(ref)
    return sums_by_org(store, plan.id, form.id, period, field.id, codes)


def _rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def indicator_entry(
    store: Store,
    plan: Plan,
    ind: Indicator,
    year: int,
    scope: OrgUnit,
    counties: list[OrgUnit],
    orgs: dict[str, OrgUnit],
) -> dict[str, Any]:
    codes = [c.code for c in counties]
    value: float | None = None
    parts: dict[str, Any] = {}
    by_prefecture: list[dict[str, Any]] = []
    if ind.aggregation == Aggregation.PROVINCE:
        if scope.code == PROVINCE_CODE and ind.source:
            value = _province_value(store, plan, ind.source, year)
    elif ind.aggregation == Aggregation.SUM and ind.source:
        per_org = _by_org(store, plan, ind.source, str(year), codes)
        if per_org:
            value = sum(per_org.values()) * ind.scale
        parts = {"reporting_orgs": len(per_org)}
        by_prefecture = _group(per_org, orgs, lambda vals: sum(vals) * ind.scale, ind.decimals)
    elif ind.aggregation == Aggregation.RATIO and ind.numerator and ind.denominator:
        num = _by_org(store, plan, ind.numerator, str(year), codes)
        den = _by_org(store, plan, ind.denominator, str(year), codes)
        # Only org units that reported both parts; a ratio of sums, never a mean of ratios.
        both = [code for code in num if den.get(code)]
        num_sum = sum(num[c] for c in both)
        den_sum = sum(den[c] for c in both)
        if both and den_sum:
            value = num_sum / den_sum * ind.scale
        parts = {"numerator": num_sum, "denominator": den_sum, "reporting_orgs": len(both)}
        pairs = {c: (num[c], den[c]) for c in both}
        by_prefecture = _group_ratio(pairs, orgs, ind.scale, ind.decimals)

    target_value = ind.target
    if ind.target_source:
        yearly = _province_value(store, plan, ind.target_source, year)
        target_value = yearly if yearly is not None else target_value
    planned = ind.planned_value(year)
    if planned is None or ind.target_source:
        planned = target_value
    # The plan's targets are the province's: a total below the province (a county's
    # trademarks) is never judged against them; a ratio may be read against the path.
    applies = scope.code == PROVINCE_CODE
    judged = applies or ind.aggregation == Aggregation.RATIO
    status = indicator_status(value, planned, ind.higher_is_better) if judged else "unknown"
    # The older key, kept for readers of summary --json: on the path or not.
    on_track = None if status == "unknown" else status == "on_track"
    if ind.aggregation != Aggregation.PROVINCE:
        # Coverage: a value from 1 of 60 counties must never pass for the province's.
        parts.setdefault("reporting_orgs", 0)
        parts["expected_orgs"] = len(counties)
    return {
        "id": ind.id,
        "name": ind.name,
        "unit": ind.unit,
        "aggregation": ind.aggregation.value,
        "year": year,
        "value": _rounded(value, ind.decimals),
        **parts,
        "baseline_year": ind.baseline_year,
        "baseline": ind.baseline,
        "target_year": ind.target_year,
        "target": _rounded(target_value, ind.decimals),
        "target_text": ind.target_text,
        "growth_rate": ind.growth_rate,
        "planned": _rounded(planned, ind.decimals),
        "on_track": on_track,
        "status": status,
        "applies": applies,
        "by_prefecture": by_prefecture,
    }


def _group(
    per_org: dict[str, float], orgs: dict[str, OrgUnit], combine: Any, decimals: int
) -> list[dict[str, Any]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for code, value in per_org.items():
        groups[orgs[code].parent_code or code].append(value)
    return [
        {**_org(orgs[code]), "value": round(combine(values), decimals)}
        for code, values in sorted(groups.items())
    ]


def _group_ratio(
    pairs: dict[str, tuple[float, float]], orgs: dict[str, OrgUnit], scale: float, decimals: int
) -> list[dict[str, Any]]:
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for code, pair in pairs.items():
        groups[orgs[code].parent_code or code].append(pair)
    out = []
    for code, values in sorted(groups.items()):
        num = sum(n for n, _ in values)
        den = sum(d for _, d in values)
        out.append(
            {
                **_org(orgs[code]),
                "numerator": num,
                "denominator": den,
                "value": round(num / den * scale, decimals) if den else None,
            }
        )
    return out


def _target(
    store: Store,
    plan: Plan,
    target: Target,
    period: Period,
    scope: OrgUnit,
    counties: list[OrgUnit],
    orgs: dict[str, OrgUnit],
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": target.id,
        "name": target.name,
        "unit": target.unit,
        "target": target.target,
        "target_year": target.target_year,
        "at_least": target.at_least,
    }
    if target.count_registry:
        registry = plan.registry(target.count_registry)
        codes = [c.code for c in counties]
        per_county = dict.fromkeys(codes, 0)
        for record in list_records(store, plan.id, registry.id, codes):
            if counted_at(record, registry, period.end):
                per_county[record.org_code] += 1
        by_prefecture: dict[str, dict[str, Any]] = {}
        for county in counties:
            parent = orgs[county.parent_code or county.code]
            entry = by_prefecture.setdefault(
                parent.code, {**_org(parent), "count": 0, "counties": []}
            )
            entry["count"] += per_county[county.code]
            entry["counties"].append({**_org(county), "count": per_county[county.code]})
        count: float | None = float(sum(per_county.values()))
        out["by_prefecture"] = list(by_prefecture.values())
    else:
        assert target.source is not None
        count = None
        if scope.code == PROVINCE_CODE:
            count = _province_value(store, plan, target.source, period.year)
    out["count"] = None if count is None else (int(count) if count.is_integer() else count)
    # The targets are the province's: a prefecture or county is not judged against them.
    applies = scope.code == PROVINCE_CODE
    out["applies"] = applies
    out["reached"] = None if count is None or not applies else count >= target.target
    return out


def _activity(
    store: Store, plan: Plan, period: Period, counties: list[OrgUnit]
) -> dict[str, dict[str, float]]:
    """Totals of every numeric field of the registry-subject quarterly forms over the scope."""
    codes = [c.code for c in counties]
    periods = [str(q) for q in period.quarters()]
    out: dict[str, dict[str, float]] = {}
    for form in quarterly_registry_forms(plan):
        totals = dict.fromkeys((f.id for f in form.fields if f.is_numeric), 0.0)
        for field, total in field_totals(store, plan.id, form.id, periods, codes).items():
            if field in totals:
                totals[field] = total
        out[form.id] = {k: int(v) if v.is_integer() else v for k, v in totals.items()}
    return out


def quarterly_registry_forms(plan: Plan) -> list[Form]:
    return [
        f
        for f in plan.forms
        if f.frequency == Frequency.QUARTER and f.subject == SubjectKind.REGISTRY
    ]


def _reporting(
    store: Store, plan: Plan, period: Period, scope: OrgUnit, today: dt.date | None
) -> dict[str, Any]:
    """Who reported: the one overview of every aggregate view, with the older keys."""
    overview = period_overview(store, plan, scope.code, period, today=today)
    data = overview_json(overview)
    counts = overview.counts
    return {
        **data,
        "reported": overview.handed_in,
        "complete": not overview.not_handed_in,
        "by_status": {key: counts[key] for key in STATE_KEYS},
        "missing": [
            {**_org(u.org), "prefecture": u.org.parent_code, "status": u.state.status}
            for u in overview.not_handed_in
        ],
        "reported_orgs": [u.org.code for u in overview.units if u.handed_in],
    }
