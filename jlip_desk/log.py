"""Logging to a rotating file in the data folder (a windowed app has no console)."""

from __future__ import annotations

import logging
from pathlib import Path

from jlip_desk import paths

LOG_FILE = "jlip_desk.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def log_file() -> Path:
    return paths.logs_dir() / LOG_FILE


class RotatingFile(logging.FileHandler):
    """A size-rotated log file (``.log``, ``.log.1`` … ``.log.5``).

    The standard RotatingFileHandler lives in ``logging.handlers``, which imports
    socket, pickle and queue: a tenth of the window's start-up for one feature.
    """

    def __init__(self, path: Path, max_bytes: int = 1_000_000, backups: int = 5) -> None:
        super().__init__(path, encoding="utf-8", delay=False)
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() >= self.max_bytes:
                self._rotate()
        except OSError:
            self.handleError(record)
        super().emit(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
        base = Path(self.baseFilename)
        for index in range(self.backups - 1, 0, -1):
            older = base.with_name(f"{base.name}.{index}")
            if older.exists():
                older.replace(base.with_name(f"{base.name}.{index + 1}"))
        base.replace(base.with_name(f"{base.name}.1"))
        self.stream = self._open()


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Send log records to ``logs/jlip_desk.log`` (1 MB x 5 files); returns the file path.

    Returns None when the folder cannot be written: logging must never stop the app.
    """
    root = logging.getLogger()
    root.setLevel(level)
    target = log_file()
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == target:
            return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFile(target)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    return target
