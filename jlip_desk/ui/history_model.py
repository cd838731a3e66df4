"""Table model over a change log: when, which field, old and new value, how and by whom."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from jlip_desk.store.cells import HistoryEntry, StoredValue
from jlip_desk.ui.rows_model import RowsTableModel

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1  # the HistoryEntry of the row
ACTION_ROLE = Qt.ItemDataRole.UserRole + 2  # the stored action id: typed, imported, ...

_HEADERS = ("时间", "字段", "原值", "新值", "操作", "操作人", "文件指纹")
ACTION_LABELS = {
    "typed": "手工录入",
    "imported": "导入",
    "restored": "恢复",
    "demo": "演示数据",
    "system": "系统",
}
EMPTY = "(空)"
FINGERPRINT_LENGTH = 12

Index = QModelIndex | QPersistentModelIndex


def action_text(entry: HistoryEntry) -> str:
    text = ACTION_LABELS.get(entry.action, entry.action)
    if entry.action == "imported" and entry.source_file:
        text += f" {entry.source_file}"
    if entry.note and entry.action not in ("demo", "imported"):
        text += f"({entry.note})"
    return text


def value_text(value: StoredValue) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def time_text(at: str) -> str:
    # Stored as ISO 8601 with the UTC offset; people read the local wall-clock time.
    return at[:19].replace("T", " ")


class HistoryModel(RowsTableModel):
    HEADERS = _HEADERS
    """Newest change first; field ids are shown by their labels from the plan."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[HistoryEntry] = []
        self._labels: dict[str, str] = {}

    def set_entries(self, entries: list[HistoryEntry], labels: dict[str, str]) -> None:
        self.beginResetModel()
        self._rows = list(reversed(entries))
        self._labels = dict(labels)
        self.endResetModel()

    def entry(self, row: int) -> HistoryEntry:
        return self._rows[row]

    def _text(self, entry: HistoryEntry, column: int) -> str:
        if column == 0:
            return time_text(entry.at)
        if column == 1:
            return self._labels.get(entry.field, entry.field)
        if column == 2:
            return value_text(entry.old_value)
        if column == 3:
            return value_text(entry.new_value)
        if column == 4:
            return action_text(entry)
        if column == 5:
            return entry.actor or "—"
        return (entry.source_sha256 or "")[:FINGERPRINT_LENGTH]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 6 and entry.source_sha256:
                return f"SHA-256:{entry.source_sha256}"
            if index.column() == 4 and entry.source_file:
                return entry.source_file
            return self._text(entry, index.column())
        if role == ENTRY_ROLE:
            return entry
        if role == ACTION_ROLE:
            return entry.action
        return None
