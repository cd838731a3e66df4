"""Checks for formatted text values: unified social credit codes and phone numbers."""

from __future__ import annotations

import re

__all__ = [
    "CREDIT_CODE_CHARSET",
    "CREDIT_CODE_LENGTH",
    "credit_code_check_char",
    "credit_code_problem",
    "make_credit_code",
    "phone_problem",
]

# GB 32100-2015: 31 characters, digits then capitals without I, O, Z, S, V
# (they are too easily confused with 1, 0, 2, 5, U when written by hand).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_LENGTH = 18
# Weight of position i is 3**i mod 31.
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {char: index for index, char in enumerate(CREDIT_CODE_CHARSET)}


def credit_code_check_char(first17: str) -> str:
    """The check character (18th) for the first 17 characters of a credit code.

    Raises ValueError when ``first17`` is not 17 characters of the code's charset.
    """
    if len(first17) != CREDIT_CODE_LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    total = 0
    for char, weight in zip(first17, _WEIGHTS, strict=True):
        if char not in _VALUE:
            raise ValueError(f"character {char!r} is not allowed in a credit code")
        total += _VALUE[char] * weight
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def make_credit_code(first17: str) -> str:
    """A valid 18-character credit code: ``first17`` plus its check character."""
    return first17 + credit_code_check_char(first17)


def credit_code_problem(text: str) -> str | None:
    """What is wrong with a unified social credit code (Chinese), or None when valid.

    The text is checked as given: callers normalise case and width first
    (:func:`jlip_desk.validation.values.parse_value` does).
    """
    if len(text) != CREDIT_CODE_LENGTH:
        return f"统一社会信用代码应为18位，当前为{len(text)}位"
    for position, char in enumerate(text, start=1):
        if char in _VALUE:
            continue
        if char.isascii() and char.islower():
            return f"统一社会信用代码第{position}位字符“{char}”不合法，字母应大写"
        if char in "IOZSV":
            return f"统一社会信用代码第{position}位字符“{char}”不合法(代码不使用字母I、O、Z、S、V)"
        return f"统一社会信用代码第{position}位字符“{char}”不合法，只能是数字或大写字母"
    if text[17] != credit_code_check_char(text[:17]):
        # Never name the expected character: it invites changing the last one to fit
        # instead of finding the mistyped one (the code is checked as a whole).
        return "统一社会信用代码无效(校验位不符)，请对照营业执照或登记证书核对整个代码"
    return None


# Mobile: 1[3-9] then 9 digits. Landline: area code (0 + 2-3 digits), optional "-",
# a 7-8 digit local number that never starts with 0 or 1, optional "-extension".
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?[2-9]\d{6,7}(?:-\d{1,6})?")


def phone_problem(text: str) -> str | None:
    """What is wrong with a phone number (Chinese), or None when valid.

    Accepts a mobile number (13912345678) or a landline with area code
    (0431-88886666, 043188886666, 0431-8888666-12).
    """
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("1") and len(digits) != 11:
        return f"手机号应为11位数字，当前为{len(digits)}位(固定电话请加区号，如0431-88886666)"
    return "电话号码格式不正确，应为11位手机号(如13912345678)或带区号的固定电话(如0431-88886666)"
