"""Build JLIP Desk: PyInstaller bundle, checks, selective strip, frozen self-test, installer.

Usage, from the repository root (Linux or Windows):

    uv run python installer/build.py               # bundle in dist/jlip-desk/, self-tested
    uv run python installer/build.py --installer   # ... and dist/JLIP-Desk-<version>-setup.exe
    uv run python installer/build.py --xz          # ... and measure the bundle packed with xz -6
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
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "jlip_desk.spec"
NSI = ROOT / "installer" / "jlip_desk.nsi"
ICON = ROOT / "resources" / "icons" / "jlip_desk.ico"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
REPORT = DIST / "build-report.json"

IS_WIN = sys.platform == "win32"
IS_LINUX = sys.platform.startswith("linux")
APP_NAME = "jlip-desk"  # must match APP_NAME in the spec and APP_EXE in the .nsi
EXE_NAME = f"{APP_NAME}.exe" if IS_WIN else APP_NAME
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
    r"|^_internal/numpy/(.+/)?tests/",
    re.IGNORECASE,
)
# Shared libraries the spec drops: no remaining library may still need one of them.
DROPPED_LIBRARY = re.compile(
    r"^(lib)?(Qt6(Network|Qml|Quick|Pdf|Wayland|EglFs)|crypto|ssl)", re.IGNORECASE
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


def run(command: list[str], *, what: str, **kwargs: object) -> None:
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
    exe = bundle / EXE_NAME
    internal = bundle / CONTENTS
    if not exe.is_file():
        raise BuildError(f"the program {exe} is missing")
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


def strip_libpython(bundle: Path) -> int:
    """Strip libpython only; never the libraries under numpy.libs (OpenBLAS breaks)."""
    step("Stripping libpython (only libpython: stripping numpy.libs breaks OpenBLAS)")
    if not IS_LINUX:
        info("skipped: selective stripping is for Linux builds")
        return 0
    strip = shutil.which("strip")
    if strip is None:
        info("skipped: no strip on PATH (install binutils)")
        return 0
    saved = 0
    for lib in sorted((bundle / CONTENTS).glob("libpython3*.so*")):
        before = lib.stat().st_size
        run([strip, "--strip-unneeded", str(lib)], what=f"strip {lib.name}")
        after = lib.stat().st_size
        saved += before - after
        info(f"{lib.name}: {megabytes(before)} -> {megabytes(after)}")
    if saved == 0:
        info("nothing stripped (already stripped, or no libpython found)")
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


def check_dependencies(bundle: Path) -> None:
    """No library left in the bundle may need one the spec dropped."""
    step("Checking that nothing left in the bundle needs a dropped library")
    if IS_WIN:
        try:
            import pefile  # noqa: F401
        except ImportError:
            info("skipped: pefile is not installed")
            return
        needed_of = _needed_pe
    elif IS_LINUX and shutil.which("readelf"):
        needed_of = _needed_elf
    else:
        info("skipped: needs readelf (Linux) or pefile (Windows)")
        return
    present = {p.name.lower() for p in files_under(bundle)}
    broken: list[str] = []
    checked = 0
    for path in files_under(bundle):
        needed = needed_of(path)
        if needed is None:
            continue
        checked += 1
        for name in needed:
            if DROPPED_LIBRARY.match(name) and name.lower() not in present:
                broken.append(f"{path.relative_to(bundle).as_posix()} needs {name}")
    if broken:
        raise BuildError("dropped libraries are still needed: " + "; ".join(broken[:5]))
    info(f"{checked} binaries checked, none needs a dropped library")


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
    step("Running the frozen program: --self-test and orgs --json, in narrow encodings")
    program = [str(bundle / EXE_NAME)]
    elapsed = 0.0
    # ignore_cleanup_errors: on Windows a program killed on time-out may still hold its
    # files for a moment, and a PermissionError here would hide the real failure.
    with tempfile.TemporaryDirectory(
        prefix="jlip-build-selftest-", ignore_cleanup_errors=True
    ) as scratch:
        for index, (label, extra) in enumerate(encoding_cases(Path(scratch))):
            info(f"with {label}, no PYTHONIOENCODING or PYTHONUTF8:")
            env = _frozen_env(extra)
            data_dir = Path(scratch) / f"data-{index}"
            stdout, seconds = run_frozen(
                program, ["--self-test"], data_dir=data_dir, env=env, what="--self-test"
            )
            if "自检通过" not in stdout:
                raise BuildError(f"--self-test exited 0 without saying 自检通过: {stdout!r}")
            elapsed = max(elapsed, seconds)
            stdout, _ = run_frozen(
                program, ["orgs", "--json"], data_dir=data_dir, env=env, what="orgs --json"
            )
            try:
                tree = json.loads(stdout)
            except ValueError as exc:
                raise BuildError(f"orgs --json did not print JSON: {exc}") from exc
            if not (isinstance(tree, list) and tree and tree[0].get("name") == "吉林省"):
                raise BuildError(f"orgs --json did not print the org tree: {stdout[:200]!r}")
            info(f"passed: 自检通过, and orgs --json printed 吉林省 with {len(stdout)} characters")
    info(f"self-test passed in {elapsed:.1f} s at most")
    return elapsed


class _CountingSink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def measure(bundle: Path, *, with_xz: bool) -> dict[str, float]:
    step("Measuring the bundle")
    files = list(files_under(bundle))
    unpacked = sum(p.stat().st_size for p in files)
    info(f"unpacked: {megabytes(unpacked)} in {len(files)} files")
    figures: dict[str, float] = {"unpacked_bytes": unpacked, "files": len(files)}
    if with_xz:
        started = time.perf_counter()
        sink = _CountingSink()
        with tarfile.open(fileobj=sink, mode="w:xz", preset=6) as tar:  # type: ignore[call-overload]
            tar.add(bundle, arcname=bundle.name)
        figures["xz_bytes"] = sink.size
        figures["xz_seconds"] = round(time.perf_counter() - started, 1)
        info(f"tar | xz -6: {megabytes(sink.size)} ({figures['xz_seconds']:.0f} s)")
    return figures


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
        "--xz", action="store_true", help="also measure the bundle packed with tar | xz -6"
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
            report["stripped_bytes"] = strip_libpython(bundle)
            check_dependencies(bundle)
            report["self_test_seconds"] = round(self_test(bundle), 1)
            report |= measure(bundle, with_xz=args.xz)
            if args.installer:
                installer, seconds = build_installer(bundle, version)
                report |= {
                    "installer": installer.name,
                    "installer_bytes": installer.stat().st_size,
                    "makensis_seconds": round(seconds, 1),
                }
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
