"""Import: round trip, identical re-import, revisions with history, refusals change nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from jlip_desk.periods import Period
from jlip_desk.services.excel import export_submission, import_files
from jlip_desk.services.importing import ImportOptions, import_file
from jlip_desk.services.installation import bind, prepare
from jlip_desk.services.period_status import return_period
from jlip_desk.store.cells import CellKey, history
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan

Q = Period(2025, 3)
PLAN = "jilin-ip-14"


def _status(store: Store, org: str, period: str) -> str | None:
    row = store.conn.execute(
        "SELECT status FROM period_status WHERE org_code = ? AND period = ?", (org, period)
    ).fetchone()
    return row[0] if row else None


def test_round_trip_into_empty_store(
    demo_store: Store, target: Store, tmp_path: Path, helpers: Any
) -> None:
    snapshot = helpers.snapshot
    files = [export_submission(demo_store, "220102", p, tmp_path).path for p in (Q, Period(2025))]
    report = import_files(target, files)
    assert report.ok, report.text()
    assert [f.outcome for f in report.files] == ["applied", "applied"]
    periods = [str(Q), "2025"]
    assert snapshot(target, PLAN, "220102", periods) == snapshot(
        demo_store, PLAN, "220102", periods
    )
    assert _status(target, "220102", str(Q)) == "submitted"


def test_identical_file_changes_nothing(demo_store: Store, target: Store, tmp_path: Path) -> None:
    path = export_submission(demo_store, "220102", Q, tmp_path).path
    assert import_files(target, [path]).ok
    before = target.content_hash()
    again = import_files(target, [path])
    assert again.files[0].outcome == "unchanged"
    assert "第 1 版" in again.files[0].summary and "未作任何改动" in again.text()
    assert target.content_hash() == before


def test_corrected_resubmission_is_a_new_revision(
    demo_store: Store, target: Store, tmp_path: Path
) -> None:
    first = export_submission(demo_store, "220102", Q, tmp_path).path
    assert import_files(target, [first]).ok
    wb = load_workbook(first)
    ws = wb["服务活动"]
    code = ws["A3"].value
    ws["D3"] = 999
    corrected = tmp_path / "corrected.xlsx"
    wb.save(corrected)
    # A submitted period takes no other data until the province returns it.
    locked = import_files(target, [corrected]).files[0]
    assert locked.outcome == "refused" and "退回" in locked.text()
    return_period(target, active_plan(target), "220102", Q, "请核对咨询数")
    report = import_files(target, [corrected])
    result = report.files[0]
    assert result.outcome == "applied" and result.revision == 2 and result.values_changed == 1
    rows = target.conn.execute(
        "SELECT revision, file_name, file_sha256 FROM submissions ORDER BY revision"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(1, first.name), (2, "corrected.xlsx")]
    entries = history(target, CellKey(PLAN, "activity", "220102", str(Q), code), "consultations")
    assert [e.source_file for e in entries] == [first.name, "corrected.xlsx"]
    assert entries[-1].new_value == 999 and entries[-1].source_sha256 == rows[1][2]


def test_refusals_leave_store_unchanged(demo_store: Store, tmp_path: Path) -> None:
    path = export_submission(demo_store, "220102", Q, tmp_path).path
    store = Store.memory()
    prepare(store)
    bind(store, "220103")  # another county's installation
    before = store.content_hash()
    report = import_files(store, [path], markup_dir=tmp_path / "marked")
    assert not report.ok and "无权导入" in report.text()
    assert store.content_hash() == before
    store.close()


def test_import_permission_is_the_installations(demo_store: Store, tmp_path: Path) -> None:
    """The gate decides: an unbound store imports nothing, the province everything."""
    from jlip_desk.services.installation import bind, prepare

    path = export_submission(demo_store, "220102", Q, tmp_path).path
    unbound = Store.memory()
    prepare(unbound)
    before = unbound.content_hash()
    refused = import_file(unbound, path, ImportOptions(markup=False))
    assert refused.outcome == "refused" and "本机尚未绑定单位" in refused.text()
    assert unbound.content_hash() == before
    bind(unbound, "220000")
    allowed = import_file(unbound, path, ImportOptions(markup=False))
    assert allowed.outcome == "applied", allowed.text()
    unbound.close()


def test_report_json(demo_store: Store, target: Store, tmp_path: Path) -> None:
    path = export_submission(demo_store, "220102", Q, tmp_path).path
    wb = load_workbook(path)
    wb["服务活动"]["E3"] = "十二"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    report = import_files(target, [bad])
    out = tmp_path / "report.json"
    report.write_json(out)
    data = json.loads(out.read_text(encoding="utf-8"))
    issue = data["files"][0]["issues"][0]
    assert issue["where"] == "服务活动!E3" and issue["value"] == "十二"
    assert issue["allowed"] and issue["rule"]


def test_rule_problems_name_columns_not_field_ids(tmp_path: Path) -> None:
    from jlip_desk.services.excel import import_files
    from jlip_desk.services.installation import bind, open_store

    store = open_store(tmp_path / "s.sqlite3")
    try:
        bind(store, "220000")
        corpus = Path(__file__).resolve().parents[1] / "data" / "workbooks"
        report = import_files(store, [corpus / "mistake_bad_values.xlsx"], markup_dir=tmp_path)
    finally:
        store.close()
    allowed = [i.allowed or "" for f in report.files for i in f.issues]
    allowed = [a for a in allowed if a.startswith("满足")]
    assert "满足 调解成功 ≤ 调解纠纷" in allowed
    assert not any("mediations" in a for a in allowed)
