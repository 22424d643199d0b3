"""Compare speed: aligning two tokenizations of a 10,000-character text; prints JSON.

Target (issue 5): ``align(a, b)`` of two tokenizations of a 10,000-character text <= 30 ms (median).
Measured on the default model (all-MiniLM-L6-v2) against itself with lowercasing flipped and a shorter
max_length (many [UNK] groups, a cut on one side only), and against itself unchanged (one-to-one);
the whole ``compare`` (alignment, config diff, summaries) and the text rendering are reported too.

Compare view (issue 5): after a keystroke the compare view repaints within the single view's budget,
p95 <= 50 ms at 10,000 characters. Measured in a child process (offscreen Qt): a character is inserted
at a random place, A and B are inspected (B = A with lowercasing flipped), aligned, handed to
``CompareView.setComparison`` and the aligned view repaints (the ~150 ms debounce is not counted).
Reported twice: with Python's garbage collector as it stands, and after ``gc.freeze()`` once the model
has loaded (without it, a full collection over the ~250,000 objects torch/transformers leave in the
heap takes ~120 ms and lands on every few keystrokes).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SENTENCE = "The quick brown fox, a naïve café owner from Paris, jumps over the unbelievably lazy dog 😀 again. "
CHARS = 10_000
TARGET_S = 0.030
VIEW_TARGET_P95_MS = 50
ROOT = Path(__file__).resolve().parents[1]

_VIEW_KEYSTROKES = """
import gc, json, os, random, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
import numpy as np
from bertinspector.app.application import make_application
from bertinspector.core.compare import compare
from bertinspector.core.inspector import Inspector
from bertinspector.widgets.compare import CompareView

SENTENCE, CHARS, COUNT, FREEZE = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "freeze"
app = make_application()
inspector = Inspector.open("default")
view = CompareView()
view.resize(1000, 820)
view.show()
text = (SENTENCE * (CHARS // len(SENTENCE) + 1))[:CHARS]
view.setInspectionA(inspector.inspect(text))
view.apply_variant("lowercase-flipped")
app.processEvents()
if FREEZE:
    gc.collect()
    gc.freeze()
rng = random.Random(0)
times, parts = [], {"inspect_ms": [], "align_ms": [], "view_ms": [], "repaint_ms": []}
for _ in range(COUNT):
    position = rng.randrange(len(text))
    text = text[:position] + "x" + text[position:]        # the keystroke
    started = time.perf_counter()
    a = inspector.inspect(text)
    text_b, pair_b = view.input_b(text, None)
    b = inspector.inspect(text_b, pair_b, view.settings_b())
    inspected = time.perf_counter()
    comparison = compare(a, b)
    aligned = time.perf_counter()
    view.setComparison(comparison)
    shown = time.perf_counter()
    view.aligned.viewport().repaint()                    # the aligned view has painted the new tokens
    done = time.perf_counter()
    times.append((done - started) * 1000)
    for key, value in zip(parts, (inspected - started, aligned - inspected, shown - aligned, done - shown)):
        parts[key].append(value * 1000)
result = {"chars": len(text), "tokens_a": len(a.tokens), "groups": len(comparison.alignment),
          "p50_ms": round(float(np.percentile(times, 50)), 1), "p95_ms": round(float(np.percentile(times, 95)), 1),
          "max_ms": round(max(times), 1), "n": len(times)}
result.update({key.replace("_ms", "_p50_ms"): round(float(np.percentile(v, 50)), 1) for key, v in parts.items()})
print(json.dumps(result))
"""


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
    if os.environ.get("BENCH_VIEW", "1") != "0":
        result["compare_view_keystroke_to_repaint"] = view_keystrokes(int(os.environ.get("BENCH_KEYSTROKES", "30")))
    print(json.dumps(result, indent=2))


def view_keystrokes(count: int) -> dict:
    """Keystroke -> compare view repainted at 10,000 characters, in child processes (see the docstring)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1"}
    figures: dict = {"target_p95_ms": VIEW_TARGET_P95_MS, "debounce_ms_not_counted": 150}
    for name, mode in (("gc_as_is", "as-is"), ("gc_frozen_after_load", "freeze")):
        child = subprocess.run([sys.executable, "-c", textwrap.dedent(_VIEW_KEYSTROKES), SENTENCE, str(CHARS),
                                str(count), mode], capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)
        if child.returncode != 0:
            figures[name] = {"error": (child.stderr.strip().splitlines() or ["failed"])[-1]}
            continue
        figure = json.loads(child.stdout.strip().splitlines()[-1])
        figure["ok"] = figure["p95_ms"] <= VIEW_TARGET_P95_MS
        figures[name] = figure
    return figures


if __name__ == "__main__":
    main()
