"""Fuzzing: valid submissions, mutated, are either accepted with the data they show or
refused with a report; never an exception, never past a time or memory limit, and a
refusal leaves every table of the store as it was.

Mutations, one to several per file: cells given other values and types (the hidden
_meta sheet too), rows removed or duplicated, sheets swapped, renamed, hidden, removed
or copied ("服务活动(2)"), XML parts garbled or dropped, a cell placed far away, the
zip truncated or its bytes flipped. Each file is imported by a child process
(tests/excel/fuzz_worker.py) under an address-space limit, with a timeout per file.

CI runs a bounded, reproducible set of examples; ``JLIP_FUZZ_EXAMPLES=2000`` runs a
long, random one on demand.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import select
import subprocess
import sys
import time
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jlip_desk.excel.layout import ORG, SheetKind, SheetSpec, sheets_for
from jlip_desk.periods import Period, parse_period
from jlip_desk.services.excel import export_submission
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import get_org
from jlip_desk.store.plans import active_plan

COUNTY = "220302"  # five workstations: rows to remove, duplicate and change
BASES = {"quarter": Period(2025, 3), "annual": Period(2025)}
DEFAULT_EXAMPLES = 30
EXAMPLES = int(os.environ.get("JLIP_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
LONG_RUN = "JLIP_FUZZ_EXAMPLES" in os.environ
MEMORY_LIMIT = 2 * 2**30
TIME_LIMIT = 20.0  # seconds per file, including the store around it
WORKER = Path(__file__).with_name("fuzz_worker.py")


def _load_builders() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "data" / "build_hostile.py"
    spec = importlib.util.spec_from_file_location("build_hostile", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_hostile = _load_builders()


# --- the child that imports --------------------------------------------------------


class Worker:
    """One long-lived child process; restarted after it dies or overruns."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        env = {**os.environ, "RUST_BACKTRACE": "0", "QT_QPA_PLATFORM": "offscreen"}
        return subprocess.Popen(
            [sys.executable, str(WORKER), str(MEMORY_LIMIT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", env=env,
        )  # fmt: skip

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        proc = self.proc
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], TIME_LIMIT)
        if not ready:
            self.stop()
            pytest.fail(f"importing {request['path']} took longer than {TIME_LIMIT} s")
        line = proc.stdout.readline()
        if not line:
            code = proc.wait()
            stderr = proc.stderr.read() if proc.stderr else ""
            self.proc = None
            pytest.fail(f"the import crashed the process (exit {code}): {stderr[-2000:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@dataclass(frozen=True)
class Base:
    path: Path
    period: Period
    preload: Path  # a valid submission of the other period, in the store beforehand


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Base]:
    from jlip_desk.services.demo import generate
    from jlip_desk.services.installation import prepare

    folder = tmp_path_factory.mktemp("fuzz_bases")
    store = Store.memory()
    try:
        prepare(store)
        generate(store, seed=7)
        paths = {k: export_submission(store, COUNTY, p, folder).path for k, p in BASES.items()}
    finally:
        store.close()
    other = {"quarter": "annual", "annual": "quarter"}
    return {k: Base(p, BASES[k], paths[other[k]]) for k, p in paths.items()}


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    child = Worker()
    yield child
    child.stop()


@pytest.fixture(scope="module")
def layouts() -> Any:
    """The sheets the plan lays out for the county, by period (the expected reading)."""
    from jlip_desk.services.installation import prepare

    store = Store.memory()
    prepare(store)
    plan, org = active_plan(store), get_org(store, COUNTY)
    cache: dict[str, list[SheetSpec]] = {}

    def specs(period: str) -> list[SheetSpec]:
        if period not in cache:
            cache[period] = list(sheets_for(plan, org, parse_period(period)))
        return cache[period]

    yield specs
    store.close()


# --- mutations ----------------------------------------------------------------------

TEXTS = ["", " ", "12", " 7 ", "1e3", "12.0", "1,000", "１２", "-3", "abc", "=1+1",
         "=SUM(D3:D9)", "=1/0", "#N/A", "TRUE", "2025-13-01", "220302-WS-001",
         "220302-WS-999", "220302-SP-001", "2025Q3", "2025Q4", "2024", "2025", "220102",
         "220302", "jilin-ip-14", "1.0", "2", "submission", "template", "9" * 30]  # fmt: skip
cell_values = st.one_of(
    st.integers(-10, 200),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(TEXTS),
    st.text(max_size=40),
    st.booleans(),
    st.none(),
    st.datetimes(min_value=__import__("datetime").datetime(1900, 3, 1)),
)
sheet_i = st.integers(0, 7)  # modulo the number of sheets (the hidden _meta included)
rows = st.integers(1, 12)
book_ops = st.one_of(
    st.tuples(st.just("set"), sheet_i, rows, st.integers(1, 16), cell_values),
    st.tuples(st.just("set"), sheet_i, rows, st.integers(1, 16), cell_values),
    st.tuples(st.just("delete_row"), sheet_i, st.integers(2, 9)),
    st.tuples(st.just("duplicate_row"), sheet_i, st.integers(2, 9)),
    st.tuples(st.just("copy_sheet"), sheet_i, st.sampled_from(["(2)", " (2)", "2", "副本"])),
    st.tuples(st.just("swap_order"), sheet_i, sheet_i),
    st.tuples(st.just("swap_names"), sheet_i, sheet_i),
    st.tuples(
        st.just("rename"), sheet_i, st.sampled_from(["Sheet1", "服务活动 ", "数据", "_lists"])
    ),
    st.tuples(st.just("hide"), sheet_i),
    st.tuples(st.just("remove_sheet"), sheet_i),
)
byte_ops = st.one_of(
    st.tuples(
        st.just("garble"), st.integers(0, 40),
        st.sampled_from(["truncate", "insert", "cut", "angle", "flip"]),
        st.floats(0, 1), st.binary(min_size=1, max_size=8),
    ),
    st.tuples(st.just("drop_part"), st.integers(0, 40)),
    st.tuples(
        st.just("far_cell"), st.integers(1, 5),
        st.one_of(st.integers(1, 300), st.integers(1, 16384)),
        st.one_of(st.integers(1, 5000), st.integers(1, 1_048_576)),
        st.sampled_from([b"<v>1</v>", b"", b'<is><t>x</t></is>']),
    ),
    st.tuples(st.just("truncate_zip"), st.floats(0, 1)),
    st.tuples(st.just("flip_zip"), st.floats(0, 1), st.integers(1, 255)),
)  # fmt: skip


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def clean(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def apply_book(data: bytes, ops: list[tuple[Any, ...]]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for op in ops:
        sheets = wb.worksheets
        ws = sheets[op[1] % len(sheets)]
        kind = op[0]
        if kind == "set":
            ws.cell(row=op[2], column=op[3]).value = clean(op[4])
        elif kind == "delete_row":
            ws.delete_rows(op[2])
        elif kind == "duplicate_row":
            values = [c.value for c in ws[op[2]]]
            ws.insert_rows(op[2] + 1)
            for column, value in enumerate(values, 1):
                ws.cell(row=op[2] + 1, column=column).value = value
        elif kind == "copy_sheet":
            copy = wb.copy_worksheet(ws)
            copy.title = (ws.title + op[2])[:31]
        elif kind == "swap_order":
            i, j = op[1] % len(sheets), op[2] % len(sheets)
            wb._sheets[i], wb._sheets[j] = wb._sheets[j], wb._sheets[i]
        elif kind == "swap_names":
            other = sheets[op[2] % len(sheets)]
            if other is not ws:
                a, b = ws.title, other.title
                ws.title, other.title, ws.title = "__swap__", a, b
        elif kind == "rename":
            if op[2] not in wb.sheetnames:
                ws.title = op[2]
        elif kind == "hide":
            if sum(s.sheet_state == "visible" for s in sheets) > 1:
                ws.sheet_state = "hidden"
        elif kind == "remove_sheet" and len(sheets) > 1:
            wb.remove(ws)
    if all(s.sheet_state != "visible" for s in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"
    wb.active = next(i for i, s in enumerate(wb.worksheets) if s.sheet_state == "visible")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def garble(xml: bytes, how: str, at: float, junk: bytes) -> bytes:
    pos = int(at * len(xml))
    if how == "truncate":
        return xml[:pos]
    if how == "insert":
        return xml[:pos] + junk + xml[pos:]
    if how == "cut":
        return xml[:pos] + xml[pos + 1 + len(junk) * 8 :]
    if how == "angle":
        angles = [m.start() for m in re.finditer(rb"[<>]", xml)]
        if not angles:
            return xml
        hit = angles[int(at * (len(angles) - 1))]
        return xml[:hit] + junk[:1] + xml[hit + 1 :]
    flipped = bytearray(xml)
    for k, b in enumerate(junk):
        if pos + k < len(flipped):
            flipped[pos + k] ^= b
    return bytes(flipped)


def apply_bytes(data: bytes, ops: list[tuple[Any, ...]]) -> bytes:
    import zipfile

    for op in ops:
        # Already broken further up: nothing to rebuild the parts from.
        with contextlib.suppress(zipfile.BadZipFile, zlib.error, EOFError, OSError):
            data = apply_byte_op(data, op)
    return data


def apply_byte_op(data: bytes, op: tuple[Any, ...]) -> bytes:
    import zipfile

    kind = op[0]
    if kind == "truncate_zip":
        return data[: int(op[1] * len(data))]
    if kind == "flip_zip":
        if not data:
            return data
        pos = min(int(op[1] * len(data)), len(data) - 1)
        return data[:pos] + bytes([data[pos] ^ op[2]]) + data[pos + 1 :]
    if kind == "far_cell":
        target, ref = f"xl/worksheets/sheet{op[1]}.xml", f"{column_letters(op[2])}{op[3]}"
        return build_hostile.rewrite_parts(
            data, lambda n, x: build_hostile.with_far_cell(x, ref, op[4]) if n == target else x
        )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [i.filename for i in zf.infolist()]
    name = names[op[1] % len(names)]
    if kind == "drop_part":
        return drop_part(data, name)
    return build_hostile.rewrite_parts(
        data, lambda n, x: garble(x, op[2], op[3], op[4]) if n == name else x
    )


def drop_part(data: bytes, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist() if i.filename != name}
    out: bytes = build_hostile.zip_parts(parts)
    return out


# --- what an accepted file must have stored ----------------------------------------


def norm(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def grid_of(path: Path, sheet: str) -> list[list[object]]:
    try:
        wb = load_workbook(path, data_only=True)
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    except Exception:  # openpyxl is stricter than the import's reader: read it as that does
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        try:
            raw = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        finally:
            book.close()
        return [[None if v == "" else v for v in r] for r in raw]


def expected_rows(path: Path, spec: SheetSpec, sheet: str) -> dict[str, list[dict[str, object]]]:
    """The file's rows of one form, read without the project's reader: by subject."""
    grid = grid_of(path, sheet)
    wanted = {norm(c.header): c for c in spec.columns}
    best, header_row = -1, 0
    for r, row in enumerate(grid[:10]):
        score = len({norm(v) for v in row if v is not None} & set(wanted))
        if score > best:
            best, header_row = score, r
    columns: dict[str, int] = {}
    for c, value in enumerate(grid[header_row]):
        column = wanted.get(norm(value)) if value is not None else None
        if column is not None and column.key not in columns:
            columns[column.key] = c
    key = spec.key_column.key
    out: dict[str, list[dict[str, object]]] = {}
    for row in grid[header_row + 1 :]:
        if all(blank(v) for v in row):
            continue
        cell = row[columns[key]] if columns[key] < len(row) else None
        subject = "" if key == ORG else str(cell).strip()
        values = {
            column.key: (row[columns[column.key]] if columns[column.key] < len(row) else None)
            for column in spec.columns
            if column.field is not None and column.key in columns
        }
        out.setdefault(subject, []).append(values)
    return out


def same(stored: object, cell: object) -> bool:
    if blank(cell):
        return stored is None
    if isinstance(stored, bool) or isinstance(cell, bool):
        return stored == cell
    if isinstance(stored, int | float):
        try:
            number = float(norm(cell).replace(",", "")) if isinstance(cell, str) else cell
            assert isinstance(number, int | float)
            return math.isclose(float(number), float(stored), rel_tol=1e-12, abs_tol=1e-12)
        except (ValueError, TypeError, AssertionError):
            return False
    return str(stored).strip() == str(cell).strip()


RENAMED = re.compile(r"工作表“(.+)”已按标题行识别为“(.+)”\(工作表名称被改动过\)")


def check_stored(answer: dict[str, Any], path: Path, specs: list[SheetSpec]) -> None:
    renamed = {}
    for issue in answer["issues"]:
        found = RENAMED.fullmatch(issue["message"])
        if found:
            renamed[found[2]] = found[1]
    for spec in specs:
        if spec.kind is not SheetKind.FORM:
            continue
        sheet = renamed.get(spec.sheet, spec.sheet)
        expected = expected_rows(path, spec, sheet)
        stored = answer["forms"].get(spec.id, {})
        for subject, in_file in expected.items():
            first = in_file[0]
            assert all(r == first for r in in_file), (
                f"accepted with {len(in_file)} different rows for {subject} in {sheet}"
            )
            held = stored.get(subject, {})
            for field_id, cell in first.items():
                assert same(held.get(field_id), cell), (
                    f"{sheet} {subject} {field_id}: the file shows {cell!r}, "
                    f"the store holds {held.get(field_id)!r}"
                )
        for subject, held in stored.items():
            if subject not in expected:
                assert all(v is None for v in held.values()), (
                    f"{spec.id} {subject} is not in the file but the store holds {held}"
                )


CJK = re.compile(r"[\u4e00-\u9fff]")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    base=st.sampled_from(sorted(BASES)),
    book=st.lists(book_ops, max_size=3),
    raw=st.lists(byte_ops, max_size=2),
)
def test_mutated_submission(
    bases: dict[str, Base],
    worker: Worker,
    layouts: Any,
    tmp_path_factory: pytest.TempPathFactory,
    base: str,
    book: list[tuple[Any, ...]],
    raw: list[tuple[Any, ...]],
) -> None:
    source = bases[base]
    data = source.path.read_bytes()
    data = apply_book(data, book) if book else data
    data = apply_bytes(data, raw)
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / source.path.name
    path.write_bytes(data)
    started = time.monotonic()
    answer = worker.ask(
        {"path": str(path), "preload": str(source.preload), "markup_dir": str(folder)}
    )
    note(f"{time.monotonic() - started:.2f} s, max rss {answer.get('max_rss_kb')} kB")
    assert "error" not in answer, f"the import raised:\n{answer['error']}"
    note(answer["text"])
    outcome = answer["outcome"]
    event(outcome)
    assert outcome in ("applied", "unchanged", "refused")
    if outcome != "applied":
        assert answer["unchanged"], "the store changed:\n" + "\n".join(answer.get("diff", []))
    if outcome == "refused":
        errors = [i for i in answer["issues"] if i["severity"] == "error"]
        assert errors, answer["text"]
        for issue in errors:
            assert CJK.search(issue["message"]), f"not a report a user can read: {issue}"
    if outcome == "applied":
        assert answer["problems"] == [], answer["problems"]
        check_stored(answer, path, layouts(answer["period"]))


def test_the_unmutated_bases_are_accepted(
    bases: dict[str, Base], worker: Worker, layouts: Any, tmp_path: Path
) -> None:
    """The fuzzer's own yardstick: each base file is applied with the data it shows."""
    for source in bases.values():
        answer = worker.ask(
            {"path": str(source.path), "preload": str(source.preload), "markup_dir": str(tmp_path)}
        )
        assert answer.get("outcome") == "applied", answer
        assert answer["values_changed"] > 0
        check_stored(answer, source.path, layouts(answer["period"]))
