"""Registry records as the domain sees them: codes, and the life cycle over periods."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from jlip_desk.errors import InputError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Registry
from jlip_desk.validation.values import StoredValue

__all__ = [
    "CODE_PATTERN",
    "Record",
    "active_during",
    "check_code",
    "counted_at",
    "format_code",
    "record_name",
]


@dataclass(frozen=True, slots=True)
class Record:
    code: str
    plan_id: str
    registry: str
    org_code: str
    values: dict[str, StoredValue]
    demo: bool = False


def format_code(org_code: str, tag: str, seq: int) -> str:
    """``220102-WS-003``: county code, registry tag, sequence. Never reused."""
    return f"{org_code}-{tag}-{seq:03d}"


CODE_PATTERN = re.compile(r"^(\d{6})-([A-Z]{1,8})-(\d{1,6})$")


def check_code(code: str, registry: Registry, org_code: str) -> int:
    """The sequence number of ``code``; InputError unless it is ``org_code``'s code in
    ``registry``, written exactly as :func:`format_code` writes it."""
    match = CODE_PATTERN.match(code)
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


def record_name(registry: Registry, values: dict[str, StoredValue], code: str = "") -> str:
    value = values.get("name", values.get(registry.fields[0].id))
    return code if value is None else str(value)


def _as_date(value: StoredValue) -> dt.date | None:
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
