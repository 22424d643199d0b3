"""The window with its real model host (a helper process): runs, plots, a host that dies, a clean close."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
from guihelpers import LOAD_TIMEOUT_MS, load
from PySide6.QtCore import Qt

from bertinspector.core.model_host import MODE_ENV

RUN_TIMEOUT_MS = 120_000


@pytest.fixture
def window(make_window, monkeypatch):
    monkeypatch.delenv(MODE_ENV)  # the helper process, as the app runs it
    return make_window()


def run(qtbot, window):
    with qtbot.waitSignal(window.workspace.controller.resultReady, timeout=RUN_TIMEOUT_MS) as ready:
        qtbot.keyClick(window.text_pane.editor_a, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return ready.args[0]


def test_a_run_in_the_helper_process_reaches_every_plot(qtbot, window, model_factory):
    load(qtbot, window, model_factory.variant("masked_lm"), text="the model reads this [MASK]")
    view = run(qtbot, window)
    host = window.workspace.controller.host
    assert not host.in_thread and host.running and host._worker.pid != os.getpid()
    n = len(view.positions)
    assert window.workspace.attention.matrix().shape == (n, n)
    assert view.hidden_norms().shape == (view.num_layers + 1, n)
    assert view.outputs["masks"] and window.workspace.controller.model_info().model_class == "BertForMaskedLM"
    np.testing.assert_allclose(view.attention(0, "mean").sum(-1), 1.0, atol=1e-5)


def test_a_killed_helper_process_is_one_line_and_the_next_run_starts_a_new_one(qtbot, window, model_factory):
    load(qtbot, window, model_factory.bert(), text="the model reads this sentence")
    run(qtbot, window)
    controller = window.workspace.controller
    process = controller.host._worker
    os.kill(process.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not controller.host.running, timeout=LOAD_TIMEOUT_MS)
    window.workspace.attention.set_layer(1)  # a slice that was never fetched: the plot says so, no traceback
    assert "run again" in window.workspace.attention.heatmap._placeholder.toPlainText()
    view = run(qtbot, window)  # loads the model again in a new process
    assert controller.host._worker.pid != process.pid and controller.host.running
    assert window.workspace.attention.matrix().shape == (len(view.positions),) * 2
    assert window.text_pane.text() == "the model reads this sentence"


def test_closing_the_window_ends_the_helper_process(qtbot, window, model_factory):
    load(qtbot, window, model_factory.bert(), text="the model reads this sentence")
    run(qtbot, window)
    process = window.workspace.controller.host._worker
    window.close()
    qtbot.waitUntil(lambda: not process.is_alive(), timeout=5000)
    assert process.exitcode == 0  # it stopped when asked, it was not killed


def test_the_app_process_never_imports_torch_even_when_it_runs_the_model(model_factory, tmp_path):
    import subprocess
    import sys
    import textwrap

    shot = tmp_path / "run.png"
    script = textwrap.dedent(f"""
        import sys
        from bertinspector.app.gui import run_gui
        code = run_gui(model={str(model_factory.variant("masked_lm"))!r}, text="the model reads this [MASK]",
                       run=True, screenshot={str(shot)!r})
        print("torch imported:", sys.modules.get("torch") is not None)
        sys.exit(code)
    """)
    env = {k: v for k, v in os.environ.items() if k != MODE_ENV}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**env, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1",
                               "XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert done.returncode == 0, done.stderr
    assert "torch imported: False" in done.stdout
    assert shot.stat().st_size > 10_000


def test_closing_the_window_while_the_helper_process_starts_is_quick_and_quiet(qtbot, window, model_factory):
    """Run starts the helper process, which imports torch for seconds: closing then stops it, bounded."""
    import time

    load(qtbot, window, model_factory.bert(), text="the model reads this sentence")
    controller = window.workspace.controller
    shown, failed = [], []
    controller.resultReady.connect(shown.append)
    controller.failed.connect(failed.append)
    with qtbot.capture_exceptions() as raised:
        window.run_action.trigger()
        qtbot.waitUntil(lambda: controller.host.running, timeout=LOAD_TIMEOUT_MS)
        process = controller.host._worker
        started = time.monotonic()
        window.close()
        took = time.monotonic() - started
        qtbot.wait(100)
    assert took < 5.0, f"closing took {took:.2f} s"  # typically well under 0.5 s
    assert not process.is_alive() and not controller.host.running
    assert shown == [] and failed == [] and not raised
