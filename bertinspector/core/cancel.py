"""Cooperative cancellation, shared by the core's long tasks and the GUI's workers."""

from __future__ import annotations

import threading

from bertinspector.core.errors import Cancelled


class CancelToken:
    """A ``threading.Event`` wrapper: the GUI sets it, long tasks check it at safe points."""

    def __init__(self):
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list = []

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_cancel(self, callback) -> None:
        """Call ``callback()`` when the token is cancelled (at once when it already is)."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` when the task was cancelled."""
        if self._event.is_set():
            raise Cancelled("cancelled")
