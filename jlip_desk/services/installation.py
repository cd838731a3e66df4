"""This installation: its store, and the org unit it is bound to (which sets what it may edit)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from jlip_desk.errors import NotAllowedError
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit, all_orgs, covers, get_org, seed_divisions
from jlip_desk.store.plans import active_plan, has_active_plan
from jlip_desk.store.usage import DataCounts, data_counts

if TYPE_CHECKING:
    from jlip_desk.plan.model import Plan

log = logging.getLogger(__name__)

_BOUND = "installation_org"


def open_store(path: Path | None = None) -> Store:
    """Open the store in the data folder, migrated, with divisions and a plan in place."""
    store = Store.open(path)
    try:
        ensure_reference_data(store)
    except BaseException:
        store.close()
        raise
    from jlip_desk.services.backup import daily_backup

    daily_backup(store)
    return store


def ensure_reference_data(store: Store) -> None:
    """Division codes and a plan in a fresh store; cheap when both are there already."""
    seed_divisions(store)
    if not has_active_plan(store):
        active_plan(store)


def prepare(store: Store) -> Plan:
    """Reference data a fresh store needs: division codes and the bundled plan."""
    seed_divisions(store)
    return active_plan(store)


def bind(store: Store, org_code: str, *, force: bool = False) -> OrgUnit:
    """Bind this installation to an org unit (county, prefecture, or the province).

    Rebinding is refused, unless ``force``, while the store holds data that the
    current binding may edit and the new one may not: it would become read-only.
    """
    org = get_org(store, org_code.strip())
    current = bound_org(store)
    if current is not None and current.code != org.code:
        lost = data_counts(store, _no_longer_covered(store, current, org))
        if not lost.empty:
            if not force:
                raise NotAllowedError(_rebind_refusal(current, org, lost), where="绑定单位")
            log.warning(
                "rebinding %s -> %s by force: %d records and %d values become read-only",
                current.code,
                org.code,
                lost.records,
                lost.values,
            )
    with store.atomic():
        store.set_setting(_BOUND, org.code)
    return org


def _no_longer_covered(store: Store, current: OrgUnit, new: OrgUnit) -> list[str]:
    return [
        o.code
        for o in all_orgs(store)
        if covers(store, current.code, o.code) and not covers(store, new.code, o.code)
    ]


def _rebind_refusal(current: OrgUnit, new: OrgUnit, lost: DataCounts) -> str:
    whose = "该单位" if current.level == "county" else f"其管辖的 {lost.orgs} 个单位"
    return (
        f"本机已绑定 {current.name}({current.code}),数据库中有{whose}的 "
        f"{lost.records} 条登记记录和 {lost.values} 个数值;改绑到 {new.name}({new.code})"
        "后将不能再修改这些数据。确需改绑请加 --force"
    )


def bound_org(store: Store) -> OrgUnit | None:
    code = store.setting(_BOUND)
    return get_org(store, code) if code else None


def require_bound(store: Store) -> OrgUnit:
    org = bound_org(store)
    if org is None:
        raise NotAllowedError(
            "本机尚未绑定单位", where="初始化", allowed="先运行 jlip-desk init --org 单位代码"
        )
    return org


def can_edit(store: Store, org_code: str) -> bool:
    """A county edits its own data; a prefecture its counties'; the province everything."""
    org = bound_org(store)
    return org is not None and covers(store, org.code, org_code)


def require_edit(store: Store, org_code: str) -> None:
    if not can_edit(store, org_code):
        bound = bound_org(store)
        here = f"本机绑定的单位为“{bound.name}”" if bound else "本机尚未绑定单位"
        raise NotAllowedError(
            f"无权修改单位 {org_code} 的数据({here})", where="单位", allowed="本单位及下级单位"
        )
