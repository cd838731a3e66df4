"""Benchmark: importing a county submission and a 20,000-row registry vs openpyxl read_only."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import load_workbook

from benchmarks._excel_common import figure, paired_medians, province_store, show_figure
from benchmarks._figures import Figure
from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submission, import_options
from jlip_desk.services.importing import import_file
from jlip_desk.services.installation import prepare
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.store.records import format_code
from jlip_desk.validation.formats import make_credit_code

BIG_ROWS = 20_000


def read_only_floor(path: Path) -> None:
    wb = load_workbook(path, read_only=True, data_only=True)
    for ws in wb.worksheets:
        for _row in ws.iter_rows(values_only=True):
            pass
    wb.close()


def run_import(path: Path) -> None:
    store = province_store()
    result = import_file(store, path, import_options(markup=False))
    assert result.outcome == "applied", result.text()
    store.close()


def big_registry_store() -> Store:
    store = Store.memory()
    plan = prepare(store)
    registry = plan.registry("workstations")
    with store.atomic():
        change = store.new_change("system", note="benchmark")
        rows, cells = [], []
        for seq in range(1, BIG_ROWS + 1):
            code = format_code("220102", registry.code_tag, seq)
            rows.append((code, plan.id, registry.id, "220102", seq, change))
            values = {
                "name": f"第{seq}号工作站", "host_org": f"依托单位{seq}",
                "host_credit_code": make_credit_code(f"91220102{seq:09d}"),
                "host_type": "其他", "established_on": "2021-01-01", "status": "运行",
                "contact": "王伟", "phone": "0431-88886666", "address": f"南关区{seq}号",
            }  # fmt: skip
            cells += [
                (plan.id, registry.id, "220102", "", code, k, v, change) for k, v in values.items()
            ]
        store.conn.executemany(
            "INSERT INTO records (code, plan_id, registry, org_code, seq, change_id) "
            "VALUES (?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
        store.conn.executemany(
            "INSERT INTO cells (plan_id, form, org_code, period, subject, field, value, change_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cells)  # fmt: skip
        annual = {"population": 50.5, "high_value_patents": 120, "valid_invention_patents": 400,
                  "valid_trademarks": 9000, "pledge_amount": 1234.5}  # fmt: skip
        write_values(store, CellKey(plan.id, "county_annual", "220102", "2025", ""), annual, change)
    assert active_plan(store).id == plan.id
    return store


def run(runs: int, big_runs: int) -> list[tuple[str, Figure]]:
    """(what was imported, figure) for a county submission and the big registry."""
    demo = Store.memory()
    prepare(demo)
    generate(demo)
    org_code = demo.conn.execute(
        "SELECT org_code FROM records GROUP BY org_code ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    done = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        county = export_submission(demo, org_code, Period(2025, 4), folder).path
        floor_s, ours_s = paired_medians(
            lambda: read_only_floor(county), lambda: run_import(county), runs=runs
        )
        about = (
            f"Import of {county.name}, median of {runs} runs"
            " (validation and database writes included)"
        )
        done.append((about, figure("import one county submission", ours_s, floor_s, 1.0)))

        # Imported with the default limits, as a real import would be.
        big = export_submission(big_registry_store(), "220102", Period(2025), folder).path
        floor_s, ours_s = paired_medians(
            lambda: read_only_floor(big),
            lambda: run_import(big),
            runs=big_runs,
        )
        size = big.stat().st_size
        about = f"Import of a {BIG_ROWS:,}-row registry ({size:,} bytes), median of {big_runs}"
        done.append((about, figure("import 20,000-row registry", ours_s, floor_s, 1.0)))
    return done


def measure(quick: bool) -> list[Figure]:
    return [f for _, f in (run(3, 1) if quick else run(7, 3))]


def main() -> None:
    for about, imported in run(7, 3):
        print(about)
        show_figure(imported, "openpyxl read_only")


if __name__ == "__main__":
    main()
