"""Launcher for the frozen build (PyInstaller's entry script) and for ``python main.py``."""

import sys

from jlip_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
