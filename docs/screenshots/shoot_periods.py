"""Screenshot of the period list of a county that owes only some quarters.

entry-periods.png: a county whose first workstation opened in May 2024 (no demo
data). The quarters before it say 无需报送 in grey; 2024Q2 and later, and every
year, are owed and long past due: 未报送(逾期) in red. The header of a quarter owed
by nobody says why.

Run under Xvfb with a CJK font installed:

    xvfb-run -a -s "-screen 0 1366x768x24" uv run --offline python docs/screenshots/shoot_periods.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication

from jlip_desk import paths
from jlip_desk.services.installation import bind, open_store, prepare
from jlip_desk.services.registry import add_record
from jlip_desk.validation.formats import make_credit_code

HERE = Path(__file__).resolve().parent
COUNTY = "220104"  # 朝阳区
SHOWN_PERIOD = "2023Q2"


def set_up() -> None:
    store = open_store()
    plan = prepare(store)
    bind(store, COUNTY)
    add_record(store, plan, "workstations", COUNTY, {
        "name": "朝阳区知识产权维权援助工作站", "host_org": "长春市朝阳区科技服务中心",
        "host_credit_code": make_credit_code(f"12{COUNTY}MB1234567"), "host_type": "服务机构",
        "established_on": "2024-05-10", "status": "运行", "contact": "李明",
        "phone": "043188886666",
    })  # fmt: skip
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "entry-periods.png")
    args = parser.parse_args()
    paths.set_data_dir(Path(tempfile.mkdtemp(prefix="jlip-shot-")))
    set_up()
    from jlip_desk.ui.app import build_main_window, create_application

    app = create_application()
    settings = QSettings()
    settings.setValue("main/page", "entry")
    settings.setValue("entry/form", "activity")
    settings.setValue("entry/period/quarter", SHOWN_PERIOD)
    window = build_main_window(open_store())
    window.resize(1366, 768)
    window.move(0, 0)
    window.show()
    window.show_page("entry")

    def shoot() -> None:
        page = window.page("entry")
        page.choose_period(SHOWN_PERIOD)  # type: ignore[attr-defined]
        row = page.periods.list_model.row_of("2024Q2")  # type: ignore[attr-defined]
        page.periods.scrollTo(page.periods.list_model.index(row, 0))  # type: ignore[attr-defined]
        QTimer.singleShot(400, save)

    def save() -> None:
        QGuiApplication.primaryScreen().grabWindow(0).save(str(args.out))
        print(f"saved {args.out}")
        window.close()
        app.quit()

    QTimer.singleShot(800, shoot)
    app.exec()
    window.ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
