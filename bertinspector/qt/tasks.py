"""Background tasks for the GUI: one serial slot per kind of task, newest request wins.

``TaskRunner.submit("load", fn, ...)`` runs ``fn(cancel, ...)`` in a worker thread of the runner's
own :class:`QThreadPool`. Each kind runs one task at a time; a request made while one is running
waits, and a newer request replaces a waiting one (its cancel token is set). Only the result of the
newest request of a kind is delivered (``finished``/``failed``); older results are dropped, so the
GUI never shows a stale answer. Nothing Qt crosses into the worker: ``fn`` gets plain arguments
and returns a plain object.

Exceptions never escape as tracebacks: a :class:`BertInspectorError` becomes its one-line message,
anything else "unexpected error: ..." (the traceback goes to the log).
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from bertinspector.core.cancel import CancelToken
from bertinspector.core.errors import BertInspectorError, Cancelled, user_message

log = logging.getLogger(__name__)

_RUNNERS: "weakref.WeakSet[TaskRunner]" = weakref.WeakSet()


@dataclass
class _Job:
    generation: int
    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    cancel: CancelToken = field(default_factory=CancelToken)


class _Relay(QObject):
    """Lives in the GUI thread; workers emit on it, so the slots run in the GUI thread."""

    done = Signal(str, int, object, bool, str)  # kind, generation, result, ok, message


class TaskRunner(QObject):
    """One serial, latest-wins slot per kind of task."""

    started = Signal(str, int)  # kind, generation
    finished = Signal(str, int, object)  # kind, generation, result
    failed = Signal(str, int, str)  # kind, generation, one-line message
    idle = Signal()  # no task of any kind is running or waiting

    def __init__(self, parent: QObject | None = None, max_threads: int = 3):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._pool.setExpiryTimeout(2000)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._latest: dict[str, int] = {}
        self._running: dict[str, _Job] = {}
        self._waiting: dict[str, _Job] = {}
        self._closed = False
        _RUNNERS.add(self)

    # -- requests -------------------------------------------------------------------------------
    def submit(self, kind: str, fn: Callable[..., Any], *args, **kwargs) -> int:
        """Run ``fn(cancel_token, *args, **kwargs)`` for ``kind``; returns the request's generation."""
        if self._closed:
            return -1
        generation = self._latest.get(kind, 0) + 1
        self._latest[kind] = generation
        job = _Job(generation, fn, args, kwargs)
        previous = self._waiting.pop(kind, None)
        if previous is not None:
            previous.cancel.cancel()
        running = self._running.get(kind)
        if running is not None:
            running.cancel.cancel()
            self._waiting[kind] = job
        else:
            self._start(kind, job)
        return generation

    def cancel(self, kind: str) -> None:
        """Cancel ``kind``'s tasks: the waiting one never runs, the running one's result is dropped."""
        self._latest[kind] = self._latest.get(kind, 0) + 1
        waiting = self._waiting.pop(kind, None)
        if waiting is not None:
            waiting.cancel.cancel()
        running = self._running.get(kind)
        if running is not None:
            running.cancel.cancel()

    def cancel_all(self) -> None:
        for kind in set(self._running) | set(self._waiting):
            self.cancel(kind)

    def is_busy(self, kind: str | None = None) -> bool:
        if kind is None:
            return bool(self._running or self._waiting)
        return kind in self._running or kind in self._waiting

    def active_threads(self) -> int:
        return self._pool.activeThreadCount()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Cancel everything and wait (bounded) for the workers; True when all ended."""
        self._closed = True
        self.cancel_all()
        ended = self._pool.waitForDone(timeout_ms)
        if not ended:
            log.warning("background tasks still running after %d ms: %s", timeout_ms, sorted(self._running))
        return ended

    # -- internals ------------------------------------------------------------------------------
    def _start(self, kind: str, job: _Job) -> None:
        self._running[kind] = job
        relay = self._relay

        def work():
            try:
                job.cancel.check()
                result = job.fn(job.cancel, *job.args, **job.kwargs)
            except Cancelled:
                relay.done.emit(kind, job.generation, None, False, "cancelled")
            except BaseException as error:  # noqa: BLE001 - every failure becomes one line
                if not isinstance(error, BertInspectorError):
                    log.error("task %s failed", kind, exc_info=True)
                relay.done.emit(kind, job.generation, None, False, user_message(error))
            else:
                relay.done.emit(kind, job.generation, result, True, "")

        self.started.emit(kind, job.generation)
        self._pool.start(work)

    @Slot(str, int, object, bool, str)
    def _on_done(self, kind: str, generation: int, result: object, ok: bool, message: str) -> None:
        job = self._running.get(kind)
        if job is not None and job.generation == generation:
            del self._running[kind]
        waiting = self._waiting.pop(kind, None)
        if waiting is not None and not self._closed:
            self._start(kind, waiting)
        if self._latest.get(kind) == generation and not self._closed:
            if ok:
                self.finished.emit(kind, generation, result)
            elif message != "cancelled":
                self.failed.emit(kind, generation, message)
        if not self._running and not self._waiting:
            self.idle.emit()


def live_runners() -> list[TaskRunner]:
    """Every runner whose Qt objects still exist (tests use it to find tasks left running)."""
    return [runner for runner in list(_RUNNERS) if shiboken6.isValid(runner) and shiboken6.isValid(runner._pool)]
