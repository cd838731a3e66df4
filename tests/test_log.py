"""The log file rotates by size and keeps a bounded number of old files."""

from __future__ import annotations

import logging
from pathlib import Path

from jlip_desk.log import RotatingFile


def test_rotates_and_keeps_five(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    handler = RotatingFile(path, max_bytes=200, backups=5)
    logger = logging.getLogger("rotation-test")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for i in range(200):
            logger.warning("line %03d %s", i, "x" * 40)
    finally:
        logger.removeHandler(handler)
        handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["app.log", *(f"app.log.{i}" for i in range(1, 6))]
    assert "line 199" in path.read_text(encoding="utf-8")
    assert all(p.stat().st_size < 400 for p in tmp_path.iterdir())
