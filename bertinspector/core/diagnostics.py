"""The v1 diagnostics: each check looks at one inspection and names one problem, with a fix."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np

from bertinspector.core.model import Diagnostic, Inspection, Severity
from bertinspector.core.tokenizer_files import reads, tokenizer_type

if TYPE_CHECKING:
    from bertinspector.core.inspector import Inspector

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
KNOWN_SPECIAL_STRINGS = ("[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "<s>", "</s>", "<mask>", "<pad>", "<unk>", "<cls>", "<sep>")
GENERIC_TOKENIZERS = frozenset({"TokenizersBackend", "PreTrainedTokenizerFast"})
MAX_LISTED = 8
MAX_SPANS = 100_000  # character spans a finding keeps as evidence
LONG_RUN = 10_000  # consecutive token positions a finding keeps as a range
MAX_NEW_TOKENS = 100  # the pieces an unknown-tokens fix adds to the vocabulary
_WORD = re.compile(r"\w+")

CODES: dict[str, Severity] = {
    "sequence-truncated": WARNING,
    "exceeds-model-max-length": ERROR,
    "max-length-exceeds-positions": ERROR,
    "model-max-length-unset": WARNING,
    "max-length-disagreement": WARNING,
    "missing-special-tokens": ERROR,
    "special-token-text-not-special": WARNING,
    "unknown-tokens": WARNING,
    "case-mismatch": WARNING,
    "accents-stripped": INFO,
    "characters-dropped": WARNING,
    "word-too-long": WARNING,
    "token-id-out-of-range": ERROR,
    "tokenizer-larger-than-embeddings": ERROR,
    "embeddings-larger-than-tokenizer": INFO,
    "token-type-out-of-range": ERROR,
    "pair-segments-missing": WARNING,
    "tokenizer-class-mismatch": WARNING,
    "tokenizer-config-missing": WARNING,
    "weights-newly-initialized": WARNING,
    "padding-without-attention-mask": WARNING,
    "trust-remote-code-required": ERROR,
}

Check = Callable[["Inspector", Inspection], Iterator[Diagnostic]]
_CHECKS: list[Check] = []


def check(function: Check) -> Check:
    _CHECKS.append(function)
    return function


def finding(code: str, message: str, *, tokens=(), spans=(), fix: str | None = None) -> Diagnostic:
    """A diagnostic; each span is ``(start, end)`` in the text or ``(start, end, segment)``. The
    evidence of a finding in a book is its first :data:`MAX_SPANS` spans (the message counts them all)."""
    spans = [tuple(map(int, span)) for span in itertools.islice(spans, MAX_SPANS)]
    return Diagnostic(
        code=code, severity=CODES[code], message=message,
        tokens=_positions(tokens), spans=tuple(span if len(span) == 2 else span[:2] for span in spans),
        span_segments=tuple(span[2] if len(span) > 2 else 0 for span in spans), fix=fix,
    )


def _positions(tokens) -> tuple[int, ...] | range:
    """Token positions as a tuple of ints; a long run of consecutive positions (the cut-off tail of a
    book) stays a ``range``, which costs nothing."""
    if isinstance(tokens, range):
        return tokens if len(tokens) > LONG_RUN else tuple(tokens)
    positions = np.asarray(tokens, dtype=np.int64)
    if len(positions) > LONG_RUN and bool(np.all(np.diff(positions) == 1)):
        return range(int(positions[0]), int(positions[-1]) + 1)
    return tuple(positions.tolist())


def attach(inspector: "Inspector", inspection: Inspection) -> Inspection:
    """The inspection with every finding of every check, most severe first."""
    found = [d for run in _CHECKS for d in run(inspector, inspection)]
    # a tokenizer that is not the model's comes first: every other finding may follow from it
    found.sort(key=lambda d: (d.code != "tokenizer-class-mismatch", -d.severity.rank))
    return replace(inspection, diagnostics=tuple(found))


# -- helpers ---------------------------------------------------------------------------------


def src_literal(inspector: "Inspector") -> str:
    """How a fix snippet names the model: the hub id, else the folder."""
    source = inspector.source
    return repr(source.name if source.kind == "hub" else str(source.folder))


def call(inspection: Inspection, *, then: str = "", **arguments) -> str:
    """``inputs = tokenizer(text[, pair], ...)`` with the given keyword arguments, the statements
    ``then`` and the model call: a fix that runs as printed."""
    args = ["text"] + (["pair"] if inspection.pair is not None else [])
    args += [f"{key}={value!r}" for key, value in arguments.items()]
    return f"inputs = tokenizer({', '.join(args)}, return_tensors=\"pt\"); {then}outputs = model(**inputs)"


def folder_literal(inspector: "Inspector") -> str:
    """The model's local folder, as a fix snippet writes into it."""
    return repr(str(inspector.source.folder))


def template_fix(inspection: Inspection, first: str, last: str, then: str = "") -> str:
    """Give the tokenizer the [CLS] … [SEP] post-processor (segment B gets type id 1), then encode."""
    return (f"from tokenizers import processors; "
            f"tokenizer.backend_tokenizer.post_processor = processors.TemplateProcessing("
            f"single=\"{first} $A {last}\", pair=\"{first} $A {last} $B:1 {last}:1\", "
            f"special_tokens=[(\"{first}\", tokenizer.convert_tokens_to_ids(\"{first}\")), "
            f"(\"{last}\", tokenizer.convert_tokens_to_ids(\"{last}\"))]); {then}" + call(inspection))


def _quote(text: str, limit: int = 40) -> str:
    text = text.replace("\n", "⏎")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _describe_char(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _spans_of(tokens, positions) -> list[tuple[int, int, int]]:
    """(start, end, segment) of the tokens at ``positions`` that cover characters."""
    return [(int(tokens.starts[i]), int(tokens.ends[i]), int(tokens.segments[i])) for i in positions if tokens.starts[i] >= 0]


def model_limit(inspector: "Inspector") -> int | None:
    """The longest input the model can take: position embeddings and model_max_length."""
    facts = inspector.facts
    known = [v for v in (facts.usable_positions, facts.model_max_length) if v is not None]
    return min(known) if known else None


# -- length ----------------------------------------------------------------------------------


@check
def sequence_truncated(inspector, inspection):
    t = inspection.truncation
    if not (t.applied and t.tokens_lost):
        return
    lost = np.flatnonzero(~inspection.tokens.kept)
    text = inspection.segment_text(t.cut_segment or 0)
    where = f"at character {t.cut_char}" + (" of the pair text" if t.cut_segment == 1 else "")
    max_length = inspector.effective_max_length(inspection.settings)
    yield finding(
        "sequence-truncated",
        f"{t.tokens_lost} of {t.tokens_total} tokens are cut off {where} (max_length {max_length}); "
        f"the model never sees {_quote(text[t.cut_char:t.cut_char + 100])}",
        tokens=lost, spans=[(t.cut_char, len(text), t.cut_segment or 0)] if t.cut_char is not None else (),
        fix=call(inspection, truncation=True, max_length=max_length, stride=max(1, min(64, max_length // 4)),
                 return_overflowing_tokens=True, padding=True, then='inputs.pop("overflow_to_sample_mapping"); ')
        + "  # one row per window: every token reaches the model",
    )


@check
def exceeds_model_max_length(inspector, inspection):
    limit = model_limit(inspector)
    received = inspection.truncation.tokens_kept
    if limit is None or received <= limit:
        return
    yield finding(
        "exceeds-model-max-length",
        f"the model receives {received} tokens but takes at most {limit}: it will crash "
        f"(position index out of range) or the input is cut elsewhere",
        tokens=range(limit, received),
        spans=_spans_of(inspection.tokens, range(limit, received))[:1],
        fix=call(inspection, truncation=True, max_length=limit),
    )


@check
def max_length_exceeds_positions(inspector, inspection):
    facts = inspector.facts
    max_length = inspector.effective_max_length(inspection.settings)
    usable = facts.usable_positions
    if max_length is None or usable is None or max_length <= usable:
        return
    origin = "the requested max_length" if inspection.settings.max_length is not None else "the tokenizer's model_max_length"
    offset = ""
    if facts.max_position_embeddings is not None and usable != facts.max_position_embeddings:
        offset = f" ({facts.max_position_embeddings} position embeddings, the first {facts.max_position_embeddings - usable} reserved by padding_idx)"
    fix = (call(inspection, truncation=True, max_length=usable) if inspection.settings.max_length is not None
           else f"tokenizer.model_max_length = {usable}; " + call(inspection, truncation=True))
    yield finding(
        "max-length-exceeds-positions",
        f"{origin} ({max_length}) is larger than the model's {usable} usable positions{offset}: "
        f"longer inputs crash with an index error",
        fix=fix,
    )


@check
def model_max_length_unset(inspector, inspection):
    facts = inspector.facts
    if not facts.model_max_length_unset or facts.usable_positions is None or inspection.settings.max_length is not None:
        return
    yield finding(
        "model-max-length-unset",
        f"the tokenizer has no model_max_length (the 'unset' sentinel), so truncation=True cuts nothing "
        f"while the model takes at most {facts.usable_positions} positions",
        fix=f"from transformers import AutoTokenizer; tokenizer = AutoTokenizer.from_pretrained({src_literal(inspector)}, model_max_length={facts.usable_positions})",
    )


@check
def max_length_disagreement(inspector, inspection):
    limits = inspector.facts.length_limits()
    if len(set(limits.values())) < 2:
        return
    listed = ", ".join(f"{where} says {value}" for where, value in limits.items())
    trained = inspector.facts.sentence_max_seq_length or inspector.facts.model_max_length or min(limits.values())
    if inspection.settings.max_length == trained:
        return  # the fix is applied: the length the model was trained at, asked for explicitly
    yield finding(
        "max-length-disagreement",
        f"the model's files declare different length limits: {listed}; plain tokenizer(...) calls use "
        f"model_max_length",
        fix=call(inspection, truncation=True, max_length=trained),
    )


# -- special tokens ------------------------------------------------------------------------------


@check
def missing_special_tokens(inspector, inspection):
    expected = inspector.expected_specials
    strings = inspection.tokens.strings
    if expected is None:
        return
    first, last = expected
    start, stop = content_range(inspector, inspection)
    if start == stop or (strings[start] == first and strings[stop - 1] == last):
        return
    if inspection.input_kind == "ids":
        head = [] if strings[start] == first else [f"tokenizer.convert_tokens_to_ids({first!r})"]
        tail = [] if strings[stop - 1] == last else [f"tokenizer.convert_tokens_to_ids({last!r})"]
        n = len(strings)
        if (start, stop) == (0, n):
            parts, note = [*head, "*ids", *tail], ""
        else:  # padded: the special tokens go around the unpadded part, the padding stays outside
            parts = [*([f"*ids[:{start}]"] if start else []), *head, f"*ids[{start}:{stop}]", *tail,
                     *([f"*ids[{stop}:]"] if stop < n else [])]
            note = "; the attention mask gets a 1 for each token added"
        fix = (f"ids = [{', '.join(parts)}]  # or tokenizer(text) instead of "
               f"tokenizer.encode(text, add_special_tokens=False){note}")
    elif not inspection.settings.add_special_tokens:
        fix = call(inspection)  # add_special_tokens defaults to True
    else:
        fix = template_fix(inspection, first, last)
    reason = {
        "ids": "the pasted ids lack",
        "text": "the encoding lacks" if inspection.settings.add_special_tokens else "with add_special_tokens=False the encoding lacks",
    }[inspection.input_kind]
    yield finding(
        "missing-special-tokens",
        f"{reason} {first} … {last}, which the model was trained with: its first-token "
        f"(pooled) output and every prediction are unreliable",
        tokens=sorted({start, stop - 1}), fix=fix,
    )


def content_range(inspector: "Inspector", inspection: Inspection) -> tuple[int, int]:
    """``(start, stop)`` of the tokens that are the input itself: pasted ids without their padding (the
    attention mask's zeros, else the runs of the pad id at either end); everything for a text."""
    n = len(inspection.tokens)
    if inspection.input_kind != "ids":
        return 0, n
    pad_id = inspector.tokenizer().pad_token_id
    if inspection.attention_mask is not None:
        real = inspection.attention_mask == 1
    elif pad_id is not None:
        real = inspection.tokens.ids != pad_id
    else:
        return 0, n
    where = np.flatnonzero(real)
    return (int(where[0]), int(where[-1]) + 1) if len(where) else (0, 0)


@check
def special_token_text_not_special(inspector, inspection):
    if inspection.input_kind == "ids":
        return
    tokenizer = inspector.tokenizer(inspection.settings.lowercase)
    pattern = inspector.special_text_pattern
    tokens = inspection.tokens
    for segment in (0, 1):
        matches = list(pattern.finditer(inspection.segment_text(segment)))
        if not matches:  # the common case: nothing to look at on this keystroke
            continue
        in_segment = np.flatnonzero(tokens.segments == segment)
        starts, ends = tokens.starts[in_segment], tokens.ends[in_segment]
        bad, positions = [], []
        for match in literal_specials(matches, starts, ends, tokens.ids[in_segment], tokenizer.all_special_ids):
            span = (match.start(), match.end())
            bad.append((match.group(), (*span, segment)))
            positions.extend(in_segment[(starts < span[1]) & (ends > span[0])].tolist())
        if not bad:
            continue
        own = {t for t in (tokenizer.mask_token, tokenizer.cls_token, tokenizer.sep_token, tokenizer.bos_token,
                           tokenizer.eos_token) if t}
        hint = f"; this model's special tokens are {', '.join(sorted(own))}" if own else ""
        names = sorted({s for s, _ in bad})
        fix = "; ".join(_special_replacement(tokenizer, name) for name in names) + "  # this model's own special tokens"
        yield finding(
            "special-token-text-not-special",
            f"the text contains {', '.join(map(repr, names))} {len(bad)} time(s) but it is read as ordinary "
            f"text, not as a special token{hint}",
            tokens=positions, spans=[span for _, span in bad], fix=fix,
        )


def literal_specials(matches, starts: np.ndarray, ends: np.ndarray, ids: np.ndarray, special_ids) -> list:
    """The ``matches`` of special-token strings in one text that did not become a special token (``starts``,
    ``ends``, ``ids``: the tokens of that text); a special id whose span holds the match means it did (a
    token that strips the space on its left, ``<mask>`` on RoBERTa, spans that space too)."""
    special = np.isin(ids, list(special_ids))  # added tokens may carry offsets
    special_starts, special_ends = starts[special], ends[special]
    return [m for m in matches
            if not np.any((special_starts <= m.start()) & (special_ends >= m.end()))]


_SPECIAL_ROLES = (("mask", "mask_token"), ("cls", "cls_token"), ("<s>", "cls_token"), ("<s>", "bos_token"),
                  ("sep", "sep_token"), ("</s>", "sep_token"), ("</s>", "eos_token"), ("pad", "pad_token"),
                  ("unk", "unk_token"))


def _special_replacement(tokenizer, name: str) -> str:
    """``text = text.replace(name, tokenizer.<role>_token)`` for the role ``name`` plays, else its removal."""
    for key, role in _SPECIAL_ROLES:
        own = getattr(tokenizer, role, None)
        if key in name.lower() and own and own != name:
            return f"text = text.replace({name!r}, tokenizer.{role})"
    return f"text = text.replace({name!r}, '')"


@check
def padding_without_attention_mask(inspector, inspection):
    pad_id = inspector.tokenizer().pad_token_id
    if inspection.input_kind != "ids" or pad_id is None:
        return
    pads = np.flatnonzero(inspection.tokens.ids == pad_id)
    mask = inspection.attention_mask
    if mask is not None:
        pads = pads[mask[pads] == 1]  # padding the pasted mask lets the model attend to
    if not len(pads):
        return
    told = "and no attention mask" if mask is None else "that the pasted attention mask does not hide"
    yield finding(
        "padding-without-attention-mask",
        f"the ids hold {len(pads)} padding token(s) (id {pad_id}) {told}: the model attends "
        f"to the padding as if it were text",
        tokens=pads,
        fix=(f"import torch; input_ids = torch.tensor([ids]); inputs = {{\"input_ids\": input_ids, "
             f"\"attention_mask\": (input_ids != {pad_id}).long()}}; outputs = model(**inputs)"),
    )


# -- characters --------------------------------------------------------------------------------


@check
def unknown_tokens(inspector, inspection):
    tokens = inspection.tokens
    unk = np.flatnonzero(tokens.unk)
    if not len(unk):
        return
    behind = []
    for i in unk:
        if tokens.starts[i] >= 0:
            piece = inspection.segment_text(int(tokens.segments[i]))[tokens.starts[i]:tokens.ends[i]]
            if piece not in behind:
                behind.append(piece)
    listed = ", ".join(_quote(p, 24) + (f" ({_describe_char(p)})" if len(p) == 1 and not p.isalnum() else "") for p in behind[:MAX_LISTED])
    more = f" and {len(behind) - MAX_LISTED} more" if len(behind) > MAX_LISTED else ""
    unk_token = inspector.tokenizer().unk_token
    yield finding(
        "unknown-tokens",
        f"{len(unk)} token(s) became {unk_token}; the model cannot tell them apart"
        + (f": {listed}{more}" if behind else ""),
        tokens=unk, spans=_spans_of(tokens, unk),
        fix=(f"tokenizer.add_tokens({behind[:MAX_NEW_TOKENS]!r}); model.resize_token_embeddings(len(tokenizer))  "
             f"# then fine-tune; or pick a tokenizer whose vocabulary covers these characters")
        if behind else None,
    )


@check
def word_too_long(inspector, inspection):
    limit = inspector.facts.max_input_chars_per_word
    tokens = inspection.tokens
    if limit is None:
        return
    unk = np.flatnonzero(tokens.unk & (tokens.starts >= 0))
    long = unk[(tokens.ends[unk] - tokens.starts[unk]) > limit]
    if not len(long):
        return
    yield finding(
        "word-too-long",
        f"{len(long)} word(s) longer than the WordPiece limit of {limit} characters became "
        f"{inspector.tokenizer().unk_token} whole",
        tokens=long, spans=_spans_of(tokens, long),
        fix=f"import re; text = re.sub(r'(\\S{{{limit}}})', r'\\1 ', text)  # split over-long words before tokenizing",
    )


@check
def case_mismatch(inspector, inspection):
    cased = inspector.facts.cased_vocab
    lowercase = inspector.lowercase_applied(inspection.settings.lowercase)
    if cased is None or inspection.input_kind == "ids" or cased != lowercase:
        return
    spans = [(m.start(), m.end()) for m in _WORD.finditer(inspection.text) if m.group() != m.group().lower()]
    if not spans:
        return
    if cased:
        message = "the vocabulary is cased but the tokenizer lowercases: capitals the model was trained on are lost"
    else:
        message = ("the vocabulary is uncased but the tokenizer does not lowercase: capitalised words "
                   f"become {inspector.tokenizer().unk_token or 'unknown tokens'} or odd pieces")
    yield finding(
        "case-mismatch", message + f" ({len(spans)} word(s) with capitals)", spans=spans,
        fix=f"from transformers import AutoTokenizer; tokenizer = AutoTokenizer.from_pretrained({src_literal(inspector)}, do_lower_case={not cased})",
    )


@check
def accents_stripped(inspector, inspection):
    runs = [c for c in inspection.changes if c.kind == "accent-stripped" and c.segment == 0]
    if not runs:
        return
    yield finding(
        "accents-stripped",
        f"normalization removed accents or combining marks from {len(runs)} place(s) of the text "
        f"(e.g. {_quote(inspection.text[runs[0].start:runs[0].end])})",
        spans=((c.start, c.end) for c in runs),
        fix="text = tokenizer.backend_tokenizer.normalizer.normalize_str(text)  # the text as the model reads it",
    )


@check
def characters_dropped(inspector, inspection):
    if inspection.input_kind == "ids":
        return
    spans, chars = [], []
    tokens = inspection.tokens
    for segment in (0, 1) if inspection.pair is not None else (0,):
        text = inspection.segment_text(segment)
        mine = (tokens.segments == segment) & (tokens.starts >= 0)
        # characters no token covers, and those the normalizer deleted (or turned into a space) even
        # where a token's offsets span them (inside a word that became unknown)
        deleted = [(c.start, c.end) for c in inspection.changes if c.kind == "deleted" and c.segment == segment]
        for start, end in dropped_spans(text, tokens.starts[mine], tokens.ends[mine], deleted):
            spans.append((start, end, segment))
            chars.extend(text[start:end])
    if not spans:
        return
    distinct = list(dict.fromkeys(chars))
    listed = ", ".join(_describe_char(c) for c in distinct[:MAX_LISTED])
    yield finding(
        "characters-dropped",
        f"{len(chars)} character(s) produced no token and the model never sees them: {listed}",
        spans=spans,
        fix="import unicodedata; text = ''.join(c for c in text if unicodedata.category(c) not in ('Cc', 'Cf', 'Co', 'Cs') and c != '\\ufffd')  # clean the text yourself",
    )


def dropped_spans(text: str, starts: np.ndarray, ends: np.ndarray, deleted) -> list[tuple[int, int]]:
    """The characters-dropped runs of one text: what no token covers (``starts``/``ends``: the tokens of this
    text; accents aside) and what the normalizer deleted (``deleted``: its runs), merged in text order."""
    return merged_runs(dropped_runs(text, starts, ends) + list(deleted))


def merged_runs(runs) -> list[tuple[int, int]]:
    """Runs ``(start, end)`` in order, overlapping or touching ones joined."""
    merged: list[list[int]] = []
    for start, end in sorted(runs):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def dropped_runs(text: str, starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``(start, end)`` of non-whitespace characters of ``text`` that no token covers (``starts``/``ends``:
    the offsets of the tokens of this text), leaving out runs of combining marks (``accents-stripped``)."""
    return [(start, end) for start, end in _uncovered(text, starts, ends)
            if not all(unicodedata.category(c) == "Mn" for c in text[start:end])]


def _uncovered(text: str, starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    """Runs of non-whitespace characters of ``text`` that no token covers."""
    if not text:
        return []
    if len(starts) > 1 and bool(np.any(starts[1:] < starts[:-1])):
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], ends[order]
    # the gap before token i runs from how far the tokens before it reach to where it starts; the text
    # after the last token is one more gap. Worked out a slice of tokens at a time (a book: 10 M tokens)
    reach = np.maximum.accumulate(ends) if len(ends) else ends
    missing = []
    for first in range(0, len(starts) + 1, _GAP_SLICE):
        last = min(first + _GAP_SLICE, len(starts))
        gap_starts = np.concatenate(([reach[first - 1] if first else 0], reach[first:last - 1] if last > first else []))
        gap_ends = starts[first:last]
        if last == len(starts):  # the text after the last token
            gap_starts = np.append(gap_starts[: len(gap_ends)], reach[-1] if len(reach) else 0)
            gap_ends = np.append(gap_ends, len(text))
        open_gap = gap_ends > gap_starts
        missing.append(_non_blank(text, gap_starts[open_gap].astype(np.int64), gap_ends[open_gap].astype(np.int64)))
        if last == len(starts):
            break
    missing = np.concatenate(missing)
    if not len(missing):
        return []
    breaks = np.flatnonzero(np.diff(missing) != 1) + 1
    run_starts = missing[np.concatenate(([0], breaks))]
    run_ends = missing[np.concatenate((breaks - 1, [len(missing) - 1]))] + 1
    return list(zip(run_starts.tolist(), run_ends.tolist()))


_GAP_SLICE = 1 << 20


def _non_blank(text: str, gap_starts: np.ndarray, gap_ends: np.ndarray) -> np.ndarray:
    """The positions of the non-whitespace characters inside the gaps ``[start, end)``."""
    if not len(gap_starts):
        return np.zeros(0, np.int64)
    low, high = int(gap_starts[0]), int(gap_ends.max())
    codepoints = np.frombuffer(text[low:high].encode("utf-32-le"), np.uint32)
    # the common gap, one space between two words, costs one lookup
    single_blank = (gap_ends - gap_starts == 1) & np.isin(codepoints[gap_starts - low], WHITESPACE)
    gap_starts, gap_ends = gap_starts[~single_blank], gap_ends[~single_blank]
    lengths = gap_ends - gap_starts
    firsts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths
    positions = np.repeat(gap_starts - firsts, lengths) + np.arange(int(lengths.sum()))
    return positions[~np.isin(codepoints[positions - low], WHITESPACE)]


WHITESPACE = np.asarray([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


# -- ids and embeddings -------------------------------------------------------------------------


@check
def token_id_out_of_range(inspector, inspection):
    rows = inspector.facts.embedding_rows
    if rows is None:
        return
    bad = np.flatnonzero(inspection.tokens.ids >= rows)
    if not len(bad):
        return
    ids = sorted({int(inspection.tokens.ids[i]) for i in bad})
    if ids[-1] < inspector.facts.tokenizer_size:
        fix = "model.resize_token_embeddings(len(tokenizer))  # after tokenizer.add_tokens(...)"
    else:  # ids this tokenizer never gives: they come from another vocabulary
        fix = "ids = tokenizer(text)[\"input_ids\"]  # the ids this model's own tokenizer gives"
    yield finding(
        "token-id-out-of-range",
        f"{len(bad)} token id(s) ({', '.join(map(str, ids[:MAX_LISTED]))}) are >= the model's {rows} "
        f"embedding rows: index error on CPU, device-side assert on GPU",
        tokens=bad, spans=_spans_of(inspection.tokens, bad), fix=fix,
    )


@check
def tokenizer_larger_than_embeddings(inspector, inspection):
    facts = inspector.facts
    if facts.embedding_rows is None or facts.tokenizer_size <= facts.embedding_rows:
        return
    yield finding(
        "tokenizer-larger-than-embeddings",
        f"the tokenizer has {facts.tokenizer_size} tokens but the model only {facts.embedding_rows} embedding "
        f"rows: tokens were added without resize_token_embeddings",
        fix="model.resize_token_embeddings(len(tokenizer))",
    )


@check
def embeddings_larger_than_tokenizer(inspector, inspection):
    facts = inspector.facts
    if facts.embedding_rows is None or facts.tokenizer_size >= facts.embedding_rows:
        return
    yield finding(
        "embeddings-larger-than-tokenizer",
        f"the model has {facts.embedding_rows} embedding rows but the tokenizer only {facts.tokenizer_size} "
        f"tokens: {facts.embedding_rows - facts.tokenizer_size} rows are never used (often padding for speed)",
    )


@check
def token_type_out_of_range(inspector, inspection):
    type_ids = inspection.tokens.type_ids
    limit = inspector.facts.type_vocab_size
    if type_ids is None or not limit:  # 0 (DeBERTa-v3): no token-type embeddings, the ids are ignored
        return
    bad = np.flatnonzero(type_ids >= limit)
    if not len(bad):
        return
    yield finding(
        "token-type-out-of-range",
        f"{len(bad)} token(s) have token_type_id >= the model's type_vocab_size {limit}: index error "
        f"(a sentence pair on a model trained without segments)",
        tokens=bad, spans=_spans_of(inspection.tokens, bad),
        fix=call(inspection, return_token_type_ids=False),
    )


@check
def pair_segments_missing(inspector, inspection):
    limit = inspector.facts.type_vocab_size
    tokens = inspection.tokens
    two_segments = inspection.pair is not None or bool(np.any(tokens.segments == 1))
    if not two_segments or limit is None or limit < 2:
        return
    if tokens.type_ids is not None and np.any(tokens.type_ids > 0):
        return
    second = np.flatnonzero(tokens.segments == 1)
    yield finding(
        "pair-segments-missing",
        "the input holds two segments but every token_type_id is 0" + (" (none are passed)" if tokens.type_ids is None else "")
        + ": the model cannot tell the second segment from the first",
        tokens=second,
        fix=_segments_fix(inspector, inspection),
    )


def _segments_fix(inspector: "Inspector", inspection: Inspection) -> str:
    """Pasted ids: type ids 1 after the first separator; text: the post-processor that sets them."""
    if inspection.input_kind == "ids":
        return ("import torch; sep = ids.index(tokenizer.sep_token_id) + 1; input_ids = torch.tensor([ids]); "
                "inputs = {\"input_ids\": input_ids, \"token_type_ids\": torch.tensor([[0] * sep + [1] * (len(ids) - sep)]), "
                "\"attention_mask\": torch.ones_like(input_ids)}; outputs = model(**inputs)")
    tokenizer = inspector.tokenizer()
    first, last = inspector.expected_specials or (tokenizer.cls_token, tokenizer.sep_token)
    names = "" if "token_type_ids" in tokenizer.model_input_names else (
        "tokenizer.model_input_names = [\"input_ids\", \"token_type_ids\", \"attention_mask\"]; ")
    return template_fix(inspection, first, last, then=names)


# -- model files ---------------------------------------------------------------------------------


@check
def tokenizer_class_mismatch(inspector, inspection):
    facts = inspector.facts
    tokenizer = inspector.tokenizer()
    loaded = _plain(facts.tokenizer_class)
    reasons = []
    family = _family_mismatch(facts, type(tokenizer))
    reasons.extend(family)
    declared = [d for d in (facts.declared_tokenizer_class, facts.config_tokenizer_class) if d]
    for name in declared:
        if _resolved(name) != loaded:
            reasons.append(f"the files declare {name} but {facts.tokenizer_class} was loaded")
    if len({_resolved(d) for d in declared}) > 1:
        reasons.append(f"tokenizer_config.json says {facts.declared_tokenizer_class}, config.json says {facts.config_tokenizer_class}")
    from_model = _model_tokenizer_class(facts.model_type)
    if loaded in GENERIC_TOKENIZERS and from_model and from_model not in GENERIC_TOKENIZERS:
        reasons.append(f"a generic {facts.tokenizer_class} was loaded for a {facts.model_type} model, which uses {from_model}")
    expected = facts.expected_specials
    own = tokenizer.cls_token or tokenizer.bos_token
    if expected and own and str(own) != expected[0]:
        reasons.append(f"the tokenizer starts inputs with {own} but {facts.model_type} models expect {expected[0]}")
    if not reasons:
        return
    if family:  # the files' own class is the wrong one: name the class that reads them
        right = from_model if from_model and from_model not in GENERIC_TOKENIZERS else "PreTrainedTokenizerFast"
        fix = (f"from transformers import {right}; tokenizer = {right}.from_pretrained({src_literal(inspector)})"
               f"  # and set \"tokenizer_class\": \"{right}\" in tokenizer_config.json")
    else:
        fix = (f"from transformers import AutoTokenizer; tokenizer = AutoTokenizer.from_pretrained({src_literal(inspector)})"
               "  # the tokenizer saved with this very checkpoint")
    yield finding("tokenizer-class-mismatch", "tokenizer and model do not match: " + "; ".join(dict.fromkeys(reasons)),
                  fix=fix)


def _family_mismatch(facts, loaded: type) -> list[str]:
    """Why the loaded tokenizer class belongs to another family than the model or the vocabulary file."""
    reasons = []
    name = loaded.__name__
    from_model = _model_tokenizer_class(facts.model_type)
    if name not in GENERIC_TOKENIZERS and from_model and from_model not in GENERIC_TOKENIZERS:
        expected = tokenizer_type(from_model)
        if expected is not None and not (issubclass(loaded, expected) or issubclass(expected, loaded)):
            reasons.append(f"{name} is the tokenizer of another family: a {facts.model_type} model reads {from_model}")
    model = reads(loaded)
    if model and facts.tokenizer_file_model and model != facts.tokenizer_file_model:
        reasons.append(f"tokenizer.json holds a {facts.tokenizer_file_model} vocabulary but {name} reads it as {model}")
    return reasons


def _plain(name: str | None) -> str:
    name = (name or "").removesuffix("Fast")
    return "TokenizersBackend" if name in ("PreTrainedTokenizer", "PreTrainedTokenizerFast") else name


def _resolved(name: str) -> str:
    resolved = tokenizer_type(name)
    return _plain(resolved.__name__ if resolved is not None else name)


def _model_tokenizer_class(model_type: str | None) -> str | None:
    if not model_type:
        return None
    from transformers.models.auto.tokenization_auto import TOKENIZER_MAPPING_NAMES

    names = TOKENIZER_MAPPING_NAMES.get(model_type)
    if isinstance(names, (tuple, list)):
        names = next((n for n in names if n), None)
    return _plain(names) if names else None


@check
def tokenizer_config_missing(inspector, inspection):
    if inspector.facts.has_tokenizer_config:
        return
    yield finding(
        "tokenizer-config-missing",
        "the model folder has no tokenizer_config.json: lowercasing and the length limit are library "
        f"defaults (lowercase {inspector.facts.lowercase}, no model_max_length)",
        fix=(f"from transformers import AutoTokenizer; tokenizer = AutoTokenizer.from_pretrained({src_literal(inspector)}, "
             f"model_max_length={inspector.facts.usable_positions or 512}); tokenizer.save_pretrained({folder_literal(inspector)})"),
    )


@check
def weights_newly_initialized(inspector, inspection):
    report = inspector.weight_report
    fix = (f"from transformers import AutoModel; model = AutoModel.from_pretrained({src_literal(inspector)})  "
           "# the base model the checkpoint holds, or fine-tune the head first")
    if report is None:  # weights not loaded: the safetensors header says whether the head was saved
        if inspector.facts.missing_head is not None:
            architecture, modules = inspector.facts.missing_head
            yield finding(
                "weights-newly-initialized",
                f"config.json declares {architecture} but the checkpoint holds no weights of its head "
                f"({', '.join(m + '.*' for m in modules[:4])}): loading it initialises the head at random, its "
                f"outputs are noise until fine-tuned (--load-weights names every weight)",
                fix=fix,
            )
        return
    if not report.missing_keys:
        return
    listed = ", ".join(report.missing_keys[:MAX_LISTED])
    more = f" and {len(report.missing_keys) - MAX_LISTED} more" if len(report.missing_keys) > MAX_LISTED else ""
    yield finding(
        "weights-newly-initialized",
        f"loading {report.model_class} initialised {len(report.missing_keys)} weight(s) at random "
        f"(missing from the checkpoint): {listed}{more}; its outputs are noise until fine-tuned",
        fix=fix,
    )


@check
def trust_remote_code_required(inspector, inspection):
    if not inspector.refused_remote_code:
        return
    yield finding(
        "trust-remote-code-required",
        "the model needs its own Python code (auto_map) and it was not allowed to run; what is shown "
        "comes from tokenizer.json alone",
        fix=f"from transformers import AutoModel; model = AutoModel.from_pretrained({src_literal(inspector)}, trust_remote_code=True)  # only after reading its code",
    )
