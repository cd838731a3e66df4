"""Checking a whole row: every field's value, derived values, cross-field rules, outliers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from jlip_desk.plan.model import Derived, Field, Rule
from jlip_desk.plan.rules import PriorLookup, evaluate, evaluate_number, parse
from jlip_desk.validation.values import check_value, format_number, parse_value

__all__ = [
    "OUTLIER_FACTOR",
    "OUTLIER_MIN_HISTORY",
    "OUTLIER_MIN_JUMP",
    "FieldChecks",
    "Problem",
    "Severity",
    "check_field",
    "check_row",
    "check_rules",
    "compute_derived",
    "is_outlier",
    "outlier_warning",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong (error) or suspicious (warning) in a row.

    ``field_id`` is the field to highlight (None: the row as a whole); ``rule`` is the
    expression of the broken rule, None for problems with a single value.
    """

    field_id: str | None
    message: str
    severity: Severity = "error"
    rule: str | None = None


def compute_derived(
    derived: Sequence[Derived],
    values: Mapping[str, object],
    prior: PriorLookup | None = None,
) -> dict[str, float | None]:
    """Derived values in plan order; each may use the values and the derived before it."""
    scope = dict(values)
    results: dict[str, float | None] = {}
    for item in derived:
        number = evaluate_number(parse(item.expr), scope, prior)
        scope[item.id] = number
        results[item.id] = number
    return results


def _rule_field(rule: Rule, field_ids: set[str]) -> str | None:
    for name in parse(rule.expr).names_in_order():
        if name in field_ids:
            return name
    return None


def check_field(field: Field, raw: object) -> tuple[object, object, str | None]:
    """Parse and check one value: (parsed value, what rules see, problem or None).

    The parsed value of an unparsable input is the raw text. Rules see any value with a
    problem as unknown.
    A pure function of ``field`` and ``raw``, so callers may cache its results.
    """
    parsed = parse_value(field, raw)
    message = parsed.problem or check_value(field, parsed.value)
    # A value with a problem of its own (unparsable, out of range) is unknown to the
    # rules: the mistake is reported once, not again by every rule that uses it.
    return parsed.value, (parsed.value if message is None else None), message


class FieldChecks:
    """A memo of :func:`check_field` for many rows: a column repeats values a lot.

    The type is part of the key (1, 1.0 and True are equal but parse differently; so
    are 0.0 and -0.0, hence zero is never kept).
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[tuple[str, type, object], tuple[object, object, str | None]] = {}

    def check(self, field: Field, raw: object) -> tuple[object, object, str | None]:
        if raw.__hash__ is None or raw == 0:
            return check_field(field, raw)
        key = (field.id, raw.__class__, raw)
        hit = self._seen.get(key)
        if hit is None:
            hit = self._seen[key] = check_field(field, raw)
        return hit


def check_rules(
    fields: Sequence[Field],
    rules: Sequence[Rule],
    derived: Sequence[Derived],
    scope: Mapping[str, object],
    prior: PriorLookup | None = None,
) -> list[Problem]:
    """The broken rules of a row whose field values (as rules see them) are ``scope``."""
    if not rules:
        return []
    full = dict(scope)
    if derived:
        full.update(compute_derived(derived, full, prior))
    problems: list[Problem] = []
    field_ids: set[str] | None = None
    for rule in rules:
        if rule.when is not None and evaluate(parse(rule.when), full, prior) is not True:
            continue
        if evaluate(parse(rule.expr), full, prior) is False:
            if field_ids is None:
                field_ids = {field.id for field in fields}
            problems.append(Problem(_rule_field(rule, field_ids), rule.message, "error", rule.expr))
    return problems


def check_row(
    fields: Sequence[Field],
    rules: Sequence[Rule],
    derived: Sequence[Derived],
    raw_values: Mapping[str, object],
    prior: PriorLookup | None = None,
    checks: FieldChecks | None = None,
) -> tuple[dict[str, object], list[Problem]]:
    """Parse and check one row.

    Returns the parsed values of ``fields`` (values that could not be parsed are kept as
    the raw text) and the problems found. A rule is reported only when it evaluates to
    False: when its ``when`` does not hold, or it cannot tell (an empty or unparsable
    value), it is not. Malformed rule expressions raise ``RuleSyntaxError``; the plan
    loader is expected to have rejected them already.
    """
    values: dict[str, object] = {}
    problems: list[Problem] = []
    # What rules see: a value with a problem is unknown, not what was typed.
    scope: dict[str, object] = {}
    check = checks.check if checks is not None else check_field
    for field in fields:
        value, seen, message = check(field, raw_values.get(field.id))
        values[field.id] = value
        scope[field.id] = seen
        if message is not None:
            problems.append(Problem(field.id, message))
    problems += check_rules(fields, rules, derived, scope, prior)
    return values, problems


# -------------------------------------------------------------------- outliers

OUTLIER_MIN_HISTORY = 4
OUTLIER_FACTOR = 3.0
OUTLIER_MIN_JUMP = 10.0


def is_outlier(value: float, history: Sequence[float]) -> bool:
    """Whether ``value`` is suspiciously high compared with the same field's history.

    Like DHIS2's min-max outlier check, but only upwards (a quiet quarter is normal,
    a tenfold jump is usually a typing slip). With at least ``OUTLIER_MIN_HISTORY``
    earlier values, ``value`` is an outlier when it exceeds ``OUTLIER_FACTOR`` times
    the highest earlier value and also exceeds that value by at least
    ``OUTLIER_MIN_JUMP``, so small counts (0, 0, 0, 0 then 2) are not flagged.

    A median + 3 x MAD bound is deliberately not added: for non-negative counts it
    never exceeds 3 x the maximum, so it would not change any answer.
    """
    if len(history) < OUTLIER_MIN_HISTORY:
        return False
    highest = max(history)
    return value > OUTLIER_FACTOR * highest and value - highest >= OUTLIER_MIN_JUMP


def outlier_warning(field: Field, value: float, history: Sequence[float]) -> Problem | None:
    """A warning for ``field`` when ``value`` is an outlier (see :func:`is_outlier`)."""
    if not is_outlier(value, history):
        return None
    unit = field.unit or ""
    message = (
        f"{format_number(value)}{unit}明显高于以往"
        f"(以往最高为{format_number(max(history))}{unit})，请核实是否填写有误"
    )
    return Problem(field.id, message, "warning")
