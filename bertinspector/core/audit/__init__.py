"""Auditing a whole dataset: how much of it the model never sees, what becomes unknown, where two datasets part.

The audit is a pure function from a *shard* (one file, one row range) to a *partial result*; partial
results merge associatively and a finalize step turns the merged result into the contract's
``bertinspector.audit/1`` dict. Nothing assumes one process: the local engine runs shards in a pool of
spawned processes, the window can run them in a helper process and draw partials as they arrive, and
a Ray engine runs the very same :func:`audit_shard` as Ray tasks.

Modules
-------
``readers``   sources -> :class:`DataFile` s -> :class:`Shard` s (:func:`plan`), and :func:`read_batches` (one
              shard streamed as :class:`Batch` es of global row numbers, texts, pairs, labels)
``measure``   :class:`Side` (model source + settings) and :class:`Measurer` (its tokenizer; per-example figures
              of a batch in vectorised numpy)
``shard``     :class:`AuditConfig` and :func:`audit_shard` (the pure shard function; one Measurer per side and
              process, cached)
``partial``   :class:`Partial` / :class:`Stats` and their associative ``merge``
``finalize``  :func:`describe` (a side's model, settings and model-level findings, computed once in the
              parent) and :func:`finalize` (merged partial -> JSON dict); ``skew`` the ``--against`` findings
``engine``    :func:`run_local` (process pool, progress, cancel); ``run`` :func:`run_audit` (all of it at once)
``ray_engine`` ``run_ray``: the same shards as Ray tasks (the ``cluster`` extra; Ray is imported only there)
``remote``    data behind a URI (``s3://``, ``gs://``, ``hf://``, ``file://``) through pyarrow / fsspec filesystems

Running one audit (what ``bertinspector audit`` does)::

    from bertinspector.core.audit import AuditRequest, Columns, Side, run_audit
    from bertinspector.core.model import Settings

    request = AuditRequest(a=Side("default", Settings(max_length=256)), data=("train.jsonl",),
                           columns=Columns(text="text", label="label"))
    document = run_audit(request, progress=lambda done, total: ..., cancel=token)

Running shards yourself (a helper process, a Ray task)::

    from bertinspector.core.audit import AuditConfig, Context, audit_shard, describe, finalize, merge_all, plan

    planned = plan(["data/"], Columns(text="text"))        # in the parent: files, row counts, columns, shards
    config = AuditConfig(a=Side("default"))                # plain frozen dataclasses: they pickle
    partials = [audit_shard(shard, config) for shard in planned.shards]   # anywhere, in any order
    merged = merge_all(partials, config.examples)          # or a.merge(b) as each one arrives
    document = finalize(merged, Context(a=describe(config.a), plan=planned))

- **Shards** (:class:`Shard`) carry their file (path, format, row count), the row range ``[start, stop)``,
  ``row_base`` (the global row number of the file's row 0) and the columns; ``shard.size`` is its
  progress weight. ``plan(..., shard_rows=N)`` sets the size (default 20,000 rows); ``limit``/``sample``
  (with ``seed``) cut the plan down, keeping the original global row numbers.
- **The shard function** :func:`audit_shard(shard, config, cancel=None, progress=None)` loads each
  side's tokenizer once per process (module-level cache) and returns a :class:`Partial`. It checks
  ``cancel.check()`` between batches (anything raising :class:`~bertinspector.core.errors.Cancelled`) and
  calls ``progress(rows)`` after each batch with the rows it read. It needs the data files at the same
  path or URI (a Ray cluster needs shared storage or an object store; ``.parquet.gz``/``.arrow.gz`` are
  decompressed into the parent's temporary ``workdir`` first). Errors are one-line :class:`~bertinspector.core.errors.BertInspectorError` s.
- **Partials** hold plain Python only (ints, Counters, lists); ``a.merge(b)`` returns a new partial and
  never mutates; merging in any order or grouping gives the same :func:`finalize` output (the tests
  check it). ``empty(k, with_b)`` is the neutral element. A partial merged so far can be finalized at
  any time: that is how a window shows live results. ``AuditConfig(per_example=True)`` also keeps every
  example's figures (``Partial.examples``: ``partial.EXAMPLE_DTYPE`` records of row, tokens, kept, unknown,
  dropped, finding flags, B's figures, label key), which the window's examples table shows.
- **Finalize** needs a :class:`Context`: the :class:`SideInfo` of A (and B) from :func:`describe` — which
  also validates the settings the way ``tokenizer(...)`` does — the :class:`Plan` (sources, columns), the
  against plan and the timing dict. ``finalize(merged, context, against=merged_against)``.
- **Progress and cancel** in the local engine: :func:`run_local(shards, config, workers=, progress=,
  cancel=, on_partial=)`; ``progress(done_rows, total_rows)`` arrives from the workers through a queue,
  ``cancel`` is a :class:`~bertinspector.core.cancel.CancelToken` (the workers see it within one batch and
  the pool is terminated), ``on_partial(merged)`` after each shard. ``TOKENIZERS_PARALLELISM`` is set to
  ``false`` for the workers (the pool is the parallelism) and the pool uses the ``spawn`` context, so no
  process forks after a tokenizer ran. ``workers=1`` runs in the calling process.
"""

from bertinspector.core.audit.engine import default_workers, run_local
from bertinspector.core.audit.finalize import SCHEMA, Context, SideInfo, describe, finalize
from bertinspector.core.audit.measure import Measurer, Side
from bertinspector.core.audit.partial import Partial, Stats, empty, merge_all
from bertinspector.core.audit.readers import Batch, Columns, DataError, DataFile, Plan, Shard, plan, read_batches
from bertinspector.core.audit.run import AuditRequest, run_audit
from bertinspector.core.audit.shard import AuditConfig, audit_shard

__all__ = [
    "SCHEMA", "AuditConfig", "AuditRequest", "Batch", "Columns", "Context", "DataError", "DataFile", "Measurer",
    "Partial", "Plan", "Shard", "Side", "SideInfo", "Stats", "audit_shard", "default_workers", "describe", "empty",
    "finalize", "merge_all", "plan", "read_batches", "run_audit", "run_local",
]
