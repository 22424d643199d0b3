"""Inference in the GUI: the worker (run, cancel, supersede, faults), outputs by kind, and the plots.

Tiny real models from ``model_factory``; the model runs in the controller's worker thread and the
tests wait for its signals. Nothing in transformers or tokenizers is mocked; faults are injected
with forward hooks on the loaded model.
"""

from __future__ import annotations

import threading

import numpy as np
from guihelpers import shown
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel

from bertinspector.core import inference
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings
from bertinspector.qt.inference import InferenceController, ResultView, same_input
from bertinspector.widgets.attention_plot import AttentionPlot
from bertinspector.widgets.heatmap import reduce_matrix, token_groups
from bertinspector.widgets.hidden_plot import HiddenPlot
from bertinspector.widgets.inference_panel import InferenceWorkspace

TEXT = "the model reads this sentence and the other one"
SPLIT_TEXT = "the bertinspector reads quickly"  # "bertinspector" is split into pieces by the tiny vocab
WAIT_MS = 60_000

_INSPECTORS: dict[str, Inspector] = {}


def inspector_for(model_factory, variant: str = "bert") -> Inspector:
    if variant not in _INSPECTORS:
        _INSPECTORS[variant] = Inspector.open(str(model_factory.variant(variant)))
    return _INSPECTORS[variant]


@pytest.fixture
def workspace(qtbot):
    made = []

    def make(inspector=None, **options):
        options.setdefault("list_devices", False)
        ws = InferenceWorkspace(**options)
        qtbot.addWidget(ws)
        ws.resize(1200, 760)
        ws.show()
        if inspector is not None:
            ws.set_inspector(inspector)
        made.append(ws)
        return ws

    yield make
    for ws in made:
        assert ws.shutdown(10_000)


def run_and_wait(qtbot, ws, inspection):
    ws.set_inspection(inspection)
    with qtbot.waitSignal(ws.controller.resultReady, timeout=WAIT_MS) as blocker:
        ws.run()
    return blocker.args[0]


def wait_idle(qtbot, controller):
    qtbot.waitUntil(lambda: not controller.runner.is_busy(), timeout=WAIT_MS)


class Gate:
    """A forward pre-hook that holds the first layer until released (the run is then 'in flight')."""

    def __init__(self, layer, once: bool = True):
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        self.once = once
        self.handle = layer.register_forward_pre_hook(self)

    def __call__(self, *_):
        self.calls += 1
        if self.once and self.calls > 1:
            return
        self.entered.set()
        self.release.wait(30)

    def remove(self):
        self.release.set()
        self.handle.remove()


def layers_of(controller):
    return inference._encoder_layers(controller.loaded_model().model)


# -- the worker ---------------------------------------------------------------------------------------
def test_a_run_happens_in_a_worker_and_shows_numpy_results(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    inspection = inspector.inspect(TEXT)
    threads = []
    view = run_and_wait(qtbot, ws, inspection)
    first = layers_of(ws.controller)[0]
    handle = first.register_forward_pre_hook(lambda *_: threads.append(threading.current_thread()))
    try:
        run_and_wait(qtbot, ws, inspection)
    finally:
        handle.remove()
    assert threads and all(t is not threading.main_thread() for t in threads)
    view = ws.controller.result()
    n = len(view)
    assert n == int(inspection.tokens.kept.sum())
    matrix = ws.attention.matrix()
    assert isinstance(matrix, np.ndarray) and matrix.shape == (n, n) and matrix.dtype == np.float32
    for name in ("hidden_norms", "layer_cosine", "overview", "rollout"):
        assert isinstance(getattr(view, name)(), np.ndarray)
    assert not any(hasattr(v, "detach") for v in view.outputs.values())
    assert "forward" in ws.panel.timing_label.text() and "peak memory" in ws.panel.timing_label.text()
    assert ws.controller.model_info().kind == "base"


def test_the_model_is_loaded_once_and_reused(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    loads = []
    ws.controller.modelLoaded.connect(loads.append)
    run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    first = ws.controller.loaded_model()
    run_and_wait(qtbot, ws, inspector.inspect("another text for the model"))
    assert ws.controller.loaded_model() is first and len(loads) == 1


def test_cancel_stops_the_run_and_nothing_is_shown(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    run_and_wait(qtbot, ws, inspector.inspect(TEXT))  # loads the model
    first, second = layers_of(ws.controller)[:2]
    gate = Gate(first)
    later = []
    handle = second.register_forward_pre_hook(lambda *_: later.append(1))
    shown = []
    ws.controller.resultReady.connect(shown.append)
    try:
        ws.set_inspection(inspector.inspect("a new text to cancel"))
        ws.run()
        assert ws.panel.cancel_button.isEnabled()
        qtbot.waitUntil(gate.entered.is_set, timeout=WAIT_MS)
        qtbot.wait(30)  # the GUI keeps working while the model is held
        with qtbot.waitSignal(ws.controller.cancelled, timeout=2000):
            qtbot.mouseClick(ws.panel.cancel_button, Qt.MouseButton.LeftButton)
        assert not ws.panel.is_busy() and not ws.panel.cancel_button.isEnabled()
        # the cancel travels over the host's pipe: layer 0 is held until the host has it
        tokens = ws.controller.host._server.tokens
        qtbot.waitUntil(lambda: all(t.cancelled for t in tokens.values()), timeout=2000)
    finally:
        gate.remove()
    wait_idle(qtbot, ws.controller)
    handle.remove()
    qtbot.wait(50)
    assert shown == [] and later == []  # the second layer never ran
    assert "Cancelled" in ws.panel.status_label.text()


def test_a_newer_run_supersedes_an_older_one(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    gate = Gate(layers_of(ws.controller)[0])
    shown = []
    ws.controller.resultReady.connect(shown.append)
    older, newer = inspector.inspect("the older text"), inspector.inspect("the newer text is longer than that")
    try:
        ws.set_inspection(older)
        ws.run()
        qtbot.waitUntil(gate.entered.is_set, timeout=WAIT_MS)
        ws.set_inspection(newer)
        with qtbot.waitSignal(ws.controller.resultReady, timeout=WAIT_MS):
            ws.run()
            gate.release.set()
    finally:
        gate.remove()
    wait_idle(qtbot, ws.controller)
    qtbot.wait(50)
    assert len(shown) == 1 and shown[0].inspection is newer
    assert ws.attention.result() is shown[0] and not ws.panel.is_stale()


def test_out_of_memory_is_one_line_and_the_app_keeps_working(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    run_and_wait(qtbot, ws, inspector.inspect(TEXT))

    def out_of_memory(*_):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    handle = layers_of(ws.controller)[0].register_forward_pre_hook(out_of_memory)
    try:
        with qtbot.waitSignal(ws.controller.failed, timeout=WAIT_MS) as blocker:
            ws.run()
    finally:
        handle.remove()
    message = blocker.args[0]
    assert "out of memory" in message and "\n" not in message and "Traceback" not in message
    assert ws.panel.error_banner.isVisible() and "out of memory" in ws.panel.error_banner.text()
    assert not ws.panel.is_busy() and ws.panel.run_button.isEnabled()
    view = run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    assert view.num_layers == 2 and not ws.panel.error_banner.isVisible()


def test_ids_past_the_embeddings_are_refused_with_a_message(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory, "extra_added_tokens")
    ws = workspace(inspector)
    ws.set_inspection(inspector.inspect("the bertinspector model"))
    with qtbot.waitSignal(ws.controller.failed, timeout=WAIT_MS) as blocker:
        ws.run()
    assert "token-id-out-of-range" in blocker.args[0]


def test_half_precision_on_the_cpu_is_refused_with_a_message(qtbot, model_factory):
    inspector = inspector_for(model_factory)
    controller = InferenceController(device="cpu", dtype="float16")
    controller.set_inspector(inspector)
    try:
        with qtbot.waitSignal(controller.failed, timeout=WAIT_MS) as blocker:
            controller.run(inspector.inspect(TEXT))
        assert "GPU only" in blocker.args[0]
    finally:
        assert controller.shutdown(10_000)


def test_devices_are_listed_with_the_unavailable_ones_disabled(qtbot, workspace, model_factory):
    ws = workspace(inspector_for(model_factory))
    with qtbot.waitSignal(ws.controller.devicesChanged, timeout=WAIT_MS):
        ws.controller.refresh_devices()
    combo = ws.panel.device_combo
    model: QStandardItemModel = combo.model()
    names = [combo.itemData(i) for i in range(combo.count())]
    assert names[:2] == ["auto", "cpu"]
    found = {d.name: d for d in inference.devices()}
    for i, name in enumerate(names):
        assert model.item(i).isEnabled() == found[name].available
        if not found[name].available:
            assert found[name].reason in combo.itemData(i, Qt.ItemDataRole.ToolTipRole)
    assert ws.panel.set_device("cpu")
    dtypes = ws.panel.dtype_combo
    enabled = {dtypes.itemData(i): dtypes.model().item(i).isEnabled() for i in range(dtypes.count())}
    assert enabled == {"float32": True, "float16": False, "bfloat16": False}
    if not torch.cuda.is_available():
        assert not ws.panel.set_device("cuda") and ws.panel.device() == "cpu"


def test_switching_models_releases_the_loaded_one(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    assert ws.controller.loaded_model() is not None
    with qtbot.waitSignals([ws.controller.resultCleared, ws.controller.modelReleased], timeout=WAIT_MS):
        ws.set_inspector(inspector_for(model_factory, "masked_lm"))
    assert ws.controller.loaded_model() is None
    assert ws.attention.result() is None and ws.panel.result() is None


def test_a_reopened_model_is_loaded_again(qtbot, workspace, model_factory):
    folder = str(model_factory.variant("bert"))
    ws = workspace(Inspector.open(folder))
    loads = []
    ws.controller.modelLoaded.connect(loads.append)
    run_and_wait(qtbot, ws, ws.controller.inspector.inspect(TEXT))
    first = ws.controller.loaded_model()
    reopened = Inspector.open(folder)  # F5: the files may have changed
    ws.set_inspector(reopened)
    run_and_wait(qtbot, ws, reopened.inspect(TEXT))
    assert len(loads) == 2 and ws.controller.loaded_model() is not first


def test_choosing_the_device_auto_already_uses_keeps_the_model(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    with qtbot.waitSignal(ws.controller.devicesChanged, timeout=WAIT_MS):
        ws.controller.refresh_devices()
    assert ws.panel.device() == "auto"
    run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    loaded = ws.controller.loaded_model()
    if loaded.device != "cpu":
        pytest.skip("auto picks a GPU here")
    assert ws.panel.set_device("cpu")
    assert ws.controller.device == "cpu" and ws.controller.loaded_model() is loaded
    assert ws.controller.result() is not None


def test_a_changed_input_marks_the_result_stale(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory, "token_classification")
    ws = workspace(inspector)
    labels = []
    ws.tokenLabelsChanged.connect(labels.append)
    inspection = inspector.inspect(TEXT)
    run_and_wait(qtbot, ws, inspection)
    assert not ws.panel.is_stale() and labels[-1]
    ws.set_inspection(inspector.inspect(TEXT + " more"))
    assert ws.panel.is_stale() and ws.attention.is_stale() and labels[-1] == {}
    assert ws.panel.stale_label.isVisible()
    ws.set_inspection(inspector.inspect(TEXT))  # the same input again (a new inspection object)
    assert not ws.panel.is_stale() and labels[-1] and not ws.attention.is_stale()


def test_ctrl_enter_runs_the_model(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    ws.set_inspection(inspector.inspect(TEXT))
    with qtbot.waitActive(ws):
        ws.activateWindow()
    ws.attention.heatmap.setFocus()
    requested = []
    ws.panel.runRequested.connect(lambda: requested.append(1))
    with qtbot.waitSignal(ws.controller.resultReady, timeout=WAIT_MS):
        qtbot.keyClick(ws.attention.heatmap, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert requested == [1]


# -- outputs by kind ---------------------------------------------------------------------------------
def test_masked_lm_shows_the_top_predictions_for_every_mask(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory, "masked_lm")
    ws = workspace(inspector)
    view = run_and_wait(qtbot, ws, inspector.inspect("the [MASK] reads this [MASK]"))
    masks = view.outputs["masks"]
    assert len(masks) == 2 and len(ws.panel.mask_bars) == 2
    assert ws.panel.output_stack.currentWidget() is ws.panel.pages["masked-lm"]
    for bars, mask in zip(ws.panel.mask_bars, masks):
        assert [p for _, p in bars.rows()] == pytest.approx(mask["probabilities"])
        assert len(bars.rows()) == inference.TOP_K
    assert "Masked-LM" in ws.panel.output_title.text()


def test_masked_lm_without_a_mask_explains_what_to_do(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory, "masked_lm")
    ws = workspace(inspector)
    run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    assert ws.panel.mask_bars == [] and "[MASK]" in ws.panel.mask_headers[0].text()


def test_sequence_classification_shows_label_probabilities(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory, "sequence_classification")
    ws = workspace(inspector)
    view = run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    rows = ws.panel.class_bars.rows()
    assert [label for label, _ in rows] == ["negative", "positive"]
    assert sum(p for _, p in rows) == pytest.approx(1.0, abs=1e-5)
    assert [p for _, p in rows] == pytest.approx(view.outputs["probabilities"])
    assert "Predicted" in ws.panel.class_summary.text()


def test_token_classification_labels_every_token_and_emits_them(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory, "token_classification")
    ws = workspace(inspector)
    emitted = []
    ws.tokenLabelsChanged.connect(emitted.append)
    inspection = inspector.inspect(TEXT)
    view = run_and_wait(qtbot, ws, inspection)
    table = ws.panel.token_table
    assert table.rowCount() == len(view) == len(view.outputs["labels"])
    labels = emitted[-1]
    assert sorted(labels) == [int(p) for p in np.flatnonzero(inspection.tokens.kept)]
    assert {lab for lab, _ in labels.values()} <= {"O", "B-ENT", "I-ENT"}
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == view.outputs["labels"]
    selected = []
    ws.tokenSelected.connect(selected.append)
    rect = table.visualItemRect(table.item(3, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected == [int(view.positions[3])]


def test_question_answering_emits_the_answer_span(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory, "question_answering")
    ws = workspace(inspector)
    spans = []
    ws.answerSpanChanged.connect(lambda *span: spans.append(span))
    context = "the model reads this sentence"
    view = run_and_wait(qtbot, ws, inspector.inspect("what reads", context))
    o = view.outputs
    assert o["answer"] and spans[-1] == (o["segment"], o["start"], o["end"])
    assert view.inspection.segment_text(o["segment"])[o["start"]:o["end"]] == o["answer"]
    assert o["answer"] in ws.panel.qa_page.text()


def test_base_model_shows_pooled_norms(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    view = run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    text = ws.panel.base_page.text()
    assert f"{view.outputs['cls_norm']:.3f}" in text and f"{view.outputs['mean_norm']:.3f}" in text


def test_a_randomly_initialised_head_is_reported(qtbot, workspace, model_factory, tmp_path):
    import json
    import shutil

    folder = tmp_path / "relabelled"
    shutil.copytree(model_factory.variant("bert"), folder)
    config = json.loads((folder / "config.json").read_text())
    config["architectures"] = ["BertForSequenceClassification"]
    (folder / "config.json").write_text(json.dumps(config))
    inspector = Inspector.open(str(folder))
    ws = workspace(inspector)
    run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    assert ws.panel.weights_banner.isVisible()
    assert "weights-newly-initialized" in ws.panel.weights_banner.text()


# -- the plots ----------------------------------------------------------------------------------------
@pytest.fixture
def view_of(model_factory):
    def make(variant="bert", text=TEXT, pair=None, settings=Settings()):
        inspector = inspector_for(model_factory, variant)
        loaded = inference.load_model(inspector, "cpu")
        result = inference.run(loaded, inspector.inspect(text, pair, settings), inspector.tokenizer())
        return ResultView(result, None)

    return make


@pytest.fixture
def attention_plot(qtbot):
    plot = shown(qtbot, AttentionPlot(), 900, 760)
    return plot


def test_arrow_keys_step_layers_and_heads(qtbot, attention_plot, view_of):
    plot = attention_plot
    view = view_of()
    plot.set_result(view)
    changes = []
    plot.viewChanged.connect(lambda layer, head: changes.append((layer, head)))
    assert (plot.layer(), plot.head()) == (0, 0)
    qtbot.keyClick(plot.heatmap, Qt.Key.Key_Down)
    assert plot.layer() == 1
    np.testing.assert_array_equal(plot.matrix(), view.attention(1, 0))
    qtbot.keyClick(plot.heatmap, Qt.Key.Key_Down)  # the last layer: stays
    assert plot.layer() == 1
    qtbot.keyClick(plot, Qt.Key.Key_Right)
    assert plot.head() == 1
    np.testing.assert_array_equal(plot.matrix(), view.attention(1, 1))
    for expected in ("mean", "max", "rollout", "rollout"):
        qtbot.keyClick(plot.heatmap, Qt.Key.Key_Right)
        assert plot.head() == expected
    np.testing.assert_allclose(plot.matrix(), view.rollout(), rtol=1e-5)
    qtbot.keyClick(plot.heatmap, Qt.Key.Key_Up)
    assert plot.layer() == 0
    np.testing.assert_allclose(plot.matrix().sum(-1), 1.0, rtol=1e-4)  # rollout through layer 0
    qtbot.keyClick(plot.heatmap, Qt.Key.Key_Left)
    assert plot.head() == "max"
    assert changes[:3] == [(1, 0), (1, 1), (1, "mean")]


def test_clicking_a_cell_or_a_label_selects_its_token(qtbot, attention_plot, view_of):
    plot = attention_plot
    view = view_of()
    plot.set_result(view)
    qtbot.wait(20)
    heatmap = plot.heatmap
    with qtbot.waitSignal(plot.tokenSelected, timeout=2000) as blocker:
        qtbot.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=heatmap.cell_point(4, 2))
    assert blocker.args == [int(view.positions[4])]
    assert heatmap.left_axis._highlight == 4
    with qtbot.waitSignal(plot.tokenSelected, timeout=2000) as blocker:
        qtbot.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=heatmap.label_point("bottom", 6))
    assert blocker.args == [int(view.positions[6])]
    with qtbot.waitSignal(plot.tokenSelected, timeout=2000) as blocker:
        qtbot.mouseClick(heatmap.viewport(), Qt.MouseButton.LeftButton, pos=heatmap.label_point("left", 1))
    assert blocker.args == [int(view.positions[1])]


def test_hover_reads_out_the_value_and_token_pair(qtbot, attention_plot, view_of):
    plot = attention_plot
    view = view_of()
    plot.set_result(view)
    qtbot.wait(20)
    qtbot.mouseMove(plot.heatmap.viewport(), plot.heatmap.cell_point(3, 5))
    qtbot.waitUntil(lambda: "→" in plot.readout.text(), timeout=2000)
    text = plot.readout.text()
    assert f"{view.attention(0, 0)[3, 5]:.4f}" in text
    assert view.labels[3] in text and view.labels[5] in text


def test_hide_special_and_merge_subwords_change_the_matrix(qtbot, attention_plot, view_of):
    plot = attention_plot
    view = view_of(text=SPLIT_TEXT)
    n = len(view)
    special = int(view.special.sum())
    words = int((~view.special & ~view.subword).sum())
    assert words < n - special  # the text does split a word
    plot.set_result(view)
    assert plot.matrix().shape == (n, n)
    plot.set_hide_special(True)
    assert plot.matrix().shape == (n - special, n - special)
    assert "[CLS]" not in plot.row_labels()
    plot.set_merge_words(True)
    assert plot.matrix().shape == (words, words)
    assert "bertinspector" in plot.row_labels()
    plot.set_hide_special(False)
    assert plot.matrix().shape == (words + special, words + special)
    np.testing.assert_allclose(plot.matrix().sum(-1), 1.0, rtol=1e-5)  # rows averaged, columns summed
    positions = plot.row_positions()
    assert positions == sorted(positions) and positions[0] == int(view.positions[0])


def test_merging_uses_character_offsets():
    special = np.array([True, False, False, False, False, True])
    subword = np.array([False, False, True, True, False, False])
    starts = np.array([-1, 0, 3, 7, 9, -1])  # the third piece does not touch the second: a new word
    ends = np.array([-1, 3, 6, 8, 12, -1])
    segments = np.array([-1, 0, 0, 0, 0, -1])
    groups = token_groups(special, subword, starts, ends, segments, merge_words=True)
    assert [g.tolist() for g in groups] == [[0], [1, 2], [3], [4], [5]]
    matrix = np.full((6, 6), 1 / 6, np.float32)
    merged = reduce_matrix(matrix, groups)
    assert merged.shape == (5, 5)
    np.testing.assert_allclose(merged.sum(-1), 1.0, rtol=1e-6)


def test_labels_thin_out_when_zoomed_out(qtbot, attention_plot, view_of):
    plot = attention_plot
    view = view_of(text=" ".join([TEXT] * 12))
    n = len(view)
    plot.set_result(view)
    qtbot.wait(20)
    shown, step = plot.heatmap.left_axis.visible_indices()
    assert step > 1 and len(shown) < n and shown[0] == 0
    plot.heatmap.view.setRange(yRange=(10, 16), padding=0)
    qtbot.wait(20)
    shown, step = plot.heatmap.left_axis.visible_indices()
    assert step == 1 and shown == list(range(10, 16))


def test_overview_grid_opens_the_clicked_head(qtbot, attention_plot, view_of):
    plot = attention_plot
    view = view_of()
    plot.set_result(view)
    plot.show_overview()
    qtbot.wait(20)
    grid = plot.overview
    assert grid.grid_shape() == (view.num_layers, view.num_heads)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.cell_point(1, 1))
    assert (plot.layer(), plot.head()) == (1, 1) and plot.tabs.currentIndex() == 0


def test_special_share_is_plotted_per_layer(qtbot, attention_plot, view_of):
    plot = attention_plot
    view = view_of()
    plot.set_result(view)
    share = view.special_share()
    x, y = plot.share_plot.curves["first"].getData()
    assert list(x) == list(range(view.num_layers))
    np.testing.assert_allclose(y, share["first"])


def test_hidden_plot_norms_cosine_and_pca(qtbot, view_of):
    plot = HiddenPlot()
    qtbot.addWidget(plot)
    plot.resize(1000, 700)
    plot.show()
    view = view_of()
    plot.set_result(view)
    n = len(view)
    assert plot.norms.shape() == (view.num_layers + 1, n)
    assert plot.cosine.shape() == (view.num_layers, n)
    assert len(plot.pca.points) == n and plot.pca.label_count() > 0
    plot.set_hide_special(True)
    assert plot.norms.shape() == (view.num_layers + 1, n - int(view.special.sum()))
    np.testing.assert_allclose(plot.norms_matrix(), view.hidden_norms()[:, ~view.special])
    plot.set_pca_layer(0)
    np.testing.assert_allclose(plot.pca.points, view.pca(0)[~view.special])
    qtbot.wait(20)
    with qtbot.waitSignal(plot.tokenSelected, timeout=2000) as blocker:
        qtbot.mouseClick(plot.cosine.viewport(), Qt.MouseButton.LeftButton, pos=plot.cosine.cell_point(0, 2))
    assert blocker.args == [plot.shown_positions()[2]]


def test_pca_labels_near_the_right_edge_stay_inside_the_plot(qtbot):
    from bertinspector.widgets.hidden_plot import PcaPlot

    plot = shown(qtbot, PcaPlot(), 360, 300)
    points = np.asarray([[-5.0, 0.0], [0.0, 3.0], [0.0, -3.0], [8.0, 1.0]], np.float32)
    plot.set_points(points, ["left", "up", "down", "[MASK]-ish"], np.zeros(4, bool), np.arange(4))
    qtbot.wait(20)
    view = plot.getPlotItem().getViewBox()
    (x0, x1), _ = view.viewRange()
    labels = {t.toPlainText(): t for t in plot._texts}
    assert "[MASK]-ish" in labels
    for text in labels.values():
        box = view.mapSceneToView(text.mapRectToScene(text.boundingRect())).boundingRect()
        assert x0 <= box.left() and box.right() <= x1, f"{text.toPlainText()} is cut at the edge"


def test_a_selected_token_is_outlined_in_the_plots(qtbot, workspace, model_factory):
    inspector = inspector_for(model_factory)
    ws = workspace(inspector)
    view = run_and_wait(qtbot, ws, inspector.inspect(TEXT))
    ws.select_token(int(view.positions[5]))
    assert ws.attention.heatmap.left_axis._highlight == 5
    ws.tabs.setCurrentIndex(1)
    qtbot.wait(10)
    assert ws.hidden.cosine.bottom_axis._highlight == 5


def test_same_input_compares_what_the_model_receives(model_factory):
    inspector = inspector_for(model_factory)
    a = inspector.inspect(TEXT)
    assert same_input(a, inspector.inspect(TEXT))
    assert not same_input(a, inspector.inspect(TEXT + " again"))
    assert not same_input(a, None)
