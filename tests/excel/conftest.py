"""Fixtures for the Excel tests: a demo source store, an empty province store, helpers."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlip_desk.services.demo import generate
from jlip_desk.services.installation import bind, prepare
from jlip_desk.store.cells import read_form
from jlip_desk.store.database import Store
from jlip_desk.store.records import list_records


@pytest.fixture(scope="session")
def demo_store() -> Iterator[Store]:
    """A read-only demo store (60 counties, 2021-2025) shared by the Excel tests."""
    store = Store.memory()
    prepare(store)
    generate(store, seed=7)
    yield store
    store.close()


@pytest.fixture
def helpers() -> Any:
    """Plain helper functions for tests (test modules cannot import conftest)."""
    import types

    return types.SimpleNamespace(
        province_store=province_store,
        snapshot=snapshot,
        resave_with_libreoffice=resave_with_libreoffice,
        need_soffice=need_soffice,
    )


def province_store() -> Store:
    store = Store.memory()
    prepare(store)
    bind(store, "220000")
    return store


@pytest.fixture
def target() -> Iterator[Store]:
    """An empty store bound to the province: it may import every county's workbook."""
    store = province_store()
    yield store
    store.close()


def snapshot(store: Store, plan_id: str, org: str, periods: list[str]) -> dict[str, Any]:
    """What a user would compare: registry records and form values, no time stamps."""
    out: dict[str, Any] = {}
    for registry in ("workstations", "service_points"):
        out[registry] = {
            r.code: {k: v for k, v in r.values.items() if v is not None}
            for r in list_records(store, plan_id, registry, [org])
        }
    for form in ("activity", "county_annual"):
        for period in periods:
            rows = read_form(store, plan_id, form, period, [org])
            out[f"{form}:{period}"] = {
                k: {f: v for f, v in vals.items() if v is not None} for k, vals in rows.items()
            }
    return out


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def need_soffice() -> str:
    found = soffice()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice (soffice) not installed")
    return found


def resave_with_libreoffice(files: list[Path], outdir: Path) -> list[Path]:
    """Re-save many workbooks through LibreOffice in one start (each start costs seconds)."""
    exe = need_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path("/tmp") / f"jlip-lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir),
             *map(str, files)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = [outdir / f.name for f in files]
    missing = [p for p in out if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return out
