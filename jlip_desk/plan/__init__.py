"""Plan definitions: the indicators, targets, registries and forms of a plan, as data."""

from jlip_desk.plan.model import (
    Aggregation,
    Derived,
    Field,
    FieldType,
    Form,
    Frequency,
    Indicator,
    Item,
    Lifecycle,
    OrgLevel,
    Plan,
    Registry,
    Rule,
    SubjectKind,
    Target,
)

__all__ = [
    "Aggregation",
    "Derived",
    "Field",
    "FieldType",
    "Form",
    "Frequency",
    "Indicator",
    "Item",
    "Lifecycle",
    "OrgLevel",
    "Plan",
    "Registry",
    "Rule",
    "SubjectKind",
    "Target",
]
