"""A cell given twice in a sheet, or rows out of order, is refused while vetting:
readers disagree on its value (python-calamine and openpyxl keep the last, a
streaming reader the first, Excel repairs the file), so the import could store a
figure other than the one the user sees. Found by tests/excel/test_fuzz_submissions.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jlip_desk.errors import InputError
from jlip_desk.excel import _extent
from jlip_desk.excel.safety import vet_workbook
from jlip_desk.periods import Period
from jlip_desk.services.excel import export_submission
from jlip_desk.services.importing import ImportOptions, import_file
from jlip_desk.store.database import Store


def _load_builders() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "data" / "build_hostile.py"
    spec = importlib.util.spec_from_file_location("build_hostile", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_hostile = _load_builders()


def write_sheet(tmp_path: Path, body: bytes) -> Path:
    parts = build_hostile.minimal_parts()
    parts[build_hostile.SHEET] = build_hostile.SHEET_HEAD + body + build_hostile.SHEET_TAIL
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(build_hostile.zip_parts(parts))
    return path


DISORDERED = {
    b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>': "第 1 行",
    b'<row r="3"><c r="C3"><v>1</v></c><c r="C3"><v>2</v></c></row>': "单元格 C3",
    b'<row r="3"><c r="D3"><v>1</v></c><c r="B3"><v>2</v></c></row>': "单元格 B3",
    b'<row r="5"><c r="A5"><v>1</v></c></row><row r="4"><c r="A4"><v>2</v></c></row>': "第 4 行",
    b'<row r="5"><c r="A5"><v>1</v></c></row><row r="6"><c r="A2"><v>2</v></c></row>': "单元格 A2",
}


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096])
@pytest.mark.parametrize(("body", "named"), list(DISORDERED.items()))
def test_a_place_given_twice_or_out_of_order_is_refused(
    body: bytes, named: str, chunk: int
) -> None:
    extent = _extent.Extent("县级报表", "file")
    with pytest.raises(InputError) as info:
        for start in range(0, len(body), chunk):
            extent.feed(body[start : start + chunk])
        extent.finish()
    assert "工作表“县级报表”" in info.value.message and named in info.value.message
    assert "重复出现或排列顺序错乱" in info.value.message


def test_in_order_and_without_references_is_accepted(tmp_path: Path) -> None:
    body = (
        b'<row r="1"><c r="A1"><v>1</v></c><c r="C1"><v>2</v></c></row>'
        b"<row><c><v>3</v></c><c/></row>"
        b'<row r="9"><c r="B9"><v>4</v></c></row>'
    )
    vet_workbook(write_sheet(tmp_path, body))


def test_a_figure_given_twice_in_a_submission_is_refused(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    path = export_submission(demo_store, "220302", Period(2025), tmp_path / "export").path
    # A second C3 (the population) after the sheet's rows: Excel shows one, calamine the other.
    data = build_hostile.rewrite_parts(
        path.read_bytes(),
        lambda name, xml: (
            build_hostile.with_far_cell(xml, "C3") if name == "xl/worksheets/sheet4.xml" else xml
        ),
    )
    changed = tmp_path / "twice.xlsx"
    changed.write_bytes(data)
    before = target.content_hash()
    result = import_file(target, changed, ImportOptions(markup=False))
    assert result.outcome == "refused"
    assert "工作表“年度指标”中第 3 行重复出现或排列顺序错乱" in result.text()
    assert target.content_hash() == before
