"""The diagnostics panel: findings grouped by severity, with counts and icons.

Selecting a finding emits ``diagnosticSelected`` (the window highlights its tokens and text spans);
"Copy fix" puts the finding's Python snippet on the clipboard; the snippet wraps (anywhere, if a line has
no space to break at) and is never clipped.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QPalette, QTextOption
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QTextEdit, QVBoxLayout, QWidget,
)

from bertinspector.core.model import Diagnostic, Inspection, Severity
from bertinspector.qt.resources import SEVERITY_COLORS, SEVERITY_TITLES, monospace_font, severity_icon

ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)


class CodeBlock(QTextEdit):
    """A fix snippet: read-only, selectable, wrapped anywhere a line is too long (never clipped), and exactly
    as tall as its wrapped lines."""

    def __init__(self, code: str, font, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("fixSnippet")
        self.setReadOnly(True)
        self.setFont(font)
        self.setPlainText(code)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.document().setDocumentMargin(4)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(120)
        self._fit_height()

    def code(self) -> str:
        return self.toPlainText()

    def _fit_height(self) -> None:
        self.document().setTextWidth(self.viewport().width())
        self.setFixedHeight(math.ceil(self.document().size().height()) + 2 * self.frameWidth())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()


class DiagnosticCard(QFrame):
    """One finding: icon, code, message, the fix snippet and a Copy fix button."""

    clicked = Signal(object)

    def __init__(self, diagnostic: Diagnostic, parent: QWidget | None = None):
        super().__init__(parent)
        self.diagnostic = diagnostic
        self.setObjectName("diagnosticCard")
        self.setProperty("severity", diagnostic.severity.value)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(f"{diagnostic.severity.value}: {diagnostic.code}")
        self.setAccessibleDescription(diagnostic.message)
        self._selected = False
        icon = QLabel(self)
        icon.setPixmap(severity_icon(diagnostic.severity).pixmap(QSize(16, 16), self.devicePixelRatioF()))
        icon.setFixedSize(18, 18)
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.code_label = QLabel(f"<b>{html.escape(diagnostic.code)}</b>", self)
        self.code_label.setTextFormat(Qt.TextFormat.RichText)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.code_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message_label = QLabel(diagnostic.message, self)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message_label.setMinimumWidth(120)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(6)
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.code_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.message_label)
        self.fix_label = None
        self.copy_button = None
        if diagnostic.fix:
            self.fix_label = CodeBlock(diagnostic.fix, monospace_font(self.font().pointSizeF() * 0.9), self)
            layout.addWidget(self.fix_label)
        located = []
        if diagnostic.tokens:
            located.append(f"{len(diagnostic.tokens):,} token{'s' if len(diagnostic.tokens) != 1 else ''}")
        if diagnostic.spans:
            located.append(f"{len(diagnostic.spans):,} text span{'s' if len(diagnostic.spans) != 1 else ''}")
        foot = QHBoxLayout()
        foot.setContentsMargins(0, 0, 0, 0)
        self.where_label = QLabel(("↳ " + " · ".join(located)) if located else "", self)
        self.where_label.setObjectName("diagnosticWhere")
        self.where_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.where_label.setToolTip("Select this finding to highlight them in the tokens and the text")
        foot.addWidget(self.where_label, 1)
        if diagnostic.fix:
            self.copy_button = QPushButton("Copy fix", self)
            self.copy_button.setToolTip("Copy the Python snippet above to the clipboard")
            self.copy_button.setCursor(Qt.CursorShape.PointingHandCursor)
            self.copy_button.clicked.connect(self.copy_fix)
            foot.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignRight)
        if located or diagnostic.fix:
            layout.addLayout(foot)
        self._restyle()

    def copy_fix(self) -> None:
        if self.diagnostic.fix:
            QGuiApplication.clipboard().setText(self.diagnostic.fix)
            if self.copy_button is not None:
                self.copy_button.setText("Copied ✓")

    def is_selected(self) -> bool:
        return self._selected

    def set_selected(self, on: bool) -> None:
        if on != self._selected:
            self._selected = on
            self._restyle()

    def _restyle(self) -> None:
        color = SEVERITY_COLORS[self.diagnostic.severity]
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base).name()
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        fill = ("#2a2f38" if dark else "#eef3fd") if self._selected else base
        width = 2 if self._selected else 1
        border = color if self._selected else ("#4a4f58" if dark else "#d0d7de")
        self.setStyleSheet(
            f"QFrame#diagnosticCard {{ background: {fill}; border: {width}px solid {border};"
            f" border-left: 4px solid {color}; border-radius: 4px; }}"
            f" QTextEdit#fixSnippet {{ background: {'#1f2329' if dark else '#f6f8fa'}; border: none;"
            f" border-radius: 3px; }}"
            f" QLabel#diagnosticWhere {{ color: {'#9aa0a6' if dark else '#57606a'}; }}"
        )

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.clicked.emit(self)
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.clicked.emit(self)
            return
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_fix()
            return
        super().keyPressEvent(event)


class DiagnosticsPanel(QWidget):
    """Findings of the current inspection, errors first."""

    diagnosticSelected = Signal(object)  # Diagnostic or None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("diagnosticsPanel")
        self._cards: list[DiagnosticCard] = []
        self._selected: DiagnosticCard | None = None
        self._inspection: Inspection | None = None
        self._shown_signature = None
        self.counts = QLabel(self)
        self.counts.setObjectName("diagnosticCounts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.counts.setWordWrap(True)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._body = QWidget()
        self._body.setObjectName("diagnosticsBody")
        self._body_layout = QVBoxLayout(self._body)
        self._body_layout.setContentsMargins(2, 2, 6, 2)
        self._body_layout.setSpacing(6)
        self._body_layout.addStretch(1)
        self.scroll.setWidget(self._body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.counts)
        layout.addWidget(self.scroll, 1)
        self.set_inspection(None)

    # -- public API -----------------------------------------------------------------------------
    @staticmethod
    def _signature(inspection: Inspection | None):
        """What the cards show: when it is unchanged (typing), the cards stay and only their data moves."""
        if inspection is None:
            return None
        return tuple((d.code, d.severity, d.message, d.fix, len(d.tokens), len(d.spans))
                     for d in inspection.diagnostics)

    def set_inspection(self, inspection: Inspection | None) -> None:
        signature = self._signature(inspection)
        if signature is not None and signature == self._shown_signature and len(self._cards) == len(signature):
            self._inspection = inspection
            ordered = [d for group in self._grouped(inspection.diagnostics).values() for d in group]
            for card, diagnostic in zip(self._cards, ordered):
                card.diagnostic = diagnostic
            return
        self._shown_signature = signature
        previous = self._selected.diagnostic.code if self._selected is not None else None
        self._inspection = inspection
        self._clear()
        diagnostics = list(inspection.diagnostics) if inspection is not None else []
        groups = self._grouped(diagnostics)
        self.counts.setText(self._counts_html({s: len(g) for s, g in groups.items()}, inspection is not None))
        insert_at = 0
        for severity, group in groups.items():
            if not group:
                continue
            header = QLabel(f"<b>{SEVERITY_TITLES[severity]}</b> ({len(group)})", self._body)
            header.setObjectName(f"group-{severity.value}")
            header.setStyleSheet(f"color: {SEVERITY_COLORS[severity]}; padding-top: 4px;")
            self._body_layout.insertWidget(insert_at, header)
            insert_at += 1
            for diagnostic in group:
                card = DiagnosticCard(diagnostic, self._body)
                card.clicked.connect(self._on_card_clicked)
                self._body_layout.insertWidget(insert_at, card)
                insert_at += 1
                self._cards.append(card)
        if inspection is not None and not diagnostics:
            ok = QLabel("✓ Nothing wrong found: the model receives this text as it should.", self._body)
            ok.setObjectName("noFindings")
            ok.setWordWrap(True)
            ok.setStyleSheet("color: #1a7f37; padding: 8px;")
            self._body_layout.insertWidget(0, ok)
        if previous is not None:
            card = self.card(previous)
            if card is not None:
                self._select(card, notify=False)

    @staticmethod
    def _grouped(diagnostics) -> dict[Severity, list[Diagnostic]]:
        """Severity -> its findings, in ``ORDER``."""
        return {s: [d for d in diagnostics if d.severity == s] for s in ORDER}

    def cards(self) -> list[DiagnosticCard]:
        return list(self._cards)

    def card(self, code: str) -> DiagnosticCard | None:
        return next((c for c in self._cards if c.diagnostic.code == code), None)

    def selected(self) -> Diagnostic | None:
        return self._selected.diagnostic if self._selected is not None else None

    def select_code(self, code: str | None) -> bool:
        """Select the finding with ``code`` (or none); True when found."""
        card = self.card(code) if code else None
        self._select(card, notify=True)
        if card is not None:
            self.scroll.ensureWidgetVisible(card)
            card.setFocus(Qt.FocusReason.OtherFocusReason)
        return card is not None

    # -- internals ------------------------------------------------------------------------------
    @staticmethod
    def _counts_html(counts: dict, loaded: bool) -> str:
        if not loaded:
            return "<span style='color:gray'>Findings appear here once a model and a text are in.</span>"
        parts = []
        for severity in ORDER:
            n = counts[severity]
            color = SEVERITY_COLORS[severity] if n else "gray"
            word = severity.value
            label = word if n == 1 or severity == Severity.INFO else word + "s"
            parts.append(f"<span style='color:{color}'><b>{n}</b> {label}</span>")
        return " &nbsp;·&nbsp; ".join(parts)

    def _clear(self) -> None:
        self._selected = None
        self._cards = []
        while self._body_layout.count() > 1:
            item = self._body_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _on_card_clicked(self, card: DiagnosticCard) -> None:
        self._select(None if card is self._selected else card, notify=True)

    def _select(self, card: DiagnosticCard | None, notify: bool) -> None:
        if self._selected is not None:
            self._selected.set_selected(False)
        self._selected = card
        if card is not None:
            card.set_selected(True)
        if notify:
            self.diagnosticSelected.emit(card.diagnostic if card is not None else None)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self._cards:
            index = self._cards.index(self._selected) if self._selected in self._cards else -1
            index = index + (1 if event.key() == Qt.Key.Key_Down else -1)
            index = max(0, min(index, len(self._cards) - 1))
            self.select_code(self._cards[index].diagnostic.code)
            return
        if event.key() == Qt.Key.Key_Escape and self._selected is not None:
            self._select(None, notify=True)
            return
        super().keyPressEvent(event)
