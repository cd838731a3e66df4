"""The dashboard: counts, indicators, activity and reporting of a scope, drawn with pyqtgraph.

pyqtgraph is imported here only; the page is built on its first visit, so start-up
never loads it. The figures are computed off the GUI thread by
:func:`jlip_desk.services.dashboard.build_dashboard` and drawn by :class:`ChartSet`,
which :func:`render_chart_images` also uses to hand the same charts to the PDF report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QCursor, QFont, QImage
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.periods import Period, parse_period
from jlip_desk.services.dashboard import Dashboard, build_dashboard
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.errors import show_error
from jlip_desk.ui.tasks import BackgroundTask

pg.setConfigOptions(antialias=True, background="w", foreground="k")


def axis_name(name: str) -> str:
    """延边朝鲜族自治州 -> 延边州, 前郭尔罗斯蒙古族自治县 -> 前郭县: a tick label that fits
    (pyqtgraph drops a label that would overlap its neighbour); tips keep full names."""
    if "族自治" in name and len(name) > 4:
        return name[:2] + name[-1]
    return name


def _short(name: str) -> str:
    """知识产权维权援助工作站 -> 工作站: the kind of station, for a subtitle."""
    for kind in ("工作站", "服务网点", "网点"):
        if name.endswith(kind):
            return kind
    return name


# Qt falls back along this list (and then to any font with the glyphs).
CJK_FAMILIES = [
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "SimHei",
    "WenQuanYi Micro Hei",
]
_CSS_FAMILY = ", ".join(f"'{f}'" for f in CJK_FAMILIES)
COLORS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
]
CHART_SIZE = (560, 340)


def cjk_font(points: int = 9) -> QFont:
    font = QFont()
    font.setFamilies(CJK_FAMILIES)
    font.setPointSize(points)
    return font


def _num(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "无数据"
    if decimals == 0 and float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{decimals}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


class Chart(pg.PlotWidget):  # type: ignore[misc]
    """One figure: a Chinese title, axis labels with units, a legend, hover tips, PNG export."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setMinimumSize(420, 280)
        self.plotItem.showGrid(x=False, y=True, alpha=0.25)
        self.plotItem.setMenuEnabled(False)
        self.plotItem.vb.setMouseEnabled(x=False, y=False)
        self.plotItem.hideButtons()  # no auto-range "A": the view is fixed, not zoomed
        for name in ("left", "bottom"):
            axis = self.plotItem.getAxis(name)
            axis.setTickFont(cjk_font(8))
            # No "(x0.001)" on a category or count axis: the ticks say the numbers.
            axis.enableAutoSIPrefix(False)
        # Across the top, two to a row, above the data: finish() leaves it room.
        self.legend = self.plotItem.addLegend(
            offset=(8, 4), labelTextSize="8pt", brush=pg.mkBrush(255, 255, 255, 210), colCount=2
        )
        self.title = ""
        self._y_max: float | None = None  # the highest bar or point, for the headroom
        self._counts = False  # the values are whole numbers
        self._labelled = False  # value labels stand above the bars
        self._head: tuple[object, ...] = ()
        self._boxes: list[tuple[float, float, float, float, str]] = []  # x0, x1, y0, y1, tip
        self._points: list[tuple[float, float, str]] = []
        self._bar_groups: list[str] = []  # the code behind each bar position, for clicks
        self.on_bar_clicked: Callable[[int], None] | None = None
        self.plotItem.vb.sigResized.connect(lambda *_: self._fit_height())
        self.scene().sigMouseMoved.connect(self._moved)
        self.scene().sigMouseClicked.connect(self._clicked)

    # ------------------------------------------------------------- building
    def reset(
        self, title: str, subtitle: str, x_label: str, y_label: str, ticks: Sequence[str]
    ) -> None:
        self.plotItem.clear()
        self.legend.clear()
        self._labelled = False
        self._boxes.clear()
        self._points.clear()
        self.title = title
        head = (title, subtitle, x_label, y_label, tuple(ticks))
        if head == self._head:  # unchanged words need no new layout (a refresh)
            return
        self._head = head
        self.plotItem.setTitle(
            f'<span style="font-family:{_CSS_FAMILY}; font-size:11pt; font-weight:bold">'
            f'{title}</span><br><span style="font-family:{_CSS_FAMILY}; font-size:8pt; '
            f'color:#555">{subtitle}</span>'
        )
        style = {"font-family": _CSS_FAMILY, "font-size": "9pt"}
        self.plotItem.setLabel("bottom", x_label, **style)
        self.plotItem.setLabel("left", y_label, **style)
        step = max(1, math.ceil(len(ticks) / 10))
        major = [(i, t) for i, t in enumerate(ticks) if i % step == 0]
        minor = [(i, t) for i, t in enumerate(ticks) if i % step != 0]
        self.plotItem.getAxis("bottom").setTicks([major, minor])
        self.plotItem.setXRange(-0.6, max(len(ticks) - 0.4, 0.6), padding=0)

    def bars(
        self,
        xs: Sequence[float],
        heights: Sequence[float],
        *,
        width: float,
        color: str,
        name: str,
        tips: Sequence[str],
        bottoms: Sequence[float] | None = None,
    ) -> None:
        y0 = list(bottoms) if bottoms is not None else [0.0] * len(xs)
        item = pg.BarGraphItem(
            x=list(xs), height=list(heights), width=width, y0=y0, brush=color, pen=pg.mkPen("w")
        )
        self.plotItem.addItem(item)
        self.legend.addItem(item, name)
        for x, h, b, tip in zip(xs, heights, y0, tips, strict=True):
            self._boxes.append((x - width / 2, x + width / 2, b, b + h, tip))

    def line(
        self,
        xs: Sequence[float],
        ys: Sequence[float | None],
        *,
        color: str,
        name: str,
        tips: Sequence[str],
        dashed: bool = False,
        symbol: str | None = "o",
    ) -> None:
        pts = [(x, y, t) for x, y, t in zip(xs, ys, tips, strict=True) if y is not None]
        if not pts:
            return
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        item = self.plotItem.plot(
            [p[0] for p in pts],
            [p[1] for p in pts],
            pen=pg.mkPen(color, width=2, style=style),
            symbol=symbol,
            symbolSize=6,
            symbolBrush=color,
            symbolPen=color,
            name=name,
        )
        item.setZValue(5)
        self._points.extend((float(x), float(y), t) for x, y, t in pts)

    def label(self, x: float, y: float, text: str) -> None:
        item = pg.TextItem(text, color="#333", anchor=(0.5, 1.0))
        item.setFont(cjk_font(7))
        item.setPos(x, y)
        self.plotItem.addItem(item)
        self._labelled = True

    def finish(self, y_max: float, *, counts: bool = False) -> None:
        """Scale the value axis so the highest bar or point (and its label) stays below
        the legend: the room is worked out in pixels, again whenever the chart resizes.
        ``counts``: whole numbers (stations, units), never ticked at 0.5."""
        self._y_max = max(y_max, 1.0)
        self._counts = counts
        self._fit_height()

    def _fit_height(self) -> None:
        if self._y_max is None:
            return
        rows = self._fit_legend()
        height = self.plotItem.vb.height()
        # The legend's own height once laid out (about 22 px a row before), its offset
        # and a gap; two lines of 7 pt above a labelled bar.
        legend = (self.legend.height() or 22 * rows) + 4 + 8 if rows else 0
        reserve = legend + (26 if self._labelled else 0) + 6
        if height > 2 * reserve:
            top = self._y_max / (1 - reserve / height)
        else:  # not laid out yet: a proportion, corrected on the first resize
            top = self._y_max * (1.12 + 0.14 * rows)
        self.plotItem.setYRange(0, top, padding=0)
        axis = self.plotItem.getAxis("left")
        if self._counts and top <= 10:
            axis.setTickSpacing(1, 1)  # a few stations: 1, 2, 3, not 0.5, 1.5
        else:
            axis.setTickSpacing()  # pyqtgraph's own spacing

    def _fit_legend(self) -> int:
        """As many legend columns as fit across the plot (fewer rows over the data); the
        rows it takes."""
        count = len(self.legend.items)
        if not count:
            return 0
        width = self.plotItem.vb.width()
        for columns in range(min(count, 6), 1, -1):
            self.legend.setColumnCount(columns)  # lays the legend out again, and sizes it
            if width <= 0 or self.legend.boundingRect().width() <= width - 16:
                break
        return -(-count // self.legend.columnCount)

    # ------------------------------------------------------------- reading
    def hover_text(
        self, x: float, y: float, pixel: tuple[float, float] | None = None
    ) -> str | None:
        """The exact value under a point given in data coordinates."""
        if pixel is None:
            pixel = self._pixel()
        best: tuple[float, str] | None = None
        for px, py, tip in self._points:
            dx, dy = (px - x) / pixel[0], (py - y) / pixel[1]
            d = math.hypot(dx, dy)
            if d <= 8 and (best is None or d < best[0]):
                best = (d, tip)
        if best is not None:
            return best[1]
        for x0, x1, y0, y1, tip in self._boxes:
            if x0 <= x <= x1 and min(y0, y1) <= y <= max(y0, y1):
                return tip
        return None

    def tips(self) -> list[str]:
        return [b[4] for b in self._boxes] + [p[2] for p in self._points]

    def _pixel(self) -> tuple[float, float]:
        """Data units per pixel, along x and y."""
        size = self.plotItem.vb.viewPixelSize()
        return (max(size[0], 1e-9), max(size[1], 1e-9))

    def _moved(self, pos: QPointF) -> None:
        vb = self.plotItem.vb
        if not vb.sceneBoundingRect().contains(pos):
            QToolTip.hideText()
            return
        point = vb.mapSceneToView(pos)
        text = self.hover_text(point.x(), point.y())
        if text:
            QToolTip.showText(QCursor.pos(), text, self)
        else:
            QToolTip.hideText()

    def _clicked(self, event: Any) -> None:
        if self.on_bar_clicked is None:
            return
        point = self.plotItem.vb.mapSceneToView(event.scenePos())
        index = round(point.x())
        if abs(point.x() - index) <= 0.45:
            self.on_bar_clicked(index)

    # ------------------------------------------------------------- export
    def image(self) -> QImage:
        return self.grab().toImage()

    def export_png(self, path: str | Path) -> bool:
        target = Path(path)
        if target.suffix.lower() != ".png":
            target = target.with_suffix(".png")
        return bool(self.image().save(str(target)))


class ChartSet:
    """Every chart of the dashboard, filled from one :class:`Dashboard`."""

    def __init__(self, parent: QWidget | None = None):
        self.counts = Chart("counts", parent)
        self.by_group = Chart("by_group", parent)
        self.host_type = Chart("host_type", parent)
        self.activity = Chart("activity", parent)
        self.success = Chart("mediation", parent)
        self.reporting = Chart("reporting", parent)
        self.indicators: list[Chart] = []
        self.parent = parent
        self.groups: list[Any] = []  # the Group of each bar position of by_group

    def charts(self) -> list[Chart]:
        return [
            self.counts,
            self.by_group,
            self.host_type,
            *self.indicators,
            self.activity,
            self.success,
            self.reporting,
        ]

    def fill(self, dash: Dashboard, activity_field: str | None = None) -> None:
        self._counts(dash)
        self._by_group(dash)
        self._host_type(dash)
        while len(self.indicators) < len(dash.indicators):
            self.indicators.append(Chart(f"indicator{len(self.indicators)}", self.parent))
        for chart, ind in zip(self.indicators, dash.indicators, strict=False):
            self._indicator(chart, dash, ind)
        self._activity(dash, activity_field)
        self._success(dash)
        self._reporting(dash)

    # --------------------------------------------------------------- charts
    def _scope(self, dash: Dashboard) -> str:
        return f"{dash.org['name']} · 截至{dash.period_label}"

    def _counts(self, dash: Dashboard) -> None:
        c = self.counts
        units = dash.counts[0].units if dash.counts else 0
        sub = f"{self._scope(dash)};按 {units} 个县级单位登记册统计"
        if not dash.is_province:
            known = [s for s in dash.counts if s.share_of_province is not None]
            if known:
                sub += ";" + ",".join(
                    f"{_short(s.name)}占全省 {_pct(s.share_of_province)}" for s in known
                )
            else:
                sub += ";本机只有本级数据,不计算占全省比例"
        kinds = "与".join(_short(s.name) for s in dash.counts) or "登记记录"
        c.reset(f"{kinds}累计数量(按季度)", sub, "季度", "数量(个)", dash.quarters)
        xs = list(range(len(dash.quarters)))
        top = 1.0
        for i, s in enumerate(dash.counts):
            color = COLORS[i]
            tips = [
                f"{q} 末 {s.name}:{n} {s.unit}"
                for q, n in zip(dash.quarters, s.cumulative, strict=True)
            ]
            c.line(
                xs, [float(n) for n in s.cumulative], color=color, name=f"{s.name}(实际)", tips=tips
            )
            top = max(top, *s.cumulative)
            if s.target is not None:
                ptips = [
                    f"{q} 规划进度 {s.name}:{_num(p, 1)} {s.unit}"
                    f"(目标 {s.target:g},{s.target_year}年)"
                    for q, p in zip(dash.quarters, s.planned, strict=True)
                ]
                c.line(
                    xs,
                    s.planned,
                    color=color,
                    name=f"{s.name}(目标路径,至{s.target:g})",
                    tips=ptips,
                    dashed=True,
                    symbol=None,
                )
                top = max(top, s.target)
        c.finish(top, counts=True)

    def _by_group(self, dash: Dashboard) -> None:
        c = self.by_group
        first = dash.counts[0] if dash.counts else None
        groups = first.by_group if first else []
        self.groups = list(groups)
        level = {"province": "市(州)", "prefecture": "县(市、区)", "county": "本县"}[
            dash.org["level"]
        ]
        hint = ";点击市(州)柱可查看其县(市、区)" if dash.is_province else ""
        c.reset(
            f"按{level}分布(截至{dash.period_label})",
            f"{self._scope(dash)};标注为占本级合计的比例{hint}",
            level,
            "数量(个)",
            [axis_name(g.name) for g in groups],
        )
        n = max(len(dash.counts), 1)
        width = 0.8 / n
        top = 1.0
        for i, s in enumerate(dash.counts):
            xs = [j - 0.4 + width * (i + 0.5) for j in range(len(s.by_group))]
            heights = [float(g.count) for g in s.by_group]
            tips = [f"{g.name} {s.name}:{g.count} {s.unit}(占 {_pct(g.share)})" for g in s.by_group]
            c.bars(xs, heights, width=width * 0.95, color=COLORS[i], name=s.name, tips=tips)
            for x, g in zip(xs, s.by_group, strict=True):
                if g.count:
                    c.label(x, g.count, f"{g.count}\n{_pct(g.share)}")
            top = max(top, *heights) if heights else top
        c.finish(top, counts=True)

    def _host_type(self, dash: Dashboard) -> None:
        c = self.host_type
        types: list[str] = []
        for s in dash.counts:
            types.extend(t for t, _ in s.by_host_type if t not in types)
        c.reset(
            f"按依托单位类型(截至{dash.period_label})",
            self._scope(dash),
            "依托单位类型",
            "数量(个)",
            types,
        )
        n = max(len(dash.counts), 1)
        width = 0.8 / n
        top = 1.0
        for i, s in enumerate(dash.counts):
            have = dict(s.by_host_type)
            xs = [j - 0.4 + width * (i + 0.5) for j in range(len(types))]
            heights = [float(have.get(t, 0)) for t in types]
            tips = [
                f"{t} {s.name}:{have.get(t, 0)} {s.unit}"
                f"(占 {_pct(have.get(t, 0) / s.count if s.count else None)})"
                for t in types
            ]
            c.bars(xs, heights, width=width * 0.95, color=COLORS[i], name=s.name, tips=tips)
            top = max(top, *heights) if heights else top
        c.finish(top, counts=True)

    def _indicator(self, c: Chart, dash: Dashboard, ind: Any) -> None:
        d = ind.decimals
        years = sorted({*ind.years, *ind.planned_years})
        pos = {y: i for i, y in enumerate(years)}
        cov = ind.coverage[-1]
        if dash.is_province:
            parts = [f"{dash.year}年 {_num(ind.value, d)} {ind.unit}"]
            if ind.planned_value is not None:
                parts.append(f"规划 {_num(ind.planned_value, d)}")
            if ind.growth_needed is not None:
                parts.append(f"还需年均增长 {_pct(ind.growth_needed)}")
            parts.append(f"覆盖 {cov.text()}")
            title = f"{ind.name}({ind.status_label})"
        else:
            parts = [
                f"{dash.year}年 {_num(ind.value, d)} {ind.unit}",
                f"全省 {_num(ind.province_value, d)}",
            ]
            if ind.share_of_province is not None:
                parts.append(f"占全省 {_pct(ind.share_of_province)}")
            parts.append(f"覆盖 {cov.text()}")
            title = f"{ind.name}({dash.org['name']})"
        c.reset(title, ";".join(parts), "年份", f"指标值({ind.unit})", [str(y) for y in years])
        top = 0.0
        xs = [pos[y] for y in ind.years]
        tips = [
            f"{y}年 实际 {_num(v, d)} {ind.unit}({cv.text()})"
            for y, v, cv in zip(ind.years, ind.actual, ind.coverage, strict=True)
        ]
        c.line(xs, ind.actual, color=COLORS[0], name="实际值", tips=tips)
        top = max([top, *(v for v in ind.actual if v is not None)])
        if ind.planned_years:
            rate = f"年均 {_pct(ind.growth_rate)}" if ind.growth_rate else "目标值"
            ptips = [
                f"{y}年 规划 {_num(p, d)} {ind.unit}({rate})"
                for y, p in zip(ind.planned_years, ind.planned, strict=True)
            ]
            c.line(
                [pos[y] for y in ind.planned_years],
                ind.planned,
                color=COLORS[3],
                name=f"规划路径({ind.baseline_year}基期{_num(ind.baseline, d)})",
                tips=ptips,
                dashed=True,
            )
            top = max([top, *(v for v in ind.planned if v is not None)])
        elif ind.province_value is not None and ind.aggregation == "ratio":
            c.line(
                xs[-1:],
                [ind.province_value],
                color=COLORS[7],
                name="全省(参考)",
                tips=[f"{dash.year}年 全省 {_num(ind.province_value, d)} {ind.unit}"],
            )
            top = max(top, ind.province_value)
        c.finish(top)

    def _activity(self, dash: Dashboard, field: str | None) -> None:
        c = self.activity
        if not dash.activity:
            c.reset("服务活动", "无季度活动表", "季度", "数量", [])
            return
        act = dash.activity[0]
        fid, label, unit = next((f for f in act.fields if f[0] == field), act.fields[0])
        cov = act.coverage[-1]
        c.reset(
            f"{label}(按季度,按{act.group_kind}堆叠)",
            f"{self._scope(dash)};{dash.quarters[-1]} 覆盖 {cov.text()}",
            "季度",
            f"{label}({unit or '件'})",
            dash.quarters,
        )
        xs = list(range(len(dash.quarters)))
        bottoms = [0.0] * len(xs)
        for i, (code, name) in enumerate(act.groups):
            values = act.values[fid][code]
            tips = [
                f"{q} {name} {label}:{_num(v)} {unit}(合计 {_num(t)};覆盖 {cv.text()})"
                for q, v, t, cv in zip(
                    dash.quarters, values, act.totals[fid], act.coverage, strict=True
                )
            ]
            c.bars(
                xs,
                values,
                width=0.7,
                color=COLORS[i % len(COLORS)],
                name=axis_name(name)[:12],
                tips=tips,
                bottoms=bottoms,
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        c.finish(max(bottoms, default=1.0), counts=True)

    def _success(self, dash: Dashboard) -> None:
        c = self.success
        act = dash.activity[0] if dash.activity else None
        cov = act.coverage[-1].text() if act else "无数据"
        c.reset(
            "调解纠纷与调解成功率(按季度)",
            f"{self._scope(dash)};成功率 = 调解成功之和 / 调解纠纷之和;"
            f"{dash.quarters[-1]} 覆盖 {cov}",
            "季度",
            "调解成功率(%)",
            dash.quarters,
        )
        if act is None:
            return
        rates = [None if r is None else r * 100 for r in act.success_rate]
        good = act.totals.get("mediations_successful", [0.0] * len(rates))
        all_ = act.totals.get("mediations", [0.0] * len(rates))
        tips = [
            f"{q} 调解成功率 {_num(r, 1)}%(成功 {_num(g)} / 调解 {_num(a)} 件;覆盖 {cv.text()})"
            for q, r, g, a, cv in zip(dash.quarters, rates, good, all_, act.coverage, strict=True)
        ]
        c.line(list(range(len(rates))), rates, color=COLORS[2], name="调解成功率", tips=tips)
        c.plotItem.setYRange(0, 110, padding=0)

    def _reporting(self, dash: Dashboard) -> None:
        c = self.reporting
        r = dash.reporting
        cur = dash.current_reporting
        c.reset(
            "季度报送完整性与及时性",
            f"{dash.org['name']};{dash.period_label}:已报 {cur['handed_in']}/{cur['expected']},"
            f"逾期 {cur['counts'].get('overdue', 0)}",
            "季度",
            "单位数(个)",
            r.periods,
        )
        xs = list(range(len(r.periods)))
        comp = r.completeness
        tips = [
            f"{p} 已报 {h}/{e} 个单位(完整率 {_pct(k)})"
            for p, h, e, k in zip(r.periods, r.handed_in, r.expected, comp, strict=True)
        ]
        c.bars(
            [x - 0.2 for x in xs],
            [float(h) for h in r.handed_in],
            width=0.38,
            color=COLORS[0],
            name="已报送",
            tips=tips,
        )
        otips = [
            f"{p} 逾期未报送 {o} 个单位(应报 {e})"
            for p, o, e in zip(r.periods, r.overdue, r.expected, strict=True)
        ]
        c.bars(
            [x + 0.2 for x in xs],
            [float(o) for o in r.overdue],
            width=0.38,
            color=COLORS[3],
            name="逾期未报送",
            tips=otips,
        )
        etips = [f"{p} 应报送 {e} 个单位" for p, e in zip(r.periods, r.expected, strict=True)]
        c.line(
            xs,
            [float(e) for e in r.expected],
            color=COLORS[7],
            name="应报送",
            tips=etips,
            dashed=True,
            symbol=None,
        )
        c.finish(max(r.expected, default=1), counts=True)


def _load(path: Any, period: Period | None, org_code: str | None, plan_id: str | None) -> Dashboard:
    """The dashboard's data (of the window's plan), off the GUI thread, on a connection
    of its own."""
    store = Store.open(path, migrate=False)
    try:
        return build_dashboard(store, period, org_code, plan_id=plan_id)
    finally:
        store.close()


class DashboardPage(QWidget):
    """The charts of the bound org unit (or the province), with drill-down to a prefecture."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        org = ctx.org
        self.home = org.code if org is not None else PROVINCE_CODE
        self.view_org = self.home
        self.dashboard: Dashboard | None = None
        self.loading = False
        self.loads = 0  # finished loads (tests, the benchmark)
        self._again = False
        self.title = QLabel("正在读取图表数据…")
        self.period_combo = QComboBox()
        self.period_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.field_combo = QComboBox()
        self.back_button = QPushButton("返回上一级")
        self.back_button.setVisible(False)
        self.back_button.clicked.connect(self.go_back)
        top = QHBoxLayout()
        top.addWidget(QLabel("报告期:"))
        top.addWidget(self.period_combo)
        top.addWidget(QLabel("服务活动指标:"))
        top.addWidget(self.field_combo)
        top.addStretch(1)
        top.addWidget(self.back_button)
        self.report_button = QPushButton("导出汇总报告(&X)…")
        self.report_button.setToolTip(
            "将所示单位和报告期的进度报告导出为 PDF(含以上图表,可打印)或 Excel 工作簿"
        )
        self.report_button.clicked.connect(self.export_report)
        top.addWidget(self.report_button)
        self.charts = ChartSet()
        self.charts.by_group.on_bar_clicked = self.bar_clicked
        self.grid = QGridLayout()
        body = QWidget()
        body.setLayout(self.grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.body = body
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self._placed: set[str] = set()
        self._place_charts()
        self.period_combo.currentIndexChanged.connect(self.refresh)
        self.field_combo.currentIndexChanged.connect(self._field_changed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)  # a burst of edits reads once
        self._timer.timeout.connect(self.refresh)
        ctx.data_changed.connect(self._data_changed)
        QTimer.singleShot(0, self, self.refresh)

    def _place_charts(self) -> None:
        for chart in self.charts.charts():
            if chart.key in self._placed:
                continue
            n = len(self._placed)
            self._placed.add(chart.key)
            card = QWidget()
            box = QVBoxLayout(card)
            box.setContentsMargins(0, 0, 0, 0)
            chart.setParent(card)
            box.addWidget(chart, 1)
            button = QPushButton("导出 PNG…")
            button.clicked.connect(lambda _=False, c=chart: self._export_clicked(c))
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(button)
            box.addLayout(row)
            self.grid.addWidget(card, n // 2, n % 2)

    # ------------------------------------------------------------- loading
    def _data_changed(self, _kinds: tuple[str, ...]) -> None:
        self._timer.start()

    def export_report(self) -> None:
        """The consolidated report of what the page shows, as PDF or workbook."""
        from PySide6.QtCore import QSettings
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QFileDialog

        from jlip_desk.errors import JlipError
        from jlip_desk.ui.errors import show_error

        dash = self.dashboard
        if dash is None:
            return
        settings = QSettings()
        folder = settings.value("dashboard/report_folder")
        start = Path(folder) if isinstance(folder, str) else Path.home()
        name = f"{dash.org['name']}_{dash.period}_进度报告.pdf"
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            self,
            "导出汇总报告",
            str(start / name),
            "PDF 文件 (*.pdf);;Excel 工作簿 (*.xlsx)",
        )
        if not chosen:
            return
        target = Path(chosen)
        if target.suffix.lower() not in (".pdf", ".xlsx"):
            target = target.with_suffix(".xlsx" if "xlsx" in chosen_filter else ".pdf")
        settings.setValue("dashboard/report_folder", str(target.parent))
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if target.suffix.lower() == ".pdf":
                from jlip_desk.ui.report_pdf import export_report_pdf

                export_report_pdf(self.ctx.store, dash.period, dash.org["code"], target)
            else:
                from jlip_desk.services.report_book import export_report_book

                export_report_book(self.ctx.store, dash.period, dash.org["code"], target)
        except JlipError as exc:
            show_error(self, exc, "导出汇总报告失败")
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.last_report = target
        status = getattr(self.window(), "statusBar", None)
        if callable(status):
            status().showMessage(f"已导出汇总报告:{target}", 10_000)

    last_report: Path | None = None

    def selected_period(self) -> Period | None:
        data = self.period_combo.currentData()
        return parse_period(data) if data else None

    def refresh(self) -> None:
        if self.ctx.closed:
            return
        if self.loading:
            self._again = True
            return
        self.loading = True
        task = BackgroundTask(
            _load,
            self.ctx.store.path,
            self.selected_period(),
            self.view_org,
            self.ctx.viewed_plan_id,
        )
        task.signals.done.connect(self._show)
        task.signals.failed.connect(self._failed)
        task.start()

    def _failed(self, exc: JlipError) -> None:
        self.loading = False
        show_error(self, exc)

    def _finish_load(self) -> bool:
        self.loading = False
        self.loads += 1
        if self._again:
            self._again = False
            self.refresh()
            return True
        return False

    def _show(self, dash: Dashboard) -> None:
        if self._finish_load():
            return
        if self.period_combo.count() == 0:
            from jlip_desk.ui.overview_page import period_options

            latest = parse_period(dash.period)
            self.period_combo.blockSignals(True)
            for p in period_options(dash.plan_years[0], dash.plan_years[1], latest):
                self.period_combo.addItem(p.label, str(p))
            self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(dash.period)))
            self.period_combo.blockSignals(False)
        if self.field_combo.count() == 0 and dash.activity:
            self.field_combo.blockSignals(True)
            for fid, label, _unit in dash.activity[0].fields:
                self.field_combo.addItem(label, fid)
            self.field_combo.blockSignals(False)
        self.dashboard = dash
        self.charts.fill(dash, self.field_combo.currentData())
        self._place_charts()
        self.back_button.setVisible(self.view_org != self.home)
        demo = "(含演示数据)" if dash.demo_data else ""
        self.title.setText(f"<h2>{dash.org['name']} · {dash.period_label} 进度图表{demo}</h2>")

    def _field_changed(self) -> None:
        if self.dashboard is not None:
            self.charts._activity(self.dashboard, self.field_combo.currentData())

    # ------------------------------------------------------------ drilling
    def bar_clicked(self, index: int) -> None:
        """A click on the bars of the distribution chart: a prefecture opens its counties."""
        if 0 <= index < len(self.charts.groups):
            group = self.charts.groups[index]
            if group.drillable:
                self.drill_down(group.code)

    def drill_down(self, org_code: str) -> None:
        self.view_org = org_code
        self.refresh()

    def go_back(self) -> None:
        dash = self.dashboard
        parent = dash.parent["code"] if dash is not None and dash.parent else self.home
        self.view_org = self.home if self.view_org == self.home else parent
        self.refresh()

    # ------------------------------------------------------------- export
    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts.charts() if c.key == key)

    def export_png(self, key: str, path: str | Path) -> bool:
        return self.chart(key).export_png(path)

    def _export_clicked(self, chart: Chart) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "导出图表", f"{chart.title or chart.key}.png", "PNG 图片 (*.png)"
        )
        if name and not chart.export_png(name):
            show_error(self, JlipError(f"无法写入图片文件“{name}”", allowed="换一个文件夹再试"))


def render_chart_images(
    ctx_or_store: AppContext | Store,
    org_code: str | None,
    period: Period | str | None,
    size: tuple[int, int] = CHART_SIZE,
) -> list[tuple[str, QImage]]:
    """The dashboard's charts as images, ``(title, image)`` in page order, for the PDF report.

    Needs a QApplication. Reads on the calling thread.
    """
    store = ctx_or_store.store if isinstance(ctx_or_store, AppContext) else ctx_or_store
    chosen = parse_period(period) if isinstance(period, str) else period
    dash = build_dashboard(store, chosen, org_code)
    holder = QWidget()
    holder.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    charts = ChartSet(holder)
    charts.fill(dash)
    out: list[tuple[str, QImage]] = []
    holder.resize(*size)
    holder.show()
    for chart in charts.charts():
        chart.setParent(holder)
        chart.setGeometry(0, 0, *size)
        chart.show()
        app = QApplication.instance()
        if app is not None:
            app.processEvents()
        out.append((chart.title, chart.image()))
        chart.hide()
    holder.close()
    holder.deleteLater()
    return out


__all__ = ["Chart", "ChartSet", "DashboardPage", "cjk_font", "render_chart_images"]
