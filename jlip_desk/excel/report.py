"""The import report: every problem with sheet, cell, value, rule and what is allowed."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from jlip_desk.errors import ALLOWED_LABEL

Outcome = Literal["applied", "unchanged", "refused"]


@dataclass(frozen=True, slots=True)
class Issue:
    message: str  # what is wrong (Chinese)
    sheet: str | None = None
    cell: str | None = None  # "D7"
    value: str | None = None  # the cell's content as the user sees it
    rule: str | None = None  # the rule that was broken
    allowed: str | None = None  # what would be accepted
    severity: Literal["error", "note"] = "error"

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def text(self) -> str:
        parts = [f"{self.where}:" if self.where else ""]
        if self.value and f"“{self.value}”" not in self.message:
            parts.append(f"“{self.value}”")
        parts.append(self.message)
        if self.rule and self.rule not in self.message:
            parts.append(f"[规则:{self.rule}]")
        if self.allowed and self.allowed not in self.message:
            parts.append(f"({ALLOWED_LABEL}:{self.allowed})")
        return " ".join(p for p in parts if p)


@dataclass(slots=True)
class FileResult:
    file: str
    sha256: str = ""
    outcome: Outcome = "refused"
    org_code: str = ""
    org_name: str = ""
    period: str = ""
    plan_id: str = ""
    plan_version: str = ""
    revision: int | None = None
    values_changed: int = 0
    records_created: int = 0
    summary: str = ""
    issues: list[Issue] = field(default_factory=list)
    markup: str | None = None  # path of the marked-up copy handed back
    plan_loaded: str = ""  # "id version" of the plan loaded from the workbook, if one was
    plan_changes: str = ""  # and what it changed against the plan active before

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def text(self) -> str:
        head = {"applied": "已导入", "unchanged": "无变化", "refused": "拒绝导入"}[self.outcome]
        who = f"{self.org_name}({self.org_code}){self.period}" if self.org_code else ""
        lines = [f"【{head}】{Path(self.file).name} {who}".rstrip()]
        if self.summary:
            lines.append(f"  {self.summary}")
        errors = self.errors
        if errors:
            lines.append(f"  共 {len(errors)} 个问题,数据库未作任何改动:")
        lines += [f"  - {i.text()}" for i in errors]
        lines += [f"  · {i.text()}" for i in self.issues if i.severity == "note"]
        if self.markup:
            lines.append(f"  已生成标注问题的工作簿副本:{self.markup}")
        return "\n".join(lines)


@dataclass(slots=True)
class ImportReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.outcome != "refused" for f in self.files)

    def counts(self) -> dict[str, int]:
        out = {"applied": 0, "unchanged": 0, "refused": 0}
        for f in self.files:
            out[f.outcome] += 1
        return out

    def head(self) -> str:
        c = self.counts()
        return (
            f"导入 {len(self.files)} 个文件:成功 {c['applied']} 个,"
            f"无变化 {c['unchanged']} 个,拒绝 {c['refused']} 个。"
        )

    def text(self) -> str:
        """The tally, each file's result, and for a batch the tally again at the end (the
        first one has scrolled away behind sixty files' results)."""
        parts = [self.head(), *(f.text() for f in self.files)]
        if len(self.files) > 3:
            parts.append("合计:" + self.head())
        return "\n\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        files = []
        for f in self.files:
            data = asdict(f)
            for issue, raw in zip(f.issues, data["issues"], strict=True):
                raw["where"] = issue.where
            files.append(data)
        return {"ok": self.ok, "counts": self.counts(), "files": files}

    def write_json(self, path: Path) -> None:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
        path.write_text(text + "\n", encoding="utf-8")
