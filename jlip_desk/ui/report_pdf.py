"""The consolidated report as a printable PDF, drawn with Qt's own printing (QPdfWriter).

The tables are the :class:`ReportBook` the workbook is written from, so both show the
same numbers. ``charts`` takes ``(title, image)`` pairs (the dashboard's renders); without
them simple bar charts are drawn here. Works headless: a QGuiApplication is made when
none exists (offscreen on a Linux machine without a display).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtWidgets import QApplication

from jlip_desk.excel.atomic import save_atomic
from jlip_desk.excel.report_book import Column, ReportBook, Section, Table

__all__ = ["Chart", "default_charts", "export_report_pdf", "font_family", "write_report_pdf"]

Chart = tuple[str, QImage]

# CJK families by preference: Linux (Noto, Source Han, WenQuanYi), Windows, macOS.
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "SimSun",
    "SimHei",
    "PingFang SC",
    "Noto Serif CJK SC",
)
_DPI = 300
_MARGIN_MM = 15.0
_HEADER_BG = QColor("#DDEBF7")
_TOTAL_BG = QColor("#EDEDED")
_GRID = QColor("#9E9E9E")
_WARNING = QColor("#C00000")
_SERIES = (QColor("#4472C4"), QColor("#ED7D31"), QColor("#A5A5A5"), QColor("#70AD47"))
_app: QApplication | None = None


def _ensure_app() -> None:
    """An application for fonts and painting; offscreen when there is no display.

    A QApplication (not a QGuiApplication): the charts drawn by the dashboard's
    widgets need one, and a test run or the window may make the next call.
    """
    global _app  # noqa: PLW0603 - the one application object must outlive this call
    if QGuiApplication.instance() is not None:
        return
    no_display = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if sys.platform.startswith("linux") and no_display:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QApplication([sys.argv[0] if sys.argv else "jlip-desk"])


def font_family() -> str:
    """A font family that has Simplified Chinese (the application font when none has)."""
    _ensure_app()
    families = set(QFontDatabase.families())
    for family in _CJK_FAMILIES:
        if family in families:
            return family
    for family in sorted(families):
        if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family):
            return family
    return QGuiApplication.font().family()


def export_report_pdf(
    store: Any,
    period: Any,
    org_code: str | None,
    target: Path,
    today: dt.date | None = None,
    charts: Sequence[Chart] | None = None,
) -> Path:
    """Build the report of a period and scope and write it as a PDF (the CLI's and the window's).

    The charts are the dashboard's own (the same figures the 进度图表 page shows),
    unless ``charts`` are given.
    """
    from jlip_desk.services.report_book import build_report

    book = build_report(store, period, org_code, today)
    if charts is None:
        _ensure_app()
        from jlip_desk.ui.dashboard_page import render_chart_images

        summary = book.summary
        charts = render_chart_images(store, summary["org"]["code"], summary["period"])
    return write_report_pdf(book, target, charts)


def write_report_pdf(book: ReportBook, target: Path, charts: Sequence[Chart] | None = None) -> Path:
    """Write ``book`` as an A4 PDF to ``target`` (atomically); return the path.

    ``charts`` are drawn with their titles in the 图表 part; None draws the default ones.
    """
    _ensure_app()
    family = font_family()
    chart_list = list(default_charts(book, family) if charts is None else charts)

    def write(path: Path) -> None:
        writer = QPdfWriter(str(path))
        writer.setResolution(_DPI)
        writer.setTitle(book.title)
        writer.setCreator("JLIP Desk")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM, _MARGIN_MM),
                QPageLayout.Unit.Millimeter,
            )
        )
        layout = _Layout(writer, family)
        layout.title_page(book, charts=bool(chart_list))
        for section in book.sections:
            layout.section(section)
        if chart_list:
            layout.charts(chart_list)
        painter = QPainter()
        if not painter.begin(writer):
            raise OSError(f"无法创建 PDF 文件:{path}")
        try:
            layout.render(painter, writer, f"{book.scope_name} {book.period_label} {book.title}")
        finally:
            painter.end()

    return save_atomic(Path(target), write)


Op = Callable[[QPainter], None]


class _Layout:
    """Lays the report out into pages of drawing steps, then draws them with page numbers."""

    def __init__(self, writer: QPdfWriter, family: str):
        self.writer = writer
        self.family = family
        rect = writer.pageLayout().paintRectPixels(_DPI)
        self.width = float(rect.width())
        self.height = float(rect.height())
        self.mm = _DPI / 25.4
        self.footer_h = 8 * self.mm
        self.bottom = self.height - self.footer_h
        self.pages: list[list[Op]] = [[]]
        self.y = 0.0

    # Fonts and measuring
    def font(self, points: float, bold: bool = False) -> QFont:
        font = QFont(self.family)
        font.setPointSizeF(points)
        font.setBold(bold)
        return font

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.writer)

    def text_height(self, text: str, font: QFont, width: float) -> float:
        flags = int(Qt.TextFlag.TextWordWrap)
        return self.metrics(font).boundingRect(QRectF(0, 0, width, 1e6), flags, text).height()

    # Pages
    def new_page(self) -> None:
        if self.pages[-1]:
            self.pages.append([])
        self.y = 0.0

    def need(self, height: float) -> None:
        if self.y + height > self.bottom and self.y > 0:
            self.new_page()

    def add(self, op: Op) -> None:
        self.pages[-1].append(op)

    def paragraph(
        self,
        text: str,
        font: QFont,
        color: QColor | None = None,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        space: float = 2.0,
    ) -> None:
        height = self.text_height(text, font, self.width)
        self.need(height)
        rect = QRectF(0, self.y, self.width, height)
        pen = color or QColor("black")

        def draw(p: QPainter) -> None:
            p.setFont(font)
            p.setPen(pen)
            p.drawText(rect, int(align | Qt.TextFlag.TextWordWrap), text)

        self.add(draw)
        self.y += height + space * self.mm

    # The parts of the report
    def title_page(self, book: ReportBook, charts: bool) -> None:
        self.y = self.height * 0.22
        center = Qt.AlignmentFlag.AlignHCenter
        self.paragraph(book.plan_name, self.font(18, bold=True), align=center, space=8)
        self.paragraph("进度报告", self.font(26, bold=True), align=center, space=14)
        for line in (
            f"范围:{book.scope_name}",
            f"报告期:{book.period_label}",
            f"生成日期:{book.generated.isoformat()}",
        ):
            self.paragraph(line, self.font(13), align=center, space=4)
        if book.demo_data:
            self.y += 10 * self.mm
            warning = "注意:本报告含演示数据,不是真实的填报数据,不能作为正式报告使用。"
            font = self.font(13, bold=True)
            height = self.text_height(warning, font, self.width * 0.8) + 6 * self.mm
            rect = QRectF(self.width * 0.1, self.y, self.width * 0.8, height)

            def draw(p: QPainter) -> None:
                p.setPen(QPen(_WARNING, 0.6 * self.mm))
                p.setBrush(QColor("#FDECEA"))
                p.drawRect(rect)
                p.setFont(font)
                p.setPen(_WARNING)
                flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
                p.drawText(rect, int(flags), warning)

            self.add(draw)
            self.y += height
        self.y += 16 * self.mm
        contents = [s.title for s in book.sections] + (["图表"] if charts else [])
        self.paragraph(f"内容:{'、'.join(contents)}", self.font(11), align=center)

    def section(self, section: Section) -> None:
        self.new_page()
        self.paragraph(section.title, self.font(16, bold=True), space=4)
        for table in section.tables:
            self.table(table)
        for note in section.notes:
            self.paragraph(note, self.font(8), QColor("#595959"), space=1)

    def charts(self, charts: Sequence[Chart]) -> None:
        self.new_page()
        self.paragraph("图表", self.font(16, bold=True), space=4)
        for title, image in charts:
            if image.isNull() or image.width() == 0:
                continue
            width = self.width
            height = width * image.height() / image.width()
            limit = self.bottom * 0.7
            if height > limit:
                height = limit
                width = height * image.width() / image.height()
            font = self.font(11, bold=True)
            title_h = self.text_height(title, font, self.width)
            self.need(title_h + height + 2 * self.mm)
            self.paragraph(title, font, space=1)
            rect = QRectF((self.width - width) / 2, self.y, width, height)

            def draw(p: QPainter, rect: QRectF = rect, image: QImage = image) -> None:
                p.drawImage(rect, image)

            self.add(draw)
            self.y += height + 8 * self.mm

    def table(self, table: Table) -> None:
        font = self.font(8)
        bold = self.font(8, bold=True)
        pad = 1.2 * self.mm
        caption = self.font(11, bold=True)
        self.need(self.text_height(table.title, caption, self.width) + 20 * self.mm)
        self.paragraph(table.title, caption, space=1.5)
        widths = self._widths(table, font, bold, pad)
        header_h = (
            max(
                self.text_height(c.header, bold, w - 2 * pad)
                for c, w in zip(table.columns, widths, strict=True)
            )
            + 2 * pad
        )

        def header_op(y: float) -> Op:
            def draw(p: QPainter) -> None:
                x = 0.0
                for col, w in zip(table.columns, widths, strict=True):
                    cell = QRectF(x, y, w, header_h)
                    p.fillRect(cell, _HEADER_BG)
                    p.setPen(QPen(_GRID, 0.15 * self.mm))
                    p.drawRect(cell)
                    p.setFont(bold)
                    p.setPen(QColor("black"))
                    flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
                    p.drawText(cell.adjusted(pad, pad, -pad, -pad), int(flags), col.header)
                    x += w

            return draw

        self.need(header_h * 2)
        self.add(header_op(self.y))
        self.y += header_h
        if not table.rows:
            self.paragraph(table.empty_text, font)
        for index, row in enumerate(table.rows):
            is_total = index in table.totals
            row_font = bold if is_total else font
            texts = [c.shown(v) for c, v in zip(table.columns, row, strict=True)]
            row_h = (
                max(
                    self.text_height(t, row_font, w - 2 * pad)
                    for t, w in zip(texts, widths, strict=True)
                )
                + 2 * pad
            )
            if self.y + row_h > self.bottom:
                self.new_page()
                self.add(header_op(self.y))  # the header again on each page
                self.y += header_h
            self.add(self._row_op(table.columns, texts, widths, self.y, row_h, row_font, is_total))
            self.y += row_h
        self.y += 5 * self.mm

    def _row_op(
        self,
        columns: Sequence[Column],
        texts: Sequence[str],
        widths: Sequence[float],
        y: float,
        height: float,
        font: QFont,
        shaded: bool,
    ) -> Op:
        pad = 1.2 * self.mm

        def draw(p: QPainter) -> None:
            x = 0.0
            for col, text, w in zip(columns, texts, widths, strict=True):
                cell = QRectF(x, y, w, height)
                if shaded:
                    p.fillRect(cell, _TOTAL_BG)
                p.setPen(QPen(_GRID, 0.15 * self.mm))
                p.drawRect(cell)
                p.setFont(font)
                p.setPen(QColor("black"))
                horizontal = (
                    Qt.AlignmentFlag.AlignLeft
                    if col.kind == "text"
                    else Qt.AlignmentFlag.AlignRight
                )
                flags = horizontal | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
                p.drawText(cell.adjusted(pad, pad, -pad, -pad), int(flags), text)
                x += w

        return draw

    def _widths(self, table: Table, font: QFont, bold: QFont, pad: float) -> list[float]:
        """Column widths by content (headers wrap at about six characters), fit to the page."""
        fm, fm_bold = self.metrics(font), self.metrics(bold)
        wanted = []
        for index, col in enumerate(table.columns):
            content = max(
                (fm_bold.horizontalAdvance(col.shown(r[index])) for r in table.rows), default=0.0
            )
            header = min(
                fm_bold.horizontalAdvance(col.header), fm.horizontalAdvance("六个汉字宽度")
            )
            wanted.append(max(content, header, 8 * self.mm) + 2 * pad + 1)
        total = sum(wanted)
        scale = self.width / total if total > self.width else 1.0
        return [w * scale for w in wanted]

    def render(self, painter: QPainter, writer: QPdfWriter, footer: str) -> None:
        font = self.font(8)
        total = len(self.pages)
        for number, ops in enumerate(self.pages, start=1):
            if number > 1:
                writer.newPage()
            for op in ops:
                op(painter)
            rect = QRectF(0, self.height - self.footer_h * 0.7, self.width, self.footer_h * 0.7)
            painter.setFont(font)
            painter.setPen(QColor("#595959"))
            painter.drawText(
                rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), footer
            )
            painter.drawText(
                rect,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                f"第 {number} 页,共 {total} 页",
            )


# Default charts: simple grouped bar charts drawn with QPainter.


def default_charts(book: ReportBook, family: str | None = None) -> list[Chart]:
    """Bar charts of the counted targets by prefecture and of indicators against target."""
    _ensure_app()
    family = family or font_family()
    summary = book.summary
    charts: list[Chart] = []
    counted = [t for t in summary.get("targets", []) if t.get("by_prefecture")]
    if counted:
        names = [p["name"] for p in counted[0]["by_prefecture"]]
        series = [(t["name"], [float(p["count"]) for p in t["by_prefecture"]]) for t in counted]
        charts.append(
            (
                f"各市(州){'和'.join(t['name'].removeprefix('知识产权') for t in counted)}数量",
                bar_chart(names, series, family, unit="个"),
            )
        )
    indicators = [
        i for i in summary.get("indicators", []) if i.get("value") is not None and i.get("target")
    ]
    if indicators:
        names = [i["name"] for i in indicators]
        series = [
            ("实际值", [100 * i["value"] / i["target"] for i in indicators]),
            (
                "计划进度值",
                [100 * (i["planned"] or 0) / i["target"] for i in indicators],
            ),
            ("目标值", [100.0 for _ in indicators]),
        ]
        charts.append(
            (
                f"核心指标实际值与目标值({summary.get('year', '')}年,以目标值为 100%)",
                bar_chart(names, series, family, unit="%"),
            )
        )
    return charts


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    family: str,
    unit: str = "",
    size: tuple[int, int] = (2000, 1100),
) -> QImage:
    """A grouped bar chart with a legend and value labels, as an image."""
    _ensure_app()
    width, height = size
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont(family)
    font.setPixelSize(26)
    small = QFont(family)
    small.setPixelSize(22)
    left, right, top, bottom = 110.0, 30.0, 90.0, 190.0
    plot = QRectF(left, top, width - left - right, height - top - bottom)
    peak = max((v for _, values in series for v in values), default=0.0)
    peak = _nice(peak * 1.1 if peak > 0 else 1.0)
    # Axis and grid
    p.setFont(small)
    for step in range(6):
        value = peak * step / 5
        y = plot.bottom() - plot.height() * step / 5
        p.setPen(QPen(QColor("#D9D9D9"), 2))
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        p.setPen(QColor("#404040"))
        p.drawText(
            QRectF(0, y - 16, left - 12, 32),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            f"{value:g}{unit}",
        )
    p.setPen(QPen(QColor("#404040"), 3))
    p.drawLine(plot.bottomLeft(), plot.bottomRight())
    # Bars
    groups = max(len(categories), 1)
    group_w = plot.width() / groups
    bar_w = group_w * 0.8 / max(len(series), 1)
    for g, name in enumerate(categories):
        x0 = plot.left() + g * group_w + group_w * 0.1
        for s, (_, values) in enumerate(series):
            value = values[g] if g < len(values) else 0.0
            bar_h = plot.height() * max(value, 0.0) / peak
            rect = QRectF(x0 + s * bar_w, plot.bottom() - bar_h, bar_w * 0.92, bar_h)
            p.fillRect(rect, _SERIES[s % len(_SERIES)])
            p.setPen(QColor("#202020"))
            p.setFont(small)
            label = f"{value:.0f}" if unit != "%" else f"{value:.0f}%"
            p.drawText(
                QRectF(rect.left() - 20, rect.top() - 30, rect.width() + 40, 28),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                label,
            )
        p.setFont(font)
        p.setPen(QColor("#202020"))
        p.drawText(
            QRectF(x0 - group_w * 0.1, plot.bottom() + 10, group_w, bottom - 20),
            int(
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            ),
            name,
        )
    # Legend
    p.setFont(font)
    x = left
    for s, (label, _) in enumerate(series):
        p.fillRect(QRectF(x, 30, 34, 34), _SERIES[s % len(_SERIES)])
        p.setPen(QColor("#202020"))
        text_w = p.fontMetrics().horizontalAdvance(label)
        p.drawText(QPointF(x + 44, 58), label)
        x += 44 + text_w + 50
    p.end()
    return image


def _nice(value: float) -> float:
    """A round number at or above ``value`` for the top of the axis."""
    magnitude = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude
