"""The ``cli`` fixture: run ``jlip-desk`` in-process against the test's own data folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from jlip_desk.cli import main


class Result(NamedTuple):
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


Cli = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], data_dir: Path) -> Cli:
    """``cli("init", "--org", "220102")``: exit code, stdout and stderr of one command."""

    def run(*args: str) -> Result:
        code = main(["--data-dir", str(data_dir), *args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run
