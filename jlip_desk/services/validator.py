"""Problems of a form in a period: field checks, cross-field rules, life cycle and outliers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jlip_desk.periods import Period, parse_period
from jlip_desk.plan.model import Form, Plan
from jlip_desk.services.entry_rows import EntryRow, build_rows
from jlip_desk.store.cells import CellKey, Value
from jlip_desk.store.database import Store
from jlip_desk.validation.rows import Severity, check_row, outlier_warning

__all__ = ["Confirmations", "FormHistory", "RowProblem", "check_rows", "period_problems"]

ConfirmKey = tuple[str, str, str, str, str]  # org_code, period, subject, field, form
Confirmations = dict[ConfirmKey, tuple[Value, str]]


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

    @property
    def open(self) -> bool:
        return not self.confirmed


def _number(value: Value) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class FormHistory:
    """Every stored period of a form's rows in some org units, read in one query.

    Feeds ``prior()`` (sums over a row's earlier periods) and the outlier check
    (a row's own history), so a whole period list costs one read.
    """

    def __init__(self, store: Store, plan_id: str, form_id: str, org_codes: Iterable[str]):
        codes = list(org_codes)
        self.rows: dict[tuple[str, str], dict[Period, dict[str, Value]]] = {}
        if not codes:
            return
        parsed: dict[str, Period] = {}
        sql = (
            "SELECT org_code, subject, period, field, value FROM cells "
            "WHERE plan_id = ? AND form = ? AND period != '' "
            f"AND org_code IN ({','.join('?' * len(codes))})"
        )
        for org, subject, text, field, value in store.conn.execute(sql, [plan_id, form_id, *codes]):
            period = parsed.get(text)
            if period is None:
                period = parsed[text] = parse_period(text)
            self.rows.setdefault((org, subject), {}).setdefault(period, {})[field] = value

    def earlier(self, org_code: str, subject: str, period: Period) -> list[dict[str, Value]]:
        by_period = self.rows.get((org_code, subject), {})
        return [values for p, values in by_period.items() if p < period]


def load_confirmations(
    store: Store, plan_id: str, form_id: str, org_codes: Iterable[str]
) -> Confirmations:
    codes = list(org_codes)
    out: Confirmations = {}
    if not codes:
        return out
    sql = (
        "SELECT org_code, period, subject, field, value, comment FROM outlier_confirmations "
        f"WHERE plan_id = ? AND form = ? AND org_code IN ({','.join('?' * len(codes))}) "
        "ORDER BY id"
    )
    for org, period, subject, field, value, comment in store.conn.execute(
        sql, [plan_id, form_id, *codes]
    ):
        out[(org, period, subject, field, form_id)] = (value, comment)  # newest wins
    return out


def _row_problems(
    form: Form, row: EntryRow, earlier: Sequence[dict[str, Value]], confirmations: Confirmations
) -> list[RowProblem]:
    def prior(name: str) -> float:
        # No earlier period means nothing was open before: 0, not "unknown".
        return sum(n for values in earlier if (n := _number(values.get(name))) is not None)

    key = row.key
    parsed, problems = check_row(form.fields, form.rules, form.derived, row.values, prior)
    out = [RowProblem(key, row.label, p.field_id, p.message, p.severity, p.rule) for p in problems]
    if row.inactive is not None:
        out.append(RowProblem(key, row.label, None, row.inactive))
    bad = {p.field_id for p in problems}
    for field in form.fields:
        value = _number(parsed.get(field.id))  # type: ignore[arg-type]
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
            RowProblem(key, row.label, field.id, warning.message, "warning", None, same, comment)
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
    for row in rows:
        earlier = history.earlier(row.key.org_code, row.key.subject, period)
        out.extend(_row_problems(form, row, earlier, confirmations))
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
