"""The plan is data: the bundled 14th plan loads, bad files are refused precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from jlip_desk import paths
from jlip_desk.errors import PlanError
from jlip_desk.plan.loader import load_plan, parse_plan
from jlip_desk.plan.model import Aggregation, FieldType, Frequency, Plan, SubjectKind

PLAN_TEXT = paths.default_plan_file().read_text(encoding="utf-8")


def test_fourteenth_plan_has_the_targets_of_the_document(plan14: Plan) -> None:
    targets = {t.id: t.target for t in plan14.targets}
    assert targets["workstations"] == 60
    assert targets["service_points"] == 30
    assert targets["protection_centres"] == 3
    assert targets["operation_centres"] == 5
    indicators = {i.id: i for i in plan14.indicators}
    patents = indicators["high_value_patents_per_10k"]
    assert (patents.baseline, patents.target, patents.growth_rate) == (2.26, 3.64, 0.10)
    assert patents.aggregation == Aggregation.RATIO
    assert indicators["valid_trademarks"].target == 45.0
    assert indicators["ip_pledge_amount"].baseline == 24.3
    assert indicators["protection_satisfaction"].aggregation == Aggregation.PROVINCE
    special = plan14.form("special_projects")
    assert special.subject == SubjectKind.ITEMS and len(special.items) == 11
    activity = plan14.form("activity")
    assert activity.frequency == Frequency.QUARTER
    assert activity.field("mediations_successful").type == FieldType.INTEGER
    assert any("mediations_successful <= mediations" in r.expr for r in activity.rules)


def test_planned_value_follows_compound_growth(plan14: Plan) -> None:
    patents = next(i for i in plan14.indicators if i.id == "high_value_patents_per_10k")
    assert patents.planned_value(2020) == pytest.approx(2.26)
    assert patents.planned_value(2025) == pytest.approx(2.26 * 1.1**5)
    assert patents.planned_value(2019) is None


def test_second_plan_is_different_and_loads(plan15: Plan, plan14: Plan) -> None:
    assert plan15.id != plan14.id
    assert len(plan15.forms) == 5
    # The workstations registry carries over (same id); service points do not.
    assert {r.id for r in plan15.registries} & {r.id for r in plan14.registries} == {"workstations"}
    assert {i.id for i in plan15.indicators}.isdisjoint({i.id for i in plan14.indicators})


def _broken(old: str, new: str, count: int = 1) -> str:
    assert old in PLAN_TEXT
    return PLAN_TEXT.replace(old, new, count)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        (
            _broken('type = "integer"', 'type = "integr"'),
            ["不支持的取值“integr”", "forms[0].fields[0].type"],
        ),
        (_broken('id = "activity"', 'id = "Activity"'), ["只能由小写字母"]),
        (_broken("min = 0\n", "min = 0\n  minn = 3\n"), ["未知的键“minn”"]),
        (
            _broken(
                'numerator = "county_annual.high_value_patents"', 'numerator = "county_annual.nope"'
            ),
            ["county_annual.nope", "不存在"],
        ),
        (
            _broken(
                'expr = "mediations_successful <= mediations"',
                'expr = "mediations_successful <= mediationz"',
            ),
            ["mediationz"],
        ),
        (
            _broken(
                'expr = "mediations_successful <= mediations"',
                'expr = "mediations_successful <= (mediations"',
            ),
            ["语法错误"],
        ),
        (
            _broken('[plan]\nid = "jilin-ip-14"', '[plan]\nid = "jilin-ip-14"\nid = "x"'),
            ["不是有效的 TOML", "第"],
        ),
        (_broken('choices = ["国家级", "省级"]', "choices = []"), ["必须列出可选值"]),
        (
            _broken('counted_statuses = ["运行", "暂停"]', 'counted_statuses = ["运行", "关闭"]'),
            ["关闭"],
        ),
        (_broken('id = "consultations"', 'id = "cases_accepted"'), ["重复"]),
    ],
)
def test_bad_plan_is_refused_naming_file_key_and_line(text: str, expect: list[str]) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "broken.toml")
    message = str(caught.value)
    assert "broken.toml" in message
    for part in expect:
        assert part in message


def test_error_names_the_right_line() -> None:
    text = _broken(
        'label = "接待咨询"\n  type = "integer"', 'label = "接待咨询"\n  type = "integr"'
    )
    line = text.splitlines().index('  type = "integr"') + 1
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "x.toml")
    assert f"第 {line} 行" in str(caught.value)


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="找不到"):
        load_plan(tmp_path / "none.toml")
    bad = tmp_path / "gbk.toml"
    bad.write_bytes("名称".encode("gbk"))
    with pytest.raises(PlanError, match="UTF-8"):
        load_plan(bad)
