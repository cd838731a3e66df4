"""Check every cell of located sheets against the plan: values, rules and references."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from jlip_desk.excel.data import SheetData, canonical
from jlip_desk.excel.layout import FIRST_DATA_ROW, SheetKind
from jlip_desk.excel.reader import WorkbookContent
from jlip_desk.excel.report import Issue
from jlip_desk.excel.sheets import Located
from jlip_desk.periods import Period
from jlip_desk.plan.model import (
    Derived,
    Field,
    FieldType,
    Form,
    Plan,
    Registry,
    Rule,
    SubjectKind,
)
from jlip_desk.plan.rules import PriorLookup, describe
from jlip_desk.store.cells import Value
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit
from jlip_desk.store.records import Record, active_during
from jlip_desk.validation.rows import check_field, check_rules
from jlip_desk.validation.values import REQUIRED_MESSAGE, allowed_text, format_number

_CODE = re.compile(r"^(\d{6})-([A-Z]{1,8})-(\d{1,6})$")
_DAYS_1904 = 1462  # 1904-01-01 is day 1462 of the 1900 system


@dataclass(slots=True)
class RecordRow:
    registry: str
    code: str | None  # None: a new record, its code assigned on import
    values: dict[str, Value]
    known: bool  # already in this store


@dataclass(slots=True)
class FormRow:
    form: str
    period: str
    subject: str
    values: dict[str, Value]


@dataclass(slots=True)
class Checked:
    records: list[RecordRow] = field(default_factory=list)
    rows: list[FormRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sheets: list[SheetData] = field(default_factory=list)  # for the data fingerprint


class _Column:
    """One field's column of a sheet, with the checks of the values seen so far.

    Checking a value is a pure function of the field and the raw value, and a column
    repeats values a lot (choices, dates, contacts): each distinct value is checked once.
    """

    __slots__ = ("cache", "date1904", "field", "index")

    def __init__(self, field: Field, index: int, date1904: bool):
        self.field, self.index, self.date1904 = field, index, date1904
        self.cache: dict[tuple[type, object], tuple[Value, object, str | None]] = {}

    def check(self, raw: object) -> tuple[Value, object, str | None]:
        """(stored value, what rules see, problem or None) for ``raw``."""
        # The type is part of the key: 1, 1.0 and True are equal but parse differently;
        # so are 0.0 and -0.0, hence zero is never cached.
        key = (raw.__class__, raw)
        hit = self.cache.get(key) if raw.__hash__ is not None and raw != 0 else None
        if hit is None:
            value, seen, message = check_field(self.field, raw)
            hit = (_stored(value), seen, message)
            if raw.__hash__ is not None and raw != 0:
                self.cache[key] = hit
        return hit


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


def _stored(value: object) -> Value:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | str):
        return value
    return None


def _code_text(raw: object) -> str:
    text = display(raw)
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


class Checker:
    """Checks one workbook's located sheets for ``org`` and ``period``."""

    def __init__(
        self, store: Store, plan: Plan, org: OrgUnit, period: Period, content: WorkbookContent
    ):
        self.store, self.plan, self.org, self.period = store, plan, org, period
        self.content = content
        self.out = Checked()
        # Every record code of the plan in this store: code -> (org, registry).
        self.known = {
            code: (org_code, registry)
            for code, org_code, registry in store.conn.execute(
                "SELECT code, org_code, registry FROM records WHERE plan_id = ?", (plan.id,)
            )
        }
        self.file_records: dict[str, tuple[str, dict[str, Value]]] = {}

    # ------------------------------------------------------------- helpers

    def _issue(
        self,
        sheet: Located,
        r: int,
        key: str | None,
        message: str,
        *,
        rule: str | None = None,
        allowed: str | None = None,
    ) -> None:
        col = sheet.columns.get(key or "", sheet.columns.get(sheet.spec.key_column.key, 0))
        raw = None
        row = self.content.grids[sheet.name][r]
        if col < len(row):
            raw = row[col]
        self.out.issues.append(
            Issue(
                message,
                sheet=sheet.name,
                cell=f"{get_column_letter(col + 1)}{r + 1}",
                value=display(raw),
                rule=rule,
                allowed=allowed,
            )
        )

    def _columns(self, sheet: Located, fields: tuple[Field, ...]) -> list[_Column]:
        shift = self.content.date1904
        return [_Column(f, sheet.columns[f.id], shift and f.type is FieldType.DATE) for f in fields]

    def _check(
        self,
        sheet: Located,
        r: int,
        row: list[object],
        columns: list[_Column],
        rules: tuple[Rule, ...],
        derived: tuple[Derived, ...],
        prior: PriorLookup | None,
    ) -> dict[str, Value]:
        values: dict[str, Value] = {}
        scope: dict[str, object] = {}
        problems: list[tuple[Field, str]] = []
        uncached = self.content.uncached.get(sheet.name)
        width = len(row)
        for col in columns:
            f, c = col.field, col.index
            if uncached and (r, c) in uncached:
                self._issue(
                    sheet, r, f.id, "单元格中是公式,但文件中没有公式的计算结果",
                    rule="公式须有计算结果", allowed="直接填写数值,或在 Excel/WPS 中重新计算后保存",
                )  # fmt: skip
                values[f.id] = scope[f.id] = None
                continue
            raw = row[c] if c < width else None
            if (
                col.date1904
                and isinstance(raw, int | float)
                and not isinstance(raw, bool)
                and 0 < raw < 100_000
            ):
                raw = raw + _DAYS_1904
            stored, seen, message = col.check(raw)
            values[f.id] = stored
            scope[f.id] = seen
            if message is not None:
                problems.append((f, message))
        for f, message in problems:
            rule = "必填" if message == REQUIRED_MESSAGE else f"“{f.label}”的取值要求"
            self._issue(sheet, r, f.id, message, rule=rule, allowed=allowed_text(f))
        if rules:
            fields = [col.field for col in columns]
            labels = {f.id: f.label for f in fields} | {d.id: d.label for d in derived}
            for p in check_rules(fields, rules, derived, scope, prior):
                # Said with the sheet's own column labels, never the plan's field ids.
                readable = describe(p.rule, labels) if p.rule else p.message
                self._issue(
                    sheet, r, p.field_id, p.message, rule=p.message, allowed=f"满足 {readable}"
                )
        return values

    def _sheet_data(self, sheet: Located) -> SheetData:
        data = SheetData(sheet.spec)
        self.out.sheets.append(data)
        return data

    # ------------------------------------------------------------- registries

    def registry_sheet(self, sheet: Located) -> None:
        registry = self.plan.registry(sheet.spec.id)
        data = self._sheet_data(sheet)
        seen: dict[str, int] = {}
        key = sheet.spec.key_column.key
        columns = self._columns(sheet, registry.fields)
        for r, row in sheet.rows:
            c = sheet.columns[key]
            code = _code_text(row[c] if c < len(row) else None) or None
            values = self._check(sheet, r, row, columns, registry.rules, (), None)
            data.rows.append({key: code, **values})
            if code is None:
                self.out.records.append(RecordRow(registry.id, None, values, False))
                continue
            problem = self._code_problem(code, registry, seen, r)
            if problem:
                self._issue(sheet, r, key, problem[0], rule="编码引用", allowed=problem[1])
                continue
            seen[code] = r
            self.file_records[code] = (registry.id, values)
            self.out.records.append(RecordRow(registry.id, code, values, code in self.known))

    def _code_problem(
        self, code: str, registry: Registry, seen: Mapping[str, int], r: int
    ) -> tuple[str, str] | None:
        allowed = f"本单位的编码(如 {self.org.code}-{registry.code_tag}-001),新增记录请留空"
        match = _CODE.match(code)
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

    # ------------------------------------------------------------------ forms

    def form_sheet(self, sheet: Located) -> None:
        form = self.plan.form(sheet.spec.id)
        data = self._sheet_data(sheet)
        key = sheet.spec.key_column.key
        sums = self._prior_sums(form.id) if form.derived else None
        seen: dict[str, int] = {}
        columns = self._columns(sheet, form.fields)
        for r, row in sheet.rows:
            c = sheet.columns[key]
            subject = _code_text(row[c] if c < len(row) else None)
            problem = self._subject_problem(form, subject, seen)
            if problem is not None:
                self._issue(sheet, r, key, problem[0], rule="编码引用", allowed=problem[1])
                continue
            seen[subject] = r
            prior = self._prior(sums, "" if form.subject is SubjectKind.ORG else subject)
            values = self._check(sheet, r, row, columns, form.rules, form.derived, prior)
            data.rows.append({key: subject, **values})
            stored_subject = "" if form.subject is SubjectKind.ORG else subject
            self.out.rows.append(FormRow(form.id, sheet.spec.period, stored_subject, values))
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
        self, form: Form, subject: str, seen: Mapping[str, int]
    ) -> tuple[str, str] | None:
        if subject in seen:
            return f"“{subject}”与第 {seen[subject] + 1} 行重复", "每个对象只填一行"
        if form.subject is SubjectKind.ORG:
            if subject != self.org.code:
                return (
                    f"本文件只能填报“{self.org.name}”的数据,"
                    f"不能包含其他单位({subject or '空'})的行",
                    self.org.code,
                )
            return None
        if form.subject is SubjectKind.ITEMS:
            items = [i.id for i in form.items]
            if subject not in items:
                return f"“{subject or '空'}”不是本表的项目编号", "、".join(items)
            return None
        return self._activity_problem(subject, form.registries)

    def _activity_problem(self, code: str, registries: tuple[str, ...]) -> tuple[str, str] | None:
        allowed = "登记表中本单位已有记录的编码"
        if not code:
            return "编码不能为空(新设立的记录请先在登记表中填写,下一期再填报活动)", allowed
        if code in self.file_records:
            registry_id, values = self.file_records[code]
        elif code in self.known:
            owner, registry_id = self.known[code]
            if owner != self.org.code:
                return (
                    f"编码“{code}”属于其他单位({owner}),本文件只能包含“{self.org.name}”的记录",
                    allowed,
                )
            values = dict(self._record_values(code, registry_id))
        else:
            return f"编码“{code}”不是“{self.org.name}”的登记记录", allowed
        if registry_id not in registries:
            return f"编码“{code}”的记录不属于本表", allowed
        registry = self.plan.registry(registry_id)
        record = Record(code, self.plan.id, registry_id, self.org.code, values)
        if not active_during(record, registry, self.period):
            return (
                f"编码“{code}”的记录在{self.period.label}尚未设立或已撤销,不能填报本期数据",
                "本期内已设立且未撤销的记录",
            )
        return None

    def _record_values(self, code: str, registry_id: str) -> dict[str, Value]:
        return {
            f: v
            for f, v in self.store.conn.execute(
                "SELECT field, value FROM cells WHERE plan_id = ? AND form = ? AND org_code = ? "
                "AND period = '' AND subject = ?",
                (self.plan.id, registry_id, self.org.code, code),
            )
        }

    def _prior_sums(self, form_id: str) -> dict[str, dict[str, float]]:
        sums: dict[str, dict[str, float]] = {}
        for subject, field_id, total in self.store.conn.execute(
            "SELECT subject, field, SUM(value) FROM cells WHERE plan_id = ? AND form = ? "
            "AND org_code = ? AND period != '' AND period < ? "
            "AND typeof(value) IN ('integer', 'real') GROUP BY subject, field",
            (self.plan.id, form_id, self.org.code, str(self.period)),
        ):
            sums.setdefault(subject, {})[field_id] = total
        return sums

    @staticmethod
    def _prior(sums: dict[str, dict[str, float]] | None, subject: str) -> PriorLookup | None:
        if sums is None or subject not in sums:
            return None  # no earlier figures in this store: the rule cannot tell
        earlier = sums[subject]
        return lambda name: earlier.get(name, 0.0)


def check_sheets(checker: Checker, sheets: list[Located]) -> Checked:
    """Registries first, so activity rows may refer to records new in the same file."""
    for sheet in sheets:
        if sheet.spec.kind is SheetKind.REGISTRY:
            checker.registry_sheet(sheet)
    for sheet in sheets:
        if sheet.spec.kind is SheetKind.FORM:
            checker.form_sheet(sheet)
    return checker.out


__all__ = ["Checked", "Checker", "FormRow", "RecordRow", "canonical", "check_sheets", "display"]
