"""Saving a workbook: the usual file mode, the old file kept, the right hint on failure."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from jlip_desk.errors import InputError
from jlip_desk.excel.atomic import save_atomic


def test_a_saved_file_gets_the_mode_any_new_file_gets(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)

    def write(path: Path) -> None:
        path.write_bytes(b"data")

    target = save_atomic(tmp_path / "out.xlsx", write)
    if os.name == "posix":
        # A workbook is made to be passed on: not the 0600 of a temporary file.
        assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


@pytest.mark.parametrize(
    ("code", "hint"),
    [(errno.ENOSPC, "磁盘已满"), (errno.EACCES, "关闭正在打开该文件的程序"), (errno.EROFS, "只读")],
)
def test_a_failed_save_keeps_the_old_file_and_says_what_to_do(
    tmp_path: Path, code: int, hint: str
) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def fails(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(code, os.strerror(code))

    with pytest.raises(InputError) as caught:
        save_atomic(target, fails)
    assert hint in (caught.value.allowed or "")
    if code == errno.ENOSPC:
        assert "关闭正在打开" not in (caught.value.allowed or "")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
