"""Every unit of an overview, filterable by state: who is missing, overdue or has errors."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.services.period_status import LOCKED
from jlip_desk.services.reporting import COUNT_KEYS, COUNT_LABELS, data_text
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import all_orgs
from jlip_desk.ui.rows_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex

# Filter choices: (label, key); key None shows every unit, "problems" those with errors.
FILTERS: tuple[tuple[str, str | None], ...] = (
    ("全部单位", None),
    ("尚未报送(未报送、草稿、已退回)", "pending"),
    *((COUNT_LABELS[k], k) for k in COUNT_KEYS),
    ("有错误", "errors"),
)
KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def _matches(unit: dict[str, Any], key: str | None) -> bool:
    if key is None:
        return True
    if key == "pending":
        return unit["status"] not in LOCKED
    if key == "overdue":
        return bool(unit["overdue"])
    if key == "errors":
        return bool(unit["errors"])
    return bool(unit["status"] == key)


class UnitsModel(RowsTableModel):
    HEADERS = ("代码", "单位", "所属", "状态", "逾期", "错误", "警告", "原因")

    def __init__(self, data: dict[str, Any], prefectures: dict[str, str], parent: Any = None):
        super().__init__(parent)
        self._rows = list(data["units"])
        self._prefectures = prefectures

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        unit = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                unit["code"],
                unit["name"],
                self._prefectures.get(unit["prefecture"] or "", ""),
                unit["label"],
                "逾期" if unit["overdue"] else "",
                str(unit["errors"]),
                str(unit["warnings"]),
                unit["reason"] or "",
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == KEY_ROLE:
            # Every filter key the unit matches, for the proxy's pattern.
            return " ".join(k for _, k in FILTERS if k is not None and _matches(unit, k))
        return None


class UnitsDialog(QDialog):
    """The full list of an overview's units (``summary --json``'s ``reporting`` data)."""

    def __init__(
        self,
        store: Store,
        data: dict[str, Any],
        title: str,
        parent: QWidget | None = None,
        key: str | None = None,
    ):
        super().__init__(parent)
        prefectures = {o.code: o.name for o in all_orgs(store)}
        self.setWindowTitle(f"{title} · 报送单位明细")
        self.resize(820, 560)
        self.summary = QLabel(data_text(data) + f"\n报送截止日期:{data['due']}")
        self.summary.setWordWrap(True)
        self.filter_combo = QComboBox()
        for label, value in FILTERS:
            self.filter_combo.addItem(label, value)
        self.model = UnitsModel(data, prefectures, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(KEY_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        # By code, ascending, as the arrow then says (Qt's default indicator is descending).
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.shown = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("显示:"))
        top.addWidget(self.filter_combo)
        top.addStretch(1)
        top.addWidget(self.shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.filter_combo.currentIndexChanged.connect(self._filter_changed)
        if key is not None:
            self.filter_combo.setCurrentIndex(max(0, self.filter_combo.findData(key)))
        self._filter_changed()

    def _filter_changed(self, _index: int = 0) -> None:
        key = self.filter_combo.currentData()
        self.proxy.setFilterRegularExpression(QRegularExpression(rf"\b{key}\b" if key else ""))
        self.shown.setText(f"共 {self.proxy.rowCount()} / {self.model.rowCount()} 个单位")

    def shown_codes(self) -> list[str]:
        return [self.proxy.index(row, 0).data() for row in range(self.proxy.rowCount())]
