"""Export one org unit's workbook for a period: a blank template or a filled submission."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from jlip_desk import __version__
from jlip_desk.excel.data import SheetData, fingerprint
from jlip_desk.excel.layout import FORMAT_VERSION, SheetKind, file_name
from jlip_desk.excel.meta import Meta
from jlip_desk.excel.writer import Instructions, write_workbook
from jlip_desk.orgs import OrgUnit
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    org_code: str
    period: str
    rows: int
    fingerprint: str
    submitted: bool = False  # exporting it handed the period in (and locked it)


def _instructions(
    plan: Plan,
    org: OrgUnit,
    period: Period,
    sheet_names: list[str],
    *,
    blank: bool,
    returned_reason: str | None,
    parts: list[tuple[Period, list[str]]] | None = None,
    activity_sheets: tuple[str, ...] = (),
) -> Instructions:
    due = period.end + dt.timedelta(days=plan.due_days)
    title = f"{period.label}报表"
    if parts:
        title = "与".join(p.label for p, _ in parts) + "报表"
    lines: list[tuple[str, str]] = [
        ("填报说明", f"{plan.name}:{org.name}{title}"),
        ("填报单位", f"{org.name}(代码 {org.code})"),
        ("报告期", f"{period.label}({period.start.isoformat()} 至 {period.end.isoformat()})"),
        ("截止日期", f"{due.isoformat()} 前报送"),
        ("文件类型", "空白模板" if blank else "已填报数据"),
        ("包含工作表", "、".join(sheet_names)),
        ("填写方法", "只在黄色单元格中填写;每个单元格的要求见列标题的批注和输入提示。"),
        (
            "新增记录",
            f"新设立的{'或'.join(r.name for r in plan.registries) or '记录'}"
            "请填在登记表末尾的空行中,编码留空,导入时自动分配。",
        ),
        *(
            (
                "新增记录的活动",
                f"本期已设立的新记录也要填报本期活动:在“{name}”末尾为它添加一行,编码留空,"
                f"名称与登记表中填写的完全一致,并填写本期数据。漏了这一行,导入时会指出"
                f"哪条新记录在“{name}”中没有活动行。",
            )
            for name in activity_sheets
        ),
        ("数字与日期", "数字不要带单位;日期写作 2024-03-05 或 2024年3月5日。"),
        ("注意", "请勿修改工作表名称、标题行和灰色单元格;填好后保存为 .xlsx 文件报送。"),
        ("黄色", "需要填写的单元格"),
        ("灰色", "由程序填写的单元格(编码、名称),请勿修改"),
        ("蓝色", "列标题,括号内为计量单位"),
    ]
    if parts:
        # Two reports in one file: what belongs to which, and how it is imported.
        said = ";".join(f"{p.label}:工作表“{'”“'.join(names)}”" for p, names in parts)
        annual = parts[-1][0]
        annual_due = annual.end + dt.timedelta(days=plan.due_days)
        lines[2:4] = [
            ("报告期", "、".join(f"{p.label}({p.start} 至 {p.end})" for p, _ in parts)),
            ("截止日期", f"{due.isoformat()} 前报送(两部分一并报送)"),
        ]
        if annual_due != due:
            lines[3] = ("截止日期", f"季报 {due.isoformat()}、年报 {annual_due.isoformat()} 前报送")
        lines[4:4] = [
            ("两部分", f"本工作簿同时包含两份报表。{said};登记表两部分共用。"),
            (
                "导入方式",
                "导入时作为两份报送分别记录版本;任何一部分有错误或已报送锁定且有改动,"
                "两部分都不导入,问题标明工作表和单元格。也可分别导出季报和年报。",
            ),
        ]
    if returned_reason is not None:
        # Right under the title: the first thing the unit reads when it opens the file.
        reason = returned_reason or "上级退回了上次报送,请修改后重新报送。"
        lines.insert(1, ("退回原因", f"{reason}(请按此修改后重新报送)"))
    return Instructions(tuple(lines))


def export_workbook(
    plan: Plan,
    org: OrgUnit,
    period: Period,
    sheets: list[SheetData],
    target: Path,
    *,
    blank: bool,
    base_revision: int = 0,
    returned_reason: str | None = None,
    exported_at: str | None = None,
    also: Period | None = None,
) -> ExportResult:
    """Write the workbook of ``org`` for ``period`` from ``sheets`` (see ``sheets_for``).

    ``also`` is a second period whose form sheets ``sheets`` carry too (a fourth
    quarter's year, see ``sheets_for_periods``); the metadata then names both.

    ``target`` may be a folder. ``base_revision`` is the revision of the org unit's
    period the exporting store holds, ``returned_reason`` the reason it was returned
    (shown on the instructions sheet and kept in the metadata).
    """
    meta = Meta(
        format_version=FORMAT_VERSION,
        kind="template" if blank else "submission",
        plan_id=plan.id,
        plan_version=plan.version,
        org_code=org.code,
        org_name=org.name,
        period=str(period),
        app_version=__version__,
        exported_at=exported_at
        or dt.datetime.now().astimezone().isoformat(timespec="microseconds"),
        fingerprint=fingerprint(sheets),
        base_revision=str(base_revision),
        returned_reason=returned_reason or "",
        sheets={s.spec.sheet: f"{s.spec.kind}:{s.spec.id}" for s in sheets},
        periods=f"{period},{also}" if also is not None else "",
    )
    names = [s.spec.sheet for s in sheets]
    # The form sheets that report on registry records: a new record needs a row there.
    activity = tuple(s.spec.sheet for s in sheets if s.spec.registries)
    parts = None
    if also is not None:
        parts = [
            (p, [s.spec.sheet for s in sheets if s.spec.period == str(p)]) for p in (period, also)
        ]
    instructions = _instructions(
        plan, org, period, names, blank=blank, returned_reason=returned_reason,
        parts=parts, activity_sheets=activity,
    )  # fmt: skip
    if target.suffix.lower() != ".xlsx":
        target = target / file_name(org, period, template=blank, with_annual=also is not None)
    write_workbook(meta, instructions, sheets, target, plan_text=plan.source_text)
    rows = sum(len(s.rows) for s in sheets if s.spec.kind is SheetKind.FORM)
    return ExportResult(target, org.code, str(period), rows, meta.fingerprint)
