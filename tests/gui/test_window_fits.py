"""A window that behaves: it fits a 1,280 x 800 screen in every state of the tour, comes back inside the
screen, and its banners, fix snippets and empty plots read cleanly."""

from __future__ import annotations

import pytest
from guihelpers import LOAD_TIMEOUT_MS, load, shown, wait_inspection
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication

from bertinspector.app import sessions
from bertinspector.core.model import Diagnostic, Severity
from bertinspector.qt import settings as app_settings
from bertinspector.widgets.attention_plot import AttentionPlot
from bertinspector.widgets.banner import Banner
from bertinspector.widgets.diagnostics import DiagnosticCard
from bertinspector.widgets.hidden_plot import HiddenPlot

SMALL_SCREEN = QSize(1280, 800)
FRAME = QSize(16, 40)  # room left for a window manager's frame and title bar
LONG = "the model reads this sentence and the other one . " * 40


def assert_fits(window, step: str) -> None:
    QGuiApplication.processEvents()
    needed = window.minimumSizeHint()
    assert needed.width() + FRAME.width() <= SMALL_SCREEN.width(), (step, needed)
    assert needed.height() + FRAME.height() <= SMALL_SCREEN.height(), (step, needed)


def test_the_window_fits_a_small_screen_through_the_tour(qtbot, make_window, tiny_bert):
    window = make_window()
    load(qtbot, window, tiny_bert, text=LONG)
    assert_fits(window, "long text cut")
    pane = window.text_pane
    wait_inspection(qtbot, window, lambda: (pane.set_mode("ids"), pane.set_text("5, 6, 7"), pane.flush()))
    assert_fits(window, "ids pasted")
    wait_inspection(qtbot, window, lambda: pane.set_mode("text"))
    with qtbot.waitSignal(window.compare.comparisonApplied, timeout=LOAD_TIMEOUT_MS):
        window.compare.show()
    assert_fits(window, "compare")
    window.compare.toggle()
    with qtbot.waitSignal(window.workspace.controller.resultReady, timeout=120_000):
        window.run_action.trigger()
    assert window.inference_dock.isVisible() and window.workspace.attention.matrix() is not None
    assert_fits(window, "run with attention")
    wait_inspection(qtbot, window, lambda: pane.set_pair("and a second segment"))
    assert window.workspace.attention.is_stale()  # the stale tag shows: it wraps, never widens the window
    assert_fits(window, "sentence pair, run out of date")
    window.workspace.tabs.setCurrentWidget(window.workspace.hidden)
    assert_fits(window, "hidden states")


def test_a_long_model_path_in_the_status_bar_is_elided(qtbot, make_window, model_factory, tmp_path):
    folder = tmp_path.joinpath(*["a-rather-long-folder-name-of-a-model"] * 6)
    folder.mkdir(parents=True)
    model = model_factory.bert()
    for file in model.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    window = make_window()
    load(qtbot, window, folder, text="hello")
    assert window.status_model.toolTip() == str(folder)
    assert "…" in window.status_model.text()
    assert_fits(window, "long model path")
    with qtbot.waitSignal(window.compare.comparisonApplied, timeout=LOAD_TIMEOUT_MS):
        window.compare.show()
    with qtbot.waitSignal(window.compare.comparisonApplied, timeout=LOAD_TIMEOUT_MS):
        window.compare.load_model_b(str(folder))
    assert_fits(window, "long model path in slot B")


def test_a_restored_geometry_is_clamped_to_the_screen(qtbot, make_window):
    """(The test screen is 800 x 800: the window's own minimum fits it.)"""
    big = make_window(persist=False)
    big.setGeometry(QRect(-400, -300, 4000, 3000))
    settings = app_settings.app_settings()
    settings.setValue("window/geometry", big.saveGeometry())
    settings.sync()
    window = make_window(restore_state=True)
    area = window.screen().availableGeometry()
    assert area.contains(window.frameGeometry()), (window.frameGeometry(), area)


def test_a_new_window_starts_inside_the_screen(qtbot, make_window):
    window = make_window()
    assert window.screen().availableGeometry().contains(window.frameGeometry())


def test_banners_show_their_text_as_typed(qtbot):
    banner = shown(qtbot, Banner(Severity.ERROR), 400, 60)
    message = "can't open 'my model' <b>here</b> & there"
    banner.show_message(message)
    assert banner.label.textFormat() == Qt.TextFormat.PlainText
    assert banner.label.text() == banner.text() == message


def test_a_long_fix_wraps_inside_its_card_and_is_never_clipped(qtbot):
    fix = "tokenizer.backend_tokenizer.normalizer.normalize_str(text)" * 3 + "  # and a comment at the end"
    diagnostic = Diagnostic(code="accents-stripped", severity=Severity.INFO, message="a finding", fix=fix)
    card = shown(qtbot, DiagnosticCard(diagnostic), 260, 300)
    block = card.fix_label
    assert block.code() == fix
    document = block.document()
    assert document.idealWidth() <= block.viewport().width() + 1  # no line runs past the right edge
    assert document.size().height() <= block.viewport().height() + 1  # no line below the bottom
    assert wrapped_lines(block) >= 3
    card.resize(1600, 300)
    qtbot.waitUntil(lambda: wrapped_lines(block) == 1 and block.height() < 2 * block.fontMetrics().lineSpacing())


def wrapped_lines(block) -> int:
    document = block.document()
    return sum(document.findBlockByNumber(i).layout().lineCount() for i in range(document.blockCount()))


@pytest.mark.parametrize("plot_class", [AttentionPlot, HiddenPlot])
def test_empty_plots_show_only_their_placeholder(qtbot, plot_class):
    plot = shown(qtbot, plot_class(), 700, 500)
    heatmap = plot.heatmap if plot_class is AttentionPlot else plot.norms
    assert heatmap.placeholder().startswith("Run the model")
    assert not heatmap.is_framed()  # no axes, ticks or colour bar around nothing
    plot.grab()
    others = [plot.share_plot.getPlotItem()] if plot_class is AttentionPlot else [plot.pca.getPlotItem()]
    for item in others:  # the plots beside it: blank, no axes either
        assert not any(item.getAxis(name).isVisible() for name in ("left", "bottom"))
        for name in ("left", "bottom"):
            assert "(x" not in item.getAxis(name).labelString()  # never an SI prefix like "(x0.001)"


def test_save_session_as_adds_the_suffix(qtbot, bert_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "my session"), ""))
    bert_window.choose_session_target()
    assert (tmp_path / "my session.bertinspector.json").is_file()
    assert sessions.session_path("x.json") == "x.bertinspector.json"
    assert sessions.session_path("x.bertinspector.json") == "x.bertinspector.json"


def test_ctrl_k_toggles_compare(qtbot, bert_window):
    window = bert_window
    with qtbot.waitSignal(window.compare.comparisonApplied, timeout=LOAD_TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.compare.active
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert not window.compare.active
    with qtbot.waitSignal(window.compare.comparisonApplied, timeout=LOAD_TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.compare.active


def test_the_model_list_highlights_the_loaded_model(qtbot, bert_window, model_factory):
    window = bert_window
    picker = window.picker
    assert picker.highlighted() == [window.model_source()]
    other = str(model_factory.roberta())
    load(qtbot, window, other)
    assert picker.highlighted() == [other]
    assert picker.item_for("recent", other).font(0).bold()
