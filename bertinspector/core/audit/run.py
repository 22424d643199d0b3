"""One audit from start to end: plan the data, describe the sides, run the engine, finalize."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, replace
from typing import Callable

from bertinspector.core.audit.finalize import Context, SideInfo, describe_sides, finalize
from bertinspector.core.audit.measure import Side
from bertinspector.core.audit.readers import Columns, DataError, Plan, plan
from bertinspector.core.audit.shard import AuditConfig
from bertinspector.core.cancel import CancelToken
from bertinspector.core.errors import InputError

ENGINES = ("local", "ray")


@dataclass(frozen=True)
class AuditRequest:
    """Everything an audit is asked to do (what the CLI's options and the window's audit dialog say)."""

    a: Side
    data: tuple[str, ...]
    columns: Columns = Columns()
    b: Side | None = None
    against: tuple[str, ...] = ()
    against_column: str | None = None
    split: str | None = None
    limit: int | None = None
    sample: int | None = None
    seed: int = 0
    skip_bad_rows: bool = False
    examples: int = 20
    workers: int | None = None
    engine: str = "local"
    ray_address: str | None = None  # the Ray engine's cluster (None: RAY_ADDRESS, else a local Ray)
    shard_rows: int = 20_000
    batch_size: int = 1000


def run_audit(request: AuditRequest, progress=None, cancel: CancelToken | None = None, on_update=None) -> dict:
    """The ``bertinspector.audit/1`` dict; ``progress(done, total)`` counts the rows of both datasets;
    ``on_update(document)`` receives the audit of the shards done so far (a live view) after each shard of
    the first dataset. Raises :class:`DataError` / :class:`InputError` / ``SourceError`` in one line,
    ``Cancelled`` when cancelled."""
    if request.engine not in ENGINES:
        raise InputError(f"unknown engine {request.engine!r}: choose one of {', '.join(ENGINES)}")
    engine = engine_for(request)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bertinspector-audit-") as workdir:
        plan_a = _plan(request, request.data, request.columns, workdir)
        plan_b = None
        if request.against:
            columns_b = replace(plan_a.columns, text=request.against_column or plan_a.columns.text, label=None)
            plan_b = _plan(request, request.against, columns_b, workdir)
        context = described_context(request, plan_a, plan_b)
        config = AuditConfig(a=request.a, b=request.b, examples=request.examples, batch_size=request.batch_size,
                             skip_bad_rows=request.skip_bad_rows)
        total = plan_a.rows + (plan_b.rows if plan_b else 0)
        offset = 0

        def step(done: int, _total: int) -> None:
            if progress is not None:
                progress(offset + done, total)

        live = None if on_update is None else (lambda merged: on_update(finalize(merged, context)))
        result = engine(plan_a.shards, config, workers=request.workers, progress=step, cancel=cancel, on_partial=live)
        _check_examples(result, plan_a)
        against = None
        if plan_b is not None:
            offset = plan_a.rows
            against = engine(plan_b.shards, replace(config, b=None), workers=request.workers, progress=step, cancel=cancel)
            _check_examples(against, plan_b)
    seconds = time.perf_counter() - started
    examples = result.a.examples + (against.a.examples if against else 0)
    from bertinspector.core.audit.engine import default_workers

    context.timing = {"seconds": seconds, "examples_per_s": examples / seconds if seconds else 0.0,
                      "engine": request.engine, "workers": min(request.workers or default_workers(), max(1, len(plan_a.shards)))}
    return finalize(result, context, against)


def described_context(request: AuditRequest, plan_a: Plan, plan_b: Plan | None,
                      describe_all: Callable[[tuple[Side, ...], bool], list[SideInfo]] = describe_sides) -> Context:
    """The request's :class:`Context` with its sides described by ``describe_all(sides, paired)`` (which checks
    the settings as ``tokenizer(...)`` would; a window runs it in a process apart)."""
    sides = (request.a,) + ((request.b,) if request.b is not None else ())
    described = describe_all(sides, plan_a.columns.pair is not None)
    return Context(a=described[0], plan=plan_a, against_plan=plan_b, b=described[1] if request.b is not None else None)


def engine_for(request: AuditRequest):
    """The engine function the request names: ``run_local``, or ``run_ray`` joined to its address (same signature)."""
    if request.engine == "ray":
        from functools import partial

        from bertinspector.core.audit.ray_engine import run_ray

        return partial(run_ray, address=request.ray_address)
    from bertinspector.core.audit.engine import run_local

    return run_local


def _plan(request: AuditRequest, sources, columns: Columns, workdir: str) -> Plan:
    return plan(list(sources), columns, split=request.split, shard_rows=request.shard_rows, limit=request.limit,
                sample=request.sample, seed=request.seed, skip_bad_rows=request.skip_bad_rows, workdir=workdir)


def _check_examples(result, planned: Plan) -> None:
    if result.a.examples == 0:
        raise DataError(
            f"{', '.join(planned.sources)}: no text to audit in column {planned.columns.text!r}: {result.rows_read} "
            f"row(s) read, {result.skipped} null or not a string, {result.bad_rows} malformed")
