"""Take the registry and history screenshots from the real main window on demo data.

Run under Xvfb at the smallest supported screen::

    xvfb-run -a -s "-screen 0 1366x768x24" \
        uv run --offline python docs/screenshots/shoot_registry.py

``QT_SCALE_FACTOR=1.5`` with ``--out /tmp/shots`` checks 150% scaling without touching
the committed images.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from jlip_desk import paths
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind, open_store
from jlip_desk.services.registry import update_record
from jlip_desk.ui.app import build_main_window, create_application
from jlip_desk.ui.date_edit import DateEdit
from jlip_desk.ui.record_dialog import RecordDialog
from jlip_desk.ui.registry_page import RegistryPage

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from guide_images import ship  # noqa: E402

COUNTY = "220105"  # 二道区: six workstations in the demo data
SCREEN = (1366, 768)
# A new station whose credit code has a wrong check character (the last one).
SAMPLE = {
    "name": "二道区长白山创新谷知识产权维权援助工作站",
    "host_org": "长春长白山创新谷运营管理有限公司",
    "host_credit_code": "91220105MA17XK3P4A",
    "host_type": "众创空间",
    "established_on": "2025-03-18",
    "contact": "赵敏",
    "phone": "0431-8467",
}


def settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jlip-shots-") as folder:
        paths.set_data_dir(Path(folder))
        app = create_application()
        store = open_store()
        generate(store)
        bind(store, COUNTY)
        QSettings().setValue("main/page", "registries")
        window = build_main_window(store)
        ratio = window.devicePixelRatioF()
        # The whole screen, in logical pixels: what the user sees at this scale.
        window.resize(int(SCREEN[0] / ratio), int(SCREEN[1] / ratio) - 30)
        window.move(0, 0)
        window.show()
        settle(app)
        page = window.page("registries")
        assert isinstance(page, RegistryPage)
        tab = page.current_tab()
        page.select_code(tab.proxy.index(2, 0).data())
        settle(app)
        window.grab().save(str(args.out / "registry.png"))

        # The add dialog refusing a wrong credit code check character.
        page.add_button.click()
        settle(app)
        dialog = page.dialog
        assert isinstance(dialog, RecordDialog)
        for field_id, text in SAMPLE.items():
            editor = dialog.editors[field_id]
            if isinstance(editor, QComboBox):
                editor.setCurrentText(text)
            elif isinstance(editor, QLineEdit | DateEdit):
                (editor.line if isinstance(editor, DateEdit) else editor).setText(text)
        dialog.ok_button.click()
        settle(app)
        dialog.grab().save(str(args.out / "registry-dialog.png"))
        ship(args.out / "registry-dialog.png")
        dialog.reject()
        settle(app)

        # A typed correction, so the history shows hand edits next to the demo data.
        code = tab.proxy.index(2, 0).data()
        plan = window.ctx.plan
        window.ctx.writer.submit(
            lambda s: update_record(s, plan, code, {"contact": "刘洋", "phone": "13904318866"}),
            kinds=("records",),
        )
        window.ctx.writer.wait_idle()
        settle(app)
        page.select_code(code)
        page.history_button.click()
        settle(app)
        window.grab().save(str(args.out / "history.png"))
        print(f"saved to {args.out} (device pixel ratio {ratio})")
        window.close()
        window.ctx.close()
        paths.set_data_dir(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
