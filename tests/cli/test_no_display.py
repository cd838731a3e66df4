"""`jlip-desk` with no display says so in one Chinese line (issue 10).

On main Qt aborted with its own English "could not connect to display".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a display is a Linux matter")
def test_the_window_without_a_display_names_the_problem_and_the_way_out(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [sys.executable, "-m", "jlip_desk", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "没有可用的图形显示" in lines[0] and "命令行不需要显示" in lines[0]
    assert "could not connect" not in done.stderr and "Aborted" not in done.stderr
