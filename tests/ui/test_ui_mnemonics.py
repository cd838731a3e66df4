"""Alt+letter reaches one thing: no two buttons or labels of a page, nor the menu bar,
share a mnemonic (on the exchange page Alt+O was both 选择文件夹 and 打开所在文件夹,
Alt+F both the 文件 menu and 选择文件, Alt+E and Alt+P the 编辑 and 计划 menus)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QTabWidget, QWidget

from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.ui import app as ui_app

# "&X" but neither "&&" (a literal ampersand) nor an HTML entity such as "&nbsp;".
MNEMONIC = re.compile(r"(?<!&)&([A-Za-z0-9])(?![A-Za-z0-9]*;)")


def _texts(page: QWidget) -> list[str]:
    texts = [b.text() for b in page.findChildren(QAbstractButton)]
    texts += [label.text() for label in page.findChildren(QLabel) if label.buddy() is not None]
    texts += [box.title() for box in page.findChildren(QGroupBox)]
    for tabs in page.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    return texts


@pytest.mark.parametrize("org", ["220102", "220000"], ids=["county", "province"])
def test_every_page_has_each_mnemonic_once(
    qtbot, qapp: QApplication, store: Store, org: str
) -> None:
    ui_app.create_application()
    bind(store, org)
    window = ui_app.build_main_window(store)
    qtbot.addWidget(window)
    window.show()
    menus = [a.text() for a in window.menuBar().actions()]
    assert {"文件(&F)", "编辑(&E)", "计划(&P)", "帮助(&H)"} <= set(menus)
    own: dict[str, set[str]] = {}
    for key in window.factories:
        window.show_page(key)
        seen: dict[str, list[str]] = defaultdict(list)
        for text in menus + _texts(window.page(key)):
            for letter in MNEMONIC.findall(text):
                seen[letter.upper()].append(text)
        clashes = {letter: texts for letter, texts in seen.items() if len(texts) > 1}
        assert not clashes, (key, clashes)
        own[key] = set(seen) - {"F", "E", "P", "H"}
    # The clerk's everyday buttons are reached by keyboard: 新增 编辑 关闭 查看历史;
    # 报告期 and 报送 (and 单位 where there are several).
    assert {"N", "D", "C", "I"} <= own["registries"]
    assert {"Q", "S"} <= own["entry"]
    window.ctx.writer.wait_idle()
    window.ctx.writer.close()
