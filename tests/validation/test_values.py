"""Tests for tolerant parsing and checking of single field values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jlip_desk.plan.model import Field, FieldType
from jlip_desk.validation.formats import make_credit_code
from jlip_desk.validation.values import (
    REQUIRED_MESSAGE,
    Parsed,
    allowed_text,
    check_value,
    format_number,
    parse_value,
)

# Fields shaped like the real plan's.
COUNT = Field(
    "cases_accepted",
    "受理维权援助案件",
    FieldType.INTEGER,
    required=True,
    unit="件",
    min=0,
    max=10000,
)
POPULATION = Field(
    "population",
    "常住人口",
    FieldType.DECIMAL,
    required=True,
    unit="万人",
    min=0.1,
    max=1000,
    decimals=2,
)
PERCENT = Field("percent", "完成进度", FieldType.DECIMAL, unit="%", min=0, max=100, decimals=1)
FREE_DECIMAL = Field("x", "x", FieldType.DECIMAL)
ESTABLISHED = Field("established_on", "设立日期", FieldType.DATE, required=True, min="2000-01-01")
LEVEL = Field("level", "网点级别", FieldType.CHOICE, required=True, choices=("国家级", "省级"))
NAME = Field("name", "工作站名称", FieldType.TEXT, required=True, max_length=60)
NOTES = Field("notes", "备注", FieldType.TEXT, max_length=500)
CREDIT = Field(
    "host_credit_code",
    "依托单位统一社会信用代码",
    FieldType.TEXT,
    required=True,
    format="credit_code",
)
PHONE = Field("phone", "联系电话", FieldType.TEXT, required=True, format="phone")

ALL_FIELDS = [COUNT, POPULATION, PERCENT, FREE_DECIMAL, ESTABLISHED, LEVEL, NAME, CREDIT, PHONE]


def ok(field: Field, raw: object) -> object:
    parsed = parse_value(field, raw)
    assert parsed.problem is None, parsed.problem
    return parsed.value


def bad(field: Field, raw: object) -> Parsed:
    parsed = parse_value(field, raw)
    assert parsed.problem is not None, f"{raw!r} was accepted as {parsed.value!r}"
    return parsed


# -------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12, 12),
        ("12", 12),
        ("  12 ", 12),
        ("\u300012\u3000", 12),  # ideographic spaces around
        ("１２３", 123),
        ("－５", -5),
        ("+7", 7),
        ("1,234", 1234),
        ("1，234", 1234),
        ("1,234,567", 1234567),
        (12.0, 12),
        ("12.0", 12),
        ("１２．０", 12),
        ("12件", 12),  # the column's own unit
        (Decimal("40"), 40),
        (3.0000000000000004, 3),  # spreadsheet float noise
    ],
)
def test_integer_input_people_type(raw: object, expected: int) -> None:
    value = ok(COUNT, raw)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(
    "raw",
    [
        "12.5",
        12.5,
        "abc",
        "1,23",
        "12,34,567",
        "1e3",
        "12次",
        "",
        "--5",
        "nan",
        float("nan"),
        float("inf"),
        "1 234",
        dt.date(2024, 1, 1),
    ],
)
def test_integer_refusals_keep_the_text(raw: object) -> None:
    if raw == "":
        assert parse_value(COUNT, raw) == Parsed(None)
        return
    parsed = bad(COUNT, raw)
    assert isinstance(parsed.value, str)
    assert parsed.problem is not None
    assert "0到10000之间的整数" in parsed.problem


def test_integer_refusal_keeps_what_was_typed() -> None:
    assert parse_value(COUNT, " 12.5 ") == Parsed("12.5", "“12.5”不是整数，应为0到10000之间的整数")
    assert parse_value(COUNT, "十二").value == "十二"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１２．５", 12.5),
        ("12.34", 12.34),
        ("12.30", 12.3),  # trailing zeros are not extra decimals
        ("1,234.5", 1234.5),
        (12, 12.0),
        (2.3000000000000003, 2.3),  # =A1*0.1 in a spreadsheet
        ("0.1", 0.1),
        (".5", 0.5),
        ("12.5万人", 12.5),
        ("12。5", 12.5),  # Chinese input method full stop
    ],
)
def test_decimal_input(raw: object, expected: float) -> None:
    value = ok(POPULATION, raw)
    assert value == expected
    assert type(value) is float


@pytest.mark.parametrize("raw", ["12.345", 12.345, "0.001"])
def test_too_many_decimals(raw: object) -> None:
    parsed = bad(POPULATION, raw)
    assert parsed.problem is not None
    assert "2位小数" in parsed.problem
    assert parsed.value == str(raw)


def test_percent_field_accepts_percent_sign() -> None:
    assert ok(PERCENT, "87.5%") == 87.5
    assert bad(PERCENT, "87.55").problem == "小数位数过多，最多保留1位小数"


def test_decimal_without_limit_keeps_all_decimals() -> None:
    assert ok(FREE_DECIMAL, "3.14159") == pytest.approx(3.14159)


def test_booleans_are_refused_everywhere() -> None:
    for field in ALL_FIELDS:
        parsed = bad(field, True)
        assert parsed.value == "True"
        assert parsed.problem is not None
        assert "逻辑值" in parsed.problem


# ---------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "raw",
    [
        dt.date(2024, 3, 5),
        dt.datetime(2024, 3, 5, 14, 30),
        "2024-3-5",
        "2024-03-05",
        "2024/03/05",
        "2024/3/5",
        "2024.3.5",
        "2024年3月5日",
        "2024年03月05日",
        "20240305",
        "２０２４－０３－０５",
        " 2024-03-05 ",
        "2024-03-05 00:00:00",  # str() of a datetime, pasted from elsewhere
        20240305,  # typed into a cell that Excel then stored as a number
        45356,  # a date cell that lost its format: Excel's day number
        45356.0,
    ],
)
def test_date_input(raw: object) -> None:
    value = ok(ESTABLISHED, raw)
    assert value == dt.date(2024, 3, 5)
    assert type(value) is dt.date


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2024-02-30", "不存在"),
        ("2023年2月29日", "不存在"),
        ("2024-13-01", "不存在"),
        ("2024", "不是有效的日期"),
        ("3/5/2024", "不是有效的日期"),
        ("明天", "不是有效的日期"),
        (2024, "不是日期"),
        (45356.5, "不是日期"),
    ],
)
def test_date_refusals(raw: object, fragment: str) -> None:
    parsed = bad(ESTABLISHED, raw)
    assert parsed.problem is not None
    assert fragment in parsed.problem
    assert isinstance(parsed.value, str)


def test_leap_day_is_a_date() -> None:
    assert ok(ESTABLISHED, "2024-2-29") == dt.date(2024, 2, 29)


# -------------------------------------------------------------- choice, text


def test_choices_match_exactly_after_trimming() -> None:
    assert ok(LEVEL, " 省级 ") == "省级"
    parsed = bad(LEVEL, "省 级")
    assert parsed == Parsed("省 级", "应为以下之一:国家级、省级")
    bad(LEVEL, "市级")


def test_text_is_trimmed_and_length_checked() -> None:
    assert ok(NAME, "  长春市维权援助工作站 ") == "长春市维权援助工作站"
    long_name = "站" * 61
    parsed = bad(NAME, long_name)
    assert parsed.value == long_name
    assert parsed.problem == "不能超过60个字，当前为61个字"
    assert ok(NAME, "站" * 60) == "站" * 60


def test_text_from_numbers_and_dates() -> None:
    assert ok(NOTES, 12) == "12"
    assert ok(NOTES, 12.0) == "12"
    assert ok(NOTES, 12.5) == "12.5"
    assert ok(NOTES, dt.date(2024, 3, 5)) == "2024-03-05"


def test_phone_from_a_number_cell() -> None:
    # Excel keeps 13912345678 as a float; it must come back without ".0".
    assert ok(PHONE, 13912345678.0) == "13912345678"
    assert ok(PHONE, "１３９ １２３４ ５６７８") == "13912345678"


def test_credit_code_is_normalised() -> None:
    assert ok(CREDIT, " ９１３５０１００ｍ０００１００ｙ４３ ") == "91350100M000100Y43"


def test_empty_input_is_none() -> None:
    for field in ALL_FIELDS:
        for raw in (None, "", "   ", "\u3000"):
            assert parse_value(field, raw) == Parsed(None)


# ------------------------------------------------------------------- checking


def test_required() -> None:
    assert check_value(COUNT, None) == REQUIRED_MESSAGE == "必填项不能为空"
    assert check_value(LEVEL, "") == REQUIRED_MESSAGE
    assert check_value(NOTES, None) is None


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        (COUNT, 0, None),
        (COUNT, 10000, None),
        (COUNT, -1, "应为0到10000之间的整数"),
        (COUNT, 10001, "应为0到10000之间的整数"),
        (POPULATION, 0.1, None),
        (POPULATION, 0.05, "应为0.1到1000之间的数，最多2位小数"),
        (POPULATION, 1000.01, "应为0.1到1000之间的数，最多2位小数"),
        (ESTABLISHED, dt.date(2000, 1, 1), None),
        (ESTABLISHED, dt.date(1999, 12, 31), "应为2000-01-01及以后的日期，如2024-03-05"),
        (LEVEL, "国家级", None),
        (LEVEL, "市级", "应为以下之一:国家级、省级"),
    ],
)
def test_check_value_ranges(field: Field, value: object, problem: str | None) -> None:
    assert check_value(field, value) == problem


def test_check_value_formats() -> None:
    assert check_value(CREDIT, make_credit_code("91220101MA0Y12345")) is None
    problem = check_value(CREDIT, "91220101MA0Y12345X")
    assert problem is not None
    assert "校验位" in problem
    assert check_value(PHONE, "0431-88886666") is None
    assert check_value(PHONE, "88886666") is not None


def test_check_value_reports_wrong_types_instead_of_crashing() -> None:
    assert check_value(COUNT, "abc") is not None
    assert check_value(ESTABLISHED, 3.5) is not None
    assert check_value(COUNT, "５") is None


def test_allowed_text() -> None:
    assert allowed_text(COUNT) == "0到10000之间的整数(必填)"
    assert allowed_text(POPULATION) == "0.1到1000之间的数，最多2位小数(必填)"
    assert allowed_text(PERCENT) == "0到100之间的数，最多1位小数"
    assert allowed_text(ESTABLISHED) == "2000-01-01及以后的日期，如2024-03-05(必填)"
    assert allowed_text(LEVEL) == "以下之一:国家级、省级(必填)"
    assert allowed_text(NOTES) == "不超过500个字的文字"
    assert "统一社会信用代码" in allowed_text(CREDIT)
    assert "0431-88886666" in allowed_text(PHONE)
    assert allowed_text(Field("n", "n", FieldType.INTEGER, min=0)) == "不小于0的整数"
    assert allowed_text(Field("n", "n", FieldType.INTEGER, max=9)) == "不大于9的整数"
    assert allowed_text(Field("n", "n", FieldType.INTEGER)) == "整数"


def test_format_number() -> None:
    assert format_number(1000.0) == "1000"
    assert format_number(10000000.0) == "10000000"
    assert format_number(0.1) == "0.1"
    assert format_number(1e-05) == "0.00001"
    assert format_number(7) == "7"


# ------------------------------------------------------------------ properties

raw_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.text(alphabet="0123456789,.，．－-+ 年月日/１２３", max_size=12),
    st.dates(),
    st.datetimes(),
    st.decimals(),
)


@given(st.sampled_from(ALL_FIELDS), raw_values)
def test_parse_and_check_never_raise(field: Field, raw: object) -> None:
    parsed = parse_value(field, raw)
    if parsed.problem is not None:
        # Nothing typed is lost: the raw input survives as text.
        assert isinstance(parsed.value, str)
    check_value(field, raw)


@given(st.sampled_from(ALL_FIELDS), raw_values)
def test_parsing_is_idempotent(field: Field, raw: object) -> None:
    parsed = parse_value(field, raw)
    if parsed.problem is None:
        assert parse_value(field, parsed.value) == parsed


@given(st.integers(-(10**12), 10**12))
def test_integers_round_trip_through_text(number: int) -> None:
    assert ok(Field("n", "n", FieldType.INTEGER), str(number)) == number
    assert ok(Field("n", "n", FieldType.INTEGER), f"{number:,}") == number


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_dates_round_trip_through_text(day: dt.date) -> None:
    assert ok(ESTABLISHED, day.isoformat()) == day
    assert ok(ESTABLISHED, f"{day.year}年{day.month}月{day.day}日") == day
