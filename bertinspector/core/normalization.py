"""What the tokenizer's normalizer does to each character of the user's text."""

from __future__ import annotations

import unicodedata

import numpy as np

from bertinspector.core.model import CharChange

KINDS = ("lowercased", "accent-stripped", "deleted", "changed")


def classify(char: str, normalized: str) -> str | None:
    """How normalization changed one character, or None when it kept it (spacing aside)."""
    if normalized == char or normalized.strip(" ") == char:
        return None
    if not normalized.strip():
        if char.isspace():
            return None
        return "accent-stripped" if unicodedata.category(char) == "Mn" else "deleted"
    if normalized == char.lower():
        return "lowercased"
    base = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
    if base != char and normalized in (base, base.lower()):
        return "accent-stripped"
    return "changed"


def changes(normalizer, text: str, segment: int) -> list[CharChange]:
    """Runs of characters of ``text`` that ``normalizer`` lowercased, stripped, deleted or changed.

    Each distinct character is normalized once on its own, so a 100,000-character text costs a few
    hundred normalizer calls plus numpy work.
    """
    if normalizer is None or not text:
        return []
    kinds = {}
    for char in set(text):
        kind = classify(char, normalizer.normalize_str(char))
        if kind is not None:
            kinds[ord(char)] = KINDS.index(kind)
    if not kinds:
        return []
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    lookup_keys = np.fromiter(kinds.keys(), dtype=np.uint32)
    lookup_values = np.fromiter(kinds.values(), dtype=np.int64)
    order = np.argsort(lookup_keys)
    lookup_keys, lookup_values = lookup_keys[order], lookup_values[order]
    where = np.searchsorted(lookup_keys, codepoints).clip(0, len(lookup_keys) - 1)
    kind_of = np.where(lookup_keys[where] == codepoints, lookup_values[where], -1)
    return [CharChange(start, end, KINDS[kind], segment) for start, end, kind in _runs(kind_of)]


def _runs(values: np.ndarray):
    """(start, end, value) for each run of equal values >= 0."""
    if not len(values):
        return
    boundaries = np.flatnonzero(np.diff(values)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(values)]))
    for start, end in zip(starts.tolist(), ends.tolist()):
        value = int(values[start])
        if value >= 0:
            yield start, end, value
