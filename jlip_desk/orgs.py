"""Org units as values: the province, its prefectures and counties (no storage here)."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["LEVEL_LABELS", "PROVINCE_CODE", "OrgUnit"]

PROVINCE_CODE = "220000"
LEVEL_LABELS = {"province": "省", "prefecture": "市(州)", "county": "县(市、区)"}


# A NamedTuple rather than a dataclass: the store's start-up path imports no
# dataclasses (and so no inspect), which the window's first paint waits for.
class OrgUnit(NamedTuple):
    code: str
    name: str
    level: str  # province | prefecture | county
    parent_code: str | None
    official: bool = True

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]
