"""Sheet layout of a workbook, derived from the plan: which sheets, which columns, where."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from jlip_desk.errors import InputError
from jlip_desk.orgs import OrgUnit
from jlip_desk.periods import Period
from jlip_desk.plan.model import Field, Form, Frequency, Plan, Registry, SubjectKind

FORMAT_VERSION = "1"
TITLE_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
# The last row of a worksheet (Excel 2007 and later). A registry sheet's input columns
# are unlocked down to it, for new stations typed in Excel under the records.
MAX_ROW = 1_048_576
INSTRUCTIONS_SHEET = "填报说明"
META_SHEET = "_meta"
LISTS_SHEET = "_lists"
PLAN_SHEET = "_plan"  # the plan definition the workbook was made for

# Column keys that are not plan fields.
CODE = "_code"
REGISTRY = "_registry"
NAME = "_name"
ORG = "_org"
ITEM = "_item"


class SheetKind(StrEnum):
    REGISTRY = "registry"
    FORM = "form"


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # a field id, or one of the keys above
    header: str
    field: Field | None = None

    @property
    def locked(self) -> bool:
        return self.field is None


@dataclass(frozen=True, slots=True)
class SheetSpec:
    kind: SheetKind
    id: str  # registry id or form id
    sheet: str
    title: str
    period: str  # '' for registry attributes
    columns: tuple[Column, ...]
    subject: SubjectKind | None = None  # forms only
    registries: tuple[str, ...] = ()  # forms about registry records

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(c.field for c in self.columns if c.field is not None)

    @property
    def key_column(self) -> Column:
        return self.columns[0]


def _registry_sheet(registry: Registry, org: OrgUnit) -> SheetSpec:
    columns = (Column(CODE, "编码"), *(Column(f.id, f.header, f) for f in registry.fields))
    return SheetSpec(
        SheetKind.REGISTRY, registry.id, registry.sheet, f"{registry.name}({org.name})", "", columns
    )


def _form_sheet(form: Form, org: OrgUnit, period: Period) -> SheetSpec:
    fields = tuple(Column(f.id, f.header, f) for f in form.fields)
    lead: tuple[Column, ...]
    if form.subject is SubjectKind.REGISTRY:
        lead = (Column(CODE, "编码"), Column(REGISTRY, "类别"), Column(NAME, "名称"))
    elif form.subject is SubjectKind.ITEMS:
        lead = (Column(ITEM, "项目编号"), Column(NAME, "项目名称"))
    else:
        lead = (Column(ORG, "单位代码"), Column(NAME, "单位名称"))
    return SheetSpec(
        SheetKind.FORM,
        form.id,
        form.sheet,
        f"{form.name}({org.name} {period.label})",
        str(period),
        (*lead, *fields),
        form.subject,
        form.registries,
    )


def form_matches(form: Form, period: Period) -> bool:
    """A quarterly form belongs to a quarter's workbook, an annual one to a year's."""
    return (form.frequency is Frequency.QUARTER) == period.is_quarter


def sheets_for(plan: Plan, org: OrgUnit, period: Period) -> list[SheetSpec]:
    """The data sheets of ``org``'s workbook for ``period``, in workbook order."""
    specs = [_registry_sheet(r, org) for r in plan.registries if r.org_level == org.level]
    specs += [
        _form_sheet(f, org, period)
        for f in plan.forms
        if f.org_level == org.level and form_matches(f, period)
    ]
    if not any(s.kind is SheetKind.FORM for s in specs):
        kinds = "季度" if period.is_quarter else "年度"
        raise InputError(
            f"计划“{plan.short_name}”中没有“{org.name}”在{period.label}需要填报的{kinds}表",
            where="报告期",
            allowed="季度报表用如 2025Q4 的报告期,年度报表用如 2025 的报告期",
        )
    return specs


def annual_of(period: Period) -> Period:
    """The year whose annual sheets a fourth quarter's workbook may also carry."""
    if period.quarter != 4:
        raise InputError(
            f"只有第4季度的工作簿可以同时包含年报,{period.label}不行",
            where="报告期",
            allowed="第4季度的报告期,如 2025Q4;其他报告期请分别导出季报和年报",
        )
    return period.year_period


def sheets_for_periods(plan: Plan, org: OrgUnit, periods: list[Period]) -> list[SheetSpec]:
    """One workbook for several periods: the registries once, then each period's forms."""
    specs = sheets_for(plan, org, periods[0])
    for period in periods[1:]:
        specs += [s for s in sheets_for(plan, org, period) if s.kind is SheetKind.FORM]
    return specs


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def file_name(org: OrgUnit, period: Period, *, template: bool, with_annual: bool = False) -> str:
    """Deterministic workbook name: ``220102_南关区_2025Q4.xlsx`` (no time stamps).

    A fourth quarter with its year's annual sheets: ``220102_南关区_2025Q4_含年报.xlsx``.
    """
    name = _UNSAFE.sub("_", org.name).strip("_.") or "单位"
    suffix = ("_含年报" if with_annual else "") + ("_模板" if template else "")
    return f"{org.code}_{name}_{period}{suffix}.xlsx"


def display_width(text: str) -> float:
    """Column width for ``text``: CJK characters take two character cells."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)
