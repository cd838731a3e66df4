"""Registry records (stations, service points): stable codes, attributes and life cycle.

A registry's records are one set across plans, matched by registry id: a station set
up under the 14th plan is the same station (same code, same attributes, same history)
under the 15th. Each record is kept under the plan it was first set up in (its
``plan_id``, the registry's *home*); every later record of that registry is kept
there too (:func:`home_plan`), and every read finds the records by registry alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from jlip_desk.errors import InputError
from jlip_desk.plan.model import Registry
from jlip_desk.store.bulk import insert_rows
from jlip_desk.store.cells import CellKey, StoredValue, write_values
from jlip_desk.store.database import Store
from jlip_desk.validation.records import (
    Record,
    active_during,
    check_code,
    counted_at,
    format_code,
)

__all__ = [
    "Record",
    "active_during",
    "count_records",
    "counted_at",
    "create_record",
    "create_records_with_codes",
    "format_code",
    "get_record",
    "home_plan",
    "list_records",
    "next_seqs",
    "record_key",
    "record_owner",
    "record_owners",
    "record_rows",
]


def record_key(record: Record) -> CellKey:
    """Where a record's attributes are stored."""
    return CellKey(record.plan_id, record.registry, record.org_code, "", record.code)


def home_plan(store: Store, plan_id: str, registry_id: str) -> str:
    """The plan a registry's records are kept under: that of its first record, or
    ``plan_id`` while the registry has none (it is new in that plan)."""
    row = store.conn.execute(
        "SELECT plan_id FROM records WHERE registry = ? ORDER BY rowid LIMIT 1", (registry_id,)
    ).fetchone()
    return str(row[0]) if row else plan_id


def count_records(store: Store, registry_id: str) -> int:
    """How many records a registry holds, whichever plan they were set up under."""
    row = store.conn.execute("SELECT COUNT(*) FROM records WHERE registry = ?", (registry_id,))
    return int(row.fetchone()[0])


def record_owners(store: Store, registry_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Every record code of some registries: ``code -> (org code, registry id)``."""
    ids = list(registry_ids)
    return {
        code: (org_code, registry)
        for code, org_code, registry in store.conn.execute(
            f"SELECT code, org_code, registry FROM records "
            f"WHERE registry IN ({','.join('?' * len(ids))})",
            ids,
        )
    }


def record_owner(store: Store, code: str) -> tuple[str, str] | None:
    """``(org code, registry id)`` of one record, or None."""
    row = store.conn.execute(
        "SELECT org_code, registry FROM records WHERE code = ?", (code,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def next_seqs(store: Store, org_code: str) -> dict[str, int]:
    """The next free sequence number of each registry of an org unit."""
    return {
        registry: seq + 1
        for registry, seq in store.conn.execute(
            "SELECT registry, MAX(seq) FROM records WHERE org_code = ? GROUP BY registry",
            (org_code,),
        )
    }


def create_records_with_codes(
    store: Store,
    plan_id: str,
    registry: Registry,
    org_code: str,
    records: Sequence[tuple[str, Mapping[str, StoredValue]]],
    change_id: int,
    *,
    demo: bool = False,
) -> None:
    """Add records whose codes are already decided (an import); must run in ``atomic()``.

    Every code is checked first (format, org unit, registry tag): nothing is written
    when one is wrong. A code already in use fails on the table's primary key. The
    records are kept under the registry's home plan (``plan_id`` when it is new).
    """
    plan_id = home_plan(store, plan_id, registry.id)
    heads = [
        (code, plan_id, registry.id, org_code, check_code(code, registry, org_code),
         int(demo), change_id)
        for code, _ in records
    ]  # fmt: skip
    insert_rows(
        store,
        "INSERT INTO records (code, plan_id, registry, org_code, seq, demo, change_id)",
        "(?, ?, ?, ?, ?, ?, ?)",
        heads,
    )
    insert_rows(
        store,
        "INSERT INTO cells (plan_id, form, org_code, period, subject, field, value, demo, "
        "change_id)",
        "(?, ?, ?, '', ?, ?, ?, ?, ?)",
        [
            (plan_id, registry.id, org_code, code, field, value, int(demo), change_id)
            for code, values in records
            for field, value in values.items()
            if value is not None
        ],
    )


def create_record(
    store: Store,
    plan_id: str,
    registry: Registry,
    org_code: str,
    values: Mapping[str, StoredValue],
    change_id: int,
    *,
    demo: bool = False,
) -> str:
    """Add a record with the next free code of its org unit; must run in ``atomic()``.

    It is kept under the registry's home plan (``plan_id`` when the registry is new).
    """
    plan_id = home_plan(store, plan_id, registry.id)
    seq = store.conn.execute(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM records WHERE org_code = ? AND registry = ?",
        (org_code, registry.id),
    ).fetchone()[0]
    code = format_code(org_code, registry.code_tag, seq)
    store.conn.execute(
        "INSERT INTO records (code, plan_id, registry, org_code, seq, demo, change_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (code, plan_id, registry.id, org_code, seq, int(demo), change_id),
    )
    write_values(
        store, CellKey(plan_id, registry.id, org_code, "", code), values, change_id, demo=demo
    )
    return code


def get_record(store: Store, code: str) -> Record:
    row = store.conn.execute(
        "SELECT code, plan_id, registry, org_code, demo FROM records WHERE code = ?", (code,)
    ).fetchone()
    if row is None:
        raise InputError(f"编码“{code}”的记录不存在", where="编码")
    values = {
        f: v
        for f, v in store.conn.execute(
            "SELECT field, value FROM cells WHERE plan_id = ? AND form = ? AND org_code = ? "
            "AND period = '' AND subject = ?",
            (row[1], row[2], row[3], row[0]),
        )
    }
    return Record(row[0], row[1], row[2], row[3], values, bool(row[4]))


def _homes(store: Store, plan_id: str, registry: str) -> list[str]:
    """Every plan the registry's records are kept under (one, unless an older version of
    the program kept a plan's records apart), or ``[plan_id]`` when it has none."""
    found = [
        str(r[0])
        for r in store.conn.execute(
            "SELECT DISTINCT plan_id FROM records WHERE registry = ?", (registry,)
        )
    ]
    return found or [plan_id]


def list_records(
    store: Store, plan_id: str, registry: str, org_codes: Iterable[str] | None = None
) -> list[Record]:
    """Records of one registry (optionally of some org units), by code, with attributes.

    ``plan_id`` is the plan asking; the records are the registry's, whichever plan
    they were set up under.
    """
    where = "WHERE registry = ?"
    params: list[object] = [registry]
    if org_codes is not None:
        codes = list(org_codes)
        where += f" AND org_code IN ({','.join('?' * len(codes))})"
        params.extend(codes)
    heads = store.conn.execute(
        f"SELECT code, org_code, demo, plan_id FROM records {where} ORDER BY code", params
    ).fetchall()
    attrs: dict[str, dict[str, StoredValue]] = {code: {} for code, _, _, _ in heads}
    for home in _homes(store, plan_id, registry):
        cells = (
            "SELECT subject, field, value FROM cells WHERE plan_id = ? AND form = ? AND period = ''"
        )
        cell_params: list[object] = [home, registry]
        if org_codes is not None:
            # Only the chosen records' attributes, not the whole registry's: the order is
            # the one the unfiltered scan of the (plan_id, form, period, org_code) index gives.
            cells += f" AND subject IN (SELECT code FROM records {where}) ORDER BY org_code, id"
            cell_params += params
        for subject, field, value in store.conn.execute(cells, cell_params):
            if subject in attrs:
                attrs[subject][field] = value
    return [
        Record(code, home, registry, org, attrs[code], bool(demo))
        for code, org, demo, home in heads
    ]


def record_rows(
    store: Store, plan_id: str, registry_id: str, org_codes: Iterable[str] | None = None
) -> list[tuple[str, str, str, str | None, str | None, int, str | None, StoredValue]]:
    """Records with their org unit, prefecture and attributes, one row per attribute:
    ``(code, org, org name, prefecture code, prefecture name, demo, field, value)``.

    The registry's records whichever plan they were set up under (``plan_id`` asks).
    """
    del plan_id  # records are the registry's, not one plan's
    sql = (
        "SELECT r.code, r.org_code, o.name, o.parent_code, p.name, r.demo, c.field, c.value "
        "FROM records r JOIN org_units o ON o.code = r.org_code "
        "LEFT JOIN org_units p ON p.code = o.parent_code "
        "LEFT JOIN cells c ON c.plan_id = r.plan_id AND c.form = r.registry "
        "AND c.org_code = r.org_code AND c.period = '' AND c.subject = r.code "
        "WHERE r.registry = ?"
    )
    params: list[object] = [registry_id]
    if org_codes is not None:
        codes = list(org_codes)
        sql += f" AND r.org_code IN ({','.join('?' * len(codes))})"
        params.extend(codes)
    return store.conn.execute(sql + " ORDER BY r.code", params).fetchall()
