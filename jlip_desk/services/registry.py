"""Registry records as the screens and the CLI use them: add, edit, close, list, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jlip_desk.errors import ALLOWED_LABEL, InputError, NotAllowedError
from jlip_desk.periods import Period, parse_period
from jlip_desk.plan.model import Plan, Registry
from jlip_desk.services import gate
from jlip_desk.services.entry_rows import LOCKED_STATES
from jlip_desk.services.installation import require_edit
from jlip_desk.services.validator import check_record
from jlip_desk.store.cells import HistoryEntry, StoredValue, history, read_form
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import get_org
from jlip_desk.store.plans import loaded_plans, superseded_by
from jlip_desk.store.records import Record, active_during, get_record, record_key, record_rows
from jlip_desk.store.status import read_org_statuses
from jlip_desk.validation.rows import Problem
from jlip_desk.validation.values import allowed_text

__all__ = [
    "RecordError",
    "RecordRow",
    "add_record",
    "check_record",
    "close_record",
    "list_rows",
    "locked_periods_not_due",
    "not_due_notice",
    "periods_emptied",
    "record_history",
    "update_record",
]


class RecordError(InputError):
    """A record was refused; ``problems`` holds every problem, for marking the fields."""

    def __init__(self, message: str, problems: tuple[Problem, ...], *, where: str | None = None):
        super().__init__(message, where=where)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One record as a registry view shows it: who holds it and its attribute values."""

    code: str
    org_code: str
    org_name: str
    prefecture_code: str | None
    prefecture_name: str | None
    values: dict[str, StoredValue]
    demo: bool


def _describe(registry: Registry, problem: Problem) -> str:
    if problem.field_id is None:
        return problem.message
    field = registry.field(problem.field_id)
    if problem.rule is not None:  # a cross-field rule: its message says what is allowed
        return f"{field.label}:{problem.message}"
    return f"{field.label}:{problem.message}({ALLOWED_LABEL}:{allowed_text(field)})"


def _valid(
    registry: Registry, raw_values: Mapping[str, object], where: str
) -> dict[str, StoredValue]:
    values, problems = check_record(registry, raw_values)
    if problems:
        lines = "\n".join(f"{n}. {_describe(registry, p)}" for n, p in enumerate(problems, 1))
        raise RecordError(
            f"{registry.name}记录有 {len(problems)} 处问题,未保存:\n{lines}",
            tuple(problems),
            where=where,
        )
    return values


def _registry_of(plan: Plan, registry_id: str) -> Registry:
    try:
        return plan.registry(registry_id)
    except KeyError:
        raise InputError(
            f"当前计划中没有登记册“{registry_id}”",
            where="登记册",
            allowed="、".join(r.name for r in plan.registries),
        ) from None


def add_record(
    store: Store, plan: Plan, registry_id: str, org_code: str, raw_values: Mapping[str, object]
) -> str:
    """Validate and add a record under ``org_code``; returns its new, never reused code."""
    registry = _registry_of(plan, registry_id)
    org = get_org(store, org_code)
    require_edit(store, org.code)
    if org.level != registry.org_level.value:
        raise NotAllowedError(
            f"{registry.name}只能登记在县级单位下,“{org.name}”不是县级单位", where="所属单位"
        )
    _require_running(store, plan)
    values = _valid(registry, raw_values, f"新增{registry.name}")
    _refuse_ended_dates(store, registry, None, values, f"新增{registry.name}")
    return gate.write_record(store, plan, registry, org.code, values).code


def _editable(store: Store, plan: Plan, code: str) -> tuple[Registry, Record]:
    record = get_record(store, code)
    if record.registry not in {r.id for r in plan.registries}:
        # Records carry over by registry id; a registry the plan does not continue
        # stays readable under the plan it was kept in.
        raise NotAllowedError(
            f"记录 {code} 所在的登记册不在“{plan.name}”中,只能查看",
            where=code,
            allowed=f"{plan.name}的登记册:{'、'.join(r.name for r in plan.registries)}",
        )
    require_edit(store, record.org_code)
    _require_running(store, plan)
    return _registry_of(plan, record.registry), record


def update_record(store: Store, plan: Plan, code: str, raw_values: Mapping[str, object]) -> None:
    """Change some or all values of a record; the whole record must stay valid."""
    registry, record = _editable(store, plan, code)
    unknown = set(raw_values) - {f.id for f in registry.fields}
    if unknown:
        raise InputError(f"{registry.name}没有字段:{'、'.join(sorted(unknown))}", where=code)
    values = _valid(registry, {**record.values, **raw_values}, code)
    _refuse_ended_dates(store, registry, record.values, values, code)
    _refuse_emptying(store, plan, registry, record, values)
    gate.write_record(store, plan, registry, record.org_code, values, code=code)


def close_record(store: Store, plan: Plan, code: str, closed_on: dt.date | str) -> None:
    """Close (撤销) a record on ``closed_on``: it stays listed and in past reports."""
    registry, record = _editable(store, plan, code)
    life = registry.lifecycle
    if record.values.get(life.status_field) == life.closed_status:
        raise NotAllowedError(f"记录 {code} 已经{life.closed_status}", where=code)
    raw = {
        **record.values,
        life.status_field: life.closed_status,
        life.status_date_field: closed_on,
    }
    values = _valid(registry, raw, code)
    _refuse_ended_dates(store, registry, record.values, values, code)
    _refuse_emptying(store, plan, registry, record, values)
    gate.write_record(
        store, plan, registry, record.org_code, values, code=code, note=life.closed_status
    )


def record_history(store: Store, plan: Plan, code: str) -> list[HistoryEntry]:
    """Every change of every field of a record, oldest first."""
    del plan  # the record knows its plan; kept in the signature for symmetry
    return history(store, record_key(get_record(store, code)))


def list_rows(
    store: Store, plan: Plan, registry_id: str, org_codes: Iterable[str] | None = None
) -> list[RecordRow]:
    """Records of one registry within some org units (None: all), by code, in one query."""
    rows: dict[str, RecordRow] = {}
    for code, org, org_name, parent, parent_name, demo, field, value in record_rows(
        store, plan.id, registry_id, org_codes
    ):
        row = rows.get(code)
        if row is None:
            row = rows[code] = RecordRow(code, org, org_name, parent, parent_name, {}, bool(demo))
        if field is not None:
            row.values[field] = value
    return list(rows.values())


def locked_periods_not_due(store: Store, plan: Plan, code: str) -> list[Period]:
    """Handed-in periods the record existed in but has no figures for, newest first.

    A record added or back-dated after a period was submitted does not make that
    period incomplete: the period's data is what was handed in. The registry page
    tells the user which periods these are, so they can ask for one to be reopened
    (unlocked or returned) and report the record there.
    """
    record = get_record(store, code)
    registry = plan.registry(record.registry)
    forms = [f for f in plan.forms if record.registry in f.registries]
    out: set[Period] = set()
    for text, row in read_org_statuses(store, plan.id, record.org_code).items():
        if row.status not in LOCKED_STATES:
            continue
        period = parse_period(text)
        if not active_during(record, registry, period):
            continue
        for form in forms:
            if (form.frequency.value == "quarter") != period.is_quarter:
                continue
            stored = read_form(store, plan.id, form.id, text, [record.org_code])
            values = stored.get((record.org_code, code), {})
            if not any(v is not None for v in values.values()):
                out.add(period)
    return sorted(out, reverse=True)


def periods_text(periods: list[Period]) -> str:
    """A few periods by name for a message: "2025年第3季度、… 等 11 个报告期"."""
    shown = "、".join(p.label for p in periods[:4])
    return shown + (f" 等 {len(periods)} 个报告期" if len(periods) > 4 else "")


def periods_emptied(
    store: Store,
    plan: Plan,
    registry: Registry,
    org_code: str,
    code: str,
    before: Mapping[str, StoredValue],
    after: Mapping[str, StoredValue],
) -> list[Period]:
    """Handed-in periods a record change would take the record out of, newest first.

    A record that existed in a submitted or accepted period and has figures there
    must keep existing in it: moving its establishment date later, or closing it
    before the period, would leave handed-in figures of a record that was never
    there. Moving a date earlier is allowed (see :func:`locked_periods_not_due`).
    """
    old = Record(code, plan.id, registry.id, org_code, dict(before))
    new = Record(code, plan.id, registry.id, org_code, dict(after))
    forms = [f for f in plan.forms if registry.id in f.registries]
    out: list[Period] = []
    for text, row in read_org_statuses(store, plan.id, org_code).items():
        if row.status not in LOCKED_STATES:
            continue
        period = parse_period(text)
        if not active_during(old, registry, period) or active_during(new, registry, period):
            continue
        for form in forms:
            if (form.frequency.value == "quarter") != period.is_quarter:
                continue
            values = read_form(store, plan.id, form.id, text, [org_code]).get((org_code, code), {})
            if any(v is not None for v in values.values()):
                out.append(period)
                break
    return sorted(out, reverse=True)


def _refuse_emptying(
    store: Store, plan: Plan, registry: Registry, record: Record, values: Mapping[str, StoredValue]
) -> None:
    emptied = periods_emptied(
        store, plan, registry, record.org_code, record.code, record.values, values
    )
    if emptied:
        shown = periods_text(emptied)
        raise NotAllowedError(
            f"修改后,已报送(锁定)的{shown}将不再包含该记录已报送的数据,未保存",
            where=record.code,
            allowed="先请上级退回(或解锁)这些报告期,再修改该记录的日期或状态",
        )


def _require_running(store: Store, plan: Plan) -> None:
    """An ended plan's registry is read-only: its records are changed under the plan that
    took over (the same records, carried over by registry id)."""
    later = superseded_by(store, plan.id)
    if later is not None:
        raise NotAllowedError(
            f"“{plan.name}”已结束,已由“{later.name}”接续,在此计划下登记册只能查看",
            where="登记册",
            allowed=f"在“{later.name}”中登记或修改(菜单“计划 → 查看计划”选当前计划)",
        )


def last_ended_plan(store: Store) -> Plan | None:
    """The loaded plan that ended last (its years are closed to new dates), or None."""
    ended = [p for p in loaded_plans(store) if superseded_by(store, p.id) is not None]
    return max(ended, key=lambda p: p.end_year) if ended else None


def ended_date_problem(
    last: Plan | None,
    registry: Registry,
    before: Mapping[str, StoredValue] | None,
    after: Mapping[str, StoredValue],
) -> tuple[str, str, str] | None:
    """``(field id, message, allowed)`` when a new or changed set-up or status date falls
    in the years of ``last`` (:func:`last_ended_plan`, worked out once by the caller): it
    would change that ended plan's handed-in counts."""
    if last is None:
        return None
    life = registry.lifecycle
    for field_id in (life.established_field, life.status_date_field):
        new = after.get(field_id)
        if new is None or (before is not None and before.get(field_id) == new):
            continue
        try:
            year = dt.date.fromisoformat(str(new)[:10]).year
        except ValueError:
            continue  # the validator reports a date it cannot read
        if year <= last.end_year:
            label = registry.field(field_id).label
            return (
                field_id,
                f"{label} {str(new)[:10]} 在已结束的{last.years_text}内,"
                "登记后将改变该计划已报送的数字",
                f"填写 {last.end_year + 1}-01-01 或以后的日期(实际日期可写在备注中);"
                "如确需更正该计划的数字,请上级退回相关报告期",
            )
    return None


def _refuse_ended_dates(
    store: Store,
    registry: Registry,
    before: Mapping[str, StoredValue] | None,
    after: Mapping[str, StoredValue],
    where: str,
) -> None:
    problem = ended_date_problem(last_ended_plan(store), registry, before, after)
    if problem is not None:
        _field, message, allowed = problem
        raise NotAllowedError(message, where=where, allowed=allowed)


def not_due_notice(store: Store, plan: Plan, code: str) -> str | None:
    """A sentence about :func:`locked_periods_not_due`, or None when there are none."""
    periods = locked_periods_not_due(store, plan, code)
    if not periods:
        return None
    record = get_record(store, code)
    name = record.values.get("name") or code
    if len(periods) <= 4:
        shown = "、".join(p.label for p in reversed(periods))
    else:
        shown = f"{periods[-1].label}至{periods[0].label}的 {len(periods)} 个报告期"
    return (
        f"“{name}”在已报送(锁定)的{shown}内已设立。"
        "这些报告期按报送时的数据保持不变,不要求补报该记录;"
        "如需补报,请先解锁本单位的报告期,或请上级退回。"
    )
