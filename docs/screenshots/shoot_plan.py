"""Take the plan-preview screenshot: the province opens the (test) 15th plan on a store
holding the 14th plan's demo data, and reads what it changes before confirming.

Run under Xvfb at the smallest supported screen::

    xvfb-run -a -s "-screen 0 1366x768x24" \
        uv run --offline python docs/screenshots/shoot_plan.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from jlip_desk import paths
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind, open_store
from jlip_desk.services.plans import preview_plan, read_plan_file
from jlip_desk.ui.app import build_main_window, create_application
from jlip_desk.ui.plan_menu import PlanPreviewDialog

HERE = Path(__file__).resolve().parent
PLAN15 = HERE.parents[1] / "tests" / "data" / "plans" / "test-plan-15.toml"
SCREEN = (1366, 768)


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
        window = build_main_window(store)
        ratio = window.devicePixelRatioF()
        window.resize(int(SCREEN[0] / ratio), int(SCREEN[1] / ratio) - 30)
        window.move(0, 0)
        window.show()
        settle(app)
        dialog = PlanPreviewDialog(preview_plan(store, read_plan_file(PLAN15)), window)
        dialog.show()
        settle(app)
        dialog.grab().save(str(args.out / "plan-preview.png"))
        dialog.close()
        window.plan_menu.aboutToShow.emit()
        settle(app, 0.3)
        print(f"saved to {args.out} (device pixel ratio {ratio})")
        window.close()
        window.ctx.close()
        paths.set_data_dir(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
