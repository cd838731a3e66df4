"""Sheets that reach far (one cell at XFD1048576, a row at 300,000, a huge declared
dimension) are measured while vetting, before any reader allocates their area.

The end-to-end imports run in a child process with a 2 GB address-space limit and a
timeout: a regression aborts or stalls that child, never pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from jlip_desk.errors import InputError
from jlip_desk.excel import _extent, _zipscan
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

Q = Period(2025, 3)
MEMORY_LIMIT = 2 * 2**30
CHILD = f"""
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
from jlip_desk.services.importing import ImportOptions, import_file
from jlip_desk.services.installation import bind, prepare
from jlip_desk.store.database import Store
store = Store.memory()
prepare(store)
bind(store, "220000")
before = store.content_hash()
result = import_file(store, Path(sys.argv[1]), ImportOptions(markup=False))
print(json.dumps({{
    "outcome": result.outcome,
    "text": result.text(),
    "values": result.values_changed,
    "records": result.records_created,
    "unchanged": store.content_hash() == before,
}}))
"""


def import_in_child(path: Path, timeout: float = 120) -> dict[str, Any]:
    env = {**os.environ, "RUST_BACKTRACE": "0"}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            check=False, capture_output=True, text=True, timeout=timeout, env=env,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"importing {path.name} took longer than {timeout} s")
    assert proc.returncode == 0, (
        f"importing {path.name} crashed (exit {proc.returncode}): {proc.stderr[-1500:]}"
    )
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def patched(source: Path, target: Path, sheet: str | None, change: Any) -> Path:
    """``source`` with the XML of worksheet ``sheet`` (None: every worksheet) changed."""
    parts = sheet_parts(source)
    wanted = set(parts.values()) if sheet is None else {parts[sheet]}
    data = build_hostile.rewrite_parts(
        source.read_bytes(), lambda name, xml: change(xml) if name in wanted else xml
    )
    target.write_bytes(data)
    return target


def sheet_parts(path: Path) -> dict[str, str]:
    """Worksheet part by sheet name, for the workbooks the exporter writes."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {name: f"xl/worksheets/sheet{i}.xml" for i, name in enumerate(wb.sheetnames, 1)}
    finally:
        wb.close()


@pytest.fixture
def submission(demo_store: Store, tmp_path: Path) -> Path:
    return export_submission(demo_store, "220102", Q, tmp_path / "export").path


def test_far_corner_cell_is_refused_without_allocating(submission: Path, tmp_path: Path) -> None:
    path = patched(
        submission, tmp_path / "far.xlsx", "服务活动",
        lambda xml: build_hostile.with_far_cell(xml, "XFD1048576"),
    )  # fmt: skip
    assert path.stat().st_size < 40 * 1024
    result = import_in_child(path)
    assert result["outcome"] == "refused"
    assert "服务活动" in result["text"] and "XFD1048576" in result["text"]
    assert "100,000 行、200 列" in result["text"]
    assert result["unchanged"]


def test_row_300000_is_refused(submission: Path, tmp_path: Path) -> None:
    path = patched(
        submission, tmp_path / "deep.xlsx", "服务活动",
        lambda xml: build_hostile.with_far_cell(xml, "D300000", b"<v>5</v>"),
    )  # fmt: skip
    result = import_in_child(path)
    assert result["outcome"] == "refused"
    assert "D300000" in result["text"] and "第 300,000 行" in result["text"]
    assert result["unchanged"]


def test_huge_declared_dimension_does_not_matter(
    submission: Path, tmp_path: Path, target: Store
) -> None:
    # Every sheet declares the whole grid; a formula (with its cached value) makes the
    # reader look for uncalculated formulas too, which reads the sheets again.
    formula = b'<row r="40"><c r="A40"><f>1+1</f><v>2</v></c></row></sheetData>'

    path = patched(
        submission, tmp_path / "dimension.xlsx", None,
        lambda xml: build_hostile.with_dimension(xml, "A1:XFD1048576"),
    )  # fmt: skip
    path = patched(
        path, tmp_path / "dimension_formula.xlsx", "填报说明",
        lambda xml: xml.replace(b"</sheetData>", formula, 1),
    )  # fmt: skip
    with zipfile.ZipFile(path) as zf:
        assert b'<dimension ref="A1:XFD1048576"/>' in zf.read("xl/worksheets/sheet4.xml")
    result = import_in_child(path, timeout=60)
    assert result["outcome"] == "applied", result["text"]
    # The same data as the file without the stretched dimension.
    plain = import_file(target, submission, ImportOptions(markup=False))
    assert plain.outcome == "applied", plain.text()
    assert (result["values"], result["records"]) == (plain.values_changed, plain.records_created)
    assert result["values"] > 0


# --- vetting, in process: these files are refused before any reader runs ------------


def write_sheet(tmp_path: Path, body: bytes, name: str = "sheet.xlsx") -> Path:
    parts = build_hostile.minimal_parts()
    parts[build_hostile.SHEET] = build_hostile.SHEET_HEAD + body + build_hostile.SHEET_TAIL
    path = tmp_path / name
    path.write_bytes(build_hostile.zip_parts(parts))
    return path


def refusal(path: Path, **limits: int) -> InputError:
    with pytest.raises(InputError) as info:
        vet_workbook(path, **limits)
    return info.value


def test_far_column_is_refused_with_the_sheet_and_the_cell(tmp_path: Path) -> None:
    error = refusal(write_sheet(tmp_path, b'<row r="3"><c r="GS3"><v>1</v></c></row>'))
    assert "工作表“县级报表”" in error.message and "GS3" in error.message
    assert "第 201 列" in error.message
    assert error.allowed and "A1:GR100000" in error.allowed


def test_the_limits_are_exact(tmp_path: Path) -> None:
    corner = write_sheet(tmp_path, b'<row r="100000"><c r="GR100000"><v>1</v></c></row>')
    # 100,000 x 200 is more than the area limit, but not more than each single limit.
    vet_workbook(corner, max_extent=20_000_000)
    assert (
        "GR100001"
        in refusal(
            write_sheet(tmp_path, b'<row r="100001"><c r="GR100001"/></row>', "over.xlsx"),
            max_extent=20_000_000,
        ).message
    )


def test_empty_far_row_is_refused(tmp_path: Path) -> None:
    error = refusal(
        write_sheet(tmp_path, b'<row r="1"><c r="A1"><v>1</v></c></row><row r="200000"/>')
    )
    assert "第 200,000 行" in error.message


def test_cells_without_references_count_as_they_are_placed(tmp_path: Path) -> None:
    # No r attributes: each cell is in the next column, each row the next row.
    wide = b"<row>" + b"<c><v>1</v></c>" * 201 + b"</row>"
    assert "第 201 列" in refusal(write_sheet(tmp_path, wide)).message
    vet_workbook(write_sheet(tmp_path, b"<row>" + b"<c><v>1</v></c>" * 200 + b"</row>", "ok.xlsx"))


def test_the_sum_of_areas_is_limited(tmp_path: Path) -> None:
    # Within 100,000 rows and 200 columns, but 90,000 x 150 cells to allocate.
    path = write_sheet(tmp_path, b'<row r="90000"><c r="ET90000"><v>1</v></c></row>')
    error = refusal(path)
    assert "数据区域过大" in error.message and "ET90000" in error.message
    assert "13,500,000" in error.message and "2,000,000" in error.message
    vet_workbook(path, max_extent=13_500_000)


def test_a_lying_small_dimension_does_not_hide_a_far_cell(tmp_path: Path) -> None:
    parts = build_hostile.minimal_parts()
    sheet = build_hostile.with_dimension(parts[build_hostile.SHEET], "A1:B2")
    parts[build_hostile.SHEET] = build_hostile.with_far_cell(sheet, "A500000")
    path = tmp_path / "lying.xlsx"
    path.write_bytes(build_hostile.zip_parts(parts))
    assert "A500000" in refusal(path).message


def measure(data: bytes, chunk: int) -> tuple[int, int]:
    extent = _extent.Extent("表", "file")
    for start in range(0, len(data), chunk):
        extent.feed(data[start : start + chunk])
    extent.finish()
    return extent.rows, extent.columns


MEASURED = {
    b'<row r="1"><c r="A1"><v>1</v></c><c r="C1"/></row><row r="7"><c r="B7"/></row>': (7, 3),
    b'<row><c><v>1</v></c><c/><c/></row><row><c r="E2"/><c/></row>': (2, 6),
    b'<x:row r="3"><x:c r="D3"/></x:row>': (3, 4),
    b'<row r="1"><c foo="a>b" r="K1"/></row>': (1, 11),
    # Readers take the last of two r attributes; the larger one is counted.
    b'<row r="1"><c r="A1" r="Z9"/></row>': (9, 26),
    b"<row r = \"4\"><c\nr='b4'/></row>": (4, 2),
    b'<row r="2" spans="1:27"><c s="1" r="AA2" t="n"><v>1</v></c></row><!-- -->': (2, 27),
    b'<row r="5"><c r="A9"/><c/></row>': (9, 2),
}


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 13, 64, 4096])
@pytest.mark.parametrize(("data", "expected"), list(MEASURED.items()))
def test_extent_across_chunk_boundaries(data: bytes, expected: tuple[int, int], chunk: int) -> None:
    assert measure(data, chunk) == expected


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 4096])
@pytest.mark.parametrize(
    "data",
    [
        b'<row r="1"><c r="GS1"/></row>',
        b'<row r="100001"/>',
        b'<row r="5"><c r="A100001"/></row>',
        b'<row r="1"><c r="A99999999999999999999"/></row>',
        b'<row r="1"><c r="AAAAAAAA1"/></row>',
        b'<row r="1"><c r=XFD1/></row>',  # not XML: refused, not left unmeasured
        b'<row r="1"><c r="A1"',  # cut off inside the tag
    ],
)
def test_refused_whatever_the_chunk_boundaries(data: bytes, chunk: int) -> None:
    with pytest.raises(InputError):
        measure(data, chunk)


def test_chunked_scan_of_a_whole_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks, but holding the XML declaration whole (the encoding check needs it).
    monkeypatch.setattr(_zipscan, "CHUNK", 101)
    path = tmp_path / "far.xlsx"
    path.write_bytes(build_hostile.far_corner())
    assert "XFD1048576" in refusal(path).message
