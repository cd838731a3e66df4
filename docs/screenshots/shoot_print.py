"""Take the printed-submission screenshot: a county's workbook as LibreOffice prints it.

Needs LibreOffice (``soffice``) and poppler-utils (``pdftoppm``); no display::

    uv run --offline python docs/screenshots/shoot_print.py

A demo county's 2025 fourth-quarter submission is exported, printed to PDF by
LibreOffice exactly as ``soffice --headless --convert-to pdf`` does, and the page
of its activity sheet is rendered to ``printed-submission.png``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submissions_all
from jlip_desk.services.installation import prepare
from jlip_desk.store.database import Store

HERE = Path(__file__).resolve().parent
PERIOD = Period(2025, 4)
COUNTY = "220302"  # 铁西区: five stations and two service points in the demo data
SHEET = "服务活动"
DPI = 110


def export(folder: Path) -> Path:
    store = Store.memory()
    prepare(store)
    generate(store, seed=7)
    try:
        [result] = export_submissions_all(store, PERIOD, folder, scope=COUNTY)
    finally:
        store.close()
    return result.path


def print_pdf(workbook: Path, folder: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    profile = folder / "lo-profile"
    subprocess.run(
        [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(folder), str(workbook)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return folder / (workbook.stem + ".pdf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNG file")
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory(prefix="jlip-print-") as tmp:
        folder = Path(tmp)
        workbook = export(folder)
        pdf = print_pdf(workbook, folder)
        # One printed page per sheet, in workbook order: the activity sheet's page.
        visible = [
            ws.title for ws in load_workbook(workbook).worksheets if ws.sheet_state == "visible"
        ]
        page = visible.index(SHEET) + 1
        target = args.out / "printed-submission"
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page),
             "-singlefile", str(pdf), str(target)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    print(f"wrote {target}.png (page {page} of the printed {workbook.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
