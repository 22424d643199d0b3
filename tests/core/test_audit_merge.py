"""Partials merge associatively: any split of the rows into shards, merged in any order and grouping,
gives the same audit; the process pool gives what one process gives."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from audit_reference import generated_rows
from bertinspector.core.audit import AuditConfig, Columns, Context, Side, audit_shard, describe, finalize, plan, run_local
from bertinspector.core.audit.partial import empty
from bertinspector.core.model import Settings

ROWS = generated_rows(90, seed=11)


def _setup(folder, tmp_path_factory):
    path = tmp_path_factory.mktemp("merge") / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    planned = plan([str(path)], Columns(label="label"), shard_rows=len(ROWS))
    side = Side(str(folder), Settings(max_length=32))
    config = AuditConfig(a=side, b=Side(str(folder), Settings(max_length=16)), examples=5, batch_size=7)
    context = Context(a=describe(side), plan=planned, b=describe(config.b))
    return planned, config, context


def _document(partial, context):
    document = finalize(partial, context)
    document.pop("timing")
    return document


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(1, len(ROWS) - 1), max_size=6, unique=True), order=st.randoms(use_true_random=False))
def test_any_split_in_any_order_gives_the_same_audit(model_factory, tmp_path_factory, cuts, order):
    global _CACHE
    folder = model_factory.bert()
    if "_CACHE" not in globals():
        planned, config, context = _setup(folder, tmp_path_factory)
        whole = audit_shard(planned.shards[0], config)
        _CACHE = (planned, config, context, _document(whole, context))
    planned, config, context, expected = _CACHE
    shard = planned.shards[0]
    bounds = [0, *sorted(cuts), len(ROWS)]
    partials = [audit_shard(replace(shard, start=lo, stop=hi), config) for lo, hi in zip(bounds, bounds[1:])]
    order.shuffle(partials)
    while len(partials) > 1:  # merge neighbours in a random grouping
        i = order.randrange(len(partials) - 1)
        partials[i:i + 2] = [partials[i].merge(partials[i + 1])]
    merged = partials[0].merge(empty(config.examples, with_b=True))
    assert _document(merged, context) == expected


def test_the_process_pool_gives_what_one_process_gives(model_factory, tmp_path_factory):
    planned, config, context = _setup(model_factory.bert(), tmp_path_factory)
    small = plan(list(planned.sources), Columns(label="label"), shard_rows=17)
    seen = []
    pooled = run_local(small.shards, config, workers=2, progress=lambda done, total: seen.append((done, total)))
    single = run_local(small.shards, config, workers=1)
    assert _document(pooled, context) == _document(single, context)
    assert seen[-1] == (len(ROWS), len(ROWS))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_live_updates_grow_to_the_final_audit(model_factory, tmp_path):
    from bertinspector.core.audit import AuditRequest, run_audit

    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    updates = []
    final = run_audit(AuditRequest(a=Side(str(model_factory.bert())), data=(str(path),), workers=1, shard_rows=30),
                      on_update=updates.append)
    assert [u["data"]["rows_read"] for u in updates] == [30, 60, 90]
    assert updates[-1]["length"] == final["length"] and updates[-1]["diagnostics"] == final["diagnostics"]


def test_sides_described_in_a_process_of_their_own_match_and_refuse_alike(model_factory, tmp_path_factory):
    """A window describes the sides in a process apart (its own process never loads the tokenizers): the same
    facts, and the same one line for settings the tokenizer refuses; a cancel ends that process."""
    from bertinspector.core.audit.engine import run_apart
    from bertinspector.core.audit.finalize import describe_sides
    from bertinspector.core.cancel import CancelToken
    from bertinspector.core.errors import Cancelled, InputError

    _planned, config, context = _setup(model_factory.bert(), tmp_path_factory)
    apart = run_apart(describe_sides, ((config.a, config.b), False), niceness=5)
    assert apart == [context.a, context.b]
    refused = replace(config.a, settings=Settings(max_length=10, stride=9))
    with pytest.raises(InputError) as here:
        describe(refused)
    with pytest.raises(InputError) as there:
        run_apart(describe_sides, ((refused,), False))
    assert str(there.value) == str(here.value) and "\n" not in str(there.value)
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        run_apart(describe_sides, ((config.a,), False), cancel=cancel)
