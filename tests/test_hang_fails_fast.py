"""A test that hangs fails the run within its timeout instead of holding CI for 90 minutes.

An unanswered modal dialog waits forever on the offscreen platform (Qt's event loop,
which a signal does not interrupt). The project's own pytest settings must end such a
test: run one with the timeout shortened and see it fail, quickly, with the stacks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HANGS = """
from PySide6.QtWidgets import QApplication, QMessageBox


def test_nobody_answers() -> None:
    app = QApplication.instance() or QApplication([])
    QMessageBox(QMessageBox.Icon.Warning, "错误", "没有人会点确定").exec()
"""


def test_a_modal_dialog_nobody_answers_fails_within_the_timeout(tmp_path: Path) -> None:
    test = tmp_path / "test_hangs.py"
    test.write_text(HANGS, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            "-o",
            "timeout=3",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            str(test),
        ],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Timeout" in output and "test_nobody_answers" in output, output
    assert elapsed < 60, elapsed
