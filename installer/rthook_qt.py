"""Run-time hook of the frozen programs, in place of PyInstaller's pyi_rth_pyside6.

PyInstaller's hook for PySide6 imports PySide6.QtCore at every start to check that Qt
has its embedded qt.conf. The PySide6 wheels make that qt.conf themselves when PySide6
is imported, so the check only costs time, and it is paid by every command of the
command line, which never touches Qt (about 0.3 s of a 0.4 s start on the build
machine). This hook keeps the rest of what that one does, without importing Qt: it
points Qt at the bundled plugins and, on Windows, puts the bundle folder on PATH.
The frozen self-test proves Qt still finds its plugins and its zh_CN translations.
"""

import os
import sys
from pathlib import Path


def _setup_qt_paths() -> None:
    base = Path(getattr(sys, "_MEIPASS", ""))
    if sys.platform.startswith("win"):
        qt_dir = base / "PySide6"
        os.environ["PATH"] = f"{base}{os.pathsep}{os.environ.get('PATH', '')}"
    else:
        qt_dir = base / "PySide6" / "Qt"
    os.environ["QT_PLUGIN_PATH"] = str(qt_dir / "plugins")


_setup_qt_paths()
del _setup_qt_paths
