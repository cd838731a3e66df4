"""The rows a workbook carries, gathered from the store, and their data fingerprint."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from jlip_desk.excel.layout import CODE, ITEM, NAME, ORG, REGISTRY, SheetKind, SheetSpec
from jlip_desk.periods import parse_period
from jlip_desk.plan.model import Field, FieldType, Plan, Registry, SubjectKind
from jlip_desk.store.cells import read_form
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit
from jlip_desk.store.records import Record, active_during, list_records

CellValue = int | float | str | dt.date | None
Row = dict[str, CellValue]


@dataclass(slots=True)
class SheetData:
    spec: SheetSpec
    rows: list[Row] = field(default_factory=list)


def record_name(registry: Registry, record: Record) -> str:
    value = record.values.get("name", record.values.get(registry.fields[0].id))
    return "" if value is None else str(value)


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
                data.rows.append({CODE: record.code, **_typed(spec.fields, record.values)})
        else:
            stored = {} if blank else read_form(store, plan.id, spec.id, spec.period, [org.code])
            for key, lead in _subjects(plan, org, spec, records_of):
                values = stored.get((org.code, key), {})
                data.rows.append({**lead, **_typed(spec.fields, values)})
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
                    NAME: record_name(registry, record),
                }
                subjects.append((record.code, lead))
    return subjects


def _typed(fields: Iterable[Field], values: Mapping[str, object]) -> Row:
    """Stored values as cells show them: ISO dates become real dates."""
    row: Row = {}
    for f in fields:
        value = values.get(f.id)
        if f.type is FieldType.DATE and isinstance(value, str):
            try:
                row[f.id] = dt.date.fromisoformat(value)
                continue
            except ValueError:
                pass
        row[f.id] = value if isinstance(value, int | float | str) else None
    return row


def canonical(f: Field, value: object) -> int | float | str | None:
    """A value as the fingerprint (and the store) sees it, independent of cell types."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if f.type is FieldType.INTEGER and isinstance(value, int | float):
        return int(value)
    if f.type is FieldType.DECIMAL and isinstance(value, int | float):
        return float(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


# One encoder each, not one per call: json.dumps with options builds a new encoder every time.
_SORT_KEY = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_COMPACT = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def fingerprint(sheets: Iterable[SheetData]) -> str:
    """SHA-256 over the data values only (canonical JSON), never over times or styles."""
    doc: dict[str, list[list[object]]] = {}
    for data in sheets:
        key_col = data.spec.key_column.key
        fields = data.spec.fields
        rows: list[list[object]] = []
        for row in data.rows:
            values = {}
            for f in fields:
                value = canonical(f, row.get(f.id))
                if value is not None:
                    values[f.id] = value
            rows.append([str(row.get(key_col) or ""), values])
        rows.sort(key=_SORT_KEY)
        doc[f"{data.spec.kind}:{data.spec.id}:{data.spec.period}"] = rows
    return hashlib.sha256(_COMPACT(doc).encode("utf-8")).hexdigest()
