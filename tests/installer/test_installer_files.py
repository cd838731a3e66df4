"""Static checks of the packaging files (spec, NSIS script, workflow, icon) and one real build."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import struct
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
NSI = INSTALLER / "jlip_desk.nsi"
SPEC = INSTALLER / "jlip_desk.spec"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"
ICO = ROOT / "resources" / "icons" / "jlip_desk.ico"
PNG = ROOT / "resources" / "icons" / "jlip_desk.png"


def _load_script(name: str) -> types.ModuleType:
    """Import installer/<name>.py (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"_installer_{name}", INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nsi_lines() -> list[str]:
    """The NSIS script's statements: comments and blank lines removed, indentation stripped."""
    lines = []
    for raw in NSI.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith((";", "#")):
            lines.append(line)
    return lines


# --- The NSIS script ---------------------------------------------------------------------


def test_nsi_installs_per_user_without_admin_rights() -> None:
    lines = _nsi_lines()
    assert "RequestExecutionLevel user" in lines
    assert not [ln for ln in lines if re.match(r"RequestExecutionLevel\s+(admin|highest)", ln)]
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\${APP_NAME}"' in lines
    assert not [ln for ln in lines if "SetShellVarContext all" in ln]
    registry = [
        ln for ln in lines if re.match(r"(WriteReg|DeleteReg|ReadReg|InstallDirRegKey)", ln)
    ]
    assert registry, "the script should record the installation in the registry"
    for line in registry:
        assert re.search(r"\sHKCU\s", line), f"not per-user: {line}"
    assert not [ln for ln in lines if re.search(r"\b(HKLM|SHCTX|HKCR|HKEY_LOCAL_MACHINE)\b", ln)]


def test_nsi_never_deletes_user_data() -> None:
    deleting = [ln for ln in _nsi_lines() if re.match(r"(RMDir|Delete|RMDirR)\b", ln)]
    assert deleting, "the uninstaller must remove something"
    for line in deleting:
        # $LOCALAPPDATA contains "APPDATA" too: nothing in either tree is deleted by name.
        assert "APPDATA" not in line.upper(), line
        assert "DATA_DIR" not in line, line
        assert "JLIP\\JLIP Desk" not in line, line
    recursive = [ln for ln in deleting if re.match(r"RMDir\s+/r", ln, re.IGNORECASE)]
    assert recursive, "the old bundle should be removed as a whole"
    for line in recursive:
        # The only recursive delete is the program's own _internal folder, never $INSTDIR.
        assert line == 'RMDir /r "$INSTDIR\\_internal"', line
    assert 'RMDir "$INSTDIR"' in deleting  # not /r: only if empty


def test_nsi_upgrade_replaces_only_its_own_program() -> None:
    text = NSI.read_text(encoding="utf-8")
    section = text[text.index('Section "!$(SecProgram)"') : text.index("SectionEnd")]
    guard = section.index('${If} ${FileExists} "$INSTDIR\\${APP_EXE}"')
    end_guard = section.index("${EndIf}", guard)
    assert guard < section.index('RMDir /r "$INSTDIR\\_internal"') < end_guard
    assert guard < section.index('Delete "$INSTDIR\\${APP_EXE}"') < end_guard
    assert section.index("Call CloseRunningApp") < guard
    assert "Call un.CloseRunningApp" in text
    # A silent upgrade over a copy that will not close fails rather than killing it.
    assert "/SD IDCANCEL" in text
    assert "taskkill /F" not in text


def test_nsi_refuses_the_data_folder_on_the_page_and_when_silent() -> None:
    text = NSI.read_text(encoding="utf-8")
    check = text[text.index("Function InstDirInDataTree") :]
    check = check[: check.index("FunctionEnd")]
    assert 'StrLen $1 "$APPDATA\\JLIP"' in check
    # %APPDATA%\JLIP itself and anything below it, not %APPDATA%\JLIP2.
    assert '${If} $2 == ""' in check and '${OrIf} $2 == "\\"' in check
    page = text[text.index("Function .onVerifyInstDir") :]
    page = page[: page.index("FunctionEnd")]
    assert "Call InstDirInDataTree" in page and "Abort" in page
    # .onVerifyInstDir runs only on the directory page: a silent /D= reaches the section.
    section = text[text.index('Section "!$(SecProgram)"') :]
    section = section[: section.index("SectionEnd")]
    refuse = section.index("Call InstDirInDataTree")
    assert refuse < section.index("Call CloseRunningApp") < section.index("File /r")
    guard = section[refuse : section.index("${EndIf}", refuse)]
    assert '"$(BadInstDir)' in guard and "/SD IDOK" in guard
    assert "SetErrorLevel 2" in guard and "Quit" in guard


def test_nsi_compiles_without_warnings(tmp_path: Path) -> None:
    """makensis -WX (a warning fails) through build.py, from a tiny stand-in bundle."""
    build = _load_script("build")
    try:
        build.find_makensis()
    except build.BuildError:
        pytest.skip("makensis is not installed (Debian: apt install nsis)")
    bundle = tmp_path / "jlip-desk"
    (bundle / "_internal" / "resources").mkdir(parents=True)
    (bundle / "_internal" / "resources" / "placeholder.txt").write_text("x", encoding="utf-8")
    (bundle / "jlip-desk.exe").write_bytes(b"MZ stand-in")
    out = tmp_path / "out" / "JLIP-Desk-0.1.1-setup.exe"
    installer, _ = build.build_installer(bundle, "0.1.1", out)
    assert installer == out.resolve()
    assert out.read_bytes()[:2] == b"MZ"


def test_nsi_uninstaller_says_the_data_is_kept() -> None:
    text = NSI.read_text(encoding="utf-8")
    assert '!define DATA_DIR "$APPDATA\\JLIP\\JLIP Desk"' in text
    assert '!define MUI_UNCONFIRMPAGE_TEXT_TOP "$(KeepDataNotice)"' in text
    notices = re.findall(r"LangString KeepDataNotice \$\{LANG_(\w+)\} \"([^\"]+)\"", text)
    assert {lang for lang, _ in notices} == {"SIMPCHINESE", "ENGLISH"}
    for _, message in notices:
        assert "${DATA_DIR}" in message


def test_nsi_languages_and_compression() -> None:
    lines = _nsi_lines()
    assert lines[0] == "Unicode true"
    assert "SetCompressor /SOLID lzma" in lines
    assert '!insertmacro MUI_LANGUAGE "SimpChinese"' in lines
    assert '!insertmacro MUI_LANGUAGE "English"' in lines
    strings: dict[str, set[str]] = {}
    for name, lang in re.findall(r"^LangString (\w+) \$\{LANG_(\w+)\}", "\n".join(lines), re.M):
        strings.setdefault(name, set()).add(lang)
    assert strings
    for name, langs in strings.items():
        assert langs == {"SIMPCHINESE", "ENGLISH"}, f"{name} is not in both languages"


def test_nsi_takes_its_version_from_the_build_script() -> None:
    text = NSI.read_text(encoding="utf-8")
    for define in ("VERSION", "VERSION_WIN", "SOURCE_DIR"):
        assert re.search(rf"!ifndef {define}\s*\n\s*!error", text), define
    assert not re.search(r"!define VERSION\s", text)
    build = _load_script("build")
    assert build.windows_version("0.1.0") == "0.1.0.0"
    assert build.windows_version("2.0.1.7+local") == "2.0.1.7"
    from jlip_desk import __version__

    assert build.app_version() == __version__


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1.0", "0.1.0.0"),
        ("1.2", "1.2.0.0"),
        ("3", "3.0.0.0"),
        ("2.0.1.7", "2.0.1.7"),
        ("2.0.1.7+ci.5", "2.0.1.7"),
        # No four numbers order these right: 1.2rc1 would become 1.2.1.0, above 1.2.
        ("1.2rc1", None),
        ("1.2.0a1", None),
        ("1.2.dev3", None),
        ("1.2.post1", None),
        ("1.2.3.4.5", None),
        ("1.70000", None),
        ("", None),
    ],
)
def test_windows_version_numbers_sort_like_the_releases(
    monkeypatch: pytest.MonkeyPatch, version: str, expected: str | None
) -> None:
    """build.py (for the installer) and the spec (for the program) agree, or both refuse."""
    build = _load_script("build")
    numbers = _exec_spec(monkeypatch, "linux")[1]["_windows_numbers"]
    if expected is None:
        with pytest.raises(build.BuildError):
            build.windows_version(version)
        with pytest.raises(SystemExit):
            numbers(version)
    else:
        assert build.windows_version(version) == expected
        assert ".".join(map(str, numbers(version))) == expected


# --- The PyInstaller spec ----------------------------------------------------------------


class _Recorder:
    """Stands in for PyInstaller's Analysis/PYZ/EXE/COLLECT and keeps what it was given."""

    calls: dict[str, _Recorder]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs


# What a real Analysis collects, in (destination, source, type) entries, by platform.
_SAMPLE_BINARIES = {
    "linux": [
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6OpenGL.so.6",
        "PySide6/Qt/lib/libQt6OpenGLWidgets.so.6",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt/lib/libQt6QuickWidgets.so.6",
        "PySide6/Qt/lib/libQt6Pdf.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
        "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqwayland-egl.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/Qt/plugins/generic/libqtuiotouchplugin.so",
        "PySide6/Qt/plugins/imageformats/libqico.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/imageformats/libqtiff.so",
        "PySide6/Qt/plugins/imageformats/libqwebp.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
        "PySide6/Qt/plugins/platforms/libqminimal.so",
        "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so",
        "PySide6/Qt/lib/libQt6Test.so.6",
        "libcrypto.so.3",
        "libssl.so.3",
        "libk5crypto.so.3",
        "numpy.libs/libscipy_openblas64_-32a4b2a6.so",
        "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
    ],
    "win32": [
        "PySide6/Qt6Core.dll",
        "PySide6/Qt6OpenGL.dll",
        "PySide6/Qt6OpenGLWidgets.dll",
        "PySide6/Qt6Network.dll",
        "PySide6/Qt6Qml.dll",
        "PySide6/Qt6Pdf.dll",
        "PySide6/opengl32sw.dll",
        "PySide6/plugins/platforms/qwindows.dll",
        "PySide6/plugins/tls/qschannelbackend.dll",
        "PySide6/plugins/platforms/qminimal.dll",
        "PySide6/plugins/platforms/qoffscreen.dll",
        "PySide6/plugins/imageformats/qwebp.dll",
        "PySide6/plugins/imageformats/qjpeg.dll",
        "PySide6/Qt6Test.dll",
        "libcrypto-3-x64.dll",
        "libssl-3-x64.dll",
        "numpy.libs/libscipy_openblas64_-4f3e1b5e.dll",
    ],
}
_KEPT_BINARIES = {
    "PySide6/Qt/lib/libQt6Core.so.6",
    "PySide6/Qt/lib/libQt6OpenGL.so.6",
    "PySide6/Qt/lib/libQt6OpenGLWidgets.so.6",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/imageformats/libqico.so",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "PySide6/plugins/platforms/qoffscreen.dll",
    "PySide6/plugins/imageformats/qjpeg.dll",
    "libk5crypto.so.3",
    "numpy.libs/libscipy_openblas64_-32a4b2a6.so",
    "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
    "PySide6/Qt6Core.dll",
    "PySide6/Qt6OpenGL.dll",
    "PySide6/Qt6OpenGLWidgets.dll",
    "PySide6/plugins/platforms/qwindows.dll",
    "numpy.libs/libscipy_openblas64_-4f3e1b5e.dll",
}
_SAMPLE_DATAS = [
    "PySide6/Qt/translations/qtbase_zh_CN.qm",
    "PySide6/Qt/translations/qt_zh_CN.qm",
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/Qt/translations/qt_help_ja.qm",
    "PySide6/translations/qtbase_zh_CN.qm",
    "PySide6/translations/qtbase_fr.qm",
    "numpy/_core/tests/data/umath-validation-set-log.csv",
    "pyqtgraph/icons/auto.png",
    "pyqtgraph/icons/peegee/peegee_512px.png",
    "resources/plans/jilin-ip-14.toml",
]
_KEPT_DATAS = {
    "PySide6/Qt/translations/qtbase_zh_CN.qm",
    "PySide6/Qt/translations/qt_zh_CN.qm",
    "PySide6/translations/qtbase_zh_CN.qm",
    "pyqtgraph/icons/auto.png",
    "resources/plans/jilin-ip-14.toml",
}
_SAMPLE_PURE = ["numpy", "numpy._core", "numpy._core.tests.test_api", "numpy.lib.tests", "pydoc"]


def _real_versioninfo(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """PyInstaller's own version resource module, bound the way the spec will find it.

    On Windows importing PyInstaller.utils.hooks already imports it; elsewhere it is
    loaded here. At the top it imports pefile and PyInstaller.compat.win32api, which
    only Windows installs have and which serve only to read and write executables, not
    to build the structures the spec makes: stand-ins do.
    """
    name = "PyInstaller.utils.win32.versioninfo"
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec("pefile") is None:
        monkeypatch.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
    compat = importlib.import_module("PyInstaller.compat")
    if not hasattr(compat, "win32api"):
        monkeypatch.setattr(compat, "win32api", None, raising=False)
    package = importlib.import_module("PyInstaller.utils.win32")
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(package, "versioninfo", module, raising=False)
    spec.loader.exec_module(module)
    return module


def _run_spec(monkeypatch: pytest.MonkeyPatch, platform: str) -> dict[str, _Recorder]:
    """Execute the spec the way PyInstaller does, with recorders for its build classes."""
    return _exec_spec(monkeypatch, platform)[0]


def _exec_spec(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> tuple[dict[str, _Recorder], dict[str, Any]]:
    """The recorded build calls, and the spec's own names."""
    hooks = pytest.importorskip("PyInstaller.utils.hooks")
    monkeypatch.setattr(hooks, "collect_submodules", lambda package, **_: [f"{package}.cli"])
    # The real module, imported first as on Windows: a stand-in put in sys.modules would
    # be ignored there ("from package import module" takes the package's attribute).
    _real_versioninfo(monkeypatch)
    monkeypatch.setattr(sys, "platform", platform)

    calls: dict[str, _Recorder] = {}

    def recorder(kind: str) -> type[_Recorder]:
        def make(*args: Any, **kwargs: Any) -> _Recorder:
            obj = _Recorder(*args, **kwargs)
            # The second call of a kind (the spec's second EXE) is kept as "EXE#2".
            calls[kind if kind not in calls else f"{kind}#2"] = obj
            if kind == "Analysis":
                obj.pure = [(m, "", "PYMODULE") for m in _SAMPLE_PURE]  # type: ignore[attr-defined]
                obj.binaries = [(d, "", "BINARY") for d in _SAMPLE_BINARIES[platform]]  # type: ignore[attr-defined]
                obj.datas = [(d, "", "DATA") for d in _SAMPLE_DATAS]  # type: ignore[attr-defined]
                obj.scripts = [  # type: ignore[attr-defined]
                    ("pyi_rth_pyside6", "", "PYSOURCE"),
                    ("rthook_qt", "", "PYSOURCE"),
                    ("main", "", "PYSOURCE"),
                ]
            return obj

        return make  # type: ignore[return-value]

    namespace: dict[str, Any] = {
        name: recorder(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT")
    }
    namespace |= {"SPECPATH": str(INSTALLER), "__name__": "__main__"}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return calls, namespace


def test_spec_is_valid_python_with_the_required_excludes() -> None:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    assigned = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    excludes = set(ast.literal_eval(assigned["EXCLUDES"]))
    for module in ("tkinter", "unittest", "numpy.f2py", "numpy.testing", "PySide6.QtNetwork"):
        assert module in excludes
    for module in ("PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtPdf"):
        assert module in excludes
    # pyqtgraph needs these: excluding them breaks charts at run time.
    for module in ("pydoc", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"):
        assert module not in excludes
    assert ast.literal_eval(assigned["DATA_FOLDERS"]) == ("resources", "db", "ui")


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_spec_drops_exactly_what_packaging_md_says(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    calls = _run_spec(monkeypatch, platform)
    collect = calls["COLLECT"]
    exe, cli_exe, binaries, datas = collect.args
    assert (exe, cli_exe) == (calls["EXE"], calls["EXE#2"])
    kept_binaries = {entry[0] for entry in binaries}
    assert kept_binaries == set(_SAMPLE_BINARIES[platform]) & _KEPT_BINARIES
    assert {entry[0] for entry in datas} == _KEPT_DATAS
    assert [entry[0] for entry in calls["PYZ"].args[0]] == ["numpy", "numpy._core", "pydoc"]
    assert collect.kwargs["strip"] is False


def test_spec_bundles_every_resource_db_and_ui_file(monkeypatch: pytest.MonkeyPatch) -> None:
    analysis = _run_spec(monkeypatch, "linux")["Analysis"]
    bundled = {
        (Path(src).resolve(), dest.replace("\\", "/")) for src, dest in analysis.kwargs["datas"]
    }
    expected = {
        (path.resolve(), path.parent.relative_to(ROOT).as_posix())
        for folder in ("resources", "db", "ui")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert expected
    assert bundled == expected
    assert analysis.args[0] == [str(ROOT / "main.py")]
    assert set(analysis.kwargs["excludes"]) >= {"tkinter", "unittest"}


def test_spec_is_windowed_with_icon_and_version_on_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exe = _run_spec(monkeypatch, "win32")["EXE"]
    assert exe.kwargs["console"] is False
    assert exe.kwargs["strip"] is False
    assert exe.kwargs["name"] == "jlip-desk"
    assert Path(exe.kwargs["icon"]) == ICO
    from jlip_desk import __version__

    # PyInstaller's own structures (not stand-ins that accept anything), which serialise.
    resource = exe.kwargs["version"]
    assert type(resource) is sys.modules["PyInstaller.utils.win32.versioninfo"].VSVersionInfo
    assert resource.toRaw()
    build = _load_script("build")
    numbers = [int(n) for n in build.windows_version(__version__).split(".")]
    ffi = resource.ffi
    assert (ffi.fileVersionMS, ffi.fileVersionLS) == (
        numbers[0] << 16 | numbers[1],
        numbers[2] << 16 | numbers[3],
    )
    assert (ffi.productVersionMS, ffi.productVersionLS) == (
        ffi.fileVersionMS,
        ffi.fileVersionLS,
    )
    string_table = resource.kids[0].kids[0]
    strings = {s.name: s.val for s in string_table.kids}
    assert strings["ProductVersion"] == strings["FileVersion"] == __version__
    assert strings["OriginalFilename"] == "jlip-desk.exe"

    linux_exe = _run_spec(monkeypatch, "linux")["EXE"]
    assert linux_exe.kwargs["console"] is True
    assert linux_exe.kwargs["version"] is None


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_spec_builds_a_console_program_beside_the_windowed_one(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    """Two programs, one _internal folder: jlip-desk and the console jlip-desk-cli."""
    calls = _run_spec(monkeypatch, platform)
    exe, cli_exe = calls["EXE"], calls["EXE#2"]
    assert cli_exe.kwargs["name"] == "jlip-desk-cli" == _load_script("build").CLI_NAME
    assert cli_exe.kwargs["console"] is True
    assert exe.kwargs["console"] is (platform != "win32")
    # The same archive, scripts and options: the same program, another subsystem.
    assert cli_exe.args == exe.args
    assert cli_exe.kwargs["exclude_binaries"] is True
    # Modules as .pyc files in _internal/, so the two programs share them.
    assert calls["Analysis"].kwargs["noarchive"] is True
    # PyInstaller's PySide6 run-time hook (it imports Qt at every start) is replaced.
    assert calls["Analysis"].kwargs["runtime_hooks"] == [str(INSTALLER / "rthook_qt.py")]
    assert [entry[0] for entry in exe.args[1]] == ["rthook_qt", "main"]
    if platform == "win32":
        strings = {s.name: s.val for s in cli_exe.kwargs["version"].kids[0].kids[0].kids}
        assert strings["OriginalFilename"] == "jlip-desk-cli.exe"
    nsi = NSI.read_text(encoding="utf-8")
    assert '!define CLI_EXE "jlip-desk-cli.exe"' in nsi
    assert nsi.count('Delete "$INSTDIR\\${CLI_EXE}"') == 2  # upgrade and uninstall


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_spec_runs_python_in_utf8_mode(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    """PyInstaller's bootloader ignores PYTHONUTF8; only this option turns UTF-8 mode on."""
    exe = _run_spec(monkeypatch, platform)["EXE"]
    options = exe.args[2]
    assert ("X utf8", None, "OPTION") in options
    # The spelling many specs use, which the bootloader silently ignores.
    assert not [name for name, _, _ in options if "utf8_mode" in name]


# --- build.py's own checks ---------------------------------------------------------------


def test_build_script_recognises_what_must_not_be_bundled() -> None:
    build = _load_script("build")
    for rel in (
        "_internal/PySide6/Qt/lib/libQt6Network.so.6",
        "_internal/PySide6/Qt6Quick.dll",
        "_internal/libcrypto-3-x64.dll",
        "_internal/libssl.so.3",
        "_internal/PySide6/opengl32sw.dll",
        "_internal/PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "_internal/numpy/_core/tests/test_api.py",
        "_internal/PySide6/Qt/lib/libQt6Test.so.6",
        "_internal/PySide6/QtTest.abi3.so",
        "_internal/PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "_internal/python3.11/lib-dynload/readline.cpython-311-x86_64-linux-gnu.so",
    ):
        assert build.FORBIDDEN.search(rel), rel
    for rel in (
        "_internal/PySide6/Qt/lib/libQt6OpenGLWidgets.so.6",
        "_internal/libk5crypto.so.3",
        "_internal/numpy.libs/libscipy_openblas64_-32a4b2a6.so",
        "_internal/PySide6/Qt/translations/qtbase_zh_CN.qm",
        "jlip-desk.exe",
    ):
        assert not build.FORBIDDEN.search(rel), rel
    assert build.DROPPED_LIBRARY.match("libQt6Network.so.6")
    assert build.DROPPED_LIBRARY.match("LIBCRYPTO-3-X64.DLL")
    assert not build.DROPPED_LIBRARY.match("libQt6OpenGL.so.6")


# A stand-in for the frozen program: leaves a log in its data folder, prints a line,
# then hangs (like a windowed build stuck on a dialog) or exits with a status.
_FAKE_PROGRAM = """
import sys
from pathlib import Path

data_dir = Path(sys.argv[sys.argv.index("--data-dir") + 1])
(data_dir / "logs").mkdir(parents=True, exist_ok=True)
(data_dir / "logs" / "jlip_desk.log").write_text("ERROR what the log says", encoding="utf-8")
print("started", flush=True)
print("on stderr: 出错", file=sys.stderr, flush=True)
if sys.argv[-1] == "hang":
    import time

    time.sleep(60)
sys.exit(3)
"""


@pytest.mark.parametrize("behaviour", ["hang", "fail"])
def test_build_shows_output_and_logs_when_the_program_hangs_or_fails(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    behaviour: str,
) -> None:
    build = _load_script("build")
    monkeypatch.setattr(build, "SELF_TEST_TIMEOUT", 3)
    script = tmp_path / "fake_program.py"
    script.write_text(_FAKE_PROGRAM, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    expected = "did not finish within 3 s" if behaviour == "hang" else "exited with status 3"
    with pytest.raises(build.BuildError, match=expected):
        build.run_frozen(
            [sys.executable, str(script)],
            [behaviour],
            data_dir=tmp_path / "data",
            env=env,
            what="--self-test",
        )
    shown = capsys.readouterr().out
    assert "| started" in shown
    assert "| on stderr: 出错" in shown
    assert "logs/jlip_desk.log" in shown and "ERROR what the log says" in shown


def test_build_runs_the_program_without_utf8_crutches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The frozen program is tried without PYTHONIOENCODING/PYTHONUTF8, as users run it."""
    build = _load_script("build")
    for name, value in {
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUTF8": "1",
        "LANG": "C.UTF-8",
        "LC_CTYPE": "C.UTF-8",
        "JLIP_DESK_DATA_DIR": "/somewhere",
    }.items():
        monkeypatch.setenv(name, value)
    env = build._frozen_env({"LC_ALL": "C"})
    assert env["LC_ALL"] == "C"
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    for name in ("PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LC_CTYPE", "JLIP_DESK_DATA_DIR"):
        assert name not in env


# --- The workflow ------------------------------------------------------------------------


def test_windows_workflow_is_well_formed_and_checks_the_installer() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "\t" not in text
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        yaml = None
    if yaml is not None:
        doc = yaml.safe_load(text)
        job = doc["jobs"]["windows"]
        assert job["runs-on"] == "windows-latest"
        commands = "\n".join(step.get("run", "") for step in job["steps"])
    else:
        # Without PyYAML: top-level keys, indentation in steps of two, and the steps' text.
        assert re.findall(r"^(\w[\w-]*):", text, re.M) == [
            "name",
            "on",
            "permissions",
            "concurrency",
            "jobs",
        ]
        for line in text.splitlines():
            indent = len(line) - len(line.lstrip(" "))
            assert indent % 2 == 0, line
        assert re.search(r"^  windows:\n    runs-on: windows-latest$", text, re.M)
        commands = text
    assert 'python-version: "3.11"' in text
    assert "QT_QPA_PLATFORM: offscreen" in text
    for needed in (
        "pip install uv",
        "uv sync --frozen",
        'pytest -m "not libreoffice"',
        "choco install nsis",
        "installer/build.py --installer",
        "'/S'",
        "'--self-test'",
        "ci-marker.txt",
        "data folder still exists",
        # A silent /D= into the data folder is refused.
        '"/D=$refusedDir"',
        # The upgrade: a second installer with a higher version and one more migration,
        # the data compared before and after, the migration and its backup checked.
        "--nsis-only $bundleB --version $versionB --output $setupB",
        "9000_ci_upgrade_probe.sql",
        "Invoke-Program $setupB",
        "'orgs', '--json'",
        "'summary', '--json'",
        "$script:out -ceq $orgsBefore",
        "$script:out -ceq $summaryBefore",
        "before-migration",
        # The uninstaller: a copy run in place, so its exit status is its own.
        "Invoke-Program $uninstallCopy @('/S', \"_?=$installDir\")",
        # A windowed program gets real output streams only when they are redirected.
        "RedirectStandardOutput",
    ):
        assert needed in commands, needed
    assert "Invoke-Program $uninstaller " not in commands
    # Node 24 majors: older ones run on Node 20, which GitHub is retiring.
    newest_node20 = {"checkout": 4, "setup-python": 5, "upload-artifact": 5}
    used = re.findall(r"uses: actions/([\w-]+)@v(\d+)", text)
    assert {name for name, _ in used} == set(newest_node20)
    for name, major in used:
        assert int(major) > newest_node20[name], f"actions/{name}@v{major} runs on Node 20"
    assert "dist/JLIP-Desk-*-setup.exe" in text


# --- The icon ----------------------------------------------------------------------------


def test_icon_files_are_valid_and_match_their_generator() -> None:
    png = PNG.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (256, 256)

    ico = ICO.read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    entries = {}
    for i in range(count):
        w, _h, _, _, planes, bits, size, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * i : 22 + 16 * i]
        )
        assert (planes, bits) == (1, 32)
        assert offset + size <= len(ico)
        entries[w or 256] = ico[offset : offset + size]
    assert {16, 32, 48, 256} <= set(entries)
    assert entries[256].startswith(b"\x89PNG")

    make_icon = _load_script("make_icon")
    assert entries[32] == make_icon.encode_dib(make_icon.render(32))
    assert entries[16] == make_icon.encode_dib(make_icon.render(16))


# --- A real build ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(3600)  # a whole PyInstaller build, longer than any other test
@pytest.mark.skipif(
    os.environ.get("JLIP_BUILD_TEST") != "1", reason="set JLIP_BUILD_TEST=1 for a real build"
)
def test_pyinstaller_build_passes_its_self_test() -> None:
    """PyInstaller builds the bundle and the frozen program's --self-test exits 0."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("JLIP_DESK_DATA_DIR", None)  # the frozen program gets its own temporary folder
    result = subprocess.run(
        [sys.executable, str(INSTALLER / "build.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "passed in" in result.stdout
    exe = (
        ROOT / "dist" / "jlip-desk" / ("jlip-desk.exe" if sys.platform == "win32" else "jlip-desk")
    )
    assert exe.is_file()
