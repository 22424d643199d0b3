"""Compare speed: aligning two tokenizations of a 10,000-character text; prints JSON.

Target (issue 5): ``align(a, b)`` of two tokenizations of a 10,000-character text <= 30 ms (median).
Measured on the default model (all-MiniLM-L6-v2) against itself with lowercasing flipped and a shorter
max_length (many [UNK] groups, a cut on one side only), and against itself unchanged (one-to-one);
the whole ``compare`` (alignment, config diff, summaries) and the text rendering are reported too.
"""

from __future__ import annotations

import json
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SENTENCE = "The quick brown fox, a naïve café owner from Paris, jumps over the unbelievably lazy dog 😀 again. "
CHARS = 10_000
TARGET_S = 0.030


def timings(function, repeat: int) -> dict:
    function()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    times.sort()
    return {"median_s": statistics.median(times), "min_s": times[0], "max_s": times[-1]}


def main() -> None:
    from bertinspector.core.compare import align, compare
    from bertinspector.core.compare_report import render_text
    from bertinspector.core.inspector import Inspector
    from bertinspector.core.model import Settings

    repeat = int(os.environ.get("BENCH_REPEAT", "21"))
    inspector = Inspector.open("default")
    text = (SENTENCE * (CHARS // len(SENTENCE) + 1))[:CHARS]
    a = inspector.inspect(text, settings=Settings(truncation="none"))
    b = inspector.inspect(text, settings=Settings(lowercase="off", max_length=512))
    same = inspector.inspect(text, settings=Settings(truncation="none"))

    flipped = timings(lambda: align(a, b), repeat)
    identical = timings(lambda: align(a, same), repeat)
    whole = timings(lambda: compare(a, b), repeat)
    comparison = compare(a, b)
    rendering = timings(lambda: render_text(comparison), max(3, repeat // 4))
    result = {
        "benchmark": "compare",
        "chars": len(text),
        "tokens_a": len(a.tokens),
        "tokens_b": len(b.tokens),
        "groups": len(comparison.alignment),
        "differing_groups": len(comparison.differing_groups),
        "align_lowercase_flipped": flipped,
        "align_identical": identical,
        "compare_total": whole,
        "render_text": rendering,
        "target_s": TARGET_S,
        "ok": flipped["median_s"] <= TARGET_S and identical["median_s"] <= TARGET_S,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
