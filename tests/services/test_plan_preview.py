"""What loading a plan changes, as the preview lists it before the user confirms."""

from __future__ import annotations

import dataclasses

from jlip_desk.plan.model import Plan
from jlip_desk.services.demo import generate
from jlip_desk.services.plans import activates, preview_plan, version_key
from jlip_desk.store.database import Store
from jlip_desk.store.plans import save_plan
from jlip_desk.store.records import list_records


def test_the_next_plan_lists_what_is_added_removed_changed_and_carried_over(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    generate(store, seed=3)
    preview = preview_plan(store, plan15)
    lines = [c.text for c in preview.changes]
    carried = "[登记册] 延续:知识产权维权援助工作站"
    stations = next(line for line in lines if line.startswith(carried))
    workstations = len(list_records(store, plan14.id, "workstations"))
    assert workstations and f"已登记的 {workstations} 条记录原样延续" in stations
    assert "新增字段“网址”" in stations and "删除字段“备注”" in stations
    assert "[登记册] 删除:知识产权信息公共服务网点(已登记的记录保留,按原计划查看)" in lines
    assert "[报表] 新增:工作站季度服务(季度,2 个字段)" in lines
    assert "[报表] 删除:服务活动" in lines
    assert "[数量目标] 修改:知识产权维权援助工作站(60个(2025年) → 80个(2030年))" in lines
    assert "[指标] 新增:地理标志产品数量(目标 110个)" in lines
    assert not preview.already_loaded and activates(store, plan15)
    assert "2026年起的报告期按新计划填报" in preview.text()


def test_a_revised_version_and_the_same_plan(store: Store, plan14: Plan) -> None:
    assert preview_plan(store, plan14).headline.endswith("已是当前计划")
    assert preview_plan(store, plan14).changes == ()
    revised = dataclasses.replace(plan14, version="1.1", name=plan14.name)
    preview = preview_plan(store, revised)
    assert "从 1.0 版更新为 1.1 版" in preview.headline and activates(store, revised)
    older = dataclasses.replace(plan14, version="0.9")
    assert not activates(store, older)  # an older version is stored, never switched to
    save_plan(store, revised)
    assert preview_plan(store, revised).already_loaded


def test_versions_order_by_number() -> None:
    assert version_key("1.10") > version_key("1.9") > version_key("1.0") > version_key("0.9")


def test_loading_the_ended_plan_again_never_switches_back(
    store: Store, plan14: Plan, plan15: Plan
) -> None:
    from jlip_desk.services.plans import keep_plan
    from jlip_desk.store.plans import active_plan

    save_plan(store, plan15)
    preview = preview_plan(store, plan14)
    assert not preview.becomes_active and "载入后仍使用" in preview.text()
    keep_plan(store, plan14)
    assert active_plan(store).id == plan15.id
