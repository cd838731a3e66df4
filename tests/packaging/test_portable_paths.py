"""Portable mode: a marker file beside the frozen program keeps the data beside it too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jlip_desk import paths


@pytest.fixture
def frozen_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for an unpacked portable zip: the folder the frozen executable is in."""
    folder = tmp_path / "usb" / "JLIP Desk"
    folder.mkdir(parents=True)
    exe = folder / "jlip-desk.exe"
    exe.write_bytes(b"MZ")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    return folder


def test_the_marker_beside_the_frozen_program_keeps_the_data_beside_it(
    frozen_program: Path,
) -> None:
    (frozen_program / paths.PORTABLE_MARKER).write_text("portable", encoding="utf-8")
    expected = frozen_program.resolve() / "data"
    assert paths.portable_data_dir() == expected
    assert paths.default_data_dir() == expected
    assert paths.data_dir() == expected
    assert paths.store_path() == expected / paths.STORE_FILE
    assert paths.logs_dir() == expected / "logs"
    assert paths.backups_dir() == expected / "backups"


def test_without_the_marker_the_data_is_in_the_users_folder(frozen_program: Path) -> None:
    assert paths.portable_data_dir() is None
    assert paths.data_dir() == paths.user_data_dir()
    assert frozen_program not in paths.data_dir().parents


def test_a_folder_named_like_the_marker_is_not_the_marker(frozen_program: Path) -> None:
    (frozen_program / paths.PORTABLE_MARKER).mkdir()
    assert paths.portable_data_dir() is None


def test_the_marker_does_nothing_for_a_program_run_from_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python main.py`` is not frozen: a marker beside the interpreter is ignored."""
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    (tmp_path / paths.PORTABLE_MARKER).write_text("portable", encoding="utf-8")
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    assert paths.program_dir() is None
    assert paths.portable_data_dir() is None
    assert paths.data_dir() == paths.user_data_dir()


def test_data_dir_and_the_variable_still_win_in_portable_mode(
    frozen_program: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (frozen_program / paths.PORTABLE_MARKER).write_text("portable", encoding="utf-8")
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "from-env"))
    assert paths.data_dir() == (tmp_path / "from-env").resolve()
    paths.set_data_dir(tmp_path / "from-option")
    try:
        assert paths.data_dir() == (tmp_path / "from-option").resolve()
    finally:
        paths.set_data_dir(None)


def test_the_help_names_the_portable_folder_as_the_default(
    frozen_program: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jlip_desk.cli import main

    (frozen_program / paths.PORTABLE_MARKER).write_text("portable", encoding="utf-8")
    assert main(["--help"]) == 0
    # argparse wraps the help anywhere, even inside the path: compare without spaces.
    help_text = "".join(capsys.readouterr().out.split())
    assert "".join(str(frozen_program.resolve() / "data").split()) in help_text
