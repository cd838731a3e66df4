"""Exporting one's own submission locks the period, and is refused while errors remain."""

from __future__ import annotations

from pathlib import Path

import pytest

from jlip_desk.periods import Period
from jlip_desk.services import period_status
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submission
from jlip_desk.services.installation import bind
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.store.records import list_records

Q = Period(2025, 3)


def _bad_value(store: Store, code: str) -> None:
    plan = active_plan(store)
    record = next(r for r in list_records(store, plan.id, "workstations", [code]))
    key = CellKey(plan.id, "activity", code, str(Q), record.code)
    with store.atomic():
        write_values(
            store, key, {"mediations": 1, "mediations_successful": 5}, store.new_change("typed")
        )


def _county_with_a_draft_quarter(store: Store) -> str:
    """A county installation (220105, demo data) whose quarter Q is still a draft."""
    generate(store, seed=4)
    code = "220105"
    bind(store, code)
    with store.atomic():
        store.conn.execute(
            "UPDATE period_status SET status = 'draft' WHERE org_code = ? AND period = ?",
            (code, str(Q)),
        )
    return code


def test_export_with_errors_is_refused_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    code = _county_with_a_draft_quarter(store)
    plan = active_plan(store)
    _bad_value(store, code)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(period_status.OpenProblemsError) as caught:
        export_submission(store, code, Q, out)
    assert "调解成功数不能大于调解纠纷数" in str(caught.value)
    assert list(out.iterdir()) == []
    assert not period_status.status(store, plan.id, code, Q).locked


def test_export_of_a_clean_period_locks_it(store: Store, tmp_path: Path) -> None:
    code = _county_with_a_draft_quarter(store)
    plan = active_plan(store)
    assert not period_status.open_problems(store, plan, code, Q)  # demo data is clean
    result = export_submission(store, code, Q, tmp_path)
    assert result.path.exists()
    assert period_status.status(store, plan.id, code, Q).status == "submitted"
