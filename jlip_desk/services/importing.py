"""Import one submitted workbook through the gate: the grid's verdict, all or nothing.

The workbook is read and converted by ``excel/`` (no store there). This service
builds the rows the org unit's period would hold after the import (the store's
records and figures with the file's laid over them, a missing row counted as a
blank one) and checks them with the one validator the entry grid and submit use,
so an import accepts exactly what the grid would show without errors. Then it
decides the revision (same file, older workbook, locked period) and hands the
write to :func:`gate.apply_import`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from jlip_desk.errors import InputError, JlipError
from jlip_desk.excel import safety
from jlip_desk.excel.data import fingerprint
from jlip_desk.excel.importer import Refused, issue_of, read_submitted
from jlip_desk.excel.layout import SheetKind, annual_of, sheets_for
from jlip_desk.excel.markup import markup_name, write_markup
from jlip_desk.excel.meta import Meta
from jlip_desk.excel.reader import WorkbookContent
from jlip_desk.excel.report import FileResult, Issue
from jlip_desk.excel.rows import FileData, FileRecord, Place, convert
from jlip_desk.excel.sheets import locate
from jlip_desk.orgs import OrgUnit
from jlip_desk.periods import Period, parse_period
from jlip_desk.plan.model import Form, Plan, Registry, SubjectKind
from jlip_desk.plan.rules import describe
from jlip_desk.services import gate, period_status
from jlip_desk.services.entry_rows import EntryRow, registry_rows
from jlip_desk.services.installation import bound_org, can_edit
from jlip_desk.services.validator import (
    FormHistory,
    RowProblem,
    check_record,
    check_rows,
    load_confirmations,
)
from jlip_desk.store.cells import CellKey, CellUpdate, NewCell, StoredValue, existing_cells
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import get_org
from jlip_desk.store.plans import get_plan, require_in_plan
from jlip_desk.store.records import home_plan, list_records, next_seqs, record_owners
from jlip_desk.store.submissions import latest_submission, submission_of_file
from jlip_desk.validation.records import Record, format_code, record_name
from jlip_desk.validation.rows import FieldChecks
from jlip_desk.validation.values import REQUIRED_MESSAGE, allowed_text

__all__ = ["CHOICES", "ImportOptions", "import_file"]

# Refusals the user may overrule for one file, by the rule they report: the option
# that overrules it, and what the button says.
CHOICES = {
    "不得以旧换新": ("replace_newer", "仍用此文件替换较新的版本"),
    "不得重复登记": ("match_existing", "按已有记录匹配后重新导入"),
    "载入附带的计划": ("load_plan", "查看并载入工作簿附带的计划"),
}

Progress = Callable[[int, int, str], None]


log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    markup_dir: Path | None = None  # None: next to the submitted file
    markup: bool = True
    max_cells: int = safety.DEFAULT_MAX_CELLS
    # Replace a newer revision with a workbook exported before it (an explicit choice).
    replace_newer: bool = False
    # A registry row without a code that matches an existing record is that record
    # (an explicit choice; otherwise it is refused, never added as a second record).
    match_existing: bool = False
    # Load the plan the workbook carries when this store has not loaded it (the user
    # has seen what it changes); otherwise such a workbook is refused with an offer.
    load_plan: bool = False


def import_file(store: Store, path: Path, options: ImportOptions | None = None) -> FileResult:
    """Check ``path`` completely; apply it in one transaction only if nothing is wrong."""
    options = options or ImportOptions()
    result = FileResult(file=str(path))
    try:
        _import(store, path, options, result)
    except Refused as refused:
        result.outcome = "refused"
        first = sorted(refused.issues, key=lambda issue: issue.severity != "error")
        result.issues = first + [i for i in result.issues if i.severity == "note"]
    if result.outcome == "refused" and options.markup and any(i.cell for i in result.issues):
        folder = options.markup_dir or path.parent
        try:
            result.markup = str(write_markup(path, result.issues, folder / markup_name(path)))
        except JlipError as exc:
            result.issues.append(Issue(f"未能生成标注副本:{exc.message}", severity="note"))
    return result


def _import(store: Store, path: Path, options: ImportOptions, result: FileResult) -> None:
    submitted = read_submitted(path, max_cells=options.max_cells)
    meta, content = submitted.meta, submitted.content
    result.sha256 = submitted.sha256
    result.plan_id, result.plan_version = meta.plan_id, meta.plan_version
    result.org_code, result.org_name, result.period = meta.org_code, meta.org_name, meta.period
    # Recorded on its own: the return stands even when the values are refused.
    note = _receive_return(store, path, meta, result) if meta.returned_reason else None
    loaded: Issue | None = None
    try:
        # Everything read from the store and the write share one IMMEDIATE transaction:
        # a second import running at the same time waits, then sees this one's result,
        # instead of both deciding on the same old state. A plan the workbook brings is
        # loaded in it too: a refused workbook leaves the store as it was, plan and all.
        with store.atomic():
            loaded = _ensure_plan(store, path, options, result, meta, content)
            if len(meta.carried()) > 1:
                _import_parts(store, path, options, result, meta, content)
            else:
                _import_read(store, path, options, result, meta, content)
    except Refused:
        loaded, result.plan_loaded, result.plan_changes = None, "", ""
        raise
    finally:
        result.issues += [n for n in (loaded, note) if n is not None]


def _ensure_plan(
    store: Store,
    path: Path,
    options: ImportOptions,
    result: FileResult,
    meta: Meta,
    content: WorkbookContent,
) -> Issue | None:
    """The workbook's plan is loaded here, or it is loaded now from the workbook itself
    (only with ``options.load_plan``: a county never switches plans silently); the note
    saying so, if it was."""
    from jlip_desk.errors import PlanError
    from jlip_desk.services import plans
    from jlip_desk.store.plans import stored_plans

    versions = [s.version for s in stored_plans(store) if s.id == meta.plan_id]
    if meta.plan_version in versions:
        return None
    newest = max(versions, key=plans.version_key) if versions else None
    wanted = f"“{meta.plan_id}”的 {meta.plan_version} 版"
    if newest is not None and plans.version_key(meta.plan_version) < plans.version_key(newest):
        raise Refused(
            Issue(
                f"此工作簿按计划{wanted}制作,是旧版本;本机使用的是 {newest} 版",
                rule="计划版本",
                allowed="请用本机(或上级)按新版本导出的模板重新填报",
            )
        )
    carried = None
    if content.plan_text is not None:
        try:
            carried = plans.parse_carried(content.plan_text, f"{path.name} 附带的计划定义")
        except PlanError as exc:
            raise Refused(issue_of(exc, "计划定义")) from None
        if (carried.id, carried.version) != (meta.plan_id, meta.plan_version):
            carried = None
    if carried is None:
        raise Refused(
            Issue(
                f"本机没有载入计划{wanted},工作簿也没有附带该计划的定义,无法核对此工作簿",
                rule="计划版本",
                allowed="请上级单位提供该计划的定义文件或新导出的模板,"
                "在“计划 → 载入计划…”中(或用 jlip-desk plan load)载入",
            )
        )
    if not options.load_plan:
        raise Refused(
            Issue(
                f"此工作簿按本机尚未载入的计划“{carried.name}”"
                f"({carried.start_year}–{carried.end_year}年,{carried.version} 版)制作,"
                "工作簿附带了该计划的定义",
                rule="载入附带的计划",
                allowed="查看该计划带来的变化并确认载入后再导入:在“导入导出”页选中此文件,"
                "点“查看并载入工作簿附带的计划…”;或在命令行加 --load-plan。"
                "只载入计划(如空白模板):菜单“计划 → 载入计划…”选此文件,"
                "或 jlip-desk plan load 此文件",
            )
        )
    result.plan_changes = plans.preview_plan(store, carried).text()
    plans.keep_plan(store, carried)
    result.plan_loaded = f"{carried.id} {carried.version}"
    log.info("loaded plan %s %s carried by %s", carried.id, carried.version, path.name)
    return Issue(f"已载入工作簿附带的计划“{carried.name}”({carried.version} 版)", severity="note")


def _import_parts(
    store: Store,
    path: Path,
    options: ImportOptions,
    result: FileResult,
    meta: Meta,
    content: WorkbookContent,
) -> None:
    """A fourth quarter's workbook with its year's sheets: each period on its own.

    Each period is checked and written like a workbook of its own (its own
    submission revision, through the gate), inside the caller's one transaction: a
    refusal of either leaves both out. The registries are read with the first.
    """
    carried = meta.carried()
    try:
        first = parse_period(carried[0])
        if len(carried) != 2 or parse_period(carried[1]) != annual_of(first):
            raise InputError(
                f"工作簿元数据中的报告期“{'、'.join(carried)}”不是一个第4季度与其年度",
                where="工作簿元数据",
                allowed="使用 JLIP Desk 导出的工作簿,不要修改其元数据",
            )
    except JlipError as exc:
        raise Refused(issue_of(exc, "工作簿元数据")) from None
    parts: list[tuple[Period, FileResult]] = []
    for index, text in enumerate(carried):
        period = parse_period(text)
        part = FileResult(file=result.file, sha256=result.sha256)
        # The export's base revision and a return belong to the first period.
        part_meta = meta if index == 0 else replace(
            meta, period=text, base_revision="", returned_reason=""
        )  # fmt: skip
        try:
            _import_read(store, path, options, part, part_meta, content, registries=index == 0)
        except Refused as refused:
            others = "、".join(p.label for p in map(parse_period, carried) if p != period)
            result.issues += [i for i in part.issues if i.severity == "note"]
            raise Refused(
                *refused.issues,
                Issue(
                    f"此工作簿同时包含{'、'.join(map(_label, carried))}的报表:"
                    f"{period.label}部分未通过,{others}部分也未导入(两部分一并导入)",
                    rule="两部分一并导入",
                    severity="note",
                ),
            ) from None
        result.issues += part.issues
        parts.append((period, part))
    result.org_name = parts[0][1].org_name or result.org_name
    applied = [part for _, part in parts if part.outcome == "applied"]
    result.outcome = "applied" if applied else "unchanged"
    result.revision = applied[0].revision if applied else None
    result.values_changed = sum(part.values_changed for _, part in parts)
    result.records_created = sum(part.records_created for _, part in parts)
    result.summary = "".join(f"{period.label}:{part.summary}" for period, part in parts)


def _label(period_text: str) -> str:
    return parse_period(period_text).label


def _without(content: WorkbookContent, names: set[str]) -> WorkbookContent:
    """The workbook without some of its sheets (another period's part of it)."""
    if not names:
        return content
    return replace(
        content,
        sheet_names=[n for n in content.sheet_names if n not in names],
        grids={n: g for n, g in content.grids.items() if n not in names},
    )


def _receive_return(store: Store, path: Path, meta: Meta, result: FileResult) -> Issue | None:
    """A workbook the superior made after returning this unit's period: record the return.

    Only the unit's own installation takes it (the superior's store already has it),
    and only while the period is still handed in there; the app then shows the
    period as 已退回 with the superior's reason.
    """
    bound = bound_org(store)
    if bound is None or bound.code != meta.org_code:
        return None
    try:
        plan = get_plan(store, meta.plan_id, meta.plan_version)
        period = parse_period(meta.period)
        require_in_plan(store, plan, period)
    except JlipError:
        return None  # the import itself reports what is wrong with the workbook
    reason = meta.returned_reason
    with store.atomic():
        current = period_status.status(store, plan.id, bound.code, period)
        if current.status not in period_status.STEPS["received"].sources:
            return None
        change = store.new_change(
            "imported",
            source_file=path.name,
            source_sha256=result.sha256,
            note=f"上级退回{period.label}:{reason}",
        )
        period_status.receive_return(store, plan, bound.code, period, reason, change_id=change)
    return Issue(
        f"上级已退回{period.label},原因:{reason}。本期已解锁,请修改后重新报送",
        rule="报告期状态",
        severity="note",
    )


def _import_read(
    store: Store,
    path: Path,
    options: ImportOptions,
    result: FileResult,
    meta: Meta,
    content: WorkbookContent,
    *,
    registries: bool = True,
) -> None:
    """Check and write one period of the workbook (``registries``: its registry sheets too)."""
    try:
        plan = get_plan(store, meta.plan_id, meta.plan_version)
    except JlipError:
        raise Refused(
            Issue(
                f"本机没有载入计划“{meta.plan_id}”的 {meta.plan_version} 版,无法核对此工作簿",
                rule="计划版本",
                allowed="本机已载入的计划;如需此版本,请先用 jlip-desk plan load 载入其定义文件",
            )
        ) from None
    try:
        org = get_org(store, meta.org_code)
        period = parse_period(meta.period)
        require_in_plan(store, plan, period)  # a period belongs to its plan's years
        specs = sheets_for(plan, org, period)
    except JlipError as exc:
        raise Refused(issue_of(exc, "工作簿元数据")) from None
    if not registries:
        specs = [s for s in specs if s.kind is SheetKind.FORM]
    if len(meta.carried()) > 1:  # the sheets of the workbook's other period are not read here
        own = {s.sheet for s in specs}
        content = _without(
            content,
            {n for n, ref in meta.sheets.items()
             if n not in own and (not registries or ref.startswith(f"{SheetKind.FORM}:"))},
        )  # fmt: skip
    result.org_name = org.name
    if not can_edit(store, org.code):
        bound = bound_org(store)
        editor = f"本机绑定的单位为“{bound.name}”" if bound else "本机尚未绑定单位"
        raise Refused(
            Issue(
                f"本机无权导入“{org.name}”({org.code})的数据({editor})",
                rule="单位权限",
                allowed="本单位及下级单位的工作簿",
            )
        )
    same_file = submission_of_file(store, plan.id, org.code, str(period), result.sha256)
    if same_file is not None:
        # Importing the same file twice changes nothing, whatever happened since.
        result.outcome = "unchanged"
        result.summary = (
            f"此文件已于 {_shown_time(same_file.imported_at)} 作为第 {same_file.revision} 版导入,"
            "未作任何改动。"
        )
        return
    current = period_status.status(store, plan.id, org.code, period)
    sheets, issues = locate(content, specs)
    result.issues = issues
    known = record_owners(store, [r.id for r in plan.registries])
    data = convert(plan, org, content, sheets, known)
    errors = [i for i in [*issues, *data.issues] if i.severity == "error"]
    if errors and current.locked:
        raise Refused(_locked_issue(store, org, period, current, None))
    if errors:
        raise Refused(*errors)

    state = _State(store, plan, org, period, options)
    state.lay_records(data, known)
    state.lay_rows(data)
    state.build()
    change = _diff(store, plan, org, period, state)
    if current.locked:
        # A handed-in period takes nothing: say so first, not what else is wrong.
        if change.count == 0:
            result.outcome = "unchanged"
            result.summary = (
                f"工作簿中的数据与本机已有数据完全一致,{period.label}{current.label},未作任何改动。"
            )
            return
        raise Refused(_locked_issue(store, org, period, current, change.count))
    # The unit's own copy of a period its superior returned: the values may come in,
    # but the period stays returned until the unit hands it in again.
    bound = bound_org(store)
    keep_returned = (
        bool(meta.returned_reason)
        and current.status == "returned"
        and bound is not None
        and bound.code == org.code
    )
    if keep_returned and change.count == 0:
        # Nothing to import, and handing it in again unchanged would hide the return.
        result.outcome = "unchanged"
        result.summary = (
            f"工作簿中的数据与本机一致,未重新报送;{period.label}仍为“已退回”,请修改后重新报送。"
        )
        return
    _refuse_older(store, plan, org, period, options, state, change, meta)
    state.issues += change.issues
    state.check()
    if state.issues:
        raise Refused(*state.issues)
    _write(store, plan, org, period, path, result, data, state, change, meta, keep_returned)
    if keep_returned:
        result.summary += f"{period.label}仍为“已退回”:请修改后重新报送。"


def _locked_issue(
    store: Store, org: OrgUnit, period: Period, current: period_status.PeriodState,
    changed: int | None,
) -> Issue:  # fmt: skip
    message, allowed = period_status.locked_message(store, org.code, period, current)
    what = f";此工作簿有 {changed} 个数值与本机不同" if changed else ""
    return Issue(f"{message}{what},未导入", rule="报告期状态", allowed=allowed)


def _shown_time(iso: str | None) -> str:
    """An ISO time as people read it: 2026-12-02 15:42:00 (local time)."""
    import datetime as dt

    if not iso:
        return "(时间不详)"
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class _State:
    """The org unit's records and the period's rows as they would be after the import."""

    def __init__(
        self, store: Store, plan: Plan, org: OrgUnit, period: Period, options: ImportOptions
    ):
        self.store, self.plan, self.org, self.period = store, plan, org, period
        self.options = options
        self.issues: list[Issue] = []
        self.records: dict[str, list[Record]] = {}  # by registry, after the import
        self.new_records: dict[str, list[tuple[str, dict[str, StoredValue]]]] = {}
        self.record_updates: list[tuple[str, str, dict[str, StoredValue]]] = []
        self.places: dict[tuple[str, str], Place] = {}  # (form or registry, subject)
        self.values: dict[str, dict[tuple[str, str], dict[str, StoredValue]]] = {}
        self.rows: dict[str, list[EntryRow]] = {}
        self.checks = FieldChecks()  # one memo for every record of the file
        self.forms: list[Form] = []
        self.sheet_names: dict[str, str] = {}
        # Code-less rows matched to an existing record on the user's choice: by name.
        self.matched: dict[str, dict[str, str]] = {}
        # Codes given now to rows without one: records registered in this workbook (a
        # coded record the store does not know yet was registered elsewhere before).
        self.fresh: set[str] = set()

    # ------------------------------------------------------------- registries

    def lay_records(self, data: FileData, known: dict[str, tuple[str, str]]) -> None:
        seqs = next_seqs(self.store, self.org.code)
        located = [(i, s) for i, s in data.located.items() if s.spec.kind is SheetKind.FORM]
        forms = self.forms = [self.plan.form(i) for i, _ in located]
        self.sheet_names = {i: s.name for i, s in located}
        for registry in self.plan.registries:
            if registry.org_level.value != self.org.level:
                continue
            in_file = [r for r in data.records if r.registry == registry.id]
            # The stored records themselves are read only when a form of the workbook
            # reports on them or a row without a code must be matched against them.
            needed = any(registry.id in f.registries for f in forms) or any(
                r.code is None for r in in_file
            )
            stored = (
                {
                    r.code: r
                    for r in list_records(self.store, self.plan.id, registry.id, [self.org.code])
                }
                if needed
                else {}
            )
            used = [int(r.code.rsplit("-", 1)[1]) for r in in_file if r.code is not None]
            next_seq = max([seqs.get(registry.id, 1) - 1, *used]) + 1
            for file_record in in_file:
                self._check_record(registry, file_record)
                code = file_record.code
                if code is None:
                    match = self._identity_match(registry, file_record, stored, in_file)
                    if match is not None and self.options.match_existing:
                        code = match
                        name = record_name(registry, file_record.values, match)
                        self.matched.setdefault(registry.id, {})[name] = match
                    elif match is not None:
                        continue  # refused with both rows named
                if code is None:
                    code = format_code(self.org.code, registry.code_tag, next_seq)
                    self.fresh.add(code)
                    next_seq += 1
                    self.new_records.setdefault(registry.id, []).append((code, file_record.values))
                    stored[code] = Record(code, self.plan.id, registry.id, self.org.code,
                                          dict(file_record.values))  # fmt: skip
                elif code in stored or known.get(code) == (self.org.code, registry.id):
                    self.record_updates.append((registry.id, code, file_record.values))
                    stored[code] = Record(code, self.plan.id, registry.id, self.org.code,
                                          dict(file_record.values))  # fmt: skip
                else:  # a code this store does not know yet: the record travels with the file
                    self.new_records.setdefault(registry.id, []).append((code, file_record.values))
                    stored[code] = Record(code, self.plan.id, registry.id, self.org.code,
                                          dict(file_record.values))  # fmt: skip
                file_record.code = code
                self.places[(registry.id, code)] = file_record.place
            self.records[registry.id] = sorted(stored.values(), key=lambda r: r.code)

    def _check_record(self, registry: Registry, file_record: FileRecord) -> None:
        """Parse the row's cells once, as the registry form would, and check them."""
        values, problems = check_record(registry, file_record.raw, self.checks)
        file_record.values = values
        file_record.sheet_row.update(values)
        labels = {f.id: f.label for f in registry.fields}
        for p in problems:
            self.issues.append(_cell_issue(file_record.place, registry.fields, labels, p.field_id,
                                           p.message, p.rule))  # fmt: skip

    def _identity_match(
        self,
        registry: Registry,
        file_record: FileRecord,
        stored: dict[str, Record],
        in_file: list[FileRecord],
    ) -> str | None:
        """An existing record this code-less row is, by credit code or by name and host."""
        keys = _identity(registry, file_record.values)
        if not keys:
            return None
        listed = {r.code for r in in_file if r.code is not None}
        for code, record in stored.items():
            if keys & _identity(registry, record.values):
                if self.options.match_existing:
                    return code
                cell, _value = file_record.place.cell(None)
                where = "同一文件中" if code in listed else "本机已有"
                self.issues.append(
                    Issue(
                        f"第 {file_record.place.row + 1} 行没有编码,但与{where}的记录 {code}"
                        f"“{record_name(registry, record.values, code)}”是同一单位"
                        "(统一社会信用代码相同,或名称与依托单位都相同);"
                        "为避免重复登记,未导入",
                        sheet=file_record.place.sheet,
                        cell=cell,
                        value="",
                        rule="不得重复登记",
                        allowed=f"在编码列填写 {code};确为新设立的另一记录时,请改正名称或信用代码"
                        "(或在导入时选择“按已有记录匹配”,命令行:--match-existing)",
                    )
                )
                return code
        return None

    # ------------------------------------------------------------------ forms

    def lay_rows(self, data: FileData) -> None:
        new_by_name: dict[str, dict[str, str]] = {}  # registry -> name -> code
        for registry_id, names in self.matched.items():
            new_by_name.setdefault(registry_id, {}).update(names)
        for registry_id, new in self.new_records.items():
            registry = self.plan.registry(registry_id)
            names = new_by_name.setdefault(registry_id, {})
            for code, values in new:
                names[record_name(registry, values, code)] = code
        for row in data.rows:
            if row.new_name is not None:
                form = self.plan.form(row.form)
                found = [
                    new_by_name[r][row.new_name]
                    for r in form.registries
                    if row.new_name in new_by_name.get(r, {})
                ]
                if not found:
                    cell, value = row.place.cell(None)
                    self.issues.append(
                        Issue(
                            f"第 {row.place.row + 1} 行没有编码,名称“{row.new_name}”"
                            "也不是本文件登记表中新增的记录",
                            sheet=row.place.sheet, cell=cell, value=value, rule="编码引用",
                            allowed="已登记记录填写其编码;新增记录编码留空,名称与登记表中一致",
                        )
                    )  # fmt: skip
                    continue
                row.subject = found[0]
            key = (row.form, row.subject)
            if key in self.places:
                cell, value = row.place.cell(None)
                self.issues.append(
                    Issue(
                        f"“{row.new_name or row.subject}”在本表中出现了两次",
                        sheet=row.place.sheet, cell=cell, value=value, rule="编码引用",
                        allowed="每个对象只填一行",
                    )
                )  # fmt: skip
                continue
            self.places[key] = row.place
            self.values.setdefault(row.form, {})[(self.org.code, row.subject)] = row.values

    def build(self) -> None:
        """The rows each form sheet would leave in the period, as the grid builds them."""
        orgs = {self.org.code: self.org}
        for form in self.forms:
            values = self.values.get(form.id, {})
            if form.subject is SubjectKind.REGISTRY:
                # Every record of the period is due, in the file or not: a row left out is
                # a row left blank (locked periods never reach here).
                rows = registry_rows(self.plan, form, self.period, orgs, self.records, values)
            else:
                rows = [
                    EntryRow(CellKey(self.plan.id, form.id, org_code, str(self.period), subject),
                             subject, self.org.name, dict(vals))
                    for (org_code, subject), vals in values.items()
                ]  # fmt: skip
            self.rows[form.id] = rows

    def check(self) -> None:
        """The one validator over those rows, against the store's history."""
        for form in self.forms:
            rows = self.rows[form.id]
            history = FormHistory(self.store, self.plan.id, form.id, [self.org.code])
            confirmations = load_confirmations(self.store, self.plan.id, form.id, [self.org.code])
            problems = check_rows(form, rows, self.period, history, confirmations)
            sheet = self.sheet_names[form.id]
            self._report(form, sheet, rows, [p for p in problems if p.severity == "error"])

    def _report(
        self, form: Form, sheet: str, rows: list[EntryRow], problems: list[RowProblem]
    ) -> None:
        labels = {f.id: f.label for f in form.fields} | {d.id: d.label for d in form.derived}
        missing: dict[str, list[RowProblem]] = {}
        for p in problems:
            place = self.places.get((form.id, p.key.subject))
            if place is None:
                missing.setdefault(p.key.subject, []).append(p)
                continue
            self.issues.append(
                _cell_issue(place, form.fields, labels, p.field_id, p.message, p.rule)
            )
        new_codes = {
            code: registry_id for registry_id, new in self.new_records.items() for code, _ in new
        }
        owner = {r.code: registry_id for registry_id, recs in self.records.items() for r in recs}
        for subject, found in missing.items():
            row = next(r for r in rows if r.key.subject == subject)
            registry_id = new_codes.get(subject) or owner.get(subject)
            kind = self.plan.registry(registry_id).name if registry_id else ""
            required = {p.field_id for p in found if p.message == REQUIRED_MESSAGE}
            blank = [f.label for f in form.fields if f.id in required]  # in the sheet's order
            due = f"该记录在{self.period.label}已设立,须填报本期活动" + (
                f"({'、'.join(blank)} 不能为空)" if blank else ""
            )
            if subject in new_codes:
                place = self.places.get((new_codes[subject], subject))
                where = f"(登记在“{place.sheet}”第 {place.row + 1} 行)" if place else ""
                message = f"工作表“{sheet}”缺少新增的{kind}“{row.label}”的活动行{where}:{due}"
                how = (
                    f"在“{sheet}”末尾为“{row.label}”添加一行:编码留空,"
                    f"名称填“{row.label}”(与登记表中完全一致),并填写本期数据"
                )
            else:
                message = f"工作表“{sheet}”缺少{kind}“{row.label}”(编码 {subject})的活动行:{due}"
                how = f"在“{sheet}”末尾添加一行:编码填 {subject},名称填“{row.label}”,并填写本期数据"
            self.issues.append(
                Issue(message, sheet=sheet, rule="每条在期记录都须填报", allowed=how)
            )


def _identity(registry: Registry, values: dict[str, StoredValue]) -> set[tuple[str, str]]:
    """What makes two records the same: a credit code, or the name with the host."""
    keys: set[tuple[str, str]] = set()
    for f in registry.fields:
        value = values.get(f.id)
        if f.format == "credit_code" and isinstance(value, str) and value.strip():
            keys.add(("credit", value.strip().upper()))
    texts = [f for f in registry.fields if f.type.value == "text" and f.format is None][:2]
    named = [values.get(f.id) for f in texts]
    if len(named) == 2 and all(isinstance(v, str) and v.strip() for v in named):
        keys.add(("name", "\x00".join(str(v).strip() for v in named)))
    return keys


def _cell_issue(
    place: Place,
    fields: tuple[object, ...],
    labels: dict[str, str],
    field_id: str | None,
    message: str,
    rule: str | None,
) -> Issue:
    cell, value = place.cell(field_id)
    if rule is not None:
        # Said with the sheet's own column labels, never the plan's field ids.
        return Issue(message, sheet=place.sheet, cell=cell, value=value, rule=message,
                     allowed=f"满足 {describe(rule, labels)}")  # fmt: skip
    field = next((f for f in fields if getattr(f, "id", None) == field_id), None)
    if field is None:
        return Issue(message, sheet=place.sheet, cell=cell, value=value, rule="记录有效")
    kind = (
        "必填" if message == REQUIRED_MESSAGE else f"“{labels.get(field_id or '', '')}”的取值要求"
    )
    return Issue(message, sheet=place.sheet, cell=cell, value=value, rule=kind,
                 allowed=allowed_text(field))  # type: ignore[arg-type]  # fmt: skip


# -------------------------------------------------------------- the decision

_SHOWN_DIFFERENCES = 20


def _differences(
    store: Store, plan: Plan, org: OrgUnit, period: Period, state: _State,
    updates: list[CellUpdate],
) -> list[Issue]:  # fmt: skip
    """Notes naming the cells an older workbook would change, with both values."""
    changed = {cell_id for _value, cell_id in updates}
    notes: list[Issue] = []
    for form_id, rows in state.rows.items():
        form = plan.form(form_id)
        stored = existing_cells(store, plan.id, org.code, form_id, str(period))
        for row in rows:
            place = state.places.get((form_id, row.key.subject))
            for f in form.fields:
                cell = stored.get((row.key.subject, f.id))
                if cell is None or cell[0] not in changed or place is None:
                    continue
                address, shown = place.cell(f.id)
                notes.append(
                    Issue(
                        f"差异:“{row.label}”的“{f.label}”本机为 {cell[1]},此文件为 {shown or '空'}",
                        sheet=place.sheet, cell=address, value=shown, severity="note",
                    )
                )  # fmt: skip
    return notes[:_SHOWN_DIFFERENCES]


def _earlier(exported_at: str | None, than: str | None) -> bool:
    """Whether one export time is before another (ISO times, with their offsets)."""
    import datetime as dt

    if not exported_at or not than:
        return False
    try:
        return dt.datetime.fromisoformat(exported_at) < dt.datetime.fromisoformat(than)
    except (TypeError, ValueError):  # naive against aware, or not a time: cannot tell
        return False


@dataclass(slots=True)
class _Change:
    """What the import would write, and what is wrong with writing it."""

    inserts: list[NewCell]
    updates: list[CellUpdate]
    new_values: int
    issues: list[Issue]

    @property
    def count(self) -> int:
        return self.new_values + len(self.inserts) + len(self.updates)


def _diff(store: Store, plan: Plan, org: OrgUnit, period: Period, state: _State) -> _Change:
    from jlip_desk.store.cells import same_value

    change = _Change([], [], 0, [])
    change.new_values = sum(
        1 for new in state.new_records.values() for _, values in new for v in values.values()
        if v is not None
    )  # fmt: skip

    def lay(form: str, period_text: str, subject: str, values: dict[str, StoredValue],
            stored: dict[tuple[str, str], tuple[int, StoredValue]]) -> None:  # fmt: skip
        for field_id, value in values.items():
            old = stored.get((subject, field_id))
            if old is None:
                if value is not None:
                    change.inserts.append((form, period_text, subject, field_id, value))
            elif not same_value(old[1], value):
                change.updates.append((value, old[0]))

    from jlip_desk.services.registry import ended_date_problem, last_ended_plan
    from jlip_desk.store.plans import superseded_by

    # A running plan's workbook may not back-date records into an ended plan's years
    # (a returned period of the ended plan itself may: its superior reopened it).
    last = last_ended_plan(store) if superseded_by(store, plan.id) is None else None

    def ended_dates(registry: Registry, code: str, before: dict[str, StoredValue] | None,
                    after: dict[str, StoredValue]) -> None:  # fmt: skip
        problem = ended_date_problem(last, registry, before, after)
        if problem is not None:
            field_id, message, allowed = problem
            place = state.places[(registry.id, code)]
            cell, value = place.cell(field_id)
            change.issues.append(
                Issue(
                    f"“{record_name(registry, after, code)}”:{message},未导入",
                    sheet=place.sheet,
                    cell=cell,
                    value=value,
                    rule="已结束计划的数字不变",
                    allowed=allowed,
                )
            )

    for registry_id, new in state.new_records.items():
        for code, values in new:
            if code in state.fresh:  # registered now, not one travelling with the file
                ended_dates(plan.registry(registry_id), code, None, values)
    by_registry: dict[str, dict[tuple[str, str], tuple[int, StoredValue]]] = {}
    for registry_id, code, values in state.record_updates:
        if registry_id not in by_registry:
            home = home_plan(store, plan.id, registry_id)  # carried over from an older plan
            by_registry[registry_id] = existing_cells(store, home, org.code, registry_id, "")
        stored = by_registry[registry_id]
        registry = plan.registry(registry_id)
        before = {f.id: stored[(code, f.id)][1] for f in registry.fields if (code, f.id) in stored}
        place = state.places[(registry_id, code)]
        change.issues += _record_conflicts(store, plan, registry, org, code, before, values, place)
        ended_dates(registry, code, before, values)
        lay(registry_id, "", code, values, stored)
    for form_id, rows in state.rows.items():
        stored = existing_cells(store, plan.id, org.code, form_id, str(period))
        fields = [f.id for f in plan.form(form_id).fields]
        for row in rows:
            full = {f: row.values.get(f) for f in fields}  # a missing value clears it
            lay(form_id, str(period), row.key.subject, full, stored)
    return change


def _record_conflicts(
    store: Store,
    plan: Plan,
    registry: Registry,
    org: OrgUnit,
    code: str,
    before: dict[str, StoredValue],
    after: dict[str, StoredValue],
    place: Place,
) -> list[Issue]:
    """A coded row that is another record, or a date change that empties locked periods."""
    from jlip_desk.services.registry import periods_emptied, periods_text

    old_keys, new_keys = _identity(registry, before), _identity(registry, after)
    if old_keys and new_keys and not old_keys & new_keys:
        cell, value = place.cell(None)
        return [
            Issue(
                f"编码 {code} 在本机属于另一条记录“{record_name(registry, before, code)}”"
                "(名称和统一社会信用代码都不同);此行可能是另一台电脑新登记的记录,"
                "编码与本机记录重复,未导入",
                sheet=place.sheet, cell=cell, value=value, rule="编码与记录一致",
                allowed="已登记的记录保留其编码;另一台电脑新登记的记录请清空编码后重新导入",
            )
        ]  # fmt: skip
    emptied = periods_emptied(store, plan, registry, org.code, code, before, after)
    if not emptied:
        return []
    life = registry.lifecycle
    field = next(
        (f for f in (life.established_field, life.status_field, life.status_date_field)
         if before.get(f) != after.get(f)),
        life.established_field,
    )  # fmt: skip
    cell, value = place.cell(field)
    shown = periods_text(emptied)
    return [
        Issue(
            f"“{record_name(registry, after, code)}”改为此日期或状态后,已报送(锁定)的{shown}"
            "将不再包含该记录已报送的数据,未导入",
            sheet=place.sheet, cell=cell, value=value, rule="已报送的数据不变",
            allowed="先请上级退回(或解锁)这些报告期,再修改该记录的日期或状态",
        )
    ]  # fmt: skip


def _refuse_older(
    store: Store,
    plan: Plan,
    org: OrgUnit,
    period: Period,
    options: ImportOptions,
    state: _State,
    change: _Change,
    meta: Meta,
    keep_returned: bool = False,
) -> None:
    latest = latest_submission(store, plan.id, org.code, str(period))
    exported_at = meta.exported_at or None
    if latest is None or options.replace_newer or not _earlier(exported_at, latest.exported_at):
        return
    raise Refused(
        Issue(
            f"此工作簿导出于 {_shown_time(exported_at)},早于本机已导入的第 {latest.revision} 版"
            f"(导出于 {_shown_time(latest.exported_at)},文件 {latest.file_name});"
            f"用旧文件替换会混入过时的数据({change.count} 个数值不同),未导入",
            rule="不得以旧换新",
            allowed="导入最新导出的工作簿;确需用此文件替换时,在导入时选择“仍用此文件替换”"
            "(命令行:--replace-newer)",
        ),
        *_differences(store, plan, org, period, state, change.updates),
    )


def _write(
    store: Store,
    plan: Plan,
    org: OrgUnit,
    period: Period,
    path: Path,
    result: FileResult,
    data: FileData,
    state: _State,
    change: _Change,
    meta: Meta,
    keep_returned: bool = False,
) -> None:
    latest = latest_submission(store, plan.id, org.code, str(period))
    kind = "本机首次导入" if latest is None else f"修订版,取代第 {latest.revision} 版"
    base = meta.base_revision
    revision = gate.apply_import(
        store,
        gate.ImportWrite(
            plan=plan,
            org_code=org.code,
            period=period,
            new_records=state.new_records,
            inserts=change.inserts,
            updates=change.updates,
            file_name=path.name,
            file_sha256=result.sha256,
            data_sha256=fingerprint(data.sheets),
            export_sha256=meta.fingerprint or None,
            exported_at=meta.exported_at or None,
            base_revision=int(base) if base.isdigit() else None,
            values_changed=change.count,
            note=f"{org.name} {period.label} 导入",
            submit=not keep_returned,
        ),
    )
    result.outcome = "applied"
    result.revision = revision
    result.values_changed = change.count
    result.records_created = sum(len(new) for new in state.new_records.values())
    if change.count == 0:
        detail = "数据与本机已有数据一致,记为本期报送"
    else:
        detail = f"{change.count} 个数值有变化,新增 {result.records_created} 条登记记录"
    result.summary = f"已作为第 {revision} 版导入({kind}):{detail}。"
