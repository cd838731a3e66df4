"""Workbook metadata: the very hidden ``_meta`` sheet and the custom document properties."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from defusedxml import ElementTree

from jlip_desk.errors import InputError

PROP_PREFIX = "jlip_"
_SHEET_PREFIX = "sheet."
_CUSTOM_PROPS = "docProps/custom.xml"
_MAX_CUSTOM_PROPS_BYTES = 1_000_000
_OPTIONAL = ("base_revision", "returned_reason", "periods")


@dataclass(frozen=True, slots=True)
class Meta:
    format_version: str
    kind: str  # "template" | "submission"
    plan_id: str
    plan_version: str
    org_code: str
    org_name: str
    period: str
    app_version: str
    exported_at: str
    fingerprint: str
    # sheet name -> "registry:<id>" or "form:<id>", in workbook order
    sheets: dict[str, str] = field(default_factory=dict)
    # The revision of this org unit's period the exporting store held (0: none yet).
    # Optional, so workbooks of earlier versions still read.
    base_revision: str = ""
    # The reason the period was returned, when it was: the org unit sees it here.
    returned_reason: str = ""

    # -- Periods carried (a fourth quarter with its year's annual sheets) ---------------
    # Comma-separated, ``period`` first ("2025Q4,2025"); empty: ``period`` alone, as
    # every workbook of earlier versions.
    periods: str = ""

    def carried(self) -> list[str]:
        """The periods whose sheets this workbook holds, ``period`` first."""
        extra = [p.strip() for p in self.periods.split(",") if p.strip()]
        return list(dict.fromkeys([self.period, *extra]))

    def pairs(self) -> list[tuple[str, str]]:
        out = [
            (f.name, str(getattr(self, f.name)))
            for f in fields(self)
            if f.name != "sheets" and (f.name not in _OPTIONAL or getattr(self, f.name))
        ]
        out += [(f"{_SHEET_PREFIX}{name}", ref) for name, ref in self.sheets.items()]
        return out

    @classmethod
    def from_pairs(cls, pairs: Mapping[str, str], where: str) -> Meta:
        names = [f.name for f in fields(cls) if f.name not in ("sheets", *_OPTIONAL)]
        missing = [n for n in names if not pairs.get(n)]
        if missing:
            raise InputError(
                f"工作簿的元数据不完整(缺少 {'、'.join(missing)}),不是本程序导出的模板或已被改动",
                where=where,
                allowed="使用 JLIP Desk 导出的模板填报",
            )
        sheets = {
            k[len(_SHEET_PREFIX) :]: v for k, v in pairs.items() if k.startswith(_SHEET_PREFIX)
        }
        optional = {n: str(pairs[n]).strip() for n in _OPTIONAL if pairs.get(n)}
        return cls(**{n: str(pairs[n]).strip() for n in names}, **optional, sheets=sheets)


def pairs_from_rows(rows: Sequence[Sequence[object]]) -> dict[str, str]:
    """Key/value pairs from the ``_meta`` sheet's first two columns."""
    out: dict[str, str] = {}
    for row in rows:
        if len(row) >= 2 and isinstance(row[0], str) and row[0]:
            value = row[1]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out[row[0]] = "" if value is None else str(value)
    return out


def pairs_from_properties(path: Path) -> dict[str, str]:
    """Key/value pairs from ``docProps/custom.xml`` (kept when a program drops hidden sheets)."""
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(_CUSTOM_PROPS)
            except KeyError:
                return {}
            if info.file_size > _MAX_CUSTOM_PROPS_BYTES:
                return {}
            data = archive.read(info)
    except (OSError, zipfile.BadZipFile):
        return {}
    try:
        root = ElementTree.fromstring(data)
    except Exception:  # a broken property part only means "no metadata here"
        return {}
    out: dict[str, str] = {}
    for prop in root:
        name = prop.get("name") or ""
        if not name.startswith(PROP_PREFIX):
            continue
        texts = [child.text or "" for child in prop]
        out[name[len(PROP_PREFIX) :]] = texts[0].strip() if texts else ""
    return out
