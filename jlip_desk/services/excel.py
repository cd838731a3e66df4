"""Excel services for the GUI and the command line: export templates and submissions, import."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from jlip_desk.errors import NotAllowedError, StoreError
from jlip_desk.excel.exporter import ExportResult, export_workbook
from jlip_desk.excel.layout import annual_of, sheets_for_periods
from jlip_desk.excel.markup import MARKUP_SUFFIX
from jlip_desk.excel.report import FileResult, ImportReport, Issue
from jlip_desk.orgs import OrgUnit
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services import period_status
from jlip_desk.services.importing import ImportOptions, import_file
from jlip_desk.services.installation import bound_org
from jlip_desk.services.workbooks import collect
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE, counties_under, covers, get_org
from jlip_desk.store.plans import plan_for_period, require_in_plan
from jlip_desk.store.submissions import latest_submission

log = logging.getLogger(__name__)

__all__ = [
    "ExportResult",
    "ImportReport",
    "Progress",
    "backup_before_import",
    "export_submission",
    "export_submissions_all",
    "export_template",
    "export_templates_all",
    "import_files",
    "import_options",
]

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, name)`` after each file; raise to cancel."""


def _write(
    store: Store,
    plan: Plan,
    org: OrgUnit,
    period: Period,
    target: Path,
    *,
    blank: bool,
    with_annual: bool = False,
) -> ExportResult:
    """Gather the org unit's rows and write its workbook (the excel layer never reads the store).

    ``with_annual``: a fourth quarter's workbook that carries its year's annual sheets.
    """
    also = annual_of(period) if with_annual else None
    if also is not None:
        require_in_plan(store, plan, also)
    specs = sheets_for_periods(plan, org, [period] if also is None else [period, also])
    latest = latest_submission(store, plan.id, org.code, str(period))
    state = period_status.status(store, plan.id, org.code, period)
    # Only the superior's workbook tells the unit of a return: the unit's own copy of a
    # returned period carries no reason, or importing it back would return it again.
    bound = bound_org(store)
    returned = state.status == "returned" and (bound is None or bound.code != org.code)
    result = export_workbook(
        plan,
        org,
        period,
        collect(store, plan, org, specs, blank=blank),
        target,
        blank=blank,
        base_revision=latest.revision if latest else 0,
        returned_reason=(state.reason or "") if returned else None,
        also=also,
    )
    kind = "template" if blank else "submission"
    log.info("exported %s of %s %s to %s", kind, org.code, period, result.path)
    return result


def export_template(
    store: Store, org_code: str, period: Period, target: Path, *, with_annual: bool = False
) -> ExportResult:
    """A blank template for one org unit (registry rows prefilled, figures empty).

    ``target`` is a ``.xlsx`` file or a folder (the file name is then deterministic).
    ``with_annual``: a fourth quarter's template that carries the year's annual sheets.
    """
    plan = plan_for_period(store, period)
    org = get_org(store, org_code)
    return _write(store, plan, org, period, target, blank=True, with_annual=with_annual)


def export_submission(
    store: Store, org_code: str, period: Period, target: Path, *, with_annual: bool = False
) -> ExportResult:
    """The org unit's filled workbook; exporting one's own open period submits it.

    That goes through the period's life cycle like submitting on the entry page, so
    it is refused (before anything is written) while the period has errors: a county
    cannot send the province figures it has been told are wrong. ``with_annual``: a
    fourth quarter's workbook with the year's annual sheets; each of the two periods
    still open is checked first and submitted.
    """
    org = get_org(store, org_code)
    plan = plan_for_period(store, period)
    bound = bound_org(store)
    periods = [period, annual_of(period)] if with_annual else [period]
    for other in periods[1:]:
        require_in_plan(store, plan, other)
    own = bound is not None and bound.code == org.code
    submits = [
        p for p in periods if own and not period_status.status(store, plan.id, org.code, p).locked
    ]
    errors = [
        problem
        for p in submits
        for problem in period_status.open_problems(store, plan, org.code, p)
        if problem.severity == "error"
    ]
    if errors:
        raise period_status.OpenProblemsError(errors)
    result = _write(store, plan, org, period, target, blank=False, with_annual=with_annual)
    for p in submits:
        period_status.submit(store, plan, org.code, p)
    if submits:
        return dataclasses.replace(result, submitted=True)
    return result


def _counties(store: Store, scope: str | None) -> list[OrgUnit]:
    """The counties a batch export covers: under ``scope``, by default the installation's.

    A prefecture's store holds only its own counties' reports: exporting "every
    county" from it means its own, never the province's sixty.
    """
    bound = bound_org(store)
    home = bound.code if bound is not None else PROVINCE_CODE
    chosen = scope or home
    if not covers(store, home, chosen):
        mine = bound.name if bound else ""
        raise NotAllowedError(
            f"本机绑定的单位为“{mine}”,不能导出“{get_org(store, chosen).name}”的工作簿",
            where=chosen,
            allowed="本单位或其下级单位",
        )
    return counties_under(store, chosen)


def _many(
    store: Store,
    orgs: Iterable[OrgUnit],
    export: Callable[[Store, str, Period, Path], ExportResult],
    period: Period,
    folder: Path,
    progress: Progress | None,
) -> list[ExportResult]:
    units = list(orgs)
    plan_for_period(store, period)  # a period of no plan is refused before any file
    results = []
    for done, org in enumerate(units, start=1):
        results.append(export(store, org.code, period, folder))
        if progress is not None:
            progress(done, len(units), results[-1].path.name)
    return results


def export_templates_all(
    store: Store,
    period: Period,
    folder: Path,
    *,
    scope: str | None = None,
    progress: Progress | None = None,
    with_annual: bool = False,
) -> list[ExportResult]:
    """Templates for every county under ``scope`` (default: the installation's) into ``folder``."""

    def export(store: Store, code: str, period: Period, target: Path) -> ExportResult:
        return export_template(store, code, period, target, with_annual=with_annual)

    return _many(store, _counties(store, scope), export, period, folder, progress)


def export_submissions_all(
    store: Store,
    period: Period,
    folder: Path,
    *,
    scope: str | None = None,
    progress: Progress | None = None,
    with_annual: bool = False,
) -> list[ExportResult]:
    """One filled workbook per county (a province or demo store) into ``folder``."""

    def export(store: Store, code: str, period: Period, target: Path) -> ExportResult:
        plan = plan_for_period(store, period)
        org = get_org(store, code)
        return _write(store, plan, org, period, target, blank=False, with_annual=with_annual)

    return _many(store, _counties(store, scope), export, period, folder, progress)


WORKBOOK_SUFFIXES = (".xlsx",)


def is_own_output(path: Path) -> bool:
    """Files this program or a spreadsheet program leaves beside submissions."""
    name = path.name
    return (
        name.startswith(("~$", ".~", "."))  # Excel's lock file, a save in progress
        or path.stem.endswith(MARKUP_SUFFIX)  # a marked-up copy handed back earlier
    )


def collect_workbooks(sources: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The workbooks to import from files and folders (folders searched with subfolders).

    Returns (workbooks, skipped): ``skipped`` are the other files found in folders
    (not .xlsx, lock files, marked-up copies), for the report to mention. A file
    named directly is taken whatever its suffix: the import then says what it is.
    """
    found: list[Path] = []
    skipped: list[Path] = []
    for named in sources:
        source = Path(named)
        if not source.is_dir():
            found.append(source)
            continue
        for path in sorted(source.rglob("*")):
            inside = path.relative_to(source).parts[:-1]
            if path.is_dir() or any(part.startswith(".") for part in inside):
                continue
            if path.suffix.lower() in WORKBOOK_SUFFIXES and not is_own_output(path):
                found.append(path)
            else:
                skipped.append(path)
    unique = list(dict.fromkeys(found))  # a file named twice is imported once
    return unique, skipped


def import_files(
    store: Store,
    files: Iterable[Path],
    *,
    markup_dir: Path | None = None,
    progress: Progress | None = None,
    replace_newer: bool = False,
    match_existing: bool = False,
    load_plan: bool = False,
) -> ImportReport:
    """Import each workbook on its own: all of a file or nothing of it.

    A refused file gets a marked-up copy (``*_问题标注.xlsx``) next to it or in
    ``markup_dir``. An applied one submits its org unit's period (see importing.py).
    """
    paths = [Path(f) for f in files]
    report = ImportReport()
    options = import_options(
        markup_dir=markup_dir,
        replace_newer=replace_newer,
        match_existing=match_existing,
        load_plan=load_plan,
    )
    stopped: str | None = None  # the store cannot be written: the rest are not tried
    for done, path in enumerate(paths, start=1):
        if stopped is not None:
            report.files.append(_not_done(path, f"未处理:{stopped},此文件未导入"))
        else:
            try:
                report.files.append(import_file(store, path, options))
            except StoreError as exc:
                log.warning("import of %s stopped the batch: %s", path, exc)
                stopped = f"数据库无法写入({exc.message})"
                report.files.append(_not_done(path, f"{stopped},此文件未导入"))
            except OSError as exc:  # the file vanished or cannot be read half-way
                log.warning("import of %s failed: %s", path, exc)
                report.files.append(_not_done(path, f"无法读取文件:{exc.strerror or exc}"))
            except Exception:
                # A bug met on one file (its transaction rolled back): it is reported
                # and logged with its traceback, and the rest of the batch goes on.
                log.exception("import of %s failed with an internal error", path)
                report.files.append(
                    _not_done(path, "程序内部错误,此文件未导入,数据库未作改动(详情已写入日志文件)")
                )
        last = report.files[-1]
        log.info(
            "import of %s: %s (%s %s%s)",
            path, last.outcome, last.org_code or "?", last.period or "?",
            f", revision {last.revision}" if last.revision else "",
        )  # fmt: skip
        if progress is not None:
            progress(done, len(paths), path.name)
    return report


def backup_before_import(store: Store) -> Path | None:
    """A verified backup before a batch changes the store (none for an in-memory one).

    When nothing changed since the newest backup (a second import of the same files, a
    batch that was all refused), that backup already holds this state: it is kept as
    it is, instead of a copy of it pushing an older backup out of the rotation.
    """
    from jlip_desk.store.backups import holds_state_of, list_backups

    if store.path is None:
        return None
    newest = next(iter(list_backups(store.backups_folder())), None)
    if newest is not None and holds_state_of(store.conn, newest.path):
        return newest.path
    return store.backup(reason="before-import")


def _not_done(path: Path, message: str) -> FileResult:
    result = FileResult(file=str(path))
    result.issues = [
        Issue(message, rule="未完成", allowed="问题解决后重新导入此文件(已导入的文件不受影响)")
    ]
    return result


def import_options(
    *,
    markup_dir: Path | None = None,
    markup: bool = True,
    replace_newer: bool = False,
    match_existing: bool = False,
    load_plan: bool = False,
) -> ImportOptions:
    return ImportOptions(
        markup_dir=markup_dir,
        markup=markup,
        replace_newer=replace_newer,
        match_existing=match_existing,
        load_plan=load_plan,
    )
