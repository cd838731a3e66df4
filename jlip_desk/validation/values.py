"""Tolerant parsing of single values (typed, pasted or read from spreadsheets) and their checks."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from jlip_desk.plan.model import Field, FieldType
from jlip_desk.validation.formats import credit_code_problem, phone_problem

__all__ = [
    "REQUIRED_MESSAGE",
    "Parsed",
    "ParsedValue",
    "allowed_text",
    "check_value",
    "format_number",
    "parse_value",
    "stored_value",
]

ParsedValue = int | float | str | dt.date | None
"""A parsed field value: int (integer), float (decimal), str (text, choice), date, or empty."""

StoredValue = int | float | str | None
"""A value as the store keeps it: dates as ISO text, anything unparsable as the text typed."""


def stored_value(value: object) -> StoredValue:
    """A parsed (or raw) value in its stored form: the one conversion every writer uses."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


REQUIRED_MESSAGE = "必填项不能为空"

_NUMBER = re.compile(r"[+-]?(?:(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?|\.\d+)")
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time of day, as str(datetime) writes it
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Excel day numbers for 1950-01-01 .. 2099-12-31: a date cell that lost its date format.
# Outside this range a bare number is far more likely a typing mistake than a date.
_EXCEL_SERIALS = range(18264, 73051 + 1)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Floats from spreadsheet formulas carry noise such as 2.3000000000000003.
_FLOAT_NOISE = 1e-9


@dataclass(frozen=True, slots=True)
class Parsed:
    """The outcome of parsing one raw value.

    On a problem, ``value`` holds the raw input as text, so nothing typed is lost.
    """

    value: ParsedValue
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def format_number(number: int | float) -> str:
    """A number as people write it: ``1000`` not ``1000.0``, ``0.1`` not ``1e-01``."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    if isinstance(number, float):
        return format(Decimal(repr(number)), "f")
    return str(number)


def _raw_text(raw: object) -> str:
    if isinstance(raw, float):
        return format_number(raw) if math.isfinite(raw) else str(raw)
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _fold(text: str) -> str:
    """Full-width digits, letters, signs, points and commas (１２，３４５．６) to ASCII."""
    # NFKC leaves the minus sign alone, yet people paste it from Word and web pages.
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-")


# ---------------------------------------------------------------- descriptions


def _bounds(field: Field) -> tuple[str | None, str | None]:
    def show(bound: float | str | None) -> str | None:
        if bound is None:
            return None
        return bound if isinstance(bound, str) else format_number(bound)

    return show(field.min), show(field.max)


def _range_words(field: Field, noun: str) -> str:
    low, high = _bounds(field)
    if low is not None and high is not None:
        return f"{low}到{high}之间的{noun}"
    if low is not None:
        return f"不小于{low}的{noun}"
    if high is not None:
        return f"不大于{high}的{noun}"
    return noun


def _allowed_values(field: Field) -> str:
    """What values are allowed, without saying whether one is required."""
    if field.type is FieldType.INTEGER:
        return _range_words(field, "整数")
    if field.type is FieldType.DECIMAL:
        text = _range_words(field, "数")
        if field.decimals is not None:
            text += "，不带小数" if field.decimals == 0 else f"，最多{field.decimals}位小数"
        return text
    if field.type is FieldType.DATE:
        low, high = _bounds(field)
        if low is not None and high is not None:
            text = f"{low}到{high}之间的日期"
        elif low is not None:
            text = f"{low}及以后的日期"
        elif high is not None:
            text = f"{high}及以前的日期"
        else:
            text = "日期"
        return text + "，如2024-03-05"
    if field.type is FieldType.CHOICE:
        return "以下之一:" + "、".join(field.choices)
    if field.format == "credit_code":
        return "18位统一社会信用代码"
    if field.format == "phone":
        return "11位手机号或带区号的固定电话，如13912345678、0431-88886666"
    if field.max_length is not None:
        return f"不超过{field.max_length}个字的文字"
    return "文字"


def allowed_text(field: Field) -> str:
    """What the field accepts, in Chinese, for tooltips and Excel data-validation prompts."""
    text = _allowed_values(field)
    return f"{text}(必填)" if field.required else text


# --------------------------------------------------------------------- parsing


def _problem(raw: object, message: str) -> Parsed:
    return Parsed(_raw_text(raw), message)


def _parse_number(field: Field, raw: object) -> Parsed:
    def expected() -> str:  # built only when there is something to say
        return "应为" + _allowed_values(field)

    number: Decimal
    if isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            return _problem(raw, f"不是有效的数字，{expected()}")
        number = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            return _problem(raw, f"不是有效的数字，{expected()}")
        number = Decimal(repr(raw))
        # Snap spreadsheet noise to the nearest value with the allowed decimals.
        places = 0 if field.type is FieldType.INTEGER else field.decimals
        if places is not None:
            snapped = round(raw, places)
            if abs(raw - snapped) <= _FLOAT_NOISE * max(1.0, abs(raw)):
                number = Decimal(repr(snapped))
    elif isinstance(raw, str):
        # A Chinese input method types 。 for the decimal point.
        text = _fold(raw).replace("\u3002", ".").strip()
        if field.unit and text.endswith(field.unit):
            # "12件" in a column already headed 件 means 12.
            text = text[: -len(field.unit)].strip()
        if not _NUMBER.fullmatch(text):
            return _problem(raw, f"“{raw.strip()}”不是有效的数字，{expected()}")
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return _problem(raw, f"“{raw.strip()}”不是有效的数字，{expected()}")
    else:
        return _problem(raw, f"不是数字，{expected()}")

    if field.type is FieldType.INTEGER:
        if number != number.to_integral_value():
            return _problem(raw, f"“{_raw_text(raw)}”不是整数，{expected()}")
        return Parsed(int(number))
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite by construction
    if field.decimals is not None and -exponent > field.decimals:
        allowed = "不能带小数" if field.decimals == 0 else f"最多保留{field.decimals}位小数"
        return _problem(raw, f"小数位数过多，{allowed}")
    return Parsed(float(number))


def _make_date(raw: object, year: int, month: int, day: int) -> Parsed:
    try:
        return Parsed(dt.date(year, month, day))
    except ValueError:
        return _problem(raw, f"日期“{year}年{month}月{day}日”不存在")


def _parse_date(field: Field, raw: object) -> Parsed:
    def expected() -> str:  # built only when there is something to say
        return "应为" + _allowed_values(field)

    if isinstance(raw, dt.datetime):
        return Parsed(raw.date())
    if isinstance(raw, dt.date):
        return Parsed(raw)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if isinstance(raw, float) and not raw.is_integer():
            return _problem(raw, f"不是日期，{expected()}")
        whole = int(raw)
        if 19000101 <= whole <= 29991231:
            # 20240305 typed into a cell Excel then stored as a number.
            return _parse_date(field, str(whole))
        if whole in _EXCEL_SERIALS:
            return Parsed(_EXCEL_EPOCH + dt.timedelta(days=whole))
        return _problem(raw, f"不是日期，{expected()}")
    if not isinstance(raw, str):
        return _problem(raw, f"不是日期，{expected()}")
    text = _fold(raw).strip()
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        return _problem(raw, f"“{raw.strip()}”不是有效的日期，{expected()}")
    year, month, day = (int(group) for group in match.groups())
    return _make_date(raw, year, month, day)


def _plain_text(raw: object) -> str:
    """Text from any cell: phone numbers stored as numbers lose no digits and gain no '.0'."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return _raw_text(raw)


def _parse_text(field: Field, raw: object) -> Parsed:
    text = _plain_text(raw)
    if field.format in ("credit_code", "phone"):
        # Codes and numbers are often typed in full width or with spaces; fold them.
        text = re.sub(r"\s+", "", _fold(text))
        if field.format == "credit_code":
            text = text.upper()
    if field.max_length is not None and len(text) > field.max_length:
        return Parsed(text, f"不能超过{field.max_length}个字，当前为{len(text)}个字")
    return Parsed(text)


def _parse_choice(field: Field, raw: object) -> Parsed:
    text = _plain_text(raw)
    if text in field.choices:
        return Parsed(text)
    return Parsed(text, "应为" + _allowed_values(field))


def parse_value(field: Field, raw: object) -> Parsed:
    """Parse what a user typed or a spreadsheet cell held into the field's type.

    Never raises: anything unusable comes back as a :class:`Parsed` with a problem.
    Empty input (None, blank text) parses to None without a problem; whether that is
    allowed is :func:`check_value`'s business.
    """
    if raw is None:
        return Parsed(None)
    if isinstance(raw, bool):
        # A TRUE/FALSE cell is never a count, a date or a name.
        return _problem(raw, "不能是逻辑值(TRUE/FALSE)，应为" + _allowed_values(field))
    if isinstance(raw, str) and not raw.strip():
        return Parsed(None)
    if field.type in (FieldType.INTEGER, FieldType.DECIMAL):
        return _parse_number(field, raw)
    if field.type is FieldType.DATE:
        return _parse_date(field, raw)
    if field.type is FieldType.CHOICE:
        return _parse_choice(field, raw)
    return _parse_text(field, raw)


# -------------------------------------------------------------------- checking


def _date_bound(bound: float | str | None) -> dt.date | None:
    return dt.date.fromisoformat(bound) if isinstance(bound, str) else None


def _number_bound(bound: float | str | None) -> float | None:
    return None if bound is None or isinstance(bound, str) else bound


def check_value(field: Field, value: object) -> str | None:
    """What is wrong with a value for ``field`` (Chinese), or None when it is acceptable.

    ``value`` is normally a parsed value; anything else is parsed first, so a raw or
    wrongly typed value is reported rather than crashing.
    """
    parsed = parse_value(field, value)
    if parsed.problem is not None:
        return parsed.problem
    value = parsed.value
    if value is None:
        return REQUIRED_MESSAGE if field.required else None

    def expected() -> str:  # built only when there is something to say
        return "应为" + _allowed_values(field)

    if isinstance(value, int | float):
        low, high = _number_bound(field.min), _number_bound(field.max)
        if (low is not None and value < low) or (high is not None and value > high):
            return expected()
    elif isinstance(value, dt.date):
        first, last = _date_bound(field.min), _date_bound(field.max)
        if (first is not None and value < first) or (last is not None and value > last):
            return expected()
    elif field.format == "credit_code":
        return credit_code_problem(value)
    elif field.format == "phone":
        return phone_problem(value)
    return None
