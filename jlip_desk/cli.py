"""Entry point of ``jlip-desk``: the window when started without arguments, else a command.

Kept tiny on purpose: a double-click on the program must not pay for the
command-line parser before the window shows.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_REFUSED = 1  # the work was refused: bad input, a locked period, a wrong file
EXIT_USAGE = 2  # wrong usage of the command line


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if not arguments:
        from jlip_desk.ui.app import run_gui

        return run_gui()
    from jlip_desk.commands import run

    return run(arguments)
