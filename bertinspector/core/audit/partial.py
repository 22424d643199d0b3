"""Partial results of an audit: what a shard found, in a form that merges associatively.

Everything in a :class:`Partial` is a sum, a count table or a bounded list ordered by a total order
(value descending, then global row ascending), so ``merge(merge(a, b), c) == merge(a, merge(b, c))`` and
the order of the shards does not matter: any split of the rows gives the same :func:`finalize` output.
Partials hold plain Python (ints, dicts, lists): they pickle small and travel between processes.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from bertinspector.core.audit.measure import METRICS, TEXT_CODES, Figures

MAX_LABELS = 10_000  # distinct labels kept per partial; more fold into OTHER_LABEL
OTHER_LABEL = "(other labels)"
# one record per example, for a window's table (``AuditConfig(per_example=True)``); ``flags`` bit i = TEXT_CODES[i]
EXAMPLE_DTYPE = np.dtype([("row", np.int64), ("tokens", np.int32), ("kept", np.int32), ("unknown", np.int32),
                          ("dropped", np.int32), ("flags", np.uint16), ("kept_b", np.int32), ("unknown_b", np.int32),
                          ("changed", np.bool_), ("label", np.uint32)])


def label_key(label: str) -> int:
    """A label's number in :data:`EXAMPLE_DTYPE` records (CRC-32 of its UTF-8: the same in every shard)."""
    return zlib.crc32(label.encode("utf-8", "surrogatepass"))


def example_records(rows: np.ndarray, a: Figures, b: Figures | None = None, changed: np.ndarray | None = None,
                    labels: list[str] | None = None) -> np.ndarray:
    """The :data:`EXAMPLE_DTYPE` records of one measured batch (B's figures and the changed mask when skewed,
    each label's :func:`label_key`)."""
    records = np.zeros(len(rows), EXAMPLE_DTYPE)
    if labels is not None:
        records["label"] = [label_key(label) for label in labels]
    records["row"], records["tokens"], records["kept"] = rows, a.total, a.kept
    records["unknown"], records["dropped"] = a.unknown, a.dropped
    flags = np.zeros(len(rows), np.uint16)
    for bit, code in enumerate(TEXT_CODES):
        if code in a.codes:
            flags |= a.codes[code].astype(np.uint16) << bit
    records["flags"] = flags
    records["kept_b"], records["unknown_b"] = (b.kept, b.unknown) if b is not None else (-1, -1)
    if changed is not None:
        records["changed"] = changed
    return records


def _first_rows(rows: list[int], more, k: int) -> list[int]:
    return sorted(set(rows).union(more))[:k]


def _top(entries: list, more: list, k: int) -> list:
    """The ``k`` entries with the highest value, ties by the lowest row: ``[value, row, preview]``."""
    return sorted([*entries, *more], key=lambda e: (-e[0], e[1]))[:k]


@dataclass
class Stats:
    """The figures of one dataset under one side (model + settings)."""

    k: int = 20
    examples: int = 0
    lengths: Counter = field(default_factory=Counter)  # tokens_total -> examples
    tokens_total: int = 0
    tokens_kept: int = 0
    examples_cut: int = 0
    unknown_examples: int = 0
    unknown_tokens: int = 0
    unknown_texts: Counter = field(default_factory=Counter)
    dropped_examples: int = 0
    dropped_characters: int = 0
    dropped_chars: Counter = field(default_factory=Counter)
    chars: Counter = field(default_factory=Counter)
    words: int = 0
    word_tokens: int = 0
    single_token_words: int = 0
    codes: dict = field(default_factory=dict)  # code -> [examples, first rows]
    worst: dict = field(default_factory=lambda: {m: [] for m in METRICS})  # metric -> [[value, row, preview]]
    slices: dict = field(default_factory=dict)  # label -> [examples, cut, unknown tokens, tokens]

    def add(self, rows: np.ndarray, figures: Figures, labels: list[str] | None = None) -> None:
        """Count one measured batch (``rows``: the examples' global row numbers)."""
        k = self.k
        total, kept, unknown = figures.total, figures.kept, figures.unknown
        cut = kept < total
        self.examples += len(rows)
        values, counts = np.unique(total, return_counts=True)
        self.lengths.update(dict(zip(values.tolist(), counts.tolist())))
        self.tokens_total += int(total.sum())
        self.tokens_kept += int(kept.sum())
        self.examples_cut += int(cut.sum())
        self.unknown_examples += int((unknown > 0).sum())
        self.unknown_tokens += int(unknown.sum())
        self.unknown_texts.update(figures.unknown_texts)
        self.dropped_examples += int((figures.dropped > 0).sum())
        self.dropped_characters += int(figures.dropped.sum())
        self.dropped_chars.update(figures.dropped_chars)
        self.chars.update(figures.chars)
        self.words += figures.words
        self.word_tokens += figures.word_tokens
        self.single_token_words += figures.single_token_words
        for code, hits in figures.codes.items():
            where = np.flatnonzero(hits)
            if len(where):
                entry = self.codes.setdefault(code, [0, []])
                entry[0] += len(where)
                entry[1] = _first_rows(entry[1], rows[where[:k]].tolist(), k)
        for metric, value in (("tokens_lost", total - kept), ("unknown", unknown), ("tokens_total", total)):
            candidates = [[int(value[i]), int(rows[i]), figures.previews.get(int(i))]
                          for i in np.argsort(-value, kind="stable")[:k] if value[i] > 0]
            self.worst[metric] = _top(self.worst[metric], candidates, k)
        if labels is not None:
            for i, label in enumerate(labels):
                if label not in self.slices and len(self.slices) >= MAX_LABELS:
                    label = OTHER_LABEL
                entry = self.slices.setdefault(label, [0, 0, 0, 0])
                entry[0] += 1
                entry[1] += int(cut[i])
                entry[2] += int(unknown[i])
                entry[3] += int(total[i])

    def entry_bars(self) -> dict[str, int]:
        """Per metric, the value a row needs to enter the full worst list (0 while it has room)."""
        return {m: entries[-1][0] if len(entries) >= self.k else 0 for m, entries in self.worst.items()}

    def merge(self, other: "Stats") -> "Stats":
        """A new :class:`Stats` counting both."""
        k = min(self.k, other.k)
        merged = Stats(k=k)
        for name in ("examples", "tokens_total", "tokens_kept", "examples_cut", "unknown_examples", "unknown_tokens",
                     "dropped_examples", "dropped_characters", "words", "word_tokens", "single_token_words"):
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        for name in ("lengths", "unknown_texts", "dropped_chars", "chars"):
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        for code in self.codes.keys() | other.codes.keys():
            a, b = self.codes.get(code, [0, []]), other.codes.get(code, [0, []])
            merged.codes[code] = [a[0] + b[0], _first_rows(a[1], b[1], k)]
        merged.worst = {m: _top(self.worst[m], other.worst[m], k) for m in METRICS}
        merged.slices = {label: list(entry) for label, entry in self.slices.items()}
        for label, entry in other.slices.items():
            if label not in merged.slices and len(merged.slices) >= MAX_LABELS:
                label = OTHER_LABEL
            mine = merged.slices.setdefault(label, [0, 0, 0, 0])
            for i, value in enumerate(entry):
                mine[i] += value
        return merged


@dataclass
class Partial:
    """What one shard (or several, merged) found: the rows read, side A, and B when the skew asks for it."""

    a: Stats
    b: Stats | None = None
    rows_read: int = 0
    skipped: int = 0
    bad_rows: int = 0
    changed: list = field(default_factory=lambda: [0, []])  # examples B changed, their first rows
    examples: list = field(default_factory=list)  # EXAMPLE_DTYPE arrays, one per batch (only with per_example)

    def merge(self, other: "Partial") -> "Partial":
        k = min(self.a.k, other.a.k)
        return Partial(
            a=self.a.merge(other.a),
            b=self.b.merge(other.b) if self.b is not None and other.b is not None else (self.b or other.b),
            rows_read=self.rows_read + other.rows_read, skipped=self.skipped + other.skipped,
            bad_rows=self.bad_rows + other.bad_rows,
            changed=[self.changed[0] + other.changed[0], _first_rows(self.changed[1], other.changed[1], k)],
            examples=self.examples + other.examples,
        )


def empty(k: int = 20, with_b: bool = False) -> Partial:
    """The neutral partial: merging with it changes nothing."""
    return Partial(a=Stats(k=k), b=Stats(k=k) if with_b else None)


def merge_all(partials, k: int = 20, with_b: bool = False) -> Partial:
    result = empty(k, with_b)
    for partial in partials:
        result = result.merge(partial)
    return result
