"""The progress report as readable Chinese text (``jlip-desk summary`` without ``--json``)."""

from __future__ import annotations

from typing import Any

from jlip_desk.services.period_status import STATUS_LABELS
from jlip_desk.services.reporting import data_text
from jlip_desk.services.summary import INDICATOR_STATUS_LABELS


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return f"{value}"


def coverage_words(indicator: dict[str, Any]) -> str:
    """ "58/60 个单位有数据" for a figure summed over units; "" for a province figure."""
    expected = indicator.get("expected_orgs")
    if not expected:
        return ""
    return f"{indicator.get('reporting_orgs', 0)}/{expected} 个单位有数据"


def is_partial(indicator: dict[str, Any]) -> bool:
    """Fewer units gave the figure than should: it never passes for the whole scope."""
    expected = indicator.get("expected_orgs")
    return bool(expected) and indicator.get("reporting_orgs", 0) < expected


def coverage_text(indicator: dict[str, Any]) -> str:
    words = coverage_words(indicator)
    if not words:
        return ""
    return f",{words}" + ("(数据不全)" if is_partial(indicator) else "")


def summary_text(s: dict[str, Any]) -> str:
    lines = [f"{s['plan']['name']}", f"{s['org']['name']} · {s['period_label']}进度报告"]
    if s["demo_data"]:
        lines.append("(含演示数据)")
    lines += ["", "数量目标:"]
    for t in s["targets"]:
        count, goal, unit = _fmt(t["count"]), _fmt(t["target"]), t["unit"]
        if t.get("applies", True):
            state = {True: "已达成", False: "未达成", None: "无数据"}[t["reached"]]
            lines.append(f"  {t['name']}:{count} / 目标 {goal}{unit}({state})")
        else:
            lines.append(f"  {t['name']}:{count}{unit}(全省目标 {goal}{unit},本级不单独考核)")
    lines += ["", f"主要指标({s['year']}年):"]
    for i in s["indicators"]:
        state = INDICATOR_STATUS_LABELS[i.get("status", "unknown")]
        target = i["target_text"] or f"{_fmt(i['target'])}{i['unit']}"
        whose = "" if i.get("applies", True) else "全省"
        if not i.get("applies", True) and i["aggregation"] != "ratio":
            state = "本级不单独考核"
        lines.append(
            f"  {i['name']}:{_fmt(i['value'])}{i['unit']}({whose}计划进度 {_fmt(i['planned'])},"
            f"{whose}{i['target_year']}年目标 {target},{state}{coverage_text(i)})"
        )
    r = s["reporting"]
    lines += ["", f"报送情况:{data_text(r)}"]
    if r["missing"]:
        names = "、".join(f"{m['name']}({STATUS_LABELS[m['status']]})" for m in r["missing"])
        lines.append(f"  尚未报送的单位:{names}")
    return "\n".join(lines)
