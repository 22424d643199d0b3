"""A part of a pane with its caption right above it, and a margin-less column of parts."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget


def column(parent: QWidget, *items: QWidget | QLayout, spacing: int = 2) -> QWidget:
    """A box in ``parent`` stacking ``items`` (widgets or layouts) top to bottom without margins; the
    last takes the height left."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for i, item in enumerate(items):
        stretch = 1 if i == len(items) - 1 else 0
        if isinstance(item, QLayout):
            layout.addLayout(item, stretch)
        else:
            layout.addWidget(item, stretch)
    return box


def captioned(caption: QLabel, widget: QWidget, parent: QWidget) -> QWidget:
    """A box in ``parent`` holding ``caption`` right above ``widget``, which takes the height left."""
    return column(parent, caption, widget)
