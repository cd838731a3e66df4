"""Property: an import's verdict is the entry grid's problem list, whatever users type.

Generated like real use: stations established and closed in different quarters,
figures over several earlier quarters (some never entered), a quarter typed with
mistakes, and rows of the workbook deleted. The same figures are typed into the
grid of one store and imported, as a filled template, into a copy of it taken just
before: the import is refused exactly when the grid shows errors, with the same
problems on the same rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from jlip_desk.periods import Period, quarters_between
from jlip_desk.services.entry import period_problems, save_values
from jlip_desk.services.excel import export_template, import_files
from jlip_desk.services.installation import bind, prepare
from jlip_desk.services.registry import add_record, close_record
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.validation.formats import credit_code_check_char

COUNTY = "220102"
TARGET = Period(2025, 2)
EARLIER = quarters_between(Period(2024, 1), Period(2025, 1))
FIELDS = ("consultations", "cases_accepted", "cases_closed", "mediations",
          "mediations_successful", "trainings", "enterprises_served", "reports_delivered",
          "foreign_cases")  # fmt: skip

figure = st.one_of(
    st.integers(0, 12).map(str),
    st.sampled_from(["", "abc", "-1", "2.5"]),  # blank, text, below the minimum, a fraction
)
row = st.fixed_dictionaries({f: figure for f in FIELDS})
station = st.fixed_dictionaries(
    {
        "established": st.sampled_from([*EARLIER, TARGET]),
        "closed": st.one_of(st.none(), st.sampled_from([*EARLIER[2:], TARGET])),
        "history": st.lists(
            st.one_of(st.none(), row), min_size=len(EARLIER), max_size=len(EARLIER)
        ),
        "typed": row,
        "deleted": st.booleans(),  # the row is deleted from the workbook (left blank in the grid)
    }
)


def _credit(n: int) -> str:
    body = f"91{COUNTY}{n:09d}"
    return body + credit_code_check_char(body)


def _county(stations: list[dict[str, object]]) -> tuple[Store, list[str]]:
    store = Store.memory()
    prepare(store)
    bind(store, COUNTY)
    plan = active_plan(store)
    codes = []
    for n, s in enumerate(stations):
        established: Period = s["established"]  # type: ignore[assignment]
        code = add_record(store, plan, "workstations", COUNTY, {
            "name": f"第{n + 1}站", "host_org": f"依托单位{n + 1}", "host_credit_code": _credit(n),
            "host_type": "服务机构", "established_on": established.start.isoformat(),
            "status": "运行", "contact": "王伟", "phone": "13912345678",
        })  # fmt: skip
        closed = s["closed"]
        if isinstance(closed, Period) and closed >= established:
            close_record(store, plan, code, closed.start + dt.timedelta(days=10))
        codes.append(code)
        history: list[dict[str, str] | None] = s["history"]  # type: ignore[assignment]
        for quarter, values in zip(EARLIER, history, strict=True):
            if values is None or quarter < established:
                continue
            if isinstance(closed, Period) and quarter > closed:
                continue
            save_values(store, plan, "activity", COUNTY, quarter, code, values)
    return store, codes


def _copy(store: Store) -> Store:
    copy = Store.memory()
    store.conn.backup(copy.conn)
    return copy


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stations=st.lists(station, min_size=1, max_size=3))
def test_import_verdict_is_the_grids(stations: list[dict[str, object]], tmp_path: Path) -> None:
    grid_store, codes = _county(stations)
    import_store = _copy(grid_store)
    plan = active_plan(grid_store)
    path = export_template(import_store, COUNTY, TARGET, tmp_path).path
    wb = load_workbook(path)
    ws = wb["服务活动"]
    headers = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    columns = {f.id: headers.index(f.header) + 1 for f in plan.form("activity").fields}
    rows = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    deleted = []
    for code, s in zip(codes, stations, strict=True):
        typed: dict[str, str] = s["typed"]  # type: ignore[assignment]
        if code not in rows:
            continue  # not due in the quarter: not in the template, not in the grid
        if s["deleted"]:
            deleted.append(rows[code])
            continue
        save_values(grid_store, plan, "activity", COUNTY, TARGET, code, typed)
        for field_id, text in typed.items():
            ws.cell(rows[code], columns[field_id]).value = (
                int(text) if text.isdigit() else (text or None)
            )
    for r in sorted(deleted, reverse=True):
        ws.delete_rows(r)
    wb.save(path)

    grid = [p for p in period_problems(grid_store, plan, "activity", COUNTY, TARGET)
            if p.severity == "error"]  # fmt: skip
    result = import_files(import_store, [path], markup_dir=tmp_path / "marked").files[0]
    assert (result.outcome == "refused") == bool(grid), (result.text(), grid)
    if grid:
        # Rows present: the same problems; rows deleted: one "missing row" issue each.
        wb = load_workbook(path)
        code_of_row = {r: wb["服务活动"].cell(r, 1).value for r in range(3, 100)}
        seen: dict[str, list[str]] = {}
        for issue in result.errors:
            if issue.cell:
                seen.setdefault(code_of_row[int(issue.cell.lstrip("ABCDEFGHIJKLM"))], []).append(
                    issue.message
                )
            else:
                code = next(c for c in codes if c in issue.message)
                seen.setdefault(code, []).append("缺少")
        expected: dict[str, list[str]] = {}
        for p in grid:
            deleted_row = p.key.subject not in code_of_row.values()
            messages = expected.setdefault(p.key.subject, [])
            if deleted_row:
                if "缺少" not in messages:
                    messages.append("缺少")
            else:
                messages.append(p.message)
        assert {k: sorted(v) for k, v in seen.items()} == {
            k: sorted(v) for k, v in expected.items()
        }
    grid_store.close()
    import_store.close()
