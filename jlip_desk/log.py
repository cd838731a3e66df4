"""Logging to a rotating file in the data folder (a windowed app has no console)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from jlip_desk import paths

LOG_FILE = "jlip_desk.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def log_file() -> Path:
    return paths.logs_dir() / LOG_FILE


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
        handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    return target
