"""plan new: a starting file for the next plan, with the old forms and none of its numbers."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from jlip_desk.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from jlip_desk.errors import PlanError
from jlip_desk.plan.loader import load_plan, parse_plan
from jlip_desk.plan.model import Plan
from jlip_desk.plan.schema import PLACEHOLDER

if TYPE_CHECKING:
    from tests.cli.conftest import Cli

_FILL = re.compile(rf'^(\s*)(\w+) = "{PLACEHOLDER}"$')
_TEXT_KEYS = {"name", "short_name", "target_text"}


def _fill(text: str) -> str:
    """Replace every placeholder line with a made-up value of the right type."""
    out = []
    for n, line in enumerate(text.splitlines()):
        match = _FILL.match(line)
        if match is None:
            out.append(line)
        elif match[2] in _TEXT_KEYS:
            out.append(f'{match[1]}{match[2]} = "测试{n}"')
        else:
            out.append(f"{match[1]}{match[2]} = {n}.5")
    return "\n".join(out) + "\n"


@pytest.fixture
def starter(cli: Cli, tmp_path: Path) -> Path:
    out = tmp_path / "jilin-ip-15.toml"
    result = cli("plan", "new", "--from", "jilin-ip-14", "--years", "2026-2030", "-o", str(out))
    assert result.code == EXIT_OK, result.err
    assert str(out) in result.out and PLACEHOLDER in result.out
    return out


def test_the_starting_file_parses_as_toml_and_keeps_no_old_numbers(
    starter: Path, plan14: Plan
) -> None:
    text = starter.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["plan"]["id"] == "jilin-ip-15"
    assert (data["plan"]["start_year"], data["plan"]["end_year"]) == (2026, 2030)
    assert data["plan"]["name"] == PLACEHOLDER
    for entry in data["indicators"]:
        assert entry["baseline"] == PLACEHOLDER
        assert PLACEHOLDER in (entry.get("target"), entry.get("target_text"))
        assert entry.get("growth_rate", PLACEHOLDER) == PLACEHOLDER
        assert (entry["baseline_year"], entry["target_year"]) == (2025, 2030)
    for entry in data["targets"]:
        assert (entry["target"], entry["target_year"]) == (PLACEHOLDER, 2030)
    # None of the 14th plan's targets, baselines or growth rates: no such key has a number.
    numbered = re.compile(r"^\s*(baseline|target|growth_rate)\s*=\s*[-+0-9.]", re.M)
    assert not numbered.search(text)
    assert all(i.target_text is None or i.target_text not in text for i in plan14.indicators)
    assert plan14.name not in text


def test_unfilled_it_is_refused_naming_every_place_with_its_line(cli: Cli, starter: Path) -> None:
    lines = starter.read_text(encoding="utf-8").splitlines()
    holes = [i + 1 for i, line in enumerate(lines) if _FILL.match(line)]
    assert len(holes) > 10
    with pytest.raises(PlanError) as caught:
        load_plan(starter)
    message = str(caught.value)
    assert starter.name in message and f"{len(holes)} 处" in message
    for line in holes:
        assert f"第 {line} 行" in message
    assert "indicators[0].baseline" in message and "targets[0].target" in message
    result = cli("plan", "load", str(starter))
    assert result.code == EXIT_REFUSED
    assert f"第 {holes[0]} 行,键 plan.name" in result.err


def test_filled_in_it_loads_with_the_new_years_and_the_old_forms(
    cli: Cli, starter: Path, plan14: Plan
) -> None:
    filled = starter.with_name("filled.toml")
    filled.write_text(_fill(starter.read_text(encoding="utf-8")), encoding="utf-8")
    plan = load_plan(filled)
    assert plan.id == "jilin-ip-15"
    assert (plan.baseline_year, plan.start_year, plan.end_year) == (2025, 2026, 2030)
    assert list(plan.years()) == [2026, 2027, 2028, 2029, 2030]

    def shape(p: Plan) -> list[tuple[str, list[str]]]:
        return [(f.id, [fld.id for fld in f.fields]) for f in p.forms]

    assert shape(plan) == shape(plan14)
    assert [(r.id, [f.id for f in r.fields]) for r in plan.registries] == [
        (r.id, [f.id for f in r.fields]) for r in plan14.registries
    ]
    assert plan.forms == plan14.forms and plan.registries == plan14.registries
    assert [i.id for i in plan.indicators] == [i.id for i in plan14.indicators]
    assert all(i.target_year == 2030 for i in plan.indicators)
    result = cli("plan", "load", str(filled))
    assert result.code == EXIT_OK, result.err
    assert "jilin-ip-15" in result.out


def test_it_starts_from_a_loaded_plan_too(cli: Cli, tmp_path: Path, plan15: Plan) -> None:
    from tests.conftest import TEST_PLAN_FILE

    assert cli("plan", "load", str(TEST_PLAN_FILE)).code == EXIT_OK
    out = tmp_path / "next.toml"
    result = cli(
        "plan",
        "new",
        "--from",
        plan15.id,
        "--years",
        "2031-2035",
        "--id",
        "next-plan",
        "-o",
        str(out),
    )
    assert result.code == EXIT_OK, result.err
    plan = parse_plan(_fill(out.read_text(encoding="utf-8")), "next.toml")
    assert (plan.id, plan.start_year, plan.end_year) == ("next-plan", 2031, 2035)
    assert plan.forms == plan15.forms


@pytest.mark.parametrize(
    ("years", "expect"),
    [
        ("2030-2026", "起始年晚于结束年"),
        ("abc", "应写成“起始年-结束年”"),
        ("2026", "起始年-结束年"),
    ],
)
def test_bad_years_are_a_usage_error_in_chinese(
    cli: Cli, tmp_path: Path, years: str, expect: str
) -> None:
    out = tmp_path / "x.toml"
    result = cli("plan", "new", "--from", "jilin-ip-14", "--years", years, "-o", str(out))
    assert result.code == EXIT_USAGE
    assert expect in result.err and f"“{years}”" in result.err
    assert not out.exists()


def test_unknown_plan_is_refused_naming_the_known_ones(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "x.toml"
    result = cli("plan", "new", "--from", "jilin-ip-99", "--years", "2026-2030", "-o", str(out))
    assert result.code == EXIT_REFUSED
    assert "找不到计划“jilin-ip-99”" in result.err and "jilin-ip-14" in result.err
    assert not out.exists()


def test_an_existing_file_is_kept_unless_forced(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "mine.toml"
    out.write_text("# 我的文件\n", encoding="utf-8")
    args = ["plan", "new", "--from", "jilin-ip-14", "--years", "2026-2030", "-o", str(out)]
    result = cli(*args)
    assert result.code == EXIT_REFUSED
    assert "文件已存在" in result.err and "--force" in result.err
    assert out.read_text(encoding="utf-8") == "# 我的文件\n"
    assert cli(*args, "--force").code == EXIT_OK
    assert "jilin-ip-15" in out.read_text(encoding="utf-8")


def test_a_bad_or_same_id_is_refused(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "x.toml"
    base = ["plan", "new", "--from", "jilin-ip-14", "--years", "2026-2030", "-o", str(out)]
    result = cli(*base, "--id", "Bad Id")
    assert result.code == EXIT_REFUSED and "计划标识“Bad Id”不可用" in result.err
    result = cli(*base, "--id", "jilin-ip-14")
    assert result.code == EXIT_REFUSED and "不能与起点计划相同" in result.err
    assert not out.exists()
