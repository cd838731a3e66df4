"""The plan file format as data: every section, key, type and rule the loader knows.

The loader (``jlip_desk.plan.loader``) reads every key through this table: a key's
type, whether it is required and its allowed values come from here, and reading a key
that is not declared here is a programming error. ``jlip_desk.plan.reference`` renders
docs/plan-file-format.md from the same table, so the page cannot drift from the code.

``meaning`` and ``rules`` are English, for plan authors and developers; ``Kind.label``
is Chinese because it appears in the loader's messages to users.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jlip_desk.plan.model import Aggregation, FieldType, Frequency, OrgLevel, SubjectKind

# A value a starting file (``jlip-desk plan new``) puts where the province must fill in
# a number or a name. The loader refuses a file while any value is still this text.
PLACEHOLDER = "待填写"

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
PLAN_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
CODE_TAG_PATTERN = r"^[A-Z]{1,4}$"


@dataclass(frozen=True, slots=True)
class Kind:
    """A TOML value type: ``doc`` names it in the reference, ``label`` in error messages."""

    doc: str
    types: tuple[type, ...]
    label: str


TEXT = Kind("string", (str,), "文本")
INTEGER = Kind("integer", (int,), "整数")
NUMBER = Kind("number (integer or float)", (int, float), "数值")
BOOLEAN = Kind("boolean", (bool,), "true 或 false")
TEXT_LIST = Kind("array of strings", (list,), "文本列表")
TABLE = Kind("table", (dict,), "表(table)")
TABLES = Kind("array of tables", (list,), "表数组([[...]])")
TEXT_OR_NUMBER = Kind("string or number", (str, int, float), "文本或数值")


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a section.

    ``required`` is True, False, or an English condition under which the key is required
    (the loader decides such keys itself and passes the answer when it reads them).
    """

    kinds: tuple[Kind, ...]
    required: bool | str
    meaning: str
    allowed: tuple[str, ...] = ()
    default: str | None = None
    section: str | None = None  # for tables and arrays of tables: the section they hold


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    headers: tuple[str, ...]  # how the section is written in a file
    summary: str
    keys: dict[str, Key]
    rules: tuple[str, ...] = field(default=())


def _values(
    enum: type[FieldType | Frequency | OrgLevel | SubjectKind | Aggregation],
) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


FIELD_FORMATS = ("credit_code", "phone")
ORG_LEVELS = _values(OrgLevel)

_ID_KEY = Key(
    (TEXT,),
    True,
    "Stable identifier. Stored values are keyed by it: renaming it orphans recorded data.",
)
_FIELD_REF = (
    'Reference to a numeric field, written "form_id.field_id" (a field of type integer or decimal).'
)

SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        Section(
            "root",
            ("(top level)",),
            "The top level of the file: one [plan] table and the lists that follow it.",
            {
                "plan": Key((TABLE,), True, "Identity and years of the plan.", section="plan"),
                "indicators": Key(
                    (TABLES,),
                    False,
                    "Main indicators, each with a baseline and a target path.",
                    section="indicators",
                ),
                "targets": Key(
                    (TABLES,),
                    False,
                    "Counted targets: how many stations, centres, ... by a target year.",
                    section="targets",
                ),
                "registries": Key(
                    (TABLES,),
                    False,
                    "Registers of long-lived records (stations, service points).",
                    section="registries",
                ),
                "forms": Key(
                    (TABLES,),
                    True,
                    "Reporting forms; at least one.",
                    section="forms",
                ),
            },
            (
                "Unknown keys are refused everywhere in the file (a misspelt key is never "
                "silently ignored).",
                "The ids of indicators, targets, registries and forms are each unique "
                "within their list.",
                "Every `id` of an indicator, target, registry, form, item, field or "
                f"derived value matches `{ID_PATTERN}`.",
                f'While any value in the file is the text "{PLACEHOLDER}" the file is '
                "refused, and every such place is listed with its line (see "
                "`jlip-desk plan new`).",
            ),
        ),
        Section(
            "plan",
            ("[plan]",),
            "Identity and years of the plan.",
            {
                "id": Key(
                    (TEXT,),
                    True,
                    "Plan identifier; lower-case letters, digits, underscores and hyphens, "
                    "starting with a letter.",
                ),
                "version": Key(
                    (TEXT,),
                    True,
                    "Version of this definition; a revised file needs a new version.",
                ),
                "name": Key((TEXT,), True, "Full name of the plan."),
                "short_name": Key(
                    (TEXT,), False, "Short name shown in the window.", default="the name"
                ),
                "issuer": Key((TEXT,), False, "Issuing authority.", default='""'),
                "baseline_year": Key((INTEGER,), True, "Year of the baseline values."),
                "start_year": Key((INTEGER,), True, "First year of the plan."),
                "end_year": Key((INTEGER,), True, "Last year of the plan."),
                "due_days": Key(
                    (INTEGER,),
                    False,
                    "Days after a period ends by which its report is due.",
                    default="15",
                ),
            },
            (
                f"`id` matches `{PLAN_ID_PATTERN}`.",
                "Years are ordered: baseline_year < start_year <= end_year.",
            ),
        ),
        Section(
            "indicators",
            ("[[indicators]]",),
            "A main indicator of the plan, computed from reported fields.",
            {
                "id": _ID_KEY,
                "name": Key((TEXT,), True, "Name of the indicator."),
                "unit": Key((TEXT,), True, "Unit the indicator is shown in."),
                "aggregation": Key(
                    (TEXT,),
                    True,
                    "How reported values add up: sum over org units, ratio of two sums, "
                    "or a value held only by the province.",
                    allowed=_values(Aggregation),
                ),
                "source": Key(
                    (TEXT,), 'when aggregation is not "ratio"', _FIELD_REF + " The summed value."
                ),
                "numerator": Key(
                    (TEXT,), 'when aggregation is "ratio"', _FIELD_REF + " Numerator of the ratio."
                ),
                "denominator": Key(
                    (TEXT,),
                    'when aggregation is "ratio"',
                    _FIELD_REF + " Denominator of the ratio.",
                ),
                "baseline_year": Key((INTEGER,), True, "Year of the baseline value."),
                "baseline": Key((NUMBER,), True, "Baseline value, in the indicator's unit."),
                "target_year": Key((INTEGER,), True, "Year the target is to be met."),
                "target": Key(
                    (NUMBER,),
                    "unless target_text is given",
                    "Numeric target, in the indicator's unit.",
                ),
                "target_text": Key(
                    (TEXT,),
                    "unless target is given",
                    "Target in words (e.g. above the national average).",
                ),
                "target_source": Key(
                    (TEXT,),
                    False,
                    _FIELD_REF + " A field holding each year's target (recorded by the province).",
                ),
                "growth_rate": Key(
                    (NUMBER,),
                    False,
                    "Yearly compound growth from the baseline (0.1 is 10 %); without it the "
                    "target path is a straight line from baseline to target.",
                ),
                "scale": Key(
                    (NUMBER,),
                    False,
                    "Factor from the reported unit to the indicator's unit.",
                    default="1.0",
                ),
                "decimals": Key((INTEGER,), False, "Decimals shown.", default="2"),
                "higher_is_better": Key(
                    (BOOLEAN,), False, "Whether a higher value is progress.", default="true"
                ),
            },
            (
                "`id` is unique among the indicators.",
                "target_year is later than baseline_year.",
                "At least one of target and target_text is given.",
                "source, numerator, denominator and target_source resolve to numeric "
                "fields of a form.",
            ),
        ),
        Section(
            "targets",
            ("[[targets]]",),
            "A counted target: a number of things by a target year.",
            {
                "id": _ID_KEY,
                "name": Key((TEXT,), True, "Name of the target."),
                "unit": Key((TEXT,), False, "Unit of the count.", default='"个"'),
                "target": Key((NUMBER,), True, "Number to reach."),
                "target_year": Key((INTEGER,), True, "Year the number is to be reached."),
                "count_registry": Key(
                    (TEXT,),
                    "unless source is given",
                    "Registry whose records in service are counted.",
                ),
                "source": Key(
                    (TEXT,),
                    "unless count_registry is given",
                    _FIELD_REF + " A count the province reports.",
                ),
                "at_least": Key(
                    (BOOLEAN,),
                    False,
                    "The target is a minimum to keep, not a number to build up to.",
                    default="false",
                ),
            },
            (
                "`id` is unique among the targets.",
                "Exactly one of count_registry and source is given.",
                "count_registry names a registry of the file; source resolves to a numeric field.",
            ),
        ),
        Section(
            "registries",
            ("[[registries]]",),
            "A register of long-lived records (e.g. assistance stations) kept by org units.",
            {
                "id": _ID_KEY,
                "name": Key((TEXT,), True, "Name of the registry."),
                "sheet": Key((TEXT,), False, "Worksheet name in workbooks.", default="the name"),
                "code_tag": Key(
                    (TEXT,),
                    True,
                    "One to four upper-case letters used in record codes.",
                ),
                "org_level": Key(
                    (TEXT,), True, "Level of org unit that keeps the records.", allowed=ORG_LEVELS
                ),
                "lifecycle": Key(
                    (TABLE,),
                    True,
                    "Which fields say when a record was set up and whether it is in service.",
                    section="lifecycle",
                ),
                "fields": Key(
                    (TABLES,), True, "Attributes of a record; at least one.", section="fields"
                ),
                "rules": Key((TABLES,), False, "Cross-field rules.", section="rules"),
                "continues": Key(
                    (TEXT,),
                    False,
                    "Id of the registry, in earlier plans, whose records this one continues "
                    "(when a plan renames a registry). The registry is then kept and "
                    "referred to under that id; forms and targets of this file may name "
                    "either. Without it, a registry continues the one of the same id.",
                ),
            },
            (
                "`id` is unique among the registries, and so is `continues`.",
                f"`code_tag` matches `{CODE_TAG_PATTERN}`.",
                "A registry that continues records of an earlier plan keeps its `code_tag` "
                "(loading the plan refuses another tag: record codes carry it).",
            ),
        ),
        Section(
            "lifecycle",
            ("[registries.lifecycle]",),
            "The life of a registry record, from the registry's own fields.",
            {
                "established_field": Key((TEXT,), True, "Field with the date it was set up."),
                "status_field": Key((TEXT,), True, "Choice field with its status."),
                "status_date_field": Key(
                    (TEXT,), True, "Field with the date of the last status change."
                ),
                "closed_status": Key((TEXT,), True, "Status of a record that is closed."),
                "counted_statuses": Key(
                    (TEXT_LIST,), False, "Statuses counted towards a target.", default="[]"
                ),
            },
            (
                "The three *_field keys name fields of the same registry.",
                "closed_status and every counted status are choices of the status field.",
            ),
        ),
        Section(
            "forms",
            ("[[forms]]",),
            "A reporting form: what an org unit reports each quarter or year.",
            {
                "id": _ID_KEY,
                "name": Key((TEXT,), True, "Name of the form."),
                "sheet": Key((TEXT,), False, "Worksheet name in workbooks.", default="the name"),
                "frequency": Key(
                    (TEXT,), True, "How often it is reported.", allowed=_values(Frequency)
                ),
                "org_level": Key(
                    (TEXT,), True, "Level of org unit that reports it.", allowed=ORG_LEVELS
                ),
                "subject": Key(
                    (TEXT,),
                    True,
                    "What one row is about: the org unit, a registry record, or a fixed item.",
                    allowed=_values(SubjectKind),
                ),
                "registries": Key(
                    (TEXT_LIST,),
                    'when subject is "registry"',
                    "Registries whose records the rows are about.",
                    default="[]",
                ),
                "items": Key(
                    (TABLES,),
                    'when subject is "items"',
                    "The fixed items the rows are about.",
                    section="items",
                ),
                "fields": Key(
                    (TABLES,), True, "Values reported per row; at least one.", section="fields"
                ),
                "derived": Key((TABLES,), False, "Values computed for rules.", section="derived"),
                "rules": Key((TABLES,), False, "Cross-field rules.", section="rules"),
            },
            (
                "`id` is unique among the forms.",
                "Every name in `registries` is a registry of the file, and a form with "
                'subject = "registry" lists at least one.',
                "Field and derived ids together are unique within the form.",
            ),
        ),
        Section(
            "items",
            ("[[forms.items]]", "items = [{ id = ..., name = ... }, ...]"),
            "A fixed item a form reports on (e.g. a special project).",
            {"id": _ID_KEY, "name": Key((TEXT,), True, "Name of the item.")},
            ("`id` is unique within the form.",),
        ),
        Section(
            "fields",
            ("[[forms.fields]]", "[[registries.fields]]"),
            "A value reported on a form, or an attribute of a registry record.",
            {
                "id": _ID_KEY,
                "label": Key((TEXT,), True, "Column header (the unit is added to it)."),
                "type": Key((TEXT,), True, "Type of the value.", allowed=_values(FieldType)),
                "required": Key(
                    (BOOLEAN,), False, "Whether a value must be given.", default="false"
                ),
                "unit": Key((TEXT,), False, "Unit, shown after the label."),
                "min": Key(
                    (NUMBER, TEXT),
                    False,
                    "Lowest value: a number for integer and decimal fields, a "
                    '"YYYY-MM-DD" string for date fields; not read for other types.',
                ),
                "max": Key(
                    (NUMBER, TEXT),
                    False,
                    "Highest value, written like min.",
                ),
                "decimals": Key(
                    (INTEGER,),
                    False,
                    "Decimals allowed, 0 to 6.",
                    default="0 for integer fields",
                ),
                "max_length": Key((INTEGER,), False, "Longest text allowed."),
                "choices": Key(
                    (TEXT_LIST,),
                    'when type is "choice"',
                    "The values to choose from; only for choice fields.",
                    default="[]",
                ),
                "format": Key((TEXT,), False, "A checked text format.", allowed=FIELD_FORMATS),
                "default": Key((TEXT_OR_NUMBER,), False, "Value a new row starts with."),
                "help": Key((TEXT,), False, "Hint shown to the person filling in."),
                "continues": Key(
                    (TEXT,),
                    False,
                    "Registry fields only: id of the field, in earlier plans, whose recorded "
                    "values this field continues (when a plan renames a field). The field "
                    "is kept under that id; the registry's rules and lifecycle may name either.",
                ),
            },
            (
                "`id` is unique within its form or registry, and so is `continues`.",
                "`continues` is refused on form fields: a new plan's periods have no "
                "earlier values to continue.",
                "min is not greater than max.",
                "A choice field lists its choices; other fields list none; a choice "
                "field's default is one of its choices.",
                f"Date bounds match `{DATE_PATTERN}`; min and max on text and choice "
                "fields are refused as unknown keys.",
            ),
        ),
        Section(
            "derived",
            ("[[forms.derived]]",),
            "A value computed from the form's fields, usable in its rules.",
            {
                "id": _ID_KEY,
                "label": Key((TEXT,), True, "Name of the value."),
                "expr": Key(
                    (TEXT,),
                    True,
                    "Rule-language expression over the form's fields; prior(x) sums x over "
                    "the same row's earlier periods.",
                ),
            },
            ("expr parses and names only fields of the form.",),
        ),
        Section(
            "rules",
            ("[[forms.rules]]", "[[registries.rules]]"),
            "A cross-field check run on every row.",
            {
                "expr": Key((TEXT,), True, "Expression that must hold."),
                "message": Key((TEXT,), True, "Message shown when it does not (Chinese)."),
                "when": Key((TEXT,), False, "Expression limiting where the rule applies."),
            },
            (
                "expr and when parse and name only fields (and derived values) of the "
                "same form or registry.",
            ),
        ),
    )
}
