"""SQL lives in jlip_desk/store/ alone: no other module runs a statement or spells one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jlip_desk"
STORE = PACKAGE / "store"

# Modules allowed to run SQL outside jlip_desk/store/: none. Never add one; move the
# query into a store module instead.
NOT_YET_MOVED: set[str] = set()

EXECUTE_NAMES = {"execute", "executemany", "executescript"}

# A statement's opening words, at the start of a string or after a ';'. Upper case
# only: that is how this code base writes SQL, and English prose ("Select a file")
# never shouts.
_SQL_START = re.compile(
    r"(?:^|;)[\s(]*(?:"
    r"SELECT\s"
    r"|INSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\b"
    r"|REPLACE\s+INTO\b"
    r"|UPDATE\s+(?:OR\s+[A-Z]+\s+)?\S+\s+SET\b"
    r"|DELETE\s+FROM\b"
    r"|CREATE\s+(?:TEMP\s+|TEMPORARY\s+|UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER|VIEW)\b"
    r"|ALTER\s+TABLE\b"
    r"|DROP\s+(?:TABLE|INDEX|TRIGGER|VIEW)\b"
    r"|PRAGMA\s"
    r"|WITH\s+(?:RECURSIVE\s+)?\w+\s+AS\s*\("
    r")"
)


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string nodes that are docstrings of the module, a class or a function."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                found.add(id(body[0].value))
    return found


def _fstring_text(node: ast.JoinedStr) -> str:
    """An f-string's literal text, each placeholder standing in as ``x``."""
    return "".join(
        part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else "x"
        for part in node.values
    )


def sql_findings(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """``(line, what)`` for every execute call and every SQL statement text in ``source``."""
    tree = ast.parse(source, filename)
    docstrings = _docstrings(tree)
    in_fstrings = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in EXECUTE_NAMES:
            found.append((node.lineno, f".{node.attr}("))
        elif isinstance(node, ast.JoinedStr):
            text = _fstring_text(node)
            if _SQL_START.search(text):
                found.append((node.lineno, f"SQL text {text[:40]!r}"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and id(node) not in in_fstrings
            and _SQL_START.search(node.value)
        ):
            found.append((node.lineno, f"SQL text {node.value[:40]!r}"))
    return sorted(found)


def _modules() -> dict[str, Path]:
    root = PACKAGE.parent
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not path.is_relative_to(STORE)
    }


def _findings(path: Path) -> list[tuple[int, str]]:
    return sql_findings(path.read_text(encoding="utf-8"), str(path))


def test_no_sql_outside_the_store() -> None:
    modules = _modules()
    assert len(modules) > 20  # the scan looks where the code is
    problems = [
        f"{name}:{line}: {what}"
        for name, path in modules.items()
        if name not in NOT_YET_MOVED
        for line, what in _findings(path)
    ]
    assert not problems, "SQL outside jlip_desk/store/ (move it into a store module):\n" + (
        "\n".join(problems)
    )


def test_the_allow_list_holds_only_modules_that_still_have_sql() -> None:
    modules = _modules()
    stale = sorted(
        name for name in NOT_YET_MOVED if name not in modules or not _findings(modules[name])
    )
    assert not stale, f"remove from NOT_YET_MOVED (clean or gone): {', '.join(stale)}"


@pytest.mark.parametrize(
    "source",
    [
        "store.conn.execute('SELECT 1')",
        "conn.executemany(sql, rows)",
        "conn.executescript(script)",
        "run = conn.execute",
        "sql = 'SELECT code FROM records'",
        "sql = ('SELECT code FROM records '\n       'WHERE plan_id = ?')",
        "sql = f'SELECT COUNT(*) FROM {table}'",
        "sql = f'UPDATE {table} SET value = ?'",
        "sql = 'UPDATE cells SET value = ? WHERE id = ?'",
        "sql = 'INSERT INTO cells (a) VALUES (?)'",
        "sql = 'INSERT OR IGNORE INTO cells (a) VALUES (?)'",
        "sql = '  DELETE FROM cells'",
        "sql = 'CREATE TABLE t (a)'",
        "sql = 'PRAGMA foreign_keys = ON'",
        "sql = 'BEGIN; DELETE FROM cells'",
        "sql = 'WITH last AS (SELECT 1) SELECT * FROM last'",
        "def f():\n    x = 1\n    return 'SELECT 1 FROM cells'",
    ],
)
def test_the_scan_finds_sql(source: str) -> None:
    assert sql_findings(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""SELECT the rows: a docstring may speak of SQL."""',
        'def f():\n    """DELETE FROM cells is what this would do."""',
        "class C:\n    '''PRAGMA foreign_keys explained.'''",
        "# conn.execute('SELECT 1') in a comment",
        "label = 'Select a file'",
        "message = '请选择 SELECT 之后的列'",
        "text = 'Update the view, then set the filter'",
        "dialog.exec()",
        "name = 'execute'",
    ],
)
def test_the_scan_leaves_prose_alone(source: str) -> None:
    assert sql_findings(source) == []


def test_a_finding_names_its_line() -> None:
    source = "x = 1\n\nrows = store.conn.execute(\n    'SELECT 1'\n)\n"
    assert sql_findings(source) == [(3, ".execute("), (4, "SQL text 'SELECT 1'")]
