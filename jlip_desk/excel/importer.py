"""Read one submitted workbook: vet it, read its cells and its metadata. No store here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from jlip_desk.errors import JlipError
from jlip_desk.excel import safety
from jlip_desk.excel.layout import FORMAT_VERSION
from jlip_desk.excel.meta import Meta
from jlip_desk.excel.reader import WorkbookContent, read_workbook
from jlip_desk.excel.report import Issue

__all__ = ["Refused", "Submitted", "file_sha256", "issue_of", "read_submitted"]


class Refused(Exception):
    """The file is refused; ``issues`` say why (at least one)."""

    def __init__(self, *issues: Issue):
        super().__init__(issues[0].message if issues else "")
        self.issues = list(issues)


@dataclass(frozen=True, slots=True)
class Submitted:
    content: WorkbookContent
    meta: Meta
    sha256: str


def issue_of(exc: JlipError, rule: str) -> Issue:
    return Issue(exc.message, sheet=None, value=None, rule=rule, allowed=exc.allowed)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_submitted(path: Path, *, max_cells: int = safety.DEFAULT_MAX_CELLS) -> Submitted:
    """Vet ``path`` before any parser runs, then read it; :class:`Refused` if it cannot be."""
    try:
        vetted = safety.vet_workbook(path, max_cells=max_cells)
        sha = file_sha256(path)
        content = read_workbook(path, vetted)
    except JlipError as exc:
        raise Refused(issue_of(exc, "文件安全与格式检查")) from None
    except OSError as exc:
        raise Refused(Issue(f"无法读取文件:{exc.strerror}", rule="文件可读")) from None
    try:
        meta = Meta.from_pairs(content.meta, path.name)
    except JlipError as exc:
        raise Refused(issue_of(exc, "工作簿元数据")) from None
    if meta.format_version != FORMAT_VERSION:
        raise Refused(
            Issue(
                f"模板格式版本“{meta.format_version}”不受本程序支持",
                rule="模板格式版本",
                allowed=f"格式版本 {FORMAT_VERSION}:请使用本程序导出的模板,或升级 JLIP Desk",
            )
        )
    return Submitted(content, meta, sha)
