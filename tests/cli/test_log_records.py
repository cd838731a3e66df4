"""The log records every import, export, submission and restore (issue 10).

On main only start-up was logged: a clerk's "what happened to that file?" had no
answer in the log folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jlip_desk.cli import main
from jlip_desk.log import LOG_FILE


def _cli(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_imports_exports_submissions_and_restores_are_in_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    province, county = tmp_path / "province", tmp_path / "county"
    assert _cli(province, "init", "--org", "220000") == 0
    assert _cli(province, "demo") == 0
    sent = tmp_path / "sent.xlsx"
    assert _cli(province, "export", "--period", "2025Q3", "--org", "220102", "-o", str(sent)) == 0
    assert _cli(county, "init", "--org", "220102") == 0
    assert _cli(county, "import", str(sent)) == 0
    assert _cli(county, "unlock", "--period", "2025Q3", "--reason", "补充数据") == 0
    assert _cli(county, "submit", "--period", "2025Q3") == 0
    assert _cli(county, "backup") == 0
    assert _cli(county, "restore", "--latest") == 0
    capsys.readouterr()

    province_log = (province / "logs" / LOG_FILE).read_text(encoding="utf-8")
    assert f"exported submission of 220102 2025Q3 to {sent}" in province_log
    county_log = (county / "logs" / LOG_FILE).read_text(encoding="utf-8")
    assert f"import of {sent}: applied (220102 2025Q3, revision 1)" in county_log
    assert "period 2025Q3 submit of 220102: none -> submitted" in county_log
    assert "period 2025Q3 unlock of 220102: submitted -> draft (补充数据)" in county_log
    assert "period 2025Q3 submit of 220102: draft -> submitted" in county_log
    assert "restored" in county_log
