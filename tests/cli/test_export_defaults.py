"""``template`` and ``export`` in a county installation default ``--org`` to the county."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from jlip_desk.cli import EXIT_OK, EXIT_REFUSED

if TYPE_CHECKING:
    from tests.cli.conftest import Cli


@pytest.mark.parametrize("command", ["template", "export"])
def test_a_county_installation_exports_its_own_workbook(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    cli("init", "--org", "220104")
    result = cli(command, "--period", "2025Q4", "-o", str(tmp_path))
    assert result.code == EXIT_OK, result.err
    written = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert len(written) == 1 and written[0].startswith("220104_朝阳区_2025Q4")
    if command == "template":
        assert f"已导出:{tmp_path / written[0]}" in result.out
    else:  # one's own submission: it is handed in, and the clerk is told so
        assert f"已导出并报送:{tmp_path / written[0]}" in result.out
        assert "已报送并锁定" in result.out


@pytest.mark.parametrize("command", ["template", "export"])
@pytest.mark.parametrize("bound", [None, "220100", "220000"])
def test_other_installations_still_need_an_org(
    cli: Cli, tmp_path: Path, command: str, bound: str | None
) -> None:
    if bound:
        cli("init", "--org", bound)
    result = cli(command, "--period", "2025Q4", "-o", str(tmp_path))
    assert result.code == EXIT_REFUSED
    assert result.err_lines == [
        "错误:--org: 缺少单位代码(要求:如 --org 220102,或用 --all-counties)"
    ]
    assert not list(tmp_path.glob("*.xlsx"))


def test_an_explicit_org_wins_over_the_bound_county(cli: Cli, tmp_path: Path) -> None:
    cli("init", "--org", "220104")
    result = cli("template", "--org", "220102", "--period", "2025Q4", "-o", str(tmp_path))
    assert result.code == EXIT_OK
    assert [p.name[:6] for p in tmp_path.glob("*.xlsx")] == ["220102"]
