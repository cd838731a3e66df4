"""The one validator: a form's rows for a period, checked against their history.

The entry grid, submit, export and import all call :func:`check_rows` (through
:func:`period_problems` or directly on the rows an import would leave), so each
gives the same verdict on the same data. Registry records are checked by
:func:`check_record`, likewise for the registry form and the import.

``prior(x)`` is the sum of ``x`` over the same row's earlier periods in the store.
A row new in its period (a station established during it) has nothing before it:
``prior(x)`` is 0. A row that existed before but has no earlier figures in this
store (they were never received here) cannot tell: ``prior()`` is unknown and a
rule that uses it is not checked. Decided here once, for every caller
(documented in the README's plan section).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from jlip_desk.periods import Period, parse_period
from jlip_desk.plan.model import Form, Plan, Registry
from jlip_desk.services.entry_rows import EntryRow, build_rows
from jlip_desk.store.cells import CellKey, StoredValue, form_history
from jlip_desk.store.confirmations import read_confirmations
from jlip_desk.store.database import Store
from jlip_desk.validation.rows import (
    FieldChecks,
    Problem,
    Severity,
    check_row,
    outlier_warning,
)
from jlip_desk.validation.values import stored_value

__all__ = [
    "Confirmations",
    "FormHistory",
    "RowProblem",
    "check_record",
    "check_rows",
    "load_confirmations",
    "period_problems",
]

ConfirmKey = tuple[str, str, str, str, str]  # org_code, period, subject, field, form
Confirmations = dict[ConfirmKey, tuple[StoredValue, str]]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A problem of one row (``field_id`` None: the row as a whole)."""

    key: CellKey
    label: str
    field_id: str | None
    message: str
    severity: Severity = "error"
    rule: str | None = None
    confirmed: bool = False  # an outlier warning the user confirmed for this value
    comment: str | None = None
    field_label: str | None = None  # the field's Chinese label, to name it in messages

    @property
    def open(self) -> bool:
        return not self.confirmed


def _number(value: StoredValue) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class FormHistory:
    """Every stored period of a form's rows in some org units, read in one query.

    Feeds ``prior()`` (sums over a row's earlier periods) and the outlier check
    (a row's own history), so a whole period list costs one read. ``subject``
    narrows the read to one row (an edit re-checks only what it can affect).
    """

    def __init__(
        self,
        store: Store,
        plan_id: str,
        form_id: str,
        org_codes: Iterable[str],
        subject: str | None = None,
    ):
        self.rows: dict[tuple[str, str], dict[Period, dict[str, StoredValue]]] = {}
        parsed: dict[str, Period] = {}
        for org, subj, text, field, value in form_history(
            store, plan_id, form_id, org_codes, subject
        ):
            period = parsed.get(text)
            if period is None:
                period = parsed[text] = parse_period(text)
            self.rows.setdefault((org, subj), {}).setdefault(period, {})[field] = value

    def earlier(self, org_code: str, subject: str, period: Period) -> list[dict[str, StoredValue]]:
        by_period = self.rows.get((org_code, subject), {})
        return [values for p, values in by_period.items() if p < period]

    def complete(self, org_code: str, subject: str, since: Period, period: Period) -> bool:
        """Whether figures of every period from ``since`` up to ``period`` are stored."""
        by_period = self.rows.get((org_code, subject), {})
        current = period.previous()
        while current >= since:
            values = by_period.get(current)
            if values is None or all(v is None for v in values.values()):
                return False
            current = current.previous()
        return True


def load_confirmations(
    store: Store, plan_id: str, form_id: str, org_codes: Iterable[str]
) -> Confirmations:
    out: Confirmations = {}
    for org, period, subject, field, value, comment in read_confirmations(
        store, plan_id, form_id, org_codes
    ):
        out[(org, period, subject, field, form_id)] = (value, comment)  # newest wins
    return out


def _row_problems(
    form: Form,
    row: EntryRow,
    earlier: Sequence[dict[str, StoredValue]],
    confirmations: Confirmations,
    checks: FieldChecks | None = None,
    known: bool = True,
) -> list[RowProblem]:
    """``known``: whether prior() can be told (see :func:`check_rows`)."""

    def prior(name: str) -> float:
        return sum(n for values in earlier if (n := _number(values.get(name))) is not None)

    key = row.key
    lookup = prior if known else None
    parsed, problems = check_row(form.fields, form.rules, form.derived, row.values, lookup, checks)
    labels = {field.id: field.label for field in form.fields}
    out = [
        RowProblem(
            key,
            row.label,
            p.field_id,
            p.message,
            p.severity,
            p.rule,
            field_label=labels.get(p.field_id or ""),
        )
        for p in problems
    ]
    if row.inactive is not None:
        out.append(RowProblem(key, row.label, None, row.inactive))
    bad = {p.field_id for p in problems}
    for field in form.fields:
        value = _number(stored_value(parsed.get(field.id)))
        if value is None or field.id in bad:
            continue
        history = [n for values in earlier if (n := _number(values.get(field.id))) is not None]
        warning = outlier_warning(field, value, history)
        if warning is None:
            continue
        confirmed = confirmations.get((key.org_code, key.period, key.subject, field.id, form.id))
        same = confirmed is not None and _number(confirmed[0]) == value
        comment = confirmed[1] if confirmed is not None and same else None
        out.append(
            RowProblem(
                key,
                row.label,
                field.id,
                warning.message,
                "warning",
                None,
                same,
                comment,
                field.label,
            )
        )
    return out


def check_rows(
    form: Form,
    rows: Sequence[EntryRow],
    period: Period,
    history: FormHistory,
    confirmations: Confirmations,
) -> list[RowProblem]:
    """Problems of ``rows`` (one period of ``form``), in row order."""
    out: list[RowProblem] = []
    checks = FieldChecks()
    for row in rows:
        org, subject = row.key.org_code, row.key.subject
        earlier = history.earlier(org, subject, period)
        # prior() is known when nothing came before, or when every earlier period is
        # stored: a gap (a quarter this store never received) is not 0 but unknown.
        known = not row.existed_before or (
            bool(earlier)
            and (row.since is None or history.complete(org, subject, row.since, period))
        )
        out.extend(_row_problems(form, row, earlier, confirmations, checks, known))
    return out


def period_problems(
    store: Store,
    plan: Plan,
    form_id: str,
    scope_code: str,
    period: Period,
    rows: Sequence[EntryRow] | None = None,
) -> list[RowProblem]:
    """Every problem of ``form_id`` for the org units in scope in ``period``."""
    form = plan.form(form_id)
    if rows is None:
        rows = build_rows(store, plan, form_id, scope_code, period)
    if not rows:
        return []
    codes = sorted({row.key.org_code for row in rows})
    history = FormHistory(store, plan.id, form_id, codes)
    return check_rows(
        form, rows, period, history, load_confirmations(store, plan.id, form_id, codes)
    )


def check_record(
    registry: Registry, raw_values: Mapping[str, object], checks: FieldChecks | None = None
) -> tuple[dict[str, StoredValue], list[Problem]]:
    """Parse and check a whole record: every field and the registry's rules.

    Returns the values in their stored form (text kept as typed where it does not
    parse) and the errors.
    """
    values, problems = check_row(registry.fields, registry.rules, (), raw_values, None, checks)
    errors = [p for p in problems if p.severity == "error"]
    return {k: stored_value(v) for k, v in values.items()}, errors
