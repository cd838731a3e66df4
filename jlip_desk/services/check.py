"""Integrity check of the store: SQLite's own checks plus the app's invariants."""

from __future__ import annotations

from dataclasses import dataclass, field

from jlip_desk.errors import JlipError
from jlip_desk.store.database import Store
from jlip_desk.store.integrity import (
    fields_in_cells,
    foreign_key_violations,
    integrity_problems,
    plan_ids_in_cells,
    record_codes,
    row_counts,
    stored_plan_ids,
    values_without_history,
)
from jlip_desk.store.plans import get_plan
from jlip_desk.store.records import format_code
from jlip_desk.store.status import locked_periods


@dataclass(slots=True)
class CheckReport:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def text(self) -> str:
        lines = [
            f"{'✓' if ok else '✗'} {name}{(':' + detail) if detail else ''}"
            for name, ok, detail in self.checks
        ]
        lines.append(
            "检查通过,数据完整。" if self.ok else "发现问题,请联系技术支持并提供上述信息。"
        )
        return "\n".join(lines)


def _locked_periods_clean(store: Store, plan_ids: set[str]) -> tuple[str, bool, str]:
    """What was handed in is right and stays right: no locked period has an error."""
    from jlip_desk.periods import parse_period
    from jlip_desk.services.reporting import period_overviews

    bad: list[str] = []
    for plan_id in sorted(plan_ids):
        try:
            plan = get_plan(store, plan_id)
        except JlipError:
            continue  # reported by the plan checks below
        for org_code, periods in sorted(locked_periods(store, plan_id).items()):
            wanted = [parse_period(p) for p in sorted(periods)]
            for overview in period_overviews(store, plan, org_code, wanted, own=True):
                if overview.errors:
                    bad.append(f"{org_code} {overview.period.label}({overview.errors} 个错误)")
    detail = "、".join(bad[:5]) + (f" 等 {len(bad)} 个" if len(bad) > 5 else "")
    return "已报送的报告期没有错误", not bad, detail


def check_store(store: Store) -> CheckReport:
    report = CheckReport()
    result = integrity_problems(store)
    report.add(
        "SQLite 完整性检查", result == ["ok"], "" if result == ["ok"] else "; ".join(result[:5])
    )
    fk = foreign_key_violations(store)
    report.add("外键引用", not fk, f"{len(fk)} 处引用无效" if fk else "")

    plans = stored_plan_ids(store)
    used = plan_ids_in_cells(store)
    unknown_plans = sorted(used - plans)
    report.add("数据所属计划均已载入", not unknown_plans, "、".join(unknown_plans))

    bad_fields: list[str] = []
    for plan_id in sorted(used & plans):
        plan = get_plan(store, plan_id)
        known = {(f.id, fld.id) for f in plan.forms for fld in f.fields} | {
            (r.id, fld.id) for r in plan.registries for fld in r.fields
        }
        for form, fld in fields_in_cells(store, plan_id):
            if (form, fld) not in known:
                bad_fields.append(f"{plan_id}:{form}.{fld}")
    # Not an error of the store: a revised plan may drop a field; the data stays readable.
    report.add(
        "字段均在计划定义中",
        True,
        f"{len(bad_fields)} 个字段不在当前计划版本中(数据仍保留)" if bad_fields else "",
    )

    tags: dict[tuple[str, str], str] = {}
    for plan_id in plans:
        try:
            plan = get_plan(store, plan_id)
        except Exception:
            report.add(f"计划 {plan_id} 可读取", False)
            continue
        for registry in plan.registries:
            tags[(plan_id, registry.id)] = registry.code_tag
    bad_codes = [
        code
        for code, plan_id, registry, org_code, seq in record_codes(store)
        if (plan_id, registry) in tags
        and code != format_code(org_code, tags[(plan_id, registry)], seq)
    ]
    report.add("登记编码格式", not bad_codes, "、".join(bad_codes[:5]))

    report.add(*_locked_periods_clean(store, plans))

    drift = values_without_history(store)
    report.add(
        "修改历史与当前值一致", drift == 0, f"{drift} 个值缺少对应的历史记录" if drift else ""
    )

    counts = row_counts(store)
    report.add(
        "数据量",
        True,
        f"单位 {counts['org_units']},登记记录 {counts['records']},数值 {counts['cells']},"
        f"历史 {counts['cell_history']},操作 {counts['changes']}",
    )
    return report
