"""Cell styles and data validation of exported workbooks (colours, locks, number formats)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from types import MappingProxyType

from openpyxl.styles import PatternFill

from jlip_desk.plan.model import Field, FieldType
from jlip_desk.validation.values import allowed_text

INPUT_COLOR = "#FFF2CC"  # light yellow: type here
LOCKED_COLOR = "#EDEDED"  # grey: filled by the program
HEADER_COLOR = "#DDEBF7"  # light blue: column headers
BORDER_COLOR = "#BFBFBF"
# Light red: a problem. The marked-up copy is the user's own workbook, changed by openpyxl.
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")

# XlsxWriter format properties (``Workbook.add_format``).
Properties = Mapping[str, object]
_BORDER: Properties = {"border": 1, "border_color": BORDER_COLOR}  # thin, all four sides
TITLE: Properties = MappingProxyType({"bold": True, "font_size": 14})
HEADER: Properties = MappingProxyType(
    {
        "bold": True,
        "bg_color": HEADER_COLOR,
        "text_wrap": True,
        "valign": "vcenter",
        "align": "center",
        "locked": True,
        **_BORDER,
    }
)
KEY: Properties = MappingProxyType({"bold": True})  # the instructions sheet's first column
# The instructions name the colours; their key cells show them.
KEY_COLORS: Mapping[str, str] = MappingProxyType(
    {"黄色": INPUT_COLOR, "灰色": LOCKED_COLOR, "蓝色": HEADER_COLOR}
)

# Text that a spreadsheet program could take for a formula when re-typed or exported
# to CSV: written as plain text with the quote prefix set.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_EARLIEST_DATE = dt.date(1950, 1, 1)
_LATEST_DATE = dt.date(2099, 12, 31)
_BIG = 999_999_999
_INLINE_LIST_LIMIT = 255


def number_format(f: Field | None) -> str:
    if f is None:
        return "@"
    if f.type is FieldType.INTEGER:
        return "0"
    if f.type is FieldType.DECIMAL:
        return "0." + "0" * f.decimals if f.decimals else "General"
    if f.type is FieldType.DATE:
        return DATE_FORMAT
    return "@"


DATE_FORMAT = "yyyy-mm-dd"


def data_cell(locked: bool, num_format: str, *, quoted: bool = False) -> dict[str, object]:
    """A data cell: grey and locked (filled by the program) or yellow and open for input.

    Dates are centred: right-aligned against the next column's left-aligned text they
    printed as one word ("2024-09-30张伟")."""
    return {
        **_BORDER,
        "num_format": num_format,
        "bg_color": LOCKED_COLOR if locked else INPUT_COLOR,
        "locked": locked,
        "quote_prefix": quoted,
        **({"align": "center"} if num_format == DATE_FORMAT else {}),
    }


def _bound(value: float | str | None, default: float) -> str:
    if value is None or isinstance(value, str):
        return repr(default) if isinstance(default, float) else str(default)
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def inline_list_fits(choices: tuple[str, ...]) -> bool:
    joined = ",".join(choices)
    return len(joined) + 2 <= _INLINE_LIST_LIMIT and not any("," in c or '"' in c for c in choices)


def clip(text: str, units: int) -> str:
    """``text`` cut to ``units`` UTF-16 code units: how Excel counts its limits."""
    if 2 * len(text) <= units:  # no character takes more than two units
        return text
    encoded = text.encode("utf-16-le")
    if len(encoded) <= 2 * units:
        return text
    return encoded[: 2 * units].decode("utf-16-le", errors="ignore")


@functools.lru_cache(maxsize=1024)
def validation_for(f: Field, list_ref: str | None = None) -> Mapping[str, object] | None:
    """Excel data validation guiding input for ``f`` (``Worksheet.data_validation`` options).

    The importer checks everything anyway. Built once per field and list, never changed.
    """
    options: dict[str, object]
    if f.type is FieldType.CHOICE and f.choices:
        options = {"validate": "list", "source": f"={list_ref}" if list_ref else list(f.choices)}
    elif f.is_numeric:
        options = {
            "validate": "integer" if f.type is FieldType.INTEGER else "decimal",
            "criteria": "between",
            "minimum": _bound(f.min, -_BIG),
            "maximum": _bound(f.max, _BIG),
        }
    elif f.type is FieldType.DATE:
        low = dt.date.fromisoformat(f.min) if isinstance(f.min, str) else _EARLIEST_DATE
        high = dt.date.fromisoformat(f.max) if isinstance(f.max, str) else _LATEST_DATE
        options = {"validate": "date", "criteria": "between", "minimum": low, "maximum": high}
    elif f.max_length is not None:
        options = {"validate": "length", "criteria": "<=", "value": str(f.max_length)}
    else:
        return None
    options.update(
        ignore_blank=True,
        show_error=True,
        show_input=True,
        error_type="stop",
        error_title="输入有误",
        error_message=clip(f"“{f.label}”应为{allowed_text(f)}", 255),
        input_title=clip(f.label, 32),
        input_message=clip(allowed_text(f), 255),
    )
    return MappingProxyType(options)


def header_comment(f: Field | None, header: str) -> str:
    if f is None:
        return f"{header}:由程序填写,请勿修改。"
    text = f"{f.label}:{allowed_text(f)}。"
    if f.help:
        text += f"\n{f.help}"
    return text
