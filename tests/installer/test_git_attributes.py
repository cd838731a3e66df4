"""Checkouts keep the bytes that matter: .gitattributes against core.autocrlf=true."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Files whose every byte matters, whatever their content looks like to Git.
BINARY_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".png", ".ico", ".jpg", ".gif", ".sqlite3", ".qm"}
# Run by bash: a CR at a line's end breaks them.
LF_ONLY = [".ci/run"]


def _git(*args: str) -> bytes:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout


@pytest.fixture(scope="module")
def tracked() -> dict[str, tuple[str, str]]:
    """Tracked path -> (Git's view of the index content, the text attribute in effect)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = {}
    for line in _git("ls-files", "--eol", "-z").split(b"\0"):
        if not line:
            continue
        info, path = line.decode("utf-8").split("\t", 1)
        # "i/lf    w/lf    attr/text eol=lf": the attribute part may hold spaces.
        index, _worktree, attr = info.split(maxsplit=2)
        files[path] = (index.removeprefix("i/"), attr.strip().removeprefix("attr/"))
    assert files
    return files


def _checked_out_with_autocrlf(path: str) -> bytes:
    """The file as a checkout with core.autocrlf=true would write it (this tree's attributes)."""
    return _git("-c", "core.autocrlf=true", "cat-file", "--filters", f":{path}")


def test_binary_files_are_marked_binary(tracked: dict[str, tuple[str, str]]) -> None:
    binary = {
        path
        for path, (index, _) in tracked.items()
        if Path(path).suffix.lower() in BINARY_SUFFIXES or index == "-text"
    }
    assert any(p.startswith("tests/data/workbooks/") for p in binary)
    unmarked = sorted(path for path in binary if tracked[path][1] != "-text")
    assert not unmarked, f"mark these binary in .gitattributes: {unmarked}"


def test_binary_files_survive_an_autocrlf_checkout(tracked: dict[str, tuple[str, str]]) -> None:
    marked = sorted(path for path, (_, attr) in tracked.items() if attr == "-text")
    assert "tests/data/workbooks/hostile_pdf.xlsx" in marked  # text inside, CRLF-prone
    changed = [
        path
        for path in marked
        if _checked_out_with_autocrlf(path) != _git("cat-file", "blob", f":{path}")
    ]
    assert not changed


def test_checked_out_binary_files_are_the_committed_bytes(
    tracked: dict[str, tuple[str, str]],
) -> None:
    """The files this checkout actually wrote (on Windows, with the runner's autocrlf).

    Files with changes of their own are left out: Git does not count a line-ending
    conversion as a change, so a damaged checkout is still compared.
    """
    edited = {name.decode("utf-8") for name in _git("diff", "--name-only", "-z").split(b"\0")}
    marked = sorted(path for path, (_, attr) in tracked.items() if attr == "-text")
    changed = [
        path
        for path in marked
        if path not in edited
        and (ROOT / path).exists()
        and (ROOT / path).read_bytes() != _git("cat-file", "blob", f":{path}")
    ]
    assert not changed


def test_shell_scripts_stay_lf(tracked: dict[str, tuple[str, str]]) -> None:
    for path in LF_ONLY:
        assert path in tracked
        assert b"\r" not in _checked_out_with_autocrlf(path), path
        assert b"\r" not in (ROOT / path).read_bytes(), path


def test_the_autocrlf_simulation_does_convert_text() -> None:
    """Proves the check above can fail: an unmarked text file does get CRLF."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    assert b"\r\n" in _checked_out_with_autocrlf("README.md")
