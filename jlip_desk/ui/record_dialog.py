"""Add/edit dialog generated from a registry's fields, and the dialog that closes a record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from jlip_desk.errors import JlipError
from jlip_desk.plan.model import Field, FieldType, Registry
from jlip_desk.services.registry import check_record
from jlip_desk.store.cells import StoredValue
from jlip_desk.store.orgs import OrgUnit
from jlip_desk.ui.date_edit import DateEdit
from jlip_desk.ui.errors import show_error
from jlip_desk.validation.values import allowed_text, check_value

PROBLEM_STYLE = "color: #b3261e;"
HINT_STYLE = "color: #5f6368;"
HINT = "带 * 的为必填项;有问题的项目标为红框,问题列在这里。保存后立即写入数据库。"
SUMMARY_LINES = 4
# Longer texts (notes) get a few lines instead of one.
MULTILINE_LENGTH = 200


def make_editor(field: Field, value: StoredValue, *, omit: tuple[str, ...] = ()) -> QWidget:
    """The editor for one field, holding ``value``."""
    text = "" if value is None else str(value)
    editor: QWidget
    if field.type is FieldType.CHOICE:
        editor = QComboBox()
        if not (field.required and text):  # a blank to start from, or to clear an optional one
            editor.addItem("")
        editor.addItems([c for c in field.choices if c not in omit or c == text])
        if text and editor.findText(text) < 0:  # a value no longer offered by the plan
            editor.addItem(text)
        editor.setCurrentText(text)
    elif field.type is FieldType.DATE:
        editor = DateEdit()
        editor.line.setText(text)
    elif field.type is FieldType.TEXT and (field.max_length or 0) >= MULTILINE_LENGTH:
        editor = QPlainTextEdit(text)
        editor.setTabChangesFocus(True)
        editor.setFixedHeight(editor.fontMetrics().lineSpacing() * 3 + 12)
    else:
        editor = QLineEdit(text)
    editor.setToolTip(allowed_text(field) + (f"\n{field.help}" if field.help else ""))
    return editor


def editor_text(editor: QWidget) -> str:
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    assert isinstance(editor, QLineEdit | DateEdit)
    return editor.text()


def _on_change(editor: QWidget, slot: Any) -> None:
    if isinstance(editor, QComboBox):
        editor.currentTextChanged.connect(slot)
    else:
        editor.textChanged.connect(slot)  # type: ignore[attr-defined]


class _SavingDialog(QDialog):
    """A dialog whose OK hands values to the writer and closes only once they are saved."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)

    def try_accept(self) -> None:
        raise NotImplementedError

    def saved(self, _result: object = None) -> None:
        self.accept()

    def failed(self, error: JlipError) -> None:
        """The writer refused: keep everything typed and say why."""
        self.ok_button.setEnabled(True)
        show_error(self, error, "未保存")


class RecordDialog(_SavingDialog):
    """Fields of one record with live checks; ``submitted(org_code, raw_values)`` on OK."""

    submitted = Signal(str, dict)

    def __init__(
        self,
        registry: Registry,
        counties: list[OrgUnit],
        *,
        code: str | None = None,
        values: dict[str, StoredValue] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.registry = registry
        values = values or {}
        new = code is None
        self.setWindowTitle(f"{'新增' if new else '编辑'}{registry.name}")
        self.ok_button.setText("保存")
        # The problems are listed in one box of fixed height above the fields, and the
        # fields with a problem are marked: nothing moves as problems come and go.
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_box = QScrollArea()
        self.summary_box.setWidget(self.summary)
        self.summary_box.setWidgetResizable(True)
        self.summary_box.setFrameShape(QFrame.Shape.NoFrame)
        self.summary_box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.summary_box.setFixedHeight(self.fontMetrics().lineSpacing() * SUMMARY_LINES + 6)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.code_edit = QLineEdit(code or "")
        self.code_edit.setReadOnly(True)
        self.code_edit.setPlaceholderText("保存后自动生成")
        form.addRow("编码:", self.code_edit)
        self.county_combo = QComboBox()
        for county in counties:
            self.county_combo.addItem(f"{county.name}({county.code})", county.code)
        self.county_combo.setEnabled(new and len(counties) > 1)
        form.addRow("县(市、区):", self.county_combo)
        life = registry.lifecycle
        self.editors: dict[str, QWidget] = {}
        self.tooltips: dict[str, str] = {}
        self.field_problems: dict[str, str] = {}  # the problem each marked field shows
        self._touched: set[str] = set()
        self._show_all = False
        for field in registry.fields:
            value = values.get(field.id, field.default if new else None)
            # Closing is its own action (撤销 asks for the date), not a pick in the list.
            omit = (life.closed_status,) if field.id == life.status_field else ()
            editor = make_editor(field, value, omit=omit)
            form.addRow(f"{field.header}{' *' if field.required else ''}:", editor)
            self.editors[field.id] = editor
            self.tooltips[field.id] = editor.toolTip()
            _on_change(editor, lambda _t, f=field.id: self._changed(f))
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addStretch(1)  # spare height below the fields, not between them
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_box)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self._show_summary([])
        # Tall enough for most fields, never taller than a 768-pixel screen at 150%.
        screen = self.screen().availableGeometry()
        self.resize(min(680, screen.width() - 40), min(640, screen.height() - 80))

    def raw_values(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for field_id, editor in self.editors.items():
            out[field_id] = editor_text(editor).strip() or None
        return out

    def org_code(self) -> str:
        return str(self.county_combo.currentData())

    def _changed(self, field_id: str) -> None:
        self._touched.add(field_id)
        self.validate()

    def validate(self) -> list[str]:
        """Mark each field with a problem and list the problems; returns every one, as text."""
        _values, problems = check_record(self.registry, self.raw_values())
        first: dict[str, str] = {}
        lines, listed = [], []
        for p in problems:
            name = self.registry.field(p.field_id).label if p.field_id else "整条记录"
            line = f"{name}:{p.message}"
            lines.append(line)
            if p.field_id is not None:
                first.setdefault(p.field_id, p.message)
            if self._show_all or p.field_id in self._touched:
                listed.append(line)
        self.field_problems = {
            f: m for f, m in first.items() if self._show_all or f in self._touched
        }
        for field_id, editor in self.editors.items():
            message = self.field_problems.get(field_id)
            tip = self.tooltips[field_id]
            editor.setToolTip(f"{message}\n{tip}" if message else tip)
            marked = editor.line if isinstance(editor, DateEdit) else editor
            if marked.property("problem") != (message is not None):
                marked.setProperty("problem", message is not None)
                marked.style().unpolish(marked)
                marked.style().polish(marked)
        self._show_summary(listed, saving=self._show_all)
        return lines

    def _show_summary(self, lines: list[str], *, saving: bool = False) -> None:
        if not lines:
            self.summary.setStyleSheet(HINT_STYLE)
            self.summary.setText(HINT)
            return
        self.summary.setStyleSheet(PROBLEM_STYLE)
        head = f"有 {len(lines)} 处问题,请修改后再保存:\n" if saving else ""
        self.summary.setText(head + "\n".join(lines))

    def try_accept(self) -> None:
        self._show_all = True
        if self.validate():
            first = next(iter(self.field_problems), None)
            if first is not None:
                self.editors[first].setFocus()
            return
        self.ok_button.setEnabled(False)
        self.submitted.emit(self.org_code(), self.raw_values())


class CloseDialog(_SavingDialog):
    """Asks for the date a record closed; ``submitted(iso_date)`` on OK."""

    submitted = Signal(str)

    def __init__(self, registry: Registry, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = registry.field(registry.lifecycle.status_date_field)
        closed = registry.lifecycle.closed_status
        self.setWindowTitle(f"{closed}(关闭)记录")
        self.ok_button.setText(closed)
        note = QLabel(
            f"将“{title}”标记为“{closed}”。\n记录不会被删除,仍保留在修改记录和以往各期报表中。"
        )
        note.setWordWrap(True)
        self.date_edit = DateEdit()
        self.date_edit.set_date(dt.date.today())
        self.problem = QLabel()
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.problem.setWordWrap(True)
        self.date_edit.textChanged.connect(lambda _t: self.validate())
        form = QFormLayout()
        form.addRow(f"{self.field.label}:", self.date_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def validate(self) -> str | None:
        text = self.date_edit.text().strip()
        problem = check_value(self.field, text) if text else f"请填写{self.field.label}"
        self.problem.setText(problem or "")
        return problem

    def try_accept(self) -> None:
        if self.validate() is None:
            self.ok_button.setEnabled(False)
            self.submitted.emit(self.date_edit.text().strip())
