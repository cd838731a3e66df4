"""Screenshot of the entry grid with a marked error, its tooltip and the problem list.

Run under Xvfb with a CJK font installed:

    xvfb-run -a -s "-screen 0 1366x768x24" uv run --offline python docs/screenshots/shoot_entry.py

``QT_SCALE_FACTOR=1.5`` checks the 150% layout; ``--out`` names another file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QToolTip

from jlip_desk import paths
from jlip_desk.periods import Period
from jlip_desk.services import demo
from jlip_desk.services.entry import save_values
from jlip_desk.services.installation import bind, open_store
from jlip_desk.services.period_status import unlock
from jlip_desk.store.plans import active_plan

HERE = Path(__file__).resolve().parent
PERIOD = Period(2025, 4)


def _busiest_county(store) -> str:  # type: ignore[no-untyped-def]
    row = store.conn.execute(
        "SELECT org_code FROM records GROUP BY org_code ORDER BY COUNT(*) DESC, org_code LIMIT 1"
    ).fetchone()
    return str(row[0])


def prepare() -> str:
    """Demo data, bound to the county with most stations, with two bad cells in 2025Q4."""
    store = open_store()
    demo.generate(store)
    county = _busiest_county(store)
    bind(store, county)
    plan = active_plan(store)
    unlock(store, plan, county, PERIOD, "补充修改第四季度数据")
    subjects = [
        r[0]
        for r in store.conn.execute(
            "SELECT DISTINCT subject FROM cells WHERE form = 'activity' AND period = ? "
            "AND org_code = ? ORDER BY subject",
            (str(PERIOD), county),
        )
    ]
    save_values(store, plan, "activity", county, PERIOD, subjects[0],
                {"mediations": "3", "mediations_successful": "5"})  # fmt: skip
    if len(subjects) > 1:
        save_values(store, plan, "activity", county, PERIOD, subjects[1], {"trainings": "12a"})
    store.close()
    return county


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "entry-error.png")
    args = parser.parse_args()
    paths.set_data_dir(Path(tempfile.mkdtemp(prefix="jlip-shot-")))
    prepare()
    from jlip_desk.ui.app import build_main_window, create_application

    app = create_application()
    settings = QSettings()
    settings.setValue("main/page", "entry")
    settings.setValue("entry/form", "activity")
    settings.setValue("entry/period/quarter", str(PERIOD))
    window = build_main_window(open_store())
    window.resize(1366, 768)
    window.move(0, 0)
    window.show()
    window.show_page("entry")

    def annotate() -> None:
        page = window.page("entry")
        grid, model = page.grid, page.model  # type: ignore[attr-defined]
        problems = page.problems  # type: ignore[attr-defined]
        first = next(
            problems.model.problem(r)
            for r in range(problems.model.rowCount())
            if problems.model.problem(r).rule
        )
        index = model.index_of(first.key, first.field_id)
        grid.select_cell(index)
        problems.view.selectRow(0)
        rect = grid.visualRect(index)
        QToolTip.showText(
            grid.viewport().mapToGlobal(rect.center()), index.data(Qt.ItemDataRole.ToolTipRole)
        )
        QTimer.singleShot(600, shoot)

    def shoot() -> None:
        screen = QGuiApplication.primaryScreen()
        screen.grabWindow(0).save(str(args.out))
        print(f"saved {args.out}")
        window.close()
        app.quit()

    QTimer.singleShot(800, annotate)
    app.exec()
    window.ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
