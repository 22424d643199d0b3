"""The engine on every BERT family against the raw transformers call measured in the same run; prints JSON.

For each family folder of ``tests/modelfactory.FAMILIES`` (built here in a temporary folder): the median of
``Inspector.inspect(text)`` on 10,000 characters of multilingual text and of the raw
``tokenizer(text, return_offsets_mapping=True, return_special_tokens_mask=True)``, their ratio, and how
long the token strings take (looked up in the vocabulary by id) against the encoding's own token texts.
Usage: ``python benchmarks/bench_families.py [--repeat N] [--machine "2-core shared x86-64 CPU"]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

TEXT = ("Le café est très bon à Paris. Die Straße ist groß. Привет, мир! The quick brown fox 😀 jumps "
        "over the lazy dog; 東京は大きな都市. ")


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench_family(name: str, folder: Path, repeat: int) -> dict:
    import numpy as np

    from bertinspector.core.inspector import Inspector

    inspector = Inspector.open(str(folder))
    tokenizer = inspector.tokenizer()
    text = (TEXT * (10_000 // len(TEXT) + 1))[:10_000]
    inspector.inspect(text)  # warm: engine backend, vocabulary table
    raw = median_ms(lambda: tokenizer(text, return_offsets_mapping=True, return_special_tokens_mask=True), repeat)
    engine = median_ms(lambda: inspector.inspect(text), repeat)
    encoding = inspector._engine_backend("auto", tokenizer).encode(text)
    ids = np.asarray(encoding.ids)
    own_texts = median_ms(lambda: tuple(encoding.tokens), repeat * 5)
    lookup = median_ms(lambda: tuple(inspector.token_strings[ids].tolist()), repeat * 5)
    return {"family": name, "tokens": len(ids), "raw_median_ms": round(raw, 2), "inspect_median_ms": round(engine, 2),
            "ratio": round(engine / raw, 2), "token_strings_lookup_ms": round(lookup, 3),
            "encoding_tokens_ms": round(own_texts, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--machine", default="2-core shared x86-64 CPU")
    args = parser.parse_args()
    import modelfactory

    with tempfile.TemporaryDirectory() as root:
        results = []
        for name, (kind, options) in modelfactory.FAMILIES.items():
            folder = modelfactory.BUILDERS[kind](Path(root) / name, **options)
            results.append(bench_family(name, folder, args.repeat))
    print(json.dumps({"benchmark": "bench_families", "machine": args.machine, "chars": 10_000,
                      "repeat": args.repeat, "families": results}, indent=2))


if __name__ == "__main__":
    main()
