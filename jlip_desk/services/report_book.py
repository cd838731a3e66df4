"""The consolidated report of a period and scope: the progress report as tables.

Every figure comes from :func:`build_summary` (the same data as ``summary --json``),
except the activity per prefecture, which sums the same store values over each
prefecture's counties; its total row is the summary's own total.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from jlip_desk.excel.report_book import Column, ReportBook, Section, Table, Value, write_report_book
from jlip_desk.periods import Period, parse_period
from jlip_desk.plan.model import Frequency, Plan, SubjectKind
from jlip_desk.services.period_status import STATUS_LABELS
from jlip_desk.services.reporting import EXEMPT_LABEL, STATE_KEYS, data_text
from jlip_desk.services.summary import INDICATOR_STATUS_LABELS, build_summary
from jlip_desk.store.aggregates import field_totals
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit, all_orgs, counties_under
from jlip_desk.store.plans import plan_for_period

__all__ = [
    "REPORT_SECTIONS",
    "build_report",
    "coverage_text",
    "export_report_book",
    "indicator_state",
    "target_state",
]

REPORT_SECTIONS = ("目标进度", "核心指标", "服务活动", "报送情况")
SUBTOTAL = "小计"
TOTAL = "合计"


def target_state(reached: bool | None) -> str:
    return {True: "已达成", False: "未达成", None: "无数据"}[reached]


def indicator_state(status: str) -> str:
    return INDICATOR_STATUS_LABELS[status]


def coverage_text(indicator: dict[str, Any], counties: int) -> str:
    """How many county-level units the value covers: ``58/60 个县级单位``."""
    if indicator["aggregation"] == "province":
        return "省级数据"
    return f"{indicator.get('reporting_orgs', 0)}/{counties} 个县级单位"


def build_report(
    store: Store,
    period: Period | str | None = None,
    org_code: str | None = None,
    today: dt.date | None = None,
) -> ReportBook:
    """The report of ``period`` (default: latest with data) for a scope (default: the province)."""
    if isinstance(period, str):
        period = parse_period(period)
    summary = build_summary(store, period, org_code, today=today)
    period = parse_period(summary["period"])
    plan = plan_for_period(store, period)
    counties = counties_under(store, summary["org"]["code"])
    orgs = {o.code: o for o in all_orgs(store)}
    sections = (
        _targets_section(summary),
        _indicators_section(summary, len(counties)),
        _activity_section(store, plan, summary, period, counties, orgs),
        _reporting_section(summary, orgs),
    )
    return ReportBook(
        title=f"{summary['org']['name']}{summary['period_label']}进度报告",
        plan_name=summary["plan"]["name"],
        scope_name=summary["org"]["name"],
        period_label=summary["period_label"],
        generated=today or dt.date.today(),
        demo_data=bool(summary["demo_data"]),
        sections=sections,
        summary=summary,
    )


def export_report_book(
    store: Store,
    period: Period | str | None,
    org_code: str | None,
    target: Path,
    today: dt.date | None = None,
) -> Path:
    """Write the report's workbook to ``target`` (atomically); return the path."""
    return write_report_book(build_report(store, period, org_code, today), target)


def _ratio(count: float | None, target: float | None) -> float | None:
    if count is None or not target:
        return None
    return count / target


def _targets_section(summary: dict[str, Any]) -> Section:
    counted = [t for t in summary["targets"] if "by_prefecture" in t]
    columns = (
        Column("市(州)"),
        Column("县级单位"),
        Column("代码"),
        *(Column(f"{t['name']}({t['unit']})", "int") for t in counted),
    )
    rows: list[tuple[Value, ...]] = []
    totals: set[int] = set()
    if counted:
        first = counted[0]["by_prefecture"]
        for p_index, prefecture in enumerate(first):
            totals.add(len(rows))
            rows.append(
                (
                    prefecture["name"],
                    SUBTOTAL,
                    prefecture["code"],
                    *(t["by_prefecture"][p_index]["count"] for t in counted),
                )
            )
            for c_index, county in enumerate(prefecture["counties"]):
                rows.append(
                    (
                        prefecture["name"],
                        county["name"],
                        county["code"],
                        *(
                            t["by_prefecture"][p_index]["counties"][c_index]["count"]
                            for t in counted
                        ),
                    )
                )
        totals.add(len(rows))
        rows.append(
            (summary["org"]["name"], TOTAL, summary["org"]["code"], *(t["count"] for t in counted))
        )
    by_place = Table(
        "各市(州)及县级单位数量",
        columns,
        tuple(rows),
        frozenset(totals),
        "(本计划没有按登记表计数的目标)",
    )
    target_rows = tuple(
        (
            t["name"],
            t["unit"],
            t["count"],
            t["target"],
            t["target_year"],
            _ratio(t["count"], t["target"]),
            target_state(t["reached"]),
        )
        for t in summary["targets"]
    )
    vs_targets = Table(
        "数量目标完成情况",
        (
            Column("目标"),
            Column("单位"),
            Column(f"{summary['org']['name']}现有数量", "number"),
            Column("规划目标", "number"),
            Column("目标年份", "year"),
            Column("完成率", "percent"),
            Column("状态"),
        ),
        target_rows,
    )
    notes = ("数量为报告期末仍在运行的登记记录数;完成率 = 现有数量 ÷ 规划目标。",)
    return Section("目标进度", "目标进度", (by_place, vs_targets), notes)


def _indicators_section(summary: dict[str, Any], counties: int) -> Section:
    main = Table(
        f"核心指标({summary['year']}年)",
        (
            Column("指标"),
            Column("单位"),
            Column("年份", "year"),
            Column("实际值", "number"),
            Column("计划进度值", "number"),
            Column("目标值", "number"),
            Column("目标年份", "year"),
            Column("目标说明"),
            Column("基期值", "number"),
            Column("状态"),
            Column("覆盖范围"),
        ),
        tuple(
            (
                i["name"],
                i["unit"],
                i["year"],
                i["value"],
                i["planned"],
                i["target"],
                i["target_year"],
                i["target_text"] or "",
                i["baseline"],
                indicator_state(i["status"]),
                coverage_text(i, counties),
            )
            for i in summary["indicators"]
        ),
    )
    grouped = [i for i in summary["indicators"] if i["aggregation"] != "province"]
    names: dict[str, str] = {}
    values: dict[str, dict[str, Value]] = defaultdict(dict)
    for i in grouped:
        for p in i["by_prefecture"]:
            names[p["code"]] = p["name"]
            values[p["code"]][i["id"]] = p["value"]
    rows: list[tuple[Value, ...]] = [
        (names[code], *(values[code].get(i["id"]) for i in grouped)) for code in sorted(names)
    ]
    rows.append((f"{summary['org']['name']}{TOTAL}", *(i["value"] for i in grouped)))
    by_prefecture = Table(
        "各市(州)指标值",
        (Column("市(州)"), *(Column(f"{i['name']}({i['unit']})", "number") for i in grouped)),
        tuple(rows),
        frozenset({len(rows) - 1}),
    )
    notes = (
        "计划进度值:按基期值和年均增长率(或直线)推算的本年度应达值;实际值不低于它即符合进度。",
        "比率指标为分子之和除以分母之和,只计同时填报了两项的县级单位。",
    )
    return Section("核心指标", "核心指标", (main, by_prefecture), notes)


def _activity_section(
    store: Store,
    plan: Plan,
    summary: dict[str, Any],
    period: Period,
    counties: list[OrgUnit],
    orgs: dict[str, OrgUnit],
) -> Section:
    forms = [
        f
        for f in plan.forms
        if f.frequency == Frequency.QUARTER and f.subject == SubjectKind.REGISTRY
    ]
    fields = [(form, f) for form in forms for f in form.fields if f.is_numeric]
    several = len(forms) > 1
    columns = (
        Column("市(州)"),
        *(Column(f"{form.name}·{f.header}" if several else f.header, "int") for form, f in fields),
    )
    by_prefecture: dict[str, list[str]] = defaultdict(list)
    for county in counties:
        by_prefecture[county.parent_code or county.code].append(county.code)
    periods = [str(q) for q in period.quarters()]
    rows: list[tuple[Value, ...]] = []
    for code in sorted(by_prefecture):
        sums = {
            form.id: field_totals(store, plan.id, form.id, periods, by_prefecture[code])
            for form in forms
        }
        rows.append(
            (orgs[code].name, *(_number(sums[form.id].get(f.id, 0.0)) for form, f in fields))
        )
    activity = summary["activity"]
    rows.append(
        (
            f"{summary['org']['name']}{TOTAL}",
            *(activity.get(form.id, {}).get(f.id, 0) for form, f in fields),
        )
    )
    table = Table(
        f"服务活动({summary['period_label']})", columns, tuple(rows), frozenset({len(rows) - 1})
    )
    notes = ("各登记记录按季度填报的活动数量;年度报告期为四个季度之和。",)
    return Section("服务活动", "服务活动", (table,), notes)


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _reporting_section(summary: dict[str, Any], orgs: dict[str, OrgUnit]) -> Section:
    r = summary["reporting"]
    units_by_prefecture: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for unit in r["units"]:
        units_by_prefecture[unit["prefecture"] or unit["code"]].append(unit)
    # The units that owe nothing this period (no station or point then), by prefecture.
    exempt: dict[str, int] = defaultdict(int)
    for code in r.get("exempt", ()):
        org = orgs.get(code)
        prefecture = (org.parent_code if org else None) or code
        exempt[prefecture] += 1
        units_by_prefecture.setdefault(prefecture, [])

    def row(name: str, units: list[dict[str, Any]], owing_nothing: int) -> tuple[Value, ...]:
        counts = {key: sum(1 for u in units if u["status"] == key) for key in STATE_KEYS}
        handed_in = counts["submitted"] + counts["accepted"]
        return (
            name,
            len(units),
            handed_in,
            *(counts[key] for key in STATE_KEYS),
            sum(1 for u in units if u["overdue"]),
            sum(1 for u in units if u["errors"]),
            owing_nothing,
            _ratio(handed_in, len(units)),
        )

    rows = [
        row(_name(orgs, code), units, exempt[code])
        for code, units in sorted(units_by_prefecture.items())
    ]
    rows.append(row(f"{summary['org']['name']}{TOTAL}", list(r["units"]), sum(exempt.values())))
    matrix = Table(
        "各市(州)报送情况",
        (
            Column("市(州)"),
            Column("应报单位", "int"),
            Column("已报单位", "int"),
            *(Column(STATUS_LABELS[key], "int") for key in STATE_KEYS),
            Column("逾期", "int"),
            Column("有错误的单位", "int"),
            Column(EXEMPT_LABEL, "int"),
            Column("报送率", "percent"),
        ),
        tuple(rows),
        frozenset({len(rows) - 1}),
    )
    units = {u["code"]: u for u in r["units"]}
    missing = Table(
        "尚未报送的单位",
        (
            Column("市(州)"),
            Column("代码"),
            Column("单位"),
            Column("状态"),
            Column("是否逾期"),
            Column("错误", "int"),
            Column("说明"),
        ),
        tuple(
            (
                _name(orgs, m["prefecture"] or m["code"]),
                m["code"],
                m["name"],
                STATUS_LABELS[m["status"]],
                "逾期" if units[m["code"]]["overdue"] else "未逾期",
                units[m["code"]]["errors"],
                units[m["code"]]["reason"] or "",
            )
            for m in r["missing"]
        ),
        empty_text="(全部单位均已报送)",
    )
    notes = (f"报送截止日期:{r['due']}。", f"{data_text(r)}。")
    return Section("报送情况", "报送情况", (matrix, missing), notes)


def _name(orgs: dict[str, OrgUnit], code: str) -> str:
    org = orgs.get(code)
    return org.name if org is not None else code
