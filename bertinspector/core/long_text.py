"""Encoding a long single text in pieces: the same tokens as one encoding, in bounded memory.

One Rust encoding of a 50 MB text holds ~600 bytes per token (10 million tokens: 6 GB) and runs on
one core. When the tokenizer's normalizer works character by character and its pre-tokenizer splits
at every space (the WordPiece family: BERT, DistilBERT, MiniLM, ELECTRA...), a space followed by an
ASCII letter or digit is a boundary no token crosses, so the text is cut there into pieces of
about :data:`PIECE_CHARS` characters, a few pieces are encoded at once (``encode_batch`` spreads them
over the cores), and each encoding is turned into numpy columns and dropped. The special tokens of the
template are put around the result as the post-processor would. Other tokenizers get one encoding.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import numpy as np

from bertinspector.core import normalization

PIECE_CHARS = 1 << 17  # small pieces: the Rust encodings in flight stay small (memory peak, not speed)
_PER_CHAR_NORMALIZERS = {"BertNormalizer", "Lowercase", "NFC", "NFD", "NFKC", "NFKD", "StripAccents"}
_SPLITTING_PRE_TOKENIZERS = {"BertPreTokenizer", "Whitespace", "WhitespaceSplit"}
_BOUNDARY = re.compile(r"[ \n](?=[A-Za-z0-9])")


@dataclass(frozen=True)
class Columns:
    """An encoding as numpy columns, with the attributes of a ``tokenizers.Encoding`` the engine reads
    (``sequence_ids`` and ``word_ids`` hold -1 where the encoding has None; int32, half the memory)."""

    ids: np.ndarray
    offsets: np.ndarray  # (n, 2)
    special_tokens_mask: np.ndarray
    sequence_ids: np.ndarray
    word_ids: np.ndarray
    type_ids: np.ndarray


def splits_safely(backend) -> bool:
    """Whether pieces cut at a space before an ASCII letter or digit encode as the whole text does."""
    state = json.loads(backend.to_str())
    return (_kinds(state.get("normalizer")) <= _PER_CHAR_NORMALIZERS
            and bool(_kinds(state.get("pre_tokenizer")))
            and _kinds(state.get("pre_tokenizer")) <= _SPLITTING_PRE_TOKENIZERS
            and not any(" " in token["content"] or "\n" in token["content"] for token in state.get("added_tokens", ())))


def _kinds(component) -> set[str]:
    if component is None:
        return set()
    parts = component.get("normalizers") or component.get("pretokenizers")
    return set().union(*(_kinds(p) for p in parts)) if parts else {component["type"]}


def pieces(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of about ``size`` (:data:`PIECE_CHARS`) characters, cut after a
    safe boundary."""
    size = size or PIECE_CHARS
    bounds, start = [], 0
    while len(text) - start > size:
        match = _BOUNDARY.search(text, start + size)
        if match is None:
            break
        bounds.append((start, match.end()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def encode(backend, text: str, add_special_tokens: bool) -> Columns:
    """The columns of ``backend.encode(text, add_special_tokens=...)``, encoded piece by piece."""
    batch = max(1, os.cpu_count() or 1)  # pieces per encode_batch call: one per core
    spans = pieces(text)
    parts, words = [], 0  # the columns of each piece; the Rust encodings are dropped batch by batch
    for first in range(0, len(spans), batch):
        group = spans[first:first + batch]
        encodings = backend.encode_batch([text[a:b] for a, b in group], add_special_tokens=False)
        for encoding, (start, _) in zip(encodings, group):
            part = _columns(encoding, start, words)
            words = max(words, int(part.word_ids.max(initial=words - 1)) + 1)
            parts.append(part)
        del encodings
    if add_special_tokens:
        parts = _template_parts(backend, parts)
    columns = {name: [getattr(p, name) for p in parts] for name in Columns.__dataclass_fields__}
    del parts
    # one column at a time, so that the pieces and the whole coexist for one column only
    return Columns(**{name: np.concatenate(columns.pop(name)) for name in list(columns)})


def normalize(normalizer, text: str, safe: bool) -> str:
    """``normalizer.normalize_str(text)``, piece by piece when the pieces normalize independently."""
    if normalizer is None:
        return text
    if not safe or len(text) <= PIECE_CHARS:
        return normalizer.normalize_str(text)
    table = normalization.translate_table(normalizer, text)
    if table is not None:  # a per-character normalizer: each distinct character once, then str.translate
        return text.translate(table)
    return "".join(normalizer.normalize_str(text[a:b]) for a, b in pieces(text))


def _columns(encoding, char_offset: int, first_word: int) -> Columns:
    n = len(encoding.ids)
    offsets = np.asarray(encoding.offsets, dtype=np.int32).reshape(n, 2)
    if char_offset:
        offsets = offsets + char_offset
    return Columns(
        ids=np.asarray(encoding.ids, dtype=np.int32), offsets=offsets,
        special_tokens_mask=np.asarray(encoding.special_tokens_mask, dtype=bool),
        sequence_ids=np.zeros(n, np.int32),
        word_ids=np.fromiter((-1 if w is None else w + first_word for w in encoding.word_ids), np.int32, n),
        type_ids=np.asarray(encoding.type_ids, dtype=np.int32),
    )


def _template_parts(backend, parts: list[Columns]) -> list[Columns]:
    """The special tokens the post-processor puts before and after a single text, around ``parts``."""
    probe = backend.encode_batch(["a"], add_special_tokens=True)[0]
    inside = [i for i, s in enumerate(probe.sequence_ids) if s is not None]
    head, tail = slice(0, inside[0]), slice(inside[-1] + 1, len(probe.ids))

    def specials(where: slice) -> Columns:
        n = len(probe.ids[where])
        return Columns(
            ids=np.asarray(probe.ids[where], np.int32), offsets=np.zeros((n, 2), np.int32),
            special_tokens_mask=np.ones(n, bool), sequence_ids=np.full(n, -1, np.int32),
            word_ids=np.full(n, -1, np.int32), type_ids=np.asarray(probe.type_ids[where], np.int32),
        )

    return [specials(head), *parts, specials(tail)]
