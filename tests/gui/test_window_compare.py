"""Compare mode in the main window: slot B follows A, its cut shows in the text, sessions keep it."""

from __future__ import annotations

from guihelpers import LOAD_TIMEOUT_MS, load
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment

from bertinspector.core.model import Settings

LONG = "the model reads this sentence and the other one . " * 30


def compared(qtbot, window, action):
    with qtbot.waitSignal(window.compare.comparisonApplied, timeout=LOAD_TIMEOUT_MS) as blocker:
        action()
    return blocker.args[0]


def test_ctrl_k_opens_compare_mode_and_variants_show_both_cuts(qtbot, make_window, tiny_bert):
    window = make_window()
    load(qtbot, window, tiny_bert, text=LONG)
    comparison = compared(qtbot, window, lambda: qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier))
    assert window.compare.active and comparison.b.settings == comparison.a.settings
    window.settings_bar.set_settings(Settings(max_length=300), notify=True)
    comparison = compared(qtbot, window, lambda: window.compare.view.apply_variant("max-length-128"))
    assert comparison.b.settings.max_length == 128
    editor = window.text_pane.editor_a
    assert editor.compare_cut() == comparison.b.truncation.cut_char != comparison.a.truncation.cut_char
    window.compare.dock.close()
    assert editor.compare_cut() is None


def test_slot_b_loads_its_own_model(qtbot, make_window, tiny_bert, model_factory):
    window = make_window()
    load(qtbot, window, tiny_bert, text="The Model reads")
    compared(qtbot, window, window.compare.show)
    comparison = compared(qtbot, window, lambda: window.compare.load_model_b(str(model_factory.roberta())))
    assert comparison.b.tokens.strings[0] == "<s>" and comparison.a.tokens.strings[0] == "[CLS]"
    assert any(g.boundary for g in comparison.alignment)


def test_a_selected_group_highlights_its_characters(qtbot, make_window, tiny_bert):
    window = make_window()
    load(qtbot, window, tiny_bert, text="the model reads")
    compared(qtbot, window, window.compare.show)
    window.compare.view.groupSelected.emit(0, 4, 9)
    assert window.text_pane.editor_a.highlighted_spans() == [(4, 9)]


def test_run_a_and_b(qtbot, make_window, tiny_bert):
    window = make_window()
    load(qtbot, window, tiny_bert, text="the model reads this sentence")
    compared(qtbot, window, window.compare.show)
    compared(qtbot, window, lambda: window.compare.view.apply_variant("lowercase-flipped"))
    with qtbot.waitSignal(window.runner.finished, timeout=120_000, check_params_cb=lambda kind, *_: kind == "compare_run"):
        window.compare.run()
    result = window.compare.view.run_panel.result()
    assert result is not None and result["cls_cosine"] is not None
    status = QTextDocumentFragment.fromHtml(window.compare.view.run_panel.status.text()).toPlainText()
    line_a, line_b = status.splitlines()  # one line per slot, each saying which it is and what ran
    assert line_a.startswith("A") and line_b.startswith("B")
    assert tiny_bert.name in line_a and f"on {result['a']['tokens']} tokens" in line_a
    assert f"on {result['b']['tokens']} tokens" in line_b


def test_sessions_keep_slot_b(qtbot, make_window, tiny_bert, tmp_path):
    window = make_window()
    load(qtbot, window, tiny_bert, text="the model reads")
    compared(qtbot, window, window.compare.show)
    compared(qtbot, window, lambda: window.compare.view.apply_variant("no-special-tokens"))
    path = tmp_path / "s.bertinspector.json"
    assert window.save_session(str(path))
    other = make_window()
    with qtbot.waitSignal(other.compare.comparisonApplied, timeout=LOAD_TIMEOUT_MS) as blocker:
        other.open_session(str(path))
    assert other.compare.active
    assert blocker.args[0].b.settings.add_special_tokens is False
