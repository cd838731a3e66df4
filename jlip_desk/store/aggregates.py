"""Read-only numeric reads over the values table for the progress report."""

from __future__ import annotations

from collections.abc import Sequence

from jlip_desk.store.database import Store

__all__ = [
    "field_totals",
    "has_demo_values",
    "org_value",
    "quarters_with_data",
    "sums_by_org",
]

# Text and empty values are skipped by every sum: only what SQLite stores as a number counts.
_NUMERIC = "typeof(value) IN ('integer', 'real')"


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def quarters_with_data(store: Store, plan_id: str, forms: Sequence[str]) -> list[str]:
    """The distinct quarter periods (``2025Q4``) holding any value of ``forms``, unordered."""
    return [
        row[0]
        for row in store.conn.execute(
            f"SELECT DISTINCT period FROM cells WHERE plan_id = ? AND period LIKE '%Q%' "
            f"AND form IN ({_marks(forms)})",
            [plan_id, *forms],
        )
    ]


def has_demo_values(store: Store) -> bool:
    """Whether any value in the store was written by the demo generator."""
    return store.conn.execute("SELECT 1 FROM cells WHERE demo = 1 LIMIT 1").fetchone() is not None


def org_value(
    store: Store, plan_id: str, form: str, org_code: str, period: str, field: str
) -> float | None:
    """The numeric value of one field reported for the org unit itself (no subject).

    ``None`` when there is no value or it is not a number.
    """
    row = store.conn.execute(
        "SELECT value FROM cells WHERE plan_id = ? AND form = ? AND org_code = ? AND period = ? "
        f"AND subject = '' AND field = ? AND {_NUMERIC}",
        (plan_id, form, org_code, period, field),
    ).fetchone()
    return None if row is None else float(row[0])


def sums_by_org(
    store: Store, plan_id: str, form: str, period: str, field: str, org_codes: Sequence[str]
) -> dict[str, float]:
    """Numeric values of one field per org unit, summed over subjects, for one period.

    Org units without a numeric value are absent from the result.
    """
    return {
        org_code: float(total)
        for org_code, total in store.conn.execute(
            f"SELECT org_code, SUM(value) FROM cells WHERE plan_id = ? AND form = ? AND period = ? "
            f"AND field = ? AND {_NUMERIC} "
            f"AND org_code IN ({_marks(org_codes)}) GROUP BY org_code",
            [plan_id, form, period, field, *org_codes],
        )
    }


def field_totals(
    store: Store, plan_id: str, form: str, periods: Sequence[str], org_codes: Sequence[str]
) -> dict[str, float]:
    """Numeric values of one form per field, summed over ``periods``, ``org_codes`` and subjects.

    Fields without a numeric value are absent from the result.
    """
    return {
        field: float(total)
        for field, total in store.conn.execute(
            f"SELECT field, SUM(value) FROM cells WHERE plan_id = ? AND form = ? "
            f"AND period IN ({_marks(periods)}) "
            f"AND org_code IN ({_marks(org_codes)}) "
            f"AND {_NUMERIC} GROUP BY field",
            [plan_id, form, *periods, *org_codes],
        )
    }
