"""Screenshots of the entry grid: a marked error, submitting, a locked period, the guide.

entry-error.png: a marked error, its tooltip and the problem list. entry-refused.png:
submitting refused, one line per record. entry-submit.png: the confirmation that says
what submitting means and what is left to do. entry-locked.png: typing into a locked
period, scrolled sideways (the code and name stay). help-guide.png: 帮助 → 使用指南.

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
from PySide6.QtWidgets import QApplication, QMessageBox, QToolTip

from jlip_desk import paths
from jlip_desk.periods import Period
from jlip_desk.services import demo
from jlip_desk.services.entry import save_values
from jlip_desk.services.installation import bind, open_store
from jlip_desk.services.period_status import unlock
from jlip_desk.store.plans import active_plan

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from guide_images import ship  # noqa: E402

PERIOD = Period(2025, 4)
LOCKED = Period(2025, 2)


def _busiest_county(store) -> str:  # type: ignore[no-untyped-def]
    row = store.conn.execute(
        "SELECT org_code FROM records GROUP BY org_code ORDER BY COUNT(*) DESC, org_code LIMIT 1"
    ).fetchone()
    return str(row[0])


FIXES = ({"mediations_successful": "2"}, {"trainings": "12"})


def _subjects(store, county: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        r[0]
        for r in store.conn.execute(
            "SELECT DISTINCT subject FROM cells WHERE form = 'activity' AND period = ? "
            "AND org_code = ? ORDER BY subject",
            (str(PERIOD), county),
        )
    ]


def prepare() -> str:
    """Demo data, bound to the county with most stations, with two bad cells in 2025Q4."""
    store = open_store()
    demo.generate(store)
    county = _busiest_county(store)
    bind(store, county)
    plan = active_plan(store)
    unlock(store, plan, county, PERIOD, "补充修改第四季度数据")
    subjects = _subjects(store, county)
    save_values(store, plan, "activity", county, PERIOD, subjects[0],
                {"mediations": "3", "mediations_successful": "5"})  # fmt: skip
    if len(subjects) > 1:
        save_values(store, plan, "activity", county, PERIOD, subjects[1], {"trainings": "12a"})
    store.close()
    return county


def fix_errors(store, county: str) -> None:  # type: ignore[no-untyped-def]
    """The two bad cells of ``prepare`` corrected: the period may be submitted."""
    plan = active_plan(store)
    for subject, values in zip(_subjects(store, county), FIXES, strict=False):
        save_values(store, plan, "activity", county, PERIOD, subject, values)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=HERE / "entry-error.png")
    args = parser.parse_args()
    paths.set_data_dir(Path(tempfile.mkdtemp(prefix="jlip-shot-")))
    county = prepare()
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

    folder = args.out.parent
    page = None

    def save(name: str, widget: object = None) -> None:
        target = args.out if name == args.out.name else folder / name
        if widget is None:
            QGuiApplication.primaryScreen().grabWindow(0).save(str(target))
        else:
            widget.grab().save(str(target))  # type: ignore[attr-defined]
        ship(target)
        print(f"saved {target}")

    def grab_box(name: str, button: str) -> None:
        """Shoot the message box now open (modal), then close it with ``button``."""
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        box = next((w for w in boxes if w.isVisible()), None)
        if box is None:
            QTimer.singleShot(100, lambda: grab_box(name, button))
            return
        save(name, box)
        for b in box.buttons():
            if b.text() in (button, "OK", "确定"):
                b.click()
                return
        box.reject()

    def shoot() -> None:
        nonlocal page
        save(args.out.name)
        QToolTip.hideText()
        page = window.page("entry")
        # Submitting refused: one line per record.
        QTimer.singleShot(300, lambda: grab_box("entry-refused.png", "确定"))
        page.status.submit()  # type: ignore[attr-defined]
        QTimer.singleShot(300, submit_clean)

    def submit_clean() -> None:
        assert page is not None
        window.ctx.writer.submit(lambda s: fix_errors(s, county), kinds=("entry_cells",))
        window.ctx.writer.wait_idle()
        page.reload()  # type: ignore[attr-defined]
        QTimer.singleShot(300, lambda: grab_box("entry-submit.png", "取消"))
        page.status.submit()  # type: ignore[attr-defined]
        QTimer.singleShot(300, locked)

    def locked() -> None:
        assert page is not None
        page.choose_period(str(LOCKED))  # type: ignore[attr-defined]
        grid = page.grid  # type: ignore[attr-defined]
        model = page.model  # type: ignore[attr-defined]
        grid.horizontalScrollBar().setValue(grid.horizontalScrollBar().maximum())
        index = model.index(1, model.columnCount() - 2)
        grid.setCurrentIndex(index)
        grid.setFocus()
        grid.refuse_edit(index)
        QTimer.singleShot(400, guide)

    def guide() -> None:
        save("entry-locked.png")
        dialog = window.help_actions.show_guide()
        dialog.browser.scrollToAnchor("quarter")
        QTimer.singleShot(400, lambda: finish(dialog))

    def finish(dialog: object) -> None:
        save("help-guide.png", dialog)
        window.close()
        app.quit()

    QTimer.singleShot(800, annotate)
    app.exec()
    window.ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
