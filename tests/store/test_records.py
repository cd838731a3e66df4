"""Records created with a given code (imports): the code is checked, values and history kept."""

from __future__ import annotations

import pytest

from jlip_desk.errors import InputError
from jlip_desk.services.demo import generate
from jlip_desk.services.installation import prepare
from jlip_desk.store.cells import CellKey, history
from jlip_desk.store.database import Store
from jlip_desk.store.records import (
    create_records_with_codes,
    get_record,
    list_records,
)

COUNTY = "220102"


def test_records_with_codes_keep_values_and_history(store: Store) -> None:
    plan = prepare(store)
    registry = plan.registry("workstations")
    first, second = f"{COUNTY}-{registry.code_tag}-007", f"{COUNTY}-{registry.code_tag}-012"
    with store.atomic():
        change = store.new_change("imported")
        create_records_with_codes(
            store, plan.id, registry, COUNTY,
            [(first, {"name": "甲站", "contact": None}), (second, {"name": "乙站"})], change,
        )  # fmt: skip
    assert get_record(store, first).values == {"name": "甲站"}
    assert get_record(store, second).values == {"name": "乙站"}
    seq = store.conn.execute("SELECT seq FROM records WHERE code = ?", (second,)).fetchone()[0]
    assert seq == 12
    entries = history(store, CellKey(plan.id, registry.id, COUNTY, "", first))
    assert [e.new_value for e in entries] == ["甲站"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("220102-WS-7", "格式不正确"),  # not as format_code writes it
        ("220102-ws-007", "格式不正确"),
        ("220103-{tag}-007", "其他单位"),
        ("220102-XX-007", "不是"),
    ],
)
def test_a_wrong_code_writes_nothing(store: Store, code: str, words: str) -> None:
    plan = prepare(store)
    registry = plan.registry("workstations")
    good = f"{COUNTY}-{registry.code_tag}-001"
    with pytest.raises(InputError) as info, store.atomic():
        change = store.new_change("imported")
        create_records_with_codes(
            store, plan.id, registry, COUNTY,
            [(good, {"name": "甲站"}), (code.format(tag=registry.code_tag), {"name": "乙站"})],
            change,
        )  # fmt: skip
    assert words in info.value.message
    assert store.conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0


def test_records_of_some_org_units_are_those_of_the_whole_registry(store: Store) -> None:
    """The org filter reads only those records' attributes: same records, same values,
    in the same order (attributes included) as filtering the whole registry's."""
    plan = prepare(store)
    generate(store)
    orgs = [r[0] for r in store.conn.execute("SELECT DISTINCT org_code FROM records")]
    assert len(orgs) > 1
    for registry in plan.registries:
        everything = list_records(store, plan.id, registry.id)
        for chosen in ([orgs[0]], orgs[1:3], []):
            expected = [r for r in everything if r.org_code in chosen]
            got = list_records(store, plan.id, registry.id, chosen)
            assert got == expected
            assert [list(r.values.items()) for r in got] == [
                list(r.values.items()) for r in expected
            ]
