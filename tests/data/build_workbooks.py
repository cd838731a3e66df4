"""Build the corpus of human and program mistakes (issue 4, item 4) as reviewable workbooks.

Run ``uv run --offline python tests/data/build_workbooks.py`` to regenerate
``tests/data/workbooks/tolerate_*.xlsx`` (must import) and ``mistake_*.xlsx`` (must be
refused, with the listed cells in the report). Tests rebuild the corpus into a
temporary folder and hold each file to its expectation in ``CASES``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from jlip_desk.periods import Period  # noqa: E402
from jlip_desk.services.excel import export_submission  # noqa: E402
from jlip_desk.services.installation import prepare  # noqa: E402
from jlip_desk.store.cells import CellKey, write_values  # noqa: E402
from jlip_desk.store.database import Store  # noqa: E402
from jlip_desk.store.orgs import get_org  # noqa: E402
from jlip_desk.store.records import create_record  # noqa: E402
from jlip_desk.validation.formats import make_credit_code  # noqa: E402

OUT = Path(__file__).resolve().parent / "workbooks"
ORG = "220102"
QUARTER = Period(2024, 4)
YEAR = Period(2024)
ACTIVITY = "服务活动"
STATIONS = "维权援助工作站"
ANNUAL = "年度指标"


@dataclass(frozen=True)
class Expect:
    outcome: str  # "applied" | "refused"
    cells: tuple[str, ...] = ()  # "sheet!A1" that the report must name
    note: str = ""


CASES: dict[str, Expect] = {
    "tolerate_numbers_as_text": Expect("applied", note="text, full-width, 1，234, spaces"),
    "tolerate_dates_text_and_serial": Expect("applied", note="2024-3-5, 2024年3月5日, serial"),
    "tolerate_date1904": Expect("applied", note="workbookPr date1904=1"),
    "tolerate_formula_cached": Expect("applied", note="formula with cached value"),
    "tolerate_empty_rows_and_sorted": Expect("applied", note="blank rows, reversed order"),
    "tolerate_sheet_renamed": Expect("applied", note="服务活动 renamed to Sheet3"),
    "tolerate_meta_sheet_dropped": Expect("applied", note="only document properties left"),
    "tolerate_new_station_row": Expect("applied", note="new row without code"),
    "mistake_formula_uncached": Expect("refused", (f"{ACTIVITY}!D3",)),
    "mistake_bad_values": Expect(
        "refused",
        (f"{ACTIVITY}!D3", f"{ACTIVITY}!E4", f"{ACTIVITY}!H5", f"{STATIONS}!D3", f"{STATIONS}!J4"),
    ),
    "mistake_other_county_row": Expect("refused", (f"{STATIONS}!A4",)),
    "mistake_unknown_code": Expect("refused", (f"{ACTIVITY}!A5",)),
    "mistake_sheet_missing": Expect("refused", ()),
    "mistake_annual_other_org": Expect("refused", (f"{ANNUAL}!A3",)),
    "mistake_unknown_plan_version": Expect("refused", ()),
    "mistake_new_station_no_activity": Expect("refused", (), note="no activity row for it"),
}


def source_store() -> Store:
    """A small county store with fixed, valid values (no randomness)."""
    store = Store.memory()
    plan = prepare(store)
    with store.atomic():
        change = store.new_change("system", note="corpus")
        stations = plan.registry("workstations")
        points = plan.registry("service_points")
        for i, day in enumerate((dt.date(2021, 5, 10), dt.date(2022, 8, 1)), start=1):
            values = {
                "name": f"南关区第{i}知识产权维权援助工作站",
                "host_org": f"南关区第{i}服务中心",
                "host_credit_code": make_credit_code(f"9122010200000000{i}"),
                "host_type": "服务机构",
                "established_on": day.isoformat(),
                "status": "运行",
                "contact": "王伟",
                "phone": "0431-88886666",
            }
            create_record(store, plan.id, stations, ORG, values, change)
        create_record(
            store, plan.id, points, ORG,
            {"name": "南关区图书馆信息服务网点", "level": "省级", "host_org": "南关区图书馆",
             "host_credit_code": make_credit_code("12220102000000003"), "host_type": "公共图书馆",
             "tisc": "否", "established_on": "2023-03-15", "status": "运行", "contact": "李娜",
             "phone": "13912345678"},
            change,
        )  # fmt: skip
        figures = [(30, 4, 3, 2, 1, 10), (12, 2, 2, 1, 1, 1000), (8, 0, 0, 0, 0, 10)]
        codes = ["220102-WS-001", "220102-WS-002", "220102-SP-001"]
        for code, (cons, acc, clo, med, ok, served) in zip(codes, figures, strict=True):
            write_values(
                store, CellKey(plan.id, "activity", ORG, str(QUARTER), code),
                {"consultations": cons, "cases_accepted": acc, "cases_closed": clo,
                 "mediations": med, "mediations_successful": ok, "trainings": 1,
                 "enterprises_served": served, "reports_delivered": 1, "foreign_cases": 0},
                change,
            )  # fmt: skip
        write_values(
            store, CellKey(plan.id, "county_annual", ORG, str(YEAR), ""),
            {"population": 50.5, "high_value_patents": 120, "valid_invention_patents": 400,
             "valid_trademarks": 9000, "pledge_amount": 1234.5, "pledge_count": 3},
            change,
        )  # fmt: skip
    return store


def _edit(src: Path, dst: Path, fn: Callable[[Any], None]) -> None:
    wb = load_workbook(src)
    fn(wb)
    wb.save(dst)


def _patch(path: Path, sheet_index: int, fn: Callable[[str], str], workbook: bool = False) -> None:
    """Rewrite one XML part of an openpyxl-saved file (sheets are sheet1.xml, sheet2.xml...)."""
    part = "xl/workbook.xml" if workbook else f"xl/worksheets/sheet{sheet_index}.xml"
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = fn(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    tmp.replace(path)


def _set_formula(xml: str, ref: str, formula: str, cached: str | None) -> str:
    pattern = re.compile(rf'<c r="{ref}"([^>]*?)(?:/>|>.*?</c>)')
    value = f"<v>{cached}</v>" if cached is not None else ""
    attrs_fn = lambda m: re.sub(r'\s*t="[^"]*"', "", m.group(1))  # noqa: E731
    return pattern.sub(lambda m: f'<c r="{ref}"{attrs_fn(m)}><f>{formula}</f>{value}</c>', xml, 1)


def build(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    store = source_store()
    org = get_org(store, ORG)
    with tempfile.TemporaryDirectory() as tmp:
        q = export_submission(store, org.code, QUARTER, Path(tmp) / "q.xlsx").path
        y = export_submission(store, org.code, YEAR, Path(tmp) / "y.xlsx").path
        files = {name: folder / f"{name}.xlsx" for name in CASES}
        act_index = 1 + load_workbook(q, read_only=True).sheetnames.index(ACTIVITY)

        def numbers_as_text(wb: Any) -> None:
            ws = wb[ACTIVITY]
            ws["D3"], ws["E3"], ws["J3"] = "30", "４", " 10 "
            ws["D4"], ws["J4"] = "１２", "1，000"  # full-width digits, a Chinese comma

        _edit(q, files["tolerate_numbers_as_text"], numbers_as_text)

        def dates(wb: Any) -> None:
            ws = wb[STATIONS]
            ws["F3"], ws["F4"] = "2021-5-10", "2022年8月1日"
            ws["F3"].number_format = ws["F4"].number_format = "General"
            ws3 = wb["信息服务网点"]
            ws3["H3"] = 45000  # 2023-03-15 as a bare serial number
            ws3["H3"].number_format = "General"

        _edit(q, files["tolerate_dates_text_and_serial"], dates)

        def date1904(wb: Any) -> None:
            wb.epoch = CALENDAR_MAC_1904

        _edit(q, files["tolerate_date1904"], date1904)

        shutil.copy(q, files["tolerate_formula_cached"])
        _edit(q, files["tolerate_formula_cached"], lambda wb: None)
        _patch(files["tolerate_formula_cached"], act_index,
               lambda x: _set_formula(x, "D3", "20+10", "30"))  # fmt: skip

        def empty_rows_sorted(wb: Any) -> None:
            ws = wb[ACTIVITY]
            rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=5)]
            for r in range(3, 9):
                for c in range(1, 14):
                    ws.cell(r, c).value = None
            for target, row in zip((3, 6, 8), reversed(rows), strict=True):
                for c, value in enumerate(row, start=1):
                    ws.cell(target, c).value = value

        _edit(q, files["tolerate_empty_rows_and_sorted"], empty_rows_sorted)

        def renamed(wb: Any) -> None:
            wb[ACTIVITY].title = "Sheet3"

        _edit(q, files["tolerate_sheet_renamed"], renamed)

        def drop_meta(wb: Any) -> None:
            del wb["_meta"]

        _edit(q, files["tolerate_meta_sheet_dropped"], drop_meta)

        def new_station(wb: Any) -> None:
            ws = wb[STATIONS]
            ws.append([None, "南关区新设工作站", "南关区新服务中心",
                       make_credit_code("91220102000000009"), "众创空间",
                       dt.date(2024, 6, 1), "运行", None, "张强", "13812345678"])  # fmt: skip
            ws.move_range(f"A{ws.max_row}:L{ws.max_row}", rows=5 - ws.max_row)

        def new_row(wb: Any) -> None:
            new_station(wb)
            # Its figures of the quarter: a row without a code, named as in the registry.
            act = wb[ACTIVITY]
            last = act.max_row
            figures = [act.cell(last, c).value for c in range(4, act.max_column + 1)]
            act.append([None, STATIONS, "南关区新设工作站", *figures])

        _edit(q, files["tolerate_new_station_row"], new_row)
        _edit(q, files["mistake_new_station_no_activity"], new_station)

        _edit(q, files["mistake_formula_uncached"], lambda wb: None)
        _patch(files["mistake_formula_uncached"], act_index,
               lambda x: _set_formula(x, "D3", "20+10", None))  # fmt: skip

        def bad_values(wb: Any) -> None:
            ws = wb[ACTIVITY]
            ws["D3"] = "abc"  # not a number
            ws["E4"] = -1  # below the minimum
            ws["G5"], ws["H5"] = 1, 2  # more successful mediations than mediations
            st = wb[STATIONS]
            st["D3"] = "91220102000000001X"  # wrong check character
            st["J4"] = "12345"  # not a phone number

        _edit(q, files["mistake_bad_values"], bad_values)

        def other_county(wb: Any) -> None:
            wb[STATIONS]["A4"] = "220103-WS-001"

        _edit(q, files["mistake_other_county_row"], other_county)

        def unknown_code(wb: Any) -> None:
            wb[ACTIVITY]["A5"] = "220102-SP-009"

        _edit(q, files["mistake_unknown_code"], unknown_code)

        def sheet_missing(wb: Any) -> None:
            del wb[ACTIVITY]

        _edit(q, files["mistake_sheet_missing"], sheet_missing)

        def annual_other_org(wb: Any) -> None:
            wb[ANNUAL]["A3"] = "220103"

        _edit(y, files["mistake_annual_other_org"], annual_other_org)

        def unknown_plan(wb: Any) -> None:
            ws = wb["_meta"]
            for row in ws.iter_rows():
                if row[0].value == "plan_version":
                    row[1].value = "9.9"
            for prop in wb.custom_doc_props.props:
                if prop.name == "jlip_plan_version":
                    prop.value = "9.9"

        _edit(q, files["mistake_unknown_plan_version"], unknown_plan)
    store.close()
    return files


if __name__ == "__main__":
    for name, path in build(OUT).items():
        print(f"{CASES[name].outcome:8} {path.relative_to(ROOT)}")
