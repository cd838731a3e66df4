"""What every screen needs: the reading store, the plan, the bound org unit, the writer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from jlip_desk.services.installation import bound_org
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import OrgUnit
from jlip_desk.store.plans import plan_or_active
from jlip_desk.ui.tasks import Writer

if TYPE_CHECKING:
    from jlip_desk.plan.model import Plan


class AppContext(QObject):
    """Shared by the main window and its pages.

    ``store`` is the GUI thread's connection, for reads; every write goes through
    ``writer``, whose ``data_changed`` is re-emitted here.
    """

    data_changed = Signal(tuple)
    # A submission workbook was written: (org code, period text, path). Every page that
    # says what is left to do for that period hears of it, wherever it was exported.
    submission_exported = Signal(str, str, str)

    def __init__(self, store: Store, plan_id: str | None = None):
        super().__init__()
        self.store = store
        # The loaded plan the window shows (None: the active plan, the usual case).
        self._plan_id = plan_id
        self.writer = Writer(store.path)
        self.writer.data_changed.connect(self.data_changed)
        self._closed = False
        # The submission workbooks exported this session, by (org code, period text).
        self.exported: dict[tuple[str, str], Path] = {}

    def note_exported(self, org_code: str, period: str, path: Path) -> None:
        """Remember a submission workbook written this session and tell the pages."""
        self.exported[(org_code, period)] = path
        self.submission_exported.emit(org_code, period, str(path))

    @property
    def plan(self) -> Plan:
        return plan_or_active(self.store, self._plan_id)

    @property
    def viewed_plan_id(self) -> str | None:
        """The plan chosen to look at instead of the active one (None: the active plan)."""
        return self._plan_id

    @property
    def org(self) -> OrgUnit | None:
        return bound_org(self.store)

    @property
    def closed(self) -> bool:
        """After close(), or once the store is closed: a late background result is dropped."""
        return self._closed or self.store.closed

    def close(self) -> None:
        self._closed = True
        self.writer.close()
        self.store.close()
