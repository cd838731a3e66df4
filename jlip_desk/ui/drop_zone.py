"""A frame that takes Excel workbooks and folders dragged from the file manager, or chosen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QSettings, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.services.excel import WORKBOOK_SUFFIXES, collect_workbooks

FOLDER_KEY = "exchange/import_folder"
HINT = "将填好的 Excel 工作簿(.xlsx)或整个文件夹拖到这里导入,可一次拖入多个"


def local_files(mime: QMimeData) -> list[Path]:
    """The local files a drag carries (web links and text carry none)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def workbooks(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """Split ``files`` into workbooks to import (folders searched) and the rest."""
    named = [f for f in files if f.is_dir() or f.suffix.lower() in WORKBOOK_SUFFIXES]
    good, skipped = collect_workbooks(named)
    return good, [f for f in files if f not in named] + skipped


class DropZone(QFrame):
    """Emits ``files_chosen(list[Path])`` for dropped or chosen workbooks."""

    files_chosen = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumHeight(96)
        self.label = QLabel(HINT)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.choose_button = QPushButton("选择文件(&I)…")
        self.choose_button.setToolTip("选择一个或多个 .xlsx 工作簿导入")
        self.choose_button.clicked.connect(self.choose)
        self.folder_button = QPushButton("选择文件夹(&O)…")
        self.folder_button.setToolTip("导入一个文件夹(连同子文件夹)中的全部 .xlsx 工作簿")
        self.folder_button.clicked.connect(self.choose_folder)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        self._set_hover(False)

    def _set_hover(self, on: bool) -> None:
        # A dashed border says "drop here"; it turns solid blue while a drop would be taken.
        colour, style = ("#1a73e8", "solid") if on else ("#9aa0a6", "dashed")
        self.setStyleSheet(
            f"#dropZone {{ border: 2px {style} {colour}; border-radius: 6px; "
            f"background: {'#e8f0fe' if on else 'transparent'}; }}"
        )

    def say(self, text: str) -> None:
        self.label.setText(text)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # Cheap while the mouse moves: a folder is searched only when it is dropped.
        dragged = local_files(event.mimeData())
        files = [f for f in dragged if f.suffix.lower() in WORKBOOK_SUFFIXES and not f.is_dir()]
        folders = [f for f in dragged if f.is_dir()]
        if files or folders:
            event.acceptProposedAction()
            self._set_hover(True)
            parts = [f"{len(files)} 个工作簿"] if files else []
            parts += [f"{len(folders)} 个文件夹中的工作簿"] if folders else []
            self.say(f"松开鼠标导入 {'和'.join(parts)}")
        else:
            event.ignore()
            self.say("这里只接受 .xlsx 工作簿或含有工作簿的文件夹")

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_hover(False)
        self.say(HINT)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._set_hover(False)
        good, other = workbooks(local_files(event.mimeData()))
        if not good:
            event.ignore()
            self.say("没有可导入的文件:只接受 .xlsx 工作簿或含有工作簿的文件夹")
            return
        event.acceptProposedAction()
        skipped = f"(已跳过 {len(other)} 个不是待导入工作簿的文件)" if other else ""
        self.say(f"收到 {len(good)} 个工作簿{skipped}")
        self.files_chosen.emit(good)

    def choose(self) -> None:
        settings = QSettings()
        folder = settings.value(FOLDER_KEY)
        names, _filter = QFileDialog.getOpenFileNames(
            self,
            "选择要导入的工作簿",
            folder if isinstance(folder, str) else str(Path.home()),
            "Excel 工作簿 (*.xlsx)",
        )
        if not names:
            return
        files = [Path(n) for n in names]
        settings.setValue(FOLDER_KEY, str(files[0].parent))
        self.say(f"已选择 {len(files)} 个工作簿")
        self.files_chosen.emit(files)

    def choose_folder(self) -> None:
        settings = QSettings()
        start = settings.value(FOLDER_KEY)
        name = QFileDialog.getExistingDirectory(
            self,
            "选择存放报送工作簿的文件夹",
            start if isinstance(start, str) else str(Path.home()),
        )
        if not name:
            return
        folder = Path(name)
        settings.setValue(FOLDER_KEY, str(folder))
        good, other = workbooks([folder])
        if not good:
            self.say(f"文件夹“{folder.name}”中没有可导入的 .xlsx 工作簿")
            return
        skipped = f"(已跳过 {len(other)} 个其他文件)" if other else ""
        self.say(f"文件夹“{folder.name}”中有 {len(good)} 个工作簿{skipped}")
        self.files_chosen.emit(good)
