"""The rows a workbook carries (gathered by the export service) and their data fingerprint."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jlip_desk.excel.layout import SheetSpec
from jlip_desk.plan.model import Field, FieldType

CellValue = int | float | str | dt.date | None
Row = dict[str, CellValue]


@dataclass(slots=True)
class SheetData:
    spec: SheetSpec
    rows: list[Row] = field(default_factory=list)


def typed_row(fields: Iterable[Field], values: Mapping[str, object]) -> Row:
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
