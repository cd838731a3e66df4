"""Names of what a write changed, carried by ``AppContext.data_changed`` to every view.

Each view refreshes only for the kinds it shows; one vocabulary for all writers.
"""

from __future__ import annotations

RECORDS = "records"  # registry records added, edited or closed
VALUES = "values"  # periodic figures written other than by the entry grid (imports)
ENTRY_CELLS = "entry_cells"  # figures typed in the entry grid (which re-reads its own rows)
PERIOD_STATUS = "period_status"  # submitted, unlocked, accepted, returned
OUTLIER_CONFIRMED = "outlier_confirmed"

IMPORTED = (RECORDS, VALUES, PERIOD_STATUS)
