"""Sessions in the window: Save/Open, and an autosave that survives ``kill -9``.

A few seconds after each change (text, pair, mode, settings, model) the current session is written
atomically to the user's data folder; the next start restores it. An unreadable autosave is set aside
with a message and the app starts clean.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from bertinspector.core import session as core_session
from bertinspector.core.session import Session, SessionError, Slot
from bertinspector.core.pasted_ids import MAX_IDS
from bertinspector.widgets.compare import SlotB

AUTOSAVE_DELAY_MS = 2000
AUTOSAVE_NAME = "autosave" + core_session.SUFFIX
DATA_DIR_ENV = "BERTINSPECTOR_DATA_DIR"
HIDDEN_PAIR = "hidden_pair"  # extra: segment B's text while *Sentence pair* is off
AUDIT = "audit"  # extra: the last audit's request (data, columns, rows, sides), offered again by the dialog
CODE, CODE_MODE = "code", "code_mode"  # extra: the Code mode's code, and whether that mode was shown
IDS_ROW = "ids_row"  # extra: the row picked in a pasted batch of ids
log = logging.getLogger(__name__)


def data_folder() -> Path:
    """Where the autosave lives: ``$BERTINSPECTOR_DATA_DIR``, else the platform's app data folder."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def autosave_path() -> Path:
    return data_folder() / AUTOSAVE_NAME


def capture(window) -> Session:
    """The window's session: every input buffer (text, ids, segment B even while it is hidden), slot A's
    model and settings, slot B's (source "" = A's model)."""
    pane = window.text_pane
    source_b, slot_b = window.compare.slot()
    extra = {"swap_pair": slot_b.swap_pair}
    if not pane.pair_box.isChecked() and pane.editor_b.text():
        extra[HIDDEN_PAIR] = pane.editor_b.text()
    if pane.buffer("code"):
        extra[CODE] = pane.buffer("code")
    if pane.mode() == "code":
        extra[CODE_MODE] = True
    if pane.ids_row():
        extra[IDS_ROW] = pane.ids_row()
    audit = window.audit.session_state()
    if audit is not None:
        extra[AUDIT] = audit
    return Session(
        text=pane.buffer("text"),
        pair=pane.editor_b.text() if pane.pair_box.isChecked() else None,
        input_kind=pane.inspected_mode(),
        ids=pane.buffer("ids"),
        slots=(Slot(window.requested_model_source(), window.settings_bar.settings()), Slot(source_b, slot_b.settings)),
        compare=window.compare.active,
        extra=extra,
    )


def restore(window, saved: Session) -> None:
    """Put a session back into the window (the model loads in the background as usual)."""
    pane = window.text_pane
    pane.set_buffer("text", saved.text)
    pane.set_buffer("ids", saved.ids)
    row = saved.extra.get(IDS_ROW)
    pane.set_ids_row(row if isinstance(row, int) and not isinstance(row, bool) and 0 <= row < MAX_IDS else 0)
    hidden_pair = saved.extra.get(HIDDEN_PAIR)
    if saved.pair is None and isinstance(hidden_pair, str):
        pane.editor_b.set_text(hidden_pair)
    pane.set_pair(saved.pair)
    pane.set_mode(saved.input_kind)
    if isinstance(saved.extra.get(CODE), str):
        pane.set_buffer("code", saved.extra[CODE])
    if saved.extra.get(CODE_MODE) is True:
        pane.set_mode("code")
    window.audit.restore_state(saved.extra.get(AUDIT))
    first = saved.slots[0]
    window.settings_bar.set_settings(first.settings)
    if first.source != window.model_source():
        window.open_model(first.source)
    else:
        pane.request_inspection()
    if len(saved.slots) > 1:
        second = saved.slots[1]
        slot = SlotB(settings=second.settings, swap_pair=bool(saved.extra.get("swap_pair", False)))
        window.compare.restore(second.source, slot, saved.compare)


class Autosaver(QObject):
    """Writes the window's session a moment after each change, off the GUI thread."""

    saved = Signal(str)  # path
    failed = Signal(str)  # one-line message

    def __init__(self, window, path: Path | None = None):
        super().__init__(window)
        self.window = window
        self.path = path or autosave_path()
        self.enabled = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)
        window.runner.finished.connect(self._on_finished)
        window.runner.failed.connect(self._on_failed)

    def schedule(self, *_args) -> None:
        if self.enabled:
            self._timer.start()

    def save_now(self) -> None:
        """Capture now, write in the background (newest write wins)."""
        self._timer.stop()
        if self.enabled:
            self.window.runner.submit("autosave", _write, self.path, capture(self.window))

    def save_blocking(self) -> None:
        """Write now, in this thread (on quit)."""
        self._timer.stop()
        if not self.enabled:
            return
        try:
            core_session.save(self.path, capture(self.window))
        except OSError as error:
            log.warning("autosave failed: %s", error)

    def load(self) -> Session | None:
        """The autosaved session, or None; an unreadable one is set aside and reported."""
        if not self.path.is_file():
            return None
        try:
            return core_session.load(self.path)
        except SessionError as error:
            try:
                moved = core_session.set_aside(self.path)
                self.failed.emit(f"The last session could not be restored ({error}); it was kept as {moved.name}")
            except OSError:
                self.failed.emit(f"The last session could not be restored ({error})")
            return None

    def _on_finished(self, kind: str, _generation: int, path) -> None:
        if kind == "autosave":
            self.saved.emit(str(path))

    def _on_failed(self, kind: str, _generation: int, message: str) -> None:
        if kind == "autosave":
            self.failed.emit(f"Autosave failed: {message}; your text is still here")


def _write(cancel, path: Path, saved: Session) -> Path:
    core_session.save(path, saved)
    return path


def session_path(typed: str) -> str:
    """The file *Save Session As* writes: ``typed`` with ``.bertinspector.json`` unless it ends so already
    (a plain ``.json`` becomes it)."""
    suffix = core_session.SUFFIX
    if typed.endswith(suffix):
        return typed
    return typed.removesuffix(".json") + suffix


def save_to(path: str, window) -> None:
    core_session.save(Path(path), capture(window))


def open_from(path: str, window) -> None:
    """Open a session file; raises :class:`SessionError` with a clear message."""
    restore(window, core_session.load(Path(path)))


__all__ = ["Autosaver", "SessionError", "autosave_path", "capture", "open_from", "restore", "save_to", "session_path"]
