"""The command line: same services as the GUI, Chinese messages, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jlip_desk import __version__
from jlip_desk.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main

TESTS = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse exits for --version and usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == EXIT_OK and __version__ in out


def test_usage_errors_exit_2_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "init")
    assert code == EXIT_USAGE
    assert "缺少必需的参数" in err and "--org" in err
    code, _, err = run(capsys, "nosuchcommand")
    assert code == EXIT_USAGE and "无效的选项" in err
    code, _, err = run(capsys, "summary", "--period", "2025Q9")
    assert code == EXIT_USAGE and "2025Q4" in err


def test_init_binds_and_refuses_unknown_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init", "--org", "220102")
    assert code == EXIT_OK and "南关区" in out
    code, _, err = run(capsys, "init", "--org", "999999")
    assert code == EXIT_REFUSED and "999999" in err and "不存在" in err


def test_data_dir_option_is_used(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "elsewhere"
    code, _, _ = run(capsys, "--data-dir", str(folder), "init", "--org", "220000")
    assert code == EXIT_OK
    assert (folder / "jlip_desk.sqlite3").exists()


def test_orgs_tree_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "orgs")
    assert code == EXIT_OK and "220000 吉林省" in out and "    220102 南关区" in out
    code, out, _ = run(capsys, "orgs", "--json")
    tree = json.loads(out)
    assert tree[0]["code"] == "220000" and len(tree[0]["children"]) == 9


def test_orgs_add_only_for_the_province(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--org", "220102")
    args = ("orgs", "add", "--code", "220171", "--name", "长春经开区", "--parent", "220100")
    code, _, err = run(capsys, *args)
    assert code == EXIT_REFUSED and "省级" in err
    run(capsys, "init", "--org", "220000")
    code, out, _ = run(capsys, *args)
    assert code == EXIT_OK and "220171" in out
    _, out, _ = run(capsys, "orgs")
    assert "220171 长春经开区(新增)" in out


def test_demo_summary_and_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--seed", "3")
    assert code == EXIT_OK and "60 个县级单位" in out
    code, _, err = run(capsys, "demo")
    assert code == EXIT_REFUSED and "已有数据" in err
    code, out, _ = run(capsys, "summary", "--period", "2025Q4", "--json")
    assert code == EXIT_OK
    summary = json.loads(out)
    assert summary["period"] == "2025Q4" and summary["org"]["code"] == "220000"
    assert {"targets", "indicators", "reporting", "activity", "plan"} <= set(summary)
    code, out, _ = run(capsys, "summary", "--org", "220100", "--period", "2025")
    assert code == EXIT_OK and "长春市" in out and "已报送" in out
    code, out, _ = run(capsys, "check")
    assert code == EXIT_OK and "检查通过" in out


def test_check_reports_a_broken_invariant(capsys: pytest.CaptureFixture[str]) -> None:
    from jlip_desk.services.installation import open_store

    run(capsys, "demo")
    store = open_store()
    # Simulate damage no code path can make: a value whose history is missing.
    store.conn.execute("DROP TRIGGER cells_history_update")
    store.conn.execute("UPDATE cells SET value = 999999 WHERE id = 1")
    store.close()
    code, out, _ = run(capsys, "check")
    assert code == EXIT_REFUSED and "✗ 修改历史与当前值一致" in out


def test_plan_show_and_load(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "plan", "show")
    assert code == EXIT_OK and "十四五" in out and "每万人口高价值发明专利拥有量" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('[plan]\nid = "x"\n', encoding="utf-8")
    code, _, err = run(capsys, "plan", "load", str(bad))
    assert code == EXIT_REFUSED and "bad.toml" in err and "缺少必填项" in err
    code, out, _ = run(capsys, "plan", "load", str(TESTS / "data/plans/test-plan-15.toml"))
    assert code == EXIT_OK and "已载入并启用" in out
    code, out, _ = run(capsys, "plan", "load", str(TESTS / "data/plans/test-plan-15.toml"))
    assert code == EXIT_OK and "无变化" in out
    code, out, _ = run(capsys, "plan", "show", "--json")
    shown = json.loads(out)
    assert shown["id"] == "jilin-ip-15-test"
    assert [p["active"] for p in shown["stored_plans"]] == [False, True]


def test_revised_plan_needs_a_new_version(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = (TESTS / "data/plans/test-plan-15.toml").read_text(encoding="utf-8")
    run(capsys, "plan", "load", str(TESTS / "data/plans/test-plan-15.toml"))
    revised = tmp_path / "revised.toml"
    revised.write_text(source.replace("max = 50000", "max = 60000"), encoding="utf-8")
    code, _, err = run(capsys, "plan", "load", str(revised))
    assert code == EXIT_REFUSED and "version" in err
    revised.write_text(
        source.replace("max = 50000", "max = 60000").replace('version = "0.9"', 'version = "1.0"'),
        encoding="utf-8",
    )
    code, _, _ = run(capsys, "plan", "load", str(revised))
    assert code == EXIT_OK


def test_entry_point_runs_as_a_process(tmp_path: Path) -> None:
    env = {**os.environ, "JLIP_DESK_DATA_DIR": str(tmp_path / "d"), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "jlip_desk", "init", "--org", "000000"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
    )
    assert result.returncode == EXIT_REFUSED
    assert "错误:" in result.stderr and "000000" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "jlip_desk", "--self-test"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert "自检通过" in result.stdout
