"""The period life cycle, one state machine: draft → submitted → accepted or returned → …

Every step goes through :func:`transition`, which checks who may take it, from
which state, and with what reason, then records it (the status table's trigger
keeps the history). Editing, import, export and demo data ask this module
whether a period is open (:func:`require_open`).

========== ================================ ============== ==================
step       from                             to             who
========== ================================ ============== ==================
submit     none, draft, returned            submitted      the unit (or one who may edit it)
unlock     submitted                        draft          the unit itself, with a reason
accept     submitted                        accepted       the unit's superior
return     submitted, accepted              returned       the unit's superior, with a reason
received   none, draft, submitted, accepted returned       the unit itself, from a workbook
                                                           its superior made after returning
========== ================================ ============== ==================

Once a period's plan has ended and a later plan is loaded
(:func:`jlip_desk.store.plans.superseded_by`), the period is read-only whatever its
state, except while returned: the superior's return (with a reason) is the one way to
correct handed-in data of an ended plan. Submit and unlock are refused there too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.periods import Period, quarters_between
from jlip_desk.plan.model import Form, Frequency, Plan
from jlip_desk.services.entry_rows import LOCKED_STATES, build_rows, scope_orgs
from jlip_desk.services.installation import bound_org, can_edit, require_bound, require_edit
from jlip_desk.services.validator import (
    FormHistory,
    RowProblem,
    check_rows,
    load_confirmations,
)
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit, covers, get_org
from jlip_desk.store.plans import require_in_plan, superseded_by
from jlip_desk.store.status import read_status, read_statuses, write_status
from jlip_desk.validation.values import REQUIRED_MESSAGE

__all__ = [
    "LOCKED",
    "STATUS_LABELS",
    "STEPS",
    "OpenProblemsError",
    "PeriodLockedError",
    "PeriodState",
    "accept",
    "locked_message",
    "open_problems",
    "plan_periods",
    "problem_lines",
    "receive_return",
    "require_open",
    "require_unlocked",
    "return_period",
    "status",
    "statuses",
    "submit",
    "transition",
    "unlock",
]

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "none": "未报送",
    "draft": "草稿",
    "submitted": "已报送",
    "accepted": "已接收",
    "returned": "已退回",
}
LOCKED = LOCKED_STATES
# How many records a refusal spells out; the problem list shows all of them.
_LISTED = 5
_REQUIRED_TAIL = REQUIRED_MESSAGE.removeprefix("必填项")  # "不能为空"


class Step(NamedTuple):
    name: str  # Chinese, for messages
    sources: frozenset[str]
    target: str
    who: str  # "editor" | "owner" | "reviewer"
    needs_reason: bool


STEPS: dict[str, Step] = {
    "submit": Step("报送", frozenset({"none", "draft", "returned"}), "submitted", "editor", False),
    "unlock": Step("解锁", frozenset({"submitted"}), "draft", "owner", True),
    "accept": Step("接收", frozenset({"submitted"}), "accepted", "reviewer", False),
    "return": Step("退回", frozenset({"submitted", "accepted"}), "returned", "reviewer", True),
    # The superior's return reaches the unit's own installation inside a workbook.
    "received": Step(
        "接收退回", frozenset({"none", "draft", "submitted", "accepted"}), "returned", "owner", True
    ),
}


@dataclass(frozen=True, slots=True)
class PeriodState:
    status: str = "none"  # nothing recorded yet: never received, never submitted
    reason: str | None = None
    # The plan that took over once the period's plan ended (read-only unless returned).
    ended_by: str | None = None

    @property
    def locked(self) -> bool:
        return self.status in LOCKED or (self.ended_by is not None and self.status != "returned")

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def problem_lines(problems: Sequence[RowProblem]) -> list[str]:
    """One line per record, naming its fields: "某工作站:联系人、联系电话 不能为空".

    Problems with the same message on several fields of a record are said once, with
    the fields listed; messages that already name their fields are kept as they are.
    """
    by_record: dict[tuple[object, str], dict[str, list[str]]] = {}
    for p in problems:
        messages = by_record.setdefault((p.key, p.label), {})
        fields = messages.setdefault(p.message, [])
        if p.field_label and p.field_label not in p.message and p.field_label not in fields:
            fields.append(p.field_label)
    lines = []
    for (_key, label), messages in by_record.items():
        parts = []
        for message, fields in messages.items():
            named = "、".join(fields)
            if not named:
                parts.append(message)
            elif message == REQUIRED_MESSAGE:
                parts.append(f"{named} {_REQUIRED_TAIL}")
            else:
                parts.append(f"{named}{message}")
        lines.append(f"{label}:{';'.join(parts)}")
    return lines


class OpenProblemsError(NotAllowedError):
    """Submitting refused: errors remain. ``problems`` lists them all."""

    def __init__(self, problems: list[RowProblem]):
        records = problem_lines(problems)
        lines = records[:_LISTED]
        if len(records) > _LISTED:
            lines.append(f"……共{len(records)}条记录、{len(problems)}个问题")
        super().__init__(
            "本期还有未解决的问题,不能报送:\n" + "\n".join(lines),
            where="报送",
            allowed="改正所有错误后再报送(警告不影响报送)",
        )
        self.problems = problems


class PeriodLockedError(NotAllowedError):
    """A change to a period that is handed in (submitted or accepted)."""


def _ended_by(store: Store, plan_id: str) -> str | None:
    later = superseded_by(store, plan_id)
    return later.name if later is not None else None


def status(store: Store, plan_id: str, org_code: str, period: Period | str) -> PeriodState:
    row = read_status(store, plan_id, org_code, str(period))
    ended = _ended_by(store, plan_id)
    return PeriodState(row.status, row.reason, ended) if row else PeriodState(ended_by=ended)


def statuses(
    store: Store, plan_id: str, period: Period | str, org_codes: list[str]
) -> dict[str, PeriodState]:
    """States of many org units in one period (``none`` for those with nothing recorded)."""
    ended = _ended_by(store, plan_id)
    out = {code: PeriodState(ended_by=ended) for code in org_codes}
    for code, row in read_statuses(store, plan_id, str(period)).items():
        if code in out:
            out[code] = PeriodState(row.status, row.reason, ended)
    return out


def _label(period: Period | str) -> str:
    return period.label if isinstance(period, Period) else str(period)


def locked_message(
    store: Store, org_code: str, period: Period | str, state: PeriodState
) -> tuple[str, str]:
    """What to say about a locked period, and the next step, for this installation."""
    org = get_org(store, org_code)
    bound = bound_org(store)
    own = bound is not None and bound.code == org.code
    what = f"{org.name}{_label(period)}{state.label}"
    if state.ended_by is not None:
        ended = f"{_label(period)}所属的计划已结束,已由“{state.ended_by}”接续"
        what = f"{ended},{org.name}的数据只能查看"
        if state.status not in LOCKED:
            if bound is not None and bound.level == "province" and bound.code == org.code:
                return what, (
                    f"如需补报,先重新开放本单位该报告期:jlip-desk return --org {org.code} "
                    f"--period {period} --reason 原因"
                )
            if own or bound is None or not covers(store, bound.code, org.code):
                return what, "如需补报,请上级单位退回(重新开放)该报告期(需填写原因)"
            return what, "如需补报,请先退回(重新开放)该单位本期的报送(需填写原因)"
        if own or bound is None or not covers(store, bound.code, org.code):
            return what, "如需更正,请联系上级单位退回本期的报送(需填写原因)"
        return what, "如需更正,请先退回该单位本期的报送(需填写原因)"
    if state.status == "submitted":
        if own:
            return f"{what}并已锁定,不能修改", "如需修改,请先解锁本期(需填写原因)"
        return f"{what}并已锁定,不能修改", "如需修改,请先退回该单位本期的报送(需填写原因)"
    if own or bound is None or not covers(store, bound.code, org.code):
        return f"{what},数据不能再修改", "如需修改,请联系上级单位退回本期的报送"
    return f"{what},数据不能再修改", "如需修改,请先退回该单位本期的报送(需填写原因)"


def require_open(store: Store, plan_id: str, org_code: str, period: Period | str) -> PeriodState:
    """The period's state; PeriodLockedError when it is handed in (submitted, accepted)."""
    state = status(store, plan_id, org_code, period)
    if state.locked:
        message, allowed = locked_message(store, org_code, period, state)
        raise PeriodLockedError(message, where=f"单位 {org_code}", allowed=allowed)
    return state


require_unlocked = require_open


def _status_forms(plan: Plan, org: OrgUnit, period: Period) -> list[Form]:
    frequency = Frequency.of(period)
    return [f for f in plan.forms if f.org_level == org.level and f.frequency == frequency]


def open_problems(store: Store, plan: Plan, org_code: str, period: Period) -> list[RowProblem]:
    """Every open problem of the org unit's own forms in ``period`` (the one validator)."""
    org = get_org(store, org_code)
    out: list[RowProblem] = []
    for form in _status_forms(plan, org, period):
        rows = build_rows(store, plan, form.id, org_code, period)
        codes = [o.code for o in scope_orgs(store, form, org_code)]
        history = FormHistory(store, plan.id, form.id, codes)
        confirmations = load_confirmations(store, plan.id, form.id, codes)
        out.extend(p for p in check_rows(form, rows, period, history, confirmations) if p.open)
    return out


def _reason(text: str | None, what: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise InputError(f"{what}必须填写原因", where="原因")
    return reason


def _require_actor(store: Store, step: Step, org_code: str) -> None:
    if step.who == "editor":
        require_edit(store, org_code)
        return
    bound = require_bound(store)
    if step.who == "owner":
        if bound.code != org_code:
            if can_edit(store, org_code):
                raise NotAllowedError(
                    f"只有本单位可以{step.name}自己的报送",
                    where=f"单位 {org_code}",
                    allowed="上级单位请使用“退回”(需填写原因)",
                )
            require_edit(store, org_code)
        return
    if bound.code == org_code or not covers(store, bound.code, org_code):
        raise NotAllowedError(
            f"只有上级单位可以{step.name}报送", where=f"单位 {org_code}", allowed="本单位的下级单位"
        )


def transition(
    store: Store,
    plan: Plan,
    org_code: str,
    period: Period,
    step_id: str,
    reason: str | None = None,
    *,
    change_id: int | None = None,
    checked: bool = False,
) -> PeriodState:
    """Take one step of the life cycle for an org unit's period, and record it.

    ``change_id``: the step is part of a larger write (an import) that already opened
    the transaction and its change record. ``checked``: the caller has just validated
    the period's data with the one validator (an import), so submit does not again.
    """
    step = STEPS[step_id]
    require_in_plan(store, plan, period)
    ended = step_id == "return" and _ended_by(store, plan.id) is not None
    if ended:
        # An ended plan's period is reopened (returned) for a late report or a
        # correction, whatever its state; the province reopens its own as well.
        step = step._replace(sources=frozenset({"none", "draft", "submitted", "accepted"}))
        bound = require_bound(store)
        if not (bound.level == "province" and org_code == bound.code):
            _require_actor(store, step, org_code)
    else:
        _require_actor(store, step, org_code)
    why = _reason(reason, step.name) if step.needs_reason else None
    with store.atomic():
        state = status(store, plan.id, org_code, period)
        if state.status not in step.sources:
            allowed = "、".join(STATUS_LABELS[s] for s in STATUS_LABELS if s in step.sources)
            if step_id == "submit" and state.locked:
                message = f"{period.label}{state.label},无需再次报送"
            else:
                message = f"{period.label}当前为“{state.label}”,不能{step.name}"
            raise NotAllowedError(message, where=f"单位 {org_code}", allowed=allowed)
        if step_id in ("submit", "unlock") and state.ended_by and state.status != "returned":
            message, allowed = locked_message(store, org_code, period, state)
            raise PeriodLockedError(message, where=f"单位 {org_code}", allowed=allowed)
        if step_id == "submit" and not checked:
            errors = [
                p for p in open_problems(store, plan, org_code, period) if p.severity == "error"
            ]
            if errors:
                raise OpenProblemsError(errors)
        if change_id is None:
            change_id = store.new_change("typed", note=f"{step.name}{':' + why if why else ''}")
        write_status(store, plan.id, org_code, str(period), step.target, why, change_id)
    log.info(
        "period %s %s of %s: %s -> %s%s",
        period, step_id, org_code, state.status, step.target, f" ({why})" if why else "",
    )  # fmt: skip
    return PeriodState(step.target, why)


def submit(store: Store, plan: Plan, org_code: str, period: Period) -> PeriodState:
    """Mark the period submitted (locked); refused while errors remain."""
    return transition(store, plan, org_code, period, "submit")


def unlock(store: Store, plan: Plan, org_code: str, period: Period, reason: str) -> PeriodState:
    """Reopen one's own submitted period for editing; the reason is kept in the history."""
    return transition(store, plan, org_code, period, "unlock", reason)


def accept(store: Store, plan: Plan, org_code: str, period: Period) -> PeriodState:
    """Superior's side: accept a submitted period."""
    return transition(store, plan, org_code, period, "accept")


def return_period(
    store: Store, plan: Plan, org_code: str, period: Period, reason: str
) -> PeriodState:
    """Superior's side: send a submitted or accepted period back with a reason."""
    return transition(store, plan, org_code, period, "return", reason)


def receive_return(
    store: Store, plan: Plan, org_code: str, period: Period, reason: str, *, change_id: int
) -> PeriodState:
    """The unit's side: record the return its superior sent back inside a workbook."""
    return transition(store, plan, org_code, period, "received", reason, change_id=change_id)


def plan_periods(plan: Plan, frequencies: set[Frequency]) -> list[Period]:
    """Every period of the plan of the given frequencies, newest first."""
    out: list[Period] = []
    if Frequency.QUARTER in frequencies:
        out += quarters_between(Period(plan.start_year, 1), Period(plan.end_year, 4))
    if Frequency.YEAR in frequencies:
        out += [Period(year) for year in plan.years()]
    return sorted(out, reverse=True)
