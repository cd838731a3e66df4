"""Property: only a period a unit owes is counted, missing or overdue, in every view.

Generated like real use: counties with stations and points set up and closed in
different quarters (some counties with none), periods handed in, returned or unlocked,
figures typed for a quarter before a station existed, and typed figures deleted again.
What each county owes is worked out here from those facts alone, and the overview
(period list, entry header, ``status``, ``summary``), the review matrix and the
dashboard's reporting series must all say exactly that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jlip_desk.periods import Period, quarters_between
from jlip_desk.services.dashboard import build_dashboard
from jlip_desk.services.installation import bind, prepare
from jlip_desk.services.reporting import Overview, period_overviews, recount
from jlip_desk.services.review import review_matrix
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan
from jlip_desk.store.records import create_record
from jlip_desk.store.status import write_status

CHANGCHUN = "220100"
COUNTIES = ("220102", "220103", "220104")
QUARTERS = quarters_between(Period(2021, 1), Period(2025, 4))
TODAY = dt.date(2026, 12, 4)  # every quarter of the plan is past due

quarter = st.sampled_from(QUARTERS)
record = st.fixed_dictionaries(
    {
        "registry": st.sampled_from(["workstations", "service_points"]),
        "established": quarter,
        "closed_after": st.one_of(st.none(), st.integers(0, 8)),  # quarters later, if closed
    }
)
state = st.tuples(quarter, st.sampled_from(["submitted", "accepted", "returned", "draft"]))
county = st.fixed_dictionaries(
    {
        "records": st.lists(record, max_size=2),
        "states": st.lists(state, max_size=3),
        # Figures typed for a quarter (before the first record existed, often), and
        # whether they were deleted again (stored as empty).
        "typed": st.lists(st.tuples(quarter, st.booleans()), max_size=2),
    }
)


def _build(counties: dict[str, dict[str, Any]]) -> tuple[Store, dict[str, set[Period]]]:
    """The store, and the quarters each county owes, worked out from the facts alone."""
    store = Store.memory()
    prepare(store)
    bind(store, "220000")
    plan = active_plan(store)
    owed: dict[str, set[Period]] = {c: set() for c in COUNTIES}
    with store.atomic():
        change = store.new_change("typed")
        for code, facts in counties.items():
            first: str | None = None
            for n, rec in enumerate(facts["records"]):
                registry = plan.registry(rec["registry"])
                start: Period = rec["established"]
                values = {"name": f"{code}第{n + 1}家", "established_on": start.start.isoformat()}
                values["status"] = "运行"
                active = [q for q in QUARTERS if q >= start]
                if rec["closed_after"] is not None:
                    end = start
                    for _ in range(rec["closed_after"]):
                        end = end.next()
                    values["status"] = registry.lifecycle.closed_status
                    values[registry.lifecycle.status_date_field] = end.end.isoformat()
                    active = [q for q in active if q <= end]
                owed[code].update(active)
                made = create_record(store, plan.id, registry, code, values, change)
                first = first or made
            for period, status in facts["states"]:
                write_status(store, plan.id, code, str(period), status, "原因", change)
                owed[code].add(period)
            kept: dict[Period, bool] = {}
            for period, deleted in facts["typed"]:
                if first is None:
                    continue
                key = CellKey(plan.id, "activity", code, str(period), first)
                write_values(store, key, {"consultations": 3}, change)
                if deleted:
                    write_values(store, key, {"consultations": None}, change)
                kept[period] = not deleted  # the last write of a quarter stands
            owed[code].update(p for p, k in kept.items() if k)
    return store, owed


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(counties=st.fixed_dictionaries({c: county for c in COUNTIES}))
def test_every_view_counts_only_what_is_owed(counties: dict[str, dict[str, Any]]) -> None:
    store, owed = _build(counties)
    plan = active_plan(store)
    quarterly = [o for o in period_overviews(store, plan, CHANGCHUN, today=TODAY)
                 if o.period.is_quarter]  # fmt: skip
    assert {o.period for o in quarterly} == set(QUARTERS)
    for overview in quarterly:
        listed = {u.org.code for u in overview.units}
        exempt = {u.code for u in overview.exempt}
        # The other counties of 长春市 have nothing at all: they owe no quarter.
        assert listed == {c for c in COUNTIES if overview.period in owed[c]}, overview.period
        assert len(listed | exempt) == 11 and not listed & exempt
        assert overview.expected == len(listed)
        for unit in overview.units:
            # Every quarter is past due: owed and not handed in is overdue.
            assert unit.overdue == (not unit.handed_in), (overview.period, unit.org.code)

    # Every county owes every year (the annual form is about the county itself).
    yearly = [o for o in period_overviews(store, plan, CHANGCHUN, today=TODAY)
              if not o.period.is_quarter]  # fmt: skip
    assert all(not o.exempt and len(o.units) == 11 for o in yearly)

    matrix = review_matrix(store, plan, CHANGCHUN, today=TODAY)
    by_period = {o.period: o for o in quarterly}
    for period in QUARTERS:
        cells = {c for c in COUNTIES if matrix.cell(c, period) is not None}
        assert cells == {c for c in COUNTIES if period in owed[c]}, period
        assert matrix.expected(period) == by_period[period].expected
        assert matrix.overdue(period) == by_period[period].counts["overdue"]

    reporting = build_dashboard(store, Period(2025, 4), CHANGCHUN, today=TODAY).reporting
    for text, expected, overdue in zip(
        reporting.periods, reporting.expected, reporting.overdue, strict=True
    ):
        overview = next(o for o in quarterly if str(o.period) == text)
        assert (expected, overdue) == (overview.expected, overview.counts["overdue"]), text


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    counties=st.fixed_dictionaries({c: county for c in COUNTIES}),
    # The quarter edited: any, or the one figures were typed into before a station
    # existed ("typed"): deleting them there leaves the county owing nothing.
    edit=st.tuples(
        st.sampled_from(COUNTIES), st.one_of(quarter, st.just("typed")), st.sampled_from([None, 4])
    ),
)
def test_an_edit_recounts_what_a_fresh_count_says(
    counties: dict[str, dict[str, Any]], edit: tuple[str, Period | str, int | None]
) -> None:
    """Typing a figure (or deleting the last one) can make a county owe a quarter it did
    not, or no longer: the period list's recount after the edit is a fresh count."""
    store, _ = _build(counties)
    plan = active_plan(store)
    code, chosen, value = edit
    typed = [p for p, _ in counties[code]["typed"]]
    period = chosen if isinstance(chosen, Period) else (typed[0] if typed else QUARTERS[0])
    before = period_overviews(store, plan, CHANGCHUN, today=TODAY)
    first = store.conn.execute(
        "SELECT code FROM records WHERE org_code = ? ORDER BY code", (code,)
    ).fetchone()
    if first is None:
        return  # no row to type into
    with store.atomic():
        key = CellKey(plan.id, "activity", code, str(period), first[0])
        write_values(store, key, {"consultations": value}, store.new_change("typed"))
    after = recount(store, plan, before, "activity", period, {code}, today=TODAY)
    fresh = period_overviews(store, plan, CHANGCHUN, today=TODAY)

    def seen(overviews: list[Overview]) -> list[tuple[object, ...]]:
        return [
            (o.period, o.units, tuple(u.code for u in o.exempt), o.counts, o.errors)
            for o in overviews
        ]

    assert seen(after) == seen(fresh)
