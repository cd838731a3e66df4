"""Only the gate writes the data tables: every other module goes through it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "jlip_desk"

# The store's functions that write values, records, period states, submissions and
# confirmations (reads are free for everyone).
WRITERS = {
    "jlip_desk.store.cells": {"write_values", "insert_cells", "update_cells"},
    "jlip_desk.store.records": {"create_record", "create_records_with_codes"},
    "jlip_desk.store.status": {"write_status"},
    "jlip_desk.store.submissions": {"add_submission"},
    "jlip_desk.store.confirmations": {"add_confirmation"},
}
GATE = {"jlip_desk/services/gate.py", "jlip_desk/services/period_status.py"}


def _uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Writer functions a module imports by name, or calls through its store module."""
    found: list[tuple[int, str]] = []
    aliases: dict[str, str] = {}  # local name -> store module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module in WRITERS:
                found += [
                    (node.lineno, f"{node.module}.{a.name}")
                    for a in node.names
                    if a.name in WRITERS[node.module]
                ]
            if node.module == "jlip_desk.store":
                for a in node.names:
                    aliases[a.asname or a.name] = f"jlip_desk.store.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name in WRITERS:
                    aliases[a.asname or a.name] = a.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and aliases.get(node.value.id) in WRITERS
            and node.attr in WRITERS[aliases[node.value.id]]
        ):
            found.append((node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
    return found


def test_only_the_gate_calls_the_stores_writers() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        if name.startswith("jlip_desk/store/") or name in GATE:
            continue
        for line, what in _uses(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{name}:{line}: {what}")
    assert not offenders, "write through jlip_desk/services/gate.py:\n" + "\n".join(offenders)


def test_the_scan_sees_both_ways_of_calling_a_writer() -> None:
    by_name = "from jlip_desk.store.cells import read_row, write_values\n"
    by_module = "from jlip_desk.store import status\nstatus.write_status(s, 1)\n"
    assert _uses(ast.parse(by_name)) == [(1, "jlip_desk.store.cells.write_values")]
    assert _uses(ast.parse(by_module)) == [(2, "jlip_desk.store.status.write_status")]
    assert _uses(ast.parse("from jlip_desk.store.cells import read_row\n")) == []
