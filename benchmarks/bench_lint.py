"""``bertinspector lint`` on a 1,000-line file, against the raw ``ast.parse`` measured in the same run;
prints JSON.

Target (issue 17): fast enough for a pre-commit hook, <= 0.3 s for a 1,000-line file from process
start to output, never importing torch or transformers. Measured: the linter in-process vs
``ast.parse`` of the same code, and ``python -m bertinspector lint FILE`` vs a process that only
parses the file.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from timing import interleaved_runs, median_seconds  # benchmarks/timing.py, beside this script

BLOCK = textwrap.dedent('''\
    def prepare_{n}(texts, labels):
        tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased").to(device)
        enc = tokenizer(texts, padding=True, return_tensors="pt")
        enc = {{k: v.to(device) for k, v in enc.items()}}
        outputs = model(**enc)
        scores = []
        for text in texts:
            ids = tokenizer.encode(text, add_special_tokens=False)
            scores.append(len(ids))
        joined = [q + " [SEP] " + c for q, c in zip(texts, labels)]
        total = sum(scores) / max(1, len(scores))
        return outputs, total, joined

    ''')

PARSE_ONLY = "import ast, sys\nast.parse(open(sys.argv[1], encoding='utf-8').read())\n"


def thousand_lines() -> str:
    code = "from transformers import AutoTokenizer, AutoModelForSequenceClassification\n\n"
    n = 0
    while code.count("\n") < 1000:
        code += BLOCK.format(n=n)
        n += 1
    return "\n".join(code.split("\n")[:1000]) + "\n"


def bench_in_process(code: str, repeat: int) -> dict:
    import ast

    from bertinspector.core.lint import lint

    report = lint(code, "bench.py")
    raw = median_seconds(lambda: ast.parse(code), repeat)
    linted = median_seconds(lambda: lint(code, "bench.py"), repeat)
    return {"lines": code.count("\n"), "findings": len(report.findings), "raw_ast_parse_median_s": raw,
            "lint_median_s": linted, "ratio": linted / raw}


def bench_process(path: Path, repeat: int) -> dict:
    parse_only = [sys.executable, "-c", PARSE_ONLY, str(path)]
    cli = [sys.executable, "-m", "bertinspector", "lint", str(path), "--format", "json", "--fail-on", "never"]

    medians, _ = interleaved_runs({"parse_only": parse_only, "cli": cli}, repeat)
    parse_s, cli_s = medians["parse_only"], medians["cli"]
    probe = ("import sys\nfrom bertinspector.app.cli import main\nmain(['lint', sys.argv[1], '--fail-on', 'never'])\n"
             "sys.stderr.write(','.join(sorted(m for m in ('torch', 'transformers') if m in sys.modules)))\n")
    loaded = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True).stderr.strip()
    return {"parse_only_median_s": parse_s, "cli_median_s": cli_s, "ratio": cli_s / parse_s,
            "target_s": 0.3, "ok": cli_s <= 0.3, "model_libraries_imported": loaded.split(",") if loaded else []}


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "9"))
    code = thousand_lines()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "prepare.py"
        path.write_text(code, encoding="utf-8")
        machine = {"name": os.environ.get("BENCH_MACHINE", ""), "python": platform.python_version(),
                   "cpus": os.cpu_count(), "platform": platform.platform(), "load_average": os.getloadavg()[0]}
        result = {"benchmark": "lint", "machine": machine,
                  "in_process_1000_lines": bench_in_process(code, repeat),
                  "cli_start_to_output_1000_lines": bench_process(path, repeat)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
