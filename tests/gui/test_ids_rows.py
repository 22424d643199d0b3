"""The Ids mode's row picker: a pasted 2-D batch is inspected one row at a time, picked in the window."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bertinspector.app import sessions
from guihelpers import load, wait_inspection

BATCH = "[[101, 7592, 102], [101, 2088, 102, 0]]"
TENSOR_BATCH = "tensor([[ 101, 7592,  102,    0],\n        [ 101, 2088, 2003,  102]])"


@pytest.fixture
def ids_window(qtbot, make_window):
    window = make_window(persist=False)
    load(qtbot, window, "default", text="hello")
    return window


def paste_ids(qtbot, window, text: str):
    def paste():
        window.text_pane.set_mode("ids")
        window.text_pane.set_text(text)
        window.text_pane.flush()

    return wait_inspection(qtbot, window, paste)


def window_messages(window) -> list[str]:
    """The texts a user reads around the input: the banner, the notice, the picker, the findings."""
    pane = window.text_pane
    found = [window.input_banner.text(), pane.notice.text(), pane.ids_rows_label.text(), pane.ids_row_box.toolTip()]
    if window.inspection is not None:
        found += [d.message for d in window.inspection.diagnostics]
    return found


def test_a_pasted_batch_shows_the_picker_and_inspects_the_picked_row(qtbot, ids_window, tmp_path):
    window, pane = ids_window, ids_window.text_pane
    insp = paste_ids(qtbot, window, BATCH)
    assert pane.ids_row_box.isVisible() and pane.ids_row_box.maximum() == 1  # rows 0 and 1
    assert "2 rows" in pane.ids_rows_label.text()
    assert insp.tokens.strings == ("[CLS]", "hello", "[SEP]") and pane.ids_row() == 0
    insp = wait_inspection(qtbot, window, lambda: pane.ids_row_box.setValue(1))
    assert insp.tokens.strings == ("[CLS]", "world", "[SEP]", "[PAD]")
    assert not any("--ids-row" in message for message in window_messages(window))
    # clicking the first id of row 1 in the text selects token 0 of the inspected row
    pane.select_token(insp, 1)
    start, end = pane.editor_ids.token_span()
    assert pane.editor_ids.text()[start:end] == "2088"
    shots = Path(os.environ.get("BERTINSPECTOR_SCREENSHOT_DIR", tmp_path))
    assert pane.grab().save(str(shots / "ids_row_picker.png"))


def test_the_picked_row_is_kept_while_editing_and_clamped_when_rows_go(qtbot, ids_window):
    window, pane = ids_window, ids_window.text_pane
    paste_ids(qtbot, window, TENSOR_BATCH)
    insp = wait_inspection(qtbot, window, lambda: pane.ids_row_box.setValue(1))
    assert insp.tokens.strings == ("[CLS]", "world", "is", "[SEP]")
    insp = paste_ids(qtbot, window, TENSOR_BATCH.replace("2003", "2088"))  # an edit: row 1 stays picked
    assert pane.ids_row() == 1 and insp.tokens.strings == ("[CLS]", "world", "world", "[SEP]")
    insp = paste_ids(qtbot, window, "[[101, 2088, 102]]")  # one row left: the picker hides, row 0 shown
    assert insp.tokens.strings == ("[CLS]", "world", "[SEP]")
    assert pane.ids_row() == 0 and not pane.ids_row_box.isVisible() and not pane.ids_rows_label.isVisible()
    assert window.input_banner.isHidden()
    paste_ids(qtbot, window, BATCH)
    assert pane.ids_row_box.isVisible()
    pane.set_text("")  # emptied: no inspection (shown at once, no worker), no picker
    pane.flush()
    assert window.inspection is None and not pane.ids_row_box.isVisible()


def test_a_single_row_hides_the_picker(qtbot, ids_window):
    insp = paste_ids(qtbot, ids_window, "101, 7592, 102")
    assert insp.tokens.strings == ("[CLS]", "hello", "[SEP]")
    assert not ids_window.text_pane.ids_row_box.isVisible()


def test_the_session_keeps_the_picked_row(qtbot, ids_window, make_window, tmp_path):
    window, pane = ids_window, ids_window.text_pane
    paste_ids(qtbot, window, BATCH)
    wait_inspection(qtbot, window, lambda: pane.ids_row_box.setValue(1))
    saved = sessions.capture(window)
    assert saved.extra[sessions.IDS_ROW] == 1
    other = make_window(persist=False)
    load(qtbot, other, "default", text="hello")
    insp = wait_inspection(qtbot, other, lambda: sessions.restore(other, saved))
    assert other.text_pane.ids_row() == 1 and insp.tokens.strings == ("[CLS]", "world", "[SEP]", "[PAD]")
