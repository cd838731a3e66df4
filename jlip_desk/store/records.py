"""Registry records (stations, service points): stable codes, attributes and life cycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jlip_desk.errors import InputError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Registry
from jlip_desk.store.cells import CellKey, Value, write_values
from jlip_desk.store.database import Store


@dataclass(frozen=True, slots=True)
class Record:
    code: str
    plan_id: str
    registry: str
    org_code: str
    values: dict[str, Value]
    demo: bool = False

    def key(self) -> CellKey:
        return CellKey(self.plan_id, self.registry, self.org_code, "", self.code)


def format_code(org_code: str, tag: str, seq: int) -> str:
    """``220102-WS-003``: county code, registry tag, sequence. Never reused."""
    return f"{org_code}-{tag}-{seq:03d}"


def create_record(
    store: Store,
    plan_id: str,
    registry: Registry,
    org_code: str,
    values: Mapping[str, Value],
    change_id: int,
    *,
    demo: bool = False,
) -> str:
    """Add a record with the next free code of its org unit; must run in ``atomic()``."""
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


def list_records(
    store: Store, plan_id: str, registry: str, org_codes: Iterable[str] | None = None
) -> list[Record]:
    """Records of one registry (optionally of some org units), by code, with attributes."""
    sql = "SELECT code, org_code, demo FROM records WHERE plan_id = ? AND registry = ?"
    params: list[object] = [plan_id, registry]
    if org_codes is not None:
        codes = list(org_codes)
        sql += f" AND org_code IN ({','.join('?' * len(codes))})"
        params.extend(codes)
    heads = store.conn.execute(sql + " ORDER BY code", params).fetchall()
    attrs: dict[str, dict[str, Value]] = {code: {} for code, _, _ in heads}
    for subject, field, value in store.conn.execute(
        "SELECT subject, field, value FROM cells WHERE plan_id = ? AND form = ? AND period = ''",
        (plan_id, registry),
    ):
        if subject in attrs:
            attrs[subject][field] = value
    return [
        Record(code, plan_id, registry, org, attrs[code], bool(demo)) for code, org, demo in heads
    ]


def _as_date(value: Value) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def active_during(record: Record, registry: Registry, period: Period) -> bool:
    """Whether the record existed (established, not yet closed) at some time in ``period``."""
    life = registry.lifecycle
    established = _as_date(record.values.get(life.established_field))
    if established is None or established > period.end:
        return False
    if record.values.get(life.status_field) == life.closed_status:
        closed = _as_date(record.values.get(life.status_date_field))
        if closed is None or closed < period.start:
            return False
    return True


def counted_at(record: Record, registry: Registry, day: dt.date) -> bool:
    """Whether the record counts towards the target on ``day``.

    Established by then and in a counted status (running or suspended); a record
    closed after ``day`` still counted then.
    """
    life = registry.lifecycle
    established = _as_date(record.values.get(life.established_field))
    if established is None or established > day:
        return False
    status = record.values.get(life.status_field)
    if status == life.closed_status:
        closed = _as_date(record.values.get(life.status_date_field))
        return closed is not None and closed > day
    return status in life.counted_statuses
