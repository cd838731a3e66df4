"""`jlip-desk import DIR…`: a folder of county files, headless (issue 8).

On main a folder failed with "Is a directory". A folder is searched with its
subfolders; marked-up copies, Excel lock files and other files are skipped; the
command exits 1 when any file was refused, and a prefecture takes only its own
counties, refusing the rest with the reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jlip_desk.cli import main
from jlip_desk.exit_codes import EXIT_OK, EXIT_REFUSED

PERIOD = "2025Q3"


def _cli(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What arrives by e-mail and USB: counties' files, some in a subfolder, and clutter."""
    source = tmp_path_factory.mktemp("source")
    exported = tmp_path_factory.mktemp("exported")
    assert main(["--data-dir", str(source), "init", "--org", "220000"]) == 0
    assert main(["--data-dir", str(source), "demo"]) == 0
    args = ["--data-dir", str(source), "export", "--period", PERIOD, "--all-counties"]
    assert main([*args, "-o", str(exported)]) == 0
    inbox = tmp_path_factory.mktemp("inbox")
    files = sorted(exported.glob("*.xlsx"))
    (inbox / "吉林市").mkdir()
    for path in files:
        target = inbox / "吉林市" if path.name.startswith("2202") else inbox
        shutil.copy(path, target / path.name)
    (inbox / "说明.txt").write_text("各县报送文件", encoding="utf-8")
    (inbox / "~$220102_南关区_2025Q3.xlsx").write_bytes(b"lock")
    shutil.copy(files[0], inbox / f"{files[0].stem}_问题标注.xlsx")
    return inbox


def test_a_folder_is_imported_with_its_subfolders_and_clutter_skipped(
    inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    province = tmp_path / "province"
    assert _cli(capsys, province, "init", "--org", "220000")[0] == EXIT_OK
    code, out, err = _cli(capsys, province, "import", str(inbox))
    assert code == EXIT_OK, out
    assert out.startswith("导入 60 个文件:成功 60 个")
    # The tally again at the end, where sixty results have scrolled the first away.
    assert out.rstrip().endswith("合计:导入 60 个文件:成功 60 个,无变化 0 个,拒绝 0 个。")
    # The text file, the lock file and the marked-up copy, each named.
    assert "已跳过" in err and "说明.txt" in err and "_问题标注.xlsx" in err
    assert "[60/60]" in err


def test_a_prefecture_takes_its_own_counties_and_refuses_the_rest(
    inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jilin = tmp_path / "jilin"
    assert _cli(capsys, jilin, "init", "--org", "220200")[0] == EXIT_OK
    code, out, _err = _cli(capsys, jilin, "import", str(inbox))
    assert code == EXIT_REFUSED
    own = len(list((inbox / "吉林市").glob("*.xlsx")))
    assert f"成功 {own} 个" in out
    assert "本机无权导入“南关区”(220102)的数据(本机绑定的单位为“吉林市”)" in out


def test_an_empty_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert _cli(capsys, data, "init", "--org", "220000")[0] == EXIT_OK
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _out, err = _cli(capsys, data, "import", str(empty))
    assert code == EXIT_REFUSED
    assert f"{empty}: 文件夹中没有可导入的 .xlsx 工作簿" in err


def test_a_prefecture_hands_its_roll_up_to_the_province(
    inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The prefecture collects its counties, exports their submissions in one go, and the
    province imports that folder like the counties' own files: the same values arrive."""
    import sqlite3

    jilin, province, direct = tmp_path / "jilin", tmp_path / "province", tmp_path / "direct"
    assert _cli(capsys, jilin, "init", "--org", "220200")[0] == EXIT_OK
    assert _cli(capsys, jilin, "import", str(inbox / "吉林市"))[0] == EXIT_OK
    roll_up = tmp_path / "roll-up"
    roll_up.mkdir()
    args = ("export", "--period", PERIOD, "--all-counties", "-o", str(roll_up))
    assert _cli(capsys, jilin, *args)[0] == EXIT_OK
    assert len(list(roll_up.glob("*.xlsx"))) == len(list((inbox / "吉林市").glob("*.xlsx")))

    assert _cli(capsys, province, "init", "--org", "220000")[0] == EXIT_OK
    code, out, _err = _cli(capsys, province, "import", str(roll_up))
    assert code == EXIT_OK, out
    assert _cli(capsys, direct, "init", "--org", "220000")[0] == EXIT_OK
    assert _cli(capsys, direct, "import", str(inbox / "吉林市"))[0] == EXIT_OK

    def values(folder: Path) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(folder / "jlip_desk.sqlite3")
        try:
            return conn.execute(
                "SELECT form, org_code, period, subject, field, value FROM cells "
                "ORDER BY 1, 2, 3, 4, 5"
            ).fetchall()
        finally:
            conn.close()

    assert values(province) == values(direct)
    assert values(province)  # not two empty stores


def test_an_import_that_changes_nothing_takes_no_second_backup(
    inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ten imports of unchanged files pushed the ten kept backups (KEEP_LAST) out of the
    rotation with copies of one state; the newest backup already holds it."""
    from jlip_desk.store.backups import list_backups

    province = tmp_path / "province"
    assert _cli(capsys, province, "init", "--org", "220000")[0] == EXIT_OK
    one = next(iter(sorted(inbox.glob("2201*.xlsx"))))
    assert _cli(capsys, province, "import", str(one))[0] == EXIT_OK
    assert len(list_backups(province / "backups")) == 1  # the store before: bound only
    # The first repeat backs up the first import's state; the others have nothing new.
    for _ in range(4):
        code, out, _ = _cli(capsys, province, "import", str(one))
        assert code == EXIT_OK and "无变化 1 个" in out
    kept = [b.path for b in list_backups(province / "backups")]
    assert len(kept) == 2
    # A file that changes the store: the state before it is the newest backup's, so
    # again none; the import after it has a new state to keep.
    other = next(iter(sorted(inbox.glob("2203*.xlsx"))))
    assert _cli(capsys, province, "import", str(other))[0] == EXIT_OK
    assert [b.path for b in list_backups(province / "backups")] == kept
    two = next(iter(sorted((inbox / "吉林市").glob("2202*.xlsx"))))
    assert _cli(capsys, province, "import", str(two))[0] == EXIT_OK
    assert len(list_backups(province / "backups")) == 3
