"""Where things live: the data folder (store, logs, backups) and the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "JLIP Desk"
ORG_NAME = "JLIP"
DATA_DIR_ENV = "JLIP_DESK_DATA_DIR"
STORE_FILE = "jlip_desk.sqlite3"
# Portable mode: this file beside the frozen program's executable keeps the data in
# PORTABLE_DATA_DIR beside it too (a USB stick, an office where installing is blocked).
PORTABLE_MARKER = "jlip-desk-portable.txt"
PORTABLE_DATA_DIR = "data"

_override: Path | None = None


def set_data_dir(path: Path | str | None) -> None:
    """Use ``path`` as the data folder for this process (``--data-dir``)."""
    global _override  # noqa: PLW0603 - one process-wide override, set once at start-up
    _override = Path(path).expanduser().resolve() if path is not None else None


def program_dir() -> Path | None:
    """The folder of the frozen program's executable; None when run from source."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(sys.executable).resolve().parent


def portable_data_dir() -> Path | None:
    """``data/`` beside the frozen program when :data:`PORTABLE_MARKER` is there too."""
    folder = program_dir()
    if folder is None or not (folder / PORTABLE_MARKER).is_file():
        return None
    return folder / PORTABLE_DATA_DIR


def default_data_dir() -> Path:
    """The data folder when neither ``--data-dir`` nor the variable names one.

    The portable folder beside the program when the marker is there, else the per-user one.
    """
    return portable_data_dir() or user_data_dir()


def user_data_dir() -> Path:
    """The per-user application data folder, the same one Qt's AppDataLocation names.

    Computed without Qt so the core and the command line can use it; the GUI
    reaches the same folder (``%APPDATA%/JLIP/JLIP Desk`` on Windows).
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / ORG_NAME / APP_NAME


def data_dir() -> Path:
    """The data folder in use: ``--data-dir``, else ``$JLIP_DESK_DATA_DIR``, else the default.

    The default is the portable folder beside a frozen program with the marker file, else
    the per-user folder.
    """
    if _override is not None:
        return _override
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def store_path() -> Path:
    return data_dir() / STORE_FILE


def backups_dir() -> Path:
    return data_dir() / "backups"


def logs_dir() -> Path:
    return data_dir() / "logs"


def _bundle_root() -> Path:
    """The folder holding ``resources/``, ``db/`` and ``ui/``.

    A frozen build unpacks them next to the program (``sys._MEIPASS``); a wheel
    carries them inside the package as ``_data``; a source checkout has them at
    the top of the repository.
    """
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    package = Path(__file__).resolve().parent
    if (package / "_data" / "resources").is_dir():
        return package / "_data"
    return package.parent


def resources_dir() -> Path:
    return _bundle_root() / "resources"


def migrations_dir() -> Path:
    return _bundle_root() / "db"


def ui_dir() -> Path:
    return _bundle_root() / "ui"


def plans_dir() -> Path:
    return resources_dir() / "plans"


def default_plan_file() -> Path:
    return plans_dir() / "jilin-ip-14.toml"


def divisions_file() -> Path:
    return resources_dir() / "reference" / "jilin-divisions.csv"
