"""The consolidated report workbook: the numbers of ``summary --json``, laid out for print."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from jlip_desk import paths
from jlip_desk.cli import main
from jlip_desk.periods import Period
from jlip_desk.services.installation import open_store
from jlip_desk.services.report_book import REPORT_SECTIONS, export_report_book
from jlip_desk.services.summary import INDICATOR_STATUS_LABELS, build_summary
from jlip_desk.store.database import Store


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A province installation with the demo data (made once for the module)."""
    folder = tmp_path_factory.mktemp("report-demo")
    assert main(["--data-dir", str(folder), "init", "--org", "220000"]) == 0
    assert main(["--data-dir", str(folder), "demo"]) == 0
    paths.set_data_dir(None)
    return folder


@pytest.fixture
def demo(demo_dir: Path) -> Iterator[Store]:
    paths.set_data_dir(demo_dir)
    store = open_store()
    yield store
    store.close()
    paths.set_data_dir(None)


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _table(ws: Any, first_header: str, nth: int = 0) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The header and the rows of the ``nth`` table whose header starts with ``first_header``."""
    rows = _rows(ws)
    start = [i for i, r in enumerate(rows) if r[0] == first_header][nth]
    header = [c for c in rows[start] if c is not None]
    body = []
    for r in rows[start + 1 :]:
        if r[0] is None:
            break
        body.append(r[: len(header)])
    return header, body


def test_workbook_holds_the_summarys_numbers(demo: Store, tmp_path: Path) -> None:
    period = Period(2025, 4)
    summary = build_summary(demo, period)
    path = export_report_book(demo, period, None, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(REPORT_SECTIONS)

    # 目标进度: every prefecture's count, every county's, and the province totals.
    header, body = _table(wb["目标进度"], "市(州)")
    targets = {t["id"]: t for t in summary["targets"]}
    ws_col = header.index("知识产权维权援助工作站(个)")
    sp_col = header.index("知识产权信息公共服务网点(个)")
    by_code = {r[2]: r for r in body}
    for key, col in (("workstations", ws_col), ("service_points", sp_col)):
        for prefecture in targets[key]["by_prefecture"]:
            assert by_code[prefecture["code"]][1] == "小计"
            assert by_code[prefecture["code"]][col] == prefecture["count"]
            for county in prefecture["counties"]:
                assert by_code[county["code"]][col] == county["count"]
        assert by_code["220000"][1] == "合计"
        assert by_code["220000"][col] == targets[key]["count"]
    assert len(body) == 9 + 60 + 1

    _, vs = _table(wb["目标进度"], "目标")
    for row, t in zip(vs, summary["targets"], strict=True):
        assert row[0] == t["name"]
        assert row[2] == t["count"]
        assert row[3] == t["target"]
    assert ("已达成" if targets["service_points"]["reached"] else "未达成") in [r[6] for r in vs]

    # 核心指标: actual, planned, target, status and coverage of each indicator.
    header, body = _table(wb["核心指标"], "指标")
    assert len(body) == len(summary["indicators"])
    for row, ind in zip(body, summary["indicators"], strict=True):
        values = dict(zip(header, row, strict=True))
        assert values["指标"] == ind["name"]
        assert values["实际值"] == ind["value"]
        assert values["计划进度值"] == ind["planned"]
        assert values["目标值"] == ind["target"]
        assert values["状态"] == INDICATOR_STATUS_LABELS[ind["status"]]
        if ind["aggregation"] != "province":
            assert values["覆盖范围"] == f"{ind['reporting_orgs']}/60 个县级单位"
    header, body = _table(wb["核心指标"], "市(州)")
    first = summary["indicators"][0]
    column = header.index(f"{first['name']}({first['unit']})")
    assert [r[column] for r in body[:-1]] == [p["value"] for p in first["by_prefecture"]]
    assert body[-1][column] == first["value"]

    # 服务活动: the prefectures add up to the summary's totals.
    header, body = _table(wb["服务活动"], "市(州)")
    assert body[-1][0] == "吉林省合计"
    activity = summary["activity"]["activity"]
    assert len(header) == 1 + len(activity)
    for col in range(1, len(header)):
        assert sum(r[col] for r in body[:-1]) == body[-1][col]
    assert sorted(body[-1][1:]) == sorted(activity.values())
    assert body[-1][1] == activity["consultations"]

    # 报送情况: units by state per prefecture, and the units not handed in.
    reporting = summary["reporting"]
    header, body = _table(wb["报送情况"], "市(州)")
    total = dict(zip(header, body[-1], strict=True))
    assert total["应报单位"] == reporting["expected"]
    assert total["已报单位"] == reporting["handed_in"]
    assert total["未报送"] == reporting["by_status"]["none"]
    assert total["已报送"] == reporting["by_status"]["submitted"]
    assert total["逾期"] == reporting["counts"]["overdue"]
    assert sum(r[1] for r in body[:-1]) == reporting["expected"]
    # The units that owe nothing this quarter are counted apart, never as 未报送.
    column = header.index("无需报送")
    assert total["无需报送"] == len(reporting["exempt"])
    assert sum(r[column] for r in body[:-1]) == total["无需报送"]
    assert sum(r[1] + r[column] for r in body[:-1]) == 60
    _, missing = _table(wb["报送情况"], "市(州)", 1)
    assert [r[1] for r in missing] == [m["code"] for m in reporting["missing"]]
    assert [r[2] for r in missing] == [m["name"] for m in reporting["missing"]]
    assert missing


def test_workbook_is_set_up_for_print(demo: Store, tmp_path: Path) -> None:
    path = export_report_book(demo, Period(2025, 4), None, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(path)
    for name in REPORT_SECTIONS:
        ws = wb[name]
        assert ws.freeze_panes == "A4"  # below the title, the info line and the header
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, not written
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$3"
        assert "&P" in ws.oddFooter.right.text
        assert "&N" in ws.oddFooter.right.text
        assert "演示数据" in str(ws["A2"].value)
    assert wb["目标进度"]["C4"].number_format == "@"
    assert wb["目标进度"]["D4"].number_format == "#,##0"
    rows = _rows(wb["目标进度"])
    start = next(i for i, r in enumerate(rows) if r[0] == "目标")
    assert wb["目标进度"].cell(start + 2, 6).number_format == "0.0%"


def test_prefecture_scope(demo: Store, tmp_path: Path) -> None:
    summary = build_summary(demo, Period(2025, 4), "220500")
    path = export_report_book(demo, Period(2025, 4), "220500", tmp_path / "tonghua.xlsx")
    wb = openpyxl.load_workbook(path)
    _, body = _table(wb["目标进度"], "市(州)")
    assert body[0][:3] == ("通化市", "小计", "220500")
    assert body[-1][:3] == ("通化市", "合计", "220500")
    _, body = _table(wb["报送情况"], "市(州)")
    assert [r[0] for r in body] == ["通化市", "通化市合计"]
    assert body[-1][1] == summary["reporting"]["expected"]
    header, body = _table(wb["核心指标"], "指标")
    coverage = header.index("覆盖范围")
    counties = len(summary["targets"][0]["by_prefecture"][0]["counties"])
    assert body[0][coverage].endswith(f"/{counties} 个县级单位")


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is missing")
def test_workbook_opens_in_libreoffice(demo: Store, tmp_path: Path) -> None:
    path = export_report_book(demo, Period(2025, 4), None, tmp_path / "report.xlsx")
    out = tmp_path / "out"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out / "report.pdf"
    assert pdf.stat().st_size > 1000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "知识产权维权援助工作站" in text
        assert "尚未报送的单位" in text


def test_units_that_owe_nothing_are_counted_apart(store: Store, tmp_path: Path) -> None:
    """Only 南关区 had a station in 2025Q4: the other 59 counties are 无需报送, not 未报送."""
    from jlip_desk.services.installation import bind, prepare
    from jlip_desk.store.records import create_record

    plan = prepare(store)
    bind(store, "220000")
    values = {"name": "甲站", "established_on": "2024-01-05", "status": "运行"}
    with store.atomic():
        create_record(store, plan.id, plan.registry("workstations"), "220102", values,
                      store.new_change("typed"))  # fmt: skip
    path = export_report_book(store, Period(2025, 4), None, tmp_path / "report.xlsx")
    header, body = _table(openpyxl.load_workbook(path)["报送情况"], "市(州)")
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert len(rows) == 10  # nine prefectures and the total
    total = rows["吉林省合计"]
    assert (total["应报单位"], total["未报送"], total["逾期"], total["无需报送"]) == (1, 1, 1, 59)
    assert (rows["长春市"]["应报单位"], rows["长春市"]["无需报送"]) == (1, 10)
    assert (rows["吉林市"]["应报单位"], rows["吉林市"]["无需报送"]) == (0, 9)
