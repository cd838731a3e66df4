"""The progress report as readable Chinese text (``jlip-desk summary`` without ``--json``)."""

from __future__ import annotations

from typing import Any

from jlip_desk.services.period_status import STATUS_LABELS
from jlip_desk.services.reporting import data_text


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return f"{value}"


def summary_text(s: dict[str, Any]) -> str:
    lines = [f"{s['plan']['name']}", f"{s['org']['name']} · {s['period_label']}进度报告"]
    if s["demo_data"]:
        lines.append("(含演示数据)")
    lines += ["", "数量目标:"]
    for t in s["targets"]:
        state = {True: "已达成", False: "未达成", None: "无数据"}[t["reached"]]
        lines.append(
            f"  {t['name']}:{_fmt(t['count'])} / 目标 {_fmt(t['target'])}{t['unit']}({state})"
        )
    lines += ["", f"主要指标({s['year']}年):"]
    for i in s["indicators"]:
        state = {True: "符合进度", False: "落后于进度", None: "无法判断"}[i["on_track"]]
        target = i["target_text"] or f"{_fmt(i['target'])}{i['unit']}"
        lines.append(
            f"  {i['name']}:{_fmt(i['value'])}{i['unit']}(计划进度 {_fmt(i['planned'])},"
            f"{i['target_year']}年目标 {target},{state})"
        )
    r = s["reporting"]
    lines += ["", f"报送情况:{data_text(r)}"]
    if r["missing"]:
        names = "、".join(f"{m['name']}({STATUS_LABELS[m['status']]})" for m in r["missing"])
        lines.append(f"  尚未报送的单位:{names}")
    return "\n".join(lines)
