"""Registry records (stations, service points): stable codes, attributes and life cycle."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from jlip_desk.errors import InputError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Registry
from jlip_desk.store.bulk import insert_rows
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


_CODE = re.compile(r"^(\d{6})-([A-Z]{1,8})-(\d{1,6})$")


def _check_code(code: str, registry: Registry, org_code: str) -> int:
    """The sequence number of ``code``; InputError unless it is ``org_code``'s code in
    ``registry``, written exactly as :func:`format_code` writes it."""
    match = _CODE.match(code)
    allowed = f"{format_code(org_code, registry.code_tag, 1)} 这样的编码"
    if match is None or format_code(match[1], match[2], int(match[3])) != code:
        raise InputError(f"编码“{code}”格式不正确", where="编码", allowed=allowed)
    if match[1] != org_code:
        raise InputError(
            f"编码“{code}”属于其他单位({match[1]}),不能登记在 {org_code} 名下",
            where="编码",
            allowed=allowed,
        )
    if match[2] != registry.code_tag:
        raise InputError(f"编码“{code}”不是“{registry.name}”的编码", where="编码", allowed=allowed)
    return int(match[3])


def create_records_with_codes(
    store: Store,
    plan_id: str,
    registry: Registry,
    org_code: str,
    records: Sequence[tuple[str, Mapping[str, Value]]],
    change_id: int,
    *,
    demo: bool = False,
) -> None:
    """Add records whose codes are already decided (an import); must run in ``atomic()``.

    Every code is checked first (format, org unit, registry tag): nothing is written
    when one is wrong. A code already in use fails on the table's primary key.
    """
    heads = [
        (code, plan_id, registry.id, org_code, _check_code(code, registry, org_code),
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
    where = "WHERE plan_id = ? AND registry = ?"
    params: list[object] = [plan_id, registry]
    if org_codes is not None:
        codes = list(org_codes)
        where += f" AND org_code IN ({','.join('?' * len(codes))})"
        params.extend(codes)
    heads = store.conn.execute(
        f"SELECT code, org_code, demo FROM records {where} ORDER BY code", params
    ).fetchall()
    attrs: dict[str, dict[str, Value]] = {code: {} for code, _, _ in heads}
    cells = "SELECT subject, field, value FROM cells WHERE plan_id = ? AND form = ? AND period = ''"
    cell_params: list[object] = [plan_id, registry]
    if org_codes is not None:
        # Only the chosen records' attributes, not the whole registry's: the order is the
        # one the unfiltered scan of the (plan_id, form, period, org_code) index gives.
        cells += f" AND subject IN (SELECT code FROM records {where}) ORDER BY org_code, id"
        cell_params += params
    for subject, field, value in store.conn.execute(cells, cell_params):
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
