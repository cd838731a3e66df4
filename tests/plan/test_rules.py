"""Tests for the rule expression language: parsing, errors, three-valued evaluation."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jlip_desk.plan.rules import (
    PriorLookup,
    RuleSyntaxError,
    evaluate,
    evaluate_number,
    parse,
)

PLAN = Path(__file__).resolve().parents[2] / "resources" / "plans" / "jilin-ip-14.toml"


def ev(text: str, prior: PriorLookup | None = None, **values: object) -> bool | None:
    return evaluate(parse(text), values, prior)


# ---------------------------------------------------------------- comparisons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < b", True),
        ("a <= b", True),
        ("a > b", False),
        ("a >= b", False),
        ("a == b", False),
        ("a != b", True),
        ("a + b == 5", True),
        ("b - a == 1", True),
        ("a - b + 10 == 9", True),  # left-associative
        ("a <= 2.5", True),
    ],
)
def test_numeric_comparisons(text: str, expected: bool) -> None:
    assert ev(text, a=2, b=3) is expected


def test_ints_and_floats_compare() -> None:
    assert ev("a == b", a=2, b=2.0) is True
    assert ev("a < b", a=1.5, b=2) is True


def test_plan_rule_on_mediations() -> None:
    rule = "mediations_successful <= mediations"
    assert ev(rule, mediations_successful=3, mediations=5) is True
    assert ev(rule, mediations_successful=6, mediations=5) is False


@pytest.mark.parametrize(
    "values",
    [
        {"a": None, "b": 3},
        {"a": 2, "b": None},
        {"a": "", "b": 3},
        {"a": "  ", "b": 3},
        {"b": 3},  # missing altogether
    ],
)
def test_empty_values_make_comparisons_unknown(values: dict[str, object]) -> None:
    assert evaluate(parse("a <= b"), values) is None
    assert evaluate(parse("a + 1 <= b"), values) is None


def test_empty_values_make_arithmetic_unknown() -> None:
    assert evaluate_number(parse("a + b"), {"a": 1, "b": None}) is None
    assert evaluate_number(parse("a + b"), {"a": 1, "b": 2}) == 3.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("abc", 3),
        (3, "abc"),
        (dt.date(2024, 1, 1), 3),
        (dt.date(2024, 1, 1), "not a date"),
        (True, 1),
    ],
)
def test_incompatible_types_are_unknown_not_a_crash(a: object, b: object) -> None:
    for op in ("<", "<=", ">", ">=", "==", "!="):
        assert evaluate(parse(f"a {op} b"), {"a": a, "b": b}) is None
    assert evaluate_number(parse("a + b"), {"a": a, "b": b}) is None


def test_dates_compare_with_dates_and_datetimes() -> None:
    rule = "status_changed_on >= established_on"
    early, late = dt.date(2021, 3, 1), dt.date(2022, 5, 1)
    assert ev(rule, status_changed_on=late, established_on=early) is True
    assert ev(rule, status_changed_on=early, established_on=late) is False
    # datetime and date do not compare in Python; rules compare the days.
    noon = dt.datetime(2021, 3, 1, 12, 0)
    assert ev(rule, status_changed_on=early, established_on=noon) is True


def test_date_against_iso_string_literal() -> None:
    assert ev("d >= '2000-01-01'", d=dt.date(2001, 1, 1)) is True
    assert ev("d >= '2000-01-01'", d=dt.date(1999, 12, 31)) is False
    assert ev("d >= 'soon'", d=dt.date(1999, 12, 31)) is None


def test_date_difference_is_days() -> None:
    values = {"a": dt.date(2024, 3, 5), "b": dt.date(2024, 3, 1)}
    assert evaluate_number(parse("a - b"), values) == 4.0
    assert evaluate_number(parse("a + b"), values) is None


def test_string_comparisons() -> None:
    assert ev("status == '运行'", status="运行") is True
    assert ev('status != "运行"', status="撤销") is True


# ---------------------------------------------------------------------- 'in'


def test_in_list() -> None:
    rule = "status in ['暂停', '撤销']"
    assert ev(rule, status="暂停") is True
    assert ev(rule, status="撤销") is True
    assert ev(rule, status="运行") is False
    assert ev(rule, status=None) is None
    assert ev(rule, status=3) is None


# ------------------------------------------------------------- Kleene logic

T, F, U = True, False, None
TRUTH = {T: "t", F: "f", U: "u"}


@pytest.mark.parametrize("x", [T, F, U])
@pytest.mark.parametrize("y", [T, F, U])
def test_and_or_not_follow_kleene(x: bool | None, y: bool | None) -> None:
    # Each operand is a comparison that is True, False, or unknown (empty value).
    def cmp(value: bool | None) -> tuple[str, dict[str, object]]:
        return {T: "1 == 1", F: "1 == 2", U: "e == 1"}[value], {"e": None}

    (x_text, env), (y_text, _) = cmp(x), cmp(y)
    want_and = F if F in (x, y) else (U if U in (x, y) else T)
    want_or = T if T in (x, y) else (U if U in (x, y) else F)
    assert evaluate(parse(f"{x_text} and {y_text}"), env) is want_and
    assert evaluate(parse(f"{x_text} or {y_text}"), env) is want_or
    assert evaluate(parse(f"not {x_text}"), env) is (None if x is None else not x)


def test_bare_identifier_means_filled_in() -> None:
    assert ev("status_changed_on", status_changed_on=dt.date(2024, 1, 1)) is True
    assert ev("status_changed_on", status_changed_on=None) is False
    assert ev("status_changed_on") is False
    assert ev("note", note="  ") is False
    assert ev("n", n=0) is True  # a zero is filled in
    assert ev("not n", n=None) is True


def test_precedence() -> None:
    # not binds tighter than and, and tighter than or.
    assert ev("a or b and c", a=1, b=None, c=None) is True
    assert ev("(a or b) and c", a=1, b=None, c=None) is False
    assert ev("not a and b", a=None, b=1) is True
    assert ev("not (a and b)", a=1, b=1) is False
    assert ev("not not a", a=1) is True


# --------------------------------------------------------------------- prior


def test_prior_calls_the_callback() -> None:
    asked: list[str] = []

    def prior(name: str) -> float | None:
        asked.append(name)
        return {"cases_accepted": 10.0, "cases_closed": 7.0}[name]

    expr = parse("prior(cases_accepted) - prior(cases_closed)")
    assert evaluate_number(expr, {}, prior) == 3.0
    assert asked == ["cases_accepted", "cases_closed"]


def test_prior_without_callback_is_unknown() -> None:
    assert evaluate_number(parse("prior(x)"), {"x": 5}) is None
    assert ev("n <= prior(x)", n=3) is None
    assert evaluate_number(parse("prior(x)"), {}, lambda name: None) is None


def test_names_and_prior_names() -> None:
    expr = parse("cases_closed <= cases_accepted + prior(cases_accepted) - prior(cases_closed)")
    assert expr.names() == {"cases_closed", "cases_accepted"}
    assert expr.prior_names() == {"cases_accepted", "cases_closed"}
    assert parse("status in ['a'] and not x").names() == {"status", "x"}
    assert parse("1 + 'a' == 2").names() == frozenset()
    assert parse("b < a and c > b").names_in_order() == ("b", "a", "c")


# ---------------------------------------------------------------- evaluation


def test_evaluate_number() -> None:
    assert evaluate_number(parse("a + 1.5"), {"a": 2}) == 3.5
    assert evaluate_number(parse("a"), {"a": "text"}) is None
    assert evaluate_number(parse("a < 1"), {"a": 0}) is None  # a condition is not a number
    assert evaluate_number(parse("a"), {"a": dt.date(2024, 1, 1)}) is None


def test_parse_is_cached() -> None:
    assert parse("a <= b") is parse("a <= b")


def test_every_expression_in_the_real_plan_parses() -> None:
    plan = tomllib.loads(PLAN.read_text(encoding="utf-8"))
    texts = [
        text
        for section in ("forms", "registries")
        for block in plan[section]
        for key in ("rules", "derived")
        for item in block.get(key, [])
        for text in (item["expr"], item.get("when"))
        if text is not None
    ]
    assert len(texts) >= 8
    for text in texts:
        assert parse(text).names() | parse(text).prior_names()


# ------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("a <", 3, "end of expression"),
        ("a = b", 2, "'=='"),
        ("a <= (b", 7, "')'"),
        ("a b", 2, "unexpected 'b'"),
        ("foo(a)", 0, "unknown function 'foo'"),
        ("prior", 0, "prior(field)"),
        ("prior(1)", 6, "field name"),
        ("prior(a", 7, "')'"),
        ("s in ['x', 1]", 11, "quoted string"),
        ("s in 'x'", 5, "'['"),
        ("s in ['x'", 9, "']'"),
        ("'abc", 0, "unterminated string"),
        ("a * b", 2, "'*'"),
        ("a; import os", 1, "';'"),
        ("__import__('os')", 0, "unknown function"),
        ("a < < b", 4, "'<'"),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, position: int, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.position == position
    assert f"at position {position + 1}" in str(error)
    assert fragment in str(error)


@given(st.text(max_size=40))
def test_parse_never_fails_other_than_with_a_syntax_error(text: str) -> None:
    try:
        expr = parse(text)
    except RuleSyntaxError:
        return
    # Whatever parsed evaluates without raising, with or without values.
    values = dict.fromkeys(expr.names(), 1)
    assert evaluate(expr, values, lambda name: 1.0) in (True, False, None)
    assert evaluate(expr, {}) in (True, False, None)


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.integers(-5, 5),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=3),
            st.dates(),
        ),
        min_size=3,
        max_size=3,
    )
)
def test_evaluation_never_crashes_on_any_values(triple: list[object]) -> None:
    values = dict(zip("abc", triple, strict=True))
    for text in ("a < b", "a + b >= c", "a in ['x'] or b == c", "not a and (b != c)"):
        assert evaluate(parse(text), values) in (True, False, None)


def test_describe_rules_for_people() -> None:
    from jlip_desk.plan.rules import describe

    labels = {
        "mediations_successful": "调解成功",
        "mediations": "调解纠纷",
        "status": "状态",
        "cases_closed": "办结",
        "cases_accepted": "受理",
    }
    assert describe("mediations_successful <= mediations", labels) == "调解成功 ≤ 调解纠纷"
    assert describe("status in ['暂停', '撤销']", labels) == "状态 属于 [“暂停”, “撤销”]"
    assert (
        describe("cases_closed <= cases_accepted + prior(cases_accepted)", labels)
        == "办结 ≤ 受理 + 以前各期受理合计"
    )
    assert describe("unknown_field >= 0", labels) == "unknown_field ≥ 0"
