"""Registry service: whole-record validation, stable codes, closing instead of deleting, history."""

from __future__ import annotations

import datetime as dt

import pytest

from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.plan.model import Plan
from jlip_desk.services.installation import bind
from jlip_desk.services.registry import (
    RecordError,
    add_record,
    close_record,
    list_rows,
    record_history,
    update_record,
)
from jlip_desk.store.database import Store
from jlip_desk.store.records import get_record
from jlip_desk.validation.formats import make_credit_code

GOOD_CODE = make_credit_code("91220102MA0000001")


def station(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "南关区知识产权维权援助工作站",
        "host_org": "南关区知识产权服务中心",
        "host_credit_code": GOOD_CODE,
        "host_type": "服务机构",
        "established_on": "2023-04-01",
        "status": "运行",
        "contact": "王伟",
        "phone": "0431-88886666",
    }
    values.update(changes)
    return values


@pytest.fixture
def county(store: Store) -> Store:
    bind(store, "220102")
    return store


def test_add_assigns_sequential_codes_and_stores_parsed_values(county: Store, plan14: Plan) -> None:
    first = add_record(county, plan14, "workstations", "220102", station(phone="139 1234 5678"))
    second = add_record(county, plan14, "workstations", "220102", station(name="第二站"))
    assert (first, second) == ("220102-WS-001", "220102-WS-002")
    record = get_record(county, first)
    assert record.values["phone"] == "13912345678"
    assert record.values["established_on"] == "2023-04-01"


def test_bad_record_is_refused_with_every_problem_and_nothing_written(
    county: Store, plan14: Plan
) -> None:
    before = county.content_hash()
    bad = station(host_credit_code=GOOD_CODE[:-1] + "0", phone="12345", contact="")
    with pytest.raises(RecordError) as caught:
        add_record(county, plan14, "workstations", "220102", bad)
    message = caught.value.message
    assert "3 处问题" in message
    assert "依托单位统一社会信用代码:统一社会信用代码无效(校验位不符)" in message
    assert "联系电话" in message and "联系人:必填项不能为空" in message
    assert "要求:" in message
    assert {p.field_id for p in caught.value.problems} == {"host_credit_code", "phone", "contact"}
    assert county.content_hash() == before


def test_cross_field_rule_refuses(county: Store, plan14: Plan) -> None:
    with pytest.raises(InputError, match="状态变更日期"):
        add_record(county, plan14, "workstations", "220102", station(status="暂停"))


def test_other_county_is_not_allowed(county: Store, plan14: Plan) -> None:
    with pytest.raises(NotAllowedError):
        add_record(county, plan14, "workstations", "220104", station())


def test_update_close_and_history(county: Store, plan14: Plan) -> None:
    code = add_record(county, plan14, "workstations", "220102", station())
    update_record(county, plan14, code, {"contact": "李娜"})
    with pytest.raises(InputError):
        update_record(county, plan14, code, {"phone": "abc"})
    with pytest.raises(InputError, match="不能早于设立日期"):
        close_record(county, plan14, code, dt.date(2020, 1, 1))
    close_record(county, plan14, code, dt.date(2025, 6, 30))
    with pytest.raises(NotAllowedError):
        close_record(county, plan14, code, "2025-07-01")
    record = get_record(county, code)
    assert record.values["status"] == "撤销"
    assert record.values["status_changed_on"] == "2025-06-30"
    changes = [
        (e.field, e.old_value, e.new_value, e.action) for e in record_history(county, plan14, code)
    ]
    assert ("contact", "王伟", "李娜", "typed") in changes
    assert ("status", "运行", "撤销", "typed") in changes
    assert ("status_changed_on", None, "2025-06-30", "typed") in changes
    # Closed, never deleted; the next code is not the closed one's.
    assert [r.code for r in list_rows(county, plan14, "workstations")] == [code]
    assert add_record(county, plan14, "workstations", "220102", station()) == "220102-WS-002"


def test_list_rows_scope_and_org_names(store: Store, plan14: Plan) -> None:
    bind(store, "220000")
    add_record(store, plan14, "workstations", "220102", station())
    add_record(store, plan14, "workstations", "220202", station())
    add_record(store, plan14, "service_points", "220102", station(level="省级", host_type="高校"))
    rows = list_rows(store, plan14, "workstations")
    assert [(r.code, r.org_name, r.prefecture_name) for r in rows] == [
        ("220102-WS-001", "南关区", "长春市"),
        ("220202-WS-001", "昌邑区", "吉林市"),
    ]
    assert rows[0].values["name"] == "南关区知识产权维权援助工作站"
    assert [r.code for r in list_rows(store, plan14, "workstations", ["220202"])] == [
        "220202-WS-001"
    ]


def test_province_cannot_register_a_station_at_prefecture_level(store: Store, plan14: Plan) -> None:
    bind(store, "220000")
    with pytest.raises(NotAllowedError, match="县级"):
        add_record(store, plan14, "workstations", "220100", station())
