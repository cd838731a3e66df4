"""Build JLIP Desk: PyInstaller bundle, checks, selective strip, frozen self-test, installer.

Usage, from the repository root (Linux or Windows):

    uv run python installer/build.py               # bundle in dist/jlip-desk/, self-tested,
                                                   # the frozen real job, the portable zip
                                                   # and its test, the size budget
    uv run python installer/build.py --installer   # ... and dist/JLIP-Desk-<version>-setup.exe
    uv run python installer/build.py --quick       # bundle and self-test only (no real job,
                                                   # no portable zip, no xz, no budget)
    uv run python installer/build.py --nsis-only DIR   # only compile the installer from DIR
    uv run python installer/build.py --nsis-only DIR --version 0.1.1 --output FILE
                                                   # ... as another version, elsewhere

Every step prints what it does; any failure ends the build with exit status 1 and a
one-line reason. The figures of the last run are written to dist/build-report.json
(not by a build with --output, which is a side build: the workflow's upgrade test).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "jlip_desk.spec"
NSI = ROOT / "installer" / "jlip_desk.nsi"
ICON = ROOT / "resources" / "icons" / "jlip_desk.ico"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
REPORT = DIST / "build-report.json"
FROZEN_JOB = ROOT / "installer" / "frozen_job.py"

IS_WIN = sys.platform == "win32"
IS_LINUX = sys.platform.startswith("linux")
APP_NAME = "jlip-desk"  # must match APP_NAME in the spec and APP_EXE in the .nsi
EXE_NAME = f"{APP_NAME}.exe" if IS_WIN else APP_NAME
CLI_NAME = "jlip-desk-cli"  # must match CLI_NAME in the spec and CLI_EXE in the .nsi
CLI_EXE_NAME = f"{CLI_NAME}.exe" if IS_WIN else CLI_NAME
# Portable mode (jlip_desk/paths.py): this file beside the program keeps the data in
# data/ beside it. The portable zip has it; the installer does not.
PORTABLE_MARKER = "jlip-desk-portable.txt"
PORTABLE_DATA_DIR = "data"
PORTABLE_FOLDER = "JLIP Desk"  # the zip's top folder, as it lands on a USB stick
PORTABLE_TEXT = (
    "JLIP Desk 便携版\r\n\r\n"
    "本文件在程序旁边时,JLIP Desk 把全部数据(数据库、备份、日志、设置)保存在旁边的 data 文件夹中,"
    "不写入本机用户目录。整个文件夹可以放在U盘上使用;复制整个文件夹即可连同数据一起搬到另一台电脑。\r\n"
    "删除本文件则改用本机用户目录中的数据文件夹。\r\n"
)
# The download budget: the bundle packed with xz -6, and the installer, at most this.
SIZE_BUDGET = 45_000_000
LARGEST_SHOWN = 20
CONTENTS = "_internal"  # PyInstaller 6's contents directory: sys._MEIPASS
DATA_FOLDERS = ("resources", "db", "ui")
SELF_TEST_TIMEOUT = 180

# Files that must not reach the bundle (the spec drops them). Matched against paths
# relative to the bundle, with forward slashes, case-insensitively.
FORBIDDEN = re.compile(
    r"(^|/)(lib)?Qt6(Network|Qml|Quick|Pdf|Wayland|EglFs)[^/]*\.(so[.0-9]*|dll)$"
    r"|(^|/)(lib)?(crypto|ssl)[-.0-9a-z_]*\.(so[.0-9]*|dll)$"
    r"|(^|/)opengl32sw\.dll$"
    r"|/plugins/(tls|networkinformation|egldeviceintegrations)/"
    r"|/plugins/wayland-"
    r"|(^|/)(tcl|tk)[0-9.]*/|(^|/)_?tkinter"
    r"|(^|/)(lib)?Qt6Test[^/]*\.(so[.0-9]*|dll)$|(^|/)QtTest\.[^/]*(so|pyd)$"
    r"|/plugins/platformthemes/(lib)?qgtk3|(^|/)readline\.[^/]*(so|pyd)$"
    r"|^_internal/numpy/(.+/)?tests/",
    re.IGNORECASE,
)
# Shared libraries the spec drops: no remaining library may still need one of them.
DROPPED_LIBRARY = re.compile(
    r"^(lib)?(Qt6(Network|Qml|Quick|Pdf|Wayland|EglFs|Test)|crypto|ssl)", re.IGNORECASE
)


class BuildError(Exception):
    """A step failed; the message says which and why."""


def step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def info(message: str) -> None:
    print(f"    {message}", flush=True)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def app_version() -> str:
    text = (ROOT / "jlip_desk" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"^__version__\s*=\s*[\"']([^\"']+)[\"']", text, re.MULTILINE)
    if not match:
        raise BuildError("jlip_desk/__init__.py has no __version__")
    return match.group(1)


def windows_version(version: str) -> str:
    """Four numbers for Windows version resources: 0.1.0 -> 0.1.0.0, 2.0.1.7+ci -> 2.0.1.7.

    The spec's _windows_numbers() has the same rule. A pre-release or dev version is
    refused: its numbers alone would sort above the release (1.2rc1 -> 1.2.1.0 > 1.2).
    """
    release = version.split("+", maxsplit=1)[0]  # a local label is not part of the order
    if not re.fullmatch(r"\d+(\.\d+){0,3}", release):
        raise BuildError(
            f"version {version!r} cannot be a Windows file version: "
            "use one to four numbers, no pre-release or dev suffix"
        )
    numbers = release.split(".")
    if any(int(n) > 0xFFFF for n in numbers):
        raise BuildError(f"version {version!r}: a Windows version number is at most 65535")
    return ".".join(numbers + ["0"] * (4 - len(numbers)))


def run(command: list[str], *, what: str, quiet: bool = False, **kwargs: object) -> None:
    if not quiet:
        info("$ " + subprocess.list2cmdline(command))
    result = subprocess.run(command, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise BuildError(f"{what} failed with exit status {result.returncode}")


def files_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


# --- Steps ----------------------------------------------------------------------------


def build_bundle() -> Path:
    step("Building the one-folder bundle with PyInstaller")
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(SPEC),
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK),
        ],
        what="PyInstaller",
        cwd=ROOT,
    )
    bundle = DIST / APP_NAME
    info(f"bundle: {bundle}")
    return bundle


def check_bundle(bundle: Path) -> None:
    step("Checking the bundle's contents")
    internal = bundle / CONTENTS
    for name in (EXE_NAME, CLI_EXE_NAME):
        if not (bundle / name).is_file():
            raise BuildError(f"the program {bundle / name} is missing")
    info(f"programs: {EXE_NAME} and {CLI_EXE_NAME}, sharing {CONTENTS}/")
    if not internal.is_dir():
        raise BuildError(f"{internal} is missing: has PyInstaller's contents_directory changed?")

    for folder in DATA_FOLDERS:
        source = ROOT / folder
        wanted = {
            p.relative_to(source).as_posix()
            for p in files_under(source)
            if "__pycache__" not in p.parts
        }
        bundled = {
            p.relative_to(internal / folder).as_posix() for p in files_under(internal / folder)
        }
        missing = sorted(wanted - bundled)
        if missing:
            raise BuildError(f"{folder}/ is incomplete in the bundle, missing: {missing[:5]}")
        info(f"{folder}/: {len(wanted)} files, all bundled")

    translations = [p for p in files_under(internal / "PySide6") if p.parent.name == "translations"]
    names = sorted(p.name for p in translations)
    if "qtbase_zh_CN.qm" not in names:
        raise BuildError("Qt's qtbase_zh_CN.qm is missing: stock dialogs would be in English")
    strays = [n for n in names if not n.endswith("_zh_CN.qm")]
    if strays:
        raise BuildError(f"Qt translations other than zh_CN slipped in: {strays[:5]}")
    info(f"Qt translations: {', '.join(names)}")

    forbidden = [
        rel
        for rel in (p.relative_to(bundle).as_posix() for p in files_under(bundle))
        if FORBIDDEN.search(rel)
    ]
    if forbidden:
        raise BuildError(f"files the spec should drop are in the bundle: {forbidden[:5]}")
    info("no excluded Qt modules, plugins, OpenSSL or tkinter files")

    numpy_libs = internal / "numpy.libs"
    if (internal / "numpy").is_dir():
        info(f"numpy bundled; numpy.libs {'present' if numpy_libs.is_dir() else 'absent'}")
    else:
        info("numpy is not bundled (nothing in the app imports pyqtgraph or numpy yet)")


def strip_python(bundle: Path) -> int:
    """Strip libpython and CPython's own extension modules (lib-dynload) only.

    Those come from the Python build, with their symbols. Never the libraries under
    numpy.libs (OpenBLAS breaks), nor other wheels' files.
    """
    step("Stripping libpython and lib-dynload (never numpy.libs: stripping breaks OpenBLAS)")
    if not IS_LINUX:
        info("skipped: selective stripping is for Linux builds")
        return 0
    strip = shutil.which("strip")
    if strip is None:
        info("skipped: no strip on PATH (install binutils)")
        return 0
    internal = bundle / CONTENTS
    targets = sorted(internal.glob("libpython3*.so*")) + sorted(
        internal.glob("python3*/lib-dynload/*.so")
    )
    saved = 0
    for lib in targets:
        if lib.is_symlink():
            continue
        before = lib.stat().st_size
        run([strip, "--strip-unneeded", str(lib)], what=f"strip {lib.name}", quiet=True)
        saved += before - lib.stat().st_size
    info(f"{len(targets)} files stripped, {megabytes(saved)} saved")
    return saved


def _needed_elf(path: Path) -> list[str] | None:
    with path.open("rb") as fh:
        if fh.read(4) != b"\x7fELF":
            return None
    readelf = shutil.which("readelf")
    if readelf is None:
        return None
    out = subprocess.run(
        [readelf, "-d", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def _needed_pe(path: Path) -> list[str] | None:
    if path.suffix.lower() not in {".dll", ".pyd", ".exe"}:
        return None
    import pefile  # type: ignore[import-not-found,import-untyped,unused-ignore]

    pe = pefile.PE(str(path), fast_load=True)
    try:
        pe.parse_data_directories(
            directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]]
        )
        return [entry.dll.decode() for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])]
    finally:
        pe.close()


def check_dependencies(bundle: Path) -> dict[str, list[str]]:
    """No library left in the bundle may need one the spec dropped.

    Returns what each binary needs (its path in the bundle -> library names), for the
    list of the largest files; empty when the tools are missing.
    """
    step("Checking that nothing left in the bundle needs a dropped library")
    if IS_WIN:
        try:
            import pefile  # noqa: F401
        except ImportError:
            info("skipped: pefile is not installed")
            return {}
        needed_of: Callable[[Path], list[str] | None] = _needed_pe
    elif IS_LINUX and shutil.which("readelf"):
        needed_of = _needed_elf
    else:
        info("skipped: needs readelf (Linux) or pefile (Windows)")
        return {}
    present = {p.name.lower() for p in bundle.rglob("*")}
    broken: list[str] = []
    needs: dict[str, list[str]] = {}
    for path in files_under(bundle):
        needed = needed_of(path)
        if needed is None:
            continue
        needs[path.relative_to(bundle).as_posix()] = needed
        for name in needed:
            if DROPPED_LIBRARY.match(name) and name.lower() not in present:
                broken.append(f"{path.relative_to(bundle).as_posix()} needs {name}")
    if broken:
        raise BuildError("dropped libraries are still needed: " + "; ".join(broken[:5]))
    info(f"{len(needs)} binaries checked, none needs a dropped library")
    return needs


def _pulled_in_by(rel: str, needs: dict[str, list[str]]) -> str:
    """Why a file is in the bundle: the binaries that need it, or the package it is in."""
    name = rel.rsplit("/", 1)[-1].lower()
    users = sorted(
        user.removeprefix(f"{CONTENTS}/")
        for user, needed in needs.items()
        if name in (n.lower() for n in needed)
    )
    if users:
        more = f" and {len(users) - 3} more" if len(users) > 3 else ""
        return "needed by " + ", ".join(users[:3]) + more
    if "/" not in rel:
        return "the program (bootloader)"
    parts = rel.split("/")[1:]
    if parts[0] == "PySide6" and "plugins" in parts:
        return f"Qt plugin ({parts[parts.index('plugins') + 1]}), loaded by Qt at run time"
    if parts[0].startswith("python3") and "lib-dynload" in parts:
        return "CPython's standard library (extension module)"
    if len(parts) == 1:
        return "a library PyInstaller collected for the Python runtime or a dependency"
    return f"the {parts[0].split('.')[0]} package"


def largest_files(bundle: Path, needs: dict[str, list[str]]) -> list[dict[str, object]]:
    step(f"The {LARGEST_SHOWN} largest files in the bundle, and what pulled each in")
    files = sorted(files_under(bundle), key=lambda p: p.stat().st_size, reverse=True)
    shown = []
    for path in files[:LARGEST_SHOWN]:
        rel = path.relative_to(bundle).as_posix()
        why = _pulled_in_by(rel, needs)
        info(f"{megabytes(path.stat().st_size):>9}  {rel}: {why}")
        shown.append({"file": rel, "bytes": path.stat().st_size, "why": why})
    return shown


# --- The frozen program ----------------------------------------------------------------

# What makes a Python program's output encoding look better than a user's. The frozen
# program is run without them: PyInstaller's bootloader ignores PYTHONUTF8 anyway, and
# a user's shortcut or pipe sets none of them.
_ENCODING_VARIABLES = {"PYTHONIOENCODING", "PYTHONUTF8", "PYTHONLEGACYWINDOWSSTDIO", "LANG"}
_CP1252_LOCALE = "en_US.CP1252"


def _frozen_env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _ENCODING_VARIABLES and not name.startswith("LC_")
    }
    env.pop("JLIP_DESK_DATA_DIR", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def encoding_cases(scratch: Path) -> list[tuple[str, dict[str, str]]]:
    """The narrow output encodings the frozen program must print Chinese through.

    On Windows that is simply a pipe (cp1252 on an English runner). On Linux, LC_ALL=C
    is ASCII, but Python turns its UTF-8 mode on by itself in the C locale (PEP 540), so
    a cp1252 locale, built into a scratch folder with localedef, is the case that proves
    the spec's "X utf8" option: without it the program fails as it would on Windows.
    """
    if IS_WIN:
        return [("a pipe in the Windows code page", {})]
    cases = [("LC_ALL=C (ASCII)", {"LC_ALL": "C"})]
    localedef = shutil.which("localedef")
    if localedef is None:
        info("note: no localedef, so no cp1252 locale: only LC_ALL=C is tried")
        return cases
    folder = scratch / "locales"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [localedef, "-i", "en_US", "-f", "CP1252", str(folder / _CP1252_LOCALE)],
        capture_output=True,
        check=False,
    )
    if (folder / _CP1252_LOCALE / "LC_CTYPE").is_file():
        cases.append(
            (
                f"LC_ALL={_CP1252_LOCALE} (like a pipe on an English Windows)",
                {"LOCPATH": str(folder), "LC_ALL": _CP1252_LOCALE},
            )
        )
    else:
        info(f"note: localedef could not build {_CP1252_LOCALE}: only LC_ALL=C is tried")
    return cases


def _show_output(stdout: bytes | None, stderr: bytes | None, data_dir: Path) -> None:
    """The program's output and every log file it left in its data folder."""
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        text = (data or b"").decode("utf-8", errors="replace").rstrip()
        info(f"--- {name} ---")
        for line in text.splitlines() or ["(nothing)"]:
            info(f"| {line}")
    for log in sorted(data_dir.rglob("*.log")):
        info(f"--- {log.relative_to(data_dir).as_posix()} ---")
        print(log.read_text(encoding="utf-8", errors="replace"), flush=True)


def run_frozen(
    program: list[str], arguments: list[str], *, data_dir: Path, env: dict[str, str], what: str
) -> tuple[str, float]:
    """Run the frozen program with its own data folder; its stdout (UTF-8) and the time.

    A failure or a time-out prints the program's output and its logs: a windowed build
    that hangs on a dialog leaves nothing else to go on.
    """
    command = [*program, "--data-dir", str(data_dir), *arguments]
    info("$ " + subprocess.list2cmdline(command))
    started = time.perf_counter()
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, timeout=SELF_TEST_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        _show_output(exc.stdout, exc.stderr, data_dir)
        raise BuildError(f"{what} did not finish within {SELF_TEST_TIMEOUT} s") from exc
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        _show_output(result.stdout, result.stderr, data_dir)
        raise BuildError(f"{what} exited with status {result.returncode}")
    try:
        stdout = result.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        _show_output(result.stdout, result.stderr, data_dir)
        raise BuildError(f"{what} did not write UTF-8: {exc}") from exc
    for line in stdout.strip().splitlines()[:3]:
        info(f"| {line}")
    return stdout, elapsed


def self_test(bundle: Path) -> float:
    step("Running both frozen programs: --self-test and orgs --json, in narrow encodings")
    elapsed = 0.0
    # ignore_cleanup_errors: on Windows a program killed on time-out may still hold its
    # files for a moment, and a PermissionError here would hide the real failure.
    with tempfile.TemporaryDirectory(
        prefix="jlip-build-selftest-", ignore_cleanup_errors=True
    ) as scratch:
        for exe_name in (EXE_NAME, CLI_EXE_NAME):
            program = [str(bundle / exe_name)]
            for index, (label, extra) in enumerate(encoding_cases(Path(scratch))):
                info(f"{exe_name} with {label}, no PYTHONIOENCODING or PYTHONUTF8:")
                env = _frozen_env(extra)
                data_dir = Path(scratch) / f"data-{exe_name}-{index}"
                stdout, seconds = run_frozen(
                    program, ["--self-test"], data_dir=data_dir, env=env, what="--self-test"
                )
                if "自检通过" not in stdout:
                    raise BuildError(f"--self-test exited 0 without saying 自检通过: {stdout!r}")
                elapsed = max(elapsed, seconds)
                stdout, _ = run_frozen(
                    program, ["orgs", "--json"], data_dir=data_dir, env=env, what="orgs --json"
                )
                _check_org_tree(stdout)
                info(f"passed: 自检通过, and orgs --json printed 吉林省 ({len(stdout)} characters)")
    info(f"self-test passed in {elapsed:.1f} s at most")
    return elapsed


def _check_org_tree(stdout: str) -> None:
    try:
        tree = json.loads(stdout)
    except ValueError as exc:
        raise BuildError(f"orgs --json did not print JSON: {exc}") from exc
    if not (isinstance(tree, list) and tree and tree[0].get("name") == "吉林省"):
        raise BuildError(f"orgs --json did not print the org tree: {stdout[:200]!r}")


def _frozen_job(bundle: Path, option: str, what: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="jlip-build-job-") as scratch:
        figures = Path(scratch) / "figures.json"
        program = str(bundle / CLI_EXE_NAME)
        command = [sys.executable, str(FROZEN_JOB), program, option, "--json", str(figures)]
        run(command, what=what)
        result: dict[str, float] = json.loads(figures.read_text(encoding="utf-8"))
    return result


def frozen_job(bundle: Path) -> dict[str, float]:
    """installer/frozen_job.py: the real job, frozen and from source, compared."""
    step("The frozen program on a real job, compared with the program from source")
    return _frozen_job(bundle, "--no-startup", "the frozen real job")


def startup(bundle: Path) -> dict[str, float]:
    """The start-up, frozen and from source, once the xz packing no longer competes."""
    step("Start-up: the frozen program next to the program from source")
    result = _frozen_job(bundle, "--startup-only", "the start-up measurement")
    info(
        f"frozen {result['startup_frozen_seconds']:.2f} s, from source "
        f"{result['startup_source_seconds']:.2f} s: {result['startup_ratio']:.2f}x "
        "(target at most 1.2x)"
    )
    return result


# --- The portable zip ------------------------------------------------------------------


def portable_zip(bundle: Path, version: str) -> Path:
    """The bundle as a zip that runs from a USB stick, its data in data/ beside it.

    One top folder with the programs, _internal/ and the marker file. Deflate (what
    Windows Explorer unpacks). A symbolic link (Linux bundles have a few) is stored as one.
    """
    step("Packing the portable zip")
    out = DIST / f"JLIP-Desk-{version}-portable.zip"
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(bundle.rglob("*")):
            arcname = f"{PORTABLE_FOLDER}/{path.relative_to(bundle).as_posix()}"
            if path.is_symlink():
                entry = zipfile.ZipInfo(arcname)
                entry.create_system = 3  # Unix, so the mode bits below mean a link
                entry.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(entry, str(path.readlink()))
            elif path.is_file():
                zf.write(path, arcname)
        marker = zipfile.ZipInfo(f"{PORTABLE_FOLDER}/{PORTABLE_MARKER}", time.localtime()[:6])
        marker.external_attr = 0o644 << 16
        zf.writestr(marker, PORTABLE_TEXT.encode("utf-8-sig"))
    info(f"{out.name}: {megabytes(out.stat().st_size)} in {time.perf_counter() - started:.0f} s")
    return out


def unpack_zip(archive: Path, target: Path) -> None:
    """Unpack like a user would, keeping the symbolic links and the programs' x bits."""
    with zipfile.ZipFile(archive) as zf:
        for entry in zf.infolist():
            dest = target / entry.filename
            mode = entry.external_attr >> 16
            if stat.S_ISLNK(mode):
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.symlink_to(zf.read(entry).decode("utf-8"))
                continue
            zf.extract(entry, target)
            if mode & 0o111:
                dest.chmod(dest.stat().st_mode | 0o111)


_PROFILE_VARIABLES = ("HOME", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "XDG_CONFIG_HOME",
                      "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")  # fmt: skip


def portable_test(archive: Path) -> None:
    """Unpack the zip to a stand-in USB stick and run it with a stand-in user profile.

    Every variable that names the profile points at an empty folder; after a real start
    (bind, write, summary, check, backup, and the window's --self-test) the data must be
    in data/ beside the program and that folder still empty.
    """
    step("Running the portable zip from a stand-in USB stick")
    with tempfile.TemporaryDirectory(prefix="jlip-build-portable-") as scratch:
        usb, profile = Path(scratch) / "usb", Path(scratch) / "profile"
        profile.mkdir()
        unpack_zip(archive, usb)
        folder = usb / PORTABLE_FOLDER
        env = _frozen_env({name: str(profile) for name in _PROFILE_VARIABLES})
        env.pop("JLIP_DESK_DATA_DIR", None)
        data = folder / PORTABLE_DATA_DIR
        steps = [
            (CLI_EXE_NAME, ["init", "--org", "220102"]),
            (CLI_EXE_NAME, ["summary", "--json"]),
            (CLI_EXE_NAME, ["check"]),
            (CLI_EXE_NAME, ["backup"]),
            (EXE_NAME, ["--self-test"]),
        ]
        for exe_name, args in steps:
            command = [str(folder / exe_name), *args]
            info("$ " + subprocess.list2cmdline([f"{PORTABLE_FOLDER}/{exe_name}", *args]))
            result = subprocess.run(
                command, env=env, capture_output=True, timeout=SELF_TEST_TIMEOUT, check=False
            )
            if result.returncode != 0:
                _show_output(result.stdout, result.stderr, data)
                raise BuildError(f"portable {exe_name} {args[0]} exited {result.returncode}")
        if not (data / "jlip_desk.sqlite3").is_file():
            raise BuildError(f"portable mode: no store in {data}")
        if not list((data / "backups").glob("*.sqlite3")):
            raise BuildError(f"portable mode: no backup in {data / 'backups'}")
        written = sorted(p.relative_to(profile).as_posix() for p in profile.rglob("*"))
        if written:
            raise BuildError(f"portable mode wrote into the user's profile: {written[:5]}")
        kept = sorted(p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file())
        info(f"data beside the program: {', '.join(kept[:6])}")
        info("nothing written under the user's profile (HOME, APPDATA, LOCALAPPDATA, XDG_*)")


class _CountingSink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


class XzMeasurement:
    """``tar | xz -6`` of the bundle, counted in a thread while the frozen tests run.

    lzma releases the GIL while it compresses, so this costs no time of its own on a
    machine with two cores.
    """

    def __init__(self, bundle: Path) -> None:
        self.bundle = bundle
        self.size = 0
        self.seconds = 0.0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._pack, name="xz", daemon=True)
        self._thread.start()

    def _pack(self) -> None:
        started = time.perf_counter()
        try:
            sink = _CountingSink()
            with tarfile.open(fileobj=sink, mode="w:xz", preset=6) as tar:  # type: ignore[call-overload]
                tar.add(self.bundle, arcname=self.bundle.name)
            self.size = sink.size
        except BaseException as exc:  # re-raised in result()
            self.error = exc
        self.seconds = time.perf_counter() - started

    def result(self) -> tuple[int, float]:
        self._thread.join()
        if self.error is not None:
            raise BuildError(f"packing the bundle with xz failed: {self.error}")
        return self.size, self.seconds


def measure(bundle: Path, xz: XzMeasurement | None) -> dict[str, float]:
    step("Measuring the bundle")
    files = list(files_under(bundle))
    unpacked = sum(p.stat().st_size for p in files)
    info(f"unpacked: {megabytes(unpacked)} in {len(files)} files")
    figures: dict[str, float] = {"unpacked_bytes": unpacked, "files": len(files)}
    if xz is not None:
        size, seconds = xz.result()
        figures["xz_bytes"] = size
        figures["xz_seconds"] = round(seconds, 1)
        info(f"packed with tar | xz -6: {megabytes(size)} ({seconds:.0f} s, alongside the tests)")
    return figures


def check_budget(report: dict[str, object]) -> None:
    """The download budget: the xz-packed bundle and the installer, each at most 45 MB."""
    step(f"Size budget: at most {megabytes(SIZE_BUDGET)} packed")
    over = []
    for key, label in (("xz_bytes", "bundle packed with xz -6"), ("installer_bytes", "installer")):
        size = report.get(key)
        if not isinstance(size, int):
            continue
        verdict = "within" if size <= SIZE_BUDGET else "OVER"
        info(f"{label}: {megabytes(size)}, {verdict} the budget of {megabytes(SIZE_BUDGET)}")
        if size > SIZE_BUDGET:
            over.append(f"{label} {megabytes(size)}")
    if over:
        raise BuildError(
            f"over the size budget of {megabytes(SIZE_BUDGET)}: {', '.join(over)} "
            "(see the largest files above)"
        )


def find_makensis() -> str:
    found = shutil.which("makensis")
    if found:
        return found
    if IS_WIN:
        for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
            if base and (Path(base) / "NSIS" / "makensis.exe").is_file():
                return str(Path(base) / "NSIS" / "makensis.exe")
    raise BuildError(
        "makensis not found: install NSIS (Windows: choco install nsis; Debian: apt install nsis)"
    )


def build_installer(bundle: Path, version: str, out: Path | None = None) -> tuple[Path, float]:
    step(f"Compiling the Windows installer {version} with makensis (LZMA, solid)")
    if not (bundle / CONTENTS).is_dir():
        raise BuildError(f"{bundle} does not look like a PyInstaller one-folder bundle")
    if not (bundle / f"{APP_NAME}.exe").is_file():
        info(f"note: {bundle} has no {APP_NAME}.exe (not a Windows build): fine for proving")
        info("that the script compiles, but that installer cannot run the program")
    out = (out or DIST / f"JLIP-Desk-{version}-setup.exe").resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    command = [
        find_makensis(),
        "-V2",  # warnings and errors only
        "-WX",  # a warning fails the build
        "-INPUTCHARSET",
        "UTF8",
        f"-DVERSION={version}",
        f"-DVERSION_WIN={windows_version(version)}",
        f"-DSOURCE_DIR={bundle.resolve()}",
        f"-DOUTFILE={out}",
        f"-DICON={ICON}",
        str(NSI),
    ]
    started = time.perf_counter()
    run(command, what="makensis")
    elapsed = time.perf_counter() - started
    if not out.is_file():
        raise BuildError(f"makensis succeeded but {out} is missing")
    info(f"{out.name}: {megabytes(out.stat().st_size)} in {elapsed:.0f} s")
    return out, elapsed


# --- Main -----------------------------------------------------------------------------


def summary(report: dict[str, object]) -> None:
    """The figures that matter, together at the end of the output."""
    step("Figures")
    rows = [
        ("bundle, unpacked", report.get("unpacked_bytes")),
        ("bundle packed with xz -6", report.get("xz_bytes")),
        ("installer (LZMA, solid)", report.get("installer_bytes")),
        ("portable zip (deflate)", report.get("portable_bytes")),
    ]
    for label, size in rows:
        if isinstance(size, int):
            info(f"{label:<26} {megabytes(size)}")
    if "startup_ratio" in report:
        info(
            f"{'start-up, frozen':<26} {report['startup_frozen_seconds']:.2f} s, from source "
            f"{report['startup_source_seconds']:.2f} s: {report['startup_ratio']:.2f}x "
            "(target at most 1.2x)"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--installer", action="store_true", help="also compile the NSIS installer")
    parser.add_argument(
        "--nsis-only",
        metavar="DIR",
        type=Path,
        help="only compile the installer from an existing one-folder bundle DIR",
    )
    parser.add_argument(
        "--version",
        help="with --nsis-only: the installer's version instead of jlip_desk.__version__ "
        "(the workflow's upgrade test builds a higher one)",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        type=Path,
        help="with --nsis-only: write the installer here instead of dist/",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="bundle and self-test only: no real job, portable zip, xz size or budget",
    )
    args = parser.parse_args(argv)
    if args.nsis_only is None and (args.version or args.output):
        parser.error("--version and --output go with --nsis-only")
    return args


def main(argv: list[str] | None = None) -> int:
    # Chinese self-test output must not crash the build on a cp1252 console.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        version = args.version or app_version()
        print(f"JLIP Desk {version}: build on {sys.platform}, Python {sys.version.split()[0]}")
        report: dict[str, object] = {"version": version, "platform": sys.platform}
        if args.nsis_only is not None:
            installer, seconds = build_installer(args.nsis_only, version, args.output)
            report |= {
                "installer": installer.name,
                "installer_bytes": installer.stat().st_size,
                "makensis_seconds": round(seconds, 1),
            }
        else:
            t0 = time.perf_counter()
            bundle = build_bundle()
            report["pyinstaller_seconds"] = round(time.perf_counter() - t0, 1)
            check_bundle(bundle)
            report["stripped_bytes"] = strip_python(bundle)
            needs = check_dependencies(bundle)
            report["largest_files"] = largest_files(bundle, needs)
            # The bundle is final from here on: pack it with xz while the tests run.
            xz = None if args.quick else XzMeasurement(bundle)
            report["self_test_seconds"] = round(self_test(bundle), 1)
            if not args.quick:
                report |= frozen_job(bundle)
                archive = portable_zip(bundle, version)
                report |= {"portable_zip": archive.name, "portable_bytes": archive.stat().st_size}
                portable_test(archive)
            report |= measure(bundle, xz)
            if not args.quick:
                report |= startup(bundle)
            if args.installer:
                installer, seconds = build_installer(bundle, version)
                report |= {
                    "installer": installer.name,
                    "installer_bytes": installer.stat().st_size,
                    "makensis_seconds": round(seconds, 1),
                }
            summary(report)
            if not args.quick:
                check_budget(report)
    except BuildError as exc:
        print(f"\nBUILD FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    if args.output is not None:
        step(f"Done in {report['total_seconds']:.0f} s")
        return 0
    DIST.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    step(f"Done in {report['total_seconds']:.0f} s; figures in {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
