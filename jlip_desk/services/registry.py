"""Registry records as the screens and the CLI use them: add, edit, close, list, history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.plan.model import Plan, Registry
from jlip_desk.services.installation import require_edit
from jlip_desk.store.cells import HistoryEntry, Value, history, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import get_org
from jlip_desk.store.records import Record, create_record, get_record
from jlip_desk.validation.rows import Problem, check_row
from jlip_desk.validation.values import allowed_text

__all__ = [
    "RecordError",
    "RecordRow",
    "add_record",
    "check_record",
    "close_record",
    "list_rows",
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
    values: dict[str, Value]
    demo: bool


def _stored(value: object) -> Value:
    # Dates are kept as ISO text, like the importer and the demo data write them.
    if isinstance(value, dt.date):
        return value.isoformat()
    assert value is None or isinstance(value, int | float | str)
    return value


def _describe(registry: Registry, problem: Problem) -> str:
    if problem.field_id is None:
        return problem.message
    field = registry.field(problem.field_id)
    if problem.rule is not None:  # a cross-field rule: its message says what is allowed
        return f"{field.label}:{problem.message}"
    return f"{field.label}:{problem.message}(允许:{allowed_text(field)})"


def check_record(
    registry: Registry, raw_values: Mapping[str, object]
) -> tuple[dict[str, Value], list[Problem]]:
    """Parse and check a whole record: every field and the registry's rules."""
    values, problems = check_row(registry.fields, registry.rules, (), raw_values)
    errors = [p for p in problems if p.severity == "error"]
    return {k: _stored(v) for k, v in values.items()}, errors


def _valid(registry: Registry, raw_values: Mapping[str, object], where: str) -> dict[str, Value]:
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
    values = _valid(registry, raw_values, f"新增{registry.name}")
    with store.atomic():
        change = store.new_change("typed")
        return create_record(store, plan.id, registry, org.code, values, change)


def _editable(store: Store, plan: Plan, code: str) -> tuple[Registry, Record]:
    record = get_record(store, code)
    if record.plan_id != plan.id:
        raise NotAllowedError(
            f"记录 {code} 属于计划“{record.plan_id}”,不是当前计划,只能查看", where=code
        )
    require_edit(store, record.org_code)
    return _registry_of(plan, record.registry), record


def update_record(store: Store, plan: Plan, code: str, raw_values: Mapping[str, object]) -> None:
    """Change some or all values of a record; the whole record must stay valid."""
    registry, record = _editable(store, plan, code)
    unknown = set(raw_values) - {f.id for f in registry.fields}
    if unknown:
        raise InputError(f"{registry.name}没有字段:{'、'.join(sorted(unknown))}", where=code)
    values = _valid(registry, {**record.values, **raw_values}, code)
    with store.atomic():
        change = store.new_change("typed")
        write_values(store, record.key(), values, change)


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
    with store.atomic():
        change = store.new_change("typed", note=life.closed_status)
        write_values(store, record.key(), values, change)


def record_history(store: Store, plan: Plan, code: str) -> list[HistoryEntry]:
    """Every change of every field of a record, oldest first."""
    del plan  # the record knows its plan; kept in the signature for symmetry
    return history(store, get_record(store, code).key())


def list_rows(
    store: Store, plan: Plan, registry_id: str, org_codes: Iterable[str] | None = None
) -> list[RecordRow]:
    """Records of one registry within some org units (None: all), by code, in one query."""
    sql = (
        "SELECT r.code, r.org_code, o.name, o.parent_code, p.name, r.demo, c.field, c.value "
        "FROM records r JOIN org_units o ON o.code = r.org_code "
        "LEFT JOIN org_units p ON p.code = o.parent_code "
        "LEFT JOIN cells c ON c.plan_id = r.plan_id AND c.form = r.registry "
        "AND c.org_code = r.org_code AND c.period = '' AND c.subject = r.code "
        "WHERE r.plan_id = ? AND r.registry = ?"
    )
    params: list[object] = [plan.id, registry_id]
    if org_codes is not None:
        codes = list(org_codes)
        sql += f" AND r.org_code IN ({','.join('?' * len(codes))})"
        params.extend(codes)
    rows: dict[str, RecordRow] = {}
    for code, org, org_name, parent, parent_name, demo, field, value in store.conn.execute(
        sql + " ORDER BY r.code", params
    ):
        row = rows.get(code)
        if row is None:
            row = rows[code] = RecordRow(code, org, org_name, parent, parent_name, {}, bool(demo))
        if field is not None:
            row.values[field] = value
    return list(rows.values())
