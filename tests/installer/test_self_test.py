"""The frozen program's --self-test fails when the bundle lacks what the app needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Runs jlip_desk.ui.app.self_test() in a fresh process (its own QApplication and
# logging). "no-translations DIR" points Qt's translations folder at DIR: what a bundle
# without qtbase_zh_CN.qm looks like to the app. "window-fails" makes building the main
# window raise, and reports whether the store the self-test opened was closed.
_SCRIPT = """
import sqlite3
import sys

from PySide6.QtCore import QLibraryInfo

import jlip_desk.ui.app as app

mode = sys.argv[1] if len(sys.argv) > 1 else ""
if mode == "no-translations":
    empty = sys.argv[2]

    class NoTranslations:
        LibraryPath = QLibraryInfo.LibraryPath

        @staticmethod
        def path(which):
            if which == QLibraryInfo.LibraryPath.TranslationsPath:
                return empty
            return QLibraryInfo.path(which)

    app.QLibraryInfo = NoTranslations
if mode == "english-dialog":
    # Only Qt's own catalogue, not the program's (what a bundle without
    # resources/translations would do): the file dialog says "Look in:".
    def install_translations(qapp):
        from PySide6.QtCore import QTranslator

        translator = QTranslator(qapp)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        translator.load("qtbase_zh_CN", folder)
        qapp.installTranslator(translator)
        return True

    app.install_translations = install_translations
opened = []
if mode == "window-fails":
    real_open_store = app.open_store

    def open_store():
        opened.append(real_open_store())
        return opened[-1]

    def build_main_window(store):
        raise RuntimeError("the window could not be built")

    app.open_store = open_store
    app.build_main_window = build_main_window
code = app.self_test()
for store in opened:
    try:
        store.conn.execute("SELECT 1")
        print("store left open")
    except sqlite3.ProgrammingError:
        print("store closed")
sys.exit(code)
"""


def _self_test(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JLIP_DESK_DATA_DIR": str(tmp_path / "data"),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=120,
    )


def test_self_test_passes_with_the_translation(tmp_path: Path) -> None:
    result = _self_test(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "自检通过" in result.stdout


def test_self_test_fails_without_the_qt_translation(tmp_path: Path) -> None:
    empty = tmp_path / "no-translations"
    empty.mkdir()
    result = _self_test(tmp_path, "no-translations", str(empty))
    assert result.returncode == 1
    assert "自检通过" not in result.stdout
    assert "自检失败" in result.stderr
    assert "translation not found" in result.stderr
    # The windowed build has no stderr: the reason must be in the log as well.
    log = (tmp_path / "data" / "logs" / "jlip_desk.log").read_text(encoding="utf-8")
    assert "self-test failed" in log and "translation not found" in log


def test_a_failing_self_test_closes_its_store(tmp_path: Path) -> None:
    """An open SQLite handle would make the temporary folder's clean-up fail on Windows."""
    result = _self_test(tmp_path, "window-fails")
    assert result.returncode == 1
    assert "the window could not be built" in result.stderr
    assert result.stdout.split() == ["store", "closed"]


def test_self_test_fails_when_the_file_dialog_is_not_chinese(tmp_path: Path) -> None:
    """The frozen self-test opens Qt's own file dialog: a bundle without the program's
    catalogue of the strings qtbase_zh_CN leaves in English fails it."""
    result = _self_test(tmp_path, "english-dialog")
    assert result.returncode == 1, result.stdout
    assert "file dialog labels not in Chinese" in result.stderr and "Look in" in result.stderr
