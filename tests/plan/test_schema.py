"""The loader reads every key through jlip_desk.plan.schema, and only keys declared there."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlip_desk import paths
from jlip_desk.errors import PlanError
from jlip_desk.plan import loader, schema
from jlip_desk.plan.loader import parse_plan

TESTS = Path(__file__).resolve().parents[1]
PLAN_FILES = [paths.default_plan_file(), TESTS / "data" / "plans" / "test-plan-15.toml"]
_ACCESSORS = {
    "_get",
    "text",
    "req_text",
    "ident",
    "integer",
    "req_integer",
    "number",
    "boolean",
    "strings",
    "enum",
    "table",
    "tables",
    "numeric_ref",
}


def keys_in(data: dict[str, Any], section: str = "root") -> Iterator[tuple[str, str]]:
    """(section, key) for every key of a plan document, by the schema's sections."""
    for key, value in data.items():
        yield section, key
        spec = schema.SECTIONS[section].keys.get(key)
        if spec is None or spec.section is None:
            continue
        for entry in value if isinstance(value, list) else [value]:
            yield from keys_in(entry, spec.section)


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.name)
def test_every_key_of_the_real_plans_is_in_the_schema(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for section, key in keys_in(data):
        assert key in schema.SECTIONS[section].keys, (section, key)


def test_every_key_the_loader_names_is_in_the_schema() -> None:
    source = Path(loader.__file__).read_text(encoding="utf-8")
    declared = {key for section in schema.SECTIONS.values() for key in section.keys}
    named = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args = node.args[1:] if name == "numeric_ref" else node.args
            if name in _ACCESSORS and args and isinstance(args[0], ast.Constant):
                named.add(args[0].value)
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
            named |= {e.value for e in node.iter.elts if isinstance(e, ast.Constant)}
    assert {"baseline", "lifecycle", "established_field", "default"} <= named  # the scan works
    assert named <= declared, named - declared


def test_every_section_a_key_holds_exists() -> None:
    for section in schema.SECTIONS.values():
        for key, spec in section.keys.items():
            if schema.TABLE in spec.kinds or schema.TABLES in spec.kinds:
                assert spec.section in schema.SECTIONS, (section.name, key)
            else:
                assert spec.section is None, (section.name, key)


def test_a_key_read_against_the_schema_is_a_bug() -> None:
    node = loader._Node({}, "", loader._Context("x.toml", ""), schema.SECTIONS["plan"])
    with pytest.raises(loader._SchemaMismatch):
        node.text("nosuchkey")
    with pytest.raises(loader._SchemaMismatch):
        node.integer("name")
    with pytest.raises(loader._SchemaMismatch):
        node.text("short_name", required=True)


def test_placeholders_are_refused_all_at_once_with_their_lines() -> None:
    text = paths.default_plan_file().read_text(encoding="utf-8")
    text = text.replace("baseline = 2.26", f'baseline = "{schema.PLACEHOLDER}"')
    text = text.replace("target = 60\n", f'target = "{schema.PLACEHOLDER}"\n')
    lines = text.splitlines()
    first = lines.index(f'baseline = "{schema.PLACEHOLDER}"') + 1
    second = lines.index(f'target = "{schema.PLACEHOLDER}"') + 1
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "draft.toml")
    message = str(caught.value)
    assert "draft.toml" in message and "2 处" in message
    assert f"第 {first} 行,键 indicators[0].baseline" in message
    assert f"第 {second} 行,键 targets[0].target" in message
