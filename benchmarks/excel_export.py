"""Benchmark: export one county's submission vs openpyxl writing the same cells unstyled."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook

from benchmarks._excel_common import paired_medians, show
from jlip_desk.excel.data import collect
from jlip_desk.excel.layout import sheets_for
from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submission
from jlip_desk.services.installation import prepare
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import get_org
from jlip_desk.store.plans import active_plan

PERIOD = Period(2025, 4)


def main() -> None:
    store = Store.memory()
    prepare(store)
    generate(store)
    org_code = store.conn.execute(
        "SELECT org_code FROM records GROUP BY org_code ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    plan, org = active_plan(store), get_org(store, org_code)
    sheets = collect(store, plan, org, sheets_for(plan, org, PERIOD), blank=False)
    cells = sum(len(s.rows) * len(s.spec.columns) for s in sheets)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)

        def floor() -> None:
            wb = Workbook()
            for data in sheets:
                ws = wb.create_sheet(data.spec.sheet)
                ws.append([c.header for c in data.spec.columns])
                for row in data.rows:
                    ws.append([row.get(c.key) for c in data.spec.columns])
            wb.save(folder / "floor.xlsx")

        def ours() -> None:
            export_submission(store, org_code, PERIOD, folder)

        floor()  # warm up both before timing
        ours()
        floor_s, ours_s = paired_medians(floor, ours)
    print(f"Export of {org.name} ({org_code}) {PERIOD}: {cells} data cells, median of 7 runs")
    show("export one county submission", ours_s, floor_s, "openpyxl, no styling", 2.0)


if __name__ == "__main__":
    main()
