"""Table model over one registry's records, and the proxy that sorts, searches and filters it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from jlip_desk.plan.model import FieldType, Registry
from jlip_desk.services.registry import RecordRow

CODE_ROLE = Qt.ItemDataRole.UserRole + 1  # the record code (str)
ORG_ROLE = Qt.ItemDataRole.UserRole + 2  # the county's code
PREFECTURE_ROLE = Qt.ItemDataRole.UserRole + 3  # the prefecture's code, or None
CLOSED_ROLE = Qt.ItemDataRole.UserRole + 4  # True when the record is closed (撤销)
SORT_ROLE = Qt.ItemDataRole.UserRole + 5  # a value that sorts correctly (numbers as numbers)
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 6  # lower-cased text the search box matches

FIXED_HEADERS = ("编码", "县(市、区)")
STATUS_COLOURS = {"运行": "#e3f4e1", "暂停": "#fff3cd", "筹建": "#e1ecf7"}
CLOSED_FOREGROUND = QColor("#7a7f87")
CLOSED_BACKGROUND = QColor("#eceef1")

Index = QModelIndex | QPersistentModelIndex


class RecordModel(QAbstractTableModel):
    """Columns: code, county, then the registry's fields in plan order (labels with units)."""

    def __init__(self, registry: Registry, parent: Any = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self._rows: list[RecordRow] = []
        life = registry.lifecycle
        self._status_column = len(FIXED_HEADERS) + [f.id for f in registry.fields].index(
            life.status_field
        )
        # Search covers the code, the county and plain text fields (names, host, contact).
        self._search_fields = [
            f.id for f in registry.fields if f.type is FieldType.TEXT and f.format is None
        ]

    def set_rows(self, rows: list[RecordRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_of(self, code: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.code == code), -1)

    def record(self, row: int) -> RecordRow:
        return self._rows[row]

    def is_closed(self, row: RecordRow) -> bool:
        life = self.registry.lifecycle
        return row.values.get(life.status_field) == life.closed_status

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FIXED_HEADERS) + len(self.registry.fields)

    def _value(self, row: RecordRow, column: int) -> Any:
        if column == 0:
            return row.code
        if column == 1:
            return row.org_name
        return row.values.get(self.registry.fields[column - len(FIXED_HEADERS)].id)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self._value(row, column)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            value = self._value(row, column)
            # Empty sorts first; mixed types are compared as text so sorting never fails.
            return "" if value is None else value if isinstance(value, int | float) else str(value)
        if role == CODE_ROLE:
            return row.code
        if role == ORG_ROLE:
            return row.org_code
        if role == PREFECTURE_ROLE:
            return row.prefecture_code
        if role == CLOSED_ROLE:
            return self.is_closed(row)
        if role == SEARCH_ROLE:
            parts = [row.code, row.org_name, *(row.values.get(f) for f in self._search_fields)]
            return " ".join(str(p) for p in parts if p).lower()
        if role == Qt.ItemDataRole.ForegroundRole and self.is_closed(row):
            return QBrush(CLOSED_FOREGROUND)
        if role == Qt.ItemDataRole.BackgroundRole and column == self._status_column:
            if self.is_closed(row):
                return QBrush(CLOSED_BACKGROUND)
            colour = STATUS_COLOURS.get(str(row.values.get(self.registry.lifecycle.status_field)))
            return QBrush(QColor(colour)) if colour else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(FIXED_HEADERS):
                return FIXED_HEADERS[section]
            return self.registry.fields[section - len(FIXED_HEADERS)].header
        if role == Qt.ItemDataRole.ToolTipRole and section >= len(FIXED_HEADERS):
            return self.registry.fields[section - len(FIXED_HEADERS)].help
        return None


class RecordFilterModel(QSortFilterProxyModel):
    """Search by name or code, filter by prefecture, county and whether closed ones show."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setSortLocaleAware(True)
        self._search = ""
        self._prefecture: str | None = None
        self._county: str | None = None
        self._show_closed = False

    def set_filters(
        self,
        *,
        search: str | None = None,
        prefecture: str | None = None,
        county: str | None = None,
        show_closed: bool | None = None,
    ) -> None:
        """Change some filters; empty strings clear prefecture and county."""
        self.beginFilterChange()
        if search is not None:
            self._search = search.strip().lower()
        if prefecture is not None:
            self._prefecture = prefecture or None
        if county is not None:
            self._county = county or None
        if show_closed is not None:
            self._show_closed = show_closed
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if not self._show_closed and index.data(CLOSED_ROLE):
            return False
        if self._county and index.data(ORG_ROLE) != self._county:
            return False
        if self._prefecture and index.data(PREFECTURE_ROLE) != self._prefecture:
            return False
        return not self._search or all(
            word in index.data(SEARCH_ROLE) for word in self._search.split()
        )
