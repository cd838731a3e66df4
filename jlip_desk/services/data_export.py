"""Every stored value handed to a server: DHIS2 ``dataValueSets`` JSON or a long CSV.

Values are read one (plan, form, period) at a time through the store's own reads,
never all at once, and each file is written beside its target and swapped in
(:func:`jlip_desk.excel.atomic.save_atomic`).

How the store maps onto DHIS2 (import with ``idScheme=CODE``):

- ``dataElement`` is ``<form>.<field>``, the plan's stable ids;
- ``period`` is the project's own period text, which is already DHIS2's
  (``2025Q4`` for a quarter, ``2025`` for a year);
- ``orgUnit`` is the GB/T 2260 code of the org unit;
- a per-record value (a station's figures, subject ``220102-WS-001``) or a
  per-item value carries its subject as ``categoryOptionCombo``: a DHIS2 admin
  creates one category option (combo) per record, with the record's code; a
  value of the org unit itself has no ``categoryOptionCombo`` (DHIS2's default);
- registry attributes (a record's name, host, dates; stored without a period)
  are not data values in DHIS2's aggregate model: they go into the mapping file,
  as the attributes of each record's category option combo;
- a value that was cleared (stored as NULL) is not sent to DHIS2.

The CSV holds every value, attributes and cleared ones included, one per row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.excel.atomic import save_atomic
from jlip_desk.orgs import PROVINCE_CODE, OrgUnit
from jlip_desk.periods import Period, parse_period
from jlip_desk.plan.model import Field, FieldType, Plan, SubjectKind
from jlip_desk.services.installation import bound_org
from jlip_desk.store.cells import StoredValue, periods_of_form, read_form
from jlip_desk.store.database import Store
from jlip_desk.store.integrity import fields_in_cells, plan_ids_in_cells
from jlip_desk.store.orgs import all_orgs, covers, get_org
from jlip_desk.store.plans import active_plan, get_plan, plan_for_period

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "MAPPING_FORMAT",
    "ExportResult",
    "ExportScope",
    "ExportValue",
    "data_element_id",
    "default_mapping_path",
    "dhis2_period",
    "export_csv",
    "export_data",
    "export_dhis2",
    "export_scope",
    "iter_attributes",
    "iter_values",
]

FORMATS = ("dhis2", "csv")
MAPPING_FORMAT = 1

CSV_COLUMNS = (
    "plan",
    "org",
    "org_name",
    "period",
    "form",
    "form_name",
    "subject",
    "field",
    "field_name",
    "value",
    "value_type",
)

# DHIS2 value types of the plan's field types.
_DHIS2_VALUE_TYPES = {
    FieldType.INTEGER: "INTEGER",
    FieldType.DECIMAL: "NUMBER",
    FieldType.TEXT: "TEXT",
    FieldType.CHOICE: "TEXT",
    FieldType.DATE: "DATE",
}
_LEVELS = {"province": 1, "prefecture": 2, "county": 3}


@dataclass(frozen=True, slots=True)
class ExportValue:
    """One stored value, as the cells table keys it."""

    plan_id: str
    form: str
    org_code: str
    period: str  # '' for registry attributes
    subject: str  # record code, item id, or '' for the org unit itself
    field: str
    value: StoredValue


@dataclass(frozen=True, slots=True)
class ExportScope:
    """What an export covers: org units under ``org`` and, optionally, one period."""

    org: OrgUnit
    org_codes: tuple[str, ...]  # ``org`` and every unit it covers
    period: Period | None

    @property
    def everything(self) -> bool:
        return self.org.code == PROVINCE_CODE


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    values: int  # data values (DHIS2) or rows (CSV) written
    mapping: Path | None = None
    attributes: int = 0  # registry attribute values in the mapping file (DHIS2)


def dhis2_period(period: str) -> str:
    """DHIS2's period text for a stored period: ``2025Q4`` and ``2025`` are already it."""
    parsed = parse_period(period)
    if parsed.quarter:
        return f"{parsed.year}Q{parsed.quarter}"
    return f"{parsed.year}"


def data_element_id(form: str, field: str) -> str:
    return f"{form}.{field}"


def default_mapping_path(target: Path) -> Path:
    """``values.json`` -> ``values.mapping.json``, beside it."""
    return target.with_name(f"{target.stem}.mapping.json")


# -- scope ----------------------------------------------------------------------


def export_scope(store: Store, org_code: str | None, period: Period | None) -> ExportScope:
    """The org unit to export (default: the bound one, or the province) and the period.

    An installation exports only what it covers: a county its own data, a prefecture
    its counties', the province everything.
    """
    bound = bound_org(store)
    code = (org_code or "").strip() or (bound.code if bound else PROVINCE_CODE)
    org = get_org(store, code)
    if bound is not None and not covers(store, bound.code, org.code):
        raise NotAllowedError(
            f"本机绑定的单位为“{bound.name}”,不能导出单位 {org.code} {org.name} 的数据",
            where="--org",
            allowed="本单位及下级单位",
        )
    if org.code == PROVINCE_CODE:
        codes = tuple(o.code for o in all_orgs(store))
    else:
        codes = tuple(o.code for o in all_orgs(store) if covers(store, org.code, o.code))
    if period is not None:
        plan_for_period(store, period)  # refused when no loaded plan covers it
    return ExportScope(org, codes, period)


# -- reading --------------------------------------------------------------------


def _periods(
    store: Store, plan_id: str, form: str, wanted: Period | None, *, periodless: bool
) -> list[str]:
    """The stored period texts of one form, in order (``''``, registry attributes, first).

    ``''`` is left out when a period is asked for or ``periodless`` is false.
    """
    if wanted is not None:
        return [str(p) for p in sorted({wanted, *wanted.quarters()})]
    stored = periods_of_form(store, plan_id, form)
    dated = sorted((p for p in stored if p), key=parse_period)
    return ([""] if periodless and "" in stored else []) + dated


def _read(
    store: Store, scope: ExportScope, plan_id: str, form: str, period: str
) -> Iterator[ExportValue]:
    org_codes: Sequence[str] | None = None if scope.everything else scope.org_codes
    if org_codes is not None and not org_codes:
        return
    rows = read_form(store, plan_id, form, period, org_codes)
    for (org_code, subject), values in sorted(rows.items()):
        for field in sorted(values):
            yield ExportValue(plan_id, form, org_code, period, subject, field, values[field])


def _plan_forms(store: Store) -> Iterator[tuple[str, str]]:
    """``(plan id, form or registry id)`` of every form holding values, in order."""
    for plan_id in sorted(plan_ids_in_cells(store)):
        for form in sorted({form for form, _ in fields_in_cells(store, plan_id)}):
            yield plan_id, form


def iter_values(
    store: Store, scope: ExportScope, *, periodless: bool = True
) -> Iterator[ExportValue]:
    """Every stored value in ``scope``, one (plan, form, period) read at a time.

    Registry attributes (period '') are yielded only when no period is asked for
    (and ``periodless``). Ordered by plan, form, period, org unit, subject and field.
    """
    for plan_id, form in _plan_forms(store):
        for period in _periods(store, plan_id, form, scope.period, periodless=periodless):
            yield from _read(store, scope, plan_id, form, period)


def iter_attributes(store: Store, scope: ExportScope) -> Iterator[ExportValue]:
    """The values stored without a period (registry attributes) in the scope's org units."""
    for plan_id, form in _plan_forms(store):
        yield from _read(store, scope, plan_id, form, "")


# -- names from the plans -------------------------------------------------------


class _Names:
    """Chinese names of plans' forms and fields, and of org units, looked up once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.orgs = {o.code: o for o in all_orgs(store)}
        self._plans: dict[str, Plan | None] = {}

    def plan(self, plan_id: str) -> Plan | None:
        if plan_id not in self._plans:
            try:
                self._plans[plan_id] = get_plan(self.store, plan_id)
            except NotAllowedError:
                self._plans[plan_id] = None
        return self._plans[plan_id]

    def form_name(self, plan_id: str, form: str) -> str:
        plan = self.plan(plan_id)
        if plan is None:
            return ""
        for f in plan.forms:
            if f.id == form:
                return f.name
        for r in plan.registries:
            if r.id == form:
                return r.name
        return ""

    def field(self, plan_id: str, form: str, field: str) -> Field | None:
        plan = self.plan(plan_id)
        if plan is None:
            return None
        groups: list[tuple[str, tuple[Field, ...]]] = [(g.id, g.fields) for g in plan.forms]
        groups += [(r.id, r.fields) for r in plan.registries]
        for group_id, fields in groups:
            if group_id == form:
                for f in fields:
                    if f.id == field:
                        return f
        return None

    def org_name(self, code: str) -> str:
        org = self.orgs.get(code)
        return org.name if org else ""


# -- CSV ------------------------------------------------------------------------


def _sqlite_type(value: StoredValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool | int):
        return "integer"
    if isinstance(value, float):
        return "real"
    return "text"


def _text(value: StoredValue) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def export_csv(store: Store, target: Path, scope: ExportScope) -> ExportResult:
    """A long CSV, one value per row (UTF-8 with BOM, so Excel reads the Chinese)."""
    names = _Names(store)
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        count = 0
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(CSV_COLUMNS)
            for v in iter_values(store, scope):
                field = names.field(v.plan_id, v.form, v.field)
                out.writerow(
                    (
                        v.plan_id,
                        v.org_code,
                        names.org_name(v.org_code),
                        v.period,
                        v.form,
                        names.form_name(v.plan_id, v.form),
                        v.subject,
                        v.field,
                        field.label if field else "",
                        _text(v.value),
                        _sqlite_type(v.value),
                    )
                )
                count += 1

    path = save_atomic(target, write)
    return ExportResult(path, count)


# -- DHIS2 ----------------------------------------------------------------------


def _dhis2_value(v: ExportValue) -> dict[str, str]:
    out = {
        "dataElement": data_element_id(v.form, v.field),
        "period": dhis2_period(v.period),
        "orgUnit": v.org_code,
    }
    if v.subject:
        out["categoryOptionCombo"] = v.subject
    out["value"] = _text(v.value)
    return out


def export_dhis2(
    store: Store, target: Path, scope: ExportScope, mapping: Path | None = None
) -> ExportResult:
    """A DHIS2 ``dataValueSets`` JSON of the scope's period values, and its mapping file."""
    mapping = mapping or default_mapping_path(target)
    if mapping.resolve() == target.resolve():
        raise InputError("对照表文件不能与数据文件相同", where="--mapping")
    names = _Names(store)
    seen: dict[str, ExportValue] = {}  # data element id -> a value carrying it
    coc_seen: dict[str, ExportValue] = {}  # category option combo -> a value carrying it
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        count = 0
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write('{"dataValues": [')
            for v in iter_values(store, scope, periodless=False):
                if v.value is None:
                    continue
                seen.setdefault(data_element_id(v.form, v.field), v)
                if v.subject:
                    coc_seen.setdefault(v.subject, v)
                handle.write(",\n  " if count else "\n  ")
                handle.write(json.dumps(_dhis2_value(v), ensure_ascii=False))
                count += 1
            handle.write("\n]}\n" if count else "]}\n")

    path = save_atomic(target, write)
    # (plan, registry, org, record) -> attributes: metadata, whatever the period.
    attributes: dict[tuple[str, str, str, str], dict[str, StoredValue]] = {}
    for v in iter_attributes(store, scope):
        attributes.setdefault((v.plan_id, v.form, v.org_code, v.subject), {})[v.field] = v.value
    document = _mapping(store, names, scope, seen, coc_seen, attributes)
    save_atomic(mapping, lambda tmp: _dump(tmp, document))
    n_attributes = sum(len(a) for a in attributes.values())
    return ExportResult(path, count, mapping, n_attributes)


def _dump(tmp: Path, document: dict[str, Any]) -> None:
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def _mapping(
    store: Store,
    names: _Names,
    scope: ExportScope,
    seen: dict[str, ExportValue],
    coc_seen: dict[str, ExportValue],
    attributes: dict[tuple[str, str, str, str], dict[str, StoredValue]],
) -> dict[str, Any]:
    """The metadata a DHIS2 admin creates before importing the values."""
    plan_ids = sorted({v.plan_id for v in seen.values()} | {k[0] for k in attributes})
    plans = [p for p in (names.plan(i) for i in plan_ids) if p is not None]
    if not plans:
        plans = [active_plan(store)]
    elements: dict[str, dict[str, Any]] = {}
    items: dict[str, dict[str, Any]] = {}
    for plan in plans:
        for form in plan.forms:
            for f in form.fields:
                de = data_element_id(form.id, f.id)
                if de in elements:
                    elements[de]["plans"].append(plan.id)
                    continue
                elements[de] = _element(de, plan.id, form.id, form.name, f)
            if form.subject == SubjectKind.ITEMS:
                for item in form.items:
                    items.setdefault(
                        item.id,
                        {"code": item.id, "kind": "item", "name": item.name, "form": form.id},
                    )
    for de, v in sorted(seen.items()):  # values under ids no plan lists (an old plan's)
        if de not in elements:
            elements[de] = _element(de, v.plan_id, v.form, names.form_name(v.plan_id, v.form), None)
    combos: dict[str, dict[str, Any]] = {}
    for (plan_id, registry, org_code, code), attrs in sorted(attributes.items()):
        combos[code] = {
            "code": code,
            "kind": "record",
            "name": attrs.get("name") or code,
            "plan": plan_id,
            "registry": registry,
            "registry_name": names.form_name(plan_id, registry),
            "orgUnit": org_code,
            "attributes": {
                k: {"name": _label(names.field(plan_id, registry, k), k), "value": attrs[k]}
                for k in sorted(attrs)
            },
        }
    for code, v in sorted(coc_seen.items()):
        if code not in combos:
            combos[code] = items.get(code) or {
                "code": code,
                "kind": "record",
                "name": code,
                "plan": v.plan_id,
                "orgUnit": v.org_code,
                "attributes": {},
            }
    for code, entry in items.items():
        combos.setdefault(code, entry)
    return {
        "format": MAPPING_FORMAT,
        "plans": [{"id": p.id, "version": p.version, "name": p.name} for p in plans],
        "scope": {"orgUnit": scope.org.code, "name": scope.org.name, "period": _period(scope)},
        "import": {
            "endpoint": "/api/dataValueSets",
            "dataElementIdScheme": "CODE",
            "orgUnitIdScheme": "CODE",
            "categoryOptionComboIdScheme": "CODE",
            "note": (
                "数据元素、组织机构和类别选项组合均按代码(code)匹配;"
                "没有 categoryOptionCombo 的数值属于单位本身(默认组合)"
            ),
        },
        "dataElements": list(elements.values()),
        "orgUnits": _org_units(names, scope),
        "categoryOptionCombos": list(combos.values()),
    }


def _period(scope: ExportScope) -> str | None:
    return None if scope.period is None else dhis2_period(str(scope.period))


def _label(field: Field | None, fallback: str) -> str:
    return field.label if field else fallback


def _element(de: str, plan_id: str, form: str, form_name: str, f: Field | None) -> dict[str, Any]:
    return {
        "code": de,
        "name": f.label if f else de,
        "plan": plan_id,
        "plans": [plan_id],
        "form": form,
        "form_name": form_name,
        "field": f.id if f else de.partition(".")[2],
        "type": str(f.type) if f else None,
        "valueType": _DHIS2_VALUE_TYPES[f.type] if f else "TEXT",
        "unit": f.unit if f else None,
        "choices": list(f.choices) if f else [],
    }


def _org_units(names: _Names, scope: ExportScope) -> list[dict[str, Any]]:
    """The scope's org units and their parents up to the province: the tree DHIS2 needs."""
    wanted = set(scope.org_codes)
    code: str | None = scope.org.code
    while code is not None and code in names.orgs:
        wanted.add(code)
        code = names.orgs[code].parent_code
    return [
        {
            "code": o.code,
            "name": o.name,
            "level": _LEVELS.get(o.level),
            "level_name": o.level_label,
            "parent": o.parent_code,
        }
        for o in sorted((names.orgs[c] for c in wanted if c in names.orgs), key=_org_order)
    ]


def _org_order(org: OrgUnit) -> tuple[int, str]:
    return (_LEVELS.get(org.level, 9), org.code)


# -- the one entry point --------------------------------------------------------


def export_data(
    store: Store,
    fmt: str,
    target: Path,
    *,
    org_code: str | None = None,
    period: Period | None = None,
    mapping: Path | None = None,
) -> ExportResult:
    """Export the values the installation may see, as ``fmt`` (``dhis2`` or ``csv``)."""
    if fmt not in FORMATS:
        raise InputError(f"不支持的导出格式“{fmt}”", where="--format", allowed="dhis2 或 csv")
    target = Path(target)
    if target.is_dir():
        raise InputError("这是一个文件夹,不是文件", where=str(target), allowed="一个文件路径")
    scope = export_scope(store, org_code, period)
    if fmt == "csv":
        return export_csv(store, target, scope)
    return export_dhis2(store, target, scope, mapping)
