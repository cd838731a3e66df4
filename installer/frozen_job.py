"""A real job through the frozen program, compared with the program run from source.

    uv run python installer/frozen_job.py dist/jlip-desk/jlip-desk-cli

Both programs do the same work, each in its own scratch folder: a province installation
(init) with the demo data; blank templates and filled-in workbooks for every county of
one prefecture (template/export --all-counties); a second province installation that
imports that folder; its summary --json; and its consolidated report as a workbook and as
a PDF file. The summaries must match byte for byte, every workbook cell for cell (the
cells that state when a file was made excepted, see _TIMESTAMP), the PDF files in pages
and, when pdftotext is installed, in text. The start-up of both (a command that opens
the store and prints; the median of five, run in turns) is measured in the same run.

build.py runs it on the freshly built bundle; it exits 1 with the first difference.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2025Q4"
PREFECTURE = "220100"  # 长春市: eleven counties, enough for a folder import
TIMEOUT = 300
STARTUP_RUNS = 5
# A cell whose whole value is a date and time (when the workbook was written): the two
# runs write theirs seconds apart. Nothing else may differ.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


class JobError(Exception):
    """The frozen program failed, or did something the program from source did not."""


@dataclass
class Outcome:
    """What one program did: each step's exit status and output, and its files."""

    folder: Path
    codes: dict[str, int] = field(default_factory=dict)
    stdout: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "JLIP_DESK_DATA_DIR"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONUTF8"] = "1"  # the program from source; the frozen one has UTF-8 mode built in
    return env


def _run(program: list[str], args: list[str], cwd: Path, *, allowed: tuple[int, ...] = (0,)):
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [*program, *args],
            cwd=cwd,
            env=_env(),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise JobError(f"{' '.join(args[:3])} did not finish within {TIMEOUT} s") from exc
    elapsed = time.perf_counter() - started
    out = result.stdout.decode("utf-8", errors="replace")
    if result.returncode not in allowed:
        err = result.stderr.decode("utf-8", errors="replace")
        raise JobError(
            f"{' '.join(args)} exited {result.returncode}:\n{out[-2000:]}\n{err[-2000:]}"
        )
    return result.returncode, out, elapsed


STEPS: list[tuple[str, list[str], tuple[int, ...]]] = [
    ("init", ["--data-dir", "A", "init", "--org", "220000"], (0,)),
    ("demo", ["--data-dir", "A", "demo"], (0,)),
    ("template", ["--data-dir", "A", "template", "--all-counties", "--org", PREFECTURE,
                  "--period", PERIOD, "-o", "templates"], (0,)),
    ("export", ["--data-dir", "A", "export", "--all-counties", "--org", PREFECTURE,
                "--period", PERIOD, "-o", "exported"], (0,)),
    ("init B", ["--data-dir", "B", "init", "--org", "220000"], (0,)),
    # The demo leaves some periods empty on purpose: such a workbook is refused (exit 1),
    # the others are imported. Both programs must do the same.
    ("import", ["--data-dir", "B", "import", "exported"], (0, 1)),
    ("summary", ["--data-dir", "B", "summary", "--json", "--period", PERIOD], (0,)),
    ("report xlsx", ["--data-dir", "B", "report", "--period", PERIOD, "-o", "report.xlsx"], (0,)),
    ("report pdf", ["--data-dir", "B", "report", "--period", PERIOD, "-o", "report.pdf"], (0,)),
]  # fmt: skip


def run_job(program: list[str], folder: Path, label: str) -> Outcome:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "templates").mkdir()
    (folder / "exported").mkdir()
    outcome = Outcome(folder)
    for name, args, allowed in STEPS:
        code, out, seconds = _run(program, args, folder, allowed=allowed)
        outcome.codes[name], outcome.stdout[name], outcome.seconds[name] = code, out, seconds
        print(f"    {label} {name}: exit {code}, {seconds:.1f} s", flush=True)
    return outcome


def startup_seconds(frozen: list[str], source: list[str], folders: tuple[Path, Path]):
    """Median times of ``orgs --json`` (start, open the store, print, exit), frozen and
    from source, each on its own job's store B.

    The runs alternate, one of each in turn, so a machine busy with something else for a
    while (a build packing its bundle) slows both alike.
    """
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(STARTUP_RUNS):
        for index, program in enumerate((frozen, source)):
            times[index].append(
                _run(program, ["--data-dir", "B", "orgs", "--json"], folders[index])[2]
            )
    return statistics.median(times[0]), statistics.median(times[1])


def _cells(path: Path) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        return {
            sheet.title: [
                [None if _TIMESTAMP.match(str(v)) else v for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def compare_workbooks(frozen: Path, source: Path) -> None:
    a, b = _cells(frozen), _cells(source)
    if list(a) != list(b):
        raise JobError(f"{frozen.name}: sheets {list(a)} differ from {list(b)}")
    for sheet, rows in a.items():
        other = b[sheet]
        for r, (row, orow) in enumerate(zip(rows, other, strict=False), start=1):
            if row != orow:
                for c, (x, y) in enumerate(zip(row, orow, strict=False), start=1):
                    if x != y:
                        raise JobError(f"{frozen.name} {sheet}!R{r}C{c}: {x!r} vs {y!r}")
                raise JobError(f"{frozen.name} {sheet} row {r}: {len(row)} vs {len(orow)} cells")
        if len(rows) != len(other):
            raise JobError(f"{frozen.name} {sheet}: {len(rows)} rows vs {len(other)}")


def _pdf_pages(path: Path) -> int:
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise JobError(f"{path} is not a PDF file")
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def _pdf_text(path: Path) -> str | None:
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    result = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
    text = result.stdout.decode("utf-8", errors="replace")
    return "\n".join(line for line in text.splitlines() if not _has_time(line))


def _has_time(line: str) -> bool:
    return bool(re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", line))


def compare(frozen: Outcome, source: Outcome) -> list[str]:
    """Every comparison made, in a line each; JobError at the first difference."""
    done = []
    if frozen.codes != source.codes:
        raise JobError(f"exit statuses differ: frozen {frozen.codes}, source {source.codes}")
    if frozen.stdout["summary"] != source.stdout["summary"]:
        raise JobError("summary --json differs between the frozen program and the source")
    json.loads(frozen.stdout["summary"])
    done.append(f"summary --json: identical ({len(frozen.stdout['summary'])} characters)")
    for folder in ("templates", "exported"):
        names = sorted(p.name for p in (frozen.folder / folder).glob("*.xlsx"))
        if names != sorted(p.name for p in (source.folder / folder).glob("*.xlsx")) or not names:
            raise JobError(f"{folder}/: the two programs wrote different files: {names[:3]}")
        for name in names:
            compare_workbooks(frozen.folder / folder / name, source.folder / folder / name)
        done.append(f"{folder}/: {len(names)} workbooks, cell for cell identical")
    compare_workbooks(frozen.folder / "report.xlsx", source.folder / "report.xlsx")
    done.append("report.xlsx: cell for cell identical")
    pages = _pdf_pages(frozen.folder / "report.pdf")
    if pages != _pdf_pages(source.folder / "report.pdf") or pages == 0:
        raise JobError(f"report.pdf: {pages} pages frozen, another count from source")
    text = _pdf_text(frozen.folder / "report.pdf")
    if text is not None:
        if text != _pdf_text(source.folder / "report.pdf"):
            raise JobError("report.pdf: the text differs (pdftotext)")
        done.append(f"report.pdf: {pages} pages, same text (pdftotext)")
    else:
        done.append(f"report.pdf: {pages} pages (no pdftotext: text not compared)")
    return done


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("program", type=Path, help="the frozen console program")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-startup", action="store_true", help="the job only")
    which.add_argument(
        "--startup-only", action="store_true", help="only the start-up, on a store of its own"
    )
    args = parser.parse_args(argv)
    frozen = [str(args.program.resolve())]
    source = [sys.executable, str(ROOT / "main.py")]
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="jlip-frozen-job-", ignore_cleanup_errors=True) as tmp:
        folders = (Path(tmp) / "frozen", Path(tmp) / "source")
        try:
            if args.startup_only:
                for program, folder in zip((frozen, source), folders, strict=True):
                    folder.mkdir()
                    _run(program, ["--data-dir", "B", "init", "--org", "220000"], folder)
            else:
                a = run_job(frozen, folders[0], "frozen")
                b = run_job(source, folders[1], "source")
                for line in compare(a, b):
                    print(f"    same: {line}", flush=True)
                figures["job_frozen_seconds"] = round(sum(a.seconds.values()), 1)
                figures["job_source_seconds"] = round(sum(b.seconds.values()), 1)
            if not args.no_startup:
                startup_frozen, startup_source = startup_seconds(frozen, source, folders)
                ratio = startup_frozen / startup_source
                print(
                    f"    start-up (orgs --json, median of {STARTUP_RUNS}, in turns): frozen "
                    f"{startup_frozen:.2f} s, from source {startup_source:.2f} s, "
                    f"ratio {ratio:.2f} (target at most 1.2)",
                    flush=True,
                )
                figures |= {
                    "startup_frozen_seconds": round(startup_frozen, 3),
                    "startup_source_seconds": round(startup_source, 3),
                    "startup_ratio": round(ratio, 2),
                }
        except JobError as exc:
            print(f"FROZEN JOB FAILED: {exc}", file=sys.stderr, flush=True)
            return 1
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
