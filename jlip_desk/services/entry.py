"""Periodic data entry: the rows of a form, saving typed values as typed, outlier confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from jlip_desk.errors import InputError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Form, Plan, SubjectKind
from jlip_desk.services.entry_problems import RowProblem, period_problems
from jlip_desk.services.entry_rows import EntryRow, build_rows, check_frequency, visible_forms
from jlip_desk.services.installation import require_edit
from jlip_desk.services.period_status import require_unlocked
from jlip_desk.store.cells import CellKey, Value, read_row, write_values
from jlip_desk.store.database import Store
from jlip_desk.validation.values import parse_value

__all__ = [
    "EntryRow",
    "RowProblem",
    "SaveResult",
    "build_rows",
    "confirm_outlier",
    "period_problems",
    "save_values",
    "stored_value",
    "visible_forms",
]


@dataclass(frozen=True, slots=True)
class SaveResult:
    key: CellKey
    values: dict[str, Value]  # the row's stored values after the save
    changed: int


def stored_value(field_value: object) -> Value:
    """A parsed value as the store keeps it (dates as ISO text)."""
    if isinstance(field_value, dt.date):
        return field_value.isoformat()
    if field_value is None or isinstance(field_value, int | float | str):
        return field_value
    return str(field_value)


def _check_subject(store: Store, plan: Plan, form: Form, org_code: str, subject: str) -> None:
    if form.subject == SubjectKind.ORG:
        ok = subject == ""
    elif form.subject == SubjectKind.ITEMS:
        ok = subject in {item.id for item in form.items}
    else:
        row = store.conn.execute(
            "SELECT registry FROM records WHERE code = ? AND org_code = ? AND plan_id = ?",
            (subject, org_code, plan.id),
        ).fetchone()
        ok = row is not None and row[0] in form.registries
    if not ok:
        raise InputError(f"“{subject}”不是“{form.name}”的填报对象", where=f"单位 {org_code}")


def save_values(
    store: Store,
    plan: Plan,
    form_id: str,
    org_code: str,
    period: Period,
    subject: str,
    raw: Mapping[str, object],
) -> SaveResult:
    """Save typed values of one row in one transaction.

    A value that does not parse is stored as the text typed (nothing typed is lost)
    and reported by the checks; empty input clears the value. Refused when the
    installation may not edit the org unit or the period is locked.
    """
    form = plan.form(form_id)
    check_frequency(form, period)
    require_edit(store, org_code)
    _check_subject(store, plan, form, org_code, subject)
    values: dict[str, Value] = {}
    for field_id, text in raw.items():
        try:
            field = form.field(field_id)
        except KeyError:
            raise InputError(f"“{form.name}”没有字段“{field_id}”", where=form.name) from None
        # On a problem parse_value hands the raw text back: that is what gets stored.
        values[field.id] = stored_value(parse_value(field, text).value)
    key = CellKey(plan.id, form.id, org_code, str(period), subject)
    with store.atomic():
        # Checked inside the transaction so a submit cannot slip in between.
        require_unlocked(store, plan.id, org_code, period)
        change = store.new_change("typed")
        changed = write_values(store, key, values, change)
    return SaveResult(key, read_row(store, key), changed)


def confirm_outlier(store: Store, key: CellKey, field_id: str, comment: str) -> None:
    """Confirm that a value flagged as unusually high is right, with a comment."""
    text = comment.strip()
    if not text:
        raise InputError("确认异常值时必须填写说明", where="说明", allowed="如:本季度举办专项活动")
    require_edit(store, key.org_code)
    with store.atomic():
        require_unlocked(store, key.plan_id, key.org_code, key.period)
        value = read_row(store, key).get(field_id)
        if value is None:
            raise InputError("该单元格没有数据,无需确认", where=field_id)
        change = store.new_change("typed", note=f"确认异常值:{text}")
        store.conn.execute(
            "INSERT INTO outlier_confirmations "
            "(plan_id, form, org_code, period, subject, field, value, comment, change_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key.plan_id, key.form, key.org_code, key.period, key.subject, field_id, value, text,
             change),
        )  # fmt: skip
