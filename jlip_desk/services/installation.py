"""This installation: its store, and the org unit it is bound to (which sets what it may edit)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jlip_desk.errors import NotAllowedError
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit, covers, get_org, seed_divisions
from jlip_desk.store.plans import active_plan, has_active_plan

if TYPE_CHECKING:
    from jlip_desk.plan.model import Plan

_BOUND = "installation_org"


def open_store(path: Path | None = None) -> Store:
    """Open the store in the data folder, migrated, with divisions and a plan in place."""
    store = Store.open(path)
    try:
        ensure_reference_data(store)
    except BaseException:
        store.close()
        raise
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


def bind(store: Store, org_code: str) -> OrgUnit:
    """Bind this installation to an org unit (county, prefecture, or the province)."""
    org = get_org(store, org_code.strip())
    with store.atomic():
        store.set_setting(_BOUND, org.code)
    return org


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
