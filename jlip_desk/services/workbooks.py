"""The rows an org unit's workbook carries, gathered from the store for the exporter."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from jlip_desk.excel.data import Row, SheetData, typed_row
from jlip_desk.excel.layout import CODE, ITEM, NAME, ORG, REGISTRY, SheetKind, SheetSpec
from jlip_desk.orgs import OrgUnit
from jlip_desk.periods import parse_period
from jlip_desk.plan.model import Plan, SubjectKind
from jlip_desk.store.cells import read_form
from jlip_desk.store.database import Store
from jlip_desk.store.records import Record, active_during, list_records
from jlip_desk.validation.records import record_name

__all__ = ["collect"]


def collect(
    store: Store, plan: Plan, org: OrgUnit, specs: Iterable[SheetSpec], *, blank: bool
) -> list[SheetData]:
    """Rows for every sheet; a blank template keeps registry rows but no figures."""
    out: list[SheetData] = []
    records: dict[str, list[Record]] = {}  # by registry id: read once per workbook

    def records_of(registry_id: str) -> list[Record]:
        if registry_id not in records:
            records[registry_id] = list_records(store, plan.id, registry_id, [org.code])
        return records[registry_id]

    for spec in specs:
        data = SheetData(spec)
        if spec.kind is SheetKind.REGISTRY:
            for record in records_of(spec.id):
                data.rows.append({CODE: record.code, **typed_row(spec.fields, record.values)})
        else:
            stored = {} if blank else read_form(store, plan.id, spec.id, spec.period, [org.code])
            for key, lead in _subjects(plan, org, spec, records_of):
                values = stored.get((org.code, key), {})
                data.rows.append({**lead, **typed_row(spec.fields, values)})
        out.append(data)
    return out


def _subjects(
    plan: Plan, org: OrgUnit, spec: SheetSpec, records_of: Callable[[str], list[Record]]
) -> list[tuple[str, Row]]:
    if spec.subject is SubjectKind.ORG:
        return [("", {ORG: org.code, NAME: org.name})]
    if spec.subject is SubjectKind.ITEMS:
        return [(i.id, {ITEM: i.id, NAME: i.name}) for i in plan.form(spec.id).items]
    period = parse_period(spec.period)
    subjects: list[tuple[str, Row]] = []
    for registry_id in spec.registries:
        registry = plan.registry(registry_id)
        for record in records_of(registry_id):
            if active_during(record, registry, period):
                lead: Row = {
                    CODE: record.code,
                    REGISTRY: registry.name,
                    NAME: record_name(registry, record.values),
                }
                subjects.append((record.code, lead))
    return subjects
