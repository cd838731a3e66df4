"""``submit``, ``unlock``, ``accept``, ``return`` and ``status``: the reporting workflow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from jlip_desk.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from jlip_desk.services.installation import open_store
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.plans import active_plan
from jlip_desk.store.records import create_record

if TYPE_CHECKING:
    from tests.cli.conftest import Cli

Q4 = ("--period", "2025Q4")


def _station(county: str, established: str, closed: str | None = None) -> None:
    """A workstation of ``county`` (closed on ``closed`` when given)."""
    values = {"name": f"{county}工作站", "established_on": established, "status": "运行"}
    if closed:
        values |= {"status": "撤销", "status_changed_on": closed}
    store = open_store()
    with store.atomic():
        change = store.new_change("typed")
        plan = active_plan(store)
        create_record(store, plan.id, plan.registry("workstations"), county, values, change)
    store.close()


def test_a_county_submits_and_unlocks_its_own_period(cli: Cli) -> None:
    cli("init", "--org", "220102")
    result = cli("submit", *Q4)
    assert (result.code, result.out) == (EXIT_OK, "已报送:南关区 2025年第4季度(已锁定)。\n")
    result = cli("submit", "--org", "220102", *Q4)
    assert result.code == EXIT_REFUSED and "已报送,无需再次报送" in result.err
    result = cli("unlock", *Q4, "--reason", "  ")
    assert result.code == EXIT_REFUSED and "解锁必须填写原因" in result.err
    result = cli("unlock", *Q4, "--reason", "补报数据")
    assert result.code == EXIT_OK
    assert result.out == "已解锁:南关区 2025年第4季度(可以修改;原因:补报数据)。\n"
    result = cli("unlock", *Q4, "--reason", "再次")
    assert result.code == EXIT_REFUSED
    assert "当前为“草稿”,不能解锁" in result.err


def test_submitting_with_errors_is_refused_with_the_problems(cli: Cli) -> None:
    cli("init", "--org", "220102")
    store = open_store()
    with store.atomic():
        change = store.new_change("typed")
        key = CellKey(active_plan(store).id, "county_annual", "220102", "2025", "")
        values = {"population": 50.0, "high_value_patents": 90, "valid_invention_patents": 10}
        write_values(store, key, values, change)
    store.close()
    result = cli("submit", "--period", "2025")
    assert result.code == EXIT_REFUSED and result.out == ""
    assert result.err.startswith("错误:报送: 本期还有未解决的问题,不能报送")
    assert "高价值发明专利拥有量不能大于" in result.err


def test_a_county_cannot_review_and_the_province_can(cli: Cli) -> None:
    cli("init", "--org", "220102")
    cli("submit", *Q4)
    result = cli("accept", "--org", "220102", *Q4)
    assert result.code == EXIT_REFUSED and "只有上级单位可以接收报送" in result.err
    cli("init", "--org", "220000")
    result = cli("return", "--org", "220102", *Q4, "--reason", "数据不全")
    assert result.code == EXIT_OK
    assert result.out == "已退回:南关区 2025年第4季度(原因:数据不全)。\n"
    result = cli("accept", "--org", "220102", *Q4)
    assert result.code == EXIT_REFUSED and "当前为“已退回”,不能接收" in result.err
    cli("submit", "--org", "220102", *Q4)
    result = cli("accept", "--org", "220102", *Q4)
    assert (result.code, result.out) == (EXIT_OK, "已接收:南关区 2025年第4季度。\n")


def test_workflow_commands_check_the_org_and_need_one(cli: Cli) -> None:
    cli("init", "--org", "220000")
    result = cli("accept", "--org", "999999", *Q4)
    assert result.code == EXIT_REFUSED and "“999999”不存在" in result.err
    result = cli("submit", *Q4)  # a province installation has no default
    assert result.code == EXIT_REFUSED and "缺少单位代码" in result.err
    assert cli("return", "--org", "220102", *Q4).code == EXIT_USAGE  # no --reason


def test_status_of_a_prefecture_groups_states_and_counts_them(cli: Cli) -> None:
    cli("init", "--org", "220102")
    cli("submit", *Q4)
    cli("unlock", *Q4, "--reason", "补报")
    cli("init", "--org", "220104")
    cli("submit", *Q4)
    cli("init", "--org", "220105")
    cli("submit", *Q4)
    cli("init", "--org", "220000")
    cli("return", "--org", "220105", *Q4, "--reason", "数据不全")
    cli("init", "--org", "220202")
    cli("submit", *Q4)
    cli("init", "--org", "220000")
    cli("accept", "--org", "220202", *Q4)
    # 宽城区 had a station in the quarter; 南关区…吉林's units above have a state. The
    # station of 绿园区 opened after the quarter and that of 双阳区 closed before it:
    # they owe nothing, like every other county without a station.
    _station("220103", "2024-05-01")
    _station("220106", "2026-03-01")
    _station("220112", "2021-01-01", closed="2025-06-30")

    result = cli("status", *Q4, "--json")
    assert result.code == EXIT_OK
    data = json.loads(result.out)
    assert data["period"] == "2025Q4"
    assert data["scope"] == {"code": "220000", "name": "吉林省", "level": "province"}
    assert len(data["units"]) == data["expected"] == 5
    assert len(data["exempt"]) == 55 and {"220106", "220112"} <= set(data["exempt"])
    # 2025Q4 was due long before today: whoever owes it and has not handed it in is
    # overdue (a returned report is owed again).
    assert data["counts"] == {
        "none": 1,
        "draft": 1,
        "submitted": 1,
        "accepted": 1,
        "returned": 1,
        "overdue": 3,
    }
    assert data["handed_in"] == 2 and data["due"] > "2026-01-01"
    by_code = {o["code"]: o for o in data["units"]}
    assert by_code["220102"] == {
        "code": "220102",
        "name": "南关区",
        "level": "county",
        "prefecture": "220100",
        "status": "draft",
        "label": "草稿",
        "reason": "补报",
        "overdue": True,
        "errors": 0,
        "warnings": 0,
    }
    assert by_code["220103"]["status"] == "none" and by_code["220103"]["label"] == "未报送"
    assert by_code["220105"]["reason"] == "数据不全"

    result = cli("status", *Q4, "--org", "220100")
    assert result.code == EXIT_OK
    lines = result.out.splitlines()
    due = data["due"]
    assert lines[0] == f"长春市 2025年第4季度报送状态(应报 4 个单位,报送截止 {due})"
    assert lines[1] == "长春市:"
    assert "  220102 南关区  草稿(逾期) 解锁原因:「补报」" in lines
    assert "  220103 宽城区  未报送(逾期,错误 8 个)" in lines
    assert "  220104 朝阳区  已报送" in lines
    assert "  220105 二道区  已退回(逾期) 退回原因:「数据不全」" in lines
    assert not any(line.startswith("  220106") for line in lines)
    assert lines[-2].startswith("无需报送(本期没有在册的登记对象)的单位 7 个:")
    assert "绿园区" in lines[-2] and "双阳区" in lines[-2]
    assert lines[-1] == (
        "合计:已报送(含已接收)1 / 4 个单位(未报送 1、草稿 1、已报送 1、已退回 1;逾期 3;"
        "另有 7 个单位无需报送);错误 8 个(1 个单位)、警告 0 个"
    )


def test_status_defaults_to_the_bound_unit_and_groups_by_prefecture(cli: Cli) -> None:
    cli("init", "--org", "220104")
    data = json.loads(cli("status", *Q4, "--json").out)
    # No station yet: the county owes no quarter.
    assert data["scope"]["code"] == "220104" and data["units"] == []
    assert data["exempt"] == ["220104"]
    _station("220104", "2025-11-20")
    data = json.loads(cli("status", *Q4, "--json").out)
    assert [o["code"] for o in data["units"]] == ["220104"] and data["exempt"] == []
    cli("init", "--org", "220000")
    lines = cli("status", "--period", "2025").out.splitlines()
    assert lines[0].startswith("吉林省 2025年度报送状态(应报 60 个单位,报送截止 2026-")
    headers = [line for line in lines if line.endswith(":") and not line.startswith(" ")]
    assert headers[:2] == ["长春市:", "吉林市:"] and len(headers) == 9
    assert lines[-1] == (
        "合计:已报送(含已接收)0 / 60 个单位(未报送 60;逾期 60);错误 300 个(60 个单位)、警告 0 个"
    )


def test_import_overrules_only_on_the_explicit_option(cli: Cli, tmp_path: Path) -> None:
    """A code-less row matching an existing station: refused, then matched with the flag."""
    from openpyxl import load_workbook

    assert cli("demo").code == EXIT_OK
    cli("init", "--org", "220000")
    assert cli("return", "--org", "220105", *Q4, "--reason", "请核对").code == EXIT_OK
    out = tmp_path / "out"
    out.mkdir()
    assert cli("export", "--org", "220105", *Q4, "-o", str(out)).code == EXIT_OK
    path = next(out.glob("220105_*.xlsx"))
    wb = load_workbook(path)
    wb["维权援助工作站"]["A3"] = None
    wb.save(path)
    refused = cli("import", str(path))
    assert refused.code == EXIT_REFUSED and "不得重复登记" in refused.out
    matched = cli("import", str(path), "--match-existing")
    assert matched.code == EXIT_OK and "数据与本机已有数据一致" in matched.out
