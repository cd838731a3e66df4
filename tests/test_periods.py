"""Periods are parsed and validated in one place; a quarter belongs to its year."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jlip_desk.errors import InputError
from jlip_desk.periods import Period, current_quarter, parse_period, quarters_between


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2025Q4", Period(2025, 4)),
        ("2025q1", Period(2025, 1)),
        (" 2024Q2 ", Period(2024, 2)),
        ("2025年第4季度", Period(2025, 4)),
        ("2025年第三季度", Period(2025, 3)),
        ("2025", Period(2025)),
        ("2025年", Period(2025)),
        (2023, Period(2023)),
    ],
)
def test_parse(text: str, period: Period) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize("text", ["2025Q5", "2025Q0", "25Q1", "Q4", "", "1999", "2025-4", "abc"])
def test_refused_with_allowed_forms(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_period(text)
    assert "2025Q4" in str(caught.value) or "范围" in str(caught.value)


def test_quarter_belongs_to_its_year() -> None:
    q = parse_period("2025Q3")
    assert q.year_period == Period(2025)
    assert Period(2025).contains(q)
    assert not Period(2024).contains(q)
    assert q.start == dt.date(2025, 7, 1) and q.end == dt.date(2025, 9, 30)
    assert Period(2025).quarters()[-1] == Period(2025, 4)
    assert Period(2025, 4) < Period(2025) < Period(2026, 1)


@given(st.integers(2000, 2099), st.integers(1, 4))
def test_roundtrip_and_order(year: int, quarter: int) -> None:
    p = Period(year, quarter)
    assert parse_period(str(p)) == p
    assert p.previous() < p < p.next()
    assert p.next().previous() == p


def test_quarters_between_and_current() -> None:
    assert len(quarters_between(Period(2021), Period(2025))) == 20
    assert current_quarter(dt.date(2026, 11, 25)) == Period(2026, 3)
    assert current_quarter(dt.date(2026, 2, 1)) == Period(2025, 4)
