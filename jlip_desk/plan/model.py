"""Typed, immutable model of a plan definition (what a plan TOML file decodes to)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jlip_desk.periods import Period


class FieldType(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"


class Frequency(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"

    @classmethod
    def of(cls, period: Period) -> Frequency:
        """A quarter's forms are quarterly, a year's annual."""
        return cls.QUARTER if period.is_quarter else cls.YEAR


class SubjectKind(StrEnum):
    """What one row of a form is about."""

    ORG = "org"  # one row per org unit (e.g. a county's annual figures)
    REGISTRY = "registry"  # one row per registry record (station, service point)
    ITEMS = "items"  # one row per fixed item listed in the plan (special projects)


class Aggregation(StrEnum):
    SUM = "sum"  # sum over org units
    RATIO = "ratio"  # sum of numerators / sum of denominators
    PROVINCE = "province"  # held only at province level


class OrgLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    label: str
    type: FieldType
    required: bool = False
    unit: str | None = None
    # Bounds: numbers for integer/decimal, ISO date strings for dates.
    min: float | str | None = None
    max: float | str | None = None
    decimals: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    format: str | None = None  # "credit_code" | "phone"
    default: str | int | float | None = None
    help: str | None = None
    # While loading only: the earlier field id this registry field continues (the
    # loader then keeps the field under that id and clears this).
    continues: str | None = None

    @property
    def is_numeric(self) -> bool:
        return self.type in (FieldType.INTEGER, FieldType.DECIMAL)

    @property
    def header(self) -> str:
        """Label with unit, as shown in column headers: ``调解纠纷(件)``."""
        return f"{self.label}({self.unit})" if self.unit else self.label


@dataclass(frozen=True, slots=True)
class Rule:
    """A cross-field rule. ``expr`` must hold; ``when`` (optional) limits where it applies."""

    expr: str
    message: str
    when: str | None = None


@dataclass(frozen=True, slots=True)
class Derived:
    """A value computed from other values, usable in rules (e.g. cases still open)."""

    id: str
    label: str
    expr: str


@dataclass(frozen=True, slots=True)
class Lifecycle:
    established_field: str
    status_field: str
    status_date_field: str
    closed_status: str
    counted_statuses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Registry:
    id: str
    name: str
    sheet: str
    code_tag: str
    org_level: OrgLevel
    lifecycle: Lifecycle
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Form:
    id: str
    name: str
    sheet: str
    frequency: Frequency
    org_level: OrgLevel
    subject: SubjectKind
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    derived: tuple[Derived, ...] = ()
    registries: tuple[str, ...] = ()  # for subject == REGISTRY
    items: tuple[Item, ...] = ()  # for subject == ITEMS

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    unit: str
    aggregation: Aggregation
    baseline_year: int
    baseline: float
    target_year: int
    target: float | None = None
    target_text: str | None = None
    target_source: str | None = None  # "form.field" holding a yearly target (province)
    growth_rate: float | None = None
    source: str | None = None  # "form.field" for sum / province
    numerator: str | None = None  # "form.field" for ratio
    denominator: str | None = None
    scale: float = 1.0
    decimals: int = 2
    higher_is_better: bool = True

    def planned_value(self, year: int) -> float | None:
        """The value on the target path for ``year``.

        Compound growth from the baseline when the plan gives a growth rate,
        otherwise a straight line from baseline to target. None before the
        baseline and after the target year: nothing is planned past the plan.
        """
        if not self.baseline_year <= year <= self.target_year:
            return None
        span = year - self.baseline_year
        if self.growth_rate is not None:
            return self.baseline * (1.0 + self.growth_rate) ** span
        if self.target is None:
            return None
        total = self.target_year - self.baseline_year
        if total <= 0:
            return self.target
        fraction = min(span / total, 1.0)
        return self.baseline + (self.target - self.baseline) * fraction


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    name: str
    unit: str
    target: float
    target_year: int
    count_registry: str | None = None
    source: str | None = None  # "form.field" (province-held count)
    at_least: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    id: str
    version: str
    name: str
    short_name: str
    issuer: str
    baseline_year: int
    start_year: int
    end_year: int
    due_days: int
    indicators: tuple[Indicator, ...]
    targets: tuple[Target, ...]
    registries: tuple[Registry, ...]
    forms: tuple[Form, ...]
    source_text: str = field(default="", compare=False, repr=False)
    source_name: str = field(default="", compare=False, repr=False)

    def registry(self, registry_id: str) -> Registry:
        for r in self.registries:
            if r.id == registry_id:
                return r
        raise KeyError(registry_id)

    def form(self, form_id: str) -> Form:
        for f in self.forms:
            if f.id == form_id:
                return f
        raise KeyError(form_id)

    def resolve(self, ref: str) -> tuple[Form, Field]:
        """Resolve a ``form.field`` reference (validated when the plan loads)."""
        form_id, _, field_id = ref.partition(".")
        form = self.form(form_id)
        return form, form.field(field_id)

    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    def covers(self, year: int) -> bool:
        """Whether ``year`` is one of the plan's years (periods belong to one plan)."""
        return self.start_year <= year <= self.end_year

    @property
    def last_due(self) -> dt.date:
        """When the plan's last report (its final year's) is due: the plan is over after it."""
        return dt.date(self.end_year, 12, 31) + dt.timedelta(days=self.due_days)

    @property
    def years_text(self) -> str:
        """The plan's name and years, as messages name it: ``…规划 2021–2025年``."""
        return f"{self.name} {self.start_year}–{self.end_year}年"
