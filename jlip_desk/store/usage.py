"""What the store holds for some org units: data counts and recorded reporting states."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from jlip_desk.store.database import Store


class DataCounts(NamedTuple):
    records: int  # registry records (stations, service points)
    values: int  # stored values that are not empty, registry attributes included
    orgs: int  # org units holding at least one of either

    @property
    def empty(self) -> bool:
        return not (self.records or self.values)


def data_counts(store: Store, org_codes: Iterable[str]) -> DataCounts:
    """Records and values stored for ``org_codes``, demo data included."""
    codes = sorted(set(org_codes))
    if not codes:
        return DataCounts(0, 0, 0)
    marks = ", ".join("?" * len(codes))
    row = store.conn.execute(
        f"""
        WITH r AS (
            SELECT org_code, count(*) AS n FROM records
            WHERE org_code IN ({marks}) GROUP BY org_code
        ), v AS (
            SELECT org_code, count(*) AS n FROM cells
            WHERE org_code IN ({marks}) AND value IS NOT NULL GROUP BY org_code
        )
        SELECT
            (SELECT coalesce(sum(n), 0) FROM r),
            (SELECT coalesce(sum(n), 0) FROM v),
            (SELECT count(*) FROM (SELECT org_code FROM r UNION SELECT org_code FROM v))
        """,
        (*codes, *codes),
    ).fetchone()
    return DataCounts(int(row[0]), int(row[1]), int(row[2]))


def data_version(store: Store) -> int:
    """SQLite's ``data_version`` of this connection: it changes after another connection
    (the GUI's writer thread, another program) commits, so a view can tell whether what
    it counted is still current without reading the data again."""
    return int(store.conn.execute("PRAGMA data_version").fetchone()[0])
