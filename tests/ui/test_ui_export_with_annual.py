"""The export panel's 含年报 box: shown for fourth quarters, one workbook for quarter and year."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from jlip_desk.periods import Period
from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.export_panel import ExportPanel

LEFT = Qt.MouseButton.LeftButton
Q4, Q3 = Period(2025, 4), Period(2025, 3)


@pytest.fixture(autouse=True)
def qapp_ready(qapp: QApplication) -> QApplication:
    return ui_app.create_application()


def _ctx(store: Store, org: str) -> Iterator[AppContext]:
    bind(store, org)
    ctx = AppContext(store)
    yield ctx
    ctx.writer.close()


@pytest.fixture
def county_ctx(store: Store) -> Iterator[AppContext]:
    yield from _ctx(store, "220102")


@pytest.fixture
def province_ctx(store: Store) -> Iterator[AppContext]:
    yield from _ctx(store, "220000")


def _panel(qtbot: QtBot, ctx: AppContext) -> ExportPanel:
    panel = ExportPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def _choose(panel: ExportPanel, period: Period) -> None:
    panel.period_combo.setCurrentIndex(panel.period_combo.findData(str(period)))


def test_the_box_is_offered_for_fourth_quarters_only(qtbot: QtBot, county_ctx: AppContext) -> None:
    panel = _panel(qtbot, county_ctx)
    _choose(panel, Q3)
    assert not panel.annual_check.isVisible()
    panel.annual_check.setChecked(True)
    assert not panel.with_annual()  # a third quarter never carries the year
    _choose(panel, Q4)
    assert panel.annual_check.isVisible() and panel.with_annual()
    _choose(panel, Period(2025))
    assert not panel.annual_check.isVisible()


def test_county_template_with_the_year(
    qtbot: QtBot, county_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposed: list[str] = []

    def answer(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        proposed.append(Path(start).name)
        return str(tmp_path / Path(start).name), _filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    panel = _panel(qtbot, county_ctx)
    _choose(panel, Q4)
    qtbot.keyClick(panel.annual_check, Qt.Key.Key_Space)
    assert panel.annual_check.isChecked()
    qtbot.mouseClick(panel.template_button, LEFT)
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 1, timeout=10_000)
    assert proposed == ["220102_南关区_2025Q4_含年报_模板.xlsx"]
    sheets = load_workbook(tmp_path / proposed[0]).sheetnames
    assert "服务活动" in sheets and "年度指标" in sheets


def test_province_batch_with_the_year(
    qtbot: QtBot, province_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *_a: str(tmp_path))
    )
    panel = _panel(qtbot, province_ctx)
    _choose(panel, Q4)
    panel.annual_check.setChecked(True)
    qtbot.mouseClick(panel.template_button, LEFT)
    qtbot.waitUntil(lambda: panel.progress is None, timeout=120_000)
    written = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert len(written) == 60 and all(n.endswith("_2025Q4_含年报_模板.xlsx") for n in written)
