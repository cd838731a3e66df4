"""Qt's own dialogs speak Chinese: the non-native file dialog's labels, types and dates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from jlip_desk.ui import app as ui_app

# Run in a fresh process: the system locale's dates are fixed when Qt starts.
_DIALOG = """
import sys
from PySide6.QtCore import QDateTime, QElapsedTimer, Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QTreeView
from jlip_desk.ui import app as ui_app
app = ui_app.create_application()
dialog = QFileDialog(None, "t", sys.argv[1])
dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
dialog.show()
view = dialog.findChild(QTreeView)
model = view.model()
timer = QElapsedTimer()
timer.start()
while model.rowCount(view.rootIndex()) == 0 and timer.elapsed() < 10000:
    app.processEvents()
row = [model.index(0, c, view.rootIndex()).data() for c in range(4)]
print("|".join(label.text() for label in dialog.findChildren(QLabel)))
print("|".join(str(v) for v in row))
"""


def test_file_dialog_labels_are_chinese(qapp: QApplication) -> None:
    ui_app.create_application()
    dialog = QFileDialog(None, "打开")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert "查找范围(&L)：" in texts
    assert "文件类型(&T)：" in texts
    assert not [t for t in texts if any(c.isascii() and c.isalpha() and c not in "LNT" for c in t)]


def test_our_own_dates_read_the_chinese_way(qapp: QApplication) -> None:
    ui_app.create_application()
    assert QLocale().name() == "zh_CN"
    assert QLocale().toString(QDate(2026, 12, 2), QLocale.FormatType.ShortFormat) == "2026/12/2"


def test_file_dialog_dates_and_types_are_chinese_in_an_english_session(tmp_path: Path) -> None:
    (tmp_path / "报送文件").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_TIME")}
    env.update(LANG="C.UTF-8", QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", _DIALOG, str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.splitlines()  # fmt: skip
    labels, row = out[0].split("|"), out[1].split("|")
    assert "查找范围(&L)：" in labels and "文件类型(&T)：" in labels
    name, _size, kind, modified = row
    assert name == "报送文件" and kind == "文件夹"
    assert modified.startswith(f"{QDate.currentDate().year()}/"), modified
