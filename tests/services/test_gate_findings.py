"""The one-gate issue's findings, each as the user met it, through the real services.

Each test failed on the main before the gate: imports ignored the period's state,
three validators disagreed, a back-dated station broke locked periods, an older
workbook replaced a newer one, a county with no stations never counted as reported,
a deleted row passed where a blank one did not, and a cleared code made a duplicate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jlip_desk.excel.report import FileResult
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services import period_status
from jlip_desk.services.demo import generate
from jlip_desk.services.entry import period_problems, save_values
from jlip_desk.services.excel import (
    export_submission,
    export_template,
    import_files,
)
from jlip_desk.services.installation import bind, prepare
from jlip_desk.services.registry import add_record, list_rows, not_due_notice
from jlip_desk.services.reporting import period_overviews
from jlip_desk.services.summary import build_summary
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.validation.formats import credit_code_check_char

Q4 = Period(2025, 4)
Q3 = Period(2025, 3)
ACTIVITY = "服务活动"
STATIONS = "维权援助工作站"
POINTS = "信息服务网点"


def _store(org: str, *, demo: bool = True) -> Store:
    store = Store.memory()
    prepare(store)
    if demo:
        generate(store, seed=2021)
    bind(store, org)
    return store


@pytest.fixture
def province() -> Iterator[Store]:
    store = _store("220000")
    yield store
    store.close()


def _busy_county(store: Store, plan: Plan, period: Period) -> str:
    """The county with the most workstations active in ``period``."""
    rows = list_rows(store, plan, "workstations")
    counts: dict[str, int] = {}
    for row in rows:
        if str(row.values.get("established_on") or "9") <= period.start.isoformat() and (
            row.values.get("status") == "运行"
        ):
            counts[row.org_code] = counts.get(row.org_code, 0) + 1
    return max(counts, key=lambda code: (counts[code], code))


def _one(
    store: Store, path: Path, *, replace_newer: bool = False, match_existing: bool = False
) -> FileResult:
    report = import_files(
        store, [path], markup_dir=path.parent / "marked",
        replace_newer=replace_newer, match_existing=match_existing,
    )  # fmt: skip
    return report.files[0]


def _activity_row(path: Path, code: str) -> int:
    ws = load_workbook(path)[ACTIVITY]
    return next(r for r in range(3, ws.max_row + 1) if ws[f"A{r}"].value == code)


def _credit(county: str, seed: str) -> str:
    body = f"91{county}{seed:0>9}"[:17]
    return body + credit_code_check_char(body)


# ------------------------------------------------------- 1. the period's state


def test_import_into_a_submitted_county_period_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    store = _store("220105")
    plan = active_plan(store)
    assert period_status.status(store, plan.id, "220105", Q4).status == "submitted"
    path = export_submission(store, "220105", Q4, tmp_path).path
    assert _one(store, path).outcome == "unchanged"  # the same data: nothing to do
    wb = load_workbook(path)
    wb[ACTIVITY]["D3"] = 777
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    before = store.content_hash()
    result = _one(store, changed)
    assert result.outcome == "refused"
    text = result.text()
    assert "2025年第4季度已报送并已锁定" in text and "请先解锁本期" in text
    assert store.content_hash() == before
    store.close()


def test_an_accepted_period_never_changes_without_a_return(province: Store, tmp_path: Path) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q3)
    assert period_status.status(province, plan.id, county, Q3).status == "accepted"
    path = export_submission(province, county, Q3, tmp_path).path
    wb = load_workbook(path)
    wb[ACTIVITY]["D3"] = 555
    wb.save(path)
    before = province.content_hash()
    result = _one(province, path)
    assert result.outcome == "refused" and "请先退回该单位本期的报送" in result.text()
    assert period_status.status(province, plan.id, county, Q3).status == "accepted"
    assert province.content_hash() == before
    # Returned with a reason, the same file goes in as the next revision and is submitted.
    period_status.return_period(province, plan, county, Q3, "咨询数有误")
    assert _one(province, path).outcome == "applied"
    assert period_status.status(province, plan.id, county, Q3).status == "submitted"


# ------------------------------------------------------ 2. one verdict for all


def _county_with_new_station(tmp_path: Path) -> tuple[Store, Path, str]:
    """A county store with a station established in 2025Q1 and its filled template."""
    county = _store("220102", demo=False)
    plan = active_plan(county)
    code = add_record(county, plan, "workstations", "220102", {
        "name": "南关区新站", "host_org": "南关区新中心",
        "host_credit_code": _credit("220102", "7"),
        "host_type": "服务机构", "established_on": "2025-01-10", "status": "运行",
        "contact": "王伟", "phone": "13912345678",
    })  # fmt: skip
    path = export_template(county, "220102", Period(2025, 1), tmp_path).path
    wb = load_workbook(path)
    ws = wb[ACTIVITY]
    headers = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1)}
    figures = {"接待咨询": 10, "受理维权援助案件": 1, "办结维权援助案件": 3, "调解纠纷": 0,
               "调解成功": 0, "培训及宣传活动": 1, "服务企业": 2, "检索分析报告": 0}  # fmt: skip
    for header, column in headers.items():
        for label, value in figures.items():
            if header and str(header).startswith(label):
                ws.cell(3, column, value)
    wb.save(path)
    return county, path, code


def test_import_checks_the_cross_quarter_rule_as_the_grid_does(tmp_path: Path) -> None:
    county, path, code = _county_with_new_station(tmp_path)
    province = _store("220000", demo=False)
    result = _one(province, path)
    # Three cases closed of one accepted, nothing open before: the grid's error, here too.
    assert result.outcome == "refused"
    assert any("办结案件数不能大于" in i.message for i in result.errors)
    # The grid of the county that typed the same figures says the same.
    plan = active_plan(county)
    typed = {"consultations": "10", "cases_accepted": "1", "cases_closed": "3", "mediations": "0",
             "mediations_successful": "0", "trainings": "1", "enterprises_served": "2",
             "reports_delivered": "0"}  # fmt: skip
    save_values(county, plan, "activity", "220102", Period(2025, 1), code, typed)
    grid = period_problems(county, plan, "activity", "220102", Period(2025, 1))
    assert sorted(p.message for p in grid if p.severity == "error") == sorted(
        i.message for i in result.errors
    )
    province.close()
    county.close()


def test_a_new_point_without_its_activity_row_is_refused_naming_the_row(
    province: Store, tmp_path: Path
) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q4)
    period_status.return_period(province, plan, county, Q4, "请补报")
    path = export_submission(province, county, Q4, tmp_path).path
    wb = load_workbook(path)
    ws = wb[POINTS]
    row = ws.max_row + 1
    point = {
        "name": "新设网点", "host_org": "新设图书馆", "host_credit_code": _credit(county, "8"),
        "host_type": "公共图书馆", "level": "省级", "tisc": "否",
        "established_on": dt.date(2025, 11, 1), "status": "运行", "contact": "李娜",
        "phone": "13812345678",
    }  # fmt: skip
    # A registry sheet is the code, then the plan's fields in order.
    for column, field in enumerate(plan.registry("service_points").fields, start=2):
        ws.cell(row, column, point.get(field.id))
    wb.save(path)
    before = province.content_hash()
    result = _one(province, path)
    assert result.outcome == "refused"
    missing = [i for i in result.errors if "缺少" in i.message]
    assert missing, result.text()
    assert (
        missing
        and "新设网点" in missing[0].message
        and "名称填“新设网点”" in (missing[0].allowed or "")
    )
    assert province.content_hash() == before
    assert period_status.status(province, plan.id, county, Q4).status == "returned"


# ------------------------------------------- 3. back-dated records, locked periods


def test_a_back_dated_point_leaves_locked_periods_whole_and_says_so(province: Store) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q4)
    listed = {s.period: s for s in period_overviews(province, plan, county, own=True)}
    locked = [p for p, s in listed.items() if s.single and s.single.state.locked and p.is_quarter]
    assert Q4 in locked and all(listed[p].errors == 0 for p in locked)
    code = add_record(province, plan, "service_points", county, {
        "name": "补登网点", "host_org": "补登中心", "host_credit_code": _credit(county, "9"),
        "host_type": "高校", "level": "省级", "established_on": "2023-06-01", "status": "运行",
        "contact": "张强", "phone": "13712345678", "tisc": "否",
    })  # fmt: skip
    after = {s.period: s for s in period_overviews(province, plan, county, own=True)}
    assert [p for p in locked if after[p].errors] == []
    notice = not_due_notice(province, plan, code)
    assert notice is not None and "2023年第2季度" in notice and "2025年第4季度" in notice
    # Reopened, the period owes the point's figures again.
    period_status.return_period(province, plan, county, Q4, "补报新网点")
    errors = [
        p for p in period_problems(province, plan, "activity", county, Q4)
        if p.severity == "error" and p.key.subject == code
    ]  # fmt: skip
    assert errors


# ----------------------------------------------------- 4. revisions across copies


def test_an_older_workbook_never_silently_replaces_a_newer_one(
    province: Store, tmp_path: Path
) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q4)
    period_status.return_period(province, plan, county, Q4, "请核对")
    older_dir, newer_dir = tmp_path / "older", tmp_path / "newer"
    older_dir.mkdir()
    newer_dir.mkdir()
    older_path = export_submission(province, county, Q4, older_dir).path
    wb = load_workbook(older_path)
    wb[ACTIVITY]["D3"] = 4321
    newer_path = newer_dir / older_path.name
    wb.save(newer_path)
    # The newer copy is exported again so it carries a later export time.
    first = _one(province, newer_path)
    assert first.outcome == "applied", first.text()
    period_status.return_period(province, plan, county, Q4, "再核对")
    newest_path = export_submission(province, county, Q4, newer_dir).path
    second = _one(province, newest_path)
    assert second.outcome == "applied" and second.revision == 2, second.text()
    period_status.return_period(province, plan, county, Q4, "又核对")
    before = province.content_hash()
    stale = _one(province, older_path)
    assert stale.outcome == "refused"
    assert "早于本机已导入的第 2 版" in stale.text() and "导出于" in stale.text()
    assert province.content_hash() == before
    chosen = _one(province, older_path, replace_newer=True)
    assert chosen.outcome == "applied" and chosen.revision == 3


# ------------------------------------------------ 5. a county with no stations


def test_a_county_with_no_stations_counts_as_reported(tmp_path: Path) -> None:
    county = _store("220104", demo=False)
    path = export_submission(county, "220104", Q4, tmp_path).path
    county.close()
    province = _store("220000", demo=False)
    plan = active_plan(province)
    first = _one(province, path)
    assert first.outcome == "applied" and first.revision == 1, first.text()
    assert period_status.status(province, plan.id, "220104", Q4).status == "submitted"
    reporting = build_summary(province, Q4, None)["reporting"]
    assert "220104" in reporting["reported_orgs"]
    assert _one(province, path).outcome == "unchanged"
    province.close()


# ------------------------------------------- 6. a deleted row is a blank row


def test_a_deleted_activity_row_is_refused_like_a_blank_one(
    province: Store, tmp_path: Path
) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q4)
    period_status.return_period(province, plan, county, Q4, "请补报")
    path = export_submission(province, county, Q4, tmp_path).path
    ws = load_workbook(path)[ACTIVITY]
    code, name = ws["A3"].value, ws["C3"].value
    before = province.content_hash()

    deleted = tmp_path / "deleted.xlsx"
    wb = load_workbook(path)
    wb[ACTIVITY].delete_rows(_activity_row(path, code))
    wb.save(deleted)
    gone = _one(province, deleted)
    assert gone.outcome == "refused"
    assert any("缺少" in i.message and name in i.message for i in gone.errors)

    blank = tmp_path / "blank.xlsx"
    wb = load_workbook(path)
    row = _activity_row(path, code)
    for column in range(4, wb[ACTIVITY].max_column + 1):
        wb[ACTIVITY].cell(row, column).value = None
    wb.save(blank)
    empty = _one(province, blank)
    assert empty.outcome == "refused"
    assert any(i.cell and i.cell.endswith(str(row)) for i in empty.errors)
    assert province.content_hash() == before
    assert period_status.status(province, plan.id, county, Q4).status == "returned"


# ------------------------------------------------- 7. no duplicate from a lost code


def test_a_cleared_code_is_refused_not_added_as_a_second_station(
    province: Store, tmp_path: Path
) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q4)
    period_status.return_period(province, plan, county, Q4, "请核对")
    path = export_submission(province, county, Q4, tmp_path).path
    wb = load_workbook(path)
    code = wb[STATIONS]["A3"].value
    wb[STATIONS]["A3"] = None
    wb.save(path)
    counted = len(list_rows(province, plan, "workstations"))
    before = province.content_hash()
    result = _one(province, path)
    assert result.outcome == "refused"
    duplicate = [i for i in result.errors if i.rule == "不得重复登记"]
    assert duplicate and code in duplicate[0].message and code in (duplicate[0].allowed or "")
    assert province.content_hash() == before
    # Matched on the user's choice, it is the same station: nothing is added.
    chosen = _one(province, path, match_existing=True)
    assert chosen.outcome == "applied", chosen.text()
    assert chosen.records_created == 0
    assert len(list_rows(province, plan, "workstations")) == counted


# ------------------------------------------------ found when tried as a new user


def _returned_file(province: Store, county: str, tmp_path: Path) -> Path:
    period_status.return_period(province, active_plan(province), county, Q4, "请核对")
    return export_submission(province, county, Q4, tmp_path).path


def test_a_later_establishment_date_cannot_empty_handed_in_periods(
    province: Store, tmp_path: Path
) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q4)
    path = _returned_file(province, county, tmp_path)
    wb = load_workbook(path)
    ws = wb[STATIONS]
    column = 2 + [f.id for f in plan.registry("workstations").fields].index("established_on")
    ws.cell(3, column).value = dt.date(2025, 10, 1)
    wb.save(path)
    before = province.content_hash()
    result = _one(province, path)
    assert result.outcome == "refused"
    assert any(i.rule == "已报送的数据不变" and "2025年第3季度" in i.message for i in result.errors)
    assert province.content_hash() == before
    # The registry page refuses the same change.
    from jlip_desk.errors import NotAllowedError
    from jlip_desk.services.registry import update_record

    code = ws["A3"].value
    with pytest.raises(NotAllowedError, match="不再包含该记录"):
        update_record(province, plan, code, {"established_on": "2025-10-01"})


def test_a_code_taken_by_another_record_here_is_refused(tmp_path: Path) -> None:
    """A county's fresh store coded its new station like a different one the province has."""
    county = _store("220102", demo=False)
    plan = active_plan(county)
    code = add_record(county, plan, "workstations", "220102", {
        "name": "另一个站", "host_org": "另一个中心", "host_credit_code": _credit("220102", "5"),
        "host_type": "服务机构", "established_on": "2021-01-10", "status": "运行",
        "contact": "王伟", "phone": "13912345678",
    })  # fmt: skip
    path = export_template(county, "220102", Period(2021), tmp_path).path
    county.close()
    province = _store("220000")
    assert code in {r.code for r in list_rows(province, plan, "workstations")}
    if period_status.status(province, plan.id, "220102", Period(2021)).locked:
        period_status.return_period(province, plan, "220102", Period(2021), "请核对")
    before = province.content_hash()
    result = _one(province, path)
    assert result.outcome == "refused"
    assert any(i.rule == "编码与记录一致" and code in i.message for i in result.errors), (
        result.text()
    )
    assert province.content_hash() == before
    province.close()


def test_the_same_file_twice_changes_nothing_even_when_it_added_a_station(
    province: Store, tmp_path: Path
) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q4)
    path = _returned_file(province, county, tmp_path)
    wb = load_workbook(path)
    ws = wb[STATIONS]
    station = {
        "name": "再导入站", "host_org": "再导入中心", "host_credit_code": _credit(county, "6"),
        "host_type": "服务机构", "established_on": dt.date(2025, 11, 1), "status": "运行",
        "contact": "李娜", "phone": "13812345678",
    }  # fmt: skip
    row = ws.max_row + 1
    for column, field in enumerate(plan.registry("workstations").fields, start=2):
        ws.cell(row, column, station.get(field.id))
    act = wb[ACTIVITY]
    figures = [act.cell(3, c).value for c in range(4, act.max_column + 1)]
    act.append([None, "知识产权维权援助工作站", "再导入站", *figures])
    wb.save(path)
    first = _one(province, path)
    assert first.outcome == "applied" and first.records_created == 1, first.text()
    before = province.content_hash()
    again = _one(province, path)
    assert again.outcome == "unchanged" and "未作任何改动" in again.summary
    assert province.content_hash() == before


def test_a_locked_period_is_said_first_not_the_files_other_problems(
    province: Store, tmp_path: Path
) -> None:
    plan = active_plan(province)
    county = _busy_county(province, plan, Q3)
    path = export_submission(province, county, Q3, tmp_path).path
    wb = load_workbook(path)
    wb[ACTIVITY]["D3"] = "很多"  # a mistake, in a file for an accepted period
    wb.save(path)
    result = _one(province, path)
    assert result.outcome == "refused"
    assert [i.rule for i in result.errors] == ["报告期状态"]
    assert "已接收" in result.errors[0].message
