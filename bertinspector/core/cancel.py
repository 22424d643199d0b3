"""Cooperative cancellation, shared by the core's long tasks and the GUI's workers."""

from __future__ import annotations

import threading

from bertinspector.core.errors import Cancelled


class CancelToken:
    """A ``threading.Event`` wrapper: the GUI sets it, long tasks check it at safe points."""

    def __init__(self):
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` when the task was cancelled."""
        if self._event.is_set():
            raise Cancelled("cancelled")
