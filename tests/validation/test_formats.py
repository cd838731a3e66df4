"""Tests for unified social credit code and phone number checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jlip_desk.validation.formats import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    credit_code_problem,
    make_credit_code,
    phone_problem,
)

# Published example codes. The first is the example printed in many guides to
# GB 32100-2015; the second was checked by hand:
#   9*1 + 1*3 + 1*9 + 1*27 + 6*20 + 3*8 + 7*24 + 3*10 + 4*30 + 1*28 = 538,
#   538 mod 31 = 11, 31 - 11 = 20, charset[20] = "L".
VALID_CODES = ["91350100M000100Y43", "91110000600037341L"]

first17 = st.text(alphabet=CREDIT_CODE_CHARSET, min_size=17, max_size=17)


def test_charset_is_the_standard_one() -> None:
    assert len(CREDIT_CODE_CHARSET) == 31
    assert not set("IOZSV") & set(CREDIT_CODE_CHARSET)


@pytest.mark.parametrize("code", VALID_CODES)
def test_published_codes_are_valid(code: str) -> None:
    assert credit_code_problem(code) is None
    assert credit_code_check_char(code[:17]) == code[17]
    assert make_credit_code(code[:17]) == code


def test_hand_computed_check_character() -> None:
    # 9*1 + 1*3 + 3*9 + 5*27 + 1*26 + M(21)*20 + 1*8 + Y(30)*30 + 4*28 = 1640;
    # 1640 mod 31 = 28; 31 - 28 = 3.
    assert credit_code_check_char("91350100M000100Y4") == "3"
    # A remainder of 0 gives check value 0, not 31.
    assert credit_code_check_char("0" * 17) == "0"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("91350100M000100Y4", ["18位", "17位"]),
        ("91350100M000100Y433", ["18位", "19位"]),
        ("", ["18位", "0位"]),
        ("91350100I000100Y43", ["第9位", "“I”", "I、O、Z、S、V"]),
        ("91350100m000100Y43", ["第9位", "“m”", "大写"]),
        ("9135010-M000100Y43", ["第8位", "“-”"]),
        ("91350100M000100Y44", ["无效", "校验位", "营业执照", "整个代码"]),
    ],
)
def test_credit_code_problems_say_what_is_wrong(text: str, fragments: list[str]) -> None:
    problem = credit_code_problem(text)
    assert problem is not None
    for fragment in fragments:
        assert fragment in problem


def test_a_wrong_check_character_is_not_given_away() -> None:
    """Naming the expected character (“3”) invited changing the last one to fit (issue 10)."""
    problem = credit_code_problem("91350100M000100Y44")
    assert problem is not None
    assert "3" not in problem and "应为" not in problem


def test_check_char_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="17"):
        credit_code_check_char("123")
    with pytest.raises(ValueError, match="'I'"):
        credit_code_check_char("I" * 17)


@given(first17)
def test_every_made_code_is_valid(start: str) -> None:
    code = make_credit_code(start)
    assert len(code) == 18
    assert credit_code_problem(code) is None


@given(first17, st.integers(0, 17), st.sampled_from(CREDIT_CODE_CHARSET))
def test_changing_any_one_character_breaks_a_code(
    start: str, position: int, replacement: str
) -> None:
    code = make_credit_code(start)
    if code[position] == replacement:
        replacement = CREDIT_CODE_CHARSET[(CREDIT_CODE_CHARSET.index(replacement) + 1) % 31]
    broken = code[:position] + replacement + code[position + 1 :]
    # Weights are non-zero mod the prime 31, so one changed character always shows.
    assert credit_code_problem(broken) is not None


@given(st.text(max_size=30))
def test_credit_code_problem_never_raises(text: str) -> None:
    result = credit_code_problem(text)
    assert result is None or isinstance(result, str)


@pytest.mark.parametrize(
    "number",
    [
        "13912345678",
        "19800001111",
        "0431-88886666",
        "043188886666",
        "0431-8888666",
        "0431-8888666-12",
        "010-62345678",
        "01062345678",
        "0432-66665555-1234",
    ],
)
def test_valid_phone_numbers(number: str) -> None:
    assert phone_problem(number) is None


@pytest.mark.parametrize(
    "number",
    [
        "",
        "1391234567",  # 10 digits
        "139123456789",  # 12 digits
        "12912345678",  # no 12x mobile numbers
        "88886666",  # landline without area code
        "431-88886666",  # area code without the 0
        "0431-0888666",  # local numbers never start with 0
        "0431-888866",  # too short
        "0431-88886666-",
        "0431 88886666 转 12",
        "电话13912345678",
    ],
)
def test_invalid_phone_numbers(number: str) -> None:
    problem = phone_problem(number)
    assert problem is not None
    assert "手机" in problem


def test_short_mobile_number_message_counts_digits() -> None:
    problem = phone_problem("1391234567")
    assert problem is not None
    assert "11位" in problem
    assert "10位" in problem
