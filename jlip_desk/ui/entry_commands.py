"""Undo commands for the entry grid: one step per edited cell, pasted block or cleared range."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QUndoCommand

from jlip_desk.periods import Period
from jlip_desk.plan.model import Plan
from jlip_desk.services.entry import SaveResult, save_rows
from jlip_desk.store.cells import CellKey, StoredValue
from jlip_desk.store.database import Store

if TYPE_CHECKING:
    from jlip_desk.ui.entry_model import EntryModel


@dataclass(frozen=True, slots=True)
class CellChange:
    """One cell's stored value before the edit and the text typed or pasted into it."""

    key: CellKey
    field_id: str
    old: StoredValue
    new: str


def save_job(
    plan: Plan, form_id: str, period: Period, rows: dict[CellKey, dict[str, object]]
) -> Callable[[Store], list[SaveResult]]:
    """A writer job saving every row of one edit in a single transaction."""

    def job(store: Store) -> list[SaveResult]:
        return save_rows(store, plan, form_id, period, rows)

    return job


class EditCellsCommand(QUndoCommand):
    """Writes new values on redo and the previous stored values on undo.

    The first redo happens when the command is pushed, which is what saves an edit.
    """

    def __init__(self, model: EntryModel, changes: list[CellChange], text: str):
        super().__init__(text)
        self.model = model
        self.changes = changes

    def redo(self) -> None:
        self.model.write([(c.key, c.field_id, c.new) for c in self.changes])

    def undo(self) -> None:
        # Old values go back exactly as stored: bad text stays text, numbers numbers.
        self.model.write(
            [(c.key, c.field_id, "" if c.old is None else c.old) for c in self.changes]
        )


def paste_changes(model: EntryModel, row: int, column: int, text: str) -> list[CellChange]:
    """Changes for a tab/newline separated block pasted with its top-left at (row, column).

    Cells falling outside the grid or on read-only cells are skipped; each value is
    validated by the same checks as a typed one once it is saved.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # Excel ends a copied block with a newline
    changes: list[CellChange] = []
    for dr, line in enumerate(lines):
        target = row + dr
        while target >= model.rowCount() and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        if target >= model.rowCount():
            break
        for dc, cell in enumerate(line.split("\t")):
            field = model.field_at(column + dc)
            if field is None or not model.is_editable(target, column + dc):
                continue
            entry = model.row(target)
            changes.append(
                CellChange(entry.key, field.id, entry.values.get(field.id), cell.strip())
            )
    return changes
