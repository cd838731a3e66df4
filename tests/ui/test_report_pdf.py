"""The printable report: a PDF drawn by Qt with an embedded CJK font, and ``jlip-desk report``."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtGui import QColor, QFont, QImage, QRawFont

from jlip_desk import paths
from jlip_desk.cli import main
from jlip_desk.exit_codes import EXIT_OK, EXIT_REFUSED
from jlip_desk.periods import Period
from jlip_desk.services.installation import open_store
from jlip_desk.services.report_book import build_report
from jlip_desk.services.summary import build_summary
from jlip_desk.store.database import Store
from jlip_desk.ui.report_pdf import bar_chart, font_family, write_report_pdf

POPPLER = all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")


@pytest.fixture(autouse=True)
def _application(qapp: object) -> object:
    """pytest-qt's application, made before the report's: it outlives every Qt object."""
    return qapp


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report-pdf-demo")
    assert main(["--data-dir", str(folder), "init", "--org", "220000"]) == 0
    assert main(["--data-dir", str(folder), "demo"]) == 0
    paths.set_data_dir(None)
    return folder


@pytest.fixture
def demo(demo_dir: Path) -> Iterator[Store]:
    paths.set_data_dir(demo_dir)
    store = open_store()
    yield store
    store.close()
    paths.set_data_dir(None)


def _text(pdf: Path) -> str:
    """The PDF's text, with the characters that Qt names by a radical named as themselves.

    Qt's PDF writer maps each glyph back to the lowest code point the font gives it, and
    CJK fonts draw a Kangxi radical (⽬, U+2F6C) and its ideograph (目) with one glyph:
    the text layer then says ⽬. Both sides are read as the glyphs of the font here.
    """
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.translate(_radicals())


@functools.cache
def _radicals() -> dict[int, str]:
    """Radical code point -> the ideograph drawn with the same glyph in the chosen font."""
    raw = QRawFont.fromFont(QFont(font_family()))
    by_glyph: dict[int, int] = {}
    for cp in (*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6)):
        glyphs = raw.glyphIndexesForString(chr(cp))
        if glyphs and glyphs[0]:
            by_glyph.setdefault(glyphs[0], cp)
    out: dict[int, str] = {}
    for cp in range(0x4E00, 0xA000):
        glyphs = raw.glyphIndexesForString(chr(cp))
        if glyphs and glyphs[0] in by_glyph:
            out.setdefault(by_glyph[glyphs[0]], chr(cp))
    return out


def _pages(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(pdf), str(folder / "page")],
        check=True,
        capture_output=True,
    )
    return sorted(folder.glob("page-*.png"))


def _variance(image: QImage) -> float:
    """The variance of the grey level over a grid of pixels: 0 for a blank page."""
    values = [
        QColor(image.pixel(x, y)).lightness()
        for y in range(0, image.height(), 3)
        for x in range(0, image.width(), 3)
    ]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def test_a_cjk_font_is_chosen(qapp: object) -> None:
    family = font_family()
    assert family
    if shutil.which("fc-list"):
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "family"], check=False, capture_output=True, text=True
        ).stdout
        if "Noto Sans CJK SC" in listed:
            assert family == "Noto Sans CJK SC"


@needs_poppler
def test_pdf_pages_text_and_fonts(demo: Store, tmp_path: Path) -> None:
    book = build_report(demo, Period(2025, 4))
    pdf = write_report_pdf(book, tmp_path / "report.pdf")
    pages = _pages(pdf, tmp_path / "png")
    assert len(pages) >= 2
    for page in pages:
        image = QImage(str(page))
        assert not image.isNull()
        assert _variance(image) > 1.0, f"{page.name} is blank"

    text = _text(pdf)
    summary = build_summary(demo, Period(2025, 4))
    for title in ("进度报告", "目标进度", "核心指标", "服务活动", "报送情况", "图表"):
        assert title in text
    assert "知识产权维权援助工作站" in text
    assert summary["plan"]["name"] in text.replace(" ", "")
    assert "演示数据" in text
    assert "2025年第4季度" in text
    for missing in summary["reporting"]["missing"]:
        assert missing["name"] in text
    assert "各市(州)维权援助工作站和信息公共服务网点数量" in text  # the default chart's title
    assert f"第 1 页,共 {len(pages)} 页" in text

    fonts = subprocess.run(
        ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    cjk = [line for line in fonts if "CJK" in line or "YaHei" in line or "Sim" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column


@needs_poppler
def test_charts_given_replace_the_default_ones(demo: Store, tmp_path: Path) -> None:
    book = build_report(demo, Period(2025, 4), "220500")
    chart = bar_chart(["甲", "乙"], [("数量", [3.0, 5.0])], font_family())
    pdf = write_report_pdf(book, tmp_path / "report.pdf", charts=[("仪表盘截图", chart)])
    text = _text(pdf)
    assert "仪表盘截图" in text
    assert "各市(州)维权援助工作站和信息公共服务网点数量" not in text
    assert "通化市" in text
    no_charts = write_report_pdf(book, tmp_path / "plain.pdf", charts=[])
    assert "图表" not in _text(no_charts).split("报送情况", 1)[1]


def test_cli_writes_a_workbook(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "汇总.xlsx"
    code = main(["--data-dir", str(demo_dir), "report", "--period", "2025Q4", "-o", str(out)])
    assert code == EXIT_OK, capsys.readouterr().err
    assert str(out) in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["目标进度", "核心指标", "服务活动", "报送情况"]
    code = main(
        [
            "--data-dir",
            str(demo_dir),
            "report",
            "--period",
            "2025",
            "--org",
            "220200",
            "-o",
            str(out),
        ]
    )
    assert code == EXIT_OK
    assert openpyxl.load_workbook(out)["目标进度"]["A4"].value == "吉林市"


@needs_poppler
def test_cli_writes_a_pdf(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.PDF"
    code = main(
        [
            "--data-dir",
            str(demo_dir),
            "report",
            "--period",
            "2025Q4",
            "--org",
            "220100",
            "-o",
            str(out),
        ]
    )
    assert code == EXIT_OK, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF")
    text = _text(out)
    assert "长春市" in text
    assert "知识产权维权援助工作站" in text
    # The charts are the dashboard's, for the prefecture asked for.
    assert "工作站与服务网点累计数量" in text
    assert "各市(州)维权援助工作站和信息公共服务网点数量" not in text
    pages = _pages(out, tmp_path / "png")
    assert all(_variance(QImage(str(page))) > 1.0 for page in pages)


@pytest.mark.parametrize("name", ["report.csv", "report", "report.xls"])
def test_cli_refuses_another_suffix(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    out = tmp_path / name
    code = main(["--data-dir", str(demo_dir), "report", "--period", "2025Q4", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == EXIT_REFUSED
    assert "不支持的文件类型" in err
    assert ".xlsx" in err
    assert ".pdf" in err
    assert not out.exists()
