"""The frozen columns (entry grid, review matrix) scroll down with their table."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from jlip_desk.ui.frozen_columns import FrozenColumnsTable

PER = QAbstractItemView.ScrollMode


@pytest.mark.parametrize("mode", [PER.ScrollPerItem, PER.ScrollPerPixel])
def test_the_frozen_rows_are_the_tables_rows_when_scrolled_down(
    qtbot: QtBot, mode: QAbstractItemView.ScrollMode
) -> None:
    model = QStandardItemModel(200, 20)
    for row in range(200):
        for column in range(20):
            model.setItem(row, column, QStandardItem(f"{row},{column}"))
    table = FrozenColumnsTable(frozen_columns=2)
    qtbot.addWidget(table)
    table.setVerticalScrollMode(mode)
    table.setModel(model)
    table.resize(600, 400)
    table.show()
    qtbot.waitExposed(table)
    frozen = table.frozen
    assert frozen.count == 2 and frozen.isVisible()
    table.verticalScrollBar().setValue(50)
    assert frozen.verticalScrollBar().value() == 50
    for y in (5, 100, 300):
        row = table.rowAt(y)
        assert row > 0 and frozen.rowAt(y) == row
        cell = frozen.visualRect(model.index(row, 1))
        assert cell.top() == table.visualRect(model.index(row, 5)).top()
    # And scrolled from the frozen columns (the mouse wheel over them), the table follows.
    frozen.verticalScrollBar().setValue(80)
    assert table.verticalScrollBar().value() == 80
    assert frozen.rowAt(5) == table.rowAt(5)
