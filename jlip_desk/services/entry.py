"""Periodic data entry: the rows of a form, saving typed values as typed, outlier confirmation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jlip_desk.errors import InputError
from jlip_desk.periods import Period
from jlip_desk.plan.model import Form, Plan, SubjectKind
from jlip_desk.services import gate
from jlip_desk.services.entry_rows import EntryRow, build_rows, check_frequency, visible_forms
from jlip_desk.services.installation import require_edit
from jlip_desk.services.validator import RowProblem, period_problems
from jlip_desk.store.cells import CellKey, StoredValue, read_row
from jlip_desk.store.database import Store
from jlip_desk.store.plans import require_in_plan
from jlip_desk.store.records import record_owner
from jlip_desk.validation.values import parse_value, stored_value

__all__ = [
    "EntryRow",
    "RowProblem",
    "SaveResult",
    "build_rows",
    "confirm_outlier",
    "period_problems",
    "save_rows",
    "save_values",
    "visible_forms",
]


@dataclass(frozen=True, slots=True)
class SaveResult:
    key: CellKey
    values: dict[str, StoredValue]  # the row's stored values after the save
    changed: int


def _check_subject(store: Store, plan: Plan, form: Form, org_code: str, subject: str) -> None:
    if form.subject == SubjectKind.ORG:
        ok = subject == ""
    elif form.subject == SubjectKind.ITEMS:
        ok = subject in {item.id for item in form.items}
    else:
        owner = record_owner(store, subject)
        ok = owner is not None and owner[0] == org_code and owner[1] in form.registries
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
    """Save typed values of one row (see :func:`save_rows`)."""
    key = CellKey(plan.id, form_id, org_code, str(period), subject)
    return save_rows(store, plan, form_id, period, {key: raw})[0]


def save_rows(
    store: Store,
    plan: Plan,
    form_id: str,
    period: Period,
    rows: Mapping[CellKey, Mapping[str, object]],
) -> list[SaveResult]:
    """Save typed values of some rows of one form and period: one change, one transaction.

    A value that does not parse is stored as the text typed (nothing typed is lost)
    and reported by the validator; empty input clears the value. Refused (nothing
    saved) when the installation may not edit an org unit or a period is locked.
    """
    form = plan.form(form_id)
    require_in_plan(store, plan, period)
    check_frequency(form, period)
    parsed: dict[CellKey, dict[str, StoredValue]] = {}
    for key, raw in rows.items():
        require_edit(store, key.org_code)
        _check_subject(store, plan, form, key.org_code, key.subject)
        values: dict[str, StoredValue] = {}
        for field_id, text in raw.items():
            try:
                field = form.field(field_id)
            except KeyError:
                raise InputError(f"“{form.name}”没有字段“{field_id}”", where=form.name) from None
            # On a problem parse_value hands the raw text back: that is what gets stored.
            values[field.id] = stored_value(parse_value(field, text).value)
        parsed[CellKey(plan.id, form.id, key.org_code, str(period), key.subject)] = values
    changed = gate.write_rows(store, parsed)
    # One count for the whole save: it is one change.
    return [
        SaveResult(key, read_row(store, key), changed if i == 0 else 0)
        for i, key in enumerate(parsed)
    ]


def confirm_outlier(store: Store, key: CellKey, field_id: str, comment: str) -> None:
    """Confirm that a value flagged as unusually high is right, with a comment."""
    text = comment.strip()
    if not text:
        raise InputError("确认异常值时必须填写说明", where="说明", allowed="如:本季度举办专项活动")
    value = read_row(store, key).get(field_id)
    if value is None:
        raise InputError("该单元格没有数据,无需确认", where=field_id)
    gate.confirm_value(store, key, field_id, value, text)
