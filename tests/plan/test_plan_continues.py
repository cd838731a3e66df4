"""A plan may rename a registry or a registry field and say which earlier one it continues
(``continues``): the records and their values carry over under the earlier id."""

from __future__ import annotations

from pathlib import Path

import pytest

from jlip_desk.errors import NotAllowedError, PlanError
from jlip_desk.plan.loader import parse_plan
from jlip_desk.plan.model import Plan
from jlip_desk.plan.rules import rename
from jlip_desk.services import registry as service
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind
from jlip_desk.store.database import Store
from jlip_desk.store.plans import save_plan
from jlip_desk.store.records import list_records

TEXT = (Path(__file__).resolve().parents[1] / "data" / "plans" / "test-plan-15.toml").read_text(
    encoding="utf-8"
)


def _renamed() -> str:
    """The test 15th plan with the workstations registry and two of its fields renamed."""
    text = TEXT.replace(
        '[[registries]]\nid = "workstations"\nname = "知识产权维权援助工作站"',
        '[[registries]]\nid = "rights_stations"\ncontinues = "workstations"\n'
        'name = "知识产权维权援助站"',
    )
    text = text.replace('registries = ["workstations"]', 'registries = ["rights_stations"]')
    text = text.replace('count_registry = "workstations"', 'count_registry = "rights_stations"')
    text = text.replace(
        '  id = "contact"\n  label = "联系人"',
        '  id = "manager"\n  continues = "contact"\n  label = "负责人"',
    )
    text = text.replace(
        '  id = "status"\n  label = "状态"',
        '  id = "state"\n  continues = "status"\n  label = "运行状态"',
        1,
    )
    text = text.replace('  status_field = "status"', '  status_field = "state"', 1)
    text = text.replace(
        "  when = \"status in ['暂停', '撤销']\"", "  when = \"state in ['暂停', '撤销']\"", 1
    )
    assert text.count("rights_stations") == 3 and "continues" in text
    return text


def test_renamed_registry_and_fields_are_kept_under_the_ids_they_continue() -> None:
    plan = parse_plan(_renamed(), "renamed.toml")
    stations = plan.registry("workstations")
    assert stations.name == "知识产权维权援助站"
    assert stations.field("contact").label == "负责人"
    assert stations.field("status").label == "运行状态"
    assert stations.lifecycle.status_field == "status"
    assert stations.rules[0].when == "status in ['暂停', '撤销']"
    assert plan.form("station_quarterly").registries == ("workstations",)
    assert next(t for t in plan.targets if t.id == "workstations").count_registry == "workstations"
    assert {f.continues for f in stations.fields} == {None}


def test_rename_keeps_strings_and_keywords() -> None:
    text = "status in ['status', '撤销'] and not prior(status) > 0"
    assert (
        rename(text, {"status": "state"}) == "state in ['status', '撤销'] and not prior(state) > 0"
    )


def test_continued_records_carry_over_with_their_values(store: Store, plan14: Plan) -> None:
    generate(store, seed=3)
    bind(store, "220000")
    plan = parse_plan(_renamed(), "renamed.toml")
    save_plan(store, plan)
    old = list_records(store, plan14.id, "workstations", ["220104"])
    assert old and list_records(store, plan.id, "workstations", ["220104"]) == old
    code = old[0].code
    service.update_record(store, plan, code, {"contact": "王五"})
    (after,) = [r for r in list_records(store, plan14.id, "workstations") if r.code == code]
    assert after.values["contact"] == "王五"  # the 14th plan sees the 15th's 负责人


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '  [[forms.fields]]\n  id = "cases_accepted"',
            '  [[forms.fields]]\n  id = "cases_accepted"\n  continues = "x"',
            "只有登记册的字段可以填写 continues",
        ),
        (
            'id = "rights_stations"\ncontinues = "workstations"',
            'id = "rights_stations"\ncontinues = "Work"',
            "只能由小写字母",
        ),
        (
            '  id = "manager"\n  continues = "contact"',
            '  id = "manager"\n  continues = "phone"',
            "重复",
        ),
    ],
)
def test_mistakes_with_continues_are_refused_with_the_line(
    old: str, new: str, message: str
) -> None:
    text = _renamed()
    assert old in text
    with pytest.raises(PlanError) as caught:
        parse_plan(text.replace(old, new, 1), "renamed.toml")
    assert message in str(caught.value) and "renamed.toml" in str(caught.value)


def test_a_continued_registry_keeps_its_code_tag(store: Store, plan14: Plan) -> None:
    plan = parse_plan(_renamed().replace('code_tag = "WS"', 'code_tag = "RS"', 1), "tag.toml")
    save_plan(store, plan14)
    with pytest.raises(NotAllowedError) as caught:
        save_plan(store, plan)
    assert 'code_tag = "WS"' in str(caught.value) and "由 WS 改为 RS" in str(caught.value)
