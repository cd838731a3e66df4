"""Org units: the province, its prefectures and counties, and zones the province adds."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from jlip_desk import paths
from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.orgs import LEVEL_LABELS, PROVINCE_CODE, OrgUnit
from jlip_desk.store.database import Store, now_iso

__all__ = [
    "LEVEL_LABELS",
    "PROVINCE_CODE",
    "OrgUnit",
    "add_zone",
    "all_orgs",
    "children",
    "counties_under",
    "covers",
    "get_org",
    "seed_divisions",
    "tree",
]

_CODE = re.compile(r"^\d{6}$")


def seed_divisions(store: Store, csv_path: Path | None = None) -> int:
    """Load the official division codes when the store has none yet; returns rows added."""
    if store.conn.execute("SELECT 1 FROM org_units LIMIT 1").fetchone():
        return 0
    csv_path = csv_path or paths.divisions_file()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    stamp = now_iso()
    with store.atomic():
        for row in rows:  # parents come first in the file
            store.conn.execute(
                "INSERT INTO org_units (code, name, level, parent_code, official, created_at) "
                "VALUES (?, ?, ?, ?, 1, ?)",
                (row["code"], row["name"], row["level"], row["parent_code"] or None, stamp),
            )
    return len(rows)


def _row(row: tuple[str, str, str, str | None, int]) -> OrgUnit:
    return OrgUnit(row[0], row[1], row[2], row[3], bool(row[4]))


_SELECT = "SELECT code, name, level, parent_code, official FROM org_units"


def all_orgs(store: Store) -> list[OrgUnit]:
    return [_row(r) for r in store.conn.execute(f"{_SELECT} ORDER BY code")]


def get_org(store: Store, code: str) -> OrgUnit:
    row = store.conn.execute(f"{_SELECT} WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise InputError(
            f"行政区划代码“{code}”不存在",
            where="单位代码",
            allowed="吉林省的省、市(州)、县(市、区)代码",
        )
    return _row(row)


def children(store: Store, code: str) -> list[OrgUnit]:
    return [
        _row(r)
        for r in store.conn.execute(f"{_SELECT} WHERE parent_code = ? ORDER BY code", (code,))
    ]


def counties_under(store: Store, code: str) -> list[OrgUnit]:
    """The county-level units an org unit covers (a county covers itself)."""
    org = get_org(store, code)
    if org.level == "county":
        return [org]
    if org.level == "prefecture":
        return children(store, code)
    return [_row(r) for r in store.conn.execute(f"{_SELECT} WHERE level = 'county' ORDER BY code")]


def covers(store: Store, scope_code: str, org_code: str) -> bool:
    """Whether ``scope_code`` (an installation's org unit) includes ``org_code``."""
    if scope_code in (org_code, PROVINCE_CODE):
        return True
    org = get_org(store, org_code)
    return org.parent_code == scope_code


def add_zone(store: Store, code: str, name: str, parent_code: str) -> OrgUnit:
    """Add a county-level unit (a development zone) under a prefecture."""
    code, name = code.strip(), name.strip()
    if not _CODE.match(code):
        raise InputError(f"单位代码“{code}”格式不正确", where="单位代码", allowed="6位数字")
    if not name:
        raise InputError("单位名称不能为空", where="单位名称")
    parent = get_org(store, parent_code)
    if parent.level != "prefecture":
        raise NotAllowedError(
            f"“{parent.name}”不是市(州),新增单位只能挂在市(州)下", where="上级单位"
        )
    if code[:4] != parent_code[:4]:
        raise InputError(
            f"单位代码“{code}”与上级“{parent.name}”不一致",
            where="单位代码",
            allowed=f"以 {parent_code[:4]} 开头的6位数字",
        )
    if store.conn.execute("SELECT 1 FROM org_units WHERE code = ?", (code,)).fetchone():
        raise InputError(f"单位代码“{code}”已被使用", where="单位代码")
    with store.atomic():
        store.conn.execute(
            "INSERT INTO org_units (code, name, level, parent_code, official, created_at) "
            "VALUES (?, ?, 'county', ?, 0, ?)",
            (code, name, parent_code, now_iso()),
        )
    return get_org(store, code)


def tree(store: Store) -> list[dict[str, object]]:
    """The org-unit tree as nested plain dicts (``orgs --json``)."""
    orgs = all_orgs(store)
    by_parent: dict[str | None, list[OrgUnit]] = {}
    for org in orgs:
        by_parent.setdefault(org.parent_code, []).append(org)

    def node(org: OrgUnit) -> dict[str, object]:
        return {
            "code": org.code,
            "name": org.name,
            "level": org.level,
            "official": org.official,
            "children": [node(child) for child in by_parent.get(org.code, [])],
        }

    return [node(root) for root in by_parent.get(None, [])]
