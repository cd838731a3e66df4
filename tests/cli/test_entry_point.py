"""The entry point: one import direction, a light window start, and no traceback for a script."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from jlip_desk import commands
from jlip_desk.cli import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OK, EXIT_REFUSED, main
from jlip_desk.log import log_file

if TYPE_CHECKING:
    from tests.cli.conftest import Cli


def _python(code: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JLIP_DESK_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=60,
    )


def test_commands_do_not_import_the_entry_point(tmp_path: Path) -> None:
    result = _python(
        """
        import sys
        import jlip_desk.commands
        print("jlip_desk.cli" in sys.modules)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_starting_the_window_imports_no_command_line_parser(tmp_path: Path) -> None:
    # A stand-in for the window: the real one pulls argparse in through PySide6 itself.
    result = _python(
        """
        import sys, types
        fake = types.ModuleType("jlip_desk.ui.app")
        fake.run_gui = lambda: 7
        sys.modules["jlip_desk.ui.app"] = fake
        from jlip_desk.cli import main
        code = main([])
        print(code, "argparse" in sys.modules, "jlip_desk.commands" in sys.modules)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "False", "False"]


def _raising(exc: BaseException) -> object:
    def handler(_args: object) -> int:
        raise exc

    return handler


def test_a_bug_is_logged_with_its_traceback_and_shown_in_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setitem(commands.COMMANDS, "check", _raising(RuntimeError("boom")))
    result = cli("check")
    assert result.code == EXIT_REFUSED
    assert len(result.err_lines) == 1
    line = result.err_lines[0]
    assert line.startswith("错误:程序内部错误") and str(data_dir) in line
    assert "Traceback" not in result.err and "boom" not in result.err
    logged = log_file().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in logged and "RuntimeError: boom" in logged


def test_an_expected_problem_keeps_its_message(cli: Cli) -> None:
    result = cli("init", "--org", "999999")
    assert result.code == EXIT_REFUSED
    assert result.err_lines == [
        "错误:单位代码: 行政区划代码“999999”不存在(要求:吉林省的省、市(州)、县(市、区)代码)"
    ]


def test_ctrl_c_exits_130_quietly(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(commands.COMMANDS, "check", _raising(KeyboardInterrupt()))
    result = cli("check")
    assert result == (EXIT_INTERRUPTED, "", "")


def test_a_closed_pipe_exits_quietly(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(commands.COMMANDS, "orgs", _raising(BrokenPipeError()))
    result = cli("orgs")
    assert result == (EXIT_BROKEN_PIPE, "", "")


def test_output_into_a_closed_pipe_leaves_no_traceback(tmp_path: Path) -> None:
    """``jlip-desk orgs | head -0``: the reader is gone before anything is written."""
    env = {**os.environ, "JLIP_DESK_DATA_DIR": str(tmp_path / "d")}
    process = subprocess.Popen(
        [sys.executable, "-m", "jlip_desk", "orgs", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read().decode("utf-8")
    process.stderr.close()
    assert process.wait(timeout=60) == EXIT_BROKEN_PIPE
    assert err == ""


@pytest.mark.parametrize("stream", ["stdout", "stderr", "both"])
def test_a_windowed_build_without_console_streams_does_not_crash(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, stream: str
) -> None:
    for name in ("stdout", "stderr") if stream == "both" else (stream,):
        monkeypatch.setattr(sys, name, None)
    assert cli("orgs", "--json").code == EXIT_OK
    assert cli("plan", "show").code == EXIT_OK
    assert cli("init", "--org", "999999").code == EXIT_REFUSED
    assert cli("--help").code == EXIT_OK
    assert cli("init").code == 2
    assert "refused" in log_file().read_text(encoding="utf-8")
    # Nothing stays substituted: the streams are what they were.
    for name in ("stdout", "stderr") if stream == "both" else (stream,):
        assert getattr(sys, name) is None


def test_a_bug_without_stderr_is_still_logged(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setitem(commands.COMMANDS, "check", _raising(RuntimeError("quiet boom")))
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["--data-dir", str(data_dir), "check"]) == EXIT_REFUSED
    assert "RuntimeError: quiet boom" in log_file().read_text(encoding="utf-8")


def test_exceptions_python_can_only_ignore_go_to_the_log(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A half-written workbook's generators fail as they are closed, after the error."""

    class Unclosable:
        def __del__(self) -> None:
            raise ValueError("I/O operation on closed file.")

    def handler(_args: object) -> int:
        Unclosable()
        return EXIT_OK

    monkeypatch.setitem(commands.COMMANDS, "check", handler)
    before = sys.unraisablehook
    result = cli("check")
    assert result == (EXIT_OK, "", "")
    assert "I/O operation on closed file" in log_file().read_text(encoding="utf-8")
    assert sys.unraisablehook is before
