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
