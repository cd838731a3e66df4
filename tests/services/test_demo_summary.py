"""Demo data and the progress report: figures that add up, ratios of sums, completeness."""

from __future__ import annotations

from typing import Any

import pytest

from jlip_desk.errors import NotAllowedError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.demo import generate
from jlip_desk.services.summary import build_summary
from jlip_desk.store.cells import read_form
from jlip_desk.store.database import Store
from jlip_desk.store.records import active_during, list_records
from jlip_desk.validation.rows import check_row


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from jlip_desk import paths
    from jlip_desk.services.installation import open_store

    folder = tmp_path_factory.mktemp("demo")
    paths.set_data_dir(folder)
    store = open_store()
    paths.set_data_dir(None)
    generate(store, seed=7)
    yield store
    store.close()


def test_demo_is_reproducible(demo_store: Store, store: Store) -> None:
    generate(store, seed=7)
    tables = ("records", "cells", "period_status")
    for table in tables:
        # Timestamps live in `changes`; the data itself must match exactly.
        query = f"SELECT * FROM {table} ORDER BY rowid"
        assert store.conn.execute(query).fetchall() == demo_store.conn.execute(query).fetchall()


def test_demo_refuses_a_store_with_data(demo_store: Store) -> None:
    with pytest.raises(NotAllowedError, match="已有数据"):
        generate(demo_store)


def test_demo_is_marked_and_plausible(demo_store: Store, plan14: Plan) -> None:
    assert demo_store.conn.execute("SELECT COUNT(*) FROM cells WHERE demo = 0").fetchone()[0] == 0
    summary = build_summary(demo_store, Period(2025, 4))
    assert summary["demo_data"] is True
    targets = {t["id"]: t for t in summary["targets"]}
    assert 50 <= targets["workstations"]["count"] <= 62
    assert 25 <= targets["service_points"]["count"] <= 34
    early = {t["id"]: t for t in build_summary(demo_store, Period(2021, 1))["targets"]}
    assert early["workstations"]["count"] < targets["workstations"]["count"]
    reporting = summary["reporting"]
    # The counties with a station or point in the quarter owe it, and so do those that
    # handed in a report anyway; the others nothing.
    owing = {u["code"] for u in reporting["units"]}
    assert _with_records(demo_store, plan14, Period(2025, 4)) <= owing
    assert len(owing) == reporting["expected"] == 60 - len(reporting["exempt"])
    assert 0 < len(reporting["missing"]) < 15


def _with_records(store: Store, plan: Plan, period: Period) -> set[str]:
    """The counties with a record that existed during ``period``."""
    return {
        r.org_code
        for registry in plan.registries
        for r in list_records(store, plan.id, registry.id)
        if active_during(r, registry, period)
    }


def test_demo_values_pass_the_plans_own_checks(demo_store: Store, plan14: Plan) -> None:
    for registry in plan14.registries:
        for record in list_records(demo_store, plan14.id, registry.id):
            _, problems = check_row(registry.fields, registry.rules, (), record.values)
            assert not problems, (record.code, problems)
    form = plan14.form("county_annual")
    for (_org, _subject), values in read_form(demo_store, plan14.id, form.id, "2024").items():
        _, problems = check_row(form.fields, form.rules, form.derived, values)
        assert not problems
    activity = plan14.form("activity")
    rows = read_form(demo_store, plan14.id, activity.id, "2025Q2")
    assert rows
    for values in rows.values():
        _, problems = check_row(activity.fields, activity.rules, (), values, prior=lambda _f: 0.0)
        errors = [p for p in problems if "办结" not in p.message]  # needs real prior()
        assert not errors


def test_indicators_move_from_baseline_towards_target(demo_store: Store) -> None:
    values = {}
    for year in range(2021, 2026):
        summary = build_summary(demo_store, Period(year))
        values[year] = {i["id"]: i["value"] for i in summary["indicators"]}
    patents = [values[y]["high_value_patents_per_10k"] for y in range(2021, 2026)]
    assert patents == sorted(patents)
    assert patents[0] > 2.26 and 3.2 < patents[-1] < 4.5
    trademarks = values[2025]["valid_trademarks"]
    assert 38 < trademarks < 55


def _county_entries(target: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for p in target["by_prefecture"] for c in p["counties"]]


def test_counts_add_up_county_prefecture_province(demo_store: Store) -> None:
    summary = build_summary(demo_store, Period(2024, 2))
    for target in summary["targets"]:
        if "by_prefecture" not in target:
            continue
        for prefecture in target["by_prefecture"]:
            assert prefecture["count"] == sum(c["count"] for c in prefecture["counties"])
        assert target["count"] == sum(p["count"] for p in target["by_prefecture"])
        assert len(_county_entries(target)) == 60
        # A prefecture's own report gives the same counts for its counties.
        for prefecture in target["by_prefecture"]:
            scoped = build_summary(demo_store, Period(2024, 2), prefecture["code"])
            mine = next(t for t in scoped["targets"] if t["id"] == target["id"])
            assert mine["count"] == prefecture["count"]


def test_ratio_is_ratio_of_sums_not_mean_of_ratios(demo_store: Store, plan14: Plan) -> None:
    summary = build_summary(demo_store, Period(2023))
    ratio = next(i for i in summary["indicators"] if i["id"] == "high_value_patents_per_10k")
    rows = read_form(demo_store, plan14.id, "county_annual", "2023")
    pairs = [
        (float(n), float(d))
        for v in rows.values()
        if isinstance(n := v.get("high_value_patents"), int | float)
        and isinstance(d := v.get("population"), int | float)
    ]
    num = sum(n for n, _ in pairs)
    den = sum(d for _, d in pairs)
    assert ratio["numerator"] == pytest.approx(num)
    assert ratio["denominator"] == pytest.approx(den)
    assert ratio["value"] == round(num / den, 2)
    mean_of_ratios = sum(n / d for n, d in pairs) / len(pairs)
    assert abs(mean_of_ratios - num / den) > 0.01  # the two differ, so the test means something
    by_prefecture = ratio["by_prefecture"]
    assert sum(p["numerator"] for p in by_prefecture) == pytest.approx(num)
    assert sum(p["denominator"] for p in by_prefecture) == pytest.approx(den)
    sums = next(i for i in summary["indicators"] if i["id"] == "valid_trademarks")
    assert sum(p["value"] for p in sums["by_prefecture"]) == pytest.approx(sums["value"], abs=0.6)


def test_planned_value_and_on_track(demo_store: Store) -> None:
    summary = build_summary(demo_store, Period(2025))
    for ind in summary["indicators"]:
        if ind["value"] is None or ind["planned"] is None:
            continue
        assert ind["on_track"] == (ind["value"] >= ind["planned"])
    patents = next(i for i in summary["indicators"] if i["id"] == "high_value_patents_per_10k")
    assert patents["planned"] == round(2.26 * 1.1**5, 2)


def test_completeness_lists_who_has_not_reported(demo_store: Store) -> None:
    summary = build_summary(demo_store, Period(2025, 4))
    reporting = summary["reporting"]
    statuses = dict(
        demo_store.conn.execute(
            "SELECT org_code, status FROM period_status WHERE period = '2025Q4'"
        ).fetchall()
    )
    missing = {m["code"] for m in reporting["missing"]}
    assert missing == {c for c in reporting["reported_orgs"] + list(missing) if c not in statuses}
    assert reporting["reported"] + len(missing) == reporting["expected"]
    assert sum(reporting["by_status"].values()) == reporting["expected"]
    assert not set(reporting["exempt"]) & (missing | set(statuses))


def test_empty_store_summary(store: Store) -> None:
    summary = build_summary(store, Period(2025, 4))
    assert all(t["count"] in (0, None) for t in summary["targets"])
    assert all(i["value"] is None and i["on_track"] is None for i in summary["indicators"])
    assert summary["reporting"]["reported"] == 0


def test_demo_names_are_unique_per_county(demo_store: Store, plan14: Plan) -> None:
    for registry in plan14.registries:
        names = [
            (r.org_code, r.values["name"]) for r in list_records(demo_store, plan14.id, registry.id)
        ]
        assert len(names) == len(set(names))


def test_a_county_s_demo_holds_that_county_only(store: Store, plan14: Plan) -> None:
    """A county's store holds a county: the demo wrote all 60 counties into it."""
    from jlip_desk.services.installation import bind, prepare

    prepare(store)
    bind(store, "220102")
    result = generate(store)
    assert result.counties == 1
    # One quarter at least left open, so the clerk sees what an unfilled quarter says.
    assert result.periods_missing >= 1
    owners = {r[0] for r in store.conn.execute("SELECT DISTINCT org_code FROM cells")}
    assert owners == {"220102"}
    assert {r[0] for r in store.conn.execute("SELECT DISTINCT org_code FROM period_status")} == {
        "220102"
    }
    kinds = dict(store.conn.execute("SELECT registry, COUNT(*) FROM records GROUP BY registry"))
    assert kinds["workstations"] >= 2 and kinds["service_points"] >= 1
    # A county's share of the province's people, not the province's 2,407 (万人).
    population = read_form(store, plan14.id, "county_annual", "2024")[("220102", "")]
    assert isinstance(population["population"], float) and population["population"] < 300
    summary = build_summary(store, Period(2025, 4), "220102")
    assert summary["demo_data"] is True
    assert {t["id"]: t["count"] for t in summary["targets"]}["workstations"] >= 1


def test_a_prefecture_s_demo_holds_its_counties(store: Store) -> None:
    from jlip_desk.services.installation import bind, prepare

    prepare(store)
    bind(store, "220200")  # 吉林市: nine counties
    assert generate(store).counties == 9
    owners = {r[0] for r in store.conn.execute("SELECT DISTINCT org_code FROM records")}
    assert owners and all(code.startswith("2202") for code in owners)
    assert not store.conn.execute(
        "SELECT 1 FROM cells WHERE org_code = '220000' LIMIT 1"
    ).fetchone()  # no province forms in a prefecture's store
