"""Regenerate the form modules from ``ui/*.ui`` with pyside6-uic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jlip_desk import paths

FORMS = Path(__file__).resolve().parent


def uic_command() -> list[str]:
    exe = Path(sys.executable).with_name("pyside6-uic")
    return [str(exe) if exe.exists() else "pyside6-uic", "--from-imports"]


def generate(ui_file: Path) -> str:
    result = subprocess.run(
        [*uic_command(), str(ui_file)], check=True, capture_output=True, text=True, encoding="utf-8"
    )
    return result.stdout


def target_for(ui_file: Path) -> Path:
    return FORMS / f"ui_{ui_file.stem}.py"


def main() -> int:
    for ui_file in sorted(paths.ui_dir().glob("*.ui")):
        target_for(ui_file).write_text(generate(ui_file), encoding="utf-8")
        print(f"{ui_file.name} -> {target_for(ui_file).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
