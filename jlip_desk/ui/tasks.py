"""Work off the GUI thread: one writer thread owning the write connection, a pool for reads."""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from jlip_desk.errors import JlipError
from jlip_desk.store.database import Store

log = logging.getLogger(__name__)

# What the caller of a job that hit a bug is told (the crash dialog has the details).
INTERNAL_ERROR = JlipError("程序内部错误,操作未完成,数据未作改动", allowed="详情已写入日志文件")

Done = Callable[[Any], None]
Failed = Callable[[JlipError], None]


class _Job(NamedTuple):
    fn: Callable[[Store], Any]
    on_done: Done | None
    on_error: Failed | None
    kinds: tuple[str, ...] = ()


class Writer(QObject):
    """Runs every write, in order, on one thread with its own connection.

    After a write, ``data_changed`` names what changed so each view can decide
    whether to refresh (Anki's operation_did_execute).
    """

    data_changed = Signal(tuple)
    _finished = Signal(object, object)  # job, result
    _failed = Signal(object, object)  # job, error

    def __init__(self, store_path: Path | None):
        super().__init__()
        self._path = store_path
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._finished.connect(self._deliver)
        self._failed.connect(self._deliver_error)
        self._thread = threading.Thread(target=self._run, name="jlip-writer", daemon=True)
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._thread.start()

    def submit(
        self,
        fn: Callable[[Store], Any],
        *,
        kinds: tuple[str, ...] = (),
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> None:
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put(_Job(fn, on_done, on_error, kinds))

    def warm_up(self) -> None:
        """Open the write connection and load sqlite-utils before the first edit needs them."""
        self.submit(lambda store: store.db)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every submitted write has run (closing, tests)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        # Opened on the first job, not at start-up: the window shows without waiting.
        store: Store | None = None
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                try:
                    if store is None:
                        if self._path is None:
                            raise JlipError("数据库未打开")
                        store = Store.open(self._path, migrate=False)
                    result = job.fn(store)
                except JlipError as exc:
                    self._failed.emit(job, exc)
                except Exception:
                    # A bug: the crash dialog shows it and the log keeps it. The store
                    # is untouched (the job's transaction rolled back), so the writer
                    # goes on serving the next edit instead of dying, and the caller
                    # hears the job ended so no page waits for it forever.
                    sys.excepthook(*sys.exc_info())
                    self._failed.emit(job, INTERNAL_ERROR)
                else:
                    self._finished.emit(job, result)
                finally:
                    with self._lock:
                        self._pending -= 1
                        if self._pending == 0:
                            self._idle.set()
        finally:
            if store is not None:
                store.close()

    @Slot(object, object)
    def _deliver(self, job: _Job, result: Any) -> None:
        if job.on_done is not None:
            job.on_done(result)
        if job.kinds:
            self.data_changed.emit(job.kinds)

    @Slot(object, object)
    def _deliver_error(self, job: _Job, error: JlipError) -> None:
        if job.on_error is not None:
            job.on_error(error)
        else:
            from jlip_desk.ui.errors import show_error

            show_error(None, error)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


_running: set[BackgroundTask] = set()


class BackgroundTask(QRunnable):
    """A read or long job (export, dashboard query) on the pool; results come back by signal.

    Connect ``signals`` to bound methods of QObjects: Qt drops the connection when
    the receiver is destroyed, so a result arriving after its page closed is ignored.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any):
        super().__init__()
        # Python keeps the task (and its signals) alive until the result is delivered.
        self.setAutoDelete(False)
        self.fn, self.args = fn, args
        self.signals = _Signals()
        self.signals.done.connect(self._release)
        self.signals.failed.connect(self._release)
        self.cancelled = threading.Event()

    def _release(self, _result: object) -> None:
        _running.discard(self)

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except JlipError as exc:
            self.signals.failed.emit(exc)
        except Exception:
            sys.excepthook(*sys.exc_info())
            self.signals.failed.emit(INTERNAL_ERROR)
        else:
            self.signals.done.emit(result)

    def start(self) -> None:
        _running.add(self)
        QThreadPool.globalInstance().start(self)
