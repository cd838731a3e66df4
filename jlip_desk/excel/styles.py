"""Cell styles and data validation of exported workbooks (colours, locks, number formats)."""

from __future__ import annotations

import datetime as dt
import functools

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from jlip_desk.plan.model import Field, FieldType
from jlip_desk.validation.values import allowed_text

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow: type here
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")  # grey: filled by the program
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")  # light blue: column headers
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")  # light red: a problem (marked-up copy)
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)

# Text that a spreadsheet program could take for a formula when re-typed or exported
# to CSV: written as plain text with the quote prefix set.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_EXCEL_EPOCH = dt.date(1899, 12, 30)
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
        return "yyyy-mm-dd"
    return "@"


def _serial(day: dt.date) -> int:
    return (day - _EXCEL_EPOCH).days


def _bound(value: float | str | None, default: float) -> str:
    if value is None or isinstance(value, str):
        return repr(default) if isinstance(default, float) else str(default)
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def inline_list_fits(choices: tuple[str, ...]) -> bool:
    joined = ",".join(choices)
    return len(joined) + 2 <= _INLINE_LIST_LIMIT and not any("," in c or '"' in c for c in choices)


def validation_for(f: Field, list_ref: str | None = None) -> DataValidation | None:
    """Excel data validation guiding input for ``f``; the importer checks everything anyway."""
    kwargs: dict[str, object] = {}
    if f.type is FieldType.CHOICE and f.choices:
        formula = list_ref or '"' + ",".join(f.choices) + '"'
        kwargs = {"type": "list", "formula1": formula, "allow_blank": True}
    elif f.is_numeric:
        kwargs = {
            "type": "whole" if f.type is FieldType.INTEGER else "decimal",
            "operator": "between",
            "formula1": _bound(f.min, -_BIG),
            "formula2": _bound(f.max, _BIG),
        }
    elif f.type is FieldType.DATE:
        low = dt.date.fromisoformat(f.min) if isinstance(f.min, str) else dt.date(1950, 1, 1)
        high = dt.date.fromisoformat(f.max) if isinstance(f.max, str) else _LATEST_DATE
        kwargs = {
            "type": "date",
            "operator": "between",
            "formula1": str(_serial(low)),
            "formula2": str(_serial(high)),
        }
    elif f.max_length is not None:
        kwargs = {
            "type": "textLength",
            "operator": "lessThanOrEqual",
            "formula1": str(f.max_length),
        }
    else:
        return None
    dv = DataValidation(**kwargs)
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.showInputMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = "输入有误"
    dv.error = f"“{f.label}”应为{allowed_text(f)}"[:255]
    dv.promptTitle = f.label[:32]
    dv.prompt = allowed_text(f)[:255]
    return dv


@functools.lru_cache(maxsize=1024)
def validation_over(f: Field, list_ref: str | None, sqref: str) -> DataValidation | None:
    """:func:`validation_for` covering ``sqref``, built once per workbook layout.

    Only ever serialised, never changed: one object serves every workbook (and sheet)
    exported with the same plan field, list and range; building one costs more than
    writing it.
    """
    dv = validation_for(f, list_ref)
    if dv is not None:
        dv.add(sqref)
    return dv


def header_comment(f: Field | None, header: str) -> str:
    if f is None:
        return f"{header}:由程序填写,请勿修改。"
    text = f"{f.label}:{allowed_text(f)}。"
    if f.help:
        text += f"\n{f.help}"
    return text
