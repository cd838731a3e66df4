"""A different plan works end to end with no code or schema change; old data stays readable."""

from __future__ import annotations

from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.demo import generate
from jlip_desk.services.summary import build_summary
from jlip_desk.store.cells import CellKey, read_form, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan, get_plan, save_plan
from jlip_desk.store.records import create_record, list_records


def test_fifteenth_plan_end_to_end(store: Store, plan14: Plan, plan15: Plan) -> None:
    generate(store, seed=1)  # 14th-plan data first
    schema = store.conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert save_plan(store, plan15)
    assert active_plan(store).id == plan15.id

    hubs = plan15.registry("hubs")
    with store.atomic():
        change = store.new_change("typed")
        codes = []
        for county, opened in (
            ("220102", "2026-02-01"),
            ("220102", "2026-05-10"),
            ("220202", "2026-01-15"),
        ):
            codes.append(
                create_record(
                    store,
                    plan15.id,
                    hubs,
                    county,
                    {
                        "name": f"驿站{county}{opened}",
                        "operator_code": "91350100M000100Y43",
                        "opened_on": opened,
                        "state": "开放",
                        "phone": "0431-88886666",
                    },
                    change,
                )
            )
        for county, population, patents, geo in (
            ("220102", 60.0, 600, 5),
            ("220202", 40.0, 160, 7),
        ):
            write_values(
                store,
                CellKey(plan15.id, "county_annual", county, "2026", ""),
                {"population": population, "invention_patents": patents, "geo_indications": geo},
                change,
            )
        write_values(
            store,
            CellKey(plan15.id, "province_annual", "220000", "2026", ""),
            {"patent_transfers": 3300},
            change,
        )
        write_values(
            store,
            CellKey(plan15.id, "hub_quarterly", "220102", "2026Q2", codes[0]),
            {"visits": 120, "filings_assisted": 8, "filings_granted": 3},
            change,
        )
        store.conn.execute(
            "INSERT INTO period_status (plan_id, org_code, period, status, change_id) "
            "VALUES (?, '220102', '2026Q2', 'submitted', ?)",
            (plan15.id, change),
        )
    assert codes[0] == "220102-HB-001" and codes[2] == "220202-HB-001"

    summary = build_summary(store, Period(2026, 2))
    assert summary["plan"]["id"] == plan15.id
    targets = {t["id"]: t for t in summary["targets"]}
    assert targets["hubs"]["count"] == 3 and targets["hubs"]["target"] == 40
    # The workstations carry over from the 14th plan: its stations count here too.
    stations = targets["workstations"]
    assert stations["target"] == 80
    assert stations["count"] == build_summary(store, Period(2025, 4))["targets"][0]["count"] > 0
    first = build_summary(store, Period(2026, 1))
    assert {t["id"]: t["count"] for t in first["targets"]}["hubs"] == 2  # one opened in May
    indicators = {i["id"]: i for i in summary["indicators"]}
    assert indicators["invention_patents_per_10k"]["value"] == round(760 / 100, 2)
    assert indicators["geo_indications"]["value"] == 12
    assert indicators["patent_transfers"]["value"] == 3300
    assert summary["activity"]["hub_quarterly"]["visits"] == 120
    assert summary["reporting"]["reported_orgs"] == ["220102"]

    # No schema change, and the 14th plan's data is still there and readable.
    assert store.conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    old = get_plan(store, plan14.id)
    assert read_form(store, old.id, "county_annual", "2024")
    assert len(list_records(store, old.id, "workstations")) > 50
    save_plan(store, plan14)
    assert build_summary(store, Period(2025, 4))["plan"]["id"] == plan14.id
