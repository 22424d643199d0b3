"""A coloured one-message strip (error / warning / info) with an optional action button.

The message is plain text: quotes, ``<`` and ``&`` show as typed, and nothing in it is read as markup.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from bertinspector.core.model import Severity
from bertinspector.qt.resources import severity_icon


class Banner(QFrame):
    """A coloured one-message strip with an optional action button and a close button."""

    action = Signal()

    def __init__(self, severity: Severity, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"banner-{severity.value}")
        colors = {Severity.ERROR: ("#fdecea", "#d93025"), Severity.WARNING: ("#fff4e0", "#c77700"),
                  Severity.INFO: ("#e8f0fe", "#1a73e8")}[severity]
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ background: {colors[0]}; border: 1px solid {colors[1]};"
            f" border-radius: 4px; }} QFrame#{self.objectName()} QLabel {{ color: #1f2328; }}"
        )
        icon = QLabel(self)
        icon.setPixmap(severity_icon(severity).pixmap(16, 16))
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(100)
        self.button = QPushButton(self)
        self.button.setVisible(False)
        self.button.clicked.connect(self.action)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.label, 1)
        top.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        self._plain = ""
        self.hide()

    def show_message(self, text: str, button: str | None = None) -> None:
        self._plain = text
        self.label.setText(text)
        self.button.setText(button or "")
        self.button.setVisible(bool(button))
        self.show()

    def text(self) -> str:
        return self._plain
