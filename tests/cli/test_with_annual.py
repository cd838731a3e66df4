"""``template`` / ``export --with-annual``: a fourth quarter's workbook with the year's sheets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import load_workbook

from jlip_desk.cli import EXIT_OK, EXIT_REFUSED

if TYPE_CHECKING:
    from tests.cli.conftest import Cli

FIGURES = {"C3": 30.5, "D3": 280, "E3": 900, "F3": 15000, "G3": 12000.5, "H3": 12}


def test_a_county_fills_one_workbook_for_the_quarter_and_the_year(cli: Cli, tmp_path: Path) -> None:
    cli("init", "--org", "220104")
    result = cli("template", "--period", "2025Q4", "--with-annual", "-o", str(tmp_path))
    assert result.code == EXIT_OK, result.err
    path = tmp_path / "220104_朝阳区_2025Q4_含年报_模板.xlsx"
    assert f"已导出:{path}" in result.out
    wb = load_workbook(path)
    ws = wb["年度指标"]
    for cell, value in FIGURES.items():
        ws[cell] = value
    wb.save(path)
    result = cli("import", str(path))
    assert result.code == EXIT_OK, result.out + result.err
    assert "2025年第4季度:已作为第 1 版导入" in result.out
    assert "2025年度:已作为第 1 版导入" in result.out
    # Both periods are handed in now: exporting again only writes the file.
    out = tmp_path / "out"
    out.mkdir()
    result = cli("export", "--period", "2025Q4", "--with-annual", "-o", str(out))
    assert result.code == EXIT_OK, result.err
    assert [p.name for p in out.glob("*.xlsx")] == ["220104_朝阳区_2025Q4_含年报.xlsx"]
    assert "已导出:" in result.out and "报送" not in result.out


def test_own_export_with_the_year_hands_in_both(cli: Cli, tmp_path: Path) -> None:
    cli("init", "--org", "220104")
    cli("template", "--period", "2025", "-o", str(tmp_path))
    path = tmp_path / "220104_朝阳区_2025_模板.xlsx"
    wb = load_workbook(path)
    for cell, value in FIGURES.items():
        wb["年度指标"][cell] = value
    wb.save(path)
    assert cli("import", str(path)).code == EXIT_OK
    assert cli("unlock", "--period", "2025", "--reason", "补充").code == EXIT_OK
    result = cli("export", "--period", "2025Q4", "--with-annual", "-o", str(tmp_path))
    assert result.code == EXIT_OK, result.err
    assert "2025年第4季度及2025年度已报送并锁定" in result.out
    status = cli("status", "--period", "2025")
    assert "已报送" in status.out, status.out


def test_only_a_fourth_quarter_takes_the_year(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "template", "--org", "220104", "--period", "2025Q3", "--with-annual", "-o", str(tmp_path)
    )
    assert result.code == EXIT_REFUSED
    assert "只有第4季度的工作簿可以同时包含年报" in result.err
    assert not list(tmp_path.glob("*.xlsx"))
