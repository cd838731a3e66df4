"""The screenshots the user guide shows are shipped with it, in resources/guide/images/."""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
GUIDE_IMAGES = HERE.parents[1] / "resources" / "guide" / "images"
SHOWN = {"registry-dialog.png", "entry-error.png", "entry-submit.png", "import-report.png"}


def ship(path: Path) -> None:
    """Copy a screenshot the guide shows next to it (only those taken into docs/screenshots)."""
    if path.name in SHOWN and path.resolve().parent == HERE:
        shutil.copyfile(path, GUIDE_IMAGES / path.name)
