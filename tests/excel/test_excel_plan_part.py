"""The plan definition a workbook carries: written very hidden, read back whole (also
after LibreOffice re-saves the workbook), and ignored when damaged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from jlip_desk.excel.importer import read_submitted
from jlip_desk.excel.plan_part import PLAN_SHEET, plan_text_of
from jlip_desk.periods import Period
from jlip_desk.plan.loader import parse_plan
from jlip_desk.services.excel import export_template
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan


def test_the_carried_plan_reads_back_as_the_same_plan(
    demo_store: Store, tmp_path: Path, helpers: Any
) -> None:
    plan = active_plan(demo_store)
    path = export_template(demo_store, "220102", Period(2025, 3), tmp_path).path
    text = read_submitted(path).content.plan_text
    assert text is not None and parse_plan(text, "carried") == plan
    (resaved,) = helpers.resave_with_libreoffice([path], tmp_path / "lo")
    again = read_submitted(resaved).content.plan_text
    assert again is not None and parse_plan(again, "carried") == plan


def test_a_damaged_plan_sheet_is_treated_as_absent(demo_store: Store, tmp_path: Path) -> None:
    path = export_template(demo_store, "220102", Period(2025, 3), tmp_path).path
    wb = load_workbook(path)
    rows = [[c.value for c in row] for row in wb[PLAN_SHEET].iter_rows()]
    assert plan_text_of(rows) is not None
    wb[PLAN_SHEET]["A5"] = "target = 999"
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    assert read_submitted(changed).content.plan_text is None
    assert plan_text_of([]) is None and plan_text_of([["something else", "x"]]) is None
