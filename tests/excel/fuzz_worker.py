"""The child process of tests/excel/test_fuzz_submissions.py: imports one file a request.

Started as ``python fuzz_worker.py MEMORY_LIMIT``; reads one JSON request a line on
standard input and writes one JSON answer a line on standard output. Each request
gets a fresh province store holding ``preload`` (a valid submission of another
period), imports ``path`` the way a batch does (with a marked-up copy on refusal),
and answers what a user would see plus what the test needs to judge it:

- ``error``: a traceback if anything raised out of the import (never expected);
- ``unchanged`` and ``diff``: whether every table is as before (a refusal must be);
- for an applied import, the period's stored form rows and the validator's errors.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def dump(store: Any) -> list[str]:
    return list(store.conn.iterdump())


def handle(request: dict[str, Any]) -> dict[str, Any]:
    from jlip_desk.periods import parse_period
    from jlip_desk.services.importing import ImportOptions, import_file
    from jlip_desk.services.installation import bind, prepare
    from jlip_desk.services.validator import period_problems
    from jlip_desk.store.cells import read_form
    from jlip_desk.store.database import Store
    from jlip_desk.store.plans import get_plan

    store = Store.memory()
    try:
        prepare(store)
        bind(store, "220000")
        options = ImportOptions(markup_dir=Path(request["markup_dir"]))
        preloaded = import_file(store, Path(request["preload"]), options)
        assert preloaded.outcome == "applied", preloaded.text()
        before_hash, before = store.content_hash(), dump(store)
        started = time.monotonic()
        try:
            result = import_file(store, Path(request["path"]), options)
        except BaseException:  # anything at all is a finding
            return {"error": traceback.format_exc()}
        answer: dict[str, Any] = {
            "seconds": time.monotonic() - started,
            "outcome": result.outcome,
            "text": result.text(),
            "issues": [
                {"message": i.message, "severity": i.severity, "sheet": i.sheet}
                for i in result.issues
            ],
            "org": result.org_code,
            "period": result.period,
            "values_changed": result.values_changed,
            "unchanged": store.content_hash() == before_hash,
        }
        if not answer["unchanged"]:
            after = dump(store)
            gone, added = set(before) - set(after), set(after) - set(before)
            answer["diff"] = [f"- {line}" for line in sorted(gone)][:20] + [
                f"+ {line}" for line in sorted(added)
            ][:20]
        if result.outcome == "applied":
            plan = get_plan(store, result.plan_id, result.plan_version)
            period = parse_period(result.period)
            forms: dict[str, Any] = {}
            problems: list[str] = []
            for form in plan.forms:
                rows = read_form(store, plan.id, form.id, result.period, [result.org_code])
                if rows:
                    forms[form.id] = {subject: values for (_org, subject), values in rows.items()}
                    problems += [
                        f"{p.label} {p.field_id}: {p.message}"
                        for p in period_problems(store, plan, form.id, result.org_code, period)
                        if p.severity == "error"
                    ]
            answer["forms"] = forms
            answer["problems"] = problems
        return answer
    finally:
        store.close()


def main() -> None:
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for line in sys.stdin:
        try:
            answer = handle(json.loads(line))
        except BaseException:
            answer = {"error": traceback.format_exc()}
        answer["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
