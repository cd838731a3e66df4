"""The rows of a form for an org scope and a period: records, org units or plan items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from jlip_desk.errors import InputError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Form, Frequency, OrgLevel, Plan, Registry, SubjectKind
from jlip_desk.store.cells import CellKey, StoredValue, read_form
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE, OrgUnit, children, counties_under, get_org
from jlip_desk.store.records import Record, active_during, list_records
from jlip_desk.store.status import read_statuses

# States in which a period is handed in and read-only: submitted, accepted.
LOCKED_STATES = frozenset({"submitted", "accepted"})

__all__ = [
    "LOCKED_STATES",
    "EntryRow",
    "build_rows",
    "check_frequency",
    "registry_rows",
    "scope_orgs",
    "visible_forms",
]


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One row of an entry grid: what it is about and its stored values.

    ``inactive`` is set (a Chinese reason) for a registry record that did not exist
    during the period but has values there anyway, so they can be seen and cleared.
    """

    key: CellKey
    label: str
    org_name: str
    values: dict[str, StoredValue] = field(default_factory=dict)
    inactive: str | None = None
    # Whether the subject existed before this period (a record established earlier, an
    # org unit): with no earlier figures in the store, prior() is then unknown, not 0.
    existed_before: bool = True
    # The first period whose figures prior() sums (a record's first quarter, not before
    # the plan's): with one of them missing from the store, prior() is unknown too (a
    # prefecture holding only last quarter's report of a station set up years ago).
    since: Period | None = None


def visible_forms(plan: Plan, org: OrgUnit) -> list[Form]:
    """The forms an installation bound to ``org`` works with, in plan order."""
    if org.level == OrgLevel.PROVINCE:
        return list(plan.forms)
    allowed = {OrgLevel.COUNTY} if org.level == OrgLevel.COUNTY else {OrgLevel.COUNTY, org.level}
    return [f for f in plan.forms if f.org_level in allowed]


def check_frequency(form: Form, period: Period) -> None:
    if form.frequency != Frequency.of(period):
        kind = "季度" if form.frequency == Frequency.QUARTER else "年度"
        raise InputError(
            f"“{form.name}”按{kind}填报,不能选择报告期 {period.label}",
            where="报告期",
            allowed=f"{kind}报告期",
        )


def scope_orgs(store: Store, form: Form, scope_code: str) -> list[OrgUnit]:
    """The org units of the form's level that ``scope_code`` covers."""
    scope = get_org(store, scope_code)
    if form.org_level == OrgLevel.PROVINCE:
        return [scope] if scope.code == PROVINCE_CODE else []
    if form.org_level == OrgLevel.COUNTY:
        return counties_under(store, scope_code)
    if scope.level == OrgLevel.PREFECTURE:
        return [scope]
    if scope.level == OrgLevel.PROVINCE:
        return [o for o in children(store, scope.code) if o.level == OrgLevel.PREFECTURE]
    return []


def _inactive_reason(record: Record, registry: Registry, period: Period) -> str | None:
    if active_during(record, registry, period):
        return None
    life = registry.lifecycle
    established = record.values.get(life.established_field)
    name = record.values.get("name") or record.code
    if isinstance(established, str) and established > period.end.isoformat():
        return f"“{name}”设立于{established},{period.label}不应填报数据"
    closed = record.values.get(life.status_date_field)
    when = f"于{closed}" if isinstance(closed, str) else ""
    return f"“{name}”已{when}{life.closed_status},{period.label}不应填报数据"


def _established_before(record: Record, registry: Registry, period: Period) -> bool:
    established = record.values.get(registry.lifecycle.established_field)
    return isinstance(established, str) and established < period.start.isoformat()


def _first_period(plan: Plan, form: Form, record: Record, registry: Registry) -> Period | None:
    """The record's first quarter in the plan: the one it was established in, or the plan's
    first when it is older (earlier figures are not kept). None for other forms."""
    if form.frequency != Frequency.QUARTER:
        return None
    first = Period(plan.start_year, 1)
    try:
        day = dt.date.fromisoformat(str(record.values.get(registry.lifecycle.established_field)))
    except ValueError:  # no date, or not one: from the plan's start
        return first
    return max(first, Period(day.year, (day.month - 1) // 3 + 1))


def registry_rows(
    plan: Plan,
    form: Form,
    period: Period,
    orgs: Mapping[str, OrgUnit],
    records: Mapping[str, Sequence[Record]],
    values: Mapping[tuple[str, str], Mapping[str, StoredValue]],
    locked: Collection[str] = (),
) -> list[EntryRow]:
    """The rows of a registry form: one per record that existed during ``period``.

    ``records`` are by registry id, ``values`` by (org code, record code). A record
    with values in a period it did not exist in is listed too (marked ``inactive``) so
    they can be seen and cleared. In a period that is locked for an org unit
    (``locked``), a record without values there is not due: it was registered or
    back-dated after the period was handed in, and a handed-in period never gains
    obligations silently (reopening the period brings them back).
    """
    rows: list[tuple[tuple[str, int, str], EntryRow]] = []
    for order, registry_id in enumerate(form.registries):
        registry = plan.registry(registry_id)
        for record in records.get(registry_id, ()):
            if record.org_code not in orgs:
                continue
            stored = values.get((record.org_code, record.code), {})
            has_values = any(v is not None for v in stored.values())
            reason = _inactive_reason(record, registry, period)
            if not has_values and (reason is not None or record.org_code in locked):
                continue
            key = CellKey(plan.id, form.id, record.org_code, str(period), record.code)
            label = str(record.values.get("name") or record.code)
            before = _established_before(record, registry, period)
            since = _first_period(plan, form, record, registry)
            row = EntryRow(
                key, label, orgs[record.org_code].name, dict(stored), reason, before, since
            )
            rows.append(((record.org_code, order, record.code), row))
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


def build_rows(
    store: Store, plan: Plan, form_id: str, scope_code: str, period: Period
) -> list[EntryRow]:
    """Every row of ``form_id`` for the org units in scope during ``period``, with values.

    Registry forms: see :func:`registry_rows`. Org forms: one row per org unit of the
    form's level. Item forms: one row per plan item and org unit.
    """
    form = plan.form(form_id)
    check_frequency(form, period)
    orgs = {o.code: o for o in scope_orgs(store, form, scope_code)}
    if not orgs:
        return []
    values = read_form(store, plan.id, form.id, str(period), list(orgs))
    if form.subject == SubjectKind.REGISTRY:
        records = {r: list_records(store, plan.id, r, list(orgs)) for r in form.registries}
        locked = {
            code
            for code, row in read_statuses(store, plan.id, str(period)).items()
            if row.status in LOCKED_STATES
        }
        return registry_rows(plan, form, period, orgs, records, values, locked)
    rows: list[EntryRow] = []
    for org in orgs.values():
        if form.subject == SubjectKind.ORG:
            key = CellKey(plan.id, form.id, org.code, str(period), "")
            rows.append(EntryRow(key, org.name, org.name, dict(values.get((org.code, ""), {}))))
            continue
        for item in form.items:
            key = CellKey(plan.id, form.id, org.code, str(period), item.id)
            stored = dict(values.get((org.code, item.id), {}))
            rows.append(EntryRow(key, item.name, org.name, stored))
    return rows
