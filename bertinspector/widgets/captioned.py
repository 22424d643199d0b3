"""A part of a pane with its caption right above it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def captioned(caption: QLabel, widget: QWidget, parent: QWidget) -> QWidget:
    """A box in ``parent`` holding ``caption`` right above ``widget``, which takes the height left."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(caption)
    layout.addWidget(widget, 1)
    return box
