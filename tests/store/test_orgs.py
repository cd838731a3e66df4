"""Org units: the official divisions, the tree, and zones the province adds."""

from __future__ import annotations

import re

import pytest

from jlip_desk.errors import InputError, NotAllowedError
from jlip_desk.store import orgs
from jlip_desk.store.database import Store


def test_official_divisions(store: Store) -> None:
    units = orgs.all_orgs(store)
    levels = [u.level for u in units]
    assert levels.count("province") == 1
    assert levels.count("prefecture") == 9
    assert levels.count("county") == 60
    assert orgs.get_org(store, "220102").name == "南关区"
    assert len(orgs.counties_under(store, "220000")) == 60
    assert all(c.parent_code == "220100" for c in orgs.counties_under(store, "220100"))


def test_tree_nests_counties_under_prefectures(store: Store) -> None:
    (root,) = orgs.tree(store)
    assert root["code"] == "220000"
    children = root["children"]
    assert isinstance(children, list) and len(children) == 9
    assert sum(len(p["children"]) for p in children) == 60


def test_add_zone(store: Store) -> None:
    zone = orgs.add_zone(store, "220171", "长春经济技术开发区", "220100")
    assert zone.level == "county" and not zone.official
    assert zone in orgs.counties_under(store, "220100")
    assert len(orgs.counties_under(store, "220000")) == 61
    assert orgs.covers(store, "220100", "220171")


@pytest.mark.parametrize(
    ("code", "name", "parent", "error", "text"),
    [
        ("22017", "区", "220100", InputError, "6位数字"),
        ("220271", "区", "220100", InputError, "2201"),
        ("220102", "区", "220100", InputError, "已被使用"),
        ("220171", " ", "220100", InputError, "不能为空"),
        ("220171", "区", "220102", NotAllowedError, "不是市(州)"),
        ("220171", "区", "999999", InputError, "不存在"),
    ],
)
def test_add_zone_refused(
    store: Store, code: str, name: str, parent: str, error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=re.escape(text)):
        orgs.add_zone(store, code, name, parent)
