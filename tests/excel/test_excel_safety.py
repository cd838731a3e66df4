"""Tests for vetting untrusted workbooks before any parser touches them."""

from __future__ import annotations

import functools
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment

from jlip_desk.errors import InputError
from jlip_desk.excel import _zipscan, safety
from jlip_desk.excel.safety import load_workbook_safely, vet_workbook

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = DATA / "workbooks"
BUILD_SCRIPT = DATA / "build_hostile.py"

# Each hostile file, and the phrase the user must read in the refusal.
EXPECTED = {
    "hostile_renamed_xls.xlsx": "旧版 Excel 97-2003",
    "hostile_encrypted.xlsx": "设有打开密码",
    "hostile_csv.xlsx": "文本文件",
    "hostile_pdf.xlsx": "PDF 文件",
    "hostile_empty.xlsx": "空文件",
    "hostile_html_table.xlsx": "网页(HTML)",
    "hostile_truncated.xlsx": "已损坏或不完整",
    "hostile_corrupt_crc.xlsx": "已损坏或不完整",
    "hostile_encrypted_entry.xlsx": "被加密",
    "hostile_not_spreadsheet.xlsx": "Word 文档",
    "hostile_macro.xlsx": "含有宏",
    "hostile_macro.xlsm": "含有宏",
    "hostile_macro_type_only.xlsx": "含有宏",
    "hostile_external_link.xlsx": "外部链接",
    "hostile_external_target.xlsx": "外部链接",
    "hostile_billion_laughs.xlsx": "实体(ENTITY)",
    "hostile_xxe.xlsx": "实体(ENTITY)",
    "hostile_xxe_utf16.xlsx": "不支持的文字编码",
    "hostile_zip_bomb.xlsx": "数据量过大",
    "hostile_zip_bomb_lying.xlsx": "实际大小超过",
    "hostile_too_many_cells.xlsx": "单元格过多",
    "hostile_path_traversal.xlsx": "不安全的文件路径",
    "hostile_duplicate_name.xlsx": "重名",
    "hostile_far_corner.xlsx": "延伸到单元格 XFD1048576",
    "hostile_far_row.xlsx": "延伸到单元格 B300000",
}


def make_valid(path: Path) -> Path:
    """A small county report as a user would save it: text, numbers, a link, a note."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "县级报表"
    ws.append(["单位", "专利授权量", "说明"])
    for row in range(1, 41):
        ws.append([f"长春市第{row}县", row * 3, "见附件"])
    ws["C2"].hyperlink = "https://www.cnipa.gov.cn/"
    ws["B2"].comment = Comment("已核对", "省知识产权局")
    wb.create_sheet("汇总")["A1"] = "=SUM(县级报表!B2:B41)"
    wb.save(path)
    return path


@functools.cache
def valid_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return make_valid(Path(folder) / "valid.xlsx").read_bytes()


def refusal(path: Path, **limits: int) -> InputError:
    with pytest.raises(InputError) as info:
        vet_workbook(path, **limits)
    return info.value


def test_valid_workbook_passes_and_loads(tmp_path: Path) -> None:
    path = make_valid(tmp_path / "长春市.xlsx")
    vet_workbook(path)
    wb = load_workbook_safely(path)
    assert wb.sheetnames == ["县级报表", "汇总"]
    assert wb["县级报表"]["A2"].value == "长春市第1县"


def test_openpyxl_parses_through_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


def test_every_corpus_file_has_an_expectation() -> None:
    assert {p.name for p in CORPUS.glob("hostile_*")} == set(EXPECTED)


@pytest.mark.parametrize(("name", "phrase"), sorted(EXPECTED.items()))
def test_hostile_file_is_refused_with_its_cause(name: str, phrase: str) -> None:
    path = CORPUS / name
    error = refusal(path)
    assert phrase in error.message
    assert error.where == str(path)
    assert error.allowed
    # The refusal holds for the wrapper that the rest of the app calls too.
    with pytest.raises(InputError):
        load_workbook_safely(path)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_files_are_small(name: str) -> None:
    assert (CORPUS / name).stat().st_size < 200 * 1024


def test_too_many_cells_message_has_count_and_limit() -> None:
    error = refusal(CORPUS / "hostile_too_many_cells.xlsx")
    assert "600,000" in error.message
    assert "500,000" in error.message
    # A raised limit lets the same file through: the count is right, not a guess.
    vet_workbook(CORPUS / "hostile_too_many_cells.xlsx", max_cells=600_000)
    assert "600,000" in refusal(CORPUS / "hostile_too_many_cells.xlsx", max_cells=599_999).message


def test_cell_limit_is_exact(tmp_path: Path) -> None:
    path = make_valid(tmp_path / "report.xlsx")  # 41 rows x 3 cells + 1 formula = 124
    vet_workbook(path, max_cells=124)
    assert "约 124 个" in refusal(path, max_cells=123).message


def scan_one(tmp_path: Path, data: bytes) -> int:
    """Cells counted in a one-entry archive holding ``data``."""
    path = tmp_path / "one.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sheet.xml", data)
    with zipfile.ZipFile(path) as zf:
        budget = _zipscan.Budget(len(data))
        _, cells = _zipscan.scan_entry(
            zf, zf.infolist()[0], budget, "one.zip", xml=True, count_cells=True
        )
    return cells


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64, 4096])
def test_cells_and_doctype_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # Tiny chunks put a boundary inside every "<c " and "<x:c>" at some point.
    monkeypatch.setattr(_zipscan, "CHUNK", chunk)
    plain = b"<row>" + b'<c r="A1"><v>1</v></c><c/><c>2</c><col/><cfRule/>' * 40 + b"</row>"
    assert scan_one(tmp_path, sheet(plain)) == 120
    prefixed = b"<x:row>" + b"<x:c><x:v>1</x:v></x:c><x14:cfRule/>" * 40 + b"</x:row>"
    assert scan_one(tmp_path, sheet(prefixed)) == 40
    with pytest.raises(InputError, match="实体"):
        # No XML declaration here: the encoding check reads it from a full-size first chunk.
        scan_one(tmp_path, b"<!DOCTYPE x []>" + sheet(plain))


def test_prefixed_cells_are_counted(tmp_path: Path) -> None:
    body = b"<x:row>" + b"<x:c><x:v>1</x:v></x:c>" * 50 + b"</x:row>"
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<x:sheetData>" + body + b"</x:sheetData></x:worksheet>"
    )
    path = tmp_path / "prefixed.xlsx"
    replace_part(make_valid(tmp_path / "base.xlsx"), path, "xl/worksheets/sheet1.xml", xml)
    assert "约 51 个" in refusal(path, max_cells=50).message


def test_external_hyperlinks_are_allowed(tmp_path: Path) -> None:
    path = make_valid(tmp_path / "links.xlsx")
    with zipfile.ZipFile(path) as zf:
        rels = zf.read("xl/worksheets/_rels/sheet1.xml.rels")
    assert b'TargetMode="External"' in rels and b"/hyperlink" in rels
    vet_workbook(path)


def test_too_many_entries(tmp_path: Path) -> None:
    path = tmp_path / "entries.xlsx"
    with zipfile.ZipFile(io.BytesIO(valid_bytes())) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        for index in range(_zipscan.MAX_ENTRIES):
            out.writestr(f"customXml/item{index}.xml", b"")
    assert "条目过多" in refusal(path).message


def test_defusedxml_refuses_what_the_byte_scan_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    # The second lock: with the byte scan switched off, defusedxml still refuses.
    monkeypatch.setattr(_zipscan, "_check_xml_bytes", lambda *args, **kwargs: None)
    for name in ("hostile_billion_laughs.xlsx", "hostile_xxe.xlsx", "hostile_xxe_utf16.xlsx"):
        error = refusal(CORPUS / name)
        assert "实体(ENTITY)" in error.message, name
        assert type(error.__cause__).__module__.startswith("defusedxml")


def count_decompressed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A spy on ZipExtFile.read: the bytes every read handed out, summed."""
    total = [0]
    original = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int | None = -1) -> bytes:
        data = original(self, n)
        total[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return total


def test_honest_zip_bomb_is_refused_before_decompressing(monkeypatch: pytest.MonkeyPatch) -> None:
    total = count_decompressed(monkeypatch)
    refusal(CORPUS / "hostile_zip_bomb.xlsx")
    assert total[0] == 0


def test_lying_zip_bomb_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    total = count_decompressed(monkeypatch)
    refusal(CORPUS / "hostile_zip_bomb_lying.xlsx")
    assert 0 < total[0] <= safety.DEFAULT_MAX_UNCOMPRESSED + _zipscan.CHUNK


def test_streaming_stops_at_the_limit_whatever_the_headers_say(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Take away the checks on declared sizes: the running total alone must stop it.
    monkeypatch.setattr(_zipscan, "check_entries", lambda *args: None)
    total = count_decompressed(monkeypatch)
    limit = 5 * 2**20
    error = refusal(CORPUS / "hostile_zip_bomb.xlsx", max_uncompressed=limit)
    assert "数据量过大" in error.message
    assert limit < total[0] <= limit + _zipscan.CHUNK


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(1, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_damaged_workbooks_only_raise_input_error(
    flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(valid_bytes())
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.xlsx"
        path.write_bytes(bytes(data))
        try:
            vet_workbook(path)
        except InputError as error:
            assert error.message and error.where == str(path)


def test_corpus_is_reproducible(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(tmp_path)], check=True, capture_output=True
    )
    built = {p.name: p.read_bytes() for p in tmp_path.glob("hostile_*")}
    committed = {p.name: p.read_bytes() for p in CORPUS.glob("hostile_*")}
    assert built.keys() == committed.keys()
    changed = [name for name in built if built[name] != committed[name]]
    assert not changed, f"run tests/data/build_hostile.py and commit: {changed}"


def sheet(body: bytes) -> bytes:
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + body + b"</sheetData></worksheet>"
    )


def replace_part(source: Path, target: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, data if info.filename == name else src.read(info))
