"""Inference speed against the raw transformers forward measured in the same run; prints JSON.

Targets (issue 4): CPU, all-MiniLM-L6-v2, 512 tokens: Run to first heatmap drawn <= 1.25x the raw
``model(**enc, output_attentions=True, output_hidden_states=True)``; switching layer or head redraws in
<= 16 ms; the overview grid in <= 300 ms; host memory held per run <= 1.2x the tensors kept; GPU: Run
to first heatmap <= 2x the raw forward for a bert-base-sized model at 512 tokens.

    python benchmarks/bench_inference.py [--device cpu|cuda] [--model default|bert-base] [--repeat N]

"Run" is the app's path: the model in the model host (a helper process), the first heatmap's slice fetched
over the pipe; the same run in this process is reported beside it (``in_process_*``). Layer/head switches
and the overview are fetched from the host too.

Where PySide6 and pyqtgraph are missing (the GPU machine), "drawn" means the numpy slice is ready and
the JSON says so ("draw": false). The overview figure is the data of every layer x head
(downsampled thumbnails); the widget's own drawing is measured by bench_gui.py.
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
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SENTENCE = "The patient was admitted with acute chest pain and shortness of breath after a long flight. "


def bert_base_folder(root: Path) -> str:
    """A bert-base-sized model with random weights and a small WordPiece vocabulary (timing only)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import modelfactory

    vocab = {token: i for i, token in enumerate(modelfactory.bert_vocab())}
    tokenizer = BertTokenizer(vocab=vocab, model_max_length=512)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=30522)).save_pretrained(root)
    tokenizer.save_pretrained(root)
    return str(root)


class Canvas:
    """A pyqtgraph image in an offscreen widget; ``draw`` returns once the pixels are painted."""

    def __init__(self):
        try:
            import pyqtgraph as pg
            from PySide6.QtWidgets import QApplication
        except ImportError:
            self.widget = None
            return
        self.app = QApplication.instance() or QApplication([])
        self.widget = pg.PlotWidget()
        self.widget.resize(700, 700)
        self.image = pg.ImageItem()
        self.widget.addItem(self.image)
        self.widget.show()

    def draw(self, array) -> None:
        if self.widget is None:
            return
        self.image.setImage(array, levels=(0.0, 1.0), autoLevels=False)
        self.widget.grab()


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def median(values) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", default="default", choices=("default", "bert-base"))
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "7")))
    args = parser.parse_args()

    import torch

    from bertinspector.core import inference
    from bertinspector.core.inspector import Inspector
    from bertinspector.core.model import Settings
    from bertinspector.core.model_host import HostedRun, ModelHost, model_side

    torch.set_grad_enabled(False)
    with tempfile.TemporaryDirectory() as tmp:
        source = "default" if args.model == "default" else bert_base_folder(Path(tmp))
        inspector = Inspector.open(source)
        loaded = inference.load_model(inspector, args.device)
        tokenizer = inspector.tokenizer()
        text = SENTENCE * 40
        settings = Settings(max_length=512)
        canvas = Canvas()
        device = loaded.device
        host = ModelHost(in_thread=False)  # the app's path: the model in its helper process
        host.call("load", model_side(inspector), args.device, "float32")

        def sync():
            if device.startswith("cuda"):
                torch.cuda.synchronize(device)

        def raw():
            enc = tokenizer(text, truncation=True, max_length=512, return_tensors="pt").to(device)
            with torch.inference_mode():
                loaded.model(**enc, output_attentions=True, output_hidden_states=True)
            sync()

        def ours():
            result = inference.run(loaded, inspector.inspect(text, settings=settings), tokenizer)
            canvas.draw(result.attention(0, 0))
            return result

        def app():
            inspection = inspector.inspect(text, settings=settings)
            result = HostedRun(host, inspection, host.call("run", inspection))
            canvas.draw(result.attention(0, 0))
            return result

        for _ in range(2):  # warm-up: kernels, allocator, caches
            raw(), ours(), app()
        raw_times, run_times, app_times = [], [], []
        for _ in range(args.repeat):  # interleaved so that machine noise hits all alike
            for fn, times in ((raw, raw_times), (ours, run_times), (app, app_times)):
                start = time.perf_counter()
                result = fn()
                times.append(time.perf_counter() - start)

        hosted = app()
        switches = []
        for layer in range(hosted.num_layers):
            for head in range(hosted.num_heads):
                start = time.perf_counter()
                canvas.draw(hosted.attention(layer, head))
                switches.append(time.perf_counter() - start)
        overview = []
        for _ in range(3):
            start = time.perf_counter()
            hosted.overview()
            overview.append(time.perf_counter() - start)
        host.close()

        del result
        import gc

        gc.collect()
        before = rss_bytes()
        held = ours()
        gc.collect()
        grown = rss_bytes() - before
        kept = inference.kept_bytes(held)

    ratio_limit = 1.25 if device == "cpu" else 2.0
    report = {
        "benchmark": "inference", "device": device,
        "gpu": torch.cuda.get_device_name(device) if device.startswith("cuda") else None,
        "model": args.model, "tokens": len(held.positions), "draw": canvas.widget is not None,
        "raw_forward_median_s": median(raw_times),
        "run_to_first_heatmap_median_s": median(app_times),
        "ratio": median(app_times) / median(raw_times), "ratio_limit": ratio_limit,
        "in_process_run_to_first_heatmap_median_s": median(run_times),
        "in_process_ratio": median(run_times) / median(raw_times),
        "switch_layer_head_median_s": median(switches), "switch_layer_head_max_s": max(switches),
        "overview_grid_data_median_s": median(overview),
        "host_memory_grown_bytes": grown if device == "cpu" else None, "tensors_kept_bytes": kept,
        "host_memory_ratio": (grown / kept) if device == "cpu" else None,
        "peak_gpu_memory_bytes": held.timings.peak_memory_bytes,
    }
    report["ok"] = report["ratio"] <= ratio_limit and report["switch_layer_head_median_s"] <= 0.016 and report["overview_grid_data_median_s"] <= 0.3
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
