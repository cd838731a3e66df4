"""Take the review-matrix and dashboard screenshots from the real main window of the province.

Run under Xvfb at the smallest supported screen::

    xvfb-run -a -s "-screen 0 1366x768x24" \
        uv run --offline python docs/screenshots/shoot_province.py

A province store with the demo data; the reviewer has accepted two counties'
2025Q4 reports and returned one with a reason before the matrix is taken.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from jlip_desk import paths
from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind, open_store
from jlip_desk.services.review import accept_many, return_many
from jlip_desk.store.plans import active_plan
from jlip_desk.ui.app import build_main_window, create_application
from jlip_desk.ui.dashboard_page import DashboardPage
from jlip_desk.ui.review_page import ReviewPage

HERE = Path(__file__).resolve().parent
SCREEN = (1366, 768)
Q4 = Period(2025, 4)


def settle(app: QApplication, seconds: float = 1.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jlip-shots-") as folder:
        paths.set_data_dir(Path(folder) / "data")
        app = create_application()
        store = open_store()
        generate(store)
        bind(store, "220000")
        plan = active_plan(store)
        accept_many(store, plan, [("220102", Q4), ("220105", Q4)])
        return_many(store, plan, [("220104", Q4)], "结案数大于受理数,请核实后重新报送")
        window = build_main_window(store)
        ratio = window.devicePixelRatioF()
        window.resize(int(SCREEN[0] / ratio), int(SCREEN[1] / ratio) - 30)
        window.move(0, 0)
        window.show()
        settle(app)

        window.show_page("review")
        review = window.page("review")
        assert isinstance(review, ReviewPage)
        deadline = time.monotonic() + 60
        while not review.loaded and time.monotonic() < deadline:
            settle(app, 0.1)
        review.select("220104", Q4)
        settle(app)
        window.grab().save(str(args.out / "review.png"))

        window.show_page("dashboard")
        dashboard = window.page("dashboard")
        assert isinstance(dashboard, DashboardPage)
        deadline = time.monotonic() + 60
        while (dashboard.loads < 1 or dashboard.loading) and time.monotonic() < deadline:
            settle(app, 0.1)
        settle(app)
        window.grab().save(str(args.out / "dashboard.png"))
        print(f"saved to {args.out} (device pixel ratio {ratio})")
        window.close()
        window.ctx.close()
        paths.set_data_dir(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
