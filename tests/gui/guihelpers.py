"""Helpers shared by the GUI tests."""

from __future__ import annotations

LOAD_TIMEOUT_MS = 60_000


def load(qtbot, window, src: str, *, text: str | None = None, trust: bool | None = None):
    """Open ``src`` in ``window`` and wait until its first inspection is shown."""
    if text is not None:
        window.text_pane.set_text(text)
    with qtbot.waitSignal(window.inspectionApplied, timeout=LOAD_TIMEOUT_MS):
        window.open_model(str(src), trust_remote_code=trust)
    return window.inspection


def wait_inspection(qtbot, window, action):
    """Run ``action`` and wait for the inspection it causes."""
    with qtbot.waitSignal(window.inspectionApplied, timeout=LOAD_TIMEOUT_MS) as blocker:
        action()
    return blocker.args[0]


def shown(qtbot, widget, width: int, height: int):
    """``widget`` at ``width`` x ``height``, shown and exposed, closed with the test."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
