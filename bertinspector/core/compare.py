"""Compare two inspections of the same text: aligned tokens, preprocessing facts side by side, variants.

Two encodings of one text (two models, or one model with two settings) are aligned by the characters
their tokens cover: an :class:`AlignedGroup` holds the tokens of A and of B that cover the same
characters, so that "unbelievable" whole in A stands above "un ##believ ##able" in B. Special tokens
(the ones without character offsets) form their own groups, paired by where they sit: before the text,
after a segment, between two tokens.

The alignment is one sort and one sweep over the starts/ends arrays of both sides (numpy), so aligning
10,000 characters takes a few milliseconds.

    a = inspector.inspect(text)
    b = inspector.inspect(text, settings=Settings(lowercase="off"))
    comparison = compare(a, b)             # alignment, config diff, summary figures
    to_json(comparison)                    # the contract's bertinspector.comparison/1 object

No Qt here: the GUI's compare view and the ``compare`` command both build on this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from bertinspector.core import report
from bertinspector.core.diagnostics import WHITESPACE
from bertinspector.core.errors import InputError
from bertinspector.core.model import COMPARISON_SCHEMA, Inspection, Settings, Tokens, lowercase_applied

#: Difference flags of a group, as attribute name -> the name used in JSON.
FLAGS = {"boundary": "boundary", "unk_a": "unk-a", "unk_b": "unk-b", "special": "special",
         "cut_a": "cut-a", "cut_b": "cut-b", "moved": "moved"}
_END = np.int64(1) << 62  # anchor of a special token that follows the last token of a segment


@dataclass(frozen=True, slots=True)
class AlignedGroup:
    """Tokens of A and of B that cover the same characters (or one pair of special tokens).

    ``start``/``end`` are character offsets ``[start, end)`` into ``a.segment_text(segment)`` (for a
    group only B has, into ``b.segment_text(segment_b)``); both are None for a special-token group.
    ``a`` and ``b`` are positions in each inspection's ``tokens``, in reading order; either may be
    empty (characters one side dropped, a special token one side lacks).

    Difference flags:
    ``boundary``  the two sides cut these characters into different pieces (split in one, whole in
                  the other; different pieces; no token at all on one side);
    ``unk_a``     an unknown token in A and none in B here; ``unk_b`` the other way round;
    ``special``   the special tokens differ (string or id), or one side has none here;
    ``cut_a``     A loses (more of) these tokens to truncation than B: the model of A never sees them
                  while B's does; ``cut_b`` the other way round;
    ``moved``     the characters sit in the other segment in B (the pair swapped: other token type ids).
    """

    segment: int | None
    start: int | None
    end: int | None
    a: tuple[int, ...]
    b: tuple[int, ...]
    boundary: bool = False
    unk_a: bool = False
    unk_b: bool = False
    special: bool = False
    cut_a: bool = False
    cut_b: bool = False
    segment_b: int | None = None
    moved: bool = False

    @property
    def is_special(self) -> bool:
        """A group of special tokens (tokens without character offsets)."""
        return self.start is None

    @property
    def differs(self) -> bool:
        return (self.boundary or self.unk_a or self.unk_b or self.special or self.cut_a or self.cut_b
                or self.moved)

    def flags(self) -> tuple[str, ...]:
        """The names of the flags that are set, as in the JSON (``"boundary"``, ``"unk-a"`` …)."""
        return tuple(name for attr, name in FLAGS.items() if getattr(self, attr))


@dataclass(frozen=True)
class ConfigRow:
    """One preprocessing fact of A and of B. Values are JSON values (str, int, bool or None)."""

    field: str
    a: object
    b: object
    differs: bool


@dataclass(frozen=True)
class SideSummary:
    """The figures of one side: how many tokens, how many unknown, how many cut off and where."""

    tokens: int
    kept: int
    unknown: int
    lost: int
    cut_char: int | None
    cut_segment: int | None

    @classmethod
    def of(cls, inspection: Inspection) -> "SideSummary":
        t = inspection.truncation
        return cls(tokens=t.tokens_total, kept=t.tokens_kept, unknown=int(np.count_nonzero(inspection.tokens.unk)),
                   lost=t.tokens_lost, cut_char=t.cut_char, cut_segment=t.cut_segment)


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two inspections of the same text side by side."""

    a: Inspection
    b: Inspection
    alignment: tuple[AlignedGroup, ...]
    config_diff: tuple[ConfigRow, ...]
    summary_a: SideSummary
    summary_b: SideSummary

    @property
    def differing_groups(self) -> tuple[AlignedGroup, ...]:
        return tuple(g for g in self.alignment if g.differs)

    @property
    def differing_rows(self) -> tuple[ConfigRow, ...]:
        return tuple(r for r in self.config_diff if r.differs)


def compare(a: Inspection, b: Inspection) -> Comparison:
    """Align ``a`` and ``b``, diff their preprocessing facts and sum up both sides."""
    return Comparison(a=a, b=b, alignment=tuple(align(a, b)), config_diff=tuple(config_diff(a, b)),
                      summary_a=SideSummary.of(a), summary_b=SideSummary.of(b))


# -- alignment -------------------------------------------------------------------------------


def align(a: Inspection, b: Inspection) -> list[AlignedGroup]:
    """Group the tokens of ``a`` and ``b`` that cover the same characters, in reading order.

    Segments are matched by their text (so B = A with the pair swapped aligns A's text with B's
    second segment). Within a pair of matched segments, the intervals ``[start, end)`` of both sides
    are sorted together and swept once: a new group starts where a token starts at or after the end
    of every token before it. Every character covered by some token therefore belongs to exactly one
    group, and every token of A and of B to exactly one group. Special tokens are paired by their
    anchor (before the text, after a segment's last token, or after a given character) and by their
    order at that anchor.
    """
    ta, tb = a.tokens, b.tokens
    b_to_a = _segment_map(a, b)
    a_rank = np.array([0, 1], np.int64)
    b_rank = np.array([b_to_a.get(s, 2 + s) for s in (0, 1)], np.int64)

    parts: list[tuple] = []  # (segment, segment_b, columns) of text groups per matched segment
    for sa, sb in _segment_pairs(a, b, b_to_a):
        a_mask = (ta.segments == sa) & (ta.starts >= 0) if sa is not None else None
        b_mask = (tb.segments == sb) & (tb.starts >= 0) if sb is not None else None
        text = a.segment_text(sa) if sa is not None else b.segment_text(sb)
        columns = _text_groups(ta, a_mask, tb, b_mask, text)
        if columns is not None:
            parts.append((sa, sb, columns))
    specials = _special_groups(ta, a_rank, tb, b_rank)

    # One reading order over all groups: (segment rank, char, text after specials at the same char, k).
    keys = []
    for sa, sb, columns in parts:
        starts = columns["start"]
        rank = sa if sa is not None else 2 + sb
        keys.append(np.stack([np.full(len(starts), rank), starts, np.ones(len(starts), np.int64),
                              np.zeros(len(starts), np.int64)]))
    if specials:
        keys.append(np.array([[s[0] for s in specials], [s[1] for s in specials],
                              [0] * len(specials), [s[2] for s in specials]], dtype=np.int64))
    if not keys:
        return []
    key = np.concatenate(keys, axis=1)
    order = np.lexsort(key[::-1]).tolist()

    groups: list[AlignedGroup] = []
    for sa, sb, columns in parts:
        groups.extend(_build_text_groups(sa, sb, columns))
    for _rank, _char, _k, pa, pb, flags in specials:
        groups.append(AlignedGroup(None, None, None, pa, pb, False, *flags))
    return [groups[i] for i in order]


def _segment_map(a: Inspection, b: Inspection) -> dict[int, int]:
    """B's segments -> A's segments with the same text (the same index first)."""
    a_segments = [0] + ([1] if a.pair is not None else [])
    b_segments = [0] + ([1] if b.pair is not None else [])
    mapping: dict[int, int] = {}
    for s in b_segments:
        if s in a_segments and a.segment_text(s) == b.segment_text(s):
            mapping[s] = s
    for sb in b_segments:
        if sb not in mapping:
            for sa in a_segments:
                if sa not in mapping.values() and a.segment_text(sa) == b.segment_text(sb):
                    mapping[sb] = sa
                    break
    return mapping


def _segment_pairs(a: Inspection, b: Inspection, b_to_a: dict[int, int]):
    """(A segment or None, B segment or None) for every segment of either side."""
    a_to_b = {sa: sb for sb, sa in b_to_a.items()}
    for sa in [0] + ([1] if a.pair is not None else []):
        yield sa, a_to_b.get(sa)
    for sb in [0] + ([1] if b.pair is not None else []):
        if sb not in b_to_a:
            yield None, sb


def covered_spans(starts: np.ndarray, ends: np.ndarray, text: str) -> tuple[np.ndarray, np.ndarray]:
    """The characters tokens cover, without the whitespace at their edges: ``[start, end)`` per token.

    Families mark word starts differently (WordPiece covers ``world``, a byte-level ``Ġworld`` or a
    SentencePiece ``▁world`` may cover `` world``), so tokens are aligned on the characters they cover
    but spaces. A token of whitespace only (a lone ``Ġ`` or ``▁``) becomes zero-width at the next other
    character, so it joins the word it starts.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    solid = np.append(np.flatnonzero(~np.isin(codes, WHITESPACE)), len(codes))  # + a sentinel
    starts, ends = np.asarray(starts, np.int64), np.asarray(ends, np.int64)
    first = solid[np.searchsorted(solid, starts)]
    k = np.searchsorted(solid, ends) - 1
    last = np.where(k >= 0, solid[np.maximum(k, 0)] + 1, 0)
    blank = first >= last
    after = solid[np.searchsorted(solid, ends)]
    return np.where(blank, after, first), np.where(blank, after, np.maximum(last, first))


def _text_groups(ta: Tokens, a_mask, tb: Tokens, b_mask, text: str) -> dict | None:
    """Column-wise text groups of one matched segment: the sort and sweep over both sides' covered characters."""
    pa = np.flatnonzero(a_mask) if a_mask is not None else np.zeros(0, np.int64)
    pb = np.flatnonzero(b_mask) if b_mask is not None else np.zeros(0, np.int64)
    na, nb = len(pa), len(pb)
    if na + nb == 0:
        return None
    starts, ends = covered_spans(np.concatenate([ta.starts[pa], tb.starts[pb]]),
                                 np.concatenate([ta.ends[pa], tb.ends[pb]]), text)
    order = np.lexsort((ends, starts))  # by start, then end (a zero-width token before a wider one)
    s, e = starts[order], ends[order]
    reach = np.maximum.accumulate(e)
    new = np.empty(na + nb, bool)
    new[0] = True
    new[1:] = s[1:] >= reach[:-1]
    # a zero-width token (a word-start "Ġ" or "▁" alone) joins what follows it at the same point
    new[1:] &= ~((e[:-1] == s[:-1]) & (s[:-1] == s[1:]))
    first = np.flatnonzero(new)
    n_groups = len(first)
    gid = np.empty(na + nb, np.int64)
    gid[order] = np.cumsum(new) - 1

    # Each side's tokens sorted by (group, position): a stable sort of the group ids keeps positions rising.
    ga, gb = gid[:na], gid[na:]
    oa, ob = np.argsort(ga, kind="stable"), np.argsort(gb, kind="stable")
    ga, pa, gb, pb = ga[oa], pa[oa], gb[ob], pb[ob]
    count_a = np.bincount(ga, minlength=n_groups)
    count_b = np.bincount(gb, minlength=n_groups)
    bounds_a = np.concatenate([[0], np.cumsum(count_a)])
    bounds_b = np.concatenate([[0], np.cumsum(count_b)])

    # boundary: different counts, or the same count with any piece's (start, end) differing
    same_count = count_a == count_b
    pick = same_count[ga]
    rank = np.arange(na) - bounds_a[ga]
    other = bounds_b[ga[pick]] + rank[pick]
    start_a, end_a = starts[:na][oa], ends[:na][oa]  # covered characters, in (group, position) order
    start_b, end_b = starts[na:][ob], ends[na:][ob]
    mismatch = (start_a[pick] != start_b[other]) | (end_a[pick] != end_b[other])
    boundary = ~same_count | (np.bincount(ga[pick], weights=mismatch, minlength=n_groups) > 0)

    unk_a = np.bincount(ga, weights=ta.unk[pa], minlength=n_groups) > 0
    unk_b = np.bincount(gb, weights=tb.unk[pb], minlength=n_groups) > 0
    special_a = np.bincount(ga, weights=ta.special[pa], minlength=n_groups) > 0
    special_b = np.bincount(gb, weights=tb.special[pb], minlength=n_groups) > 0
    lost_a = _loss_state(np.bincount(ga, weights=~ta.kept[pa], minlength=n_groups), count_a)
    lost_b = _loss_state(np.bincount(gb, weights=~tb.kept[pb], minlength=n_groups), count_b)
    return {
        "start": s[first], "end": np.maximum.reduceat(e, first),
        "pa": pa.tolist(), "pb": pb.tolist(), "bounds_a": bounds_a.tolist(), "bounds_b": bounds_b.tolist(),
        "flags": np.stack([boundary, unk_a & ~unk_b, unk_b & ~unk_a, special_a != special_b,
                           lost_a > lost_b, lost_b > lost_a], axis=1).tolist(),
    }


def _loss_state(lost: np.ndarray, count: np.ndarray) -> np.ndarray:
    """0 nothing lost, 1 some tokens lost, 2 every token lost."""
    return np.where(lost == 0, 0, np.where(lost >= count, 2, 1))


def _build_text_groups(sa, sb, columns) -> list[AlignedGroup]:
    pa, pb = columns["pa"], columns["pb"]
    ba, bb = columns["bounds_a"], columns["bounds_b"]
    starts, ends = columns["start"].tolist(), columns["end"].tolist()
    moved = sa is not None and sb is not None and sa != sb
    return [
        AlignedGroup(sa, start, end, tuple(pa[ba[g]:ba[g + 1]]), tuple(pb[bb[g]:bb[g + 1]]), *flags, sb, moved)
        for g, (start, end, flags) in enumerate(zip(starts, ends, columns["flags"]))
    ]


def _anchors(tokens: Tokens, rank: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(segment rank, char, k, position) of every token without offsets.

    A special token before any text token is anchored at (-1, 0); after the last token of a segment
    at (that segment, END); between two tokens of a segment at (segment, end of the token before).
    ``k`` numbers the tokens that share an anchor.
    """
    has = tokens.starts >= 0
    loose = np.flatnonzero(~has)
    if not len(loose):
        return []
    text_positions = np.flatnonzero(has)
    before = np.searchsorted(text_positions, loose) - 1
    anchors = []
    seen: dict[tuple[int, int], int] = {}
    n_text = len(text_positions)
    for position, k in zip(loose.tolist(), before.tolist()):
        if k < 0:
            anchor = (-1, 0)
        else:
            prev = text_positions[k]
            segment = tokens.segments[prev]
            last = k + 1 >= n_text or tokens.segments[text_positions[k + 1]] != segment
            anchor = (int(rank[segment]), int(_END) if last else int(tokens.ends[prev]))
        index = seen.get(anchor, 0)
        seen[anchor] = index + 1
        anchors.append((anchor[0], anchor[1], index, position))
    return anchors


def _special_groups(ta: Tokens, a_rank, tb: Tokens, b_rank) -> list[tuple]:
    """(rank, char, k, a positions, b positions, flags) of the special-token groups."""
    paired: dict[tuple[int, int, int], list] = {}
    for side, (tokens, rank) in enumerate(((ta, a_rank), (tb, b_rank))):
        for rank_, char, k, position in _anchors(tokens, rank):
            paired.setdefault((rank_, char, k), [None, None])[side] = position
    groups = []
    for (rank_, char, k), (i, j) in paired.items():
        a_unk = i is not None and bool(ta.unk[i])
        b_unk = j is not None and bool(tb.unk[j])
        special = i is None or j is None or ta.strings[i] != tb.strings[j] or int(ta.ids[i]) != int(tb.ids[j])
        a_lost = i is not None and not ta.kept[i]
        b_lost = j is not None and not tb.kept[j]
        flags = (a_unk and not b_unk, b_unk and not a_unk, special, a_lost and not b_lost, b_lost and not a_lost)
        groups.append((rank_, char, k, () if i is None else (i,), () if j is None else (j,), flags))
    return groups


# -- preprocessing facts ---------------------------------------------------------------------


def config_diff(a: Inspection, b: Inspection) -> list[ConfigRow]:
    """The preprocessing facts of A and B side by side, as the settings put them in effect."""
    fa, fb = _config(a), _config(b)
    rows = []
    for name in dict.fromkeys([*fa, *fb]):
        va, vb = fa.get(name), fb.get(name)
        rows.append(ConfigRow(field=name, a=va, b=vb, differs=va != vb))
    return rows


def lowercase_in_effect(inspection: Inspection) -> bool:
    """Whether the text was lowercased: the setting when forced, else what the model's files say."""
    return lowercase_applied(inspection.settings.lowercase, inspection.facts.lowercase)


def max_length_in_effect(inspection: Inspection) -> int | None:
    """The length truncation cuts at (None: nothing is cut, truncation off or no limit known)."""
    s = inspection.settings
    if s.truncation == "none":
        return None
    return s.max_length if s.max_length is not None else inspection.facts.model_max_length


def _config(inspection: Inspection) -> dict[str, object]:
    f, s = inspection.facts, inspection.settings
    mode = s.lowercase
    lowercase = lowercase_in_effect(inspection)
    normalizer, strip_accents = f.normalizer, f.strip_accents
    if mode != "auto":
        if normalizer and normalizer.startswith("BertNormalizer("):
            normalizer = re.sub(r"lowercase=\w+", f"lowercase={lowercase}", normalizer)
            if "strip_accents=None" in normalizer:  # BertNormalizer strips accents when it lowercases
                strip_accents = lowercase
        elif lowercase != bool(f.lowercase):
            normalizer = f"{normalizer or 'none'} + lowercasing {mode}"
    config: dict[str, object] = {
        "source": inspection.source,
        "model_type": f.model_type,
        "tokenizer_class": f.tokenizer_class,
        "tokenizer_model": f.tokenizer_model,
        "vocab_size": f.vocab_size,
        "tokenizer_size": f.tokenizer_size,
        "embedding_rows": f.embedding_rows,
        "lowercase": lowercase,
        "lowercase_setting": mode,
        "strip_accents": strip_accents,
        "normalizer": normalizer,
        "pre_tokenizer": f.pre_tokenizer,
    }
    for role in ("cls", "sep", "bos", "eos", "pad", "unk", "mask"):
        token = f.special_tokens.get(role)
        config[f"{role}_token"] = None if token is None else f"{token[0]} ({token[1]})"
    config.update({
        "add_special_tokens": s.add_special_tokens,
        "truncation": s.truncation,
        "max_length": max_length_in_effect(inspection),
        "stride": s.stride,
        "model_max_length": f.model_max_length,
        "max_position_embeddings": f.max_position_embeddings,
        "usable_positions": f.usable_positions,
        "type_vocab_size": f.type_vocab_size,
    })
    return config


# -- variants on one model -------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """B = A with one thing changed: ``apply(settings, text, pair, facts)`` gives B's (settings, text, pair)."""

    name: str
    label: str
    apply: Callable[[Settings, str, "str | None", object], tuple[Settings, str, "str | None"]]


def _flip_lowercase(settings: Settings, text: str, pair: str | None, facts) -> tuple[Settings, str, str | None]:
    on = lowercase_applied(settings.lowercase, getattr(facts, "lowercase", False))
    return settings.with_(lowercase="off" if on else "on"), text, pair


def _without_special_tokens(settings, text, pair, facts):
    return settings.with_(add_special_tokens=False), text, pair


def _max_length_128(settings, text, pair, facts):
    return settings.with_(max_length=128, truncation="longest_first" if settings.truncation == "none" else settings.truncation), text, pair


def _swap_pair(settings, text, pair, facts):
    if pair is None:
        raise InputError("swapping the pair needs a pair: give a second text (--pair)")
    truncation = {"only_first": "only_second", "only_second": "only_first"}.get(settings.truncation, settings.truncation)
    return settings.with_(truncation=truncation), pair, text


VARIANTS: dict[str, Variant] = {
    v.name: v for v in (
        Variant("lowercase-flipped", "lowercasing flipped", _flip_lowercase),
        Variant("no-special-tokens", "without special tokens", _without_special_tokens),
        Variant("max-length-128", "max_length 128", _max_length_128),
        Variant("pair-swapped", "pair swapped", _swap_pair),
    )
}


def variant(name: str, settings: Settings, text: str, pair: str | None, facts) -> tuple[Settings, str, str | None]:
    """B's (settings, text, pair) for the variant ``name`` of A's."""
    try:
        chosen = VARIANTS[name]
    except KeyError:
        raise InputError(f"unknown variant '{name}': choose one of {', '.join(VARIANTS)}") from None
    return chosen.apply(settings, text, pair, facts)


def compare_variant(inspector, name: str, text: str, pair: str | None = None,
                    settings: Settings = Settings()) -> Comparison:
    """A = ``inspector.inspect(text, pair, settings)``, B = the same with the variant ``name`` applied."""
    a = inspector.inspect(text, pair, settings)
    settings_b, text_b, pair_b = variant(name, settings, text, pair, inspector.facts)
    return compare(a, inspector.inspect(text_b, pair_b, settings_b))


# -- JSON ------------------------------------------------------------------------------------


def group_text(comparison: Comparison, group: AlignedGroup) -> str | None:
    """The characters a text group covers (None for a special-token group)."""
    if group.is_special:
        return None
    if group.segment is not None:
        return comparison.a.segment_text(group.segment)[group.start:group.end]
    return comparison.b.segment_text(group.segment_b)[group.start:group.end]


def to_json(comparison: Comparison) -> dict:
    """The contract's ``bertinspector.comparison/1`` object."""
    alignment = [
        {"segment": g.segment, "segment_b": g.segment_b, "start": g.start, "end": g.end,
         "text": group_text(comparison, g), "a": list(g.a), "b": list(g.b), "flags": list(g.flags())}
        for g in comparison.alignment
    ]
    return {
        "schema": COMPARISON_SCHEMA,
        "a": report.to_json(comparison.a),
        "b": report.to_json(comparison.b),
        "alignment": alignment,
        "config_diff": [{"field": r.field, "a": r.a, "b": r.b, "differs": r.differs} for r in comparison.config_diff],
    }
