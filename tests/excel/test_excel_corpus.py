"""The corpus of mistakes: each workbook is accepted or refused as issue 4 says."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openpyxl import load_workbook

from jlip_desk.excel.markup import ISSUES_SHEET
from jlip_desk.excel.styles import ERROR_FILL
from jlip_desk.services.excel import import_files

DATA = Path(__file__).resolve().parents[1] / "data"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_workbooks", DATA / "build_workbooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_workbooks"] = module
    spec.loader.exec_module(module)
    return module


builder = _load()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    files: dict[str, Path] = builder.build(tmp_path_factory.mktemp("corpus"))
    return files


@pytest.mark.parametrize("name", sorted(builder.CASES))
def test_corpus_case(name: str, corpus: dict[str, Path], tmp_path: Path, helpers: Any) -> None:
    expect = builder.CASES[name]
    snapshot = helpers.snapshot
    store = helpers.province_store()
    before = store.content_hash()
    report = import_files(store, [corpus[name]], markup_dir=tmp_path)
    result = report.files[0]
    assert result.outcome == expect.outcome, report.text()
    wheres = {i.where for i in result.errors}
    assert set(expect.cells) <= wheres, report.text()
    if expect.outcome == "refused":
        assert store.content_hash() == before
        assert result.errors and all(i.message for i in result.errors)
    else:
        source = builder.source_store()
        periods = [str(builder.QUARTER)]
        got, want = (
            snapshot(store, "jilin-ip-14", "220102", periods),
            snapshot(source, "jilin-ip-14", "220102", periods),
        )
        if name == "tolerate_new_station_row":
            new = got["workstations"].pop("220102-WS-003")
            assert new["name"] == "南关区新设工作站" and new["established_on"] == "2024-06-01"
            # Its row of the quarter, named in the file, carries the new code.
            figures = got["activity:2024Q4"].pop(("220102", "220102-WS-003"))
            assert figures == want["activity:2024Q4"][("220102", "220102-SP-001")]
        assert got == want
        source.close()
    store.close()


def test_marked_up_copy_has_fills_and_comments(
    corpus: dict[str, Path], tmp_path: Path, helpers: Any
) -> None:
    store = helpers.province_store()
    report = import_files(store, [corpus["mistake_bad_values"]], markup_dir=tmp_path)
    markup = report.files[0].markup
    assert markup is not None
    wb = load_workbook(markup)
    assert wb.sheetnames[0] == ISSUES_SHEET
    for where in builder.CASES["mistake_bad_values"].cells:
        sheet, cell = where.split("!")
        marked = wb[sheet][cell]
        assert marked.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
        assert marked.comment is not None and marked.comment.text
    store.close()


@pytest.mark.libreoffice
def test_marked_up_copy_opens_in_libreoffice(
    corpus: dict[str, Path], tmp_path: Path, helpers: Any
) -> None:
    store = helpers.province_store()
    names = ["mistake_bad_values", "mistake_unknown_code"]
    report = import_files(store, [corpus[n] for n in names], markup_dir=tmp_path / "marked")
    marked = [Path(f.markup) for f in report.files if f.markup]
    assert len(marked) == 2
    resaved = helpers.resave_with_libreoffice(marked, tmp_path / "lo")
    for name, path in zip(names, resaved, strict=True):
        wb = load_workbook(path)
        for where in builder.CASES[name].cells:
            sheet, cell = where.split("!")
            assert wb[sheet][cell].comment is not None, where
            assert wb[sheet][cell].fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:]), where
    store.close()


def test_hostile_files_refused_by_import(tmp_path: Path, helpers: Any) -> None:
    hostile = sorted((DATA / "workbooks").glob("hostile_*"))
    assert hostile, "the hostile corpus is missing: run tests/data/build_hostile.py"
    store = helpers.province_store()
    before = store.content_hash()
    report = import_files(store, hostile, markup_dir=tmp_path)
    assert [f.outcome for f in report.files] == ["refused"] * len(hostile), report.text()
    assert all(f.errors and f.markup is None for f in report.files)
    assert store.content_hash() == before
    store.close()


def _with_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, data if info.filename == part else zin.read(info))
    return target


def test_malformed_core_part_in_a_refused_file_does_not_end_the_batch(
    corpus: dict[str, Path], tmp_path: Path, helpers: Any
) -> None:
    broken = _with_part(
        corpus["mistake_bad_values"], tmp_path / "broken.xlsx", "docProps/core.xml", b"<cp:core"
    )
    files = [corpus["mistake_unknown_code"], broken, corpus["mistake_other_county_row"]]
    store = helpers.province_store()
    report = import_files(store, files, markup_dir=tmp_path / "marked")
    assert [f.outcome for f in report.files] == ["refused"] * 3, report.text()
    assert report.files[1].errors
