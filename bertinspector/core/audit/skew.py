"""Skew findings between two datasets under the same model (``--against``: training data vs live data).

Each finding names the two figures it compares. A finding needs both a difference that matters (an effect
size) and one that sampling alone does not explain (a test at p < 0.001), so two samples drawn from one
distribution give none.
"""

from __future__ import annotations

import math

from bertinspector.core.audit.partial import Stats

Z = 3.29  # two-sided p < 0.001
KS_C = 1.95  # Kolmogorov-Smirnov critical value at p < 0.001
MIN_KS = 0.1
MIN_SHARE_GAP = 0.01
MIN_CASED = 200
CAPITAL_RATIO = 0.25
CHARSET_MIN_SHARE = 0.0002
CHARSET_MIN_EXPECTED = 20
MAX_LISTED = 8


def findings(a: Stats, b: Stats, max_length: int | None) -> list[dict]:
    """Findings on how ``b`` (the other dataset) differs from ``a``."""
    if not a.examples or not b.examples:
        return []
    found = [f for f in (_length(a, b), _truncation(a, b, max_length), _unknown(a, b), _casing(a, b), _charset(a, b)) if f]
    return found


def _finding(code: str, message: str, a_value, b_value) -> dict:
    return {"code": code, "severity": "warning", "message": message, "a": a_value, "b": b_value}


def _two_proportions(x1: int, n1: int, x2: int, n2: int) -> float:
    """The z statistic of two proportions (0 when both are 0 or 1)."""
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 0.0 if spread == 0 else (x1 / n1 - x2 / n2) / spread


def _median(stats: Stats) -> int:
    from bertinspector.core.audit.finalize import percentile

    return percentile(sorted(stats.lengths.items()), stats.examples, 50)


def _length(a: Stats, b: Stats):
    """Kolmogorov-Smirnov distance of the two length distributions (exact, from the count tables)."""
    n, m = a.examples, b.examples
    distance, seen_a, seen_b = 0.0, 0, 0
    for length in sorted(a.lengths.keys() | b.lengths.keys()):
        seen_a += a.lengths.get(length, 0)
        seen_b += b.lengths.get(length, 0)
        distance = max(distance, abs(seen_a / n - seen_b / m))
    if distance < MIN_KS or distance < KS_C * math.sqrt((n + m) / (n * m)):
        return None
    med_a, med_b = _median(a), _median(b)
    return _finding("length-skew", f"median length {med_a} tokens here vs {med_b} in the other data "
                    f"(mean {a.tokens_total / n:.1f} vs {b.tokens_total / m:.1f}; the length distributions differ "
                    f"by {distance:.2f} Kolmogorov-Smirnov distance)", med_a, med_b)


def _truncation(a: Stats, b: Stats, max_length: int | None):
    if max_length is None:
        return None
    share_a, share_b = a.examples_cut / a.examples, b.examples_cut / b.examples
    if abs(share_a - share_b) < MIN_SHARE_GAP or abs(_two_proportions(a.examples_cut, a.examples, b.examples_cut, b.examples)) < Z:
        return None
    return _finding("truncation-skew", f"{100 * share_a:.1f}% of the examples here are cut at max_length {max_length} "
                    f"vs {100 * share_b:.1f}% of the other data", share_a, share_b)


def _unknown(a: Stats, b: Stats):
    share_a, share_b = a.unknown_examples / a.examples, b.unknown_examples / b.examples
    if abs(share_a - share_b) < MIN_SHARE_GAP or abs(_two_proportions(a.unknown_examples, a.examples, b.unknown_examples, b.examples)) < Z:
        return None
    tokens_a = a.unknown_tokens / a.tokens_total if a.tokens_total else 0.0
    tokens_b = b.unknown_tokens / b.tokens_total if b.tokens_total else 0.0
    return _finding("unknown-skew", f"{100 * share_a:.1f}% of the examples here hold unknown tokens vs "
                    f"{100 * share_b:.1f}% of the other data ({100 * tokens_a:.2f}% vs {100 * tokens_b:.2f}% of the tokens)",
                    share_a, share_b)


def capitals(stats: Stats) -> tuple[int, int]:
    """(capital letters, cased letters) of the data's characters."""
    upper = cased = 0
    for char, count in stats.chars.items():
        lower, higher = char.lower() != char, char.upper() != char
        if lower or higher:
            cased += count
            upper += count if lower else 0
    return upper, cased


def _casing(a: Stats, b: Stats):
    """The share of cased letters that are capitals: lowercased training data against capitalised live text."""
    (upper_a, cased_a), (upper_b, cased_b) = capitals(a), capitals(b)
    if min(cased_a, cased_b) < MIN_CASED:
        return None
    share_a, share_b = upper_a / cased_a, upper_b / cased_b
    low, high = sorted((share_a, share_b))
    if high < 0.005 or low > CAPITAL_RATIO * high or abs(_two_proportions(upper_a, cased_a, upper_b, cased_b)) < Z:
        return None
    return _finding("casing-skew", f"{100 * share_a:.1f}% of the cased letters here are capitals vs {100 * share_b:.1f}% "
                    f"in the other data" + (" (one side looks lowercased)" if low < 0.001 else ""), share_a, share_b)


def _casefolded(chars) -> dict:
    folded: dict = {}
    for char, count in chars.items():
        key = char.lower() if len(char.lower()) == 1 else char
        folded[key] = folded.get(key, 0) + count
    return folded


def _charset(a: Stats, b: Stats):
    """Characters common on one side (>= 0.02% of its characters, case aside) and absent on the other, where the other
    side is large enough that their absence is not chance."""
    folded_a, folded_b = _casefolded(a.chars), _casefolded(b.chars)  # capitals are casing-skew's to report
    total_a, total_b = sum(folded_a.values()), sum(folded_b.values())
    if not total_a or not total_b:
        return None
    missing = []
    for here, there, total_here, total_there, where in ((folded_a, folded_b, total_a, total_b, "here"),
                                                        (folded_b, folded_a, total_b, total_a, "the other data")):
        for char, count in here.items():
            share = count / total_here
            if share >= CHARSET_MIN_SHARE and char not in there and share * total_there >= CHARSET_MIN_EXPECTED:
                missing.append((share, char, where))
    if not missing:
        return None
    missing.sort(key=lambda m: (-m[0], m[1]))
    listed = "; ".join(f"{c!r} is {100 * s:.2f}% of the characters {w} and absent from the "
                       f"{'other data' if w == 'here' else 'data here'}" for s, c, w in missing[:MAX_LISTED])
    more = f" and {len(missing) - MAX_LISTED} more" if len(missing) > MAX_LISTED else ""
    only_a = sum(1 for m in missing if m[2] == "here")
    return _finding("charset-skew", f"{len(missing)} character(s) common on one side never occur on the other: {listed}{more}",
                    only_a, len(missing) - only_a)
