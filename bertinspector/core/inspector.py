"""The inspection engine: (model source, text, settings) -> an immutable :class:`Inspection`."""

from __future__ import annotations

import functools
import itertools
import re
import threading
from dataclasses import dataclass

import numpy as np

from bertinspector.core import diagnostics, facts as facts_module, long_text, normalization, sources, tokenizer as tokenizer_module
from bertinspector.core.errors import InputError
from bertinspector.core.pasted_ids import PastedIds, checked_id, parse as parse_pasted_ids
from bertinspector.core.model import Inspection, Settings, Tokens, Truncation, Window, lowercase_applied

MAX_TEXT_CHARS = 64 * 1024 * 1024  # a text or pair beyond this is refused in one line
_SERIALS = itertools.count(1)


@dataclass(frozen=True)
class WeightReport:
    """What loading the weights reported: keys initialised at random, keys ignored."""

    model_class: str
    missing_keys: tuple[str, ...]
    unexpected_keys: tuple[str, ...]


class Inspector:
    """One model source, its facts and tokenizers; builds inspections of texts and pasted ids."""

    def __init__(self, source: sources.ModelSource, config: dict, *, trust_remote_code: bool):
        self.source = source
        needs_code = facts_module.needs_remote_code(source.folder, config)
        self.refused_remote_code = needs_code and not trust_remote_code
        self.trust_remote_code = trust_remote_code
        self._tokenizers: dict[str, object] = {}
        self._backends: dict[str, object] = {}  # private Rust tokenizers per lowercase mode (see _engine_backend)
        self._lock = threading.RLock()
        self.facts = facts_module.read_facts(source, config, self.tokenizer("auto"))
        self.weight_report: WeightReport | None = None
        self.serial = next(_SERIALS)  # tells this opening from a reopening of the same source (files may differ)

    @classmethod
    def open(cls, src: str, *, trust_remote_code: bool = False) -> "Inspector":
        """Resolve ``src`` and load its tokenizer (not its weights). Raises :class:`SourceError`."""
        source = sources.resolve(src)
        return cls(source, facts_module.read_config(source.folder), trust_remote_code=trust_remote_code)

    def tokenizer(self, lowercase: str = "auto"):
        """The transformers tokenizer for a lowercasing mode, loaded once."""
        with self._lock:
            if lowercase not in self._tokenizers:
                self._tokenizers[lowercase] = tokenizer_module.load(
                    self.source.folder,
                    trust_remote_code=self.trust_remote_code,
                    refused_code=self.refused_remote_code,
                    lowercase=lowercase,
                )
            return self._tokenizers[lowercase]

    def lowercase_applied(self, mode: str) -> bool:
        return lowercase_applied(mode, self.facts.lowercase)

    def load_weights(self):
        """Load the model (CPU) and record which weights were initialised at random."""
        from bertinspector.core import weights

        model, report = weights.load(self)
        self.weight_report = report
        return model

    # -- inspections -------------------------------------------------------------------------

    def inspect(self, text: str, pair: str | None = None, settings: Settings = Settings()) -> Inspection:
        """Inspect ``text`` (and ``pair``) as ``tokenizer(text, pair, ...)`` would encode it."""
        for which, value in (("text", text), ("pair", pair)):
            if value is not None:
                if len(value) > MAX_TEXT_CHARS:
                    raise InputError(f"the {which} has {len(value):,} characters; at most {MAX_TEXT_CHARS:,} "
                                     f"(64 MB) are inspected")
                _check_unicode(which, value)
        if pair == "":
            pair = None  # tokenizer(text, "") encodes the text alone
        tokenizer = self.tokenizer(settings.lowercase)
        max_length = self.effective_max_length(settings)
        with self._lock:
            backend = self._engine_backend(settings.lowercase, tokenizer)
            if max_length is not None and settings.truncation != "none":
                _check_truncation(backend, settings, pair is not None, max_length)
            in_pieces = pair is None and len(text) > long_text.PIECE_CHARS and long_text.splits_safely(backend)
            if in_pieces:
                full = long_text.encode(backend, text, settings.add_special_tokens)
            else:
                full = _encode(backend, text, pair, settings.add_special_tokens)
            kept_counts, windows = None, []
            if max_length is not None and settings.truncation != "none" and len(full.ids) > max_length:
                kept_counts, windows = self._truncate(backend, tokenizer, text, pair, settings, max_length, full)
        tokens = self._tokens_from_encoding(tokenizer, full, kept_counts)
        del full  # a long text's encoding is as large as its tokens: not kept through the checks
        truncation = _truncation_summary(tokens, kept_counts is not None, windows)
        normalizer = tokenizer.backend_tokenizer.normalizer
        changes = normalization.changes(normalizer, text, 0)
        if pair is not None:
            changes += normalization.changes(normalizer, pair, 1)
        inspection = Inspection(
            source=self.source.name, facts=self.facts, settings=settings, input_kind="text",
            text=text, pair=pair, tokens=tokens, truncation=truncation,
            normalized_text=long_text.normalize(normalizer, text, in_pieces),
            changes=tuple(changes),
        )
        return diagnostics.attach(self, inspection)

    def inspect_ids(self, ids: "str | list[int] | PastedIds", settings: Settings = Settings(),
                    row: int | None = None) -> Inspection:
        """Inspect token ids pasted from someone's code, as the model would receive them.

        ``ids``: the pasted text (any form :mod:`core.pasted_ids` reads), a list of ids or parsed ids;
        ``row``: the row of a batch (None for a single row). A pasted attention mask and type ids go with it.
        """
        if isinstance(ids, str):
            ids = parse_pasted_ids(ids)
        elif not isinstance(ids, PastedIds):
            ids = PastedIds(input_ids=(np.asarray([checked_id(int(i)) for i in ids], dtype=np.int64),))
        id_list, mask, type_ids = ids.row(row)
        tokenizer = self.tokenizer(settings.lowercase)
        ids_array = np.asarray(id_list, dtype=np.int64)
        table = self.token_strings
        looked_up = np.full(len(id_list), None, dtype=object)
        inside = ids_array < len(table)
        looked_up[inside] = table[ids_array[inside]]
        strings = tuple(s if s is not None else f"<id {i}: not in the vocabulary>" for i, s in zip(id_list, looked_up))
        special = np.isin(ids_array, list(tokenizer.all_special_ids))
        unk_id = tokenizer.unk_token_id
        sep = _is_separator(tokenizer, ids_array)
        segments = np.where(special, -1, np.minimum(np.cumsum(sep) - sep, 1))
        n = len(id_list)
        tokens = Tokens(
            strings=strings, ids=ids_array,
            starts=np.full(n, -1, np.int64), ends=np.full(n, -1, np.int64),
            special=special, subword=_subword_by_prefix(self.facts, strings, special),
            unk=ids_array == unk_id if unk_id is not None else np.zeros(n, bool),
            type_ids=None if type_ids is None else np.asarray(type_ids, np.int64),
            segments=segments.astype(np.int64), kept=np.ones(n, bool),
        )
        truncation = Truncation(applied=False, tokens_total=n, tokens_kept=n, tokens_lost=0, cut_char=None)
        inspection = Inspection(
            source=self.source.name, facts=self.facts, settings=settings, input_kind="ids",
            text=", ".join(map(str, id_list)), pair=None, tokens=tokens, truncation=truncation,
            normalized_text=None, attention_mask=None if mask is None else np.asarray(mask, np.int64),
        )
        return diagnostics.attach(self, inspection)

    def effective_max_length(self, settings: Settings) -> int | None:
        """The length ``truncation=True`` cuts at: the requested one, else ``model_max_length``."""
        if settings.max_length is not None:
            if settings.max_length <= 0:
                raise InputError(f"max_length must be a positive number, not {settings.max_length}")
            return settings.max_length
        return self.facts.model_max_length

    @functools.cached_property
    def token_strings(self) -> np.ndarray:
        """Each id's token string, from the vocabulary and the added tokens (what ``convert_ids_to_tokens``
        gives; an encoding's own token texts differ for unknown pieces and for added tokens that strip
        a space), looked up by id array; None where an id has no token."""
        vocab = self.tokenizer().backend_tokenizer.get_vocab(with_added_tokens=True)
        table = np.full(max(vocab.values(), default=-1) + 1, None, dtype=object)
        table[np.fromiter(vocab.values(), np.int64, len(vocab))] = list(vocab)
        return table

    @functools.cached_property
    def expected_specials(self) -> tuple[str, str] | None:
        """The (first, last) special tokens the model expects around its input: those of the tokenizer's
        own template, else the model family's when the vocabulary has them (computed once)."""
        tokenizer = self.tokenizer()
        with self._lock:
            template = self._engine_backend("auto", tokenizer).encode("", add_special_tokens=True).tokens
        if len(template) >= 2:
            return template[0], template[-1]
        family = self.facts.expected_specials
        vocab = tokenizer.get_vocab()
        return family if family and all(token in vocab for token in family) else None

    @functools.cached_property
    def special_text_pattern(self) -> re.Pattern:
        """Special-token strings of any family and of this tokenizer, longest first, as one regex."""
        own = (t for t in self.tokenizer().all_special_tokens if len(t) > 1)
        candidates = sorted({*diagnostics.KNOWN_SPECIAL_STRINGS, *own}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, candidates)), re.IGNORECASE)  # "[mask]" too: never special

    # -- internals ---------------------------------------------------------------------------

    def _engine_backend(self, lowercase: str, tokenizer):
        """A private copy of the Rust tokenizer, without the padding/truncation kept in tokenizer.json."""
        cache = self._backends
        if lowercase not in cache:
            from tokenizers import Tokenizer

            backend = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
            backend.no_padding()
            backend.no_truncation()
            cache[lowercase] = backend
        return cache[lowercase]

    def _truncate(self, backend, tokenizer, text, pair, settings: Settings, max_length: int, full):
        """How many tokens of each segment survive, and the overflow windows when ``stride`` is set.

        A single text without stride is cut by counting (the first ``max_length`` minus the special
        tokens stay), which spares a second encoding of long texts; pairs and windows are cut by the
        tokenizer itself.
        """
        added = backend.num_special_tokens_to_add(pair is not None) if settings.add_special_tokens else 0
        if pair is None and settings.truncation == "only_second" and max_length > added:
            raise InputError("truncation only_second needs a pair: there is no second text to cut "
                             "(tokenizer(...) raises the same)")
        if pair is None and settings.stride and settings.stride >= max_length - added:
            raise InputError(
                f"stride {settings.stride} must be smaller than max_length minus the special tokens "
                f"({max_length - added}) when the text is cut (the tokenizer would panic)"
            )
        if pair is None and not settings.stride:
            return {0: max_length - added}, []
        counts, _ = self._cut_by_tokenizer(backend, tokenizer, text, pair, settings.with_(stride=0), max_length)
        if not settings.stride:
            return counts, []
        totals = {segment: sum(1 for s, special in zip(full.sequence_ids, full.special_tokens_mask)
                               if s == segment and not special) for segment in (0, 1)}
        # the tokenizer panics when a segment it cuts keeps no more tokens than the stride
        too_small = {s: n for s, n in counts.items() if 0 < n < totals[s] and n <= settings.stride}
        if too_small:
            segment, room = next(iter(too_small.items()))
            raise InputError(
                f"stride {settings.stride} must be smaller than the {room} tokens of the "
                f"{'first' if segment == 0 else 'second'} text that fit in max_length {max_length} "
                f"(the tokenizer would panic)"
            )
        return self._cut_by_tokenizer(backend, tokenizer, text, pair, settings, max_length)

    def _cut_by_tokenizer(self, backend, tokenizer, text, pair, settings: Settings, max_length: int):
        backend.enable_truncation(
            max_length, stride=settings.stride, strategy=settings.truncation,
            direction=getattr(tokenizer, "truncation_side", "right"),
        )
        try:
            encoding = _encode(backend, text, pair, settings.add_special_tokens)
        except Exception as error:
            if "too short" in str(error):
                which = "first" if settings.truncation == "only_first" else "second"
                raise InputError(
                    f"truncation {settings.truncation} cannot reach max_length {max_length}: the {which} text "
                    f"is too short to cut that much (tokenizer(...) raises the same error)"
                ) from None
            raise InputError(f"the tokenizer cannot truncate as asked: {error}") from None
        finally:
            backend.no_truncation()
        sequence_ids = [s for s, special in zip(encoding.sequence_ids, encoding.special_tokens_mask) if not special]
        counts = {segment: sequence_ids.count(segment) for segment in (0, 1)}
        return counts, ([encoding, *encoding.overflowing] if settings.stride else [])

    def _tokens_from_encoding(self, tokenizer, full, kept_counts: dict[int, int] | None) -> Tokens:
        ids = np.asarray(full.ids, dtype=np.int64)
        n = len(ids)
        offsets = np.asarray(full.offsets).reshape(n, 2)  # a long text's columns stay int32 until here
        special = np.asarray(full.special_tokens_mask, dtype=bool)
        sequence_ids = _int_column(full.sequence_ids)
        segments = np.where(special, -1, sequence_ids).astype(np.int64, copy=False)
        starts = np.where(segments < 0, -1, offsets[:, 0]).astype(np.int64, copy=False)
        ends = np.where(segments < 0, -1, offsets[:, 1]).astype(np.int64, copy=False)
        word_ids = _int_column(full.word_ids)
        subword = np.zeros(n, bool)
        if n > 1:
            subword[1:] = (word_ids[1:] >= 0) & (word_ids[1:] == word_ids[:-1]) & (segments[1:] == segments[:-1])
        subword &= ~special
        unk_id = tokenizer.unk_token_id
        unk = (ids == unk_id) & ~special if unk_id is not None else np.zeros(n, bool)
        type_ids = np.asarray(full.type_ids, dtype=np.int64) if "token_type_ids" in tokenizer.model_input_names else None
        return Tokens(
            strings=tuple(self.token_strings[ids]), ids=ids, starts=starts, ends=ends, special=special,
            subword=subword, unk=unk, type_ids=type_ids, segments=segments,
            kept=_kept_mask(segments, kept_counts, getattr(tokenizer, "truncation_side", "right")),
        )


def _check_truncation(backend, settings: Settings, pair: bool, max_length: int) -> None:
    """Refuse what ``tokenizer(..., truncation=..., max_length=..., stride=...)`` refuses, in one line.

    The tokenizer's own check runs on the private copy (``enable_truncation`` raises what it refuses).
    """
    added = backend.num_special_tokens_to_add(pair) if settings.add_special_tokens else 0
    if max_length < added:
        raise InputError(
            f"max_length {max_length} is smaller than the {added} special tokens the template adds "
            f"(transformers then cuts nothing)"
        )
    try:
        backend.enable_truncation(max_length, stride=settings.stride, strategy=settings.truncation)
    except Exception as error:  # the binding's ValueError: one line of it
        raise InputError(f"the tokenizer refuses these settings: {str(error).strip().splitlines()[0].rstrip(', ')}") from None
    finally:
        backend.no_truncation()


def _encode(backend, text: str, pair: str | None, add_special_tokens: bool):
    """One encoding through ``encode_batch``, which releases the GIL (``encode`` does not), so the
    window stays responsive while a 10 MB text is tokenized."""
    return backend.encode_batch([text if pair is None else (text, pair)], add_special_tokens=add_special_tokens)[0]


def _int_column(values) -> np.ndarray:
    """An encoding's list with None as int64, -1 for None (a column already converted stays as it is)."""
    if isinstance(values, np.ndarray):
        return values
    return np.asarray([-1 if v is None else v for v in values], dtype=np.int64)


def _kept_mask(segments: np.ndarray, kept_counts: dict[int, int] | None, side: str) -> np.ndarray:
    """Which tokens of the full encoding survive truncation: per segment, a prefix (or suffix)."""
    kept = np.ones(len(segments), bool)
    for segment, n_kept in (kept_counts or {}).items():
        positions = np.flatnonzero(segments == segment)
        lost = positions[n_kept:] if side == "right" else positions[: max(len(positions) - n_kept, 0)]
        kept[lost] = False
    return kept


def _truncation_summary(tokens: Tokens, applied: bool, windows: list) -> Truncation:
    total = len(tokens)
    if not applied:
        return Truncation(applied=False, tokens_total=total, tokens_kept=total, tokens_lost=0, cut_char=None)
    lost = np.flatnonzero(~tokens.kept)
    cut_token = int(lost[0]) if len(lost) else None
    cut_segment = None if cut_token is None else int(tokens.segments[cut_token])
    return Truncation(
        applied=True, tokens_total=total, tokens_kept=total - len(lost), tokens_lost=len(lost),
        cut_char=None if cut_token is None else int(tokens.starts[cut_token]),
        cut_segment=cut_segment, cut_token=cut_token,
        windows=tuple(_window(tokens, encoding, cut_segment) for encoding in windows) if cut_segment is not None else (),
    )


def _window(tokens: Tokens, encoding, segment: int) -> Window:
    """Locate an overflow window's tokens of the cut ``segment`` in the full encoding.

    The window's tokens are a run of the segment's tokens; the run is found by ids and offsets together
    (a SentencePiece ``▁`` piece shares its offsets with the piece after it)."""
    rows = [(i, o[0], o[1]) for i, o, s, special in zip(encoding.ids, encoding.offsets, encoding.sequence_ids,
                                                       encoding.special_tokens_mask) if s == segment and not special]
    if not rows:
        return Window(first_token=0, last_token=0, start_char=None, end_char=None)
    window = np.asarray(rows, dtype=np.int64)
    positions = np.flatnonzero(tokens.segments == segment)
    full = np.stack([tokens.ids[positions], tokens.starts[positions], tokens.ends[positions]], axis=1)
    first = 0
    for k in np.flatnonzero((full[:, 0] == window[0, 0]) & (full[:, 1] == window[0, 1])).tolist():
        if np.array_equal(full[k:k + len(window)], window):
            first = k
            break
    last = min(first + len(window), len(positions)) - 1
    return Window(first_token=int(positions[first]), last_token=int(positions[last]),
                  start_char=int(window[0, 1]), end_char=int(window[-1, 2]))


def _check_unicode(which: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InputError(
            f"the {which} holds invalid Unicode (a lone surrogate at character {error.start}); "
            "save it as UTF-8 and try again"
        ) from None


def _is_separator(tokenizer, ids: np.ndarray) -> np.ndarray:
    sep = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    return (ids == sep).astype(np.int64) if sep is not None else np.zeros(len(ids), np.int64)


def _subword_by_prefix(facts, strings: tuple[str, ...], special: np.ndarray) -> np.ndarray:
    """Continuation pieces of pasted ids, by the vocabulary's own markers."""
    if facts.tokenizer_model == "WordPiece":
        flags = [s.startswith("##") for s in strings]
    else:
        word_start = "\u0120" if facts.tokenizer_model == "BPE" else "\u2581"
        flags = [i > 0 and not special[i - 1] and not s.startswith(word_start) for i, s in enumerate(strings)]
    return np.asarray(flags, dtype=bool) & ~special
