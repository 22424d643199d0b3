"""The pure shard function: (shard, audit config) -> :class:`Partial`. It runs the same way in this
process, in a worker of the local process pool and in a Ray task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from bertinspector.core.audit import partial as partials
from bertinspector.core.audit.measure import Measurer, Side
from bertinspector.core.audit.readers import Shard, _has_surrogates, read_batches

_MEASURERS: dict[Side, Measurer] = {}


@dataclass(frozen=True)
class AuditConfig:
    """What every shard is measured with. Plain data: it pickles to worker processes and Ray tasks."""

    a: Side
    b: Side | None = None  # the same rows under another model and/or settings
    examples: int = 20  # rows kept per diagnostic and per worst-rows metric
    batch_size: int = 1000
    skip_bad_rows: bool = False
    per_example: bool = False  # also keep every example's figures (Partial.examples: a window's table)
    niceness: int = 0  # above 0: the local engine measures at this lower priority (a window's audit)


def measurer(side: Side) -> Measurer:
    """The :class:`Measurer` of ``side``, loaded once per process and then reused."""
    if side not in _MEASURERS:
        _MEASURERS[side] = Measurer(side)
    return _MEASURERS[side]


def audit_shard(shard: Shard, config: AuditConfig, cancel=None, progress: Callable[[int], None] | None = None) -> partials.Partial:
    """Measure every row of ``shard``. ``cancel``: anything with ``check()`` (raises
    :class:`~bertinspector.core.errors.Cancelled`), called between batches; ``progress(rows)`` is called
    after each batch with the rows it read."""
    a = measurer(config.a)
    b = measurer(config.b) if config.b is not None else None
    result = partials.empty(config.examples, with_b=b is not None)
    for batch in read_batches(shard, config.batch_size, config.skip_bad_rows):
        if cancel is not None:
            cancel.check()
        result.rows_read += batch.rows_read
        result.skipped += batch.skipped
        result.bad_rows += batch.bad_rows
        rows, texts, pairs, labels = _valid(batch, result)
        if texts:
            figures_a = a.measure(texts, pairs, spans=b is not None, previews=config.examples,
                                  above=result.a.entry_bars())
            result.a.add(rows, figures_a, labels)
            figures_b = changed = None
            if b is not None:
                figures_b = b.measure(texts, pairs, spans=True, previews=config.examples, above=result.b.entry_bars())
                result.b.add(rows, figures_b, labels)
                changed = _count_changed(result, rows, figures_a, figures_b, config.examples)
            if config.per_example:
                result.examples.append(partials.example_records(rows, figures_a, figures_b, changed, labels))
        if progress is not None:
            progress(batch.rows_read)
    return result


def _valid(batch, result: partials.Partial):
    """The batch without texts that hold invalid Unicode (lone surrogates), which are skipped and counted."""
    if _encodable("".join(batch.texts)) and (batch.pairs is None or _encodable("".join(p or "" for p in batch.pairs))):
        return batch.rows, batch.texts, batch.pairs, batch.labels
    keep = [i for i, t in enumerate(batch.texts) if _encodable(t) and (batch.pairs is None or _encodable(batch.pairs[i]))]
    result.skipped += len(batch.texts) - len(keep)
    pick = lambda values: None if values is None else [values[i] for i in keep]  # noqa: E731
    return batch.rows[keep], pick(batch.texts), pick(batch.pairs), pick(batch.labels)


def _encodable(text: str | None) -> bool:
    return text is None or text.isascii() or not _has_surrogates(text)


def _count_changed(result: partials.Partial, rows: np.ndarray, a, b, k: int) -> np.ndarray:
    """An example changed when B keeps another number of tokens, or its kept tokens cover other character
    spans, or other tokens are unknown."""
    changed = a.kept != b.kept
    for i in np.flatnonzero(~changed).tolist():
        changed[i] = not (np.array_equal(a.kept_spans[i], b.kept_spans[i])
                          and np.array_equal(a.unknown_spans[i], b.unknown_spans[i]))
    where = np.flatnonzero(changed)
    result.changed[0] += len(where)
    result.changed[1] = partials._first_rows(result.changed[1], rows[where[:k]].tolist(), k)
    return changed
