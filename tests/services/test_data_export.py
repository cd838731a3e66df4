"""export-data: every stored value as a long CSV or a DHIS2 dataValueSets JSON, checked
against the store's cells table; scoped by period, org unit and the installation's binding."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jlip_desk import paths
from jlip_desk.cli import main
from jlip_desk.errors import InputError
from jlip_desk.exit_codes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from jlip_desk.services import data_export
from jlip_desk.store.database import Store

DB_NAME = "jlip_desk.sqlite3"
DHIS2_PERIOD = re.compile(r"^\d{4}(Q[1-4])?$")
Key = tuple[str, str, str, str, str, str]  # plan, form, org, period, subject, field


def _run(folder: Path, *args: str) -> int:
    return main(["--data-dir", str(folder), *args])


def _copy_store(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    src = sqlite3.connect(source / DB_NAME)
    dst = sqlite3.connect(target / DB_NAME)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A province installation's data folder with the demo data."""
    folder = tmp_path_factory.mktemp("province")
    assert _run(folder, "init", "--org", "220000") == EXIT_OK
    assert _run(folder, "demo") == EXIT_OK
    paths.set_data_dir(None)
    yield folder


@pytest.fixture(scope="module")
def county(province: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county installation (220102) whose store still holds the whole province's data."""
    folder = tmp_path_factory.mktemp("county") / "data"
    _copy_store(province, folder)
    assert _run(folder, "init", "--org", "220102", "--force") == EXIT_OK
    paths.set_data_dir(None)
    return folder


def _cells(folder: Path, where: str = "1", params: tuple[object, ...] = ()) -> dict[Key, Any]:
    conn = sqlite3.connect(f"file:{folder / DB_NAME}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT plan_id, form, org_code, period, subject, field, value FROM cells "
            f"WHERE {where}",
            params,
        ).fetchall()
    finally:
        conn.close()
    return {(r[0], r[1], r[2], r[3], r[4], r[5]): r[6] for r in rows}


def _org_codes(folder: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{folder / DB_NAME}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT code FROM org_units")}
    finally:
        conn.close()


def _load_csv(path: Path) -> sqlite3.Connection:
    """The exported CSV in a fresh SQLite database, as any database would ingest it."""
    conn = sqlite3.connect(":memory:")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert tuple(header) == data_export.CSV_COLUMNS
        conn.execute(f"CREATE TABLE exported ({', '.join(header)})")
        conn.executemany(f"INSERT INTO exported VALUES ({', '.join('?' * len(header))})", reader)
    return conn


def _typed(text: str, kind: str) -> Any:
    if kind == "null":
        return None
    return {"integer": int, "real": float, "text": str}[kind](text)


def _csv_values(path: Path) -> dict[Key, Any]:
    conn = _load_csv(path)
    rows = conn.execute(
        "SELECT plan, form, org, period, subject, field, value, value_type FROM exported"
    ).fetchall()
    out: dict[Key, Any] = {(r[0], r[1], r[2], r[3], r[4], r[5]): _typed(r[6], r[7]) for r in rows}
    assert len(out) == len(rows), "a value was exported twice"
    return out


def _same(stored: Any, exported: Any) -> bool:
    """Numbers compare numerically, text exactly."""
    if isinstance(stored, int | float) and not isinstance(stored, bool):
        return isinstance(exported, int | float) and float(stored) == float(exported)
    return type(stored) is type(exported) and stored == exported


def _assert_all_equal(stored: dict[Key, Any], exported: dict[Key, Any]) -> None:
    assert len(exported) == len(stored)
    assert exported.keys() == stored.keys()
    wrong = [k for k, v in stored.items() if not _same(v, exported[k])]
    assert not wrong, [(k, stored[k], exported[k]) for k in wrong[:5]]


# -- CSV ------------------------------------------------------------------------


def test_csv_holds_every_stored_value(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "values.csv"
    assert _run(province, "export-data", "--format", "csv", "-o", str(out)) == EXIT_OK
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    stored = _cells(province)
    assert len(stored) > 10_000  # the demo data is there
    _assert_all_equal(stored, _csv_values(out))


def test_csv_rows_name_the_org_and_field_in_chinese(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "values.csv"
    assert _run(province, "export-data", "--format", "csv", "-o", str(out)) == EXIT_OK
    conn = _load_csv(out)
    row = conn.execute(
        "SELECT org_name, form_name, field_name FROM exported "
        "WHERE org = '220102' AND form = 'activity' AND field = 'consultations' LIMIT 1"
    ).fetchone()
    assert row == ("南关区", "服务活动", "接待咨询")


def test_a_csv_loaded_back_fails_on_one_changed_value(province: Path, tmp_path: Path) -> None:
    """The round-trip check can fail: one value changed in the file is found."""
    out = tmp_path / "values.csv"
    assert _run(province, "export-data", "--format", "csv", "-o", str(out)) == EXIT_OK
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    head, _, tail = lines[1].rpartition(",integer")
    assert tail == ""
    number = head.rsplit(",", 1)
    lines[1] = f"{number[0]},{int(number[1]) + 1},integer"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    with pytest.raises(AssertionError):
        _assert_all_equal(_cells(province), _csv_values(out))


# -- DHIS2 ----------------------------------------------------------------------


def _dhis2(folder: Path, tmp_path: Path, *args: str) -> tuple[list[dict[str, str]], Any]:
    out = tmp_path / "values.json"
    assert _run(folder, "export-data", "--format", "dhis2", "-o", str(out), *args) == EXIT_OK
    document = json.loads(out.read_text(encoding="utf-8"))
    assert set(document) == {"dataValues"}
    mapping = json.loads((tmp_path / "values.mapping.json").read_text(encoding="utf-8"))
    return document["dataValues"], mapping


def test_dhis2_values_match_the_store(province: Path, tmp_path: Path) -> None:
    values, mapping = _dhis2(province, tmp_path)
    stored = _cells(province, "period != '' AND value IS NOT NULL")
    elements = {e["code"] for e in mapping["dataElements"]}
    combos = {c["code"] for c in mapping["categoryOptionCombos"]}
    orgs = _org_codes(province)
    mapped_orgs = {o["code"] for o in mapping["orgUnits"]}
    exported: dict[Key, Any] = {}
    for dv in values:
        assert DHIS2_PERIOD.match(dv["period"]), dv
        assert re.fullmatch(r"\d{6}", dv["orgUnit"]) and dv["orgUnit"] in orgs, dv
        assert dv["orgUnit"] in mapped_orgs
        assert dv["dataElement"] in elements, dv
        assert isinstance(dv["value"], str)
        if "categoryOptionCombo" in dv:
            assert dv["categoryOptionCombo"] in combos, dv
        form, _, field = dv["dataElement"].partition(".")
        subject = dv.get("categoryOptionCombo", "")
        key: Key = ("jilin-ip-14", form, dv["orgUnit"], dv["period"], subject, field)
        assert key not in exported
        exported[key] = dv["value"]
    assert len(values) == len(stored)
    typed = {k: type(stored[k])(v) if k in stored else v for k, v in exported.items()}
    _assert_all_equal(stored, typed)


def test_dhis2_mapping_holds_the_metadata_and_the_record_attributes(
    province: Path, tmp_path: Path
) -> None:
    values, mapping = _dhis2(province, tmp_path)
    element = next(e for e in mapping["dataElements"] if e["code"] == "activity.consultations")
    assert element["name"] == "接待咨询"
    assert (element["form"], element["field"], element["type"]) == (
        "activity",
        "consultations",
        "integer",
    )
    assert element["unit"] == "次" and element["valueType"] == "INTEGER"
    orgs = {o["code"]: o for o in mapping["orgUnits"]}
    assert orgs["220102"]["name"] == "南关区" and orgs["220102"]["parent"] == "220100"
    assert orgs["220000"]["parent"] is None
    # Every value without a period (registry attributes) is in the mapping file.
    attributes = _cells(province, "period = ''")
    in_mapping = {
        ("jilin-ip-14", c["registry"], c["orgUnit"], "", c["code"], field): a["value"]
        for c in mapping["categoryOptionCombos"]
        if c["kind"] == "record"
        for field, a in c["attributes"].items()
    }
    _assert_all_equal(attributes, in_mapping)
    # Together the two files carry every stored value.
    assert len(values) + len(in_mapping) == len(_cells(province, "value IS NOT NULL"))


def test_an_empty_store_exports_an_empty_value_set(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "empty.json"
    result = data_export.export_data(store, "dhis2", out)
    assert result.values == 0
    assert json.loads(out.read_text(encoding="utf-8")) == {"dataValues": []}


@pytest.mark.parametrize(("stored", "dhis2"), [("2025Q4", "2025Q4"), ("2021", "2021")])
def test_periods_are_written_as_dhis2_writes_them(stored: str, dhis2: str) -> None:
    assert data_export.dhis2_period(stored) == dhis2


# -- scope ----------------------------------------------------------------------


def test_a_quarter_exports_that_quarter_only(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.csv"
    args = ("export-data", "--format", "csv", "-o", str(out), "--period", "2025Q4")
    assert _run(province, *args) == EXIT_OK
    stored = _cells(province, "period = '2025Q4'")
    assert stored
    _assert_all_equal(stored, _csv_values(out))


def test_a_year_exports_the_year_and_its_quarters(province: Path, tmp_path: Path) -> None:
    values, _ = _dhis2(province, tmp_path, "--period", "2024")
    assert {v["period"] for v in values} == {"2024", "2024Q1", "2024Q2", "2024Q3", "2024Q4"}
    periods = ("2024", "2024Q1", "2024Q2", "2024Q3", "2024Q4")
    stored = _cells(province, "period IN (?, ?, ?, ?, ?) AND value IS NOT NULL", periods)
    assert len(values) == len(stored)


def test_a_prefecture_exports_its_own_and_its_counties(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert (
        _run(province, "export-data", "--format", "csv", "-o", str(out), "--org", "220100")
        == EXIT_OK
    )
    stored = _cells(
        province,
        "org_code IN (SELECT code FROM org_units WHERE code = ? OR parent_code = ?)",
        ("220100", "220100"),
    )
    assert stored and {k[2] for k in stored} != {"220100"}
    _assert_all_equal(stored, _csv_values(out))


def test_a_county_installation_exports_only_its_own_data(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    assert _run(county, "export-data", "--format", "csv", "-o", str(out)) == EXIT_OK
    everything = _cells(county)
    own = _cells(county, "org_code = ?", ("220102",))
    assert own and len(own) < len(everything)
    _assert_all_equal(own, _csv_values(out))
    values, mapping = _dhis2(county, tmp_path)
    assert values and {v["orgUnit"] for v in values} == {"220102"}
    assert {o["code"] for o in mapping["orgUnits"]} == {"220102", "220100", "220000"}


@pytest.mark.parametrize("other", ["220000", "220100", "220104"])
def test_a_county_may_not_export_others(
    county: Path, tmp_path: Path, other: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "c.csv"
    code = _run(county, "export-data", "--format", "csv", "-o", str(out), "--org", other)
    assert code == EXIT_REFUSED
    assert "不能导出单位" in capsys.readouterr().err
    assert not out.exists()


# -- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--format", "xml"), EXIT_USAGE, "无效的选项"),
        (("--format", "csv", "--period", "2025Q5"), EXIT_USAGE, "无法识别的报告期"),
        (("--format", "csv", "--period", "2030"), EXIT_REFUSED, "不在计划的年份内"),
        (("--format", "csv", "--org", "999999"), EXIT_REFUSED, "不存在"),
    ],
)
def test_bad_input_is_refused_in_chinese(
    province: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    out = tmp_path / "x.out"
    assert _run(province, "export-data", "-o", str(out), *args) == code
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_an_unknown_format_is_refused_by_the_service(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="不支持的导出格式"):
        data_export.export_data(store, "xml", tmp_path / "x.xml")


def test_a_folder_is_not_an_output_file(
    province: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(province, "export-data", "--format", "csv", "-o", str(tmp_path)) == EXIT_REFUSED
    assert "不是文件" in capsys.readouterr().err


def test_a_failed_export_leaves_the_old_file_as_it_was(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "values.csv"
    out.write_text("old", encoding="utf-8")

    def broken(*_: object, **__: object) -> Iterator[data_export.ExportValue]:
        yield data_export.ExportValue("p", "f", "220102", "2025Q4", "", "x", 1)
        raise RuntimeError("midway")

    monkeypatch.setattr(data_export, "iter_values", broken)
    with pytest.raises(RuntimeError, match="midway"):
        data_export.export_data(store, "csv", out)
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in folder.iterdir()] == ["values.csv"]
