"""The three classic cases a newcomer pastes on the default model, seen in every pane."""

from __future__ import annotations

import numpy as np
import pytest
from guihelpers import load, wait_inspection


@pytest.fixture
def minilm_window(qtbot, make_window, minilm_path):
    window = make_window()
    load(qtbot, window, "default", text="hello")
    assert window.inspector.facts.folder == str(minilm_path)
    return window


def test_text_over_512_tokens_is_cut_and_shown(qtbot, minilm_window):
    window = minilm_window
    text = "The committee reviewed every clause of the agreement carefully. " * 60
    insp = wait_inspection(qtbot, window, lambda: (window.text_pane.set_text(text), window.text_pane.flush()))
    t = insp.truncation
    assert t.applied and t.tokens_kept == 512 and t.tokens_lost > 0
    # token view: the marker row and dimmed tokens after it
    cut = window.token_view.markers()[0]
    assert cut.kind == "cut" and cut.before == t.cut_token and "cut at 511" in cut.text
    # text: the tail from the cut character on is shaded, with the cut mark
    marks = window.text_pane.editor_a.marks()
    assert marks.cut_at == t.cut_char > 0
    assert not window.text_pane.editor_a.cut_rect().isEmpty()
    # diagnostics: the warning, selectable, with its fix
    card = window.diagnostics.card("sequence-truncated")
    assert card is not None and card.diagnostic.severity.value == "warning"
    assert str(t.tokens_lost) in card.diagnostic.message
    window.diagnostics.select_code("sequence-truncated")
    assert window.token_view.highlighted()
    assert "cut" in window.status_tokens.text()


def test_emoji_and_accents_show_unknown_and_stripped(qtbot, minilm_window):
    window = minilm_window
    text = "Crème brûlée at the café 🎉🍰 was naïve"
    insp = wait_inspection(qtbot, window, lambda: (window.text_pane.set_text(text), window.text_pane.flush()))
    codes = insp.codes()
    assert "unknown-tokens" in codes and "accents-stripped" in codes
    unk = np.flatnonzero(insp.tokens.unk)
    assert len(unk) >= 1
    # token view: the [UNK] chip names the characters behind it
    extras = [window.token_view._extras.get(int(i), "") for i in unk]
    assert any("U+1F389" in e or "🎉" in e for e in extras)
    # text: the emoji span is underlined, the accented letters marked
    marks = window.text_pane.editor_a.marks()
    party = text.index("🎉")
    assert any(start <= party < end for start, end in marks.unknown)
    assert any(start <= text.index("è") < end for start, end in marks.accents)
    # diagnostics
    assert window.diagnostics.card("unknown-tokens") is not None
    assert window.diagnostics.card("accents-stripped").diagnostic.severity.value == "info"


def test_pasted_ids_without_cls_sep(qtbot, minilm_window):
    window = minilm_window

    def paste():
        window.text_pane.set_mode("ids")
        window.text_pane.set_text("[7592, 2088, 999]")
        window.text_pane.flush()

    insp = wait_inspection(qtbot, window, paste)
    assert insp.tokens.strings == ("hello", "world", "!")
    card = window.diagnostics.card("missing-special-tokens")
    assert card is not None and card.diagnostic.severity.value == "error"
    assert "error" in window.diagnostics.counts.text()
    assert window.token_view.token_count() == 3
    assert window.facts_card.flagged_rows().get("specials") == ["missing-special-tokens"]
