"""Shared fixtures: every test gets its own data folder and store; Qt runs offscreen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from jlip_desk import paths
from jlip_desk.plan.loader import load_plan
from jlip_desk.plan.model import Plan
from jlip_desk.services.installation import open_store
from jlip_desk.store.database import Store

TESTS = Path(__file__).resolve().parent
TEST_PLAN_FILE = TESTS / "data" / "plans" / "test-plan-15.toml"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data folder per test, so no test ever touches a real profile."""
    folder = tmp_path / "data"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(folder))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    paths.set_data_dir(None)
    yield folder
    paths.set_data_dir(None)


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """A migrated store in the test's data folder, with divisions and the 14th plan."""
    s = open_store()
    yield s
    s.close()


@pytest.fixture(scope="session")
def plan14() -> Plan:
    return load_plan(paths.default_plan_file())


@pytest.fixture(scope="session")
def plan15() -> Plan:
    """The made-up 15th plan: other indicators and one more form, no code change."""
    return load_plan(TEST_PLAN_FILE)
