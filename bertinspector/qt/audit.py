"""The dataset audit behind the window's Audit pane: the CLI's engine, driven from a thread, results as signals.

:class:`AuditController` runs :func:`drive` in a Python thread of its own. ``drive`` plans the data, describes
the sides (which validates the settings as ``tokenizer(...)`` does; with worker processes, in a spawned process
apart, so the window's process never loads the audit's tokenizers) and runs
:func:`~bertinspector.core.audit.run_local` — the shard function the CLI uses, in a pool of spawned worker
processes as many as the CLI would start (data of one CLI shard runs in the audit thread, as the CLI runs it
in its process), or on the Ray cluster the dialog names (``run_ray``, the same shard function as Ray tasks) — with ``per_example=True``, so each merged partial also carries every example's figures. As shards arrive the merged partial so far is
finalized (at most every :data:`LIVE_S`, less often when building one takes long) and sent with the examples' records
and the table's rows for its current filter and sort (``view_spec``); the GUI thread only draws. The workers run
at :data:`WORKER_NICENESS`, so the window keeps a core on a machine they fill.

Every audit has a generation number; signals of an older audit are dropped. Cancel sets the token, the
engine stops its workers within a batch (the pool is terminated) and the thread ends; :meth:`shutdown`
cancels and joins it (bounded), so closing the window mid-audit leaves no process or thread behind.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from bertinspector.core.audit import (
    AuditConfig, AuditRequest, DataError, Plan, default_workers, finalize, plan,
)
from bertinspector.core.audit.engine import run_apart
from bertinspector.core.audit.finalize import describe_sides
from bertinspector.core.audit.run import described_context, engine_for
from bertinspector.core.audit.partial import EXAMPLE_DTYPE
from bertinspector.core.audit.readers import Shard, read_batches
from bertinspector.core.cancel import CancelToken
from bertinspector.core.errors import BertInspectorError, Cancelled, user_message
from bertinspector.qt.audit_table import ViewSpec, table_view

log = logging.getLogger(__name__)

LIVE_S = 0.5  # the least time between two live results
LIVE_COST = 20  # ... and at least this many times what the last one took to build (a million rows' records)
PROGRESS_S = 0.1
LIVE_SHARDS = 16  # small data is cut into about this many shards, so the pane fills step by step
MIN_SHARD_ROWS = 250
WORKER_NICENESS = 10


@dataclass(frozen=True)
class Snapshot:
    """What the pane draws: the ``bertinspector.audit/1`` dict so far and every example's record."""

    document: dict
    records: np.ndarray  # EXAMPLE_DTYPE, in row order
    plan: Plan
    final: bool = False
    view: tuple | None = None  # (ViewSpec, the table's rows for it) computed beside the records, or None


def live_shards(shards, rows_total: int) -> list[Shard]:
    """The plan's shards cut into pieces of at most ``rows/LIVE_SHARDS`` rows (never below
    :data:`MIN_SHARD_ROWS`), so a small dataset still fills the pane in steps; large ones keep the CLI's shards."""
    size = max(MIN_SHARD_ROWS, -(-rows_total // LIVE_SHARDS))
    pieces = []
    for shard in shards:
        if shard.rows is not None:
            for i in range(0, len(shard.rows), size):
                part = shard.rows[i:i + size]
                pieces.append(replace(shard, start=part[0], stop=part[-1] + 1, rows=part))
        else:
            for start in range(shard.start, shard.stop, size):
                pieces.append(replace(shard, start=start, stop=min(start + size, shard.stop)))
    return pieces


def cli_workers(request: AuditRequest, planned: Plan) -> int:
    """The worker processes the CLI would use for this plan: one per core, at most one per shard of the CLI's
    size; 1 (data of one shard) runs in the audit thread, as the CLI runs it in its own process."""
    return min(request.workers or default_workers(), len(planned.shards))


def records_of(partial) -> np.ndarray:
    """Every example's record in row order. Each batch's records are in row order and shards cover disjoint
    row ranges, so ordering the batches by their first row is enough (one copy, never a sort of the rows)."""
    chunks = sorted((c for c in partial.examples if len(c)), key=lambda c: int(c["row"][0]))
    return np.concatenate(chunks) if chunks else np.zeros(0, EXAMPLE_DTYPE)


def drive(request: AuditRequest, cancel: CancelToken, workdir: str, emit_progress, emit_snapshot,
          view_spec: Callable[[], ViewSpec] | None = None) -> Snapshot:
    """One audit as the CLI runs it, sending progress ``(done, total)`` and live :class:`Snapshot` s; with
    ``view_spec`` (the table's filter and sort, read when a snapshot is built) each carries the table's rows."""
    started = time.perf_counter()
    options = dict(split=request.split, limit=request.limit, sample=request.sample, seed=request.seed,
                   skip_bad_rows=request.skip_bad_rows, workdir=workdir, shard_rows=request.shard_rows)
    plan_a = plan(list(request.data), request.columns, **options)
    plan_b = None
    if request.against:
        columns_b = replace(plan_a.columns, text=request.against_column or plan_a.columns.text, pair=None, label=None)
        plan_b = plan(list(request.against), columns_b, **options)
    cancel.check()
    if request.engine == "local" and cli_workers(request, plan_a) > 1:  # the tokenizers load apart, as they measure
        context = described_context(request, plan_a, plan_b, lambda sides, paired: run_apart(
            describe_sides, (sides, paired), niceness=WORKER_NICENESS, cancel=cancel))
    else:
        context = described_context(request, plan_a, plan_b)
    cancel.check()
    config = AuditConfig(a=request.a, b=request.b, examples=request.examples, batch_size=request.batch_size,
                         skip_bad_rows=request.skip_bad_rows, per_example=True,
                         niceness=WORKER_NICENESS if request.engine == "local" else 0)
    total = plan_a.rows + (plan_b.rows if plan_b else 0)
    state = {"offset": 0, "progress": 0.0, "live": 0.0, "interval": LIVE_S}

    def progress(done: int, _total: int) -> None:
        now = time.monotonic()
        if now - state["progress"] >= PROGRESS_S or state["offset"] + done >= total:
            state["progress"] = now
            emit_progress(state["offset"] + done, total)

    def snapshot_of(merged, against=None, final: bool = False) -> Snapshot:
        records = records_of(merged)
        spec = view_spec() if view_spec is not None else None
        return Snapshot(finalize(merged, context, against), records, plan_a, final,
                        None if spec is None else (spec, table_view(records, spec)))

    def on_partial(merged) -> None:
        now = time.monotonic()
        if now - state["live"] >= state["interval"]:
            snapshot = snapshot_of(merged)
            state["live"] = time.monotonic()
            state["interval"] = max(LIVE_S, LIVE_COST * (state["live"] - now))
            emit_snapshot(snapshot)

    engine = engine_for(request)  # local worker processes, or the Ray cluster the dialog names
    workers = cli_workers(request, plan_a) if request.engine == "local" else request.workers
    result = engine(live_shards(plan_a.shards, plan_a.rows), config, workers=workers,
                    progress=progress, cancel=cancel, on_partial=on_partial)
    if result.a.examples == 0:
        raise DataError(f"{', '.join(plan_a.sources)}: no text to audit in column {plan_a.columns.text!r}: "
                        f"{result.rows_read} row(s) read, {result.skipped} null or not a string, {result.bad_rows} malformed")
    against = None
    if plan_b is not None:
        state["offset"] = plan_a.rows
        against = engine(live_shards(plan_b.shards, plan_b.rows), replace(config, b=None, per_example=False),
                         workers=cli_workers(request, plan_b) if request.engine == "local" else request.workers,
                         progress=progress, cancel=cancel)
    seconds = time.perf_counter() - started
    examples = result.a.examples + (against.a.examples if against else 0)
    context.timing = {"seconds": seconds, "examples_per_s": examples / seconds if seconds else 0.0,
                      "engine": request.engine, "workers": workers}
    return snapshot_of(result, against, final=True)


class RowReader:
    """Reads single rows of an audited dataset again (a click on an example). A plain JSONL file is read by
    a line-offset index built on the first click (one pass), so any row answers in a millisecond; other
    formats stream the rows of their shard up to the row."""

    def __init__(self, planned: Plan):
        self.plan = planned
        self._lines: dict[str, np.ndarray] = {}

    def read(self, row: int) -> tuple[str, str | None]:
        """(text, pair) of the dataset's global row ``row``; DataError when the file no longer has it."""
        for shard in self.plan.shards:
            if shard.row_base + shard.start <= row < shard.row_base + shard.stop:
                found = self._by_line(shard, row - shard.row_base) if self._indexed(shard) else self._by_shard(shard, row)
                if found is not None:
                    return found
                break
        raise DataError(f"row {row} is no longer in {', '.join(self.plan.sources)} (the file changed since the audit)")

    @staticmethod
    def _indexed(shard: Shard) -> bool:
        return shard.file.format == "jsonl" and not shard.file.compressed

    def _by_line(self, shard: Shard, local: int):
        from bertinspector.core.audit.readers import _json_line

        path = shard.file.path
        try:
            if path not in self._lines:
                self._lines[path] = line_starts(path)
            starts = self._lines[path]
            if local >= len(starts):
                return None
            with open(path, "rb") as f:
                f.seek(int(starts[local]))
                line = f.readline()
        except OSError as error:
            raise DataError(f"{shard.file.display}: {error.strerror or error}") from None
        record = _json_line(line, shard.file, local, True)
        text = record.get(shard.columns.text) if isinstance(record, dict) else None
        if not isinstance(text, str):
            return None
        pair = record.get(shard.columns.pair) if shard.columns.pair else None
        return text, pair if isinstance(pair, str) else None

    @staticmethod
    def _by_shard(shard: Shard, row: int):
        local = row - shard.row_base
        for batch in read_batches(replace(shard, start=local, stop=local + 1, rows=(local,)), 1, skip_bad_rows=True):
            hit = np.flatnonzero(batch.rows == row)
            if len(hit):
                i = int(hit[0])
                return batch.texts[i], batch.pairs[i] if batch.pairs is not None else None
        return None


def search_rows(cancel, planned: Plan, needle: str) -> tuple[str, np.ndarray]:
    """(needle, the global rows whose text or pair holds ``needle``, case-insensitively): the data read again
    without tokenizing, in a worker."""
    folded, found = needle.casefold(), []
    for shard in planned.shards:
        for batch in read_batches(shard, 4096, skip_bad_rows=True):
            cancel.check()
            hits = [i for i, text in enumerate(batch.texts) if folded in text.casefold()
                    or (batch.pairs is not None and batch.pairs[i] and folded in batch.pairs[i].casefold())]
            found.append(batch.rows[hits])
    return needle, np.concatenate(found) if found else np.zeros(0, np.int64)


def line_starts(path: str, chunk: int = 1 << 24) -> np.ndarray:
    """The byte offset of every line of a file."""
    starts, offset = [np.zeros(1, np.int64)], 0
    with open(path, "rb") as f:
        while block := f.read(chunk):
            starts.append(np.flatnonzero(np.frombuffer(block, np.uint8) == 10).astype(np.int64) + offset + 1)
            offset += len(block)
    found = np.concatenate(starts)
    return found[found < offset]  # no line starts at the end of the file


class AuditController(QObject):
    """Starts, cancels and ends audits; emits what the newest one finds (older ones are dropped)."""

    started = Signal(int)  # generation
    progressed = Signal(int, int, int, float)  # generation, rows done, rows total, seconds since the start
    snapshot = Signal(int, object)  # generation, Snapshot (live or final)
    failed = Signal(int, str)  # generation, one-line message
    cancelled = Signal(int)
    _relay = Signal(str, int, object)  # kind, generation, payload: from the audit thread to the GUI thread

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.generation = 0
        self._thread: threading.Thread | None = None  # the newest audit's
        self._ending: list[threading.Thread] = []  # replaced audits, still stopping
        self._cancel: CancelToken | None = None
        self._workdirs: dict[threading.Thread, str] = {}  # decompressed data, kept for clicks until replaced
        self._started = 0.0
        self._relay.connect(self._on_relay)

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, request: AuditRequest, view_spec: Callable[[], ViewSpec] | None = None) -> int:
        """Cancel any running audit (it stops in the background; its late results are dropped) and start
        ``request``; returns its generation. Never waits. ``view_spec``: see :func:`drive`."""
        self.cancel()
        if self._thread is not None:
            self._ending.append(self._thread)
        self._tidy()
        self.generation += 1
        generation = self.generation
        cancel = self._cancel = CancelToken()
        workdir = tempfile.mkdtemp(prefix="bertinspector-audit-")
        self._started = time.monotonic()
        relay = self._relay

        def work() -> None:
            try:
                final = drive(request, cancel, workdir,
                              lambda done, total: relay.emit("progress", generation, (done, total)),
                              lambda snap: relay.emit("snapshot", generation, snap), view_spec)
            except Cancelled:
                relay.emit("cancelled", generation, None)
            except BaseException as error:  # noqa: BLE001 - one line for the banner, never a traceback
                if not isinstance(error, BertInspectorError):
                    log.error("the audit failed", exc_info=True)
                relay.emit("failed", generation, user_message(error, " in the audit"))
            else:
                relay.emit("snapshot", generation, final)

        self._thread = threading.Thread(target=work, name=f"audit-{generation}", daemon=True)
        self._workdirs[self._thread] = workdir
        self._thread.start()
        self.started.emit(generation)
        return generation

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    def shutdown(self, timeout_s: float = 5.0) -> bool:
        """Cancel and wait (bounded) for the audit threads, whose engine terminates its worker processes."""
        self.generation += 1  # nothing of the running audit is shown any more
        self.cancel()
        deadline = time.monotonic() + timeout_s
        for thread in [*self._ending, *([self._thread] if self._thread else [])]:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread is not None:
            self._ending.append(self._thread)
            self._thread = None
        self._tidy()
        if self._ending:
            log.warning("an audit thread is still running after %.1f s", timeout_s)
        return not self._ending

    def _tidy(self) -> None:
        """Forget the replaced audits that have ended and remove their working folders."""
        self._ending = [t for t in self._ending if t.is_alive()]
        for thread in [t for t in self._workdirs if t is not self._thread and not t.is_alive()]:
            shutil.rmtree(self._workdirs.pop(thread), ignore_errors=True)

    def _on_relay(self, kind: str, generation: int, payload) -> None:
        if generation != self.generation:
            return  # a late result of an audit that was replaced or cancelled
        if kind == "progress":
            done, total = payload
            self.progressed.emit(generation, done, total, time.monotonic() - self._started)
        elif kind == "snapshot":
            self.snapshot.emit(generation, payload)
        elif kind == "failed":
            self.failed.emit(generation, payload)
        else:
            self.cancelled.emit(generation)
