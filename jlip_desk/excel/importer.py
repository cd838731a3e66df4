"""Import one submitted workbook: vet, check everything, then apply all of it or nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jlip_desk.errors import JlipError
from jlip_desk.excel import safety
from jlip_desk.excel.apply import apply_diff, compute_diff
from jlip_desk.excel.data import fingerprint
from jlip_desk.excel.layout import FORMAT_VERSION, sheets_for
from jlip_desk.excel.markup import markup_name, write_markup
from jlip_desk.excel.meta import Meta
from jlip_desk.excel.reader import read_workbook
from jlip_desk.excel.report import FileResult, Issue
from jlip_desk.excel.sheets import locate
from jlip_desk.excel.validate import Checker, check_sheets
from jlip_desk.periods import parse_period
from jlip_desk.store.database import Store, now_iso
from jlip_desk.store.orgs import get_org
from jlip_desk.store.plans import get_plan

# Called inside the import's transaction once data changed: (store, plan id, org, period, change).
OnApplied = Callable[[Store, str, str, str, int], None]
# Whether this installation may change the data of an org unit (by code).
MayEdit = Callable[[str], bool]


def _nobody(org_code: str) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class ImportOptions:
    markup_dir: Path | None = None  # None: next to the submitted file
    markup: bool = True
    max_cells: int = safety.DEFAULT_MAX_CELLS
    on_applied: OnApplied | None = None
    # The caller's permission rule; without one nothing is imported.
    may_edit: MayEdit = _nobody
    editor: str = "本机尚未绑定单位"  # who this installation is, for the refusal message


class _Refused(Exception):
    def __init__(self, *issues: Issue):
        super().__init__(issues[0].message if issues else "")
        self.issues = list(issues)


def _issue(exc: JlipError, rule: str) -> Issue:
    return Issue(exc.message, sheet=None, value=None, rule=rule, allowed=exc.allowed)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(store: Store, path: Path, options: ImportOptions | None = None) -> FileResult:
    """Check ``path`` completely; apply it in one transaction only if nothing is wrong."""
    options = options or ImportOptions()
    result = FileResult(file=str(path))
    try:
        _import(store, path, options, result)
    except _Refused as refused:
        result.outcome = "refused"
        result.issues = refused.issues + [i for i in result.issues if i.severity == "note"]
    if result.outcome == "refused" and options.markup and any(i.cell for i in result.issues):
        folder = options.markup_dir or path.parent
        try:
            result.markup = str(write_markup(path, result.issues, folder / markup_name(path)))
        except JlipError as exc:
            result.issues.append(Issue(f"未能生成标注副本:{exc.message}", severity="note"))
    return result


def _import(store: Store, path: Path, options: ImportOptions, result: FileResult) -> None:
    try:
        vetted = safety.vet_workbook(path, max_cells=options.max_cells)
        result.sha256 = file_sha256(path)
        content = read_workbook(path, vetted)
    except JlipError as exc:
        raise _Refused(_issue(exc, "文件安全与格式检查")) from None
    except OSError as exc:
        raise _Refused(Issue(f"无法读取文件:{exc.strerror}", rule="文件可读")) from None
    try:
        meta = Meta.from_pairs(content.meta, path.name)
    except JlipError as exc:
        raise _Refused(_issue(exc, "工作簿元数据")) from None
    if meta.format_version != FORMAT_VERSION:
        raise _Refused(
            Issue(
                f"模板格式版本“{meta.format_version}”不受本程序支持",
                rule="模板格式版本",
                allowed=f"格式版本 {FORMAT_VERSION}:请使用本程序导出的模板,或升级 JLIP Desk",
            )
        )
    result.plan_id, result.plan_version = meta.plan_id, meta.plan_version
    result.org_code, result.org_name, result.period = meta.org_code, meta.org_name, meta.period
    try:
        plan = get_plan(store, meta.plan_id, meta.plan_version)
    except JlipError:
        raise _Refused(
            Issue(
                f"本机没有载入计划“{meta.plan_id}”的 {meta.plan_version} 版,无法核对此工作簿",
                rule="计划版本",
                allowed="本机已载入的计划;如需此版本,请先用“载入计划”导入其定义文件",
            )
        ) from None
    try:
        org = get_org(store, meta.org_code)
        period = parse_period(meta.period)
        specs = sheets_for(plan, org, period)
    except JlipError as exc:
        raise _Refused(_issue(exc, "工作簿元数据")) from None
    result.org_name = org.name
    if not options.may_edit(org.code):
        raise _Refused(
            Issue(
                f"本机无权导入“{org.name}”({org.code})的数据({options.editor})",
                rule="单位权限",
                allowed="本单位及下级单位的工作簿",
            )
        )
    sheets, issues = locate(content, specs)
    result.issues = issues
    checked = check_sheets(Checker(store, plan, org, period, content), sheets)
    errors = [i for i in [*issues, *checked.issues] if i.severity == "error"]
    if errors:
        raise _Refused(*errors)

    data_sha = fingerprint(checked.sheets)
    diff = compute_diff(store, plan, org.code, checked)
    previous = store.conn.execute(
        "SELECT revision, imported_at FROM submissions WHERE plan_id = ? AND org_code = ? "
        "AND period = ? AND file_sha256 = ? ORDER BY revision DESC LIMIT 1",
        (plan.id, org.code, str(period), result.sha256),
    ).fetchone()
    if diff.empty:
        result.outcome = "unchanged"
        result.summary = (
            f"此文件已于 {previous[1]} 作为第 {previous[0]} 版导入,数据没有变化,未作任何改动。"
            if previous
            else "工作簿中的数据与本机已有数据完全一致,未作任何改动。"
        )
        return
    with store.atomic():
        revision = store.conn.execute(
            "SELECT COALESCE(MAX(revision), 0) + 1 FROM submissions "
            "WHERE plan_id = ? AND org_code = ? AND period = ?",
            (plan.id, org.code, str(period)),
        ).fetchone()[0]
        change = store.new_change(
            "imported",
            source_file=path.name,
            source_sha256=result.sha256,
            note=f"{org.name} {period.label} 第 {revision} 版",
        )
        apply_diff(store, plan, org.code, diff, change)
        store.conn.execute(
            "INSERT INTO submissions (plan_id, plan_version, org_code, period, revision, "
            "file_name, file_sha256, data_sha256, export_sha256, imported_at, values_changed, "
            "change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (plan.id, plan.version, org.code, str(period), revision, path.name, result.sha256,
             data_sha, meta.fingerprint, now_iso(), diff.values_changed, change),
        )  # fmt: skip
        if options.on_applied is not None:
            options.on_applied(store, plan.id, org.code, str(period), change)
    result.outcome = "applied"
    result.revision = revision
    result.values_changed = diff.values_changed
    result.records_created = sum(1 for code, _, _ in diff.records)
    kind = "首次报送" if revision == 1 else f"修订版,取代第 {revision - 1} 版"
    result.summary = (
        f"已作为第 {revision} 版导入({kind}):{diff.values_changed} 个数值有变化,"
        f"新增 {result.records_created} 条登记记录。"
    )
