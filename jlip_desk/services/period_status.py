"""Reporting status of an org unit's period: draft, submitted (locked), accepted, returned."""

from __future__ import annotations

from dataclasses import dataclass

from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.periods import Period, quarters_between
from jlip_desk.plan.model import Form, Frequency, Plan
from jlip_desk.services.entry_problems import (
    FormHistory,
    RowProblem,
    check_rows,
    load_confirmations,
)
from jlip_desk.services.entry_rows import build_rows, scope_orgs
from jlip_desk.services.installation import require_bound, require_edit
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit, covers, get_org

__all__ = [
    "LOCKED",
    "STATUS_LABELS",
    "OpenProblemsError",
    "PeriodState",
    "PeriodSummary",
    "accept",
    "open_problems",
    "period_list",
    "require_unlocked",
    "return_period",
    "status",
    "statuses",
    "submit",
    "unlock",
]

STATUS_LABELS = {"draft": "草稿", "submitted": "已报送", "accepted": "已接收", "returned": "已退回"}
LOCKED = frozenset({"submitted", "accepted"})
# How many problems a refusal spells out; the problem list shows all of them.
_LISTED = 5


@dataclass(frozen=True, slots=True)
class PeriodState:
    status: str = "draft"
    reason: str | None = None

    @property
    def locked(self) -> bool:
        return self.status in LOCKED

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    period: Period
    state: PeriodState
    errors: int
    warnings: int  # open (unconfirmed) warnings


class OpenProblemsError(NotAllowedError):
    """Submitting refused: errors remain. ``problems`` lists them all."""

    def __init__(self, problems: list[RowProblem]):
        lines = [f"{p.label}:{p.message}" for p in problems[:_LISTED]]
        if len(problems) > _LISTED:
            lines.append(f"……共{len(problems)}个问题")
        super().__init__(
            "本期还有未解决的问题,不能报送:\n" + "\n".join(lines),
            where="报送",
            allowed="改正所有错误后再报送(警告不影响报送)",
        )
        self.problems = problems


def status(store: Store, plan_id: str, org_code: str, period: Period | str) -> PeriodState:
    row = store.conn.execute(
        "SELECT status, reason FROM period_status "
        "WHERE plan_id = ? AND org_code = ? AND period = ?",
        (plan_id, org_code, str(period)),
    ).fetchone()
    return PeriodState(row[0], row[1]) if row else PeriodState()


def statuses(
    store: Store, plan_id: str, period: Period | str, org_codes: list[str]
) -> dict[str, PeriodState]:
    """States of many org units in one period (draft for those with none recorded)."""
    out = {code: PeriodState() for code in org_codes}
    for code, state, reason in store.conn.execute(
        "SELECT org_code, status, reason FROM period_status WHERE plan_id = ? AND period = ?",
        (plan_id, str(period)),
    ):
        if code in out:
            out[code] = PeriodState(state, reason)
    return out


def require_unlocked(store: Store, plan_id: str, org_code: str, period: Period | str) -> None:
    state = status(store, plan_id, org_code, period)
    if state.locked:
        raise NotAllowedError(
            f"{period}的数据已{state.label},不能修改",
            where=f"单位 {org_code}",
            allowed="如需修改,请先解锁本期(将记录解锁原因)",
        )


def _status_forms(plan: Plan, org: OrgUnit, period: Period) -> list[Form]:
    frequency = Frequency.QUARTER if period.is_quarter else Frequency.YEAR
    return [f for f in plan.forms if f.org_level == org.level and f.frequency == frequency]


def open_problems(store: Store, plan: Plan, org_code: str, period: Period) -> list[RowProblem]:
    """Every open problem of the org unit's own forms in ``period``."""
    org = get_org(store, org_code)
    out: list[RowProblem] = []
    for form in _status_forms(plan, org, period):
        rows = build_rows(store, plan, form.id, org_code, period)
        codes = [o.code for o in scope_orgs(store, form, org_code)]
        history = FormHistory(store, plan.id, form.id, codes)
        confirmations = load_confirmations(store, plan.id, form.id, codes)
        out.extend(p for p in check_rows(form, rows, period, history, confirmations) if p.open)
    return out


def _set(
    store: Store, plan_id: str, org_code: str, period: Period, new: str, reason: str | None
) -> PeriodState:
    """Record the new status; the table's trigger writes period_status_history."""
    with store.atomic():
        change = store.new_change("typed", note=reason)
        store.conn.execute(
            "INSERT INTO period_status (plan_id, org_code, period, status, reason, change_id) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (plan_id, org_code, period) DO UPDATE SET "
            "status = excluded.status, reason = excluded.reason, change_id = excluded.change_id",
            (plan_id, org_code, str(period), new, reason, change),
        )
    return PeriodState(new, reason)


def _reason(text: str | None, what: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise InputError(f"{what}必须填写原因", where="原因")
    return reason


def submit(store: Store, plan: Plan, org_code: str, period: Period) -> PeriodState:
    """Mark the period submitted (locked); refused while errors remain."""
    require_edit(store, org_code)
    state = status(store, plan.id, org_code, period)
    if state.locked:
        raise NotAllowedError(f"{period.label}已{state.label},无需再次报送", where="报送")
    errors = [p for p in open_problems(store, plan, org_code, period) if p.severity == "error"]
    if errors:
        raise OpenProblemsError(errors)
    return _set(store, plan.id, org_code, period, "submitted", None)


def unlock(store: Store, plan_id: str, org_code: str, period: Period, reason: str) -> PeriodState:
    """Reopen a submitted period for editing; the reason is kept in the status history."""
    require_edit(store, org_code)
    why = _reason(reason, "解锁")
    state = status(store, plan_id, org_code, period)
    if state.status != "submitted":
        raise NotAllowedError(
            f"{period.label}当前为“{state.label}”,只有已报送的报告期可以解锁",
            where="解锁",
            allowed="已接收的报告期须由上级退回",
        )
    return _set(store, plan_id, org_code, period, "draft", why)


def _require_reviewer(store: Store, org_code: str) -> None:
    bound = require_bound(store)
    if bound.code == org_code or not covers(store, bound.code, org_code):
        raise NotAllowedError("只有上级单位可以接收或退回报送", where=f"单位 {org_code}")


def _require_submitted(store: Store, plan_id: str, org_code: str, period: Period) -> None:
    state = status(store, plan_id, org_code, period)
    if state.status != "submitted":
        raise NotAllowedError(f"{period.label}当前为“{state.label}”,尚未报送", where="审核")


def accept(store: Store, plan_id: str, org_code: str, period: Period) -> PeriodState:
    """Province (or prefecture) side: accept a submitted period."""
    _require_reviewer(store, org_code)
    _require_submitted(store, plan_id, org_code, period)
    return _set(store, plan_id, org_code, period, "accepted", None)


def return_period(
    store: Store, plan_id: str, org_code: str, period: Period, reason: str
) -> PeriodState:
    """Province (or prefecture) side: send a submitted period back with a reason."""
    _require_reviewer(store, org_code)
    why = _reason(reason, "退回")
    _require_submitted(store, plan_id, org_code, period)
    return _set(store, plan_id, org_code, period, "returned", why)


def plan_periods(plan: Plan, frequencies: set[Frequency]) -> list[Period]:
    """Every period of the plan of the given frequencies, newest first."""
    out: list[Period] = []
    if Frequency.QUARTER in frequencies:
        out += quarters_between(Period(plan.start_year, 1), Period(plan.end_year, 4))
    if Frequency.YEAR in frequencies:
        out += [Period(year) for year in plan.years()]
    return sorted(out, reverse=True)


def period_list(store: Store, plan: Plan, org_code: str) -> list[PeriodSummary]:
    """Every period of the plan for the org unit's own forms, with status and problem counts.

    Each form's stored history is read once for all periods.
    """
    org = get_org(store, org_code)
    forms = [f for f in plan.forms if f.org_level == org.level]
    counts: dict[Period, list[int]] = {}
    for form in forms:
        codes = [o.code for o in scope_orgs(store, form, org_code)]
        history = FormHistory(store, plan.id, form.id, codes)
        confirmations = load_confirmations(store, plan.id, form.id, codes)
        for period in plan_periods(plan, {form.frequency}):
            rows = build_rows(store, plan, form.id, org_code, period)
            tally = counts.setdefault(period, [0, 0])
            for p in check_rows(form, rows, period, history, confirmations):
                if p.open:
                    tally[0 if p.severity == "error" else 1] += 1
    states = {
        text: PeriodState(s, r)
        for text, s, r in store.conn.execute(
            "SELECT period, status, reason FROM period_status WHERE plan_id = ? AND org_code = ?",
            (plan.id, org_code),
        )
    }
    return [
        PeriodSummary(p, states.get(str(p), PeriodState()), c[0], c[1])
        for p, c in sorted(counts.items(), reverse=True)
    ]
