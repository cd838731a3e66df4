"""Parsed plans are cached by content: one parse per distinct TOML text, never a stale one."""

from __future__ import annotations

import pytest

from jlip_desk.errors import JlipError
from jlip_desk.services.installation import prepare
from jlip_desk.store import plans
from jlip_desk.store.database import Store
from jlip_desk.store.plans import get_plan


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from jlip_desk.plan import loader

    seen: list[str] = []
    real = loader.parse_plan

    def counting(text: str, name: str = "<计划>") -> object:
        seen.append(name)
        return real(text, name)

    monkeypatch.setattr(loader, "parse_plan", counting)
    monkeypatch.setattr(plans, "_parsed_cache", {})
    return seen


def test_same_text_is_parsed_once_across_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _count_parses(monkeypatch)
    first, second = Store.memory(), Store.memory()
    plan = prepare(first)
    assert prepare(second) is plan  # the bundled file: parsed for the first store only
    stored = get_plan(first, plan.id, plan.version)
    assert get_plan(second, plan.id, plan.version) is stored
    assert get_plan(first, plan.id) is stored
    assert stored == plan and stored.source_text == plan.source_text
    assert stored.source_name == f"{plan.id}(已存储)"  # messages still name the stored plan
    assert len(seen) == 2  # the file once, the stored copy once
    first.close()
    second.close()


def test_changed_text_under_same_version_is_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _count_parses(monkeypatch)
    store = Store.memory()
    plan = prepare(store)
    before = get_plan(store, plan.id, plan.version)
    # Same id, version and stored sha256 column, different text: the key is the text itself.
    line = f'name = "{plan.name}"'
    renamed = plan.source_text.replace(line, f'name = "{plan.name}(修订)"', 1)
    assert renamed != plan.source_text
    store.conn.execute(
        "UPDATE plans SET source = ? WHERE id = ? AND version = ?",
        (renamed, plan.id, plan.version),
    )
    after = get_plan(store, plan.id, plan.version)
    assert after is not before and after.name == plan.name + "(修订)"
    assert len(seen) == 3
    store.close()


def test_broken_text_is_refused_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _count_parses(monkeypatch)
    store = Store.memory()
    plan = prepare(store)
    store.conn.execute(
        "UPDATE plans SET source = ? WHERE id = ? AND version = ?",
        ("[plan\nbroken", plan.id, plan.version),
    )
    for _ in range(2):
        with pytest.raises(JlipError):
            get_plan(store, plan.id, plan.version)
    assert seen.count(f"{plan.id}(已存储)") == 2  # a failure is never cached
    store.close()
