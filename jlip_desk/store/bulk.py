"""Multi-row INSERTs: one statement per batch of rows instead of one per row."""

from __future__ import annotations

from collections.abc import Sequence

from jlip_desk.store.database import Store

__all__ = ["insert_rows"]

# Rows per statement. executemany steps one statement per row; a multi-row VALUES
# list does the same work in about half the time. 100 rows x a dozen columns stays
# far below SQLite's limit on bound parameters (32,766).
BATCH_ROWS = 100


def insert_rows(store: Store, head: str, row_sql: str, rows: Sequence[Sequence[object]]) -> None:
    """Run ``head VALUES row_sql, row_sql, ...`` over ``rows`` in batches.

    ``head`` is ``INSERT INTO table (columns)``; ``row_sql`` the placeholder group of
    one row, such as ``(?, ?, 0, ?)``. Triggers and constraints run for every row as
    with single-row inserts. Call inside ``store.atomic()`` to make it all or nothing.
    """
    full: str | None = None
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        if len(batch) == BATCH_ROWS:
            full = full or f"{head} VALUES {', '.join([row_sql] * BATCH_ROWS)}"
            sql = full
        else:
            sql = f"{head} VALUES {', '.join([row_sql] * len(batch))}"
        store.conn.execute(sql, [value for row in batch for value in row])
