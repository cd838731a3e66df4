"""A date field typed as text that may stay empty, with a calendar to pick from."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)


class DateEdit(QWidget):
    """A date typed as text (may stay empty), with a calendar to pick from."""

    textChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText("如 2024-03-05")
        self.line.textChanged.connect(self.textChanged)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        self.calendar.clicked.connect(lambda day: self._picked(day, menu))
        button = QToolButton()
        button.setText("日历")
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu.aboutToShow.connect(self._sync_calendar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        layout.addWidget(button)
        self.setFocusProxy(self.line)

    def text(self) -> str:
        return self.line.text()

    def set_date(self, day: dt.date | None) -> None:
        self.line.setText(day.isoformat() if day else "")

    def _picked(self, day: QDate, menu: QMenu) -> None:
        self.set_date(dt.date(day.year(), day.month(), day.day()))
        menu.close()

    def _sync_calendar(self) -> None:
        try:
            day = dt.date.fromisoformat(self.text().strip())
            self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        except ValueError:
            self.calendar.setSelectedDate(QDate.currentDate())
