"""Show the active plan, preview what a new or revised plan changes, and load it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from jlip_desk.errors import InputError
from jlip_desk.plan.loader import load_plan
from jlip_desk.plan.model import Field, Form, Indicator, Plan, Registry, Target
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan, save_plan, stored_plans
from jlip_desk.store.records import count_records


def load_plan_file(store: Store, path: Path) -> tuple[Plan, bool]:
    """Check the file and keep it in the store, active when it is later than the active
    plan (see :func:`activates`); data of other plans stays."""
    plan = load_plan(path)
    return plan, keep_plan(store, plan)


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


# -- what loading a plan changes ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanChange:
    """One line of a plan preview: what (section), which item, how it changes."""

    section: str  # 计划 | 指标 | 数量目标 | 登记册 | 报表
    kind: str  # 新增 | 删除 | 修改 | 延续
    name: str
    detail: str = ""

    @property
    def text(self) -> str:
        return f"[{self.section}] {self.kind}:{self.name}" + (
            f"({self.detail})" if self.detail else ""
        )


@dataclass(frozen=True, slots=True)
class PlanPreview:
    """What loading ``new`` changes against ``current`` (the plan active now)."""

    current: Plan
    new: Plan
    changes: tuple[PlanChange, ...]
    # Already stored, identical: loading changes nothing but which plan is active.
    already_loaded: bool
    # Whether loading makes it the active plan (an older plan is only stored).
    becomes_active: bool = True

    @property
    def headline(self) -> str:
        new, cur = self.new, self.current
        if new.id == cur.id and new.version == cur.version:
            return f"“{new.name}”{new.version} 版已是当前计划"
        if new.id == cur.id:
            return f"将“{new.name}”从 {cur.version} 版更新为 {new.version} 版"
        return (
            f"载入“{new.name}”({new.start_year}–{new.end_year}年,{new.version} 版);"
            f"当前计划为“{cur.name}”({cur.start_year}–{cur.end_year}年)"
        )

    def text(self) -> str:
        return f"{self.headline}\n\n{self.body()}"

    def body(self) -> str:
        """What the preview says below its headline: the effect, then each change."""
        lines: list[str] = []
        if not self.becomes_active and self.new.id != self.current.id:
            lines.append(
                f"此计划早于当前计划,载入后仍使用“{self.current.name}”;"
                "载入的计划可在“计划 → 查看计划”中(或用 summary --plan)查看。"
            )
            lines.append("")
        elif self.new.id != self.current.id and self.new.start_year > self.current.end_year:
            lines.append(
                f"载入后,{self.new.start_year}年起的报告期按新计划填报;"
                f"“{self.current.name}”的数据保持不变,可继续查看,"
                "其报告期只读(已报送的数据如需更正,由上级退回后修改)。"
            )
            lines.append("")
        lines.extend(c.text for c in self.changes)
        if not self.changes:
            lines.append("两份计划的指标、目标、登记册和报表相同。")
        return "\n".join(lines)


def _target_text(i: Indicator) -> str:
    return i.target_text or (f"{i.target:g}{i.unit}" if i.target is not None else "未定")


def _field_changes(old: tuple[Field, ...], new: tuple[Field, ...]) -> list[str]:
    before, after = {f.id: f for f in old}, {f.id: f for f in new}
    out = [f"新增字段“{f.label}”" for f in new if f.id not in before]
    out += [f"删除字段“{f.label}”" for f in old if f.id not in after]
    for f in new:
        was = before.get(f.id)
        if was is not None and was != f:
            what = f"名称由“{was.label}”改为“{f.label}”" if was.label != f.label else "设置有变化"
            out.append(f"字段“{f.label}”的{what}")
    return out


_Item = TypeVar("_Item", Indicator, Target, Registry, Form)


def _compare(
    section: str,
    old: Sequence[_Item],
    new: Sequence[_Item],
    *,
    added: Callable[[_Item], str],
    changed: Callable[[_Item, _Item], str | None],
    removed: Callable[[_Item], str] = lambda _item: "",
    kept: str = "修改",
    always: bool = False,
) -> list[PlanChange]:
    """What changes in one section between two plans, matched by id: added, changed
    (``kept``; ``always``: every item both have is listed, unless ``changed`` says None),
    removed."""
    before = {item.id: item for item in old}
    after = {item.id for item in new}
    out: list[PlanChange] = []
    for item in new:
        was = before.get(item.id)
        if was is None:
            out.append(PlanChange(section, "新增", item.name, added(item)))
        elif always or was != item:
            detail = changed(was, item)
            if detail is not None:
                out.append(PlanChange(section, kept, item.name, detail))
    out += [PlanChange(section, "删除", item.name, removed(item)) for item in old
            if item.id not in after]  # fmt: skip
    return out


def preview_plan(store: Store, new: Plan) -> PlanPreview:
    """Compare ``new`` with the active plan: indicators, targets, registries and forms
    added, removed or changed, and which registries carry their records over."""
    current = active_plan(store)
    stored = {(s.id, s.version) for s in stored_plans(store)}
    changes: list[PlanChange] = []
    if (new.start_year, new.end_year) != (current.start_year, current.end_year):
        changes.append(
            PlanChange("计划", "修改", "规划年份",
                       f"{current.start_year}–{current.end_year}年 → "
                       f"{new.start_year}–{new.end_year}年")
        )  # fmt: skip
    changes += _compare(
        "指标", current.indicators, new.indicators,
        added=lambda i: f"目标 {_target_text(i)}",
        changed=lambda was, i: f"目标 {_target_text(was)} → {_target_text(i)}",
    )  # fmt: skip
    changes += _compare(
        "数量目标", current.targets, new.targets,
        added=lambda t: f"{t.target:g}{t.unit}",
        changed=lambda was, t: f"{was.target:g}{was.unit}({was.target_year}年) → "
        f"{t.target:g}{t.unit}({t.target_year}年)",
    )  # fmt: skip

    def carried_over(was: Registry, r: Registry) -> str | None:
        if was == r and new.id == current.id:
            return None  # a revision of the same plan: an unchanged registry says nothing
        renamed = [f"原名“{was.name}”"] if was.name != r.name else []
        count = count_records(store, r.id)
        return ";".join([f"已登记的 {count} 条记录原样延续", *renamed,
                         *_field_changes(was.fields, r.fields)])  # fmt: skip

    changes += _compare(
        "登记册", current.registries, new.registries,
        added=lambda r: f"{len(r.fields)} 个字段", changed=carried_over,
        removed=lambda _r: "已登记的记录保留,按原计划查看", kept="延续", always=True,
    )  # fmt: skip
    freq = {"quarter": "季度", "year": "年度"}
    changes += _compare(
        "报表", current.forms, new.forms,
        added=lambda f: f"{freq[f.frequency.value]},{len(f.fields)} 个字段",
        changed=lambda was, f: ";".join(_field_changes(was.fields, f.fields) or ["校验规则有变化"]),
    )  # fmt: skip
    return PlanPreview(
        current, new, tuple(changes), (new.id, new.version) in stored, activates(store, new)
    )


def read_plan_file(path: Path) -> Plan:
    """A plan file (.toml), or the plan a workbook (.xlsx) carries, checked (PlanError
    with file, line and what is wrong; InputError when a workbook carries none)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        plan = plan_in_workbook(path)
        if plan is None:
            raise InputError(
                "此工作簿没有附带计划定义",
                where=path.name,
                allowed="省级导出的模板或报送工作簿,或计划定义文件(.toml)",
            )
        return plan
    return load_plan(path)


# -- plans that travel inside workbooks -----------------------------------------------


def version_key(version: str) -> tuple[tuple[int, object], ...]:
    """A version for ordering: ``1.10`` after ``1.9``; non-numeric parts as text."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.split("."))


def parse_carried(text: str, where: str) -> Plan:
    """A plan definition carried inside a workbook, checked like a plan file."""
    from jlip_desk.plan.loader import parse_plan

    return parse_plan(text, where)


def plan_in_workbook(path: Path) -> Plan | None:
    """The plan definition ``path`` carries, or None (none, damaged, or not a workbook).

    PlanError (file, line and what is wrong) when the carried definition is invalid.
    """
    from jlip_desk.excel.importer import Refused, read_submitted

    try:
        submitted = read_submitted(path)
    except Refused:
        return None
    text = submitted.content.plan_text
    if text is None:
        return None
    plan = parse_carried(text, f"{path.name} 附带的计划定义")
    meta = submitted.meta
    if (plan.id, plan.version) != (meta.plan_id, meta.plan_version):
        return None  # a sheet copied from another workbook: not this workbook's plan
    return plan


def activates(store: Store, plan: Plan) -> bool:
    """Whether loading ``plan`` makes it the active plan: a later plan, or a later
    version of the active one. An older version is stored without switching to it."""
    current = active_plan(store)
    if plan.id == current.id:
        return version_key(plan.version) > version_key(current.version)
    return plan.start_year > current.start_year


def keep_plan(store: Store, plan: Plan) -> bool:
    """Keep an already checked plan (from a file or a workbook) in the store, active if
    it is later than the active one. Returns whether anything changed."""
    return save_plan(store, plan, activate=activates(store, plan))
