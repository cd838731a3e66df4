"""Import/export page driven like a user: exports with progress and cancel, imports and reports."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QSplitter
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from jlip_desk.excel.report import FileResult, ImportReport, Issue
from jlip_desk.periods import Period
from jlip_desk.services.demo import generate
from jlip_desk.services.excel import export_submission
from jlip_desk.services.installation import bind, prepare
from jlip_desk.services.period_status import return_period, status
from jlip_desk.store.database import Store
from jlip_desk.store.orgs import counties_under
from jlip_desk.ui import app as ui_app
from jlip_desk.ui.context import AppContext
from jlip_desk.ui.entry_status import STATUS_KIND
from jlip_desk.ui.exchange_page import ExchangePage
from jlip_desk.ui.import_panel import IMPORT_KINDS
from jlip_desk.ui.import_report_model import OUTCOME_ROLE, FileResultModel, ProblemModel
from jlip_desk.ui.main_window import MainWindow

WORKBOOKS = Path(__file__).resolve().parents[1] / "data" / "workbooks"
Q = Period(2025, 3)
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def qapp_ready(qapp: QApplication) -> QApplication:
    """Names and QSettings in the test's data folder, zh_CN translations."""
    return ui_app.create_application()


def make_ctx(store: Store, org: str) -> AppContext:
    bind(store, org)
    return AppContext(store)


@pytest.fixture
def county_ctx(store: Store) -> Iterator[AppContext]:
    ctx = make_ctx(store, "220102")
    yield ctx
    ctx.writer.close()


@pytest.fixture
def province_ctx(store: Store) -> Iterator[AppContext]:
    ctx = make_ctx(store, "220000")
    yield ctx
    ctx.writer.close()


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """220102's filled workbook for 2025Q3 from a demo store, and a corrected copy."""
    folder = tmp_path_factory.mktemp("submissions")
    demo = Store.memory()
    prepare(demo)
    generate(demo, seed=7)
    first = export_submission(demo, "220102", Q, folder).path
    demo.close()
    wb = load_workbook(first)
    wb["服务活动"]["D3"] = 999
    corrected = folder / "corrected.xlsx"
    wb.save(corrected)
    return {"first": first, "corrected": corrected}


def page_for(qtbot: QtBot, ctx: AppContext) -> ExchangePage:
    page = ExchangePage(ctx)
    qtbot.addWidget(page)
    page.resize(1180, 640)
    page.show()
    return page


def save_dialog_into(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """getSaveFileName answers with the proposed (service-made) name, in ``folder``."""
    proposed: list[str] = []

    def answer(_parent: Any, _title: str, start: str, _filter: str) -> tuple[str, str]:
        proposed.append(Path(start).name)
        return str(folder / Path(start).name), _filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(answer))
    return proposed


def folder_dialog(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *_args: str(folder))
    )


def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(urls.append))
    return urls


def click_confirm(page: ExchangePage, text: str, seen: list[str]) -> None:
    """Answer the confirmation box (modal) by clicking the button labelled ``text``."""

    def answer() -> None:
        box = page.export_panel.confirm_box
        if not box.isVisible():
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        button = next(b for b in box.buttons() if b.text() == text)
        button.click()

    QTimer.singleShot(0, answer)


def test_county_exports_template_with_deterministic_name(
    qtbot: QtBot, county_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposed = save_dialog_into(monkeypatch, tmp_path)
    page = page_for(qtbot, county_ctx)
    panel = page.export_panel
    assert panel.template_button.text().startswith("导出空白模板")
    assert panel.submission_button.text().startswith("导出报送文件(提交)")
    panel.period_combo.setCurrentIndex(panel.period_combo.findData(str(Q)))
    qtbot.mouseClick(panel.template_button, LEFT)
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 1, timeout=10_000)
    assert proposed == ["220102_南关区_2025Q3_模板.xlsx"]
    written = tmp_path / proposed[0]
    assert written.exists() and panel.files_model.stringList() == [str(written)]
    assert "已导出 1 个工作簿" in panel.status_label.text()
    assert QSettings().value("exchange/export_folder") == str(tmp_path)
    urls = opened_urls(monkeypatch)
    qtbot.mouseClick(panel.open_folder_button, LEFT)
    assert [u.toLocalFile() for u in urls] == [str(tmp_path)]
    # The chosen period is remembered for the next time the page is built.
    again = page_for(qtbot, county_ctx)
    assert again.export_panel.period_combo.currentData() == str(Q)


def test_county_submission_asks_then_marks_submitted(
    qtbot: QtBot, county_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_dialog_into(monkeypatch, tmp_path)
    page = page_for(qtbot, county_ctx)
    panel = page.export_panel
    panel.period_combo.setCurrentIndex(panel.period_combo.findData(str(Q)))
    plan_id = county_ctx.plan.id

    # Saying no writes nothing and leaves the period open.
    seen: list[str] = []
    click_confirm(page, "取消", seen)
    qtbot.mouseClick(panel.submission_button, LEFT)
    assert "锁定" in seen[0]
    assert not list(tmp_path.glob("*.xlsx"))
    assert status(county_ctx.store, plan_id, "220102", Q).status == "none"

    click_confirm(page, "导出并报送", seen)
    with qtbot.waitSignal(county_ctx.data_changed, timeout=10_000) as changed:
        qtbot.mouseClick(panel.submission_button, LEFT)
    assert changed.args == [(STATUS_KIND,)]
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 1)
    assert (tmp_path / "220102_南关区_2025Q3.xlsx").exists()
    assert status(county_ctx.store, plan_id, "220102", Q).status == "submitted"
    assert "已锁定" in panel.status_label.text()
    # Handed in: the button and the confirmation no longer speak of submitting.
    assert panel.submission_button.text().startswith("再次导出报送文件")
    click_confirm(page, "导出", seen)
    qtbot.mouseClick(panel.submission_button, LEFT)
    assert "不会改变报送状态" in seen[-1]
    qtbot.waitUntil(lambda: "已锁定" in panel.status_label.text())


def test_submission_with_errors_is_refused_before_the_file_dialog(
    qtbot: QtBot, county_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jlip_desk.services.registry import add_record
    from jlip_desk.ui import export_panel
    from jlip_desk.validation.formats import make_credit_code

    station = {
        "name": "南关区知识产权维权援助工作站",
        "host_org": "南关区知识产权服务中心",
        "host_credit_code": make_credit_code("91220102MA0000001"),
        "host_type": "服务机构",
        "established_on": "2023-04-01",
        "status": "运行",
        "contact": "王伟",
        "phone": "0431-88886666",
    }
    add_record(county_ctx.store, county_ctx.plan, "workstations", "220102", station)
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: asked.append(a)))
    shown: list[str] = []
    monkeypatch.setattr(export_panel, "show_error", lambda _p, exc, _t: shown.append(exc.message))
    page = page_for(qtbot, county_ctx)
    panel = page.export_panel
    panel.period_combo.setCurrentIndex(panel.period_combo.findData(str(Q)))
    qtbot.mouseClick(panel.submission_button, LEFT)
    assert asked == []  # no file chosen in vain
    assert len(shown) == 1 and "南关区知识产权维权援助工作站:接待咨询、" in shown[0]
    assert "不能导出" in panel.status_label.text()
    assert status(county_ctx.store, county_ctx.plan.id, "220102", Q).status == "none"


def test_province_exports_every_county_template(
    qtbot: QtBot, province_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder_dialog(monkeypatch, tmp_path)
    page = page_for(qtbot, province_ctx)
    panel = page.export_panel
    assert panel.template_button.text().startswith("批量生成模板")
    steps: list[tuple[int, int]] = []
    qtbot.mouseClick(panel.template_button, LEFT)
    progress = panel.progress
    assert progress is not None and progress.dialog.isVisible()
    assert progress.dialog.windowTitle() == "导出各县空白模板"
    progress.progressed.connect(lambda done, total, _name: steps.append((done, total)))
    qtbot.waitUntil(lambda: panel.progress is None, timeout=60_000)
    files = sorted(tmp_path.glob("*_模板.xlsx"))
    assert len(files) == 60
    assert panel.files_model.rowCount() == 60
    assert steps and steps[-1] == (60, 60)
    assert "已导出 60 个工作簿" in panel.status_label.text()


def test_cancel_stops_between_files(
    qtbot: QtBot, province_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder_dialog(monkeypatch, tmp_path)
    page = page_for(qtbot, province_ctx)
    panel = page.export_panel
    qtbot.mouseClick(panel.template_button, LEFT)
    progress = panel.progress
    assert progress is not None
    cancel = next(b for b in progress.dialog.findChildren(QPushButton) if b.text() == "取消")

    def press(done: int, _total: int, _name: str) -> None:
        if done == 3:
            cancel.click()

    progress.progressed.connect(press)
    qtbot.waitUntil(lambda: panel.progress is None, timeout=60_000)
    written = sorted(tmp_path.glob("*.xlsx"))
    assert 3 <= len(written) < 60
    assert "已取消" in panel.status_label.text()
    assert sorted(panel.files_model.stringList()) == [str(p) for p in written]
    assert panel.template_button.isEnabled()


def run_import(qtbot: QtBot, page: ExchangePage, files: list[Path]) -> ImportReport:
    panel = page.import_panel
    with qtbot.waitSignal(page.ctx.data_changed, timeout=30_000) as changed:
        panel.drop_zone.files_chosen.emit(files)
    assert changed.args == [IMPORT_KINDS]
    qtbot.waitUntil(lambda: panel.progress is None)
    assert panel.report is not None
    return panel.report


def outcome_text(page: ExchangePage, row: int = 0) -> str:
    model = page.import_panel.files_model
    text: str = model.index(row, 3).data()
    return text


def test_import_applied_then_unchanged_then_revision(
    qtbot: QtBot,
    province_ctx: AppContext,
    submissions: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = page_for(qtbot, province_ctx)
    panel = page.import_panel
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        staticmethod(lambda *_a: ([str(submissions["first"])], "Excel 工作簿 (*.xlsx)")),
    )
    with qtbot.waitSignal(province_ctx.data_changed, timeout=30_000) as changed:
        qtbot.mouseClick(panel.drop_zone.choose_button, LEFT)
    assert changed.args == [IMPORT_KINDS]
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 1)
    assert outcome_text(page) == "已导入"
    assert panel.files_model.index(0, 1).data() == "南关区(220102)"
    assert "成功 1 个" in panel.summary_label.text()
    assert status(province_ctx.store, province_ctx.plan.id, "220102", Q).status == "submitted"

    run_import(qtbot, page, [submissions["first"]])
    assert outcome_text(page) == "内容未变化"
    assert "未作任何改动" in panel.files_model.index(0, 4).data()

    # A submitted period takes a correction only after the province returns it.
    run_import(qtbot, page, [submissions["corrected"]])
    assert outcome_text(page) == "拒绝导入"
    return_period(province_ctx.store, province_ctx.plan, "220102", Q, "请改正咨询数")
    run_import(qtbot, page, [submissions["corrected"]])
    assert outcome_text(page) == "已导入(取代第 1 版)"
    assert panel.problems_model.rowCount() == 0
    assert not panel.open_markup_button.isEnabled()

    # The saved report is the command line's --report JSON, or its text.
    target = tmp_path / "报告.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a: (str(target), "")))
    qtbot.mouseClick(panel.save_button, LEFT)
    assert panel.report is not None
    assert json.loads(target.read_text(encoding="utf-8")) == panel.report.to_dict()
    text = tmp_path / "报告.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a: (str(text), "")))
    qtbot.mouseClick(panel.save_button, LEFT)
    assert text.read_text(encoding="utf-8") == panel.report.text() + "\n"


def test_bad_file_refused_with_problems_and_marked_copy(
    qtbot: QtBot,
    province_ctx: AppContext,
    submissions: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = tmp_path / "mistake_bad_values.xlsx"
    shutil.copy(WORKBOOKS / bad.name, bad)  # the marked-up copy is written next to it
    page = page_for(qtbot, province_ctx)
    panel = page.import_panel
    before = province_ctx.store.content_hash()
    report = run_import(qtbot, page, [submissions["first"], bad])
    assert [f.outcome for f in report.files] == ["applied", "refused"]
    # The refused file is selected, and its problems fill the table.
    assert panel.files_view.currentIndex().row() == 1
    assert panel.files_model.index(1, 0).data(OUTCOME_ROLE) == "refused"
    assert outcome_text(page, 1) == "拒绝导入"
    refused = report.files[1]
    problems = panel.problems_model
    assert problems.rowCount() == len(refused.issues) > 0
    cells = [(problems.index(r, 0).data(), problems.index(r, 1).data()) for r in range(3)]
    assert all(sheet and cell for sheet, cell in cells)
    assert problems.index(0, 3).data() == refused.issues[0].message
    assert "数据库未作任何改动" in panel.files_model.index(1, 4).data()
    assert province_ctx.store.content_hash() != before  # the good file did apply

    markup = tmp_path / "mistake_bad_values_问题标注.xlsx"
    assert refused.markup == str(markup) and markup.exists()
    assert panel.open_markup_button.isEnabled()
    urls = opened_urls(monkeypatch)
    qtbot.mouseClick(panel.open_markup_button, LEFT)
    qtbot.mouseClick(panel.open_folder_button, LEFT)
    assert [u.toLocalFile() for u in urls] == [str(markup), str(tmp_path)]

    # The problem table keeps its header inside its frame, however far its splitter moves.
    view = panel.problems_view
    splitter = panel.findChild(QSplitter)
    assert splitter is not None and splitter.isAncestorOf(view)
    splitter.moveSplitter(splitter.height(), 1)
    qtbot.wait(20)
    header = view.horizontalHeader().geometry()
    assert view.height() >= view.minimumHeight() > header.height()
    assert header.bottom() < view.height() - view.frameWidth()

    # Choosing the applied file shows no problems and no marked copy.
    panel.files_view.setCurrentIndex(panel.files_model.index(0, 0))
    assert problems.rowCount() == 0 and not panel.open_markup_button.isEnabled()


def drag(zone: Any, mime: QMimeData) -> tuple[QDragEnterEvent, QDropEvent]:
    point = QPointF(zone.rect().center())
    enter = QDragEnterEvent(
        point.toPoint(), Qt.DropAction.CopyAction, mime, LEFT, Qt.KeyboardModifier.NoModifier
    )
    drop = QDropEvent(point, Qt.DropAction.CopyAction, mime, LEFT, Qt.KeyboardModifier.NoModifier)
    return enter, drop


def test_drag_and_drop_files(
    qtbot: QtBot, province_ctx: AppContext, submissions: dict[str, Path], tmp_path: Path
) -> None:
    page = page_for(qtbot, province_ctx)
    zone = page.import_panel.drop_zone
    assert zone.acceptDrops()

    # Text or a web link is refused politely; nothing is imported.
    mime = QMimeData()
    mime.setText("南关区 2025Q3")
    mime.setUrls([QUrl("https://example.org/report.xlsx")])
    enter, _drop = drag(zone, mime)
    QApplication.sendEvent(zone, enter)
    assert not enter.isAccepted()
    assert "只接受" in zone.label.text()

    note = tmp_path / "说明.txt"
    note.write_text("不是工作簿", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(submissions["first"])), QUrl.fromLocalFile(str(note))])
    enter, drop = drag(zone, mime)
    QApplication.sendEvent(zone, enter)
    assert enter.isAccepted()
    with (
        qtbot.waitSignal(province_ctx.data_changed, timeout=30_000),
        qtbot.waitSignal(zone.files_chosen) as chosen,
    ):
        QApplication.sendEvent(zone, drop)
    assert drop.isAccepted()
    assert chosen.args == [[submissions["first"]]]
    assert "已跳过 1 个" in zone.label.text()
    qtbot.waitUntil(lambda: page.import_panel.files_model.rowCount() == 1)
    assert outcome_text(page) == "已导入"


def test_report_models(qtmodeltester: ModelTester) -> None:
    issue = Issue(
        "数值不能为负数", sheet="服务活动", cell="D7", value="-3", rule="非负", allowed="0 或正整数"
    )
    note = Issue("未能生成标注副本:磁盘已满", severity="note")
    report = ImportReport(
        [
            FileResult("a/220102_南关区_2025Q3.xlsx", outcome="refused", issues=[issue, note]),
            FileResult("b.xlsx", outcome="applied", org_code="220102", org_name="南关区"),
            FileResult("c.xlsx", outcome="applied", revision=3),
            FileResult("d.xlsx", outcome="unchanged"),
        ]
    )
    files = FileResultModel()
    files.set_report(report)
    qtmodeltester.check(files)
    assert [files.index(r, 3).data() for r in range(4)] == [
        "拒绝导入",
        "已导入",
        "已导入(取代第 2 版)",
        "内容未变化",
    ]
    assert files.index(0, 0).data() == "220102_南关区_2025Q3.xlsx"
    problems = ProblemModel()
    problems.set_issues(report.files[0].issues)
    qtmodeltester.check(problems)
    row = [problems.index(0, c).data() for c in range(problems.columnCount())]
    assert row == ["服务活动", "D7", "-3", "数值不能为负数", "非负", "0 或正整数"]
    assert problems.index(1, 3).data().startswith("(提示)")
    assert problems.headerData(0, Qt.Orientation.Horizontal) == "工作表"


def test_prefecture_exports_only_its_counties(
    qtbot: QtBot, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(store, "220200")  # 吉林市
    folder_dialog(monkeypatch, tmp_path)
    page = page_for(qtbot, ctx)
    qtbot.mouseClick(page.export_panel.template_button, LEFT)
    qtbot.waitUntil(lambda: page.export_panel.progress is None, timeout=60_000)
    codes = sorted(p.name[:6] for p in tmp_path.glob("*.xlsx"))
    assert codes and all(code.startswith("2202") for code in codes)
    assert codes == sorted(o.code for o in counties_under(store, "220200"))
    ctx.writer.close()


def test_main_window_offers_the_page(qtbot: QtBot, province_ctx: AppContext) -> None:
    window = MainWindow(province_ctx)
    qtbot.addWidget(window)
    window.resize(900, 580)  # the offscreen screen is 800x600
    window.show_page("exchange")
    assert isinstance(window.page("exchange"), ExchangePage)
    titles = [window.nav_model.item(i).text() for i in range(window.nav_model.rowCount())]
    assert "导入导出" in titles


def test_a_dropped_folder_is_imported_and_the_marked_up_copies_are_one_click_away(
    qtbot: QtBot,
    province_ctx: AppContext,
    submissions: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    from PySide6.QtGui import QDesktopServices

    inbox = tmp_path / "收件箱"
    (inbox / "长春市").mkdir(parents=True)
    shutil.copy(submissions["first"], inbox / "长春市" / submissions["first"].name)
    wb = load_workbook(submissions["first"])
    wb["服务活动"]["D3"] = "很多"  # not a number: refused, with a marked-up copy
    wb.save(inbox / "bad.xlsx")
    (inbox / "说明.txt").write_text("各县报送文件", encoding="utf-8")

    page = page_for(qtbot, province_ctx)
    zone = page.import_panel.drop_zone
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(inbox))])
    enter, drop = drag(zone, mime)
    QApplication.sendEvent(zone, enter)
    assert enter.isAccepted() and "1 个文件夹" in zone.label.text()
    with qtbot.waitSignal(zone.files_chosen) as chosen:
        QApplication.sendEvent(zone, drop)
    assert sorted(p.name for p in chosen.args[0]) == sorted(["bad.xlsx", submissions["first"].name])
    panel = page.import_panel
    qtbot.waitUntil(lambda: panel.files_model.rowCount() == 2, timeout=30_000)
    outcomes = sorted(outcome_text(page, row) for row in range(2))
    assert outcomes == ["已导入", "拒绝导入"]
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    assert panel.markup_folder_button.isEnabled()
    panel.markup_folder_button.click()
    assert opened == [str(inbox)]
    assert (inbox / "bad_问题标注.xlsx").exists()


def test_choosing_a_folder_imports_its_workbooks(
    qtbot: QtBot,
    province_ctx: AppContext,
    submissions: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(submissions["first"], folder / submissions["first"].name)
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *_a, **_k: str(folder))
    )
    page = page_for(qtbot, province_ctx)
    with qtbot.waitSignal(page.import_panel.drop_zone.files_chosen) as chosen:
        page.import_panel.drop_zone.folder_button.click()
    assert chosen.args == [[folder / submissions["first"].name]]
    qtbot.waitUntil(lambda: page.import_panel.files_model.rowCount() == 1, timeout=30_000)
    assert outcome_text(page) == "已导入"


def test_exporting_every_county_s_submission_names_those_with_errors(
    qtbot: QtBot, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo leaves five counties' 2025Q4 with errors: their workbooks are written but
    refused when imported, and the panel says which (the count alone hid them)."""
    from jlip_desk.services.reporting import period_overview

    generate(store)
    ctx = make_ctx(store, "220000")
    try:
        q4 = Period(2025, 4)
        faulty = [u.org.name for u in period_overview(store, ctx.plan, "220000", q4).units
                  if u.errors]  # fmt: skip
        assert faulty
        folder_dialog(monkeypatch, tmp_path)
        page = page_for(qtbot, ctx)
        panel = page.export_panel
        panel.period_combo.setCurrentIndex(panel.period_combo.findData(str(q4)))
        qtbot.mouseClick(panel.submission_button, LEFT)
        qtbot.waitUntil(lambda: panel.progress is None, timeout=120_000)
        text = panel.status_label.text()
        assert "已导出 60 个工作簿" in text
        assert f"注意:其中 {len(faulty)} 个单位2025年第4季度的数据仍有错误" in text
        assert all(name in text for name in faulty)
    finally:
        ctx.writer.close()
