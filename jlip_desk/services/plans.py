"""Show the active plan and load new or revised plan definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jlip_desk.plan.loader import load_plan
from jlip_desk.plan.model import Plan
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan, save_plan, stored_plans


def load_plan_file(store: Store, path: Path) -> tuple[Plan, bool]:
    """Check the file, keep it in the store and make it active; data of other plans stays."""
    plan = load_plan(path)
    changed = save_plan(store, plan)
    return plan, changed


def describe_plan(store: Store) -> dict[str, Any]:
    plan = active_plan(store)
    return {
        "id": plan.id,
        "version": plan.version,
        "name": plan.name,
        "years": [plan.start_year, plan.end_year],
        "baseline_year": plan.baseline_year,
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "unit": i.unit,
                "baseline": i.baseline,
                "target": i.target,
                "target_text": i.target_text,
                "growth_rate": i.growth_rate,
                "aggregation": i.aggregation.value,
            }
            for i in plan.indicators
        ],
        "targets": [
            {"id": t.id, "name": t.name, "target": t.target, "unit": t.unit} for t in plan.targets
        ],
        "registries": [
            {"id": r.id, "name": r.name, "fields": [f.id for f in r.fields]}
            for r in plan.registries
        ],
        "forms": [
            {
                "id": f.id,
                "name": f.name,
                "frequency": f.frequency.value,
                "org_level": f.org_level.value,
                "fields": [fld.id for fld in f.fields],
                "rules": len(f.rules),
            }
            for f in plan.forms
        ],
        "stored_plans": [
            {
                "id": s.id,
                "version": s.version,
                "name": s.name,
                "active": s.active,
                "loaded_at": s.loaded_at,
            }
            for s in stored_plans(store)
        ],
    }


def describe_text(d: dict[str, Any]) -> str:
    freq = {"quarter": "季度", "year": "年度"}
    lines = [
        f"{d['name']}",
        f"标识 {d['id']},版本 {d['version']},"
        f"{d['years'][0]}-{d['years'][1]}年,基期 {d['baseline_year']}年",
        "",
        "主要指标:",
    ]
    for i in d["indicators"]:
        target = i["target_text"] or f"{i['target']}{i['unit']}"
        lines.append(f"  {i['name']}:基期 {i['baseline']}{i['unit']} → 目标 {target}")
    lines.append("数量目标:")
    lines.extend(f"  {t['name']}:{t['target']:g}{t['unit']}" for t in d["targets"])
    lines.append("登记册:")
    lines.extend(f"  {r['name']}({len(r['fields'])} 个字段)" for r in d["registries"])
    lines.append("报表:")
    lines.extend(
        f"  {f['name']}({freq[f['frequency']]},{len(f['fields'])} 个字段,{f['rules']} 条校验规则)"
        for f in d["forms"]
    )
    if len(d["stored_plans"]) > 1:
        lines.append("本机已存储的计划:")
        lines.extend(
            f"  {'*' if s['active'] else ' '} {s['name']}({s['id']} {s['version']})"
            for s in d["stored_plans"]
        )
    return "\n".join(lines)
