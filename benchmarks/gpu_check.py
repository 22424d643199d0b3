"""The CUDA path, checked on a GPU machine in one go; prints JSON (one entry per check).

    python benchmarks/gpu_check.py        # then: python benchmarks/bench_inference.py --device cuda --model bert-base

Every output kind on tiny real models agrees with the CPU; float16/bfloat16 run; cancel, a simulated
out-of-memory and a real device-side assert (in a subprocess) give clear messages; releasing a model
frees its GPU memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

ASSERT_SCRIPT = """
import sys, dataclasses
from bertinspector.core import inference
from bertinspector.core.inspector import Inspector
from bertinspector.core.errors import InputError
inspector = Inspector.open(sys.argv[1])
loaded = inference.load_model(inspector, "cuda")
inspection = inspector.inspect_ids([2, 7, inspector.facts.embedding_rows + 50, 3])
inspection = dataclasses.replace(inspection, facts=dataclasses.replace(inspection.facts, embedding_rows=None))
try:
    inference.run(loaded, inspection, inspector.tokenizer())
except InputError as error:
    print("MESSAGE:", error)
"""


def main() -> None:
    import numpy as np
    import torch
    import transformers

    import modelfactory
    from bertinspector.core import inference
    from bertinspector.core.errors import Cancelled, InputError
    from bertinspector.core.inspector import Inspector

    checks: dict[str, object] = {
        "torch": torch.__version__, "transformers": transformers.__version__,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }

    def check(name, function):
        try:
            checks[name] = function()
        except Exception:
            checks[name] = "FAILED: " + traceback.format_exc(limit=3)

    root = Path(tempfile.mkdtemp())
    text, question = "the model reads this [MASK] and the other one", "what reads"
    for variant in ("bert", "masked_lm", "sequence_classification", "token_classification", "question_answering"):
        kind, options = modelfactory.VARIANTS[variant]
        folder = modelfactory.BUILDERS[kind](root / variant, **options)

        def agree(folder=folder, variant=variant):
            inspector = Inspector.open(str(folder))
            pair = text if variant == "question_answering" else None
            inspection = inspector.inspect(question if pair else text, pair)
            cpu = inference.run(inference.load_model(inspector, "cpu"), inspection, inspector.tokenizer())
            gpu = inference.run(inference.load_model(inspector, "cuda"), inspection, inspector.tokenizer())
            assert gpu.device.startswith("cuda") and gpu.attentions[0].is_cuda
            np.testing.assert_allclose(gpu.attention(1, 0), cpu.attention(1, 0), atol=1e-4)
            np.testing.assert_allclose(gpu.hidden_norms(), cpu.hidden_norms(), rtol=1e-4)
            for dtype in ("float16", "bfloat16"):
                half = inference.run(inference.load_model(inspector, "cuda", dtype), inspection, inspector.tokenizer())
                matrix = half.attention(0, "mean")
                assert matrix.dtype == np.float32 and np.allclose(matrix.sum(-1), 1, atol=2e-2)
            return {"kind": gpu.kind, "forward_ms": round(gpu.timings.forward_s * 1e3, 2), "peak_bytes": gpu.timings.peak_memory_bytes}

        check(f"agree_cpu_gpu_{variant}", agree)

    bert = str(root / "bert")

    def cancel():
        inspector = Inspector.open(bert)
        loaded = inference.load_model(inspector, "cuda")
        token = inference.CancelToken()
        token.cancel()
        try:
            inference.run(loaded, inspector.inspect(text), inspector.tokenizer(), token)
        except Cancelled:
            return "cancelled"
        raise AssertionError("not cancelled")

    def out_of_memory():
        inspector = Inspector.open(bert)
        loaded = inference.load_model(inspector, "cuda")
        layer = inference._encoder_layers(loaded.model)[0]
        handle = layer.register_forward_pre_hook(lambda *_: torch.empty(1 << 50, device="cuda"))
        try:
            inference.run(loaded, inspector.inspect(text), inspector.tokenizer())
        except InputError as error:
            message = str(error)
        finally:
            handle.remove()
        after = inference.run(loaded, inspector.inspect(text), inspector.tokenizer())
        return {"message": message, "runs_after": after.num_layers}

    def release_frees_memory():
        from transformers import BertConfig, BertModel

        folder = root / "base"
        BertModel(BertConfig()).save_pretrained(folder)
        for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt"):
            (folder / name).write_bytes((root / "bert" / name).read_bytes())
        inspector = Inspector.open(str(folder))
        before = torch.cuda.memory_allocated()
        loaded = inference.load_model(inspector, "cuda")
        held = torch.cuda.memory_allocated() - before
        loaded.release()
        left = torch.cuda.memory_allocated() - before
        assert left < held / 100, (held, left)
        return {"held_bytes": held, "left_bytes": left}

    def device_side_assert():
        result = subprocess.run([sys.executable, "-c", ASSERT_SCRIPT, bert], capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
        line = next((l for l in result.stdout.splitlines() if l.startswith("MESSAGE:")), None)
        assert line and "device-side assert" in line, result.stdout[-500:] + result.stderr[-1500:]
        return line

    check("cancel", cancel)
    check("simulated_out_of_memory", out_of_memory)
    check("release_frees_gpu_memory", release_frees_memory)
    check("device_side_assert", device_side_assert)
    checks["devices"] = [vars(d) for d in inference.devices()]
    checks["all_ok"] = not any(isinstance(v, str) and v.startswith("FAILED") for v in checks.values())
    print(json.dumps(checks, indent=2, default=str))


if __name__ == "__main__":
    main()
