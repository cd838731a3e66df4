"""Tests for whole-row checks: field problems, derived values, rules and outliers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jlip_desk.plan.model import Derived, Field, FieldType, Rule
from jlip_desk.plan.rules import PriorLookup, RuleSyntaxError
from jlip_desk.validation.formats import make_credit_code
from jlip_desk.validation.rows import (
    Problem,
    check_row,
    compute_derived,
    is_outlier,
    outlier_warning,
)


def count(field_id: str, required: bool = True) -> Field:
    return Field(
        field_id, field_id, FieldType.INTEGER, required=required, unit="件", min=0, max=10000
    )


# The activity form of the real plan, reduced to the fields its rules use.
ACTIVITY_FIELDS = [
    count("cases_accepted"),
    count("cases_closed"),
    count("mediations"),
    count("mediations_successful"),
    count("foreign_cases", required=False),
    Field("remarks", "情况说明", FieldType.TEXT, max_length=500),
]
ACTIVITY_DERIVED = [
    Derived("cases_open_before", "上期末未结案件", "prior(cases_accepted) - prior(cases_closed)"),
]
ACTIVITY_RULES = [
    Rule("mediations_successful <= mediations", "调解成功数不能大于调解纠纷数"),
    Rule(
        "cases_closed <= cases_accepted + cases_open_before",
        "办结案件数不能大于上期末未结案件数与本期受理案件数之和",
    ),
    Rule("foreign_cases <= cases_accepted", "涉外案件数不能大于受理案件数"),
]

# The workstation registry's lifecycle fields and rules.
STATION_FIELDS = [
    Field("name", "工作站名称", FieldType.TEXT, required=True, max_length=60),
    Field(
        "host_credit_code",
        "依托单位统一社会信用代码",
        FieldType.TEXT,
        required=True,
        format="credit_code",
    ),
    Field("established_on", "设立日期", FieldType.DATE, required=True, min="2000-01-01"),
    Field(
        "status", "状态", FieldType.CHOICE, required=True, choices=("筹建", "运行", "暂停", "撤销")
    ),
    Field("status_changed_on", "状态变更日期", FieldType.DATE),
    Field("phone", "联系电话", FieldType.TEXT, required=True, format="phone"),
]
STATION_RULES = [
    Rule("status_changed_on >= established_on", "状态变更日期不能早于设立日期"),
    Rule(
        "status_changed_on",
        "状态为“暂停”或“撤销”时必须填写状态变更日期",
        when="status in ['暂停', '撤销']",
    ),
]


def prior_of(totals: dict[str, float]) -> PriorLookup:
    return totals.get


def good_activity(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "cases_accepted": "5",
        "cases_closed": "4",
        "mediations": "3",
        "mediations_successful": "2",
        "foreign_cases": "1",
        "remarks": "",
    }
    row.update(changes)
    return row


def good_station(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "name": "长春新区知识产权维权援助工作站",
        "host_credit_code": make_credit_code("12220100MB1234567"),
        "established_on": "2021-06-01",
        "status": "运行",
        "status_changed_on": None,
        "phone": "0431-88886666",
    }
    row.update(changes)
    return row


def activity(
    row: dict[str, object], prior: PriorLookup | None = None
) -> tuple[dict[str, object], list[Problem]]:
    return check_row(ACTIVITY_FIELDS, ACTIVITY_RULES, ACTIVITY_DERIVED, row, prior)


# ------------------------------------------------------------------- basics


def test_a_good_row_has_no_problems_and_typed_values() -> None:
    values, problems = activity(good_activity(), prior_of({"cases_accepted": 0, "cases_closed": 0}))
    assert problems == []
    assert values == {
        "cases_accepted": 5,
        "cases_closed": 4,
        "mediations": 3,
        "mediations_successful": 2,
        "foreign_cases": 1,
        "remarks": None,
    }


def test_derived_values_are_not_returned_as_field_values() -> None:
    values, _ = activity(good_activity(), prior_of({"cases_accepted": 0, "cases_closed": 0}))
    assert "cases_open_before" not in values


def test_field_problems_keep_raw_text() -> None:
    values, problems = activity(good_activity(mediations="三", cases_accepted="20000"))
    assert values["mediations"] == "三"
    assert values["cases_accepted"] == 20000
    by_field = {p.field_id: p for p in problems}
    assert "不是有效的数字" in by_field["mediations"].message
    assert by_field["cases_accepted"].message == "应为0到10000之间的整数"
    assert all(p.severity == "error" and p.rule is None for p in by_field.values())


def test_missing_required_values() -> None:
    _, problems = activity({})
    required = {p.field_id for p in problems if p.message == "必填项不能为空"}
    assert required == {"cases_accepted", "cases_closed", "mediations", "mediations_successful"}
    # Every rule touches an empty value, so none can tell and none is reported.
    assert all(p.rule is None for p in problems)


# -------------------------------------------------------------------- rules


def test_broken_rule_is_reported_on_its_first_field() -> None:
    _, problems = activity(good_activity(mediations_successful="4"))
    assert problems == [
        Problem(
            "mediations_successful",
            "调解成功数不能大于调解纠纷数",
            "error",
            "mediations_successful <= mediations",
        )
    ]


def test_unparsable_value_makes_rule_unknown_not_broken() -> None:
    # "abc" is reported once, as a bad value; comparing it is not a second problem.
    _, problems = activity(good_activity(mediations="abc", mediations_successful="9"))
    assert [p.field_id for p in problems] == ["mediations"]


def test_value_below_its_minimum_is_reported_once() -> None:
    # -1 breaks the field's minimum; "successful <= mediations" must not add a second error.
    _, problems = activity(good_activity(mediations="-1", mediations_successful="2"))
    assert [(p.field_id, p.rule) for p in problems] == [("mediations", None)]


def test_optional_empty_value_does_not_break_rules() -> None:
    _, problems = activity(good_activity(foreign_cases=""))
    assert problems == []


def test_derived_value_from_prior_periods() -> None:
    # 10 accepted and 6 closed before: 4 still open, plus 5 accepted now.
    prior = prior_of({"cases_accepted": 10, "cases_closed": 6})
    _, problems = activity(good_activity(cases_closed="9"), prior)
    assert problems == []
    _, problems = activity(good_activity(cases_closed="10"), prior)
    assert [p.rule for p in problems] == ["cases_closed <= cases_accepted + cases_open_before"]
    assert problems[0].field_id == "cases_closed"


def test_without_prior_the_open_cases_rule_cannot_tell() -> None:
    _, problems = activity(good_activity(cases_closed="100"))
    assert problems == []


def test_compute_derived_chains_in_order() -> None:
    derived = [
        Derived("total", "合计", "a + b"),
        Derived("more", "再加", "total + prior(a)"),
    ]
    assert compute_derived(derived, {"a": 1, "b": 2}, lambda name: 10.0) == {
        "total": 3.0,
        "more": 13.0,
    }
    assert compute_derived(derived, {"a": 1, "b": None}) == {"total": None, "more": None}


# ------------------------------------------------------- registry lifecycle


def stations(row: dict[str, object]) -> list[Problem]:
    return check_row(STATION_FIELDS, STATION_RULES, [], row)[1]


def test_running_station_needs_no_status_date() -> None:
    assert stations(good_station()) == []


@pytest.mark.parametrize("status", ["暂停", "撤销"])
def test_suspended_or_closed_station_needs_a_status_date(status: str) -> None:
    problems = stations(good_station(status=status))
    assert problems == [
        Problem(
            "status_changed_on",
            "状态为“暂停”或“撤销”时必须填写状态变更日期",
            "error",
            "status_changed_on",
        )
    ]
    assert stations(good_station(status=status, status_changed_on="2023年5月1日")) == []


def test_status_date_before_establishment() -> None:
    problems = stations(good_station(status="撤销", status_changed_on=dt.date(2020, 1, 1)))
    assert [p.message for p in problems] == ["状态变更日期不能早于设立日期"]
    assert problems[0].field_id == "status_changed_on"


def test_invalid_status_skips_the_conditional_rule() -> None:
    problems = stations(good_station(status="关闭"))
    assert [p.field_id for p in problems] == ["status"]


def test_format_problems_in_a_row() -> None:
    problems = stations(good_station(host_credit_code="91350100M000100Y44", phone="8888"))
    assert {p.field_id for p in problems} == {"host_credit_code", "phone"}


def test_rule_attached_to_row_when_it_names_no_field() -> None:
    rules = [Rule("extra > 0", "合计应大于0")]
    derived = [Derived("extra", "合计", "a - 10")]
    _, problems = check_row([count("a")], rules, derived, {"a": 3})
    assert problems == [Problem(None, "合计应大于0", "error", "extra > 0")]


def test_malformed_rule_is_not_swallowed() -> None:
    with pytest.raises(RuleSyntaxError):
        check_row([count("a")], [Rule("a =< 3", "坏规则")], [], {"a": 1})


@given(
    st.dictionaries(
        st.sampled_from([f.id for f in ACTIVITY_FIELDS]),
        st.one_of(st.none(), st.text(max_size=6), st.integers(-5, 20000), st.floats()),
    )
)
def test_check_row_never_crashes(row: dict[str, object]) -> None:
    values, problems = activity(row, prior_of({"cases_accepted": 3, "cases_closed": 1}))
    assert set(values) == {f.id for f in ACTIVITY_FIELDS}
    assert all(p.severity == "error" for p in problems)


# ----------------------------------------------------------------- outliers


@pytest.mark.parametrize(
    ("value", "history", "expected"),
    [
        (200, [20, 25, 18, 30], True),  # ten times the usual
        (80, [20, 25, 18, 30], False),  # not above three times the highest
        (200, [20, 25, 18], False),  # too little history
        (12, [0, 0, 0, 0], True),
        (5, [0, 0, 0, 0], False),  # small counts swing; not flagged
        (9, [1, 2, 3, 3], False),
        (3001, [100, 900, 200, 1000], True),
        (3000, [100, 900, 200, 1000], False),  # exactly three times is still plausible
        (31, [10, 10, 10, 10], True),
        (0, [20, 25, 18, 30], False),  # only high values are suspicious
    ],
)
def test_is_outlier(value: float, history: list[float], expected: bool) -> None:
    assert is_outlier(value, history) is expected


def test_outlier_warning() -> None:
    field = count("consultations")
    warning = outlier_warning(field, 200, [20, 25, 18, 30])
    assert warning == Problem(
        "consultations", "200件明显高于以往(以往最高为30件)，请核实是否填写有误", "warning"
    )
    assert outlier_warning(field, 31, [20, 25, 18, 30]) is None
