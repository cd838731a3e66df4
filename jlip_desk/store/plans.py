"""Plan definitions kept in the store: every version loaded, which one is active, and
which plan a period belongs to (the one whose years cover it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from jlip_desk import paths
from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.store.database import Store, now_iso

if TYPE_CHECKING:
    from jlip_desk.periods import Period
    from jlip_desk.plan.model import Plan

_ACTIVE_ID = "active_plan_id"
_ACTIVE_VERSION = "active_plan_version"


class StoredPlan(NamedTuple):
    id: str
    version: str
    name: str
    sha256: str
    loaded_at: str
    active: bool


def save_plan(store: Store, plan: Plan, *, activate: bool = True) -> bool:
    """Keep ``plan`` in the store (and make it active). Returns False if nothing changed."""
    import hashlib  # not needed to start the program

    digest = hashlib.sha256(plan.source_text.encode("utf-8")).hexdigest()
    existing = store.conn.execute(
        "SELECT sha256 FROM plans WHERE id = ? AND version = ?", (plan.id, plan.version)
    ).fetchone()
    if existing is not None and existing[0] != digest:
        raise NotAllowedError(
            f"计划“{plan.id}”的 {plan.version} 版已载入,但内容不同",
            where=plan.source_name,
            allowed="修订计划时请提高 [plan] 中的 version",
        )
    _require_same_code_tags(store, plan)
    _require_own_years(store, plan)
    changed = existing is None
    with store.atomic():
        if existing is None:
            store.conn.execute(
                "INSERT INTO plans (id, version, name, source, sha256, loaded_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (plan.id, plan.version, plan.name, plan.source_text, digest, now_iso()),
            )
        if activate:
            before = (store.setting(_ACTIVE_ID), store.setting(_ACTIVE_VERSION))
            store.set_setting(_ACTIVE_ID, plan.id)
            store.set_setting(_ACTIVE_VERSION, plan.version)
            changed = changed or before != (plan.id, plan.version)
    return changed


def _require_own_years(store: Store, plan: Plan) -> None:
    """Each period belongs to exactly one plan: another plan's years must not overlap."""
    ids = [r[0] for r in store.conn.execute("SELECT DISTINCT id FROM plans WHERE id != ?",
                                            (plan.id,))]  # fmt: skip
    for other in (get_plan(store, i) for i in ids):
        if plan.start_year <= other.end_year and other.start_year <= plan.end_year:
            later = other.end_year + 1
            raise NotAllowedError(
                f"计划年份 {plan.start_year}–{plan.end_year} 年与已载入的{other.years_text}重叠,"
                "每个报告期只能属于一个计划",
                where=plan.source_name or plan.id,
                allowed=f"下一期计划从 {later} 年开始(start_year = {later});"
                f"修订“{other.name}”请沿用其标识“{other.id}”并提高 version",
            )


def _require_same_code_tags(store: Store, plan: Plan) -> None:
    """A registry that continues one of a stored plan keeps its code tag: record codes
    (``220102-WS-001``) carry it, and the records are one set across plans."""
    ids = [r[0] for r in store.conn.execute("SELECT DISTINCT id FROM plans WHERE id != ?",
                                            (plan.id,))]  # fmt: skip
    for other in (get_plan(store, i) for i in ids):
        for registry in plan.registries:
            earlier = next((r for r in other.registries if r.id == registry.id), None)
            if earlier is not None and earlier.code_tag != registry.code_tag:
                raise NotAllowedError(
                    f"登记册“{registry.name}”延续“{other.name}”的“{earlier.name}”,"
                    f"编码标记却由 {earlier.code_tag} 改为 {registry.code_tag}",
                    where=plan.source_name or plan.id,
                    allowed=f'code_tag = "{earlier.code_tag}"(已登记记录的编码含此标记)',
                )


def stored_plans(store: Store) -> list[StoredPlan]:
    active = (store.setting(_ACTIVE_ID), store.setting(_ACTIVE_VERSION))
    return [
        StoredPlan(r[0], r[1], r[2], r[3], r[4], (r[0], r[1]) == active)
        for r in store.conn.execute(
            "SELECT id, version, name, sha256, loaded_at FROM plans ORDER BY loaded_at, id, version"
        )
    ]


def has_active_plan(store: Store) -> bool:
    return store.setting(_ACTIVE_ID) is not None and store.setting(_ACTIVE_VERSION) is not None


# Parsed plans by (sha256 of the TOML text, source name). A Plan is immutable, so one
# parse serves every store and every import of the same text; a changed text is a new key.
_PARSED_LIMIT = 8
_parsed_cache: dict[tuple[str, str], Plan] = {}


def _parse_cached(text: str, name: str) -> Plan:
    """``parse_plan(text, name)``, parsed once per distinct text (failures are not kept)."""
    import hashlib  # not needed to start the program

    # Parsing is imported on first use: the window shows before a plan is read.
    from jlip_desk.plan.loader import parse_plan

    key = (hashlib.sha256(text.encode("utf-8")).hexdigest(), name)
    plan = _parsed_cache.get(key)
    if plan is None:
        plan = parse_plan(text, name)
        if len(_parsed_cache) >= _PARSED_LIMIT:
            _parsed_cache.clear()
        _parsed_cache[key] = plan
    return plan


def _load_bundled(path: Path) -> Plan:
    """The bundled plan file, parsed once per distinct content."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        from jlip_desk.plan.loader import load_plan

        return load_plan(path)  # raises the plan loader's own message
    return _parse_cached(text, path.name)


def get_plan(store: Store, plan_id: str, version: str | None = None) -> Plan:
    """A stored plan (the newest loaded version when ``version`` is None)."""
    if version is None:
        row = store.conn.execute(
            "SELECT source, id FROM plans WHERE id = ? ORDER BY loaded_at DESC, rowid DESC LIMIT 1",
            (plan_id,),
        ).fetchone()
    else:
        row = store.conn.execute(
            "SELECT source, id FROM plans WHERE id = ? AND version = ?", (plan_id, version)
        ).fetchone()
    if row is None:
        loaded = sorted(
            {f"{r[0]} {r[1]} 版" for r in store.conn.execute("SELECT id, version FROM plans")}
        )
        wanted = f"“{plan_id}”" + (f"的 {version} 版" if version else "")
        raise NotAllowedError(
            f"本机没有载入计划{wanted}",
            where="计划",
            allowed=f"已载入的计划:{'、'.join(loaded)}" if loaded else "先载入计划定义文件",
        )
    return _parse_cached(row[0], f"{row[1]}(已存储)")


def active_plan(store: Store) -> Plan:
    """The active plan; a new store gets the bundled 14th plan on first use."""
    plan_id, version = store.setting(_ACTIVE_ID), store.setting(_ACTIVE_VERSION)
    if plan_id is None or version is None:
        plan = _load_bundled(paths.default_plan_file())
        save_plan(store, plan)
        return plan
    # get_plan parses each distinct text once, so this is a query and a hash.
    return get_plan(store, plan_id, version)


def plan_or_active(store: Store, plan_id: str | None) -> Plan:
    """The loaded plan ``plan_id`` (its newest version), or the active plan for None."""
    return get_plan(store, plan_id) if plan_id is not None else active_plan(store)


# -- which plan a period belongs to ------------------------------------------------


class PeriodOutsidePlanError(InputError):
    """A period that is not one of its plan's years (or of any loaded plan's)."""


def loaded_plans(store: Store) -> list[Plan]:
    """Every plan in the store once: the active one first (its active version), then the
    newest loaded version of each other plan."""
    active = active_plan(store)
    ids = [r[0] for r in store.conn.execute("SELECT DISTINCT id FROM plans ORDER BY id")]
    return [active, *(get_plan(store, i) for i in ids if i != active.id)]


def plan_for_period(store: Store, period: Period) -> Plan:
    """The loaded plan whose years cover ``period`` (the active plan when it does).

    PeriodOutsidePlanError, naming the loaded plans and their years, when none does.
    """
    active = active_plan(store)
    if active.covers(period.year):
        return active  # the common case: no other plan is read
    plans = loaded_plans(store)
    for plan in plans:
        if plan.covers(period.year):
            return plan
    raise _outside_every_plan(plans, period)


def require_in_plan(store: Store, plan: Plan, period: Period) -> None:
    """Refuse a period that is not one of ``plan``'s years: the one rule, for every service."""
    if plan.covers(period.year):
        return
    plans = loaded_plans(store)
    owner = next((p for p in plans if p.covers(period.year)), None)
    if owner is None:
        raise _outside_every_plan(plans, period)
    raise PeriodOutsidePlanError(
        f"{period.label}不在计划的年份内({plan.years_text}),属于{owner.years_text}",
        where="报告期",
        allowed=f"按“{owner.name}”填报或查看{period.label}",
    )


def superseded_by(store: Store, plan_id: str, today: dt.date | None = None) -> Plan | None:
    """The plan that has taken over from ``plan_id`` once that plan has ended, or None.

    A plan has ended when its last report is past due (``Plan.last_due``: the final
    year's report, due early the next year) and a loaded plan covers a later year:
    its periods are then read-only (the period life cycle enforces it), except a
    period its superior reopens (returns) with a reason, for a late report or a
    correction. While no later plan is loaded, the old plan's periods stay open.
    """
    today = today or dt.date.today()
    ids = [r[0] for r in store.conn.execute("SELECT DISTINCT id FROM plans")]
    if len(ids) < 2:
        return None  # the common case: one plan, nothing has taken over
    plan = get_plan(store, plan_id)
    if today <= plan.last_due:
        return None
    later = [p for p in (get_plan(store, i) for i in ids if i != plan_id)
             if p.start_year > plan.end_year]  # fmt: skip
    return min(later, key=lambda p: p.start_year) if later else None


def _outside_every_plan(plans: list[Plan], period: Period) -> PeriodOutsidePlanError:
    spans = "、".join(p.years_text for p in sorted(plans, key=lambda p: p.start_year))
    return PeriodOutsidePlanError(
        f"{period.label}不在计划的年份内(已载入:{spans})",
        where="报告期",
        allowed="载入涵盖该年度的计划后再填报或查看(菜单“计划 → 载入计划…”,"
        "或命令行 jlip-desk plan load)",
    )
