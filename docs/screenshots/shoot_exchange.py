"""Take the import-report screenshot from the real main window of a province installation.

Run under Xvfb at the smallest supported screen::

    xvfb-run -a -s "-screen 0 1366x768x24" \
        uv run --offline python docs/screenshots/shoot_exchange.py

Three county workbooks are imported: a corrected re-submission (applied), the
same data again (unchanged) and one with bad values (refused, problems listed).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from jlip_desk import paths
from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submission
from jlip_desk.services.installation import bind, open_store
from jlip_desk.ui.app import build_main_window, create_application
from jlip_desk.ui.exchange_page import ExchangePage

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from guide_images import ship  # noqa: E402

WORKBOOKS = HERE.parents[1] / "tests" / "data" / "workbooks"
SCREEN = (1366, 768)
PERIOD = Period(2025, 3)


def settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def county_files(inbox: Path) -> list[Path]:
    """What a province clerk finds in the inbox: two county workbooks and a bad one."""
    store = open_store()
    first = export_submission(store, "220104", PERIOD, inbox).path
    same = export_submission(store, "220102", PERIOD, inbox).path
    store.close()
    wb = load_workbook(first)
    wb["服务活动"]["D3"] = 57  # a corrected consultation count
    wb.save(first)
    bad = inbox / "220102_南关区_2024Q4_修改后.xlsx"
    shutil.copy(WORKBOOKS / "mistake_bad_values.xlsx", bad)
    return [first, same, bad]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNG file")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jlip-shots-") as folder:
        paths.set_data_dir(Path(folder) / "data")
        app = create_application()
        store = open_store()
        generate(store)
        bind(store, "220000")
        inbox = Path(folder) / "各县报送"
        inbox.mkdir()
        files = county_files(inbox)
        QSettings().setValue("main/page", "exchange")
        QSettings().setValue("exchange/period", str(PERIOD))
        window = build_main_window(store)
        ratio = window.devicePixelRatioF()
        window.resize(int(SCREEN[0] / ratio), int(SCREEN[1] / ratio) - 30)
        window.move(0, 0)
        window.show()
        settle(app)
        page = window.page("exchange")
        assert isinstance(page, ExchangePage)
        page.import_panel.start_import(files)
        deadline = time.monotonic() + 60
        while page.import_panel.progress is not None and time.monotonic() < deadline:
            settle(app, 1)
            time.sleep(0.02)
        settle(app)
        report = page.import_panel.report
        assert report is not None, "the import did not finish"
        print(report.text())
        window.grab().save(str(args.out / "import-report.png"))
        ship(args.out / "import-report.png")
        print(f"saved to {args.out} (device pixel ratio {ratio})")
        window.close()
        window.ctx.close()
        paths.set_data_dir(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
