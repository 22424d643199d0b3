"""The token view on real inspections: layout, kinds, the cut marker, tooltips, selection, scale."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QHelpEvent, QImage, QPainter, QPalette
from PySide6.QtWidgets import QToolTip

from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings
from bertinspector.widgets.chip_canvas import (
    F_CUT, F_SEG_B, F_SPECIAL, F_SUBWORD, F_UNK, ChipColors, display_label, paint_chip,
)
from bertinspector.widgets.token_view import TokenPanel, TokenView


@pytest.fixture(scope="module")
def bert(model_factory):
    return Inspector.open(str(model_factory.bert()))


@pytest.fixture
def view(qtbot):
    widget = TokenView()
    widget.resize(600, 400)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _rects(view):
    return [view.token_rect(i) for i in range(view.token_count())]


def test_every_token_gets_a_chip_in_reading_order_within_the_width(view, bert):
    insp = bert.inspect("the quick brown fox jumps over the lazy dog " * 20)
    view.set_inspection(insp)
    rects = _rects(view)
    assert len(rects) == len(insp.tokens)
    width = view.viewport().width()
    for a, b in zip(rects, rects[1:]):
        assert (b.top(), b.left()) > (a.top(), a.left()), "chips follow reading order"
        if a.top() == b.top():
            assert b.left() >= a.right(), "chips on one row never overlap"
    assert all(r.right() <= width for r in rects)
    assert view.row_count() > 3


def test_subword_continuations_join_the_chip_before(view, bert):
    insp = bert.inspect("walking talked")  # pieces of the tiny vocabulary: w ##a ##l ##k ##ing ...
    view.set_inspection(insp)
    sub = [i for i in range(len(insp.tokens)) if insp.tokens.subword[i]]
    assert len(sub) >= 2
    for i in sub:
        assert view.token_rect(i).left() == view.token_rect(i - 1).right() + 1


def test_cut_marker_row_separates_what_the_model_never_sees(view, bert):
    insp = bert.inspect("the dog " * 30, settings=Settings(max_length=16))
    view.set_inspection(insp)
    cut = insp.truncation.cut_token
    assert cut == 15
    markers = view.markers()
    assert markers[0].kind == "cut" and markers[0].before == cut
    assert "\u2702 cut at 15" in markers[0].text
    assert f"{insp.truncation.tokens_lost}" in markers[0].text
    marker_rect = view.marker_rect(markers[0])
    assert view.token_rect(cut - 1).bottom() < marker_rect.top()
    assert marker_rect.bottom() < view.token_rect(cut).top()
    # the kept [SEP] after the cut run is announced too
    assert markers[1].kind == "resume" and markers[1].before == len(insp.tokens) - 1


def test_limit_marker_when_truncation_is_off(view, model_factory):
    short = Inspector.open(str(model_factory.variant("short_positions")))
    insp = short.inspect("the dog " * 80, settings=Settings(truncation="none"))
    view.set_inspection(insp)
    kinds = [m.kind for m in view.markers()]
    assert kinds == ["limit"]
    assert view.markers()[0].before == 128


def test_kinds_differ_by_shape_not_only_colour(qtbot):
    """Painted with one single colour, every kind of chip still looks different."""
    grey = QColor("#777777")
    mono = ChipColors(*([grey] * len(ChipColors.__dataclass_fields__)))
    font = QFont()
    bold = QFont(font)
    bold.setBold(True)
    images = {}
    for name, flags in {"plain": 0, "special": F_SPECIAL, "subword": F_SUBWORD, "unk": F_UNK,
                        "segment-b": F_SEG_B, "cut": F_CUT}.items():
        image = QImage(80, 30, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        paint_chip(painter, QRectF(4, 4, 70, 22), "tok", flags, mono, (font, bold, font))
        painter.end()
        images[name] = image
    names = list(images)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert images[a] != images[b], f"{a} and {b} look the same without colour"


def test_tooltip_tells_index_id_offsets_and_type(view, bert):
    insp = bert.inspect("hello world", pair="the dog")
    view.set_inspection(insp)
    i = insp.tokens.strings.index("world")
    tip = view.tooltip_html(i)
    for part in (f">{i}<", f">{insp.tokens.ids[i]}<", "6–11", "'world'", "type id", ">A<"):
        assert part in tip
    dog = insp.tokens.strings.index("dog")
    assert ">B<" in view.tooltip_html(dog)
    assert "added by the tokenizer" in view.tooltip_html(0)
    # a real tooltip event over the chip shows that text
    rect = view.token_rect(i)
    event = QHelpEvent(QEvent.Type.ToolTip, rect.center(), view.viewport().mapToGlobal(rect.center()))
    assert view.viewportEvent(event)
    assert "world" in QToolTip.text()


def test_show_ids_makes_chips_taller_and_wide_enough(view, bert):
    insp = bert.inspect("hello")
    view.set_inspection(insp)
    before = view.token_rect(0).height()
    view.set_show_ids(True)
    assert view.token_rect(0).height() > before
    assert view.show_ids()


def test_click_and_keys_move_the_current_token(qtbot, view, bert):
    insp = bert.inspect("the quick brown fox")
    view.set_inspection(insp)
    with qtbot.waitSignal(view.currentChanged) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.token_rect(2).center())
    assert blocker.args == [2]
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.current() == 3
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.current() == len(insp.tokens) - 1
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.current() == 0
    assert view.index_at(QPoint(-5, -5)) == -1


def test_unknown_tokens_show_the_characters_behind_them(view, bert):
    insp = bert.inspect("a dog \u2603 here")  # a snowman is not in the tiny vocabulary
    view.set_inspection(insp)
    unk = int(np.flatnonzero(insp.tokens.unk)[0])
    assert view._extras[unk] in ("\u2603", "U+2603")


def test_display_label_makes_whitespace_visible():
    assert display_label(" ") == "\u2423"
    assert display_label("\n") == "\u21b5"
    assert display_label("") == "\u2205"
    assert display_label("\u0120hello") == "\u0120hello"


def test_twenty_thousand_tokens_stay_cheap(qtbot, view, bert):
    text = "the quick brown fox jumps over the lazy dog " * 2300
    insp = bert.inspect(text, settings=Settings(truncation="none"))
    assert len(insp.tokens) > 20_000
    started = time.perf_counter()
    view.set_inspection(insp)
    view.viewport().repaint()
    first = time.perf_counter() - started
    bar = view.verticalScrollBar()
    started = time.perf_counter()
    for value in np.linspace(0, bar.maximum(), 20):
        bar.setValue(int(value))
        view.viewport().repaint()
    scrolling = (time.perf_counter() - started) / 20
    assert view.token_count() == len(insp.tokens)
    # generous bounds: this guards against one-widget-per-token designs, not the benchmark's targets
    assert first < 5.0 and scrolling < 0.5
    assert view.token_rect(len(insp.tokens) - 1).isValid()


def test_panel_summary_and_normalized_text(qtbot, bert):
    panel = TokenPanel()
    qtbot.addWidget(panel)
    panel.show()
    insp = bert.inspect("The Dog", settings=Settings(max_length=3))
    panel.set_inspection(insp)
    summary = panel.summary.text()
    assert f"{len(insp.tokens)} tokens" in summary and "cut" in summary
    panel.normalized_box.setChecked(True)
    assert panel.normalized.isVisible()
    assert panel.normalized.toPlainText() == "the dog"


def test_dark_palette_gets_dark_chips(view):
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    colors = ChipColors.from_palette(palette)
    assert colors.a_fill.lightness() < 128 and colors.text.lightness() > 128
