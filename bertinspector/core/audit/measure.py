"""Per-example figures of a batch of texts under one model and settings, in vectorised numpy.

One batched Rust ``encode_batch`` per batch gives the untruncated encodings; their ids, special-token
masks and word ids are flattened into numpy arrays and every per-example figure is a reduction over
them (``np.bincount`` by example). Characters are classified once per distinct character (the
normalizer's view of it, as :mod:`bertinspector.core.normalization` does) and looked up in a table.
Offsets are read only for the few examples that need them: unknown tokens, candidates for dropped
characters or special-token text, and the worst rows' previews. Every figure equals what a plain
``tokenizer(text[, pair], ...)`` call with the same settings gives (the tests check each one).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from bertinspector.core import diagnostics, normalization
from bertinspector.core.errors import InputError, first_line
from bertinspector.core.model import Settings

# codes that depend on the example (counted per example); every other code is about the model
TEXT_CODES = ("sequence-truncated", "exceeds-model-max-length", "missing-special-tokens",
              "special-token-text-not-special", "unknown-tokens", "case-mismatch", "accents-stripped",
              "characters-dropped", "word-too-long", "token-id-out-of-range", "token-type-out-of-range",
              "pair-segments-missing")
METRICS = ("tokens_lost", "unknown", "tokens_total")
PREVIEW_CHARS = 240
_KNOWN, _DELETED, _ACCENT, _UPPER, _MARK = 1, 2, 4, 8, 16
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Side:
    """One model with its settings: what the rows are encoded with (A, or B for the skew)."""

    source: str
    settings: Settings = Settings()
    trust_remote_code: bool = False
    swap_pair: bool = False  # B encodes (pair, text)


@dataclass
class Figures:
    """Per-example figures of one batch (arrays of the batch's length) and its counters."""

    total: np.ndarray
    kept: np.ndarray
    unknown: np.ndarray
    dropped: np.ndarray
    codes: dict[str, np.ndarray]  # code -> bool per example
    unknown_texts: Counter
    dropped_chars: Counter
    chars: Counter  # every character of the texts (and pairs), for the skew findings
    words: int
    word_tokens: int  # non-special tokens
    single_token_words: int
    previews: dict[int, dict]  # batch index -> {"preview", "start", "cut_char", "unknown_spans"}
    kept_spans: list | None = None  # per example: (segments, starts, ends) of kept text tokens (for the B side)
    unknown_spans: list | None = None
    extra: dict = field(default_factory=dict)


def _backend(tokenizer):
    """A private copy of the Rust tokenizer without the padding/truncation tokenizer.json may carry
    (plain ``tokenizer(...)`` calls switch them off too)."""
    from tokenizers import Tokenizer

    backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
    backend.no_padding()
    backend.no_truncation()
    return backend


class Measurer:
    """The tokenizer of one :class:`Side`, ready to measure batches (built once per worker process)."""

    def __init__(self, side: Side):
        from bertinspector.core.inspector import Inspector

        self.side = side
        self.inspector = inspector = Inspector.open(side.source, trust_remote_code=side.trust_remote_code)
        settings = self.settings = side.settings
        tokenizer = self.tokenizer = inspector.tokenizer(settings.lowercase)
        self.full = _backend(tokenizer)
        self.max_length = inspector.effective_max_length(settings)
        self.truncating = self.max_length is not None and settings.truncation != "none"
        self.cut = _backend(tokenizer)
        if self.truncating:
            self.cut.enable_truncation(self.max_length, stride=0, strategy=settings.truncation,
                                       direction=getattr(tokenizer, "truncation_side", "right"))
        self.unk_id = tokenizer.unk_token_id
        facts = self.facts = inspector.facts
        self.limit = diagnostics.model_limit(inspector)
        expected = inspector.expected_specials
        self.expected_ids = None if expected is None else tuple(tokenizer.convert_tokens_to_ids(t) for t in expected)
        self.check_case = facts.cased_vocab is not None and facts.cased_vocab == inspector.lowercase_applied(settings.lowercase)
        self.special_pattern = inspector.special_text_pattern
        self.normalizer = tokenizer.backend_tokenizer.normalizer
        self.with_type_ids = "token_type_ids" in tokenizer.model_input_names
        # only WordPiece (an [UNK] for any word) and byte-level BPE cover every character they keep
        self.covers_all = facts.tokenizer_model == "WordPiece" or "ByteLevel" in (facts.pre_tokenizer or "")
        self._flags = np.zeros(0x110000, np.uint8)

    # -- characters ------------------------------------------------------------------------------

    def _char_flags(self, codepoints: np.ndarray, distinct: np.ndarray) -> np.ndarray:
        unknown = distinct[(self._flags[distinct] & _KNOWN) == 0]
        for cp in unknown.tolist():
            char = chr(cp)
            kind = normalization.classify(char, self.normalizer.normalize_str(char)) if self.normalizer else None
            flag = _KNOWN | (_DELETED if kind == "deleted" else 0) | (_ACCENT if kind == "accent-stripped" else 0)
            if char.lower() != char and _WORD_CHAR.match(char):
                flag |= _UPPER
            if unicodedata.category(char) == "Mn":
                flag |= _MARK
            self._flags[cp] = flag
        return self._flags[codepoints]

    def _characters(self, texts: list[str], chars: Counter) -> "_Chars":
        """The characters of ``texts`` classified (counted into ``chars``), with per-example flags."""
        n = len(texts)
        lengths = np.fromiter(map(len, texts), np.int64, n)
        codepoints = np.frombuffer("".join(texts).encode("utf-32-le"), np.uint32)
        if len(codepoints) == 0:
            return _Chars(n)
        if int(codepoints.max()) < 0x30000:
            counts = np.bincount(codepoints)
            distinct = np.flatnonzero(counts)
            counts = counts[distinct]
        else:
            distinct, counts = np.unique(codepoints, return_counts=True)
        chars.update(dict(zip(map(chr, distinct.tolist()), counts.tolist())))
        flags = self._char_flags(codepoints, distinct)
        if not (self._flags[distinct] & (_DELETED | _ACCENT | _UPPER)).any():
            return _Chars(n)
        return _Chars(n, codepoints, np.repeat(np.arange(n), lengths), flags)

    def _deleted_runs(self, text: str) -> list[tuple[int, int]]:
        """Runs of characters the normalizer deletes (as :func:`normalization.changes` finds them)."""
        codepoints = np.frombuffer(text.encode("utf-32-le"), np.uint32)
        deleted = (self._flags[codepoints] & _DELETED) != 0
        edges = np.flatnonzero(np.diff(np.concatenate(([0], deleted.astype(np.int8), [0]))))
        return list(zip(edges[::2].tolist(), edges[1::2].tolist()))

    # -- one batch -------------------------------------------------------------------------------

    def measure(self, texts: list[str], pairs: list[str | None] | None = None, *, spans: bool = False,
                previews: int = 0, above: dict[str, int] | None = None) -> Figures:
        """Figures of the examples ``texts`` (with ``pairs``); ``spans`` keeps each example's kept and
        unknown token spans (for comparing with another side); ``previews``: how many of the worst rows
        per metric get a preview, of those whose value reaches ``above[metric]`` (the worst lists' entry bar)."""
        if pairs is not None:
            pairs = [p if p else None for p in pairs]  # tokenizer(text, "") encodes the text alone
            if not any(p is not None for p in pairs):
                pairs = None
        if self.side.swap_pair and pairs is not None:
            texts, pairs = [p if p is not None else t for t, p in zip(texts, pairs)], \
                [t if p is not None else None for t, p in zip(texts, pairs)]
        inputs = texts if pairs is None else [t if p is None else (t, p) for t, p in zip(texts, pairs)]
        add_special = self.settings.add_special_tokens
        encodings = self.full.encode_batch(inputs, add_special_tokens=add_special)
        n = len(encodings)
        total = np.fromiter(map(len, encodings), np.int64, n)
        chain = itertools.chain.from_iterable
        ids = np.fromiter(chain(e.ids for e in encodings), np.int64, int(total.sum()))
        special = np.fromiter(chain(e.special_tokens_mask for e in encodings), np.bool_, len(ids))
        example = np.repeat(np.arange(n), total)
        firsts = np.cumsum(total) - total

        kept = self._kept(inputs, pairs, total)
        unk = (ids == self.unk_id) & ~special if self.unk_id is not None else np.zeros(len(ids), bool)
        unknown = np.bincount(example[unk], minlength=n)

        chars: Counter = Counter()
        text_chars = self._characters(texts, chars)
        deleted, accent, upper = text_chars.count(_DELETED) > 0, text_chars.count(_ACCENT) > 0, text_chars.count(_UPPER) > 0
        pair_deleted = np.zeros(n, bool)
        if pairs is not None:
            present = [p for p in pairs if p is not None]
            where = np.flatnonzero([p is not None for p in pairs])
            pair_deleted[where] = self._characters(present, chars).count(_DELETED) > 0

        words, word_tokens, single = self._words(encodings, special, example, pairs is not None)
        codes: dict[str, np.ndarray] = {}
        if self.truncating:
            codes["sequence-truncated"] = kept < total
        if self.limit is not None:
            codes["exceeds-model-max-length"] = kept > self.limit
        if self.expected_ids is not None:
            has = total > 0
            first = np.where(has, ids[np.minimum(firsts, max(len(ids) - 1, 0))] if len(ids) else -1, -1)
            last = np.where(has, ids[np.minimum(firsts + total - 1, max(len(ids) - 1, 0))] if len(ids) else -1, -1)
            codes["missing-special-tokens"] = has & ((first != self.expected_ids[0]) | (last != self.expected_ids[1]))
        codes["unknown-tokens"] = unknown > 0
        if self.check_case:
            codes["case-mismatch"] = upper
        codes["accents-stripped"] = accent
        rows = self.facts.embedding_rows
        if rows is not None:
            codes["token-id-out-of-range"] = np.bincount(example[ids >= rows], minlength=n) > 0
        if pairs is not None:
            self._pair_codes(encodings, pairs, codes, n)

        # a tokenizer that covers every character it keeps drops exactly what the normalizer deletes, except
        # next to a combining mark (an uncovered run of both counts whole): those rows, pairs and other
        # tokenizers take the exact path, the inspector's own check on the offsets
        dropped, dropped_chars = np.zeros(n, np.int64), Counter()
        if self.covers_all:
            drop_candidates = (deleted & (text_chars.count(_MARK) > 0)) | pair_deleted
            if pairs is not None:
                drop_candidates |= deleted & np.asarray([p is not None for p in pairs])
            by_count = deleted & ~drop_candidates
            dropped[by_count] = text_chars.count(_DELETED)[by_count]
            dropped_chars.update(text_chars.chars(_DELETED, by_count))
        else:
            drop_candidates = np.ones(n, bool)
        search = self.special_pattern.search
        literal = np.fromiter((search(t) is not None for t in texts), np.bool_, n)
        if pairs is not None:
            literal |= np.fromiter((p is not None and search(p) is not None for p in pairs), np.bool_, n)
        flat = _Flat(encodings, np.flatnonzero((unknown > 0) | drop_candidates | literal), total, firsts, pairs is not None)
        local_special = special[flat.global_index]

        def segment_tokens(i: int, segment: int):
            a, b = flat.span(i)
            mine = flat.seq[a:b] == segment
            return mine, a, b

        unknown_texts = Counter()
        unk_local = np.flatnonzero(unk[flat.global_index])
        starts, ends = flat.starts[unk_local], flat.ends[unk_local]
        for i, start, end, segment in zip(flat.example[unk_local].tolist(), starts.tolist(), ends.tolist(),
                                          flat.seq[unk_local].tolist()):
            if end > start:
                unknown_texts[(texts[i] if segment != 1 else pairs[i])[start:end]] += 1
        max_chars = self.facts.max_input_chars_per_word
        too_long = flat.example[unk_local[(ends - starts) > max_chars]] if max_chars is not None else []
        codes["word-too-long"] = np.bincount(np.asarray(too_long, np.int64), minlength=n) > 0

        for i in np.flatnonzero(drop_candidates).tolist():
            for segment, text in ((0, texts[i]), (1, pairs[i] if pairs is not None else None)):
                if text:
                    mine, a, b = segment_tokens(i, segment)
                    mine &= ~local_special[a:b]
                    for start, end in diagnostics.dropped_spans(text, flat.starts[a:b][mine], flat.ends[a:b][mine],
                                                                self._deleted_runs(text)):
                        dropped[i] += end - start
                        dropped_chars.update(text[start:end])
        codes["characters-dropped"] = dropped > 0

        special_ids = self.tokenizer.all_special_ids
        literal_hits = np.zeros(n, bool)
        for i in np.flatnonzero(literal).tolist():
            for segment, text in ((0, texts[i]), (1, pairs[i] if pairs is not None else None)):
                matches = list(self.special_pattern.finditer(text)) if text else []
                if matches:
                    mine, a, b = segment_tokens(i, segment)
                    ids_here = ids[flat.global_index[a:b]][mine]
                    if diagnostics.literal_specials(matches, flat.starts[a:b][mine], flat.ends[a:b][mine], ids_here, special_ids):
                        literal_hits[i] = True
        codes["special-token-text-not-special"] = literal_hits

        figures = Figures(
            total=total, kept=kept, unknown=unknown, dropped=dropped, codes=codes, unknown_texts=unknown_texts,
            dropped_chars=dropped_chars, chars=chars, words=words, word_tokens=word_tokens, single_token_words=single,
            previews={},
        )
        if previews:
            self._previews(figures, texts, pairs, inputs, encodings, firsts, special, unk, previews, above or {})
        if spans:
            figures.kept_spans, figures.unknown_spans = self._spans(inputs, encodings, firsts, unk, pairs is not None)
        return figures

    def _kept(self, inputs, pairs, total: np.ndarray) -> np.ndarray:
        """Tokens the model receives: a single text is cut by counting, pairs by the tokenizer itself."""
        if not self.truncating:
            return total.copy()
        kept = np.minimum(total, self.max_length)
        long_pairs = [i for i in np.flatnonzero(total > self.max_length).tolist()
                      if pairs is not None and pairs[i] is not None]
        if not long_pairs and (self.settings.truncation != "only_second"
                               or not (total > self.max_length).any()):
            return kept
        cut = np.flatnonzero(total > self.max_length).tolist()
        try:
            encodings = self.cut.encode_batch([inputs[i] for i in cut], add_special_tokens=self.settings.add_special_tokens)
        except Exception as error:
            raise InputError(_truncation_message(self.settings, self.max_length, error)) from None
        kept[cut] = [len(e) for e in encodings]
        return kept

    def _words(self, encodings, special: np.ndarray, example: np.ndarray, paired: bool) -> tuple[int, int, int]:
        """(words, non-special tokens, words of exactly one token): words are the distinct word ids."""
        chain = itertools.chain.from_iterable
        word = np.array(list(chain(e.word_ids for e in encodings)), dtype=np.float64)
        valid = ~np.isnan(word)
        if not valid.any():
            return 0, int((~special).sum()), 0
        w, e = word[valid], example[valid]
        new = np.ones(len(w), bool)
        new[1:] = (w[1:] != w[:-1]) | (e[1:] != e[:-1])
        if paired:
            seq = np.array(list(chain(e.sequence_ids for e in encodings)), dtype=np.float64)[valid]
            new[1:] |= seq[1:] != seq[:-1]
        starts = np.flatnonzero(new)
        sizes = np.diff(np.append(starts, len(w)))
        return len(starts), int((~special).sum()), int((sizes == 1).sum())

    def _pair_codes(self, encodings, pairs, codes: dict, n: int) -> None:
        limit = self.facts.type_vocab_size
        if limit is None or not self.with_type_ids:
            if limit is not None and limit >= 2:
                codes["pair-segments-missing"] = np.asarray([p is not None for p in pairs])
            return
        chain = itertools.chain.from_iterable
        lengths = np.fromiter(map(len, encodings), np.int64, n)
        example = np.repeat(np.arange(n), lengths)
        type_ids = np.fromiter(chain(e.type_ids for e in encodings), np.int64, int(lengths.sum()))
        codes["token-type-out-of-range"] = np.bincount(example[type_ids >= limit], minlength=n) > 0
        if limit >= 2:
            any_one = np.bincount(example[type_ids > 0], minlength=n) > 0
            codes["pair-segments-missing"] = np.asarray([p is not None for p in pairs]) & ~any_one

    def _previews(self, figures: Figures, texts, pairs, inputs, encodings, firsts, special, unk, k: int,
                  above: dict) -> None:
        values = {"tokens_lost": figures.total - figures.kept, "unknown": figures.unknown, "tokens_total": figures.total}
        chosen = set()
        for metric, value in values.items():
            bar = max(1, above.get(metric, 0))
            order = np.argsort(-value, kind="stable")[:k]
            chosen.update(int(i) for i in order if value[i] >= bar)
        if not chosen:
            return
        chosen = sorted(chosen)
        cut = {}
        if self.truncating:
            cut_rows = [i for i in chosen if figures.kept[i] < figures.total[i]]
            paired = [i for i in cut_rows if pairs is not None and pairs[i] is not None]
            for i in cut_rows:
                if i in paired:
                    continue
                base, size = int(firsts[i]), int(figures.total[i])
                text_tokens = np.flatnonzero(~special[base:base + size])
                kept_text = int(figures.kept[i]) - (size - len(text_tokens))  # the template's specials stay
                if 0 <= kept_text < len(text_tokens):
                    first_lost = text_tokens[kept_text] if self.tokenizer.truncation_side != "left" else text_tokens[0]
                    cut[i] = encodings[i].token_to_chars(int(first_lost))[0]
            for i, e in zip(paired, self.cut.encode_batch([inputs[i] for i in paired],
                                                          add_special_tokens=self.settings.add_special_tokens)):
                kept_text = sum(1 for s, sp in zip(e.sequence_ids, e.special_tokens_mask) if s == 0 and not sp)
                full = encodings[i]
                positions = [j for j, (s, sp) in enumerate(zip(full.sequence_ids, full.special_tokens_mask)) if s == 0 and not sp]
                if kept_text < len(positions):
                    cut[i] = full.token_to_chars(positions[kept_text])[0]
        for i in chosen:
            full = encodings[i]
            base = int(firsts[i])
            unknown_spans = [list(full.token_to_chars(j)) for j in np.flatnonzero(unk[base:base + len(full)]).tolist()
                             if full.token_to_sequence(j) == 0]
            focus = cut.get(i, unknown_spans[0][0] if unknown_spans else 0)
            start = max(0, focus - PREVIEW_CHARS // 3) if focus > PREVIEW_CHARS // 2 else 0
            end = start + PREVIEW_CHARS
            figures.previews[i] = {
                "preview": texts[i][start:end], "start": start, "cut_char": cut.get(i),
                "unknown_spans": [s for s in unknown_spans if start <= s[0] and s[1] <= end][:50],
            }

    def _spans(self, inputs, encodings, firsts, unk, paired: bool):
        """Per example: the (segment, start, end) of the kept non-special tokens and of the unknown ones."""
        kept_encodings = self.cut.encode_batch(inputs, add_special_tokens=self.settings.add_special_tokens) \
            if self.truncating else encodings
        swap = self.side.swap_pair and paired
        kept_spans, unknown_spans = [], []
        for i, (e, full) in enumerate(zip(kept_encodings, encodings)):
            kept_spans.append(_text_spans(e, None, swap))
            base = int(firsts[i])
            unknown_spans.append(_text_spans(full, unk[base:base + len(full)], swap))
        return kept_spans, unknown_spans


class _Chars:
    """The characters of a batch of texts: code points, the example of each, their flags."""

    def __init__(self, n: int, codepoints=None, example=None, flags=None):
        self.n, self.codepoints, self.example, self.flags = n, codepoints, example, flags

    def count(self, bit: int) -> np.ndarray:
        """Per example, how many of its characters carry ``bit``."""
        if self.flags is None:
            return np.zeros(self.n, np.int64)
        return np.bincount(self.example[(self.flags & bit) != 0], minlength=self.n)

    def chars(self, bit: int, examples: np.ndarray) -> dict:
        """Counts of the characters carrying ``bit`` in the chosen examples (a bool mask)."""
        if self.flags is None or not examples.any():
            return {}
        hit = (self.flags & bit) != 0
        values, counts = np.unique(self.codepoints[hit][examples[self.example[hit]]], return_counts=True)
        return dict(zip(map(chr, values.tolist()), counts.tolist()))


class _Flat:
    """Offsets and segments of some encodings of a batch, flattened into numpy arrays in one pass."""

    def __init__(self, encodings, chosen: np.ndarray, total: np.ndarray, firsts: np.ndarray, paired: bool):
        chain = itertools.chain.from_iterable
        sizes = total[chosen]
        count = int(sizes.sum())
        local_firsts = np.cumsum(sizes) - sizes
        self._first = dict(zip(chosen.tolist(), zip(local_firsts.tolist(), (local_firsts + sizes).tolist())))
        offsets = np.fromiter(chain(chain(encodings[i].offsets for i in chosen.tolist())), np.int64, 2 * count)
        self.starts, self.ends = offsets[0::2], offsets[1::2]
        self.example = np.repeat(chosen, sizes)
        self.global_index = np.repeat(firsts[chosen] - local_firsts, sizes) + np.arange(count)
        if paired:
            seq = np.array(list(chain(encodings[i].sequence_ids for i in chosen.tolist())), dtype=np.float64)
            self.seq = np.where(np.isnan(seq), -1, seq).astype(np.int64)
        else:
            self.seq = np.zeros(count, np.int64)
            special = np.fromiter(chain(encodings[i].special_tokens_mask for i in chosen.tolist()), np.bool_, count)
            self.seq[special] = -1

    def span(self, i: int) -> tuple[int, int]:
        return self._first[i]


def _text_spans(encoding, mask, swap: bool) -> np.ndarray:
    seqs = np.asarray([-1 if s is None else s for s in encoding.sequence_ids], np.int64)
    offs = np.asarray(encoding.offsets, np.int64).reshape(-1, 2)
    keep = (seqs >= 0) & ~np.asarray(encoding.special_tokens_mask, bool)
    if mask is not None:
        keep &= mask
    seqs = seqs[keep]
    if swap and (seqs == 1).any():
        seqs = 1 - seqs
    return np.column_stack([seqs, offs[keep]])


def _truncation_message(settings: Settings, max_length: int, error: Exception) -> str:
    if "too short" in str(error) or "Second sequence" in str(error):
        which = "first" if settings.truncation == "only_first" else "second"
        return (f"truncation {settings.truncation} cannot reach max_length {max_length}: the {which} text of a row "
                f"is too short to cut that much (tokenizer(...) raises the same error)")
    return f"the tokenizer cannot truncate as asked: {first_line(error, default='')}"


def describe_char(char: str) -> str:
    """A character's Unicode name (or its code point when it has none)."""
    return unicodedata.name(char, f"U+{ord(char):04X}")
