"""A batch survives a file the store cannot take: that file and the rest are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from jlip_desk.errors import StoreError
from jlip_desk.excel.report import FileResult
from jlip_desk.services import excel
from jlip_desk.store.database import Store


def test_a_full_disk_mid_batch_reports_which_files_were_done(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = [tmp_path / f"{n}.xlsx" for n in range(4)]
    seen: list[str] = []

    def import_file(store: Store, path: Path, options: object) -> FileResult:
        seen.append(path.name)
        if path.name == "1.xlsx":
            raise StoreError("磁盘已满或无法写入,修改未保存", where="jlip_desk.sqlite3")
        if path.name == "0.xlsx":
            done = FileResult(file=str(path))
            done.outcome = "applied"
            return done
        raise OSError(5, "I/O error")  # never reached: the store cannot be written

    monkeypatch.setattr(excel, "import_file", import_file)
    report = excel.import_files(Store.memory(), files)
    assert seen == ["0.xlsx", "1.xlsx"]
    outcomes = [f.outcome for f in report.files]
    assert outcomes == ["applied", "refused", "refused", "refused"]
    assert "磁盘已满" in report.files[1].issues[0].message
    assert report.files[3].issues[0].message.startswith("未处理:数据库无法写入")
    assert not report.ok
    text = report.text()
    assert all(f.name in text for f in files)


def _make_refused_with_broken_properties(source: Path, target: Path) -> None:
    """A submission with a bad value, an uncalculated formula and a malformed core part."""
    import zipfile

    from openpyxl import load_workbook

    wb = load_workbook(source)
    wb["信息服务网点"]["E3"] = "NOTACODE"
    wb["服务活动"]["Z3"] = '=DDE("cmd","/c calc","x")'
    staged = target.with_suffix(".staged.xlsx")
    wb.save(staged)
    with zipfile.ZipFile(staged) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = b"<?xml version='1.0'?><cp:coreProperties xmlns:cp='x'><unclosed>"
            out.writestr(item, data)
    staged.unlink()


def test_a_malformed_core_part_in_a_batch_of_three_is_refused_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On main the formula pass opened this file with openpyxl and the batch died."""
    from jlip_desk.cli import main

    source, county = tmp_path / "source", tmp_path / "county"
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--data-dir", str(source), "init", "--org", "220000"]) == 0
    assert main(["--data-dir", str(source), "demo"]) == 0
    args = ["--data-dir", str(source), "export", "--period", "2025Q3", "--all-counties"]
    assert main([*args, "--org", "220100", "-o", str(out)]) == 0
    first, second, third = sorted(out.glob("*.xlsx"))[:3]
    broken = tmp_path / "broken.xlsx"
    _make_refused_with_broken_properties(second, broken)
    assert main(["--data-dir", str(county), "init", "--org", "220100"]) == 0
    capsys.readouterr()
    code = main(["--data-dir", str(county), "import", str(first), str(broken), str(third)])
    text = capsys.readouterr().out
    assert code == 1
    assert text.count("【已导入】") == 2
    assert "【拒绝导入】broken.xlsx" in text and "docProps/core.xml" in text
    assert "内部错误" not in text


def test_an_internal_error_on_one_file_is_reported_and_the_rest_are_imported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = [tmp_path / f"{n}.xlsx" for n in range(3)]

    def import_file(store: Store, path: Path, options: object) -> FileResult:
        if path.name == "1.xlsx":
            raise RuntimeError("a bug")
        done = FileResult(file=str(path))
        done.outcome = "applied"
        return done

    monkeypatch.setattr(excel, "import_file", import_file)
    report = excel.import_files(Store.memory(), files)
    assert [f.outcome for f in report.files] == ["applied", "refused", "applied"]
    assert "程序内部错误" in report.files[1].issues[0].message
    assert "详情已写入日志" in report.files[1].issues[0].message
