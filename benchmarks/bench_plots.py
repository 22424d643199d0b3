"""Plot drawing speed with real widget painting (``widget.grab()``); prints JSON.

Targets (issue 4), all-MiniLM-L6-v2 (``Inspector.open("default")``) at 512 tokens on the CPU:

* switching layer or head redraws in <= 16 ms (the numpy slice, ``setImage``, the read-out and the
  painting of the whole attention plot);
* the overview grid of every layer x head draws in <= 300 ms (its data, the mosaic and the paint).

Also reported, for information: the first rollout (computed once per result, then cached), and
Run -> first heatmap drawn through the controller's worker against the raw
``model(**enc, output_attentions=True, output_hidden_states=True)`` in the same process.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_plots.py [--repeat N] [--tokens 512] [--no-run]
    QT_QPA_PLATFORM=offscreen python benchmarks/bench_plots.py --shots /tmp/shots   # the gallery

``--shots DIR`` saves screenshots instead (``widget.grab().save``): the workspace after a run on the
default model at 512 tokens (attention, overview, hidden states), a short text with subwords merged
and a token selected, and the output of each model kind on the tiny test models.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SENTENCE = "The patient was admitted with acute chest pain and shortness of breath after a long flight. "
SWITCH_LIMIT_S = 0.016
OVERVIEW_LIMIT_S = 0.300
SIZE = (1100, 820)



def wait(signal, timeout_s: float = 300) -> None:
    """Run the Qt event loop until ``signal`` fires (or the timeout passes)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)

def median(values) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--tokens", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "5")))
    parser.add_argument("--no-run", action="store_true", help="skip the Run -> first heatmap measurement")
    parser.add_argument("--shots", metavar="DIR", help="save the gallery's screenshots into DIR instead")
    args = parser.parse_args()
    if args.shots:
        gallery(Path(args.shots), args.model, args.tokens)
        return

    from PySide6.QtWidgets import QApplication

    from bertinspector.app.application import configure

    app = QApplication.instance() or QApplication([])
    configure(app)

    import torch

    from bertinspector.core import inference
    from bertinspector.core.inspector import Inspector
    from bertinspector.core.model import Settings
    from bertinspector.qt.inference import InferenceController, ResultView
    from bertinspector.widgets.attention_plot import AttentionPlot

    inspector = Inspector.open(args.model)
    loaded = inference.load_model(inspector, "cpu")
    tokenizer = inspector.tokenizer()
    text = SENTENCE * (args.tokens // 8 + 8)
    inspection = inspector.inspect(text, settings=Settings(max_length=args.tokens))
    result = inference.run(loaded, inspection, tokenizer)
    n = len(result.positions)

    plot = AttentionPlot()
    plot.resize(*SIZE)
    plot.show()
    app.processEvents()

    def fresh_view() -> ResultView:
        return ResultView(result, None)

    plot.set_result(fresh_view())
    plot.grab()  # warm-up: fonts, axes, first paint
    for layer in range(result.num_layers):  # warm-up of the tensor accessors (first touches page in memory)
        for head in range(result.num_heads):
            result.attention(layer, head)

    # -- layer / head switches (what Up/Down/Left/Right do) ---------------------------------------------
    switches, heatmap_only = [], []
    for _ in range(args.repeat):
        plot.set_result(fresh_view())
        plot.grab()
        for layer in range(result.num_layers):
            for head in range(result.num_heads):
                start = time.perf_counter()
                plot.set_layer(layer)
                plot.set_head(head)
                plot.grab()
                switches.append(time.perf_counter() - start)
        start = time.perf_counter()
        plot.set_layer(0)
        plot.set_head(1)
        plot.heatmap.grab()
        heatmap_only.append(time.perf_counter() - start)
    aggregates = {}
    for head in ("mean", "max"):
        times = []
        for layer in range(result.num_layers):
            plot.set_layer(layer)
            plot.set_head(0)
            start = time.perf_counter()
            plot.set_head(head)
            plot.grab()
            times.append(time.perf_counter() - start)
        aggregates[head] = median(times)
    rollout_first = []
    for _ in range(args.repeat):
        plot.set_result(fresh_view())
        plot.set_layer(result.num_layers - 1)
        start = time.perf_counter()
        plot.set_head("rollout")
        plot.grab()
        rollout_first.append(time.perf_counter() - start)
    plot.set_head(0)

    # -- the overview grid ------------------------------------------------------------------------------
    overview = []
    for _ in range(args.repeat):
        plot.show_heatmap()
        plot.set_result(fresh_view())
        plot.grab()
        start = time.perf_counter()
        plot.show_overview()
        plot.grab()
        overview.append(time.perf_counter() - start)
    plot.show_heatmap()

    report = {
        "benchmark": "plots",
        "model": args.model,
        "tokens": n,
        "layers": result.num_layers,
        "heads": result.num_heads,
        "widget_size": list(SIZE),
        "platform": os.environ.get("QT_QPA_PLATFORM", ""),
        "torch_threads": torch.get_num_threads(),
        "switch_layer_head_median_s": median(switches),
        "switch_layer_head_p95_s": sorted(switches)[int(0.95 * (len(switches) - 1))],
        "switch_layer_head_max_s": max(switches),
        "switch_heatmap_only_median_s": median(heatmap_only),
        "switch_to_mean_median_s": aggregates["mean"],
        "switch_to_max_median_s": aggregates["max"],
        "rollout_first_draw_median_s": median(rollout_first),
        "switch_limit_s": SWITCH_LIMIT_S,
        "overview_grid_draw_median_s": median(overview),
        "overview_grid_draw_max_s": max(overview),
        "overview_limit_s": OVERVIEW_LIMIT_S,
    }

    # -- Run -> first heatmap through the worker, against the raw forward ------------------------------
    if not args.no_run:
        plot.close()
        from bertinspector.widgets.inference_panel import InferenceWorkspace

        controller = InferenceController(device="cpu")
        workspace = InferenceWorkspace(controller, list_devices=False)
        workspace.resize(1400, 860)
        workspace.show()
        workspace.set_inspector(inspector)
        workspace.set_inspection(inspection)

        def raw():
            enc = tokenizer(text, truncation=True, max_length=args.tokens, return_tensors="pt")
            with torch.inference_mode():
                loaded.model(**enc, output_attentions=True, output_hidden_states=True)

        def ours():
            start = time.perf_counter()
            workspace.run()
            wait(controller.resultReady)
            workspace.attention.heatmap.grab()
            return time.perf_counter() - start

        ours()  # loads the model in the worker
        raw()
        raw_times, run_times = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            raw()
            raw_times.append(time.perf_counter() - start)
            run_times.append(ours())
        report.update({
            "raw_forward_median_s": median(raw_times),
            "run_to_first_heatmap_median_s": median(run_times),
            "run_ratio": median(run_times) / median(raw_times),
            "run_ratio_limit": 1.25,
        })
        workspace.shutdown(10_000)

    report["ok"] = (report["switch_layer_head_median_s"] <= SWITCH_LIMIT_S
                    and report["overview_grid_draw_median_s"] <= OVERVIEW_LIMIT_S)
    print(json.dumps(report, indent=2))


def gallery(folder: Path, model: str = "default", tokens: int = 512) -> list[Path]:
    """Screenshots of the workspace after real runs (looked at when the plots change)."""
    import tempfile

    from PySide6.QtWidgets import QApplication

    from bertinspector.app.application import configure

    app = QApplication.instance() or QApplication([])
    configure(app)
    from bertinspector.core.inspector import Inspector
    from bertinspector.core.model import Settings
    from bertinspector.widgets.inference_panel import InferenceWorkspace

    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def shot(widget, name: str) -> None:
        app.processEvents()
        path = folder / f"{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    def workspace_on(inspector, text, pair=None, settings=Settings(), size=(1440, 860)):
        ws = InferenceWorkspace()
        ws.resize(*size)
        ws.show()
        wait(ws.controller.devicesChanged, 60)
        ws.set_inspector(inspector)
        ws.set_inspection(inspector.inspect(text, pair, settings))
        ws.run()
        wait(ws.controller.resultReady)
        app.processEvents()
        return ws

    inspector = Inspector.open(model)
    long_text = SENTENCE * (tokens // 8 + 8)
    ws = workspace_on(inspector, long_text, settings=Settings(max_length=tokens))
    ws.attention.set_layer(2)
    ws.attention.set_head(5)
    shot(ws, "attention_512")
    ws.attention.set_scale("log")
    shot(ws, "attention_512_log")
    ws.attention.set_scale("linear")
    ws.attention.show_overview()
    shot(ws, "overview_512")
    ws.attention.show_heatmap()
    ws.tabs.setCurrentIndex(1)
    shot(ws, "hidden_512")
    ws.shutdown(10_000)
    ws.close()

    ws = workspace_on(inspector, "Tokenizers split unbelievably long words like photosynthesis into pieces.")
    ws.attention.set_merge_words(True)
    ws.attention.set_layer(1)
    ws.attention.set_head("mean")
    position = int(ws.controller.result().positions[4])
    ws.select_token(position)
    shot(ws, "attention_merged_selected")
    ws.attention.set_merge_words(False)
    ws.attention.set_hide_special(True)
    ws.attention.set_head("rollout")
    ws.attention.set_layer(5)
    shot(ws, "attention_rollout_hidden_special")
    ws.set_inspection(inspector.inspect("Another text: the run above is now stale."))
    shot(ws, "stale")
    ws.shutdown(10_000)
    ws.close()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import modelfactory

    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("masked_lm", "the [MASK] reads this sentence and the [MASK] one", None),
            ("sequence_classification", "the model reads this sentence", None),
            ("token_classification", "the quick brown fox jumps over the lazy dog", None),
            ("question_answering", "what reads the sentence", "the model reads this sentence and the other one"),
        ]
        for name, text, pair in cases:
            kind, options = modelfactory.VARIANTS[name]
            target = Path(tmp) / name
            target.mkdir()
            modelfactory.BUILDERS[kind](target, **options)
            ws = workspace_on(Inspector.open(str(target)), text, pair, size=(1280, 720))
            shot(ws, f"output_{name}")
            ws.shutdown(10_000)
            ws.close()
    return saved


if __name__ == "__main__":
    main()
