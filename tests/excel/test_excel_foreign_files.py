"""What a submission holds besides the template is named: a copied sheet that is
ignored, an OpenDocument spreadsheet that is refused for its format."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jlip_desk.errors import InputError
from jlip_desk.excel.safety import vet_workbook
from jlip_desk.periods import Period
from jlip_desk.services.excel import export_submission
from jlip_desk.services.importing import ImportOptions, import_file
from jlip_desk.store.database import Store

Q = Period(2025, 3)
ODS = "application/vnd.oasis.opendocument.spreadsheet"


def test_a_copied_sheet_is_named_as_ignored(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    path = export_submission(demo_store, "220102", Q, tmp_path / "export").path
    wb = load_workbook(path)
    copy = wb.copy_worksheet(wb["服务活动"])
    copy.title = "服务活动(2)"
    copy["D3"] = 4321  # the figures the user may have meant to hand in
    changed = tmp_path / "copied.xlsx"
    wb.save(changed)

    result = import_file(target, changed, ImportOptions(markup=False))
    assert result.outcome == "applied", result.text()
    notes = [i for i in result.issues if i.severity == "note"]
    assert [(i.sheet, i.message) for i in notes] == [
        ("服务活动(2)", "工作表“服务活动(2)”不是本表格的工作表,已忽略")
    ]
    assert "工作表“服务活动(2)”不是本表格的工作表,已忽略" in result.text()


def test_a_plain_submission_has_no_notes(demo_store: Store, target: Store, tmp_path: Path) -> None:
    path = export_submission(demo_store, "220102", Q, tmp_path).path
    result = import_file(target, path, ImportOptions(markup=False))
    assert result.outcome == "applied" and result.issues == []


def ods_bytes(mimetype: str = ODS) -> bytes:
    """An OpenDocument file as LibreOffice lays it out: ``mimetype`` first, stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            "<manifest:manifest"
            ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
        zf.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            "<office:document-content"
            ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
            ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
            '<office:body><office:spreadsheet><table:table table:name="服务活动">'
            "<table:table-row><table:table-cell><text:p>编码</text:p></table:table-cell>"
            "</table:table-row></table:table></office:spreadsheet></office:body>"
            "</office:document-content>",
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


def test_an_ods_file_is_refused_by_its_format(tmp_path: Path, target: Store) -> None:
    path = tmp_path / "服务活动.ods"
    path.write_bytes(ods_bytes())
    with pytest.raises(InputError) as info:
        vet_workbook(path)
    assert "OpenDocument 表格(.ods)" in info.value.message
    assert "Content_Types" not in info.value.message
    assert info.value.allowed and "另存为" in info.value.allowed and ".xlsx" in info.value.allowed

    before = target.content_hash()
    result = import_file(target, path, ImportOptions(markup=False))
    assert result.outcome == "refused"
    assert "这是 OpenDocument 表格(.ods)文件,本程序只接收 .xlsx" in result.text()
    assert target.content_hash() == before


def test_an_ods_renamed_to_xlsx_is_still_named(tmp_path: Path) -> None:
    path = tmp_path / "submission.xlsx"
    path.write_bytes(ods_bytes())
    with pytest.raises(InputError) as info:
        vet_workbook(path)
    assert "OpenDocument 表格(.ods)" in info.value.message


def test_other_opendocument_files_are_named_too(tmp_path: Path) -> None:
    path = tmp_path / "说明.odt"
    path.write_bytes(ods_bytes("application/vnd.oasis.opendocument.text"))
    with pytest.raises(InputError) as info:
        vet_workbook(path)
    assert "OpenDocument 文档" in info.value.message
