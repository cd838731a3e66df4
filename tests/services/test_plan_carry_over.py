"""Registries carry over between plans by registry id: a station set up under the 14th
plan is the same station, with the same code and history, under the 15th."""

from __future__ import annotations

import pytest

from jlip_desk.errors import NotAllowedError
from jlip_desk.plan.model import Plan
from jlip_desk.services import registry as service
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.store.plans import save_plan
from jlip_desk.store.records import get_record, list_records

NEW_STATION = {
    "name": "朝阳区知识产权维权援助工作站(十五五)",
    "host_org": "朝阳区科技服务中心",
    "host_credit_code": "91350100M000100Y43",
    "host_type": "服务机构",
    "established_on": "2026-03-01",
    "status": "运行",
    "contact": "李四",
    "phone": "0431-88886666",
}


@pytest.fixture
def both(store: Store, plan14: Plan, plan15: Plan) -> Store:
    generate(store, seed=3)
    bind(store, "220000")
    save_plan(store, plan15)
    return store


def test_stations_of_the_14th_plan_are_the_15th_plans_stations(
    both: Store, plan14: Plan, plan15: Plan
) -> None:
    old = list_records(both, plan14.id, "workstations")
    assert old and list_records(both, plan15.id, "workstations") == old
    # Service points are not continued by the 15th plan, but stay readable under the 14th.
    assert list_records(both, plan14.id, "service_points")
    assert all(r.plan_id == plan14.id for r in old)


def test_a_station_changed_under_the_15th_plan_is_changed_under_the_14th(
    both: Store, plan14: Plan, plan15: Plan
) -> None:
    station = list_records(both, plan14.id, "workstations", ["220104"])[0]
    service.update_record(both, plan15, station.code, {"contact": "王五", "website": "jl.cn"})
    after = get_record(both, station.code)
    assert after.plan_id == plan14.id  # still kept where it was set up
    assert after.values["contact"] == "王五" and after.values["website"] == "jl.cn"
    (same,) = [r for r in list_records(both, plan14.id, "workstations") if r.code == station.code]
    assert same.values["contact"] == "王五"
    history = service.record_history(both, plan15, station.code)
    assert {h.action for h in history} == {"demo", "typed"}  # set up by the demo, changed now
    assert [h.new_value for h in history if h.field == "website"] == ["jl.cn"]


def test_a_station_added_under_the_15th_plan_continues_the_codes(
    both: Store, plan14: Plan, plan15: Plan
) -> None:
    before = [r.code for r in list_records(both, plan14.id, "workstations", ["220104"])]
    code = service.add_record(both, plan15, "workstations", "220104", NEW_STATION)
    assert code not in before and code.startswith("220104-WS-")
    assert int(code.rsplit("-", 1)[1]) == max(int(c.rsplit("-", 1)[1]) for c in before) + 1
    # One registry: the 14th plan's view lists it too, with its attributes.
    (new,) = [r for r in list_records(both, plan14.id, "workstations") if r.code == code]
    assert new.values["name"] == NEW_STATION["name"]


def test_a_registry_the_plan_does_not_continue_is_read_only_under_it(
    both: Store, plan14: Plan, plan15: Plan
) -> None:
    point = list_records(both, plan14.id, "service_points")[0]
    with pytest.raises(NotAllowedError) as caught:
        service.update_record(both, plan15, point.code, {"contact": "王五"})
    assert "只能查看" in str(caught.value) and plan15.name in str(caught.value)
