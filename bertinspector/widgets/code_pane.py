"""The Code input mode: paste preprocessing code, see what ``bertinspector lint`` finds in it.

The code is parsed, never run (``core.lint``); linting is pure and takes milliseconds, so it runs on
the GUI thread once typing pauses. The findings are listed under the code and their lines are
tinted in it; selecting one selects its lines. *Use this call's settings* hands the window the
settings of the tokenizer call on the selected finding's line (else the first call), so the token
view shows what that call makes of the Text mode's text; *Copy fix* copies the finding's fix.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter, QTextEdit,
    QVBoxLayout, QWidget,
)

from bertinspector.core.errors import BertInspectorError
from bertinspector.core.lint import LintReport, lint
from bertinspector.core.model import Severity
from bertinspector.qt.resources import monospace_font, severity_color, severity_icon
from bertinspector.qt.tasks import TaskRunner
from bertinspector.widgets.captioned import column

LINT_DEBOUNCE_MS = 250
PLACEHOLDER = ("Paste your preprocessing code (a few lines or a whole script): it is read, never run.\n\n"
               "tokenizer = AutoTokenizer.from_pretrained(\"bert-base-uncased\")\n"
               "encoded_input = tokenizer(texts, do_lower_case=True, return_tensors=\"pt\")\n"
               "outputs = model(**encoded_input)")
FINDING_ROLE = Qt.ItemDataRole.UserRole
LARGE_CODE = 50_000  # characters (about 1,000 lines): beyond, the lint runs in a worker thread


def lint_code(cancel, code: str):
    """The task a worker runs for a large paste (pure: plain text in, a report out)."""
    cancel.check()
    return code, lint(code, "code")


class CodeEditor(QPlainTextEdit):
    """The code, in a fixed-width font; speaks the text pane's editor protocol (``text``, ``set_text``…)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("codeEditor")
        self.setFont(monospace_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setPlaceholderText(PLACEHOLDER)

    def text(self) -> str:
        return self.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the code as one undoable edit (Ctrl+Z brings the previous code back)."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()

    def clear_marks(self) -> None:
        """The inspection marks no code: nothing to clear (the findings' tints stay)."""


class CodePane(QWidget):
    """An editor for code, the lint findings, *Use this call's settings* and *Copy fix*."""

    callSettingsRequested = Signal(object)  # core.lint.findings.CallSettings
    linted = Signal(object)  # LintReport

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.report: LintReport | None = None
        self._regions: list[tuple[int, int, str]] = []
        self.editor = CodeEditor(self)
        self.findings = QListWidget(self)
        self.findings.setObjectName("codeFindings")
        self.findings.setWordWrap(True)
        self.findings.setAlternatingRowColors(True)
        self.findings.setMinimumHeight(4 * self.fontMetrics().lineSpacing())
        self.summary = QLabel(self)
        self.summary.setObjectName("codeSummary")
        self.applied_label = QLabel(self)
        self.applied_label.setObjectName("codeApplied")
        self.applied_label.setWordWrap(True)
        self.applied_label.setVisible(False)
        self.use_button = QPushButton("Use this call's settings", self)
        self.use_button.setToolTip("Set the settings bar (and the model, when the code names one that is here) to what "
                                   "the tokenizer call on the selected line does: the token view then shows what that "
                                   "call makes of the Text mode's text")
        self.copy_button = QPushButton("Copy fix", self)
        self.copy_button.setToolTip("Copy the selected finding's fix: it replaces the statement on its lines")
        for button in (self.use_button, self.copy_button):
            button.setEnabled(False)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.use_button)
        bar.addWidget(self.copy_button)
        lower = column(self, bar, self.applied_label, self.findings, spacing=4)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(lower)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([220, 180])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(LINT_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.lint_now)
        self.editor.textChanged.connect(self._debounce.start)
        self.findings.currentItemChanged.connect(lambda item, _previous: self._on_selected(item))
        self.runner = TaskRunner(self, max_threads=1)  # large pastes are linted off the GUI thread
        self.runner.finished.connect(self._on_linted)
        self.runner.failed.connect(lambda _kind, _generation, message: self._show(None, message))
        self.use_button.clicked.connect(self.use_call_settings)
        self.copy_button.clicked.connect(self.copy_fix)
        self._show_summary()

    # -- state ----------------------------------------------------------------------------------
    def code(self) -> str:
        return self.editor.text()

    def set_code(self, code: str) -> None:
        """Replace the code as one undoable edit, and lint it at once."""
        self.editor.set_text(code)
        self.lint_now()

    def selected_finding(self):
        item = self.findings.currentItem()
        return item.data(FINDING_ROLE) if item is not None else None

    def select_finding(self, code: str) -> bool:
        """Select the first finding with this lint code."""
        for row in range(self.findings.count()):
            if self.findings.item(row).data(FINDING_ROLE).code == code:
                self.findings.setCurrentRow(row)
                self.findings.scrollToItem(self.findings.item(row))
                return True
        return False

    def highlighted_lines(self) -> list[tuple[int, int, str]]:
        """(first line, last line, kind) of each tinted region: a finding's severity, or "selected"."""
        return list(self._regions)

    # -- linting --------------------------------------------------------------------------------
    def lint_now(self) -> None:
        self._debounce.stop()
        code = self.code()
        if len(code) > LARGE_CODE:
            self.summary.setText("Checking the code…")
            self.runner.submit("lint", lint_code, code)
            return
        self.runner.cancel("lint")
        try:
            report = lint(code, "code") if code.strip() else None
        except BertInspectorError as error:  # a pasted notebook that is not one, binary junk
            self._show(None, str(error))
            return
        self._show(report)

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        return self.runner.shutdown(timeout_ms)

    def _on_linted(self, _kind: str, _generation: int, result) -> None:
        code, report = result
        if code == self.code():  # else a newer edit is on its way
            self._show(report)

    def _show(self, report: LintReport | None, error: str | None = None) -> None:
        self.report = report
        self.set_applied(None)  # it spoke of the code before this one
        with QSignalBlocker(self.findings):
            self.findings.clear()
            for finding in report.findings if report else ():
                severity = Severity(finding.severity)
                where = f"cell {finding.cell}, line {finding.line}" if finding.cell is not None else f"line {finding.line}"
                item = QListWidgetItem(severity_icon(severity), f"{where} · {finding.code}: {finding.message}")
                item.setData(FINDING_ROLE, finding)
                item.setToolTip(f"fix:\n{finding.fix}" if finding.fix else "no fix to print")
                self.findings.addItem(item)
        self._show_summary(error)
        self._on_selected(None)
        self.linted.emit(report)

    def _show_summary(self, error: str | None = None) -> None:
        report = self.report
        if report is None:
            self.summary.setText(error or "Paste code: its tokenizer and model calls are checked without running it")
            self.use_button.setEnabled(False)
            return
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in report.findings:
            counts[finding.severity] += 1
        counts = {severity: n for severity, n in counts.items() if n}
        found = ", ".join(f"{n} {severity}{'s' if n != 1 else ''}" for severity, n in counts.items()) or "no findings"
        calls = sum(1 for call in report.calls if call.kind in ("tokenizer-call", "encode"))
        self.summary.setText(f"{found} · {calls} tokenizer call{'s' if calls != 1 else ''}")
        self.use_button.setEnabled(bool(report.call_settings))

    # -- selection, highlights, actions -----------------------------------------------------------
    def _on_selected(self, item) -> None:
        finding = item.data(FINDING_ROLE) if item is not None else None
        self.copy_button.setEnabled(bool(finding is not None and finding.fix))
        self._paint(finding)
        if finding is not None and finding.cell is None:
            block = self.editor.document().findBlockByNumber(finding.line - 1)
            cursor = QTextCursor(block)
            cursor.movePosition(QTextCursor.MoveOperation.Right, n=max(0, finding.column - 1))
            self.editor.setTextCursor(cursor)
            self.editor.centerCursor()

    def _paint(self, selected) -> None:
        """Tint every finding's lines by severity; the selected finding's lines stronger."""
        selections, self._regions = [], []
        report = self.report
        for finding in report.findings if report else ():
            if finding.cell is not None:
                continue  # a pasted notebook: its lines are lines of cells, not of this text
            strong = finding is selected
            colour = QColor(severity_color(Severity(finding.severity)))
            colour.setAlpha(95 if strong else 38)
            fmt = QTextCharFormat()
            fmt.setBackground(colour)
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
            for line in range(finding.line, finding.end_line + 1):
                selection = QTextEdit.ExtraSelection()
                selection.cursor = QTextCursor(self.editor.document().findBlockByNumber(line - 1))
                selection.format = fmt
                selections.append(selection)
            self._regions.append((finding.line, finding.end_line, "selected" if strong else finding.severity))
        self.editor.setExtraSelections(selections)

    def use_call_settings(self) -> None:
        if self.report is None:
            return
        finding = self.selected_finding()
        settings = self.report.settings_at(finding.line, finding.cell) if finding is not None else self.report.settings_at()
        if settings is not None:
            self.callSettingsRequested.emit(settings)

    def set_applied(self, message: str | None) -> None:
        """Say which call's settings the window now shows (and what could not be applied)."""
        self.applied_label.setText(message or "")
        self.applied_label.setVisible(bool(message))

    def copy_fix(self) -> None:
        finding = self.selected_finding()
        if finding is not None and finding.fix:
            QGuiApplication.clipboard().setText(finding.fix)
