"""Regenerate the form modules from ``ui/*.ui`` with pyside6-uic."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from jlip_desk import paths

FORMS = Path(__file__).resolve().parent


def uic_command() -> list[str]:
    exe = Path(sys.executable).with_name("pyside6-uic")
    return [str(exe) if exe.exists() else "pyside6-uic", "--from-imports"]


def generate(ui_file: Path) -> str:
    result = subprocess.run(
        [*uic_command(), str(ui_file)], check=True, capture_output=True, text=True, encoding="utf-8"
    )
    return prune_imports(result.stdout)


def prune_imports(source: str) -> str:
    """Drop the Qt names uic imports but the form never uses.

    uic imports a fixed list of QtGui classes (QPainter, QFont, gradients...);
    PySide builds each imported class and its enums on first import, which costs
    the start of the program several milliseconds for nothing.
    """
    tree = ast.parse(source)
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    cursor = 0
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.module is None:
            continue
        start, end = node.lineno - 1, (node.end_lineno or node.lineno)
        out.extend(lines[cursor:start])
        names = [alias.name for alias in node.names if alias.name in used]
        if names:
            out.append(f"from {node.module} import {', '.join(names)}\n")
        cursor = end
    out.extend(lines[cursor:])
    return "".join(out)


def target_for(ui_file: Path) -> Path:
    return FORMS / f"ui_{ui_file.stem}.py"


def main() -> int:
    for ui_file in sorted(paths.ui_dir().glob("*.ui")):
        target_for(ui_file).write_text(generate(ui_file), encoding="utf-8")
        print(f"{ui_file.name} -> {target_for(ui_file).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
