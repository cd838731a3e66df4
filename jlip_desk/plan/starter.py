"""A starting file for the next plan: the same forms, fields and registries, and no numbers.

``jlip-desk plan new`` writes it. Ids carry over, so data recorded under the old plan
keeps its meaning; the years are set; every name, baseline, target and growth rate is
``schema.PLACEHOLDER``, which the loader refuses until the province fills it in. The old
plan's targets are never copied: they are not the new plan's.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from typing import Any

from jlip_desk.errors import InputError
from jlip_desk.plan import schema
from jlip_desk.plan.model import Plan

_YEARS = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_NUMBERED = re.compile(r"^(.*-)(\d+)$")
_EXAMPLE_YEARS = "如 2026-2030"


def parse_years(text: str) -> tuple[int, int]:
    """``"2026-2030"`` → (2026, 2030); anything else is refused in Chinese."""
    match = _YEARS.match(text)
    if match is None:
        raise InputError(f"年份范围“{text}”应写成“起始年-结束年”", allowed=_EXAMPLE_YEARS)
    start, end = int(match[1]), int(match[2])
    if start > end:
        raise InputError(f"年份范围“{text}”的起始年晚于结束年", allowed=_EXAMPLE_YEARS)
    return start, end


def next_plan_id(plan_id: str, start_year: int) -> str:
    """``jilin-ip-14`` → ``jilin-ip-15``; an id without a number gets the start year."""
    match = _NUMBERED.match(plan_id)
    if match:
        return f"{match[1]}{int(match[2]) + 1}"
    return f"{plan_id}-{start_year}"


def check_plan_id(plan_id: str) -> str:
    if not re.match(schema.PLAN_ID_PATTERN, plan_id):
        raise InputError(
            f"计划标识“{plan_id}”不可用",
            allowed="小写字母开头,由小写字母、数字、下划线和连字符组成",
        )
    return plan_id


def starter_text(plan: Plan, start_year: int, end_year: int, new_id: str | None = None) -> str:
    """The TOML text of a starting file for the plan after ``plan``."""
    data: dict[str, Any] = tomllib.loads(plan.source_text)
    new_id = check_plan_id(new_id or next_plan_id(plan.id, start_year))
    baseline_year = start_year - 1
    notes: dict[str, str] = {}

    head = data["plan"]
    head.update(
        id=new_id,
        version="1.0",
        name=schema.PLACEHOLDER,
        short_name=schema.PLACEHOLDER,
        baseline_year=baseline_year,
        start_year=start_year,
        end_year=end_year,
    )
    notes["plan.name"] = "待填写:规划全称"
    notes["plan.short_name"] = "待填写:规划简称"

    for i, entry in enumerate(data.get("indicators", [])):
        path, unit = f"indicators[{i}]", entry.get("unit", "")
        entry["baseline_year"] = baseline_year
        entry["target_year"] = end_year
        entry["baseline"] = schema.PLACEHOLDER
        notes[f"{path}.baseline"] = f"待填写:{baseline_year}年基期值(数值,单位:{unit})"
        if "target" in entry or "target_text" not in entry:
            entry["target"] = schema.PLACEHOLDER
            notes[f"{path}.target"] = f"待填写:{end_year}年目标值(数值,单位:{unit})"
        if "target_text" in entry:
            entry["target_text"] = schema.PLACEHOLDER
            notes[f"{path}.target_text"] = f"待填写:{end_year}年的文字目标"
        if "growth_rate" in entry:
            entry["growth_rate"] = schema.PLACEHOLDER
            notes[f"{path}.growth_rate"] = "待填写:年均增长率(小数形式);新规划没有增长率时删除此行"

    for i, entry in enumerate(data.get("targets", [])):
        entry["target_year"] = end_year
        entry["target"] = schema.PLACEHOLDER
        unit = entry.get("unit", "个")
        notes[f"targets[{i}].target"] = f"待填写:{end_year}年目标数量(单位:{unit})"

    out = [
        f"# 计划定义文件起始稿:由计划“{plan.id}”(版本 {plan.version})生成,"
        f"规划期 {start_year}-{end_year} 年。",
        "# 报表、字段和登记册沿用原计划,标识不要改动:已填报的数据按相同标识延续。",
        f"# 原计划的名称、基期值、目标值和增长率均未沿用,已标为“{schema.PLACEHOLDER}”,"
        "请按新规划文件逐项填写。",
        f"# 还有“{schema.PLACEHOLDER}”时,jlip-desk plan load 拒绝载入,并列出每一处的行号。",
        "# 文件格式见 docs/plan-file-format.md。",
    ]
    _emit(data, [], "", out, notes)
    return "\n".join(out).rstrip("\n") + "\n"


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")  # a plan file holds no dates


def _emit(
    table: dict[str, Any], header: list[str], path: str, out: list[str], notes: dict[str, str]
) -> None:
    indent = "  " if len(header) > 1 else ""
    for key, value in table.items():
        if isinstance(value, dict) or _is_tables(value):
            continue
        where = f"{path}.{key}" if path else key
        if where in notes:
            out.append(f"{indent}# {notes[where]}")
        out.append(f"{indent}{_key(key)} = {_value(value)}")
    for key, value in table.items():
        names = [*header, _key(key)]
        sub_indent = "  " if len(names) > 1 else ""
        where = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            out += ["", f"{sub_indent}[{'.'.join(names)}]"]
            _emit(value, names, where, out, notes)
        elif _is_tables(value):
            for i, entry in enumerate(value):
                out += ["", f"{sub_indent}[[{'.'.join(names)}]]"]
                _emit(entry, names, f"{where}[{i}]", out, notes)
