"""Help and usage errors wholly in Chinese; wrong usage exits 2, a refused file or folder 1."""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from jlip_desk import commands, paths
from jlip_desk.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE

if TYPE_CHECKING:
    from tests.cli.conftest import Cli

TESTS = Path(__file__).resolve().parents[1]

# argparse messages only a programming mistake in build_parser() can raise.
_NOT_FOR_USERS = {
    "'required' is an invalid argument for positionals",
    "can't open '%(filename)s': %(error)s",  # argparse.FileType, which is not used
    "%r is not callable",
    ".__call__() not defined",
    'argument "-" with mode %r',
    "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r",
    "conflicting subparser alias: %s",
    "conflicting subparser: %s",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "mutually exclusive arguments must be optional",
    "unexpected option string: %s",
    "conflicting option string: %s",
    "conflicting option strings: %s",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
}


def _argparse_messages() -> set[str]:
    """Every literal argparse passes to ``_()`` or ``ngettext()``, read from its source."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_", "ngettext"}
        ):
            found |= {
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            }
    return found


def test_every_message_argparse_can_show_a_user_is_translated() -> None:
    messages = _argparse_messages()
    assert "usage: " in messages  # the scan works
    untranslated = messages - _NOT_FOR_USERS - set(commands._ARGPARSE_ZH)
    assert not untranslated, f"argparse of Python {sys.version_info[:2]}: {untranslated}"


def _english_words(text: str, *theirs: object) -> set[str]:
    """Words left once option names, placeholders, command names and the program name go.

    ``theirs``: what the user typed (paths, values), which is quoted back as it was.
    """
    for typed in sorted(map(str, (paths.default_data_dir(), *theirs)), key=len, reverse=True):
        text = text.replace(typed, "")
    text = re.sub(r"'[^']*'", "", text)  # values quoted back by argparse
    text = re.sub(r"\bjlip-desk\b|JLIP Desk|\.(xlsx|toml)\b|\d{4}Q\d", "", text)
    text = re.sub(r"--?[a-z][a-z-]*", "", text)  # --data-dir, -o
    text = re.sub(r"\b[A-Z][A-Z_]+\b", "", text)  # CODE, PERIOD, JLIP_DESK_DATA_DIR, JSON
    names = set(commands.COMMANDS) | {"add", "show", "load", "new"}
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in names}


def _parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    out = []
    todo = [("", commands.build_parser())]
    while todo:
        name, parser = todo.pop()
        out.append((name, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo += [(f"{name} {n}".strip(), p) for n, p in action.choices.items()]
    return out


@pytest.mark.parametrize("command", [name for name, _ in _parsers()])
def test_help_is_in_chinese(cli: Cli, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "500")  # no path broken across lines
    result = cli(*command.split(), "--help")
    assert result.code == EXIT_OK
    assert result.out.startswith("用法:")
    assert not _english_words(result.out), result.out


def test_the_help_scan_finds_english() -> None:
    found = _english_words(
        "用法:jlip-desk [-h]\n  --version  show program's version number and exit"
    )
    assert found == {"program", "version", "number", "and", "exit"}


@pytest.mark.parametrize(
    "args",
    [
        ["orgs", "add"],
        ["orgs", "add", "--code", "220171"],
        ["plan"],
        ["plan", "load"],
        ["plan", "nosuch"],
        ["init"],
        ["init", "--org"],
        ["demo", "--seed", "x"],
        ["summary", "--period", "2025Q9"],
        ["template"],
        ["export", "--period", "2025Q4"],
        ["import"],
        ["submit"],
        ["unlock", "--period", "2025Q4"],
        ["accept", "--period", "2025Q4"],
        ["return", "--org", "220102", "--period", "2025Q4"],
        ["status"],
        ["status", "--period", "2025Q4", "--json", "x"],
        ["nosuchcommand"],
        ["--nosuchoption"],
        ["orgs", "--json=yes"],
    ],
)
def test_wrong_usage_exits_2_in_chinese(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.code == EXIT_USAGE
    assert result.err_lines[0].startswith("用法:")
    assert "用法错误" in result.err_lines[-1]
    assert not _english_words(result.err), result.err


def test_missing_files_to_import_are_named_and_nothing_else(cli: Cli, tmp_path: Path) -> None:
    result = cli("import", str(tmp_path / "nofile.xlsx"), str(tmp_path / "also.xlsx"))
    assert result.code == EXIT_REFUSED
    assert result.err_lines == [
        f"错误:{tmp_path / 'nofile.xlsx'}、{tmp_path / 'also.xlsx'}: 找不到文件或文件夹"
    ]
    assert result.out == ""


def test_a_missing_plan_file_is_named(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nofile.toml"
    result = cli("plan", "load", str(missing))
    assert (result.code, result.err_lines) == (EXIT_REFUSED, [f"错误:{missing}: 找不到文件"])
    result = cli("plan", "load", str(tmp_path))
    assert result.code == EXIT_REFUSED
    assert result.err_lines == [f"错误:{tmp_path}: 这是一个文件夹,不是文件"]


def test_a_plan_file_that_is_not_toml_is_refused_in_chinese(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[plan]\nid = "x"\nname "no equals sign"\n', encoding="utf-8")
    result = cli("plan", "load", str(bad))
    assert result.code == EXIT_REFUSED
    assert len(result.err_lines) == 1 and "第 3 行" in result.err
    assert not _english_words(result.err, bad), result.err


def _unwritable(tmp_path: Path) -> list[Path]:
    """Folders no file can be written to: missing, a file, and one even root cannot write."""
    (tmp_path / "f.txt").write_text("a file, not a folder", encoding="utf-8")
    folders = [tmp_path / "nofolder", tmp_path / "f.txt"]
    if Path("/proc/self").is_dir():
        folders.append(Path("/proc"))
    return folders


@pytest.mark.parametrize("command", ["template", "export"])
def test_an_output_that_cannot_be_written_is_one_chinese_line(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    cli("init", "--org", "220102")
    for folder in _unwritable(tmp_path):
        for target, extra in [
            (folder / "x.xlsx", ["--org", "220102"]),
            (folder, ["--org", "220102"]),
            (folder, ["--all-counties"]),
        ]:
            result = cli(command, *extra, "--period", "2025Q4", "-o", str(target))
            assert result.code == EXIT_REFUSED, target
            assert len(result.err_lines) == 1, result.err
            assert result.err.startswith("错误:-o: ") and "Traceback" not in result.err
            assert not _english_words(result.err, target, folder), result.err
            assert result.out == ""
    assert not (tmp_path / "nofolder").exists()


def test_a_disk_error_while_writing_is_one_chinese_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jlip_desk.services import excel

    def full(*_args: object) -> object:
        raise OSError(28, "No space left on device", str(tmp_path / "t.xlsx"))

    monkeypatch.setattr(excel, "export_template", full)
    result = cli("template", "--org", "220102", "--period", "2025Q4", "-o", str(tmp_path))
    assert result.code == EXIT_REFUSED
    assert result.err_lines == [f"错误:{tmp_path / 't.xlsx'}:磁盘已满"]


def test_import_refuses_report_and_markup_folders_that_do_not_exist(
    cli: Cli, tmp_path: Path
) -> None:
    workbook = TESTS / "data" / "workbooks" / "mistake_bad_values.xlsx"
    result = cli("import", str(workbook), "--report", str(tmp_path / "no" / "r.json"))
    assert result.code == EXIT_REFUSED and result.out == ""
    assert result.err_lines == [
        f"错误:--report: 文件夹不存在:{tmp_path / 'no'}(要求:一个已存在的文件夹)"
    ]
    result = cli("import", str(workbook), "--markup-dir", str(tmp_path / "no"))
    assert result.code == EXIT_REFUSED and result.out == ""
