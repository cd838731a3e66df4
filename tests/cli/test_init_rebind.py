"""``init`` refuses, unless ``--force``, a rebinding that would leave data read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from jlip_desk.cli import EXIT_OK, EXIT_REFUSED
from jlip_desk.errors import NotAllowedError
from jlip_desk.services.installation import bind, bound_org, open_store
from jlip_desk.store.cells import CellKey, write_values
from jlip_desk.store.database import Store
from jlip_desk.store.usage import DataCounts, data_counts

if TYPE_CHECKING:
    from tests.cli.conftest import Cli


def _bound() -> str | None:
    store = open_store()
    try:
        org = bound_org(store)
        return org.code if org else None
    finally:
        store.close()


def _own_data(store: Store, org: str) -> tuple[int, int]:
    """Records and non-empty values of one org unit, counted here independently."""
    records = store.conn.execute("SELECT count(*) FROM records WHERE org_code = ?", (org,))
    values = store.conn.execute(
        "SELECT count(*) FROM cells WHERE org_code = ? AND value IS NOT NULL", (org,)
    )
    return records.fetchone()[0], values.fetchone()[0]


def test_data_counts_count_records_and_non_empty_values(store: Store) -> None:
    from jlip_desk.store.plans import active_plan

    plan = active_plan(store)
    with store.atomic():
        change = store.new_change("typed")
        key = CellKey(plan.id, "county_annual", "220102", "2025", "")
        write_values(store, key, {"population": 50.0, "valid_trademarks": None}, change)
    assert data_counts(store, ["220102"]) == DataCounts(0, 1, 1)
    assert data_counts(store, ["220104", "220102", "220102"]) == DataCounts(0, 1, 1)
    assert data_counts(store, ["220104"]).empty and data_counts(store, []).empty


def test_rebinding_a_county_with_data_is_refused_and_explained(cli: Cli) -> None:
    cli("init", "--org", "220102")
    assert cli("demo").code == EXIT_OK
    store = open_store()
    records, values = _own_data(store, "220102")
    store.close()
    assert records and values
    result = cli("init", "--org", "220104")
    assert result.code == EXIT_REFUSED
    assert result.err_lines == [
        f"错误:绑定单位: 本机已绑定 南关区(220102),数据库中有该单位的 {records} 条登记记录"
        f"和 {values} 个数值;改绑到 朝阳区(220104)后将不能再修改这些数据。确需改绑请加 --force"
    ]
    assert _bound() == "220102"
    assert cli("init", "--org", "220102").code == EXIT_OK  # the same org: fine
    result = cli("init", "--org", "220104", "--force")
    assert result.code == EXIT_OK and "220104 朝阳区" in result.out
    assert _bound() == "220104"


def test_a_province_names_how_many_of_its_units_hold_data(cli: Cli) -> None:
    cli("init", "--org", "220000")
    cli("demo")
    result = cli("init", "--org", "220200")
    assert result.code == EXIT_REFUSED
    assert "本机已绑定 吉林省(220000),数据库中有其管辖的 " in result.err
    assert "改绑到 吉林市(220200)后将不能再修改这些数据" in result.err
    assert _bound() == "220000"


def test_moving_up_to_a_unit_that_still_covers_the_data_needs_no_force(cli: Cli) -> None:
    cli("init", "--org", "220102")
    cli("demo")
    assert cli("init", "--org", "220100").code == EXIT_OK  # Changchun covers Nanguan
    assert cli("init", "--org", "220000").code == EXIT_OK
    assert _bound() == "220000"


def test_rebinding_without_data_is_fine(cli: Cli) -> None:
    cli("init", "--org", "220102")
    assert cli("init", "--org", "220104").code == EXIT_OK
    assert _bound() == "220104"


def test_the_service_refuses_unless_forced(store: Store) -> None:
    from jlip_desk.store.plans import active_plan

    bind(store, "220102")
    with store.atomic():
        change = store.new_change("typed")
        key = CellKey(active_plan(store).id, "county_annual", "220102", "2025", "")
        write_values(store, key, {"population": 50.0, "valid_trademarks": 3}, change)
    with pytest.raises(NotAllowedError, match="该单位的 0 条登记记录和 2 个数值"):
        bind(store, "220104")
    assert store.setting("installation_org") == "220102"
    assert bind(store, "220104", force=True).code == "220104"
    assert store.setting("installation_org") == "220104"
