"""What the tokenizer's normalizer does to each character of the user's text."""

from __future__ import annotations

import itertools
import json
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
    table = np.full(int(codepoints.max()) + 1, -1, np.int8)  # kind by code point: one byte per character
    table[np.fromiter(kinds.keys(), np.int64, len(kinds))] = np.fromiter(kinds.values(), np.int8, len(kinds))
    kind_of = table[codepoints]
    del codepoints
    starts, ends, values = _runs(kind_of)
    names = [KINDS[v] for v in values.tolist()]
    return list(map(CharChange, starts.tolist(), ends.tolist(), names, itertools.repeat(segment, len(names))))


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, values) of the runs of equal values >= 0."""
    boundaries = np.flatnonzero(np.diff(values)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(values)]))
    run_values = values[starts]
    keep = run_values >= 0
    return starts[keep], ends[keep], run_values[keep]


def translate_table(normalizer, text: str) -> dict[int, str] | None:
    """``str.translate``'s table that normalizes ``text`` as ``normalizer`` does, character by character,
    or None for a normalizer whose output depends on the neighbours (Unicode composition, replacements)."""
    if normalizer is None or not _works_per_character(json.loads(normalizer.__getstate__())):
        return None
    return {ord(c): normalizer.normalize_str(c) for c in set(text)}


def _works_per_character(state: dict) -> bool:
    if state.get("type") == "Sequence":
        return all(_works_per_character(part) for part in state.get("normalizers", ()))
    return state.get("type") in ("BertNormalizer", "Lowercase", "StripAccents")
