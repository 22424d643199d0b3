"""The local engine: shards run in a pool of spawned worker processes, partials merge as they arrive."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Callable, Sequence

from bertinspector.core.audit.partial import Partial, empty
from bertinspector.core.audit.readers import Shard
from bertinspector.core.audit.shard import AuditConfig, audit_shard
from bertinspector.core.cancel import CancelToken
from bertinspector.core.errors import BertInspectorError, Cancelled, user_message

POLL_S = 0.05
Progress = Callable[[int, int], None]  # (rows done, rows total)

_worker_cancel = None
_worker_progress = None


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_local(shards: Sequence[Shard], config: AuditConfig, *, workers: int | None = None,
              progress: Progress | None = None, cancel: CancelToken | None = None,
              on_partial: Callable[[Partial], None] | None = None) -> Partial:
    """Measure every shard and merge the partials. ``workers`` processes (default: the cores; 1 runs in
    this process); ``progress(done, total)`` after each batch; ``cancel`` stops within a batch (raises
    :class:`Cancelled`); ``on_partial(merged)`` each time a shard's partial has been merged in."""
    total = sum(s.size for s in shards)
    workers = min(workers or default_workers(), max(1, len(shards)))
    result = empty(config.examples, with_b=config.b is not None)
    if not shards:
        return result
    if workers == 1:
        if sys.platform.startswith("linux"):  # this thread only; elsewhere it would lower the whole process
            lower_priority(config.niceness)
        done = 0

        def step(rows: int) -> None:
            nonlocal done
            done += rows
            if progress is not None:
                progress(done, total)

        for shard in shards:
            result = result.merge(audit_shard(shard, config, cancel, step))
            if on_partial is not None:
                on_partial(result)
        return result
    return _run_pool(shards, config, workers, total, progress, cancel, on_partial, result)


def _run_pool(shards, config, workers, total, progress, cancel, on_partial, result) -> Partial:
    import multiprocessing

    # set before the workers start: each worker runs one tokenizer thread; the pool is the parallelism
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    context = multiprocessing.get_context("spawn")  # never fork a process whose tokenizer has run
    stop, rows_done = context.Event(), context.SimpleQueue()
    pool = context.Pool(workers, initializer=_init_worker, initargs=(stop, rows_done, config.niceness))
    try:
        pending = [pool.apply_async(_run_shard, (shard, config)) for shard in shards]
        done = 0
        while pending:
            if cancel is not None and cancel.cancelled:
                stop.set()
                raise Cancelled("cancelled")
            while not rows_done.empty():
                done += rows_done.get()
                if progress is not None:
                    progress(done, total)
            finished = [p for p in pending if p.ready()]
            for task in finished:
                pending.remove(task)
                result = result.merge(task.get())
                if on_partial is not None:
                    on_partial(result)
            if not finished:
                time.sleep(POLL_S)
        while not rows_done.empty():
            done += rows_done.get()
        if progress is not None:
            progress(done, total)
        pool.close()
        return result
    finally:
        pool.terminate()  # at once: a cancelled or failed audit leaves no worker behind
        pool.join()


def lower_priority(niceness: int) -> None:
    """Run the calling thread at ``niceness`` if above 0 (Linux: that thread only; elsewhere the whole process)."""
    if niceness > 0 and hasattr(os, "setpriority"):
        os.setpriority(os.PRIO_PROCESS, 0, niceness)


def run_apart(function, args: tuple, *, niceness: int = 0, cancel: CancelToken | None = None):
    """``function(*args)`` in a spawned process of its own at ``niceness``, so that this process (a window's)
    never holds its interpreter for that work (loading a tokenizer); ``cancel`` ends it within
    :data:`POLL_S`. What the function raised is raised here as one line."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1, initializer=_init_process, initargs=(niceness,)) as pool:
        task = pool.apply_async(_call, (function, args))
        while not task.ready():
            if cancel is not None and cancel.cancelled:
                raise Cancelled("cancelled")
            task.wait(POLL_S)
        return task.get()  # leaving the block terminates the process


def _init_process(niceness: int) -> None:
    lower_priority(niceness)  # first: the process's start-up (transformers, the tokenizer) runs niced too
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    from bertinspector.core.transformers_import import keep_torch_out

    keep_torch_out()  # tokenizers only: transformers never imports torch here
    os.environ["TOKENIZERS_PARALLELISM"] = "false"


def _init_worker(stop, rows_done, niceness: int) -> None:
    global _worker_cancel, _worker_progress
    _init_process(niceness)
    _worker_cancel = _EventToken(stop)
    _worker_progress = rows_done.put


class _EventToken:
    """A cancel token over a ``multiprocessing.Event`` set by the parent."""

    def __init__(self, event):
        self._event = event

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled")


def _run_shard(shard: Shard, config: AuditConfig) -> Partial:
    return _call(audit_shard, (shard, config, _worker_cancel, _worker_progress))


def _call(function, args: tuple):
    """``function(*args)`` in a worker, its errors as one picklable line."""
    try:
        return function(*args)
    except BertInspectorError as error:
        raise type(error)(str(error)) from None  # picklable, one line
    except Exception as error:  # noqa: BLE001 - the parent shows one line, never a worker's traceback
        raise BertInspectorError(user_message(error, " in an audit worker")) from None
