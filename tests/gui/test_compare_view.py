"""The compare view on real inspections: variants, the aligned view's marks, selection, tables, speed."""

from __future__ import annotations

import statistics
import time

import numpy as np
from guihelpers import shown
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from bertinspector.core import inference
from bertinspector.core.compare import compare
from bertinspector.core.compare_report import markers
from bertinspector.core.compare_runs import compare_runs
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings
from bertinspector.widgets.chip_canvas import MARGIN
from bertinspector.widgets.compare import GUTTER, SAME_AS_A, CompareView, SlotB

CAPITALISED = "Hello from Paris: London and Berlin are Capitals of Europe."
CAPITALISED_WORDS = ("Hello", "Paris", "London", "Berlin", "Capitals", "Europe")
LOWER_WORDS = ("from", "and", "are", "of")
LONG = ("The patient was admitted with acute chest pain and shortness of breath. " * 60).strip()
SENTENCE = "The quick brown fox, a naïve café owner from Paris, jumps over the unbelievably lazy dog 😀 again. "
# What painting a 10,000-character comparison (layout + a full repaint) may take here, in the median.
# benchmarks/bench_compare.py measures the whole keystroke (both inspections, alignment, this):
# p50 ~24 ms, p95 ~27 ms on 2 shared cores once gc.freeze() has run after the model load.
PAINT_BUDGET_S = 0.5  # guards against a widget per token (10x a typical repaint); figures: benchmarks/bench_compare.py


@pytest.fixture(scope="module")
def default_model():
    return Inspector.open("default")


@pytest.fixture(scope="module")
def tiny(model_factory):
    return Inspector.open(str(model_factory.bert()))


class Driver:
    """What the window does for compare mode: inspect A and B, hand the comparison to the view."""

    def __init__(self, qtbot, inspector, text: str, pair: str | None = None, settings: Settings = Settings(),
                 width: int = 1000):
        self.inspector, self.text, self.pair, self.settings = inspector, text, pair, settings
        self.inspector_b = None
        self.requested: list[str] = []
        self.view = shown(qtbot, CompareView(), width, 800)
        self.view.slotBChanged.connect(self.compare)
        self.view.modelBRequested.connect(self.load_b)
        self.compare()

    def a(self):
        return self.inspector.inspect(self.text, self.pair, self.settings)

    def compare(self):
        text_b, pair_b = self.view.input_b(self.text, self.pair)
        b = (self.inspector_b or self.inspector).inspect(text_b, pair_b, self.view.settings_b())
        self.comparison = compare(self.a(), b)
        self.view.setComparison(self.comparison)
        return self.comparison

    def load_b(self, src: str):
        self.requested.append(src)
        self.inspector_b = Inspector.open(src) if src else None
        self.view.set_model_b_loaded(src or None)
        self.compare()


def group_of(view: CompareView, text: str, word: str) -> int:
    index = view.aligned.group_for_char(0, text.index(word))
    assert view.aligned.group_text(index) == word
    return index


def click_variant(qtbot, view: CompareView, name: str):
    button = view.variant_buttons[name]
    assert button.isEnabled()
    with qtbot.waitSignal(view.variantApplied) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == [name]
    assert view.active_variant() == name and button.isChecked()


def test_lowercasing_flipped_marks_capitalised_words_unknown_in_b(qtbot, default_model):
    d = Driver(qtbot, default_model, CAPITALISED)
    view = d.view
    assert view.aligned.counts()["differs"] == 0 and "agree" in view.headline.text()
    click_variant(qtbot, view, "lowercase-flipped")
    assert view.slot_b() == SlotB(model=None, settings=Settings(lowercase="off"), swap_pair=False)
    c = view.comparison()
    assert c.b.settings.lowercase == "off" and c is d.comparison
    for word in CAPITALISED_WORDS:
        index = group_of(view, CAPITALISED, word)
        group = view.aligned.group(index)
        assert group.unk_b and not group.unk_a
        assert view.aligned.group_marks(index) == "?B"
        b_token = group.b[0]
        assert c.b.tokens.strings[b_token] == "[UNK]"
        # drawn with the "?" badge after B's chip, and told in words in the tooltip
        side_b = view.aligned._sides[1]
        assert side_b.badge[np.flatnonzero(side_b.pos == b_token)[0]]
        assert "unknown token in B only" in view.aligned.tooltip_html(index)
    for word in LOWER_WORDS:
        assert view.aligned.group_marks(group_of(view, CAPITALISED, word)) == ""
    # the marks are the ones the compare command prints
    for index, group in enumerate(c.alignment):
        assert view.aligned.group_marks(index) == markers(c, group)
    assert "?B unknown in B only" in view.headline.text()
    summary = {name: (a, b, differs) for name, a, b, differs in view.summary_table.rows()}
    assert summary["unknown tokens"] == ("0", "6", True)
    # back to B = A
    qtbot.mouseClick(view.reset_button, Qt.MouseButton.LeftButton)
    assert view.settings_b() == Settings() and view.active_variant() is None
    assert view.aligned.counts()["differs"] == 0


def test_without_special_tokens_marks_the_missing_specials(qtbot, default_model):
    d = Driver(qtbot, default_model, "hello world")
    click_variant(qtbot, d.view, "no-special-tokens")
    assert d.view.settings_b().add_special_tokens is False
    c = d.view.comparison()
    specials = [i for i, g in enumerate(c.alignment) if g.is_special]
    assert len(specials) == 2  # [CLS] and [SEP] of A, nothing in B
    for index in specials:
        group = c.alignment[index]
        assert group.special and group.b == () and d.view.aligned.group_marks(index) == "≠"
        assert d.view.aligned.group_span(index) == (-1, -1, -1)
    assert "[CLS]" not in c.b.tokens.strings


def test_max_length_128_shows_both_cut_points(qtbot, default_model):
    d = Driver(qtbot, default_model, LONG)
    view = d.view
    click_variant(qtbot, view, "max-length-128")
    assert view.settings_b().max_length == 128 and view.settings_b().truncation == "longest_first"
    c = view.comparison()
    assert c.summary_a.kept == 512 and c.summary_b.kept == 128
    cut_a, cut_b = view.aligned.cut_group("A"), view.aligned.cut_group("B")
    assert 0 <= cut_b < cut_a
    assert view.aligned.group_marks(cut_b).endswith("✂B") and view.aligned.group_marks(cut_a).endswith("✂A")
    assert view.cut_points() == [("A", 0, c.summary_a.cut_char), ("B", 0, c.summary_b.cut_char)]
    assert view.aligned.group(cut_b).start == c.summary_b.cut_char
    # between the two cuts, only A's model sees the text
    assert all(view.aligned.group(i).cut_b for i in range(cut_b, cut_a) if not view.aligned.group(i).is_special)
    summary = {name: (a, b, differs) for name, a, b, differs in view.summary_table.rows()}
    assert summary["tokens kept"] == ("512", "128", True)
    assert summary["cut at character"][2]
    # the cut buttons jump there and select the group
    with qtbot.waitSignal(view.groupSelected) as blocker:
        qtbot.mouseClick(view.cut_b_button, Qt.MouseButton.LeftButton)
    assert view.aligned.current() == cut_b and blocker.args[1] == c.summary_b.cut_char
    assert view.aligned.viewport().rect().intersects(view.aligned.group_rect(cut_b))
    # "next difference" treats everything after the cut as one stop
    stops = view.aligned.difference_stops()
    assert cut_b in stops and not any(cut_b < s < cut_a for s in stops)


def test_pair_swapped_needs_a_pair_and_swaps_b_input(qtbot, default_model):
    d = Driver(qtbot, default_model, "hello world")
    assert not d.view.variant_buttons["pair-swapped"].isEnabled()
    d.pair = "the second sentence"
    d.compare()
    click_variant(qtbot, d.view, "pair-swapped")
    assert d.view.swap_pair() and d.view.input_b("one", "two") == ("two", "one")
    c = d.view.comparison()
    assert c.b.text == "the second sentence" and c.b.pair == "hello world"
    moved = [i for i, g in enumerate(c.alignment) if g.moved]
    firsts = [i for i in moved if i - 1 not in moved]
    assert len(firsts) == 2  # both segments sit in the other segment in B
    # each run is marked once (the chips' shapes show the segment of every token) and is one stop
    assert [i for i in moved if "⇄" in d.view.aligned.group_marks(i)] == firsts
    assert set(firsts) <= set(d.view.aligned.difference_stops())
    assert not (set(moved) - set(firsts)) & set(d.view.aligned.difference_stops())


def test_variant_buttons_wait_for_a(qtbot):
    view = CompareView()
    qtbot.addWidget(view)
    assert not any(b.isEnabled() for b in view.variant_buttons.values())
    assert view.aligned.group_count() == 0 and view.comparison() is None
    view.apply_variant("lowercase-flipped")  # nothing to vary yet: no signal, no change
    assert view.settings_b() == Settings()


def test_selecting_a_group_emits_its_characters(qtbot, default_model):
    d = Driver(qtbot, default_model, CAPITALISED)
    aligned = d.view.aligned
    index = group_of(d.view, CAPITALISED, "Paris")
    rect = aligned.group_rect(index)
    with qtbot.waitSignal(d.view.groupSelected) as blocker:
        qtbot.mouseClick(aligned.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    segment, start, end = blocker.args
    assert segment == 0 and CAPITALISED[start:end] == "Paris" and aligned.current() == index
    with qtbot.waitSignal(d.view.groupSelected) as blocker:
        qtbot.keyClick(aligned, Qt.Key.Key_Right)
    assert CAPITALISED[blocker.args[1]:blocker.args[2]] == ":"
    # a special-token group has no characters
    with qtbot.waitSignal(d.view.groupSelected) as blocker:
        qtbot.keyClick(aligned, Qt.Key.Key_Home)
    assert blocker.args == [-1, -1, -1]
    # the text pane's cursor selects without echoing a signal back
    with qtbot.assertNotEmitted(d.view.groupSelected):
        assert d.view.select_group_at(0, CAPITALISED.index("Berlin") + 2) == group_of(d.view, CAPITALISED, "Berlin")
    # the selection stays on its characters while typing goes on after them
    d.text = CAPITALISED + " And Rome."
    d.compare()
    assert aligned.group_text(aligned.current()) == "Berlin"
    # clicking empty space selects nothing
    with qtbot.assertNotEmitted(d.view.groupSelected):
        qtbot.mouseClick(aligned.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(aligned.viewport().width() - 3, aligned.viewport().height() - 3))


def test_next_difference_walks_the_differing_groups(qtbot, default_model):
    d = Driver(qtbot, default_model, CAPITALISED)
    click_variant(qtbot, d.view, "lowercase-flipped")
    seen = []
    for _ in range(len(CAPITALISED_WORDS)):
        qtbot.mouseClick(d.view.next_button, Qt.MouseButton.LeftButton)
        seen.append(d.view.aligned.group_text(d.view.aligned.current()))
    assert seen == list(CAPITALISED_WORDS)
    qtbot.mouseClick(d.view.prev_button, Qt.MouseButton.LeftButton)
    assert d.view.aligned.group_text(d.view.aligned.current()) == "Capitals"


def test_config_diff_marks_differing_rows(qtbot, default_model):
    d = Driver(qtbot, default_model, CAPITALISED)
    click_variant(qtbot, d.view, "lowercase-flipped")
    table = d.view.config_table
    expected = {r.field: r.differs for r in d.view.comparison().config_diff}
    assert expected["lowercase"] and not expected["vocab_size"]
    assert table.rowCount() == len(expected)
    for row in range(table.rowCount()):
        field = table.item(row, 1).text()
        differs = expected[field]
        assert (table.item(row, 0).text() == "≠") == differs
        assert all(table.item(row, col).font().bold() == differs for col in range(4))
    lowercase = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "lowercase")
    assert (table.item(lowercase, 2).text(), table.item(lowercase, 3).text()) == ("yes", "no")
    d.view.only_differences.setChecked(True)
    assert table.rowCount() == sum(expected.values()) and all(table.item(r, 0).text() == "≠" for r in range(table.rowCount()))
    assert "≠" in d.view.tabs.tabText(0)


def test_slot_b_picker_asks_for_models(qtbot, default_model, tiny_bert):
    d = Driver(qtbot, default_model, "the quick brown fox")
    view = d.view
    view.source_field.setText(str(tiny_bert))
    with qtbot.waitSignal(view.modelBRequested) as blocker:
        qtbot.keyClick(view.source_field, Qt.Key.Key_Return)
    assert blocker.args == [str(tiny_bert)]
    assert view.model_b() == str(tiny_bert) and str(tiny_bert) in view.model_status.text()
    source = next(r for r in view.comparison().config_diff if r.field == "source")
    assert source.differs and source.b == str(tiny_bert)
    assert view.active_variant() is None  # another model is no variant of A
    # a variant puts B back on A's model
    with qtbot.waitSignal(view.modelBRequested) as blocker:
        qtbot.mouseClick(view.variant_buttons["no-special-tokens"], Qt.MouseButton.LeftButton)
    assert blocker.args == [SAME_AS_A] and view.model_b() is None
    assert view.comparison().b.source == view.comparison().a.source
    with qtbot.waitSignal(view.modelBRequested) as blocker:
        qtbot.mouseClick(view.same_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [SAME_AS_A]
    view.set_model_b_error("no such model")
    assert "no such model" in view.model_status.text()


def test_settings_of_b_drive_the_comparison(qtbot, default_model):
    d = Driver(qtbot, default_model, LONG)
    with qtbot.waitSignal(d.view.slotBChanged):
        d.view.settings_bar.max_length_spin.setValue(64)
    assert d.view.comparison().summary_b.kept == 64 and d.view.active_variant() is None
    d.view.set_slot_b(SlotB(settings=Settings(max_length=128)), notify=True)
    assert d.view.active_variant() == "max-length-128"


def test_diagnostics_of_a_and_b_labelled(qtbot, default_model):
    d = Driver(qtbot, default_model, LONG)
    click_variant(qtbot, d.view, "max-length-128")
    d.view.show_diagnostics()
    assert d.view.diagnostics_title_a.text().startswith("<b>A</b>")
    assert d.view.diagnostics_title_b.text().startswith("<b>B</b>")
    assert "max_length 128" in d.view.diagnostics_title_b.text()
    assert "Diagnostics A" in d.view.tabs.tabText(1)
    card = d.view.diagnostics_b.card("sequence-truncated")
    assert card is not None and d.view.diagnostics_a.card("sequence-truncated") is not None
    with qtbot.waitSignal(d.view.diagnosticSelected) as blocker:
        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    side, diagnostic = blocker.args
    assert side == "B" and diagnostic.code == "sequence-truncated"
    assert d.view.aligned.highlighted("B") == sorted(diagnostic.tokens) and d.view.aligned.highlighted("A") == []


def test_a_long_word_wraps_inside_its_column(qtbot, default_model):
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2
    text = f"The {word} is long"
    d = Driver(qtbot, default_model, text, width=420)
    click_variant(qtbot, d.view, "lowercase-flipped")
    aligned = d.view.aligned
    index = group_of(d.view, text, word)
    group = aligned.group(index)
    assert len(group.a) > 20 and len(group.b) == 1  # lowercased: pieces; cased: one [UNK]
    right = aligned.viewport().width()
    rects = [aligned.token_rect("A", p) for p in group.a]
    assert all(r.right() <= right for r in rects)
    assert len({r.top() for r in rects}) > 1  # more than one line
    column = aligned.group_rect(index)
    assert all(column.contains(r) for r in rects) and column.contains(aligned.token_rect("B", group.b[0]))


def test_run_comparison_side_by_side_and_stale(qtbot, model_factory):
    inspector = Inspector.open(str(model_factory.variant("masked_lm")))
    loaded = inference.load_model(inspector, "cpu")
    text = "the [MASK] reads this [MASK]"
    d = Driver(qtbot, inspector, text)
    click_variant(qtbot, d.view, "no-special-tokens")
    c = d.view.comparison()
    result = compare_runs(inference.run(loaded, c.a, inspector.tokenizer()),
                          inference.run(loaded, c.b, inspector.tokenizer()), c.alignment)
    with qtbot.waitSignal(d.view.runRequested):
        qtbot.mouseClick(d.view.run_panel.run_button, Qt.MouseButton.LeftButton)
    d.view.setRunComparison(result)
    panel = d.view.run_panel
    assert panel.masks_table.rowCount() == 2 and not panel.masks_table.isHidden()
    assert panel.labels_table.isHidden()  # no classifier
    assert "first token ([CLS] / the)" in panel.vectors.text()  # B has no [CLS]: said so
    assert panel.layers.values() == pytest.approx(list(result["layer_mean_cosine"]))
    assert not panel.is_stale()
    d.text = "the [MASK] reads that [MASK]"
    d.compare()
    assert panel.is_stale() and "Out of date" in panel.status.text()


def test_label_probabilities_and_per_layer_cosine(qtbot, model_factory):
    inspector = Inspector.open(str(model_factory.variant("sequence_classification")))
    loaded = inference.load_model(inspector, "cpu")
    d = Driver(qtbot, inspector, "the model reads this sentence")
    c = d.comparison
    run = inference.run(loaded, c.a, inspector.tokenizer())
    result = compare_runs(run, inference.run(loaded, c.b, inspector.tokenizer()), c.alignment)
    d.view.setRunComparison(result, c)
    panel = d.view.run_panel
    assert panel.labels_table.rowCount() == 2
    assert [panel.labels_table.item(r, 0).text() for r in range(2)] == ["negative", "positive"]
    assert panel.labels_table.item(0, 3).text() == "+0.000"
    assert "1.000" in panel.vectors.text()
    assert panel.layers.values() == pytest.approx([1.0] * 3, abs=1e-5)  # one to one: per token
    assert "token vectors" in panel.layers_title.text()


def test_painting_10000_characters_stays_within_budget(qtbot, default_model):
    text = (SENTENCE * (10_000 // len(SENTENCE) + 1))[:10_000]
    d = Driver(qtbot, default_model, text)
    click_variant(qtbot, d.view, "lowercase-flipped")
    a, b = d.comparison.a, d.comparison.b
    aligned = d.view.aligned
    assert aligned.group_count() > 2000
    # no widget per token: the view is one scroll area
    assert len(aligned.findChildren(QWidget)) < 10
    times = []
    for _ in range(9):
        comparison = compare(a, b)
        started = time.perf_counter()
        d.view.setComparison(comparison)
        aligned.viewport().repaint()
        times.append(time.perf_counter() - started)
    assert statistics.median(times) <= PAINT_BUDGET_S, times
    # scrolling to the far end paints only the bands in view
    aligned.verticalScrollBar().setValue(aligned.verticalScrollBar().maximum())
    started = time.perf_counter()
    aligned.viewport().repaint()
    assert time.perf_counter() - started <= PAINT_BUDGET_S


def test_no_comparison_paints_a_hint(qtbot):
    view = shown(qtbot, CompareView(), 600, 500)
    view.aligned.viewport().repaint()
    assert view.aligned.group_at(QPoint(30, 30)) == -1
    view.setRunComparison(None)
    assert "Run both slots" in view.run_panel.status.text()


def test_line_breaks_and_the_pair_start_new_bands(qtbot, default_model):
    text = "First line here.\nSecond line 😀 here.\n\nThird Line."
    d = Driver(qtbot, default_model, text, pair="and the pair")
    aligned = d.view.aligned
    starts = [group_of(d.view, text, word) for word in ("First", "Second", "Third")]
    rows = [aligned.group_rect(i).top() for i in starts]
    assert rows == sorted(set(rows))  # three bands
    band_left = MARGIN + GUTTER  # after the "A"/"B" labels; the first band opens with [CLS]
    assert [aligned.group_rect(i).left() for i in starts[1:]] == [band_left, band_left]
    pair_start = aligned.group_for_char(1, 0)
    assert aligned.group_text(pair_start) == "and" and aligned.group_rect(pair_start).top() > rows[-1]


def test_a_narrow_view_takes_a_shorter_comparison_after_wrapped_columns(qtbot, default_model):
    """Columns wider than the view wrap; the next comparison (fewer columns) lays out from scratch."""
    from bertinspector.widgets.compare import AlignedView

    view = shown(qtbot, AlignedView(), 70, 400)
    long = "the antidisestablishmentarianism of supercalifragilisticexpialidocious words " * 3
    view.set_comparison(compare(default_model.inspect(long), default_model.inspect(long)))
    assert view._wrapped, "the long words should wrap at 70 px"
    with qtbot.capture_exceptions() as raised:
        view.set_comparison(compare(default_model.inspect("hi"), default_model.inspect("hi")))
        qtbot.wait(20)
    assert not raised
    assert view.group_text(1) == "hi"
