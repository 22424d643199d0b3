"""Tokens a person can read, on every tokenizer family.

The raw token strings are what the model's vocabulary holds, and they read badly outside WordPiece:
a byte-level BPE (RoBERTa, GPT-2, ModernBERT) writes a space as ``Ġ`` and an emoji as ``ðŁĺĢ``, often
cut over two tokens; a SentencePiece model (XLM-R, ALBERT, DeBERTa-v2, CamemBERT) starts words with
``▁`` and may fall back to single bytes (``<0xF0>``). :func:`readable` gives each token of an
inspection a label to show instead:

* a byte-level piece shows the text its bytes stand for; a leading space becomes the word-start mark
  :data:`WORD_START`;
* a SentencePiece ``▁`` becomes the same word-start mark;
* a character whose bytes are spread over several tokens is shown once, on the token that holds its
  first byte; the other tokens of it show :data:`SPLIT_REST`; all of them are flagged ``split``;
* a byte-fallback piece keeps its ``<0xF0>`` label, and the character its bytes belong to is given as
  the token's ``note`` (on the token holding the character's first byte);
* special and added tokens, WordPiece pieces and anything that is not a vocabulary piece keep their
  string.

The raw strings stay what the contract exports (``Tokens.strings``); this is for display only.
Labels are worked out once per distinct token id (cached per piece), so the keystroke path pays one
``np.unique`` and a few lookups; only tokens that carry part of a character are walked one by one.
"""

from __future__ import annotations

import functools
import re
import weakref
from dataclasses import dataclass

import numpy as np

WORD_START = "\u2581"  # ▁ — the mark a person reads as "a new word starts here"
SPLIT_REST = "\u22ef"  # ⋯ — the rest of a character shown on an earlier token
_BYTE_FALLBACK = re.compile(r"<0x([0-9A-Fa-f]{2})>")
_CONTINUATION = 0x80  # UTF-8 continuation bytes are 0b10xxxxxx

# piece kinds
_TEXT, _BYTES, _FALLBACK = 0, 1, 2


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet backwards: the character that stands for each byte -> the byte."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars = dict(zip(printable, printable))
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = 256 + extra
            extra += 1
    return {chr(c): b for b, c in chars.items()}


_BYTE_OF = _byte_decoder()
_AS_IS = (_TEXT, "", False, True, b"")  # a special or unknown token: its own string


@dataclass(frozen=True, eq=False)
class ReadableTokens:
    """A display label per token, and what a person should know about it.

    ``labels[i]`` is what to show for token ``i`` (the word-start mark included); ``word_start`` marks
    tokens whose piece starts with the vocabulary's word-start marker (``Ġ``, ``▁``); ``split`` marks
    tokens that hold part of a character spread over several tokens; ``notes`` gives, for byte-fallback
    tokens, the character(s) their bytes belong to (``{position: text}``).
    """

    scheme: str  # "byte-level" | "sentencepiece" | "wordpiece" | "plain"
    labels: tuple[str, ...]
    word_start: np.ndarray
    split: np.ndarray
    notes: dict[int, str]

    def __len__(self) -> int:
        return len(self.labels)


def scheme_of(facts) -> str:
    """How the vocabulary writes its pieces, from the model facts: byte-level BPE, SentencePiece, WordPiece."""
    pre = getattr(facts, "pre_tokenizer", None) or ""
    model = getattr(facts, "tokenizer_model", None)
    if "ByteLevel" in pre:
        return "byte-level"
    if model == "WordPiece":
        return "wordpiece"
    if model in ("Unigram", "BPE") or "Metaspace" in pre:
        return "sentencepiece"
    return "plain"


def special_token(facts, roles: tuple[str, ...], default: str) -> str:
    """The model's own special token for the first of ``roles`` it has ("cls", "bos"…), else ``default``."""
    specials = getattr(facts, "special_tokens", None) or {}
    return next((specials[role][0] for role in roles if role in specials), default)


def first_and_separator(facts) -> tuple[str, str]:
    """The model's opening and separating tokens: ``[CLS]``/``[SEP]`` on BERT, ``<s>``/``</s>`` on RoBERTa."""
    return special_token(facts, ("cls", "bos"), "[CLS]"), special_token(facts, ("sep", "eos"), "[SEP]")


_READ: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # inspection -> its ReadableTokens


def readable(inspection, n: int | None = None) -> ReadableTokens:
    """The readable labels of the first ``n`` tokens of ``inspection`` (all by default, kept while the
    inspection lives, so the token view, the reports and the compare view work them out once)."""
    tokens = inspection.tokens
    if n is None or n >= len(tokens):
        found = _READ.get(inspection)
        if found is None:
            found = _READ[inspection] = readable_run(inspection, 0, len(tokens))
        return found
    return readable_run(inspection, 0, n)


def readable_run(inspection, start: int, stop: int) -> ReadableTokens:
    """The readable labels of tokens ``start`` to ``stop`` of ``inspection`` alone (not kept)."""
    tokens, part = inspection.tokens, slice(start, stop)
    unk_token = (getattr(inspection.facts, "special_tokens", None) or {}).get("unk", (None,))[0]
    return readable_pieces(scheme_of(inspection.facts), tokens.strings[part], tokens.ids[part],
                           tokens.special[part], tokens.unk[part], unk_token)


def readable_pieces(scheme: str, strings, ids, special, unk, unk_token: str | None = None) -> ReadableTokens:
    """:func:`readable` for raw pieces: their strings, ids and special / unknown flags.

    Special tokens keep their string; an unknown token reads as the model's unknown token
    (``unk_token``; a SentencePiece encoding gives the text behind it as its string instead).
    """
    n = len(strings)
    unk = np.asarray(unk, dtype=bool)[:n]
    as_is = np.asarray(special, dtype=bool)[:n] | unk
    empty = np.zeros(n, bool)
    if scheme in ("wordpiece", "plain") or n == 0:
        labels = list(strings)
        for i in np.flatnonzero(unk).tolist() if unk_token else ():
            labels[i] = unk_token
        return ReadableTokens(scheme, tuple(labels), empty, empty.copy(), {})
    # one look-up per distinct id: a vocabulary piece's reading follows from its string alone
    keys = np.where(as_is, -1, np.asarray(ids, dtype=np.int64)[:n])
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    facts = [_AS_IS if key < 0 else _piece(scheme, strings[i]) for key, i in zip(unique.tolist(), first.tolist())]
    kinds = np.fromiter((f[0] for f in facts), np.int8, len(facts))[inverse]
    word_start = np.fromiter((f[2] for f in facts), bool, len(facts))[inverse]
    complete = np.fromiter((f[3] for f in facts), bool, len(facts))[inverse]
    unique_labels = [f[1] for f in facts]
    labels = [unique_labels[k] for k in inverse.tolist()]
    for i in np.flatnonzero(as_is).tolist():
        labels[i] = unk_token if unk[i] and unk_token else strings[i]
    split = np.zeros(n, bool)
    notes: dict[int, str] = {}
    pieces = dict(zip(unique.tolist(), facts))
    # byte fallback of a whole character (one byte): the character it stands for
    for i in np.flatnonzero((kinds == _FALLBACK) & complete).tolist():
        notes[i] = pieces[int(keys[i])][4].decode("utf-8", "replace")
    # pieces that hold part of a character: walk each run of them once
    partial = np.flatnonzero((kinds != _TEXT) & ~complete)
    if len(partial):
        _read_partial(partial, keys, pieces, labels, notes)
        split[partial] = True
    return ReadableTokens(scheme, tuple(labels), word_start, split, notes)


def _read_partial(partial: np.ndarray, keys: np.ndarray, pieces: dict, labels: list, notes: dict) -> None:
    """Tokens ``partial`` hold parts of characters: show each character on the token holding its first byte.

    Their bytes are decoded as one stream (runs of consecutive tokens hold whole characters between them);
    each token shows the characters that start in it, after :data:`SPLIT_REST` when it begins with the
    rest of an earlier one.
    """
    raws = [pieces[k][4] for k in keys[partial].tolist()]
    data = b"".join(raws)
    sizes = np.fromiter(map(len, raws), np.int64, len(raws))
    hi = np.cumsum(sizes)
    lo = hi - sizes
    starts = np.append(np.flatnonzero(np.frombuffer(data, np.uint8) & 0xC0 != _CONTINUATION), len(data))
    first = np.searchsorted(starts, lo)  # the first character starting in each token
    past = np.searchsorted(starts, hi)  # the first character starting after it
    decoded = data.decode("utf-8", "replace")
    if len(decoded) != len(starts) - 1:  # not UTF-8 (ids pasted at random): decode token by token
        texts = [data[starts[a]:starts[b]].decode("utf-8", "replace") if a < b else ""
                 for a, b in zip(first.tolist(), past.tolist())]
    else:
        texts = [decoded[a:b] for a, b in zip(first.tolist(), past.tolist())]
    mid = (starts[first] > lo).tolist()  # begins with the rest of a character
    for i, key, text, rest in zip(partial.tolist(), keys[partial].tolist(), texts, mid):
        kind, _label, word_start = pieces[key][:3]
        if kind == _FALLBACK:
            if text:
                notes[i] = text
        elif word_start:  # starts with a space: a new character
            labels[i] = WORD_START + text[1:]
        else:
            labels[i] = (SPLIT_REST + text) if rest else text


def read_piece(scheme: str, piece: str) -> str:
    """What one vocabulary piece reads as on its own (a model's predicted token, say)."""
    return _piece(scheme, piece)[1] if scheme in ("byte-level", "sentencepiece") else piece


def piece_bytes(scheme: str, piece: str) -> bytes | None:
    """The bytes a byte-level or byte-fallback piece stands for (None for any other piece)."""
    kind, *_rest, raw = _piece(scheme, piece) if scheme in ("byte-level", "sentencepiece") else (_TEXT, b"")
    return raw if kind != _TEXT else None


@functools.lru_cache(maxsize=1 << 16)
def _piece(scheme: str, piece: str) -> tuple:
    """(kind, label, word_start, complete, bytes) of one vocabulary piece.

    ``complete``: the piece's bytes are whole UTF-8 characters; ``bytes`` are kept for pieces that
    stand for bytes (byte-level pieces, byte fallback), so a run of partial pieces can be decoded.
    """
    if scheme == "byte-level":
        try:
            raw = bytes(_BYTE_OF[c] for c in piece)
        except KeyError:  # an added token, stored as its own text
            return _TEXT, piece, False, True, b""
        word_start = raw.startswith(b" ")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _BYTES, piece, word_start, False, raw
        body = text[1:] if word_start else text
        return _BYTES, (WORD_START + body) if word_start else body, word_start, True, raw
    match = _BYTE_FALLBACK.fullmatch(piece)
    if match:
        raw = bytes([int(match.group(1), 16)])
        return _FALLBACK, piece, False, raw[0] < _CONTINUATION, raw
    word_start = piece.startswith(WORD_START)
    body = (piece[1:] if word_start else piece).replace(WORD_START, " ")
    return _TEXT, (WORD_START + body) if word_start else body, word_start, True, b""
