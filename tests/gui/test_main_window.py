"""The main window end to end, on real tiny models: loading, failures, typing, selection, drops."""

from __future__ import annotations

import time

import numpy as np
import pytest
from guihelpers import LOAD_TIMEOUT_MS, load, wait_inspection
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from bertinspector.core.model import Settings
from bertinspector.qt import settings as app_settings


def test_model_loads_in_a_worker_and_the_gui_stays_responsive(qtbot, make_window, tiny_bert):
    window = make_window()
    window.text_pane.set_text("hello world")
    with qtbot.waitSignal(window.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        window.open_model(str(tiny_bert))
        # open_model returned at once: the load runs in a worker while the window shows progress
        assert window.inspector is None
        assert window.picker.progress.isVisible()
        assert window.runner.is_busy("load")
    qtbot.waitUntil(lambda: window.inspection is not None, timeout=LOAD_TIMEOUT_MS)
    assert window.model_source() == str(tiny_bert)
    assert window.token_view.inspection().tokens.strings == ("[CLS]", "hello", "world", "[SEP]")
    assert not window.picker.progress.isVisible()
    assert str(tiny_bert) in app_settings.recent()
    assert window.picker.sources("recent")[0] == str(tiny_bert)


def test_failed_load_keeps_the_previous_model_and_says_why(qtbot, bert_window, tmp_path):
    window = bert_window
    before = window.inspection
    inspector = window.inspector
    missing = tmp_path / "no-such-model"
    with qtbot.waitSignal(window.modelFailed, timeout=LOAD_TIMEOUT_MS) as blocker:
        window.open_model(str(missing))
    assert "no such folder" in blocker.args[0]
    assert window.inspector is inspector
    assert window.inspection is before
    error = window.picker.error_text()
    assert str(missing) in error and "still using" in error
    assert "Traceback" not in error
    assert window.text_pane.text() == "the quick brown fox jumps over the lazy dog"


@pytest.mark.parametrize("variant", ["corrupt_config", "no_tokenizer"])
def test_broken_model_folders_fail_with_one_line(qtbot, bert_window, model_factory, variant):
    folder = model_factory.variant(variant)
    with qtbot.waitSignal(bert_window.modelFailed, timeout=LOAD_TIMEOUT_MS) as blocker:
        bert_window.open_model(str(folder))
    message = blocker.args[0]
    assert "\n" not in message and message
    assert bert_window.picker.error_banner.isVisible()


def test_newest_load_request_wins(qtbot, make_window, model_factory):
    window = make_window()
    first, second = model_factory.bert(), model_factory.variant("cased")
    window.open_model(str(first))
    window.open_model(str(second))
    qtbot.waitUntil(lambda: window.model_source() == str(second) and window.inspection is not None,
                    timeout=LOAD_TIMEOUT_MS)
    qtbot.wait(200)
    assert window.model_source() == str(second)
    assert window.inspector.facts.cased_vocab is True


def test_typing_is_debounced_into_one_inspection(qtbot, bert_window):
    window = bert_window
    editor = window.text_pane.editor_a
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    applied = []
    window.inspectionApplied.connect(applied.append)
    qtbot.keyClicks(editor, " and the dog")
    assert window.text_pane.is_pending()
    qtbot.waitUntil(lambda: bool(applied) and applied[-1].text.endswith("and the dog"), timeout=5000)
    qtbot.wait(300)
    assert len(applied) == 1, "one inspection for the whole burst of keystrokes"
    assert window.token_view.inspection().tokens.strings[-4:] == ("and", "the", "dog", "[SEP]")


def test_settings_change_reinspects_immediately(qtbot, bert_window):
    window = bert_window
    insp = wait_inspection(qtbot, window, lambda: window.settings_bar.max_length_spin.setValue(5))
    assert insp.settings == Settings(max_length=5)
    assert insp.truncation.tokens_kept == 5
    assert "sequence-truncated" in insp.codes()
    markers = window.token_view.markers()
    assert markers[0].kind == "cut" and "cut at 4" in markers[0].text
    insp = wait_inspection(qtbot, window, lambda: window.settings_bar.special_box.setChecked(False))
    assert "[CLS]" not in insp.tokens.strings
    assert "missing-special-tokens" in insp.codes()


def test_impossible_settings_show_a_message_and_keep_the_text(qtbot, bert_window):
    window = bert_window
    wait_inspection(qtbot, window, lambda: window.settings_bar.max_length_spin.setValue(6))
    with qtbot.waitSignal(window.inspectionFailed, timeout=LOAD_TIMEOUT_MS) as blocker:
        window.settings_bar.stride_spin.setValue(10)
    assert "stride" in blocker.args[0]
    assert window.input_banner.isVisible() and "stride" in window.input_banner.text()
    assert window.text_pane.text() == "the quick brown fox jumps over the lazy dog"
    wait_inspection(qtbot, window, lambda: window.settings_bar.stride_spin.setValue(0))
    assert not window.input_banner.isVisible()


def test_text_cursor_selects_its_token_and_back(qtbot, bert_window):
    window = bert_window
    insp = window.inspection
    editor = window.text_pane.editor_a
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    cursor = editor.textCursor()
    cursor.setPosition(text_index := insp.text.index("fox") + 1)
    editor.setTextCursor(cursor)
    fox = insp.tokens.strings.index("fox")
    assert window.token_view.current() == fox
    assert insp.tokens.at_char(0, text_index) == fox
    # and a click on a chip moves the text cursor to its characters
    lazy = insp.tokens.strings.index("lazy")
    rect = window.token_view.token_rect(lazy)
    qtbot.mouseClick(window.token_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.token_view.current() == lazy
    assert editor.textCursor().position() == insp.text.index("lazy")


def test_selecting_a_diagnostic_highlights_tokens_and_text(qtbot, bert_window):
    window = bert_window
    text = "the dog 😀 jumps over the fox"
    insp = wait_inspection(qtbot, window, lambda: (window.text_pane.set_text(text), window.text_pane.flush()))
    card = window.diagnostics.card("unknown-tokens")
    assert card is not None
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    diagnostic = window.diagnostics.selected()
    assert diagnostic.code == "unknown-tokens"
    unk = [int(i) for i in np.flatnonzero(insp.tokens.unk)]
    assert window.token_view.highlighted() == sorted(diagnostic.tokens) == unk
    spans = [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in window.text_pane.editor_a.extraSelections()]
    emoji = text.index("😀")
    assert (emoji, emoji + 2) in spans  # the emoji is two UTF-16 positions in Qt
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)  # click again: deselect
    assert window.token_view.highlighted() == []


def test_copy_fix_puts_the_snippet_on_the_clipboard(qtbot, bert_window):
    window = bert_window
    wait_inspection(qtbot, window, lambda: window.settings_bar.max_length_spin.setValue(5))
    card = window.diagnostics.card("sequence-truncated")
    assert card.copy_button is not None
    qtbot.mouseClick(card.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == card.diagnostic.fix
    assert "tokenizer(" in QGuiApplication.clipboard().text()


def test_facts_link_selects_its_diagnostic(qtbot, make_window, model_factory):
    window = make_window()
    load(qtbot, window, model_factory.variant("sentence_transformers"), text="hello world")
    flagged = window.facts_card.flagged_rows()
    assert flagged.get("length") == ["max-length-disagreement"]
    assert "sentence-transformers 128" in window.facts_card.value_text("length")
    with qtbot.waitSignal(window.diagnostics.diagnosticSelected) as blocker:
        window.facts_card.body.linkActivated.emit("diag:max-length-disagreement")
    assert blocker.args[0].code == "max-length-disagreement"


def test_pair_mode_marks_segment_b(qtbot, bert_window):
    window = bert_window
    insp = wait_inspection(qtbot, window, lambda: window.text_pane.set_pair("is the dog lazy"))
    assert insp.pair == "is the dog lazy"
    assert window.text_pane.editor_b.isVisible()
    segments = insp.tokens.segments
    assert (segments == 1).sum() == 4
    insp = wait_inspection(qtbot, window, lambda: window.pair_action.trigger())
    assert insp.pair is None and not window.text_pane.editor_b.isVisible()


def test_ids_mode_reads_pasted_ids(qtbot, bert_window):
    window = bert_window
    hello = window.inspector.tokenizer().convert_tokens_to_ids("hello")

    def paste():
        window.text_pane.set_mode("ids")
        window.text_pane.set_text(f"{hello}, {hello}")
        window.text_pane.flush()

    insp = wait_inspection(qtbot, window, paste)
    assert insp.input_kind == "ids"
    assert insp.tokens.strings == ("hello", "hello")
    assert "missing-special-tokens" in insp.codes()
    editor = window.text_pane.input_editor()
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    cursor = editor.textCursor()
    cursor.setPosition(len(str(hello)) + 3)
    editor.setTextCursor(cursor)
    assert window.token_view.current() == 1
    with qtbot.waitSignal(window.inspectionFailed, timeout=LOAD_TIMEOUT_MS) as blocker:
        window.text_pane.set_text("1, two, -3")
        window.text_pane.flush()
    assert "two" in blocker.args[0]
    assert window.text_pane.text() == "1, two, -3"


def _drop(window, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    return event


def test_drop_a_model_folder_loads_it(qtbot, bert_window, model_factory):
    cased = model_factory.variant("cased")
    with qtbot.waitSignal(bert_window.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        event = _drop(bert_window, cased)
    assert event.isAccepted()
    assert bert_window.model_source() == str(cased)


def test_drop_a_model_file_loads_its_folder(qtbot, bert_window, model_factory):
    cased = model_factory.variant("cased")
    with qtbot.waitSignal(bert_window.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        _drop(bert_window, cased / "config.json")
    assert bert_window.model_source() == str(cased)


def test_drop_a_text_file_opens_it_undoably(qtbot, bert_window, tmp_path):
    file = tmp_path / "note.txt"
    file.write_text("a dog and a fox\u00a0here\n", encoding="utf-8")
    insp = wait_inspection(qtbot, bert_window, lambda: _drop(bert_window, file))
    assert insp.text == "a dog and a fox\u00a0here\n"  # the no-break space reaches the tokenizer as is
    bert_window.text_pane.editor_a.undo()
    assert bert_window.text_pane.text() == "the quick brown fox jumps over the lazy dog"


def test_binary_file_is_refused_and_the_text_kept(qtbot, bert_window, tmp_path):
    file = tmp_path / "image.bin"
    file.write_bytes(bytes(range(256)) * 4)
    assert not bert_window.open_text_file(str(file))
    assert "binary" in bert_window.input_banner.text()
    assert bert_window.text_pane.text() == "the quick brown fox jumps over the lazy dog"
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    assert not bert_window.open_text_file(str(latin))
    assert "UTF-8" in bert_window.input_banner.text()


@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_drag_enter_accepts_files_only(qtbot, bert_window, tmp_path):
    from PySide6.QtGui import QDragEnterEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path))])
    event = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    bert_window.dragEnterEvent(event)
    assert event.isAccepted()
    plain = QMimeData()
    plain.setText("just text")
    event = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, plain, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    bert_window.dragEnterEvent(event)
    assert not event.isAccepted()
    assert not bert_window.text_pane.editor_a.canInsertFromMimeData(mime)


def test_custom_code_needs_explicit_confirmation(qtbot, make_window, model_factory, tmp_path, monkeypatch):
    import modelfactory

    marker = tmp_path / "marker"
    monkeypatch.setenv(modelfactory.MARKER_ENV, str(marker))
    folder = model_factory.variant("auto_map")
    window = make_window()
    insp = load(qtbot, window, folder, text="hello world")
    assert window.inspector.refused_remote_code
    assert "trust-remote-code-required" in insp.codes()
    assert window.picker.trust_banner.isVisible()
    assert not marker.exists(), "no code of the model ran before the user allowed it"
    with qtbot.waitSignal(window.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(window.picker.trust_banner.button, Qt.MouseButton.LeftButton)
    assert not window.inspector.refused_remote_code
    qtbot.waitUntil(lambda: "trust-remote-code-required" not in window.inspection.codes(), timeout=LOAD_TIMEOUT_MS)
    assert not window.picker.trust_banner.isVisible()


def test_weights_load_in_the_background(qtbot, make_window, tiny_bert):
    window = make_window(auto_load_weights=True)
    with qtbot.waitSignal(window.weightsLoaded, timeout=120_000) as blocker:
        load(qtbot, window, tiny_bert, text="hello world")  # the weights follow the tokenizer by themselves
    report = blocker.args[0]
    assert report.model_class == "BertModel"
    assert "loaded as BertModel" in window.facts_card.value_text("weights")
    assert not window.picker.progress.isVisible()
    # asked again: the request returns at once and the progress shows until the worker is done
    with qtbot.waitSignal(window.weightsLoaded, timeout=120_000):
        window.load_weights()
        assert window.workspace.controller.is_busy()
        assert window.picker.progress.isVisible() and "weights" in window.picker.status.text()
    assert not window.picker.progress.isVisible()


def test_closing_during_a_load_ends_the_workers(qtbot, make_window, model_factory):
    window = make_window()
    window.open_model(str(model_factory.variant("roberta")))
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 5.0  # typically a fraction of a second: closing never waits for the load
    assert window.runner.active_threads() == 0


def test_recent_models_come_from_settings(qtbot, make_window, tiny_bert):
    app_settings.add_recent(str(tiny_bert))
    app_settings.add_recent("acme/not-cached")
    window = make_window()
    assert window.picker.sources("recent") == ["acme/not-cached", str(tiny_bert)]
    item = window.picker.item_for("recent", str(tiny_bert))
    with qtbot.waitSignal(window.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        window.picker.tree.itemClicked.emit(item, 0)
    assert window.model_source() == str(tiny_bert)


def test_hub_id_field_names_a_missing_id_clearly(qtbot, bert_window):
    picker = bert_window.picker
    picker.source_field.setText("acme/definitely-not-cached")
    with qtbot.waitSignal(bert_window.modelFailed, timeout=LOAD_TIMEOUT_MS) as blocker:
        qtbot.keyClick(picker.source_field, Qt.Key.Key_Return)
    assert "acme/definitely-not-cached" in blocker.args[0]
    assert "cache" in blocker.args[0]


def test_state_is_saved_and_the_session_restored(qtbot, make_window, tiny_bert):
    window = make_window()
    load(qtbot, window, tiny_bert, text="keep this text")
    window.text_pane.set_pair("and this pair")
    window.settings_bar.set_settings(Settings(max_length=7, lowercase="off"))
    window.token_panel.show_ids_box.setChecked(True)
    window.close()
    again = make_window(restore_state=True)
    with qtbot.waitSignal(again.modelLoaded, timeout=LOAD_TIMEOUT_MS):
        again.restore_session()
    assert again.text_pane.text() == "keep this text"
    assert again.text_pane.pair() == "and this pair"
    assert again.settings_bar.settings() == Settings(max_length=7, lowercase="off")
    assert again.model_source() == str(tiny_bert)
    assert again.token_panel.show_ids_box.isChecked()


def test_about_names_the_versions(bert_window):
    text = bert_window.about_text()
    for name in ("Python", "Qt", "torch", "transformers"):
        assert f"<td>{name}</td>" in text


def test_shortcuts_toggle_views(qtbot, bert_window):
    window = bert_window
    window.show_ids_action.trigger()
    assert window.token_view.show_ids()
    window.normalized_action.trigger()
    assert window.token_panel.normalized.isVisible()
    assert window.token_panel.normalized.toPlainText() == window.inspection.normalized_text
    assert window.show_ids_action.shortcut().toString() == "Ctrl+I"
    assert window.open_text_action.shortcut().toString() == "Ctrl+O"


def test_no_traceback_reaches_the_user(qtbot, bert_window, monkeypatch):
    """An unexpected error inside the engine becomes one line in the window."""
    window = bert_window

    def explode(*_args, **_kwargs):
        raise RuntimeError("engine exploded\nwith a second line")

    monkeypatch.setattr(window.inspector, "inspect", explode)
    with qtbot.waitSignal(window.inspectionFailed, timeout=LOAD_TIMEOUT_MS) as blocker:
        window.text_pane.request_inspection()
    assert blocker.args[0] == "unexpected error: RuntimeError: engine exploded"
    assert window.input_banner.text() == blocker.args[0]


def test_window_has_a_sensible_default_size(bert_window):
    size = bert_window.frameGeometry().size()
    area = bert_window.screen().availableGeometry()  # 800 x 800 offscreen: the window fills it, no more
    assert size.width() >= min(1200, area.width() - 16) and size.height() >= min(760, area.height() - 40)
    assert area.contains(bert_window.frameGeometry())
    assert QApplication.windowIcon().isNull() is False
    assert QGuiApplication.desktopFileName() == "io.github.bertinspector.bertinspector"


def test_pasting_a_huge_text_keeps_it_and_says_so(qtbot, bert_window):
    window = bert_window
    huge = "the quick brown fox jumps over the lazy dog\n" * 26_000  # 1.1 million characters
    with qtbot.waitSignal(window.inspectionApplied, timeout=120_000) as blocker:
        window.text_pane.set_text(huge)
        window.text_pane.flush()
        assert window.text_pane.notice.isVisible()
        assert "Large text" in window.text_pane.notice.text()
    insp = blocker.args[0]
    assert insp.text == huge and window.text_pane.text() == huge
    assert not window.text_pane.notice.isVisible()
    total = len(insp.tokens)
    assert total > 200_000
    assert window.token_view.token_count() == 200_000
    assert window.token_view.markers()[-1].kind == "more"
    assert f"{total - 200_000:,} more tokens" in window.token_view.markers()[-1].text
