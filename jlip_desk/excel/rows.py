"""Turn located sheets into rows of stored values, each with the cell it came from.

Pure conversion: nothing here reads the store or judges the figures. The import
service checks the rows with the one validator the entry grid uses, and maps its
problems back to cells through :class:`Place`. Only what is wrong with the file as
a file is reported here: formulas without results, malformed or repeated codes,
codes of another org unit, missing item or org rows.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from jlip_desk.excel.data import SheetData
from jlip_desk.excel.layout import FIRST_DATA_ROW, NAME, SheetKind
from jlip_desk.excel.reader import WorkbookContent
from jlip_desk.excel.report import Issue
from jlip_desk.excel.sheets import Located
from jlip_desk.orgs import OrgUnit
from jlip_desk.plan.model import Field, FieldType, Plan, Registry, SubjectKind
from jlip_desk.validation.records import CODE_PATTERN
from jlip_desk.validation.values import StoredValue, format_number, parse_value, stored_value

__all__ = ["FileData", "FileRecord", "FileRow", "Place", "convert", "display"]

_DAYS_1904 = 1462  # 1904-01-01 is day 1462 of the 1900 system


@dataclass(frozen=True, slots=True)
class Place:
    """Where a row sits in the workbook: sheet, zero-based row, column index by key."""

    sheet: str
    row: int
    columns: Mapping[str, int]
    raw: tuple[object, ...]

    def cell(self, key: str | None) -> tuple[str, str]:
        """``("D7", shown value)`` of a field's cell (the key column when None)."""
        col = self.columns.get(key or "", next(iter(self.columns.values()), 0))
        value = self.raw[col] if col < len(self.raw) else None
        return f"{get_column_letter(col + 1)}{self.row + 1}", display(value)


@dataclass(slots=True)
class FileRecord:
    """A registry row of the workbook (``code`` None: a new record, coded on import).

    ``raw`` are the cells as read (dates of 1904 workbooks shifted): the import
    service parses them once, with the validator's record check, into ``values``
    and into ``sheet_row`` (the row the data fingerprint is taken over).
    """

    registry: str
    code: str | None
    raw: dict[str, object]
    place: Place
    sheet_row: dict[str, object] = field(default_factory=dict)
    values: dict[str, StoredValue] = field(default_factory=dict)


@dataclass(slots=True)
class FileRow:
    """A form row. A registry form's row without a code names a new record of the
    same workbook by its name (``new_name``) and gets that record's code on import."""

    form: str
    period: str
    subject: str
    values: dict[str, StoredValue]
    place: Place
    new_name: str | None = None


@dataclass(slots=True)
class FileData:
    records: list[FileRecord] = field(default_factory=list)
    rows: list[FileRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sheets: list[SheetData] = field(default_factory=list)  # for the data fingerprint
    located: dict[str, Located] = field(default_factory=dict)  # by spec id


def display(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float):
        return format_number(raw)
    return str(raw)


def code_text(raw: object) -> str:
    text = display(raw)
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


class _Column:
    """One field's column; each distinct raw value is converted once."""

    __slots__ = ("cache", "date1904", "field", "index")

    def __init__(self, field: Field, index: int, date1904: bool):
        self.field, self.index, self.date1904 = field, index, date1904
        self.cache: dict[tuple[type, object], StoredValue] = {}

    def shifted(self, raw: object) -> object:
        """The cell as a 1900-system workbook would hold it."""
        if (
            self.date1904
            and isinstance(raw, int | float)
            and not isinstance(raw, bool)
            and 0 < raw < 100_000
        ):
            return raw + _DAYS_1904
        return raw

    def convert(self, raw: object) -> StoredValue:
        raw = self.shifted(raw)
        # The type is part of the key: 1, 1.0 and True are equal but parse differently;
        # so are 0.0 and -0.0, hence zero is never cached.
        cacheable = raw.__hash__ is not None and raw != 0
        key = (raw.__class__, raw)
        if cacheable and key in self.cache:
            return self.cache[key]
        # Parsed as the entry grid parses what is typed: what does not parse stays text.
        value = stored_value(parse_value(self.field, raw).value)
        if cacheable:
            self.cache[key] = value
        return value


class _Converter:
    def __init__(
        self,
        plan: Plan,
        org: OrgUnit,
        content: WorkbookContent,
        known: Mapping[str, tuple[str, str]],
    ):
        self.plan, self.org, self.content, self.known = plan, org, content, known
        self.out = FileData()

    def _issue(self, place: Place, key: str | None, message: str, rule: str, allowed: str) -> None:
        cell, value = place.cell(key)
        self.out.issues.append(
            Issue(message, sheet=place.sheet, cell=cell, value=value, rule=rule, allowed=allowed)
        )

    def _columns(self, sheet: Located, fields: tuple[Field, ...]) -> list[_Column]:
        shift = self.content.date1904
        return [_Column(f, sheet.columns[f.id], shift and f.type is FieldType.DATE) for f in fields]

    def _values(
        self,
        sheet: Located,
        r: int,
        row: list[object],
        columns: list[_Column],
        place: Place,
        *,
        parse: bool = True,
    ) -> dict[str, object]:
        values: dict[str, object] = {}
        uncached = self.content.uncached.get(sheet.name)
        width = len(row)
        for col in columns:
            if uncached and (r, col.index) in uncached:
                self._issue(
                    place, col.field.id, "单元格中是公式,但文件中没有公式的计算结果",
                    "公式须有计算结果", "直接填写数值,或在 Excel/WPS 中重新计算后保存",
                )  # fmt: skip
                values[col.field.id] = None
                continue
            raw = row[col.index] if col.index < width else None
            values[col.field.id] = col.convert(raw) if parse else col.shifted(raw)
        return values

    def _sheet_data(self, sheet: Located) -> SheetData:
        data = SheetData(sheet.spec)
        self.out.sheets.append(data)
        self.out.located[sheet.spec.id] = sheet
        return data

    def registry_sheet(self, sheet: Located) -> None:
        registry = self.plan.registry(sheet.spec.id)
        data = self._sheet_data(sheet)
        seen: dict[str, int] = {}
        key = sheet.spec.key_column.key
        columns = self._columns(sheet, registry.fields)
        for r, row in sheet.rows:
            place = Place(sheet.name, r, sheet.columns, tuple(row))
            c = sheet.columns[key]
            code = code_text(row[c] if c < len(row) else None) or None
            values = self._values(sheet, r, row, columns, place, parse=False)
            sheet_row: dict[str, object] = {key: code, **values}
            data.rows.append(sheet_row)  # type: ignore[arg-type]  # stored values come later
            if code is not None:
                problem = self._code_problem(code, registry, seen)
                if problem:
                    self._issue(place, key, problem[0], "编码引用", problem[1])
                    continue
                seen[code] = r
            self.out.records.append(FileRecord(registry.id, code, values, place, sheet_row))

    def _code_problem(
        self, code: str, registry: Registry, seen: Mapping[str, int]
    ) -> tuple[str, str] | None:
        allowed = f"本单位的编码(如 {self.org.code}-{registry.code_tag}-001),新增记录请留空"
        match = CODE_PATTERN.match(code)
        if match is None:
            return f"编码“{code}”格式不正确", allowed
        if code in seen:
            return f"编码“{code}”与第 {seen[code] + 1} 行重复", "每条记录只填一行"
        owner, tag = self.known.get(code, (match.group(1), None))
        if owner != self.org.code:
            return (
                f"编码“{code}”属于其他单位({owner}),本文件只能包含“{self.org.name}”的记录",
                allowed,
            )
        if match.group(2) != registry.code_tag or (tag is not None and tag != registry.id):
            return f"编码“{code}”不是“{registry.name}”的编码", allowed
        return None

    def form_sheet(self, sheet: Located) -> None:
        form = self.plan.form(sheet.spec.id)
        data = self._sheet_data(sheet)
        key = sheet.spec.key_column.key
        seen: dict[str, int] = {}
        columns = self._columns(sheet, form.fields)
        name_col = sheet.columns.get(NAME)
        for r, row in sheet.rows:
            place = Place(sheet.name, r, sheet.columns, tuple(row))
            c = sheet.columns[key]
            subject = code_text(row[c] if c < len(row) else None)
            new_name = None
            if form.subject is SubjectKind.REGISTRY and not subject:
                raw_name = row[name_col] if name_col is not None and name_col < len(row) else None
                new_name = display(raw_name).strip() or None
                if new_name is None:
                    self._issue(
                        place, key, "编码和名称都为空,无法确定是哪条记录的数据", "编码引用",
                        "已登记记录填写其编码;新登记的记录编码留空,名称与登记表中一致",
                    )  # fmt: skip
                    continue
            else:
                problem = self._subject_problem(form.subject, form.registries, subject, seen)
                if problem is not None:
                    self._issue(place, key, problem[0], "编码引用", problem[1])
                    continue
                seen[subject] = r
            values: dict[str, StoredValue] = self._values(sheet, r, row, columns, place)  # type: ignore[assignment]
            data.rows.append({key: subject or new_name or "", **values})
            stored_subject = "" if form.subject is SubjectKind.ORG else subject
            self.out.rows.append(
                FileRow(form.id, sheet.spec.period, stored_subject, values, place, new_name)
            )
        if form.subject is SubjectKind.ITEMS:
            for item in form.items:
                if item.id not in seen:
                    self.out.issues.append(
                        Issue(f"缺少项目“{item.id} {item.name}”的行", sheet=sheet.name,
                              rule="工作表结构", allowed="保留模板中的全部项目行")
                    )  # fmt: skip
        if form.subject is SubjectKind.ORG and not seen:
            self.out.issues.append(
                Issue(f"缺少“{self.org.name}”的数据行", sheet=sheet.name, rule="工作表结构",
                      allowed=f"第 {FIRST_DATA_ROW} 行填写本单位数据")
            )  # fmt: skip

    def _subject_problem(
        self,
        kind: SubjectKind | None,
        registries: tuple[str, ...],
        subject: str,
        seen: Mapping[str, int],
    ) -> tuple[str, str] | None:
        if subject in seen:
            return f"“{subject}”与第 {seen[subject] + 1} 行重复", "每个对象只填一行"
        if kind is SubjectKind.ORG:
            if subject != self.org.code:
                return (
                    f"本文件只能填报“{self.org.name}”的数据,"
                    f"不能包含其他单位({subject or '空'})的行",
                    self.org.code,
                )
            return None
        if kind is SubjectKind.ITEMS:
            return None  # checked against the plan's items by the caller below
        allowed = "登记表中本单位已有记录的编码"
        owner = self.known.get(subject)
        if owner is not None and owner[0] != self.org.code:
            return (
                f"编码“{subject}”属于其他单位({owner[0]}),本文件只能包含“{self.org.name}”的记录",
                allowed,
            )
        if owner is None and not any(r.code == subject for r in self.out.records):
            return f"编码“{subject}”不是“{self.org.name}”的登记记录", allowed
        registry = (
            owner[1] if owner else next(r.registry for r in self.out.records if r.code == subject)
        )
        if registry not in registries:
            return f"编码“{subject}”的记录不属于本表", allowed
        return None


def convert(
    plan: Plan,
    org: OrgUnit,
    content: WorkbookContent,
    sheets: list[Located],
    known: Mapping[str, tuple[str, str]],
) -> FileData:
    """Rows of every located sheet; registries first, so form rows may name their records.

    ``known`` maps every record code of the plan in the receiving store to its
    ``(org code, registry id)``.
    """
    converter = _Converter(plan, org, content, known)
    for sheet in sheets:
        if sheet.spec.kind is SheetKind.REGISTRY:
            converter.registry_sheet(sheet)
    for sheet in sheets:
        if sheet.spec.kind is SheetKind.FORM:
            if sheet.spec.subject is SubjectKind.ITEMS:
                items = [i.id for i in plan.form(sheet.spec.id).items]
                _check_items(converter, sheet, items)
            converter.form_sheet(sheet)
    return converter.out


def _check_items(converter: _Converter, sheet: Located, items: list[str]) -> None:
    """Rows whose item number is not one of the plan's: reported, and left out."""
    key = sheet.spec.key_column.key
    kept: list[tuple[int, list[object]]] = []
    for r, row in sheet.rows:
        c = sheet.columns[key]
        subject = code_text(row[c] if c < len(row) else None)
        if subject in items:
            kept.append((r, row))
            continue
        place = Place(sheet.name, r, sheet.columns, tuple(row))
        converter._issue(
            place, key, f"“{subject or '空'}”不是本表的项目编号", "编码引用", "、".join(items)
        )
    sheet.rows[:] = kept
