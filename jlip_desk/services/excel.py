"""Excel services for the GUI and the command line: export templates and submissions, import."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from jlip_desk.excel.exporter import ExportResult, export_workbook
from jlip_desk.excel.importer import ImportOptions, import_file
from jlip_desk.excel.report import ImportReport
from jlip_desk.periods import Period
from jlip_desk.services.installation import bound_org, can_edit
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import PROVINCE_CODE, OrgUnit, counties_under, get_org
from jlip_desk.store.plans import active_plan

__all__ = [
    "ExportResult",
    "ImportReport",
    "Progress",
    "export_submission",
    "export_submissions_all",
    "export_template",
    "export_templates_all",
    "import_files",
    "import_options",
]

Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, name)`` after each file; raise to cancel."""


def export_template(store: Store, org_code: str, period: Period, target: Path) -> ExportResult:
    """A blank template for one org unit (registry rows prefilled, figures empty).

    ``target`` is a ``.xlsx`` file or a folder (the file name is then deterministic).
    """
    org = get_org(store, org_code)
    return export_workbook(store, active_plan(store), org, period, target, blank=True)


def export_submission(store: Store, org_code: str, period: Period, target: Path) -> ExportResult:
    """The org unit's filled workbook; exporting one's own data marks the period submitted.

    Like submitting on the entry page, that is refused while the period has errors:
    a county cannot send the province figures it has been told are wrong.
    """
    from jlip_desk.services import period_status

    org = get_org(store, org_code)
    plan = active_plan(store)
    submits = store.setting("installation_org") == org.code and not (
        period_status.status(store, plan.id, org.code, period).locked
    )
    if submits:
        problems = period_status.open_problems(store, plan, org.code, period)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise period_status.OpenProblemsError(errors)
    result = export_workbook(store, plan, org, period, target, blank=False)
    if submits:
        with store.atomic():
            change = store.new_change("system", note=f"导出报送文件 {result.path.name}")
            _mark_submitted(store, plan.id, org.code, str(period), change)
    return result


def _counties(store: Store, scope: str | None) -> list[OrgUnit]:
    return counties_under(store, scope or PROVINCE_CODE)


def _many(
    store: Store,
    orgs: Iterable[OrgUnit],
    export: Callable[[Store, str, Period, Path], ExportResult],
    period: Period,
    folder: Path,
    progress: Progress | None,
) -> list[ExportResult]:
    units = list(orgs)
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
) -> list[ExportResult]:
    """Templates for every county under ``scope`` (default: the whole province) into ``folder``."""
    return _many(store, _counties(store, scope), export_template, period, folder, progress)


def export_submissions_all(
    store: Store,
    period: Period,
    folder: Path,
    *,
    scope: str | None = None,
    progress: Progress | None = None,
) -> list[ExportResult]:
    """One filled workbook per county (a province or demo store) into ``folder``."""

    def export(store: Store, code: str, period: Period, target: Path) -> ExportResult:
        return export_workbook(
            store, active_plan(store), get_org(store, code), period, target, blank=False
        )

    return _many(store, _counties(store, scope), export, period, folder, progress)


def import_files(
    store: Store,
    files: Iterable[Path],
    *,
    markup_dir: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import each workbook on its own: all of a file or nothing of it.

    A refused file gets a marked-up copy (``*_问题标注.xlsx``) next to it or in
    ``markup_dir``. An applied one marks its org unit's period as submitted.
    """
    paths = [Path(f) for f in files]
    report = ImportReport()
    options = import_options(store, markup_dir=markup_dir)
    for done, path in enumerate(paths, start=1):
        report.files.append(import_file(store, path, options))
        if progress is not None:
            progress(done, len(paths), path.name)
    return report


def import_options(
    store: Store, *, markup_dir: Path | None = None, markup: bool = True
) -> ImportOptions:
    """Options for importing into ``store``: this installation's permissions, and an
    applied file marks its org unit's period as submitted."""
    bound = bound_org(store)
    editor = f"本机绑定的单位为“{bound.name}”" if bound else "本机尚未绑定单位"
    return ImportOptions(
        markup_dir=markup_dir,
        markup=markup,
        on_applied=_mark_submitted,
        may_edit=lambda org_code: can_edit(store, org_code),
        editor=editor,
    )


def _mark_submitted(store: Store, plan_id: str, org_code: str, period: str, change: int) -> None:
    """Set the period's status to submitted (the province accepts or returns it later)."""
    store.conn.execute(
        "INSERT INTO period_status (plan_id, org_code, period, status, reason, demo, change_id) "
        "VALUES (?, ?, ?, 'submitted', NULL, 0, ?) "
        "ON CONFLICT (plan_id, org_code, period) DO UPDATE SET status = 'submitted', "
        "reason = NULL, demo = 0, change_id = excluded.change_id "
        "WHERE period_status.status != 'submitted'",
        (plan_id, org_code, period, change),
    )
