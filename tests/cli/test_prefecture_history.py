"""A report the province holds as clean is clean at the prefecture too.

The rule 办结 ≤ 受理 + 上期末未结 sums a station's earlier quarters (prior()). The
province, holding every quarter since the station was set up, carried open cases over;
a prefecture that received only last quarter's workbook counted the quarters it never
received as 0 and refused 丰满区's 2025Q4 (办结 4 > 受理 3 + 0) that the province had
accepted. A quarter missing from the store makes prior() unknown, as it is for the
first quarter a store holds: the rule is checked where the history is whole.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jlip_desk.cli import main
from jlip_desk.periods import parse_period
from jlip_desk.services.reporting import period_overview
from jlip_desk.store.database import Store
from jlip_desk.store.plans import active_plan

PREFECTURE = "220200"  # 吉林市
QUARTERS = ("2025Q3", "2025Q4")


def _run(*args: str) -> int:
    return main(list(args))


def test_the_prefecture_refuses_only_what_the_province_holds_as_faulty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    province, prefecture = tmp_path / "province", tmp_path / "prefecture"
    assert _run("--data-dir", str(province), "init", "--org", "220000") == 0
    assert _run("--data-dir", str(province), "demo") == 0
    inbox = tmp_path / "inbox"
    said = {}
    capsys.readouterr()
    for quarter in QUARTERS:
        out = tmp_path / quarter
        out.mkdir()
        args = ("export", "--period", quarter, "--all-counties", "-o", str(out))
        assert _run("--data-dir", str(province), *args) == 0
        said[quarter] = capsys.readouterr().out
        (inbox / quarter).mkdir(parents=True)
        for path in out.glob(f"{PREFECTURE[:4]}*.xlsx"):
            shutil.copy(path, inbox / quarter / path.name)
    # What the province itself holds as faulty: units with open errors in the quarter.
    store = Store.open(province / "jlip_desk.sqlite3", migrate=False)
    try:
        plan = active_plan(store)
        faulty = {
            f"{u.org.code}_{quarter}"
            for quarter in QUARTERS
            for u in period_overview(store, plan, PREFECTURE, parse_period(quarter)).units
            if u.errors
        }
        # The export said which of its workbooks still have errors.
        for quarter in QUARTERS:
            overview = period_overview(store, plan, "220000", parse_period(quarter))
            names = [u.org.name for u in overview.units if u.errors]
            notice = [line for line in said[quarter].splitlines() if line.startswith("注意:")]
            if not names:
                assert notice == [], quarter
                continue
            assert notice and f"其中 {len(names)} 个单位" in notice[0], said[quarter]
            assert all(name in notice[0] for name in names[:10])
        assert any("注意:" in text for text in said.values())  # 2025Q4 has some
    finally:
        store.close()
    capsys.readouterr()

    assert all(len(list((inbox / q).glob("*.xlsx"))) == 9 for q in QUARTERS)  # 吉林市's
    assert _run("--data-dir", str(prefecture), "init", "--org", PREFECTURE) == 0
    refused = set()
    (tmp_path / "marked").mkdir()
    for quarter in QUARTERS:  # the older quarter first, as they arrive
        report = tmp_path / f"report-{quarter}.json"
        args = ("import", str(inbox / quarter), "--report", str(report),
                "--markup-dir", str(tmp_path / "marked"))  # fmt: skip
        _run("--data-dir", str(prefecture), *args)
        data = json.loads(report.read_text(encoding="utf-8"))
        refused |= {
            f"{f['org_code']}_{f['period']}" for f in data["files"] if f["outcome"] == "refused"
        }
    capsys.readouterr()
    assert refused == faulty
