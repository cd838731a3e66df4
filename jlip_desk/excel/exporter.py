"""Export one org unit's workbook for a period: a blank template or a filled submission."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from jlip_desk import __version__
from jlip_desk.excel.data import collect, fingerprint
from jlip_desk.excel.layout import FORMAT_VERSION, SheetKind, file_name, sheets_for
from jlip_desk.excel.meta import Meta
from jlip_desk.excel.writer import Instructions, write_workbook
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    org_code: str
    period: str
    rows: int
    fingerprint: str


def _status(
    store: Store, plan: Plan, org: OrgUnit, period: Period
) -> tuple[str | None, str | None]:
    row = store.conn.execute(
        "SELECT status, reason FROM period_status "
        "WHERE plan_id = ? AND org_code = ? AND period = ?",
        (plan.id, org.code, str(period)),
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def _instructions(
    store: Store, plan: Plan, org: OrgUnit, period: Period, sheet_names: list[str], *, blank: bool
) -> Instructions:
    due = period.end + dt.timedelta(days=plan.due_days)
    lines: list[tuple[str, str]] = [
        ("填报说明", f"{plan.name}:{org.name}{period.label}报表"),
        ("填报单位", f"{org.name}(代码 {org.code})"),
        ("报告期", f"{period.label}({period.start.isoformat()} 至 {period.end.isoformat()})"),
        ("截止日期", f"{due.isoformat()} 前报送"),
        ("文件类型", "空白模板" if blank else "已填报数据"),
        ("包含工作表", "、".join(sheet_names)),
        ("填写方法", "只在黄色单元格中填写;每个单元格的要求见列标题的批注和输入提示。"),
        ("新增记录", "新设立的工作站或网点请填在登记表末尾的空行中,编码留空,导入时自动分配。"),
        ("数字与日期", "数字不要带单位;日期写作 2024-03-05 或 2024年3月5日。"),
        ("注意", "请勿修改工作表名称、标题行和灰色单元格;填好后保存为 .xlsx 文件报送。"),
        ("黄色", "需要填写的单元格"),
        ("灰色", "由程序填写的单元格(编码、名称),请勿修改"),
        ("蓝色", "列标题,括号内为计量单位"),
    ]
    status, reason = _status(store, plan, org, period)
    if status == "returned":
        lines.append(("退回原因", reason or "省级退回了上次报送,请修改后重新报送。"))
    return Instructions(tuple(lines))


def export_workbook(
    store: Store,
    plan: Plan,
    org: OrgUnit,
    period: Period,
    target: Path,
    *,
    blank: bool,
) -> ExportResult:
    """Write the workbook of ``org`` for ``period``; ``target`` may be a folder."""
    specs = sheets_for(plan, org, period)
    sheets = collect(store, plan, org, specs, blank=blank)
    meta = Meta(
        format_version=FORMAT_VERSION,
        kind="template" if blank else "submission",
        plan_id=plan.id,
        plan_version=plan.version,
        org_code=org.code,
        org_name=org.name,
        period=str(period),
        app_version=__version__,
        exported_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        fingerprint=fingerprint(sheets),
        sheets={s.spec.sheet: f"{s.spec.kind}:{s.spec.id}" for s in sheets},
    )
    names = [s.spec.sheet for s in sheets]
    instructions = _instructions(store, plan, org, period, names, blank=blank)
    if target.suffix.lower() != ".xlsx":
        target = target / file_name(org, period, template=blank)
    write_workbook(meta, instructions, sheets, target)
    rows = sum(len(s.rows) for s in sheets if s.spec.kind is SheetKind.FORM)
    return ExportResult(target, org.code, str(period), rows, meta.fingerprint)
