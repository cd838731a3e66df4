"""Progress overview: targets and indicators of the chosen period, loaded in the background."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.periods import Period, parse_period, quarters_between
from jlip_desk.services.reporting import data_text
from jlip_desk.store.database import Store
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.summary_model import SummaryModel
from jlip_desk.ui.tasks import BackgroundTask
from jlip_desk.ui.units_dialog import UnitsDialog


def _load(
    path: Any, period: Period | None, org_code: str | None, plan_id: str | None = None
) -> dict[str, Any]:
    """The summary of the window's plan (of its latest period with data when ``period``
    is None), off the GUI thread."""
    from jlip_desk.services.summary import build_summary

    # A connection of its own: the pool thread must not share the GUI's.
    store = Store.open(path, migrate=False)
    try:
        return build_summary(store, period, org_code, plan_id=plan_id)
    finally:
        store.close()


def period_options(start_year: int, end_year: int, latest: Period) -> list[Period]:
    """Every quarter and year of the plan (and up to ``latest``), newest first.

    In the order of the entry page's period list (a year before its quarters), so
    both pages list the periods alike.
    """
    first = Period(start_year, 1)
    last = max(latest, Period(end_year, 4))
    quarters = quarters_between(first, last)
    years = sorted({q.year_period for q in quarters})
    return sorted([*quarters, *years], reverse=True)


class OverviewPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = SummaryModel()
        self.period_combo = QComboBox()
        # Filled once the first summary arrives: sized for the longest label meanwhile.
        self.period_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.period_combo.setMinimumContentsLength(len("2025年第4季度") + 2)
        self.title = QLabel("正在读取进度数据…")
        self.reporting = QLabel()
        self.reporting.setWordWrap(True)
        self.units_button = QPushButton("查看全部单位…")
        self.units_button.setEnabled(False)
        self.units_button.clicked.connect(self._units_clicked)
        self.units_dialog: UnitsDialog | None = None
        self.summary: dict[str, Any] | None = None
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(QLabel("报告期:"))
        top.addWidget(self.period_combo)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.reporting, 1)
        bottom.addWidget(self.units_button)
        layout.addLayout(bottom)
        self.period_combo.currentIndexChanged.connect(self.refresh)
        ctx.data_changed.connect(self._data_changed)
        # Everything is read on the pool, so the window shows at once: the first load
        # picks the latest period with data and fills the period list from its answer.
        QTimer.singleShot(0, self, self.refresh)

    def _data_changed(self, _kinds: tuple[str, ...]) -> None:
        self.refresh()

    def _fill_periods(self, summary: dict[str, Any]) -> None:
        latest = parse_period(summary["period"])
        years = summary["plan"].get("years") or [latest.year, latest.year]
        self.period_combo.blockSignals(True)
        for p in period_options(years[0], years[1], latest):
            self.period_combo.addItem(p.label, str(p))
        self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(str(latest))))
        self.period_combo.blockSignals(False)

    def selected_period(self) -> Period | None:
        data = self.period_combo.currentData()
        return parse_period(data) if data else None

    def refresh(self) -> None:
        if self.ctx.closed:  # a window let go of its store (a restore): nothing to read
            return
        org = self.ctx.org
        task = BackgroundTask(
            _load,
            self.ctx.store.path,
            self.selected_period(),
            org.code if org else None,
            self.ctx.viewed_plan_id,
        )
        task.signals.done.connect(self._show)
        task.signals.failed.connect(self._failed)
        task.start()

    def _failed(self, exc: JlipError) -> None:
        show_error(self, exc)

    def _show(self, summary: dict[str, Any]) -> None:
        if self.period_combo.count() == 0:
            self._fill_periods(summary)
        self.model.set_summary(summary)
        self.table.resizeColumnsToContents()
        self.title.setText(
            f"<h2>{summary['org']['name']} · {summary['period_label']}</h2>"
            + ("<p>(含演示数据)</p>" if summary["demo_data"] else "")
        )
        r = summary["reporting"]
        self.summary = summary
        self.units_button.setEnabled(bool(r["units"]))
        pending = r["missing"]  # the units not handed in
        names = "、".join(u["name"] for u in pending[:8])
        more = f" 等 {len(pending)} 个(点“查看全部单位”看全部)" if len(pending) > 8 else ""
        self.reporting.setText(
            f"报送情况:{data_text(r)}" + (f"\n尚未报送:{names}{more}" if names else "")
        )

    def _units_clicked(self) -> None:
        self.show_units()

    def show_units(self, key: str | None = None) -> None:
        """Every unit that should report in the period, filterable by state."""
        if self.summary is None:
            return
        title = f"{self.summary['org']['name']} {self.summary['period_label']}"
        reporting = self.summary["reporting"]
        self.units_dialog = UnitsDialog(self.ctx.store, reporting, title, self, key)
        self.units_dialog.open()
