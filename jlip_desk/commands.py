"""The command line: the same services the GUI calls, with Chinese messages and exit codes."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from jlip_desk import __version__, paths
from jlip_desk.errors import InputError, JlipError
from jlip_desk.exit_codes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from jlip_desk.log import setup_logging

log = logging.getLogger(__name__)

# argparse builds its messages with module-level gettext ``_`` and ``ngettext``; these
# are the ones a user can meet. tests/cli checks that none of argparse's is missing.
_ARGPARSE_ZH = {
    "usage: ": "用法:",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示此帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "expected one argument": "需要一个参数值",
    "expected at least one argument": "至少需要一个参数值",
    "expected at most one argument": "最多只能有一个参数值",
    "expected %s argument": "需要 %s 个参数值",
    "expected %s arguments": "需要 %s 个参数值",
    "ignored explicit argument %r": "此选项不接受参数值:%r",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 不明确,可能是:%(matches)s"
    ),
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r(可选:%(choices)s)",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s:%(message)s",
    "invalid %(type)s value: %(value)r": "无效的值:%(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s:用法错误:%(message)s\n",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须给出以下参数之一:%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "未知命令 %(parser_name)r(可选:%(choices)s)"
    ),
}


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


def _nzh(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


argparse._ = _zh  # type: ignore[attr-defined]
argparse.ngettext = _nzh  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}:用法错误:{message}\n")


def _period_arg(text: str) -> Any:
    from jlip_desk.periods import parse_period

    try:
        return parse_period(text)
    except JlipError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _int_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None


def _add_period(p: argparse.ArgumentParser, help_text: str = "报告期,如 2025Q4 或 2025") -> None:
    p.add_argument("--period", required=True, type=_period_arg, metavar="PERIOD", help=help_text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="jlip-desk",
        description="JLIP Desk:吉林省知识产权规划填报与进度监测工具。不带命令时打开图形界面。",
    )
    parser.add_argument(
        "--version", action="version", version=f"JLIP Desk {__version__}", help="显示版本号并退出"
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"数据文件夹(默认:{paths.default_data_dir()},也可用环境变量 {paths.DATA_DIR_ENV})",
    )
    parser.add_argument(
        "--self-test", action="store_true", help="无界面自检:临时数据库、迁移、离屏主窗口"
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    p = sub.add_parser("init", help="将本机绑定到一个单位(县、市州或省)")
    p.add_argument("--org", required=True, metavar="CODE", help="单位代码,如 220102 或 220000")
    p.add_argument(
        "--force", action="store_true", help="改绑后原单位的数据将不能再修改,仍要改绑时使用"
    )

    p = sub.add_parser("orgs", help="显示单位树;orgs add 新增开发区等单位")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    orgs_sub = p.add_subparsers(dest="orgs_command", metavar="子命令", parser_class=_Parser)
    add = orgs_sub.add_parser("add", help="在市(州)下新增单位(仅省级安装)")
    add.add_argument("--code", required=True, metavar="CODE", help="6位单位代码")
    add.add_argument("--name", required=True, metavar="NAME", help="单位名称")
    add.add_argument("--parent", required=True, metavar="CODE", help="上级市(州)代码")

    p = sub.add_parser("demo", help="写入可复现的演示数据(本机所辖的县级单位,2021-2025年)")
    p.add_argument("--seed", type=_int_arg, default=2021, metavar="N", help="随机种子(默认 2021)")

    p = sub.add_parser("summary", help="进度报告")
    p.add_argument(
        "--period",
        type=_period_arg,
        metavar="PERIOD",
        help="报告期,如 2025Q4 或 2025(默认:最近有数据的季度)",
    )
    p.add_argument("--org", metavar="CODE", help="单位代码(默认:本机绑定的单位,未绑定时为全省)")
    p.add_argument("--plan", metavar="ID", help="计划标识(默认:报告期所属的计划;用 plan show 查看)")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    p = sub.add_parser("plan", help="查看或载入计划定义")
    plan_sub = p.add_subparsers(dest="plan_command", metavar="子命令", parser_class=_Parser)
    plan_sub.required = True
    show = plan_sub.add_parser("show", help="显示当前计划")
    show.add_argument("--json", action="store_true", help="以 JSON 输出")
    load = plan_sub.add_parser("load", help="载入新的或修订的计划定义文件")
    load.add_argument(
        "file", type=Path, metavar="FILE", help="计划定义文件(.toml),或附带计划定义的工作簿(.xlsx)"
    )
    load.add_argument("--preview", action="store_true", help="只显示载入后的变化,不载入")
    new = plan_sub.add_parser("new", help="由已有计划生成下一期计划的起始文件(目标值待填写)")
    new.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="PLAN_ID",
        help="作为起点的计划标识(本机已载入的或程序内置的计划)",
    )
    new.add_argument(
        "--years",
        required=True,
        type=_years_arg,
        metavar="YEARS",
        help="新计划的规划期,如 2026-2030",
    )
    new.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help="要写入的文件(.toml)"
    )
    new.add_argument(
        "--id", metavar="PLAN_ID", help="新计划的标识(默认:起点计划标识末尾的数字加一)"
    )
    new.add_argument("--force", action="store_true", help="文件已存在时覆盖")

    sub.add_parser("check", help="检查数据库完整性")

    p = sub.add_parser("backup", help="备份数据库(默认存入数据文件夹的备份文件夹中)")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="备份文件路径")
    p = sub.add_parser("restore", help="从备份恢复数据库(恢复前先备份当前数据库)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("file", nargs="?", type=Path, metavar="FILE", help="备份文件")
    which.add_argument("--latest", action="store_true", help="用最新的完好备份恢复")
    which.add_argument("--list", action="store_true", help="列出备份及其内容")

    for name, help_text in (
        ("template", "导出空白填报模板(可一次导出全部县级单位)"),
        ("export", "导出已填报数据的工作簿(报送文件)"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument(
            "--org",
            metavar="CODE",
            help="单位代码(县级安装默认为本单位);与 --all-counties 同用时为范围(默认全省)",
        )
        _add_period(p)
        if name == "template":
            p.add_argument(
                "-o",
                "--output",
                type=Path,
                default=Path(),
                metavar="PATH",
                help="输出文件(.xlsx)或已存在的文件夹(默认:当前文件夹)",
            )
        else:
            p.add_argument(
                "-o",
                "--output",
                type=Path,
                required=True,
                metavar="PATH",
                help="输出文件(.xlsx)或已存在的文件夹",
            )
        p.add_argument("--all-counties", action="store_true", help="为每个县级单位各导出一份")
        p.add_argument(
            "--with-annual",
            action="store_true",
            help="含年报:第4季度的工作簿同时包含本年度的年报工作表(导入时作为两份报送分别记录)",
        )

    p = sub.add_parser("report", help="汇总报告:按报告期和范围输出工作簿或可打印的 PDF 文件")
    _add_period(p)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="输出文件:.xlsx 工作簿或 PDF 文件,由扩展名决定",
    )
    p.add_argument("--org", metavar="CODE", help="范围:全省或市(州)的单位代码(默认:全省)")

    p = sub.add_parser("import", help="导入填报好的工作簿(全部通过才写入)")
    p.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="一个或多个 .xlsx 文件或文件夹(文件夹连同子文件夹中的 .xlsx 全部导入)",
    )
    p.add_argument("--report", type=Path, metavar="FILE", help="将导入报告另存为 JSON 文件")
    p.add_argument("--markup-dir", type=Path, metavar="DIR", help="标注问题的工作簿副本存放位置")
    p.add_argument(
        "--replace-newer",
        action="store_true",
        help="确认用导出较早的工作簿替换本机已导入的较新版本(默认拒绝)",
    )
    p.add_argument(
        "--match-existing",
        action="store_true",
        help="登记表中没有编码但与已有记录相同(信用代码,或名称与依托单位)的行按该记录导入(默认拒绝)",
    )
    p.add_argument(
        "--load-plan",
        action="store_true",
        help="工作簿附带本机尚未载入的计划时,显示该计划带来的变化并载入后再导入(默认拒绝)",
    )

    org_help = "单位代码(县级安装默认为本单位)"
    p = sub.add_parser("submit", help="报送本期数据(报送后锁定,不能再修改)")
    p.add_argument("--org", metavar="CODE", help=org_help)
    _add_period(p)
    p = sub.add_parser("unlock", help="解锁已报送的报告期以便修改(须填写原因)")
    p.add_argument("--org", metavar="CODE", help=org_help)
    _add_period(p)
    p.add_argument("--reason", required=True, metavar="TEXT", help="解锁原因(记入修改历史)")
    p = sub.add_parser("accept", help="上级单位接收下级的报送")
    p.add_argument("--org", required=True, metavar="CODE", help="报送单位代码")
    _add_period(p)
    p = sub.add_parser("return", help="上级单位退回下级的报送(须填写原因)")
    p.add_argument("--org", required=True, metavar="CODE", help="报送单位代码")
    _add_period(p)
    p.add_argument("--reason", required=True, metavar="TEXT", help="退回原因(下级单位可见)")
    p = sub.add_parser("status", help="各县级单位本期的报送状态")
    _add_period(p)
    p.add_argument("--org", metavar="CODE", help="范围:单位代码(默认:本机单位,未绑定时为全省)")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")

    # -- export-data: every stored value, for a server or a database ------------
    p = sub.add_parser("export-data", help="导出全部数值,供上报服务器或导入数据库")
    p.add_argument(
        "--format",
        required=True,
        choices=("dhis2", "csv"),
        metavar="FORMAT",
        help="'dhis2':数据值集 JSON,另附元数据对照表;'csv':长表,每行一个数值(带 BOM 的 UTF-8)",
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="输出文件")
    p.add_argument(
        "--period",
        type=_period_arg,
        metavar="PERIOD",
        help="只导出该报告期的数值,年度含其各季度(默认:全部报告期及登记表属性)",
    )
    p.add_argument(
        "--org",
        metavar="CODE",
        help="范围:单位代码,含其下级单位(默认:本机单位,未绑定时为全省)",
    )
    p.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="元数据对照表(仅 'dhis2';默认如 'values.json' 旁的 'values.mapping.json')",
    )
    return parser


def run(arguments: Sequence[str]) -> int:
    """Parse ``arguments`` and run the command (or the window, for ``--data-dir`` alone)."""
    parser = build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:  # --help, --version and wrong usage
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.data_dir:
        paths.set_data_dir(args.data_dir)
    if args.self_test:
        from jlip_desk.ui.app import self_test

        return self_test()
    if args.command is None:
        from jlip_desk.ui.app import run_gui

        return run_gui()
    setup_logging()
    handler = COMMANDS[args.command]
    with _console():
        try:
            return handler(args)
        except JlipError as exc:
            log.info("refused: %s", exc)
            _error(str(exc))
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk, a folder without rights: not a bug
            log.warning("refused: %s", exc, exc_info=True)
            place = f"{exc.filename}:" if exc.filename else ""
            _error(f"{place}{_os_reason(exc)}")
        return EXIT_REFUSED


@contextlib.contextmanager
def _console() -> Iterator[None]:
    """Standard streams a command may always write to, and no stray tracebacks on them.

    A windowed build has no stdout or stderr (they are None): output goes to the null
    device then, and what matters is in the log. Exceptions Python can only report as
    "ignored" (a half-written workbook's generators, closed late) go to the log too.
    """
    import os

    saved = sys.stdout, sys.stderr, sys.unraisablehook
    null = None
    if sys.stdout is None or sys.stderr is None:
        null = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 - closed below
        sys.stdout = sys.stdout or null
        sys.stderr = sys.stderr or null

    def unraisable(args: Any) -> None:
        log.warning(
            "ignored exception in %r", args.object, exc_info=(args.exc_type, args.exc_value, None)
        )

    sys.unraisablehook = unraisable
    try:
        yield
    finally:
        sys.stdout, sys.stderr, sys.unraisablehook = saved
        if null is not None:
            null.close()


def _error(message: str) -> None:
    print(f"错误:{message}", file=sys.stderr)


_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EPERM: "没有权限",
    errno.EACCES: "没有权限,或文件正被其他程序(如 Excel)打开",
    errno.EROFS: "磁盘是只读的",
    errno.ENOSPC: "磁盘已满",
    errno.EISDIR: "这是一个文件夹,不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENAMETOOLONG: "路径太长",
    errno.EBUSY: "文件正被其他程序使用",
}


def _os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0, f"系统错误(代码 {exc.errno})")


def _require_sources(sources: Sequence[Path]) -> None:
    missing = [str(f) for f in sources if not f.exists()]
    if missing:
        raise InputError("找不到文件或文件夹", where="、".join(missing))


def _require_files(files: Sequence[Path]) -> None:
    """Refuse at once, naming them, files that are missing or cannot be read."""
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise InputError("找不到文件", where="、".join(missing))
    for f in files:
        if f.is_dir():
            raise InputError("这是一个文件夹,不是文件", where=str(f))
        try:
            f.open("rb").close()
        except OSError as exc:
            raise InputError(f"无法读取文件:{_os_reason(exc)}", where=str(f)) from None


def _require_writable_folder(folder: Path, option: str) -> None:
    """Refuse an output folder that is missing or where no file can be made, before any work."""
    import os
    import tempfile

    if not folder.is_dir():
        what = "不是文件夹" if folder.exists() else "文件夹不存在"
        raise InputError(f"{what}:{folder}", where=option, allowed="一个已存在的文件夹")
    try:
        fd, probe = tempfile.mkstemp(prefix=".~jlip-", suffix=".tmp", dir=folder)
    except OSError as exc:
        reason = "该位置不能创建文件" if exc.errno == errno.ENOENT else _os_reason(exc)
        raise InputError(f"无法写入文件夹 {folder}:{reason}", where=option) from None
    os.close(fd)
    Path(probe).unlink()


def _with_store(fn: Callable[[Any, Any], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from jlip_desk.services.installation import open_store

        store = open_store()
        try:
            return fn(store, args)
        finally:
            store.close()

    return run


def _print_json(data: Any) -> None:
    import json

    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, sort_keys=False)
    sys.stdout.write("\n")


@_with_store
def _cmd_init(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.installation import bind

    org = bind(store, args.org, force=args.force)
    print(f"已将本机绑定到 {org.code} {org.name}({org.level_label})。")
    return EXIT_OK


@_with_store
def _cmd_orgs(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.installation import require_bound
    from jlip_desk.store import orgs

    if args.orgs_command == "add":
        bound = require_bound(store)
        if bound.code != orgs.PROVINCE_CODE:
            from jlip_desk.errors import NotAllowedError

            raise NotAllowedError("只有省级安装可以新增单位", where=f"本机单位 {bound.name}")
        org = orgs.add_zone(store, args.code, args.name, args.parent)
        print(f"已新增单位 {org.code} {org.name}(上级 {org.parent_code})。")
        return EXIT_OK
    tree = orgs.tree(store)
    if args.json:
        _print_json(tree)
        return EXIT_OK

    def show(node: dict[str, Any], depth: int) -> None:
        mark = "" if node["official"] else "(新增)"
        print(f"{'  ' * depth}{node['code']} {node['name']}{mark}")
        for child in node["children"]:
            show(child, depth + 1)

    for root in tree:
        show(root, 0)
    return EXIT_OK


@_with_store
def _cmd_demo(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.demo import generate

    result = generate(store, seed=args.seed)
    print(
        f"已写入演示数据:{result.counties} 个县级单位,{result.records} 条登记记录,"
        f"{result.values} 个数值;{result.periods_missing} 个单位报告期故意留空。"
    )
    return EXIT_OK


@_with_store
def _cmd_summary(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.installation import bound_org
    from jlip_desk.services.summary import build_summary
    from jlip_desk.services.summary_text import summary_text

    # By default the installation's own org unit: a county's store holds a county.
    bound = bound_org(store)
    summary = build_summary(
        store, args.period, args.org or (bound.code if bound else None), plan_id=args.plan
    )
    if args.json:
        _print_json(summary)
    else:
        print(summary_text(summary))
    return EXIT_OK


def _check_toml(path: Path) -> None:
    """A TOML syntax error named in Chinese (the parser's own words are English)."""
    import re
    import tomllib

    from jlip_desk.errors import PlanError

    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return  # the loader says this one in Chinese
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        where = f"{path},第 {match[1]} 行第 {match[2]} 列" if match else str(path)
        raise PlanError(
            "计划定义文件不是有效的 TOML", where=where, allowed="检查该处的等号、引号和括号"
        ) from None


# -- plan new: a starting file for the next plan ---------------------------------


def _years_arg(text: str) -> tuple[int, int]:
    from jlip_desk.plan.starter import parse_years

    try:
        return parse_years(text)
    except JlipError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _plan_to_start_from(store: Any, plan_id: str) -> Any:
    """A plan loaded in this store, or else a bundled one, by its id."""
    from jlip_desk.plan.loader import load_plan
    from jlip_desk.store.plans import get_plan, stored_plans

    stored = {s.id for s in stored_plans(store)}
    if plan_id in stored:
        return get_plan(store, plan_id)
    bundled = [load_plan(f) for f in sorted(paths.plans_dir().glob("*.toml"))]
    for plan in bundled:
        if plan.id == plan_id:
            return plan
    known = sorted(stored | {p.id for p in bundled})
    raise InputError(f"找不到计划“{plan_id}”", where="--from", allowed="、".join(known))


def _plan_new(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.plan.schema import PLACEHOLDER
    from jlip_desk.plan.starter import check_plan_id, next_plan_id, starter_text

    output: Path = args.output
    if output.is_dir():
        raise InputError("这是一个文件夹,不是文件", where=str(output))
    if output.exists() and not args.force:
        raise InputError("文件已存在", where=str(output), allowed="另选文件名,或加 --force 覆盖")
    _require_writable_folder(output.resolve().parent, "-o")
    plan = _plan_to_start_from(store, args.source)
    start, end = args.years
    new_id = check_plan_id(args.id or next_plan_id(plan.id, start))
    if new_id == plan.id:
        raise InputError("新计划的标识不能与起点计划相同", where="--id")
    text = starter_text(plan, start, end, new_id)
    output.write_text(text, encoding="utf-8")
    places = text.count(f'= "{PLACEHOLDER}"')
    print(
        f"已写入计划起始文件:{output}\n沿用“{plan.name}”的报表、字段和登记册,"
        f"规划期 {start}-{end} 年;有 {places} 处标为“{PLACEHOLDER}”(名称、基期值、"
        f"目标值和增长率),填写后用 jlip-desk plan load {output} 载入。"
    )
    return EXIT_OK


@_with_store
def _cmd_plan(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.plans import activates, describe_plan, preview_plan, read_plan_file
    from jlip_desk.store.plans import save_plan

    if args.plan_command == "new":
        return _plan_new(store, args)
    if args.plan_command == "load":
        _require_files([args.file])
        workbook = args.file.suffix.lower() in (".xlsx", ".xlsm")
        if not workbook:
            _check_toml(args.file)
        plan = read_plan_file(args.file)
        print(preview_plan(store, plan).text() + "\n")
        if args.preview:
            return EXIT_OK
        # A plan becomes active only when it is later than the active one: loading the
        # ended plan again never switches back to it (it stays readable, summary --plan).
        active = activates(store, plan)
        changed = save_plan(store, plan, activate=active)
        if not changed:
            state = "已是当前计划,无变化:"
        else:
            kept = "已载入(仍使用当前计划;此计划可用 summary --plan 查看,按它制作的工作簿按它核对)"
            state = "已载入并启用" if active else kept
        print(f"{state}{plan.name}(标识 {plan.id},版本 {plan.version})。")
        return EXIT_OK
    description = describe_plan(store)
    if args.json:
        _print_json(description)
    else:
        from jlip_desk.services.plans import describe_text

        print(describe_text(description))
    return EXIT_OK


@_with_store
def _cmd_check(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.check import check_store

    report = check_store(store)
    print(report.text())
    return EXIT_OK if report.ok else EXIT_REFUSED


@_with_store
def _cmd_backup(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.store.backups import backup_to, contents

    if args.output is not None:
        _require_writable_folder(args.output.resolve().parent, "-o")
        target = backup_to(store.conn, args.output.resolve())
    else:
        target = store.backup(reason="manual")
    print(f"已备份并通过完整性检查:{target}\n{contents(target).text()}")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    from jlip_desk.services.backup import listed, newest_good, restore

    if args.list:
        found = listed()
        if not found:
            print(f"没有备份({paths.backups_dir()})。")
        for item in found:
            what = item.contents.text() if item.contents else f"不可用:{item.problem}"
            print(
                f"{item.info.taken:%Y-%m-%d %H:%M:%S}  {item.info.reason_label}  {item.info.path}"
            )
            print(f"    {what}")
        return EXIT_OK
    if args.latest:
        good = newest_good()
        if good is None:
            raise InputError("没有可用的备份", where=str(paths.backups_dir()))
        source = good.info.path
    else:
        _require_files([args.file])
        source = args.file
    done = restore(source)
    print(f"已从备份恢复:{done.source}\n{done.contents.text()}")
    if done.safety_copy:
        print(f"恢复前的数据库已备份到:{done.safety_copy}")
    if done.set_aside:
        print(f"原数据库无法打开,已原样移到:{done.set_aside}")
    return EXIT_OK


def _bound_county(store: Any) -> str | None:
    from jlip_desk.services.installation import bound_org

    org = bound_org(store)
    return org.code if org is not None and org.level == "county" else None


def _export_many(store: Any, args: argparse.Namespace, *, blank: bool) -> int:
    from jlip_desk.services import excel

    if args.output.suffix.lower() == ".xlsx":
        raise InputError("--all-counties 需要输出到文件夹", where="-o", allowed="一个文件夹路径")
    _require_writable_folder(args.output, "-o")

    def progress(done: int, total: int, name: str) -> None:
        print(f"[{done}/{total}] {name}")

    export = excel.export_templates_all if blank else excel.export_submissions_all
    annual = {"with_annual": True} if args.with_annual else {}
    results = export(store, args.period, args.output, scope=args.org, progress=progress, **annual)
    print(f"已导出 {len(results)} 个工作簿到 {args.output}。")
    if not blank:
        from jlip_desk.services.installation import bound_org
        from jlip_desk.services.reporting import faulty_text, units_with_errors
        from jlip_desk.store.orgs import PROVINCE_CODE
        from jlip_desk.store.plans import plan_for_period

        bound = bound_org(store)
        scope = args.org or (bound.code if bound else PROVINCE_CODE)
        plan = plan_for_period(store, args.period)
        codes = [r.org_code for r in results]
        notice = faulty_text(units_with_errors(store, plan, scope, args.period, codes), args.period)
        if notice:
            print(notice)
    return EXIT_OK


def _export_one(store: Any, args: argparse.Namespace, *, blank: bool) -> int:
    from jlip_desk.services import excel

    code = args.org or _bound_county(store)
    if not code:
        raise InputError(
            "缺少单位代码", where="--org", allowed="如 --org 220102,或用 --all-counties"
        )
    output: Path = args.output
    _require_writable_folder(output.parent if output.suffix.lower() == ".xlsx" else output, "-o")
    export = excel.export_template if blank else excel.export_submission
    annual = {"with_annual": True} if args.with_annual else {}
    result = export(store, code, args.period, output, **annual)
    if getattr(result, "submitted", False):
        label = args.period.label + (f"及{args.period.year}年度" if args.with_annual else "")
        print(
            f"已导出并报送:{result.path}\n{label}已报送并锁定,不能再修改;"
            "请把此文件发送给上级单位。如需修改,请先解锁(jlip-desk unlock)。"
        )
    else:
        print(f"已导出:{result.path}")
    return EXIT_OK


@_with_store
def _cmd_template(store: Any, args: argparse.Namespace) -> int:
    if args.all_counties:
        return _export_many(store, args, blank=True)
    return _export_one(store, args, blank=True)


@_with_store
def _cmd_export(store: Any, args: argparse.Namespace) -> int:
    if args.all_counties:
        return _export_many(store, args, blank=False)
    return _export_one(store, args, blank=False)


_REPORT_SUFFIXES = (".xlsx", ".pdf")


@_with_store
def _cmd_report(store: Any, args: argparse.Namespace) -> int:
    output: Path = args.output
    suffix = output.suffix.lower()
    if suffix not in _REPORT_SUFFIXES:
        raise InputError(
            f"不支持的文件类型“{output.suffix or '(无扩展名)'}”",
            where="-o",
            allowed="扩展名为 .xlsx(工作簿)或 .pdf(PDF)的文件",
        )
    _require_writable_folder(output.parent, "-o")
    if suffix == ".pdf":
        # Qt lives in jlip_desk.ui; it is loaded only for a PDF.
        from jlip_desk.ui.report_pdf import export_report_pdf

        path = export_report_pdf(store, args.period, args.org, output)
    else:
        from jlip_desk.services.report_book import export_report_book

        path = export_report_book(store, args.period, args.org, output)
    print(f"已生成汇总报告:{path}")
    return EXIT_OK


@_with_store
def _cmd_import(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.excel import backup_before_import, collect_workbooks, import_files

    _require_sources(args.files)
    files, skipped = collect_workbooks(args.files)
    if not files:
        raise InputError(
            "文件夹中没有可导入的 .xlsx 工作簿",
            where="、".join(str(f) for f in args.files),
            allowed="含有填报好的 .xlsx 工作簿的文件夹",
        )
    _require_files(files)
    if skipped:
        names = "、".join(Path(p).name for p in skipped[:5]) + ("等" if len(skipped) > 5 else "")
        print(
            f"文件夹中有 {len(skipped)} 个文件不是待导入的工作簿,已跳过:{names}。",
            file=sys.stderr,
        )
    if args.report:
        _require_writable_folder(args.report.parent, "--report")
    if args.markup_dir:
        _require_writable_folder(args.markup_dir, "--markup-dir")
    backup_before_import(store)

    def progress(done: int, total: int, name: str) -> None:
        # On stderr, as it goes: the report on stdout stays one piece for scripts.
        print(f"[{done}/{total}] {name}", file=sys.stderr, flush=True)

    report = import_files(
        store,
        files,
        markup_dir=args.markup_dir,
        progress=progress,
        replace_newer=args.replace_newer,
        match_existing=args.match_existing,
        load_plan=args.load_plan,
    )
    # What each plan the workbooks brought changed (worked out by the import itself,
    # against the plan active before it: no second read of any workbook).
    for result in report.files:
        if result.plan_changes:
            print(f"{Path(result.file).name} 附带的计划:\n{result.plan_changes}\n")
    print(report.text())
    if args.report:
        report.write_json(args.report)
        print(f"导入报告已保存:{args.report}")
    return EXIT_OK if report.ok else EXIT_REFUSED


# -- the reporting workflow -----------------------------------------------------


def _workflow_org(store: Any, args: argparse.Namespace) -> Any:
    """The org unit a workflow command acts on (a county installation's own by default)."""
    from jlip_desk.store.orgs import get_org

    code = args.org or _bound_county(store)
    if not code:
        raise InputError("缺少单位代码", where="--org", allowed="如 --org 220102")
    return get_org(store, code.strip())


@_with_store
def _cmd_submit(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services import period_status
    from jlip_desk.store.plans import plan_for_period

    org = _workflow_org(store, args)
    period_status.submit(store, plan_for_period(store, args.period), org.code, args.period)
    print(f"已报送:{org.name} {args.period.label}(已锁定)。")
    return EXIT_OK


@_with_store
def _cmd_unlock(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services import period_status
    from jlip_desk.store.plans import plan_for_period

    org = _workflow_org(store, args)
    state = period_status.unlock(
        store, plan_for_period(store, args.period), org.code, args.period, args.reason
    )
    print(f"已解锁:{org.name} {args.period.label}(可以修改;原因:{state.reason})。")
    return EXIT_OK


@_with_store
def _cmd_accept(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services import period_status
    from jlip_desk.store.plans import plan_for_period

    org = _workflow_org(store, args)
    period_status.accept(store, plan_for_period(store, args.period), org.code, args.period)
    print(f"已接收:{org.name} {args.period.label}。")
    return EXIT_OK


@_with_store
def _cmd_return(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services import period_status
    from jlip_desk.store.plans import plan_for_period

    org = _workflow_org(store, args)
    state = period_status.return_period(
        store, plan_for_period(store, args.period), org.code, args.period, args.reason
    )
    print(f"已退回:{org.name} {args.period.label}(原因:{state.reason})。")
    return EXIT_OK


def _status_overview(store: Any, period: Any, scope_code: str | None) -> Any:
    """Every unit under the scope that should report in ``period``, with its state."""
    from jlip_desk.services.installation import bound_org
    from jlip_desk.services.reporting import period_overview
    from jlip_desk.store import orgs
    from jlip_desk.store.plans import plan_for_period

    plan = plan_for_period(store, period)  # refused when no loaded plan covers it
    bound = bound_org(store)
    scope = orgs.get_org(store, scope_code or (bound.code if bound else orgs.PROVINCE_CODE))
    return period_overview(store, plan, scope.code, period)


def _status_text(store: Any, overview: Any) -> str:
    from jlip_desk.store.orgs import get_org

    lines = [
        f"{overview.scope.name} {overview.period.label}报送状态"
        f"(应报 {overview.expected} 个单位,报送截止 {overview.due.isoformat()})"
    ]
    prefecture = None
    for unit in overview.units:
        if unit.org.parent_code != prefecture:
            prefecture = unit.org.parent_code
            if prefecture is not None:
                lines.append(f"{get_org(store, prefecture).name}:")
        state = unit.state
        why = "退回原因" if state.status == "returned" else "解锁原因"
        notes = ["逾期"] if unit.overdue else []
        notes += [f"错误 {unit.errors} 个"] if unit.errors else []
        notes += [f"警告 {unit.warnings} 个"] if unit.warnings else []
        more = f"({','.join(notes)})" if notes else ""
        # The reason last, after a 「」: its own commas are not read as notes.
        reason = f" {why}:「{state.reason}」" if state.reason else ""
        lines.append(f"  {unit.org.code} {unit.org.name}  {state.label}{more}{reason}")
    if overview.exempt:
        names = "、".join(o.name for o in overview.exempt)
        lines.append(f"无需报送(本期没有在册的登记对象)的单位 {len(overview.exempt)} 个:{names}")
    lines.append(f"合计:{overview.text()}")
    return "\n".join(lines)


@_with_store
def _cmd_status(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.reporting import overview_json

    overview = _status_overview(store, args.period, args.org)
    if args.json:
        _print_json(overview_json(overview))
    else:
        print(_status_text(store, overview))
    return EXIT_OK


@_with_store
def _cmd_export_data(store: Any, args: argparse.Namespace) -> int:
    from jlip_desk.services.data_export import export_data

    output: Path = args.output
    _require_writable_folder(output.resolve().parent, "-o")
    if args.mapping is not None:
        _require_writable_folder(args.mapping.resolve().parent, "--mapping")
    result = export_data(
        store, args.format, output, org_code=args.org, period=args.period, mapping=args.mapping
    )
    print(f"已导出 {result.values} 个数值:{result.path}")
    if result.mapping is not None:
        print(f"元数据对照表(含 {result.attributes} 个登记表属性值):{result.mapping}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": _cmd_init,
    "orgs": _cmd_orgs,
    "demo": _cmd_demo,
    "summary": _cmd_summary,
    "plan": _cmd_plan,
    "check": _cmd_check,
    "backup": _cmd_backup,
    "restore": _cmd_restore,
    "template": _cmd_template,
    "export": _cmd_export,
    "report": _cmd_report,
    "import": _cmd_import,
    "submit": _cmd_submit,
    "unlock": _cmd_unlock,
    "accept": _cmd_accept,
    "return": _cmd_return,
    "status": _cmd_status,
    "export-data": _cmd_export_data,
}
