"""prior() (the sum of a station's earlier quarters) is known only over a whole history.

A quarter missing from the store is not 0 open cases: the carried-over rule
(办结 ≤ 受理 + 上期末未结) is checked where every quarter since the station's first is
stored, and left unchecked (never refused) where one is missing.
"""

from __future__ import annotations

from jlip_desk.periods import Period, quarters_between
from jlip_desk.plan.model import Plan
from jlip_desk.services.entry import period_problems
from jlip_desk.services.installation import bind
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.records import create_record

COUNTY = "220102"
Q4 = Period(2025, 4)
RULE = "办结案件数不能大于上期末未结案件数与本期受理案件数之和"
FULL = {"consultations": 3, "cases_accepted": 2, "cases_closed": 1, "mediations": 0,
        "mediations_successful": 0, "trainings": 0, "enterprises_served": 1,
        "reports_delivered": 0}  # fmt: skip


def _station(store: Store, plan: Plan, quarters: list[Period], closed_in_q4: int) -> str:
    """A station set up in 2024Q1 with figures of ``quarters`` (2 accepted, 1 closed each:
    one case carried over a quarter) and 2025Q4: 2 accepted, ``closed_in_q4`` closed."""
    values = {"name": "甲站", "established_on": "2024-01-05", "status": "运行"}
    with store.atomic():
        change = store.new_change("typed")
        code = create_record(store, plan.id, plan.registry("workstations"), COUNTY, values,
                             change)  # fmt: skip
        for q in [*quarters, Q4]:
            figures = dict(FULL, cases_closed=closed_in_q4) if q == Q4 else FULL
            write_values(store, CellKey(plan.id, "activity", COUNTY, str(q), code), figures,
                         change)  # fmt: skip
    return code


def _rule_broken(store: Store, plan: Plan) -> bool:
    problems = period_problems(store, plan, "activity", COUNTY, Q4)
    return any(p.message == RULE for p in problems if p.severity == "error")


def test_with_every_quarter_stored_the_carried_over_cases_count(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    whole = quarters_between(Period(2024, 1), Period(2025, 3))  # 7 quarters: 7 carried over
    _station(store, plan14, whole, closed_in_q4=9)  # 2 + 7 = 9: allowed
    assert not _rule_broken(store, plan14)


def test_more_closed_than_a_whole_history_allows_is_an_error(store: Store, plan14: Plan) -> None:
    bind(store, COUNTY)
    whole = quarters_between(Period(2024, 1), Period(2025, 3))
    _station(store, plan14, whole, closed_in_q4=10)
    assert _rule_broken(store, plan14)


def test_a_quarter_missing_makes_the_carried_over_cases_unknown(store: Store, plan14: Plan) -> None:
    """Only 2025Q3 stored (a prefecture that received last quarter's file): 1 carried over
    as far as this store knows, but the station ran since 2024: not refused."""
    bind(store, COUNTY)
    _station(store, plan14, [Period(2025, 3)], closed_in_q4=10)
    assert not _rule_broken(store, plan14)
    # A gap in the middle is as unknown as a missing start.
    gap = [q for q in quarters_between(Period(2024, 1), Period(2025, 3)) if q != Period(2024, 3)]
    other = Store.memory()
    from jlip_desk.services.installation import prepare

    plan = prepare(other)
    bind(other, COUNTY)
    _station(other, plan, gap, closed_in_q4=10)
    assert not _rule_broken(other, plan)
