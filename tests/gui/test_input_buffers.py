"""Nothing typed is lost: Text, Ids and segment B keep their own buffers in the window and the session."""

from __future__ import annotations

import json

from guihelpers import LOAD_TIMEOUT_MS, wait_inspection
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from bertinspector.app import sessions
from bertinspector.core import session as core_session
from bertinspector.widgets.text_pane import TextPane

TEXT = "the quick brown fox jumps over the lazy dog"


def test_switching_modes_keeps_every_buffer(qtbot):
    pane = TextPane()
    qtbot.addWidget(pane)
    pane.show()
    pane.editor_a.setFocus()
    qtbot.keyClicks(pane.editor_a, "typed text")
    pane.pair_box.setChecked(True)
    qtbot.keyClicks(pane.editor_b, "typed pair")
    qtbot.mouseClick(pane.ids_button, Qt.MouseButton.LeftButton)
    assert pane.mode() == "ids" and pane.text() == "" and pane.pair() is None
    assert pane.input_editor().isVisible() and not pane.editor_a.isVisible()
    qtbot.keyClicks(pane.input_editor(), "101, 102")
    qtbot.mouseClick(pane.text_button, Qt.MouseButton.LeftButton)
    assert pane.text() == "typed text" and pane.pair() == "typed pair"
    qtbot.mouseClick(pane.ids_button, Qt.MouseButton.LeftButton)
    assert pane.text() == "101, 102"
    assert (pane.buffer("text"), pane.buffer("ids"), pane.editor_b.text()) == ("typed text", "101, 102", "typed pair")


def test_the_character_count_ignores_a_hidden_segment_b(qtbot):
    pane = TextPane()
    qtbot.addWidget(pane)
    pane.set_text("abcd")
    pane.set_pair("xyz")
    assert pane.count_label.text() == "7 characters"
    pane.pair_box.setChecked(False)
    assert pane.count_label.text() == "4 characters"
    pane.set_mode("ids")
    assert pane.count_label.text() == "0 characters"


def test_the_window_inspects_the_shown_buffer_only(qtbot, bert_window):
    window = bert_window
    pane = window.text_pane
    hello = window.inspector.tokenizer().convert_tokens_to_ids("hello")

    def to_ids():
        pane.set_mode("ids")
        pane.set_text(f"{hello}, {hello}")
        pane.flush()

    insp = wait_inspection(qtbot, window, to_ids)
    assert insp.input_kind == "ids" and insp.tokens.strings == ("hello", "hello")
    insp = wait_inspection(qtbot, window, lambda: pane.set_mode("text"))
    assert insp.input_kind == "text" and insp.text == TEXT
    assert pane.text() == TEXT and pane.buffer("ids") == f"{hello}, {hello}"


def test_the_session_keeps_text_ids_and_a_hidden_pair(qtbot, bert_window, make_window, tmp_path):
    window = bert_window
    pane = window.text_pane
    pane.set_pair("a pair, switched off later")
    pane.pair_box.setChecked(False)
    pane.set_mode("ids")
    pane.set_text("101, 102")
    path = tmp_path / f"both{core_session.SUFFIX}"
    assert window.save_session(str(path))
    saved = json.loads(path.read_text())
    assert (saved["text"], saved["ids"], saved["input"]) == (TEXT, "101, 102", "ids")

    again = make_window(persist=False)
    with qtbot.waitSignal(again.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        assert again.open_session(str(path))
    other = again.text_pane
    assert other.mode() == "ids" and other.text() == "101, 102"
    assert other.buffer("text") == TEXT and other.pair() is None
    other.set_mode("text")
    other.pair_box.setChecked(True)
    assert other.pair() == "a pair, switched off later"


def test_an_older_session_without_ids_still_opens(qtbot, bert_window, tmp_path):
    path = tmp_path / f"old{core_session.SUFFIX}"
    path.write_text(json.dumps({"schema": "bertinspector.session/1", "text": "an old text", "pair": None,
                                "input": "text", "slots": [{"source": bert_window.model_source()}]}))
    assert bert_window.open_session(str(path))
    pane = bert_window.text_pane
    assert pane.text() == "an old text" and pane.buffer("ids") == ""


def test_the_autosave_keeps_the_text_while_ids_are_shown(qtbot, bert_window):
    pane = bert_window.text_pane
    pane.set_mode("ids")
    pane.set_text("101")
    captured = sessions.capture(bert_window)
    assert captured.text == TEXT and captured.ids == "101" and captured.input_kind == "ids"


def test_invalid_ids_clear_the_views_and_say_what_is_wrong(qtbot, bert_window):
    window = bert_window
    pane = window.text_pane
    hello = window.inspector.tokenizer().convert_tokens_to_ids("hello")

    def paste(ids):
        pane.set_text(ids)
        pane.flush()

    pane.set_mode("ids")
    with qtbot.waitSignal(window.compare.comparisonApplied, timeout=LOAD_TIMEOUT_MS):
        window.compare.show()
        insp = wait_inspection(qtbot, window, lambda: paste(f"{hello}, {hello}"))
    assert window.diagnostics.card("missing-special-tokens") is not None
    assert window.token_view.inspection() is insp and window.compare.view.comparison() is not None
    with qtbot.waitSignal(window.inspectionFailed, timeout=LOAD_TIMEOUT_MS) as failed:
        paste("1, two, -3")
    assert "two" in failed.args[0]
    assert window.inspection is None and not window.token_view.inspection()
    assert window.diagnostics.cards() == []
    assert not [w for w in window.diagnostics.findChildren(QLabel, "noFindings") if not w.isHidden()]
    assert window.facts_card.flagged_rows() == {}
    assert window.input_banner.isVisible() and window.input_banner.text() == failed.args[0]
    assert window.status_tokens.text() == ""
    assert window.compare.view.comparison() is None  # compare shows nothing of the previous input either
    assert pane.text() == "1, two, -3"
