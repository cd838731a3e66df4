"""A return travels back to the county inside the next workbook it receives (issue 8).

The province returns a county's period with a reason; the next submission or
template workbook the province makes for that county carries the reason; the
county's own installation, importing it, records the period as 已退回 with that
reason (its app shows it on the period), and does not hand it in again unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jlip_desk.cli import main

COUNTY = "220102"
PERIOD = "2025Q3"
REASON = "维权援助工作站受理案件数与结案数不符,请核实"


def _cli(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out + err


def _status(capsys: pytest.CaptureFixture[str], data_dir: Path) -> dict[str, object]:
    code, out = _cli(capsys, data_dir, "status", "--period", PERIOD, "--json")
    assert code == 0, out
    units = json.loads(out)["units"]
    unit: dict[str, object] = next(u for u in units if u["code"] == COUNTY)
    return unit


@pytest.fixture
def stores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    province, county = tmp_path / "province", tmp_path / "county"
    assert _cli(capsys, province, "init", "--org", "220000")[0] == 0
    assert _cli(capsys, province, "demo")[0] == 0
    assert _cli(capsys, county, "init", "--org", COUNTY)[0] == 0
    # The county's data as the province holds it: the county hands it in.
    sent = tmp_path / "sent.xlsx"
    args = ("export", "--period", PERIOD, "--org", COUNTY, "-o", str(sent))
    assert _cli(capsys, province, *args)[0] == 0
    code, out = _cli(capsys, county, "import", str(sent))
    assert code == 0, out
    assert _status(capsys, county)["status"] == "submitted"
    return province, county, tmp_path


@pytest.mark.parametrize("kind", ["export", "template"])
def test_the_reason_reaches_the_county_inside_the_next_workbook(
    stores: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    province, county, tmp_path = stores
    code, out = _cli(
        capsys, province, "return", "--org", COUNTY, "--period", PERIOD, "--reason", REASON
    )
    assert code == 0, out
    back = tmp_path / f"back-{kind}.xlsx"
    assert (
        _cli(capsys, province, kind, "--period", PERIOD, "--org", COUNTY, "-o", str(back))[0] == 0
    )

    from openpyxl import load_workbook

    sheet = load_workbook(back, read_only=True)["填报说明"]
    top = [tuple(str(v) for v in row if v) for row in sheet.iter_rows(max_row=4, values_only=True)]
    assert any("退回原因" in row and any(REASON in v for v in row) for row in top), top

    code, out = _cli(capsys, county, "import", str(back))
    assert "上级已退回" in out and REASON in out, out
    unit = _status(capsys, county)
    assert unit["status"] == "returned"
    assert unit["reason"] == REASON

    # Importing the same workbook again neither hands the period in nor loses the reason.
    _cli(capsys, county, "import", str(back))
    unit = _status(capsys, county)
    assert unit["status"] == "returned" and unit["reason"] == REASON


def test_the_province_importing_its_own_returned_copy_takes_no_return(
    stores: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the unit's own installation takes a return from a workbook."""
    province, _county, tmp_path = stores
    args = ("return", "--org", COUNTY, "--period", PERIOD, "--reason", REASON)
    assert _cli(capsys, province, *args)[0] == 0
    back = tmp_path / "back.xlsx"
    assert (
        _cli(capsys, province, "export", "--period", PERIOD, "--org", COUNTY, "-o", str(back))[0]
        == 0
    )
    other = tmp_path / "prefecture"
    assert _cli(capsys, other, "init", "--org", "220100")[0] == 0
    _cli(capsys, other, "import", str(back))
    _code, out = _cli(capsys, other, "status", "--period", PERIOD, "--json")
    unit = next(u for u in json.loads(out)["units"] if u["code"] == COUNTY)
    assert unit["status"] != "returned"  # the prefecture received a submission, no return


def test_a_new_county_installation_takes_the_return_and_the_values(
    stores: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A county on a new laptop: the province's workbook brings the values and the return."""
    province, _county, tmp_path = stores
    args = ("return", "--org", COUNTY, "--period", PERIOD, "--reason", REASON)
    assert _cli(capsys, province, *args)[0] == 0
    back = tmp_path / "back.xlsx"
    assert (
        _cli(capsys, province, "export", "--period", PERIOD, "--org", COUNTY, "-o", str(back))[0]
        == 0
    )
    fresh = tmp_path / "new-laptop"
    assert _cli(capsys, fresh, "init", "--org", COUNTY)[0] == 0
    code, out = _cli(capsys, fresh, "import", str(back))
    assert code == 0, out
    assert "【已导入】" in out and "仍为“已退回”" in out
    unit = _status(capsys, fresh)
    assert (unit["status"], unit["reason"]) == ("returned", REASON)

    # A blank template of the returned period is refused for its empty cells, and the
    # return it carries is still recorded.
    blank = tmp_path / "blank.xlsx"
    assert (
        _cli(capsys, province, "template", "--period", PERIOD, "--org", COUNTY, "-o", str(blank))[0]
        == 0
    )
    other = tmp_path / "another-laptop"
    assert _cli(capsys, other, "init", "--org", COUNTY)[0] == 0
    _cli(capsys, other, "import", str(blank))
    unit = _status(capsys, other)
    assert (unit["status"], unit["reason"]) == ("returned", REASON)


def test_the_countys_own_copy_of_a_returned_period_does_not_return_it_again(
    stores: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Found in a user test: the county exported its returned period (which hands it in),
    edited the file and imported it back, and the locked period was 已退回 again."""
    province, county, tmp_path = stores
    args = ("return", "--org", COUNTY, "--period", PERIOD, "--reason", REASON)
    assert _cli(capsys, province, *args)[0] == 0
    back = tmp_path / "back.xlsx"
    assert (
        _cli(capsys, province, "export", "--period", PERIOD, "--org", COUNTY, "-o", str(back))[0]
        == 0
    )
    assert _cli(capsys, county, "import", str(back))[0] == 0
    assert _status(capsys, county)["status"] == "returned"
    own = tmp_path / "own.xlsx"
    code, out = _cli(capsys, county, "export", "--period", PERIOD, "-o", str(own))
    assert code == 0, out
    assert _status(capsys, county)["status"] == "submitted"  # handed in again
    from openpyxl import load_workbook

    wb = load_workbook(own)
    meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
    assert not meta.get("returned_reason")
    ws = wb["服务活动"]
    ws["D3"] = 4321
    edited = tmp_path / "own-edited.xlsx"
    wb.save(edited)
    code, out = _cli(capsys, county, "import", str(edited))
    assert code != 0 and "上级已退回" not in out
    assert _status(capsys, county)["status"] == "submitted"
