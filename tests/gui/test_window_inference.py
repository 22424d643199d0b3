"""The model runs from the main window: Run shows the output dock, results reach the token view and the text."""

from __future__ import annotations

import numpy as np
from guihelpers import LOAD_TIMEOUT_MS, load
from PySide6.QtCore import Qt

RUN_TIMEOUT_MS = 120_000


def run(qtbot, window):
    with qtbot.waitSignal(window.workspace.controller.resultReady, timeout=RUN_TIMEOUT_MS) as ready:
        qtbot.keyClick(window.text_pane.editor_a, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return ready.args[0]


def test_ctrl_enter_in_the_text_runs_the_model_and_shows_the_output(qtbot, make_window, model_factory):
    window = make_window()
    load(qtbot, window, model_factory.bert(), text="the model reads this sentence")
    assert not window.inference_dock.isVisible()
    view = run(qtbot, window)
    assert window.inference_dock.isVisible()
    assert window.workspace.attention.matrix().shape == (len(view.positions), len(view.positions))


def test_token_labels_appear_on_the_token_view(qtbot, make_window, model_factory):
    window = make_window()
    load(qtbot, window, model_factory.variant("token_classification"), text="the model reads")
    run(qtbot, window)
    labels = window.token_view.token_labels()
    assert set(labels) == set(np.flatnonzero(window.inspection.tokens.kept).tolist())
    assert "model label" in window.token_view.tooltip_html(1)


def test_a_token_clicked_in_a_plot_is_selected_in_the_token_view_and_the_text(qtbot, make_window, model_factory):
    window = make_window()
    load(qtbot, window, model_factory.bert(), text="the model reads this sentence")
    run(qtbot, window)
    window.workspace.tokenSelected.emit(2)
    assert window.token_view.current() == 2
    token = window.inspection.token(2)
    assert window.text_pane.editor_a.token_span() == (token.start, token.end)


def test_the_answer_span_is_selected_in_the_context(qtbot, make_window, model_factory):
    window = make_window()
    window.text_pane.set_pair("the model reads this sentence")
    load(qtbot, window, model_factory.variant("question_answering"), text="what reads")
    run(qtbot, window)
    (start, end), = window.text_pane.editor_b.highlighted_spans()
    assert 0 <= start < end <= len("the model reads this sentence")
    assert window.text_pane.editor_a.highlighted_spans() == []


def test_weights_loading_feeds_the_random_head_diagnostic(qtbot, make_window, model_factory, tmp_path):
    import json
    import shutil

    folder = tmp_path / "head"
    shutil.copytree(model_factory.bert(), folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "architectures": ["BertForSequenceClassification"]}))
    window = make_window(auto_load_weights=True)
    with qtbot.waitSignal(window.weightsLoaded, timeout=RUN_TIMEOUT_MS):
        load(qtbot, window, folder, text="the model")
    qtbot.waitUntil(lambda: "weights-newly-initialized" in window.inspection.codes(), timeout=LOAD_TIMEOUT_MS)
