"""The one gate every change to the data passes: permission, period state, one transaction.

The entry grid, the registry, import, the period life cycle and demo data all write
through here (the life cycle's own steps through :mod:`period_status`, which this
module calls for imports). A test fails when any other module imports the store's
write functions. What a write changed is returned as counts and codes that the
GUI maps onto its one vocabulary of change kinds (``ui/changes.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from jlip_desk.periods import Period, parse_period
from jlip_desk.plan.model import Plan, Registry
from jlip_desk.services import period_status
from jlip_desk.services.installation import require_edit
from jlip_desk.store import cells, confirmations, records, submissions
from jlip_desk.store.cells import CellKey, CellUpdate, NewCell, StoredValue, store_has_values
from jlip_desk.store.database import Store
from jlip_desk.store.status import write_status

__all__ = [
    "DemoWrite",
    "ImportWrite",
    "RecordWrite",
    "apply_import",
    "begin_demo",
    "changing",
    "confirm_value",
    "demo_status",
    "write_record",
    "write_rows",
]


@contextmanager
def changing(store: Store, action: str, **details: str | None) -> Iterator[int]:
    """One transaction and its change record (action, file, note); yields the change id."""
    with store.atomic():
        yield store.new_change(action, **details)


def _require_open(store: Store, plan_id: str, org_code: str, period: str) -> None:
    if period:  # registry attributes ('' period) are not bound to a period's state
        period_status.require_open(store, plan_id, org_code, parse_period(period))


def write_rows(
    store: Store,
    rows: Mapping[CellKey, Mapping[str, StoredValue]],
    *,
    note: str | None = None,
    demo: DemoWrite | None = None,
) -> int:
    """Write values of some rows (each keyed by its cell key) in one transaction.

    Every org unit must be editable here and every period open. Values are written
    as given (already in stored form: text that does not parse stays text, and the
    validator reports it). Returns how many values changed.
    """
    if demo is None:
        for key in rows:
            require_edit(store, key.org_code)
    changed = 0
    with store.atomic():
        change = demo.change_id if demo else store.new_change("typed", note=note)
        checked: set[tuple[str, str, str]] = set()
        for key in rows:  # inside the transaction, so a submit cannot slip in between
            if (key.plan_id, key.org_code, key.period) not in checked:
                checked.add((key.plan_id, key.org_code, key.period))
                _require_open(store, key.plan_id, key.org_code, key.period)
        for key, values in rows.items():
            changed += cells.write_values(store, key, values, change, demo=demo is not None)
    return changed


@dataclass(frozen=True, slots=True)
class DemoWrite:
    """Demo data being written into an empty store, in one transaction (the change id).

    The only writer not bound by this installation's org scope: the store is empty
    and unbound, which :func:`begin_demo` checks.
    """

    change_id: int


@contextmanager
def begin_demo(store: Store, note: str) -> Iterator[DemoWrite]:
    """The transaction demo data is written in; refused unless the store holds no data."""
    from jlip_desk.errors import NotAllowedError

    if store_has_values(store):
        raise NotAllowedError(
            "数据库中已有数据,演示数据只能写入空数据库",
            where="演示数据",
            allowed="使用 --data-dir 指定一个新的数据文件夹",
        )
    with changing(store, "demo", note=note) as change:
        yield DemoWrite(change)


@dataclass(frozen=True, slots=True)
class RecordWrite:
    code: str
    changed: int


def write_record(
    store: Store,
    plan: Plan,
    registry: Registry,
    org_code: str,
    values: Mapping[str, StoredValue],
    *,
    code: str | None = None,
    note: str | None = None,
    demo: DemoWrite | None = None,
) -> RecordWrite:
    """Add a record (``code`` None: the next free code) or change one's attributes.

    The caller has checked the values with the validator; registry attributes belong
    to no period, so no period state applies (see the registry service for what a
    change means to locked periods).
    """
    if demo is None:
        require_edit(store, org_code)
    with store.atomic():
        change = demo.change_id if demo else store.new_change("typed", note=note)
        flag = demo is not None
        if code is None:
            new = records.create_record(
                store, plan.id, registry, org_code, values, change, demo=flag
            )
            return RecordWrite(new, sum(v is not None for v in values.values()))
        key = records.record_key(records.get_record(store, code))  # kept under its home plan
        return RecordWrite(code, cells.write_values(store, key, values, change, demo=flag))


def confirm_value(
    store: Store, key: CellKey, field_id: str, value: StoredValue, comment: str
) -> None:
    """Keep the user's confirmation of an outlier warning (the period must be open)."""
    require_edit(store, key.org_code)
    with changing(store, "typed", note=f"确认异常值:{comment}") as change:
        _require_open(store, key.plan_id, key.org_code, key.period)
        confirmations.add_confirmation(store, key, field_id, value, comment, change)


@dataclass(slots=True)
class ImportWrite:
    """What an import writes for one org unit's period, decided by the import service."""

    plan: Plan
    org_code: str
    period: Period
    # New records: registry id -> [(code, values)].
    new_records: dict[str, list[tuple[str, dict[str, StoredValue]]]]
    inserts: list[NewCell]
    updates: list[CellUpdate]
    file_name: str
    file_sha256: str
    data_sha256: str
    export_sha256: str | None
    exported_at: str | None
    base_revision: int | None
    values_changed: int
    note: str
    # False for the unit's own copy of a period its superior returned: the values
    # come in, the period stays returned until the unit hands it in again.
    submit: bool = True


def apply_import(store: Store, write: ImportWrite) -> int:
    """Write one checked workbook, record it as the next revision and submit the period.

    All or nothing. The import service has validated the data as it will be after
    this write, with the one validator, and checked the period's state; both are
    checked again here inside the transaction. Returns the revision number.
    """
    plan, org, period = write.plan, write.org_code, write.period
    require_edit(store, org)
    with changing(store, "imported", source_file=write.file_name,
                  source_sha256=write.file_sha256, note=write.note) as change:  # fmt: skip
        period_status.require_open(store, plan.id, org, period)
        for registry_id, new in write.new_records.items():
            records.create_records_with_codes(
                store, plan.id, plan.registry(registry_id), org, new, change
            )
        for plan_id, inserts in _by_home(store, plan, write.inserts).items():
            cells.insert_cells(store, plan_id, org, inserts, change)
        cells.update_cells(store, write.updates, change)
        revision = submissions.add_submission(
            store,
            plan_id=plan.id,
            plan_version=plan.version,
            org_code=org,
            period=str(period),
            file_name=write.file_name,
            file_sha256=write.file_sha256,
            data_sha256=write.data_sha256,
            export_sha256=write.export_sha256,
            exported_at=write.exported_at,
            base_revision=write.base_revision,
            values_changed=write.values_changed,
            change_id=change,
        )
        if write.submit:
            period_status.transition(
                store, plan, org, period, "submit", change_id=change, checked=True
            )
    return revision


def _by_home(store: Store, plan: Plan, inserts: list[NewCell]) -> dict[str, list[NewCell]]:
    """New cells by the plan they are kept under: a registry's attributes (no period)
    under the registry's home plan, everything else under ``plan``."""
    out: dict[str, list[NewCell]] = {}
    homes: dict[str, str] = {}
    for cell in inserts:
        form, period = cell[0], cell[1]
        if period:
            home = plan.id
        elif form in homes:
            home = homes[form]
        else:
            home = homes[form] = records.home_plan(store, plan.id, form)
        out.setdefault(home, []).append(cell)
    return out


def demo_status(
    store: Store, plan: Plan, entries: Sequence[tuple[str, Period, str]], demo: DemoWrite
) -> None:
    """Demo data's reporting states, written in the demo's own transaction."""
    for org_code, period, state in entries:
        write_status(store, plan.id, org_code, str(period), state, None, demo.change_id, demo=True)
