"""Entry point of ``jlip-desk``: the window when started without arguments, else a command.

Kept tiny on purpose: a double-click on the program must not pay for the
command-line parser before the window shows. The commands live in
``jlip_desk.commands``, imported only when there are arguments.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from jlip_desk.exit_codes import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
)

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the window or a command; never lets a traceback or a dialog block a script."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        if not arguments:
            from jlip_desk.ui.app import run_gui

            return run_gui()
        from jlip_desk.commands import run

        code = run(arguments)
        if sys.stdout is not None:
            sys.stdout.flush()  # a closed pipe fails here, not in the interpreter's last flush
        return code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        return _crashed(exc, arguments)


def _discard_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush cannot fail again."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass  # no real file behind stdout: nothing will be flushed to the closed pipe


def _crashed(exc: Exception, arguments: list[str]) -> int:
    """A bug: the traceback goes to the log file, one Chinese line to stderr."""
    import contextlib
    import logging

    from jlip_desk.log import setup_logging

    log_path = setup_logging()
    if log_path is not None:
        logging.getLogger(__name__).exception("unexpected error; arguments %s", arguments)
        where = f"详细信息已写入日志 {log_path}"
    else:  # without a log file this line is all that is left of the bug
        where = f"日志文件无法写入:{type(exc).__name__}: {exc}"
    if sys.stderr is not None:
        with contextlib.suppress(OSError):  # stderr is gone too; the log has it
            print(f"错误:程序内部错误,操作未完成。{where}", file=sys.stderr)
    return EXIT_REFUSED
