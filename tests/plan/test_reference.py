"""docs/plan-file-format.md is generated from the loader's schema and names every key."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlip_desk import paths
from jlip_desk.plan import reference, schema
from jlip_desk.plan.loader import parse_plan

TESTS = Path(__file__).resolve().parents[1]
PLAN_FILES = [paths.default_plan_file(), TESTS / "data" / "plans" / "test-plan-15.toml"]


def _doc() -> str:
    return reference.DOC_PATH.read_text(encoding="utf-8")


def _section_text(name: str) -> str:
    doc = _doc()
    start = doc.index(f"\n## {name}\n")
    end = doc.find("\n## ", start + 1)
    return doc[start : end if end != -1 else None]


def test_the_committed_page_is_what_the_schema_renders() -> None:
    assert _doc() == reference.render(), "run: python -m jlip_desk.plan.reference"
    assert reference.main(["--check"]) == 0


@pytest.mark.parametrize("name", list(schema.SECTIONS))
def test_every_key_of_the_schema_is_documented_in_its_section(name: str) -> None:
    text = _section_text(name)
    section = schema.SECTIONS[name]
    for key, spec in section.keys.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{key}` |")), None)
        assert row is not None, (name, key)
        for value in spec.allowed:
            assert f'`"{value}"`' in row, (name, key, value)
    for rule in section.rules:
        assert f"- {rule}" in text


def _keys(data: dict[str, Any], section: str = "root") -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        yield section, key
        spec = schema.SECTIONS[section].keys.get(key)
        if spec is not None and spec.section is not None:
            for entry in value if isinstance(value, list) else [value]:
                yield from _keys(entry, spec.section)


@pytest.mark.parametrize("path", [*PLAN_FILES, None], ids=lambda p: p.name if p else "example")
def test_every_key_the_loader_accepts_in_a_real_plan_is_documented(path: Path | None) -> None:
    text = reference.EXAMPLE if path is None else path.read_text(encoding="utf-8")
    parse_plan(text, "plan.toml")  # the loader accepts it
    for section, key in _keys(tomllib.loads(text)):
        assert f"| `{key}` |" in _section_text(section), (section, key)


def test_the_example_is_on_the_page_and_loads() -> None:
    assert reference.EXAMPLE in _doc()
    plan = parse_plan(reference.EXAMPLE, "example.toml")
    assert (plan.start_year, plan.end_year) == (2026, 2030)


def test_the_page_is_english_apart_from_chinese_values() -> None:
    # Developer docs are English; Chinese appears only in the example and in quoted values.
    outside = _doc().split("## Example")[0]
    for line in outside.splitlines():
        if any("\u4e00" <= ch <= "\u9fff" for ch in line):
            assert schema.PLACEHOLDER in line or '"个"' in line, line
