"""The 导入导出 page: Excel export on the left, import and its report on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from jlip_desk.ui.context import AppContext
from jlip_desk.ui.export_panel import ExportPanel
from jlip_desk.ui.import_panel import ImportPanel


def _intro(ctx: AppContext) -> str:
    org = ctx.org
    if org is not None and org.level == "county":
        return (
            "导出本单位的空白模板,在 Excel/WPS 中填写后导入;或直接导出已填报的数据作为报送文件"
            "交给上级。上级退回的工作簿修改后也在这里导入。"
        )
    return (
        "为所辖各县批量生成模板发给各县;收到各县报送的工作簿后拖到右侧导入,"
        "有问题的文件会整份拒绝,并生成标出问题单元格的副本退回给县里修改。"
    )


class ExchangePage(QWidget):
    """Composes the export and import panels; each runs its own background work."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        intro = QLabel(_intro(ctx))
        intro.setWordWrap(True)
        self.export_panel = ExportPanel(ctx)
        self.import_panel = ImportPanel(ctx)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.export_panel)
        splitter.addWidget(self.import_panel)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(1, 1)
        # The report table needs the width; the export side is a column of buttons.
        splitter.setSizes([260, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.export_panel.period_combo, self.export_panel.template_button)
