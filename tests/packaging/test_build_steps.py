"""build.py's portable zip and size budget, and frozen_job.py's comparisons, on stand-ins."""

from __future__ import annotations

import importlib.util
import os
import sys
import types
import zipfile
from pathlib import Path

import pytest

from jlip_desk import paths

INSTALLER = Path(__file__).resolve().parents[2] / "installer"


def _load(name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"_installer_{name}", INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build = _load("build")
frozen_job = _load("frozen_job")


def test_build_and_the_program_agree_on_the_portable_marker() -> None:
    assert build.PORTABLE_MARKER == paths.PORTABLE_MARKER
    assert build.PORTABLE_DATA_DIR == paths.PORTABLE_DATA_DIR


def _bundle(folder: Path) -> Path:
    bundle = folder / "jlip-desk"
    (bundle / "_internal" / "PySide6").mkdir(parents=True)
    (bundle / "_internal" / "PySide6" / "libQt6Core.so.6").write_bytes(b"\x7fELF core")
    program = bundle / "jlip-desk-cli"
    program.write_bytes(b"#!program")
    program.chmod(0o755)
    if sys.platform != "win32":
        (bundle / "_internal" / "libQt6Core.so.6").symlink_to("PySide6/libQt6Core.so.6")
    return bundle


def test_portable_zip_has_one_folder_with_the_marker_and_unpacks_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "DIST", tmp_path / "dist")
    (tmp_path / "dist").mkdir()
    archive = build.portable_zip(_bundle(tmp_path), "0.1.0")
    assert archive.name == "JLIP-Desk-0.1.0-portable.zip"
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        marker = zf.read(f"JLIP Desk/{paths.PORTABLE_MARKER}").decode("utf-8-sig")
    assert {name.split("/")[0] for name in names} == {"JLIP Desk"}
    assert "便携" in marker and "data" in marker

    target = tmp_path / "usb"
    build.unpack_zip(archive, target)
    folder = target / "JLIP Desk"
    assert (folder / paths.PORTABLE_MARKER).is_file()
    assert (folder / "jlip-desk-cli").read_bytes() == b"#!program"
    if sys.platform != "win32":
        assert os.access(folder / "jlip-desk-cli", os.X_OK)
        link = folder / "_internal" / "libQt6Core.so.6"
        assert link.is_symlink() and link.read_bytes() == b"\x7fELF core"


def test_the_budget_fails_the_build_when_exceeded(capsys: pytest.CaptureFixture[str]) -> None:
    build.check_budget({"xz_bytes": build.SIZE_BUDGET, "installer_bytes": build.SIZE_BUDGET - 1})
    assert "within the budget" in capsys.readouterr().out
    with pytest.raises(build.BuildError, match=r"installer 45\.0 MB"):
        build.check_budget({"xz_bytes": 40_000_000, "installer_bytes": build.SIZE_BUDGET + 1})
    with pytest.raises(build.BuildError, match=r"bundle packed with xz -6 50\.0 MB"):
        build.check_budget({"xz_bytes": 50_000_000})


def test_largest_files_say_what_pulled_them_in() -> None:
    needs = {
        "_internal/PySide6/Qt/lib/libQt6Core.so.6": ["libicudata.so.73", "libc.so.6"],
        "_internal/PySide6/Qt/lib/libicuuc.so.73": ["libicudata.so.73"],
    }
    why = build._pulled_in_by("_internal/PySide6/Qt/lib/libicudata.so.73", needs)
    assert why == "needed by PySide6/Qt/lib/libQt6Core.so.6, PySide6/Qt/lib/libicuuc.so.73"
    assert build._pulled_in_by("jlip-desk", needs) == "the program (bootloader)"
    plugin = "_internal/PySide6/Qt/plugins/platforms/libqxcb.so"
    assert build._pulled_in_by(plugin, needs).startswith("Qt plugin (platforms)")
    assert build._pulled_in_by("_internal/numpy/_core/x.so", needs) == "the numpy package"


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_workbooks_compare_cell_for_cell_except_when_they_were_written(tmp_path: Path) -> None:
    a = _workbook(tmp_path / "a.xlsx", [["导出时间", "2026-12-03T17:07:48.282903+00:00"], [1, 2]])
    b = _workbook(tmp_path / "b.xlsx", [["导出时间", "2026-12-03T17:08:08.144815+00:00"], [1, 2]])
    frozen_job.compare_workbooks(a, b)
    c = _workbook(tmp_path / "c.xlsx", [["导出时间", "2026-12-03T17:08:08+00:00"], [1, 3]])
    with pytest.raises(frozen_job.JobError, match=r"Sheet!R2C2: 2 vs 3"):
        frozen_job.compare_workbooks(a, c)
    d = _workbook(tmp_path / "d.xlsx", [["导出时间", "2026-12-03T17:08:08+00:00"]])
    with pytest.raises(frozen_job.JobError, match="2 rows vs 1"):
        frozen_job.compare_workbooks(a, d)


def test_the_version_lives_in_one_place() -> None:
    """pyproject.toml takes it from jlip_desk/__init__.py, as build.py and the spec do."""
    import tomllib

    from jlip_desk import __version__

    project = tomllib.loads((INSTALLER.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "jlip_desk/__init__.py"
    assert build.app_version() == __version__
