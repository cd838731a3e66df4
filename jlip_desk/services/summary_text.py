"""The progress report as readable Chinese text (``jlip-desk summary`` without ``--json``)."""

from __future__ import annotations

from typing import Any


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
    lines += ["", f"报送情况:{r['reported']} / {r['expected']} 个县级单位已报送"]
    if r["missing"]:
        names = "、".join(m["name"] for m in r["missing"][:20])
        more = f" 等 {len(r['missing'])} 个" if len(r["missing"]) > 20 else ""
        lines.append(f"  未报送:{names}{more}")
    return "\n".join(lines)
