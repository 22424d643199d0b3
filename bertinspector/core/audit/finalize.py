"""From merged :class:`Partial` s to the contract's ``bertinspector.audit/1`` JSON dict."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bertinspector.core.audit.measure import METRICS, TEXT_CODES, Side, describe_char
from bertinspector.core.audit.partial import Partial, Stats
from bertinspector.core.audit.readers import Plan
from bertinspector.core.audit import skew
from bertinspector.core.diagnostics import CODES
from bertinspector.core.errors import InputError
from bertinspector.core.model import Settings

SCHEMA = "bertinspector.audit/1"
MAX_SLICES = 50
TOP = 20
_STEPS = (1, 1.5)  # histogram edges: 8, 12, 16, 24, 32, 48, 64, 96 ...


@dataclass(frozen=True)
class SideInfo:
    """What the parent process knows of a side before any shard runs: the model, the settings, the limit
    and the model-level findings (they hold for every example alike)."""

    model: dict
    settings: dict
    max_length: int | None
    model_diagnostics: tuple[dict, ...] = ()


@dataclass
class Context:
    a: SideInfo
    plan: Plan
    b: SideInfo | None = None
    against_plan: Plan | None = None
    timing: dict = field(default_factory=dict)


def describe(side: Side, paired: bool = False) -> SideInfo:
    """The model and settings of ``side``, checking the settings the way ``tokenizer(...)`` would (an
    :class:`~bertinspector.core.errors.InputError` for a combination it refuses)."""
    from bertinspector.core.audit.shard import measurer

    m = measurer(side)
    long = "a " * (m.max_length + 8) if m.truncating else "a"
    # only_first / only_second cut one text: the other one stays short so that the cut alone reaches max_length
    cut = side.settings.truncation if paired else "only_first"
    text = "a" if cut == "only_second" else long
    pair = ("a" if cut == "only_first" else long) if paired else None
    inspection = m.inspector.inspect(text, pair, side.settings)
    found = tuple({"code": d.code, "severity": d.severity.value, "message": d.message, "examples": None, "rows": []}
                  for d in inspection.diagnostics if d.code not in TEXT_CODES)
    return SideInfo(model=m.facts.to_json(), settings=settings_json(side.settings, paired),
                    max_length=m.max_length if m.truncating else None, model_diagnostics=found)


def describe_sides(sides: tuple[Side, ...], paired: bool) -> list[SideInfo]:
    """:func:`describe` of each side (in one call, for a process of its own: ``engine.run_apart``)."""
    if not paired and any(side.swap_pair for side in sides):
        raise InputError("swapping the pair needs a pair: give the pair column with --pair-column")
    return [describe(side, paired) for side in sides]


def settings_json(settings: Settings, paired: bool) -> dict:
    return {"add_special_tokens": settings.add_special_tokens, "truncation": settings.truncation,
            "max_length": settings.max_length, "stride": settings.stride, "lowercase": settings.lowercase,
            "pair": paired}


def finalize(result: Partial, context: Context, against: Partial | None = None) -> dict:
    """The ``bertinspector.audit/1`` dict of a merged result (``against``: the second dataset's)."""
    a = result.a
    plan = context.plan
    data = data_section(result, plan)
    document = {
        "schema": SCHEMA,
        "model": context.a.model,
        "settings": context.a.settings,
        "data": data,
        **figures(a, context.a.max_length),
        "words": words(a),
        "diagnostics": diagnostics(a, context.a),
        "worst": worst(a),
        "slices": slices(a),
        "b": None,
        "against": None,
        "timing": context.timing,
    }
    if plan.columns.label is not None:
        data["labels"] = len(a.slices)
    if result.b is not None and context.b is not None:
        b = figures(result.b, context.b.max_length)
        document["b"] = {
            "model": context.b.model, "settings": context.b.settings, "length": b["length"],
            "truncation": b["truncation"], "unknown": b["unknown"], "diagnostics": diagnostics(result.b, context.b),
            "examples_changed": result.changed[0], "share_changed": _share(result.changed[0], a.examples),
            "rows_changed": result.changed[1],
        }
    if against is not None and context.against_plan is not None:
        other = figures(against.a, context.a.max_length)
        document["against"] = {
            "data": data_section(against, context.against_plan), "length": other["length"],
            "truncation": other["truncation"], "unknown": other["unknown"], "words": words(against.a),
            "findings": skew.findings(a, against.a, context.a.max_length),
        }
    return document


def data_section(result: Partial, plan: Plan) -> dict:
    c = plan.columns
    return {"sources": list(plan.sources), "column": c.text, "pair_column": c.pair, "label_column": c.label,
            "rows_read": result.rows_read, "examples": result.a.examples, "skipped": result.skipped,
            "bad_rows": result.bad_rows}


def figures(stats: Stats, max_length: int | None) -> dict:
    """The length, histogram, truncation, unknown and dropped-character sections of one side."""
    n = stats.examples
    lengths = sorted(stats.lengths.items())
    return {
        "length": length_summary(lengths, n, stats.tokens_total),
        "histogram": histogram(lengths, max_length),
        "truncation": {
            "max_length": max_length, "examples_cut": stats.examples_cut, "share_cut": _share(stats.examples_cut, n),
            "tokens_total": stats.tokens_total, "tokens_kept": stats.tokens_kept,
            "tokens_lost": stats.tokens_total - stats.tokens_kept,
            "tokens_lost_share": _share(stats.tokens_total - stats.tokens_kept, stats.tokens_total),
        },
        "unknown": {
            "examples": stats.unknown_examples, "tokens": stats.unknown_tokens,
            "share_of_tokens": _share(stats.unknown_tokens, stats.tokens_total),
            "top": [{"text": t, "count": c} for t, c in _most_common(stats.unknown_texts)],
        },
        "dropped_characters": {
            "examples": stats.dropped_examples, "characters": stats.dropped_characters,
            "top": [{"char": ch, "name": describe_char(ch), "count": c} for ch, c in _most_common(stats.dropped_chars)],
        },
    }


def _most_common(counter, k: int = TOP):
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:k]


def length_summary(lengths: list[tuple[int, int]], n: int, tokens: int) -> dict:
    if n == 0:
        return {"min": 0, "max": 0, "mean": 0.0, "p50": 0, "p90": 0, "p95": 0, "p99": 0}
    return {"min": lengths[0][0], "max": lengths[-1][0], "mean": tokens / n,
            **{f"p{q}": percentile(lengths, n, q) for q in (50, 90, 95, 99)}}


def percentile(lengths: list[tuple[int, int]], n: int, q: float) -> int:
    """The nearest-rank percentile: the smallest length with at least ceil(q% of n) examples at or below it."""
    rank = max(1, math.ceil(q / 100 * n))
    seen = 0
    for length, count in lengths:
        seen += count
        if seen >= rank:
            return length
    return lengths[-1][0]


def histogram_edges(longest: int, max_length: int | None) -> list[int]:
    """Ascending edges 0, 8, 12, 16, 24, 32, 48 … up to the longest example (or ``max_length``), with
    ``max_length`` among them; the last bin is open."""
    top = max(longest, max_length or 0)
    edges = [0]
    for edge in _edge_series():
        if edge > top:
            break
        edges.append(edge)
    if max_length is not None:
        edges.append(max_length)
    return sorted(set(edges))


def _edge_series():
    base = 8
    while True:
        for step in _STEPS:
            yield int(base * step)
        base *= 2


def histogram(lengths: list[tuple[int, int]], max_length: int | None) -> dict:
    """``counts[i]`` examples with ``edges[i] <= tokens_total < edges[i+1]``; the last bin is open."""
    longest = lengths[-1][0] if lengths else 0
    edges = histogram_edges(longest, max_length)
    counts = [0] * len(edges)
    i = 0
    for length, count in lengths:
        while i + 1 < len(edges) and length >= edges[i + 1]:
            i += 1
        counts[i] += count
    return {"edges": edges, "counts": counts}


def words(stats: Stats) -> dict:
    return {"count": stats.words, "fertility": stats.word_tokens / stats.words if stats.words else 0.0,
            "single_token_share": _share(stats.single_token_words, stats.words)}


def diagnostics(stats: Stats, side: SideInfo) -> list[dict]:
    """Model-level findings once, then every text-level code that fired, most severe and most frequent first."""
    found = [dict(d, examples=stats.examples) for d in side.model_diagnostics]
    for code, (count, rows) in stats.codes.items():
        found.append({"code": code, "severity": CODES[code].value, "examples": count, "rows": rows,
                      "message": _message(code, count, stats.examples, side)})
    rank = {"error": 0, "warning": 1, "info": 2}
    found.sort(key=lambda d: (rank[d["severity"]], -(d["examples"] or 0), d["code"]))
    return found


def _message(code: str, count: int, n: int, side: SideInfo) -> str:
    share = f"{count} of {n} examples ({100 * _share(count, n):.1f}%)"
    what = {
        "sequence-truncated": f"lose tokens to truncation at max_length {side.max_length}",
        "exceeds-model-max-length": "give the model more tokens than it takes",
        "missing-special-tokens": "lack the special tokens the model was trained with",
        "special-token-text-not-special": "hold a special token's text read as ordinary text",
        "unknown-tokens": "hold unknown tokens",
        "case-mismatch": "have capitals the tokenizer's lowercasing setting contradicts",
        "accents-stripped": "have accents the normalizer strips",
        "characters-dropped": "have characters that produce no token",
        "word-too-long": "have a word longer than the WordPiece limit (it becomes one unknown token)",
        "token-id-out-of-range": "have token ids past the model's embedding rows",
        "token-type-out-of-range": "have token_type_ids past the model's type_vocab_size",
        "pair-segments-missing": "are pairs whose second segment gets token_type_id 0",
    }[code]
    return f"{share} {what}"


def worst(stats: Stats) -> list[dict]:
    rows = []
    for metric in METRICS:
        for value, row, preview in stats.worst[metric]:
            entry = {"metric": metric, "row": row, "value": value}
            preview = preview or {"preview": "", "start": 0, "cut_char": None, "unknown_spans": []}
            entry.update({"preview": preview["preview"], "preview_start": preview["start"],
                          "cut_char": preview["cut_char"], "unknown_spans": preview["unknown_spans"]})
            rows.append(entry)
    return rows


def slices(stats: Stats) -> list[dict]:
    ordered = sorted(stats.slices.items(), key=lambda item: (-item[1][0], item[0]))[:MAX_SLICES]
    return [{"label": label, "examples": n, "share_cut": _share(cut, n), "unknown_share": _share(unknown, tokens),
             "mean_length": tokens / n if n else 0.0} for label, (n, cut, unknown, tokens) in ordered]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
