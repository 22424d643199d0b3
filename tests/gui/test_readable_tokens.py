"""Tokens a person can read in the window: chips, legend and facts card in the model's own terms, while
tooltips, Show ids, copies and exports keep the raw vocabulary piece."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication

from bertinspector.core import exports
from bertinspector.core.inspector import Inspector
from bertinspector.core.readable import SPLIT_REST, WORD_START
from bertinspector.widgets.facts_card import FactsCard
from bertinspector.widgets.chip_canvas import F_SPLIT
from bertinspector.widgets.token_view import TokenPanel
from guihelpers import shown

TEXT = "the model and the text 😀 ok"


@pytest.fixture(scope="module")
def roberta(model_factory):
    return Inspector.open(str(model_factory.roberta()))


@pytest.fixture
def panel(qtbot):
    widget = TokenPanel()
    qtbot.addWidget(widget)
    shown(qtbot, widget, 900, 300)
    return widget


def test_byte_level_chips_read_as_text_and_the_emoji_is_shown_once(panel, roberta):
    insp = roberta.inspect(TEXT)
    panel.set_inspection(insp)
    view = panel.view
    labels = [view.label(i) for i in range(view.token_count())]
    assert not any("\u0120" in label for label in labels)
    assert f"{WORD_START}model" in labels
    assert sum(label.count("😀") for label in labels) == 1
    split = [i for i in range(view.token_count()) if view._flags[i] & F_SPLIT]
    assert len(split) >= 2 and all(labels[i] == SPLIT_REST for i in split[1:])
    # the chip of the emoji is as wide as its label needs, the rest pieces narrower
    first, rest = view.token_rect(split[0]), view.token_rect(split[1])
    assert first.width() > 0 and rest.width() > 0


def test_tooltip_show_ids_copy_and_csv_keep_the_raw_piece(panel, roberta):
    insp = roberta.inspect(TEXT)
    panel.set_inspection(insp)
    view = panel.view
    model = insp.tokens.strings.index("\u0120model")
    tip = view.tooltip_html(model)
    assert "'\u0120model'" in tip and f"'{WORD_START}model'" in tip and "20 6D 6F 64 65 6C" in tip
    emoji = int(np.flatnonzero(view._flags & F_SPLIT)[0])
    assert "split" in view.tooltip_html(emoji) and "F0" in view.tooltip_html(emoji)
    panel.show_ids_box.setChecked(True)
    assert [view.label(i) for i in range(view.token_count())] == list(insp.tokens.strings)
    panel.show_ids_box.setChecked(False)
    assert view.label(model) == f"{WORD_START}model"
    view.set_current(model)
    view.copy_current()
    assert QGuiApplication.clipboard().text() == "\u0120model"
    rows = list(csv.DictReader(io.StringIO(exports.tokens_csv(insp))))
    assert [r["token"] for r in rows] == list(insp.tokens.strings)


def test_the_legend_names_the_models_own_special_tokens(panel, roberta, model_factory):
    panel.set_inspection(roberta.inspect(TEXT))
    labels = {caption: label for label, _flags, caption in panel.legend.samples}
    assert labels["special"] == "<s>" and labels["unknown"] == "<unk>"
    assert labels["word start"] == f"{WORD_START}word" and labels["subword"] == "piece"
    bert = Inspector.open(str(model_factory.bert()))
    panel.set_inspection(bert.inspect("hello"))
    labels = {caption: label for label, _flags, caption in panel.legend.samples}
    assert labels["special"] == "[CLS]" and labels["unknown"] == "[UNK]" and labels["subword"] == "##piece"
    assert "word start" not in labels


def test_the_facts_card_lists_each_special_token_once(qtbot, roberta):
    card = FactsCard()
    qtbot.addWidget(card)
    card.set_facts(roberta.facts)
    text = card.value_text("specials")
    for token in ("<s>", "</s>", "<unk>", "<pad>", "<mask>"):
        assert text.split().count(token) == 1, text
    assert "cls/bos" in text and "sep/eos" in text


def test_sentencepiece_chips_and_legend_on_an_xlm_r_style_model(panel, model_factory):
    xlmr = Inspector.open(str(model_factory.family("xlm_roberta")))
    insp = xlmr.inspect("the model reads")
    panel.set_inspection(insp)
    labels = [panel.view.label(i) for i in range(panel.view.token_count())]
    assert labels[0] == "<s>" and labels[-1] == "</s>"
    assert [label for label in labels if label.startswith(WORD_START)]  # ▁ word starts, as one mark
    legend = {caption: label for label, _flags, caption in panel.legend.samples}
    assert legend["special"] == "<s>" and legend["unknown"] == "<unk>" and legend["word start"] == f"{WORD_START}word"
    assert "split character" not in legend  # a SentencePiece vocabulary has whole characters


def test_the_compare_view_aligns_roberta_over_xlm_r_with_readable_chips(qtbot, roberta, model_factory):
    from bertinspector.core.compare import compare
    from bertinspector.widgets.compare import CompareView

    xlmr = Inspector.open(str(model_factory.family("xlm_roberta")))
    a, b = roberta.inspect("the model and the text 😀"), xlmr.inspect("the model and the text 😀")
    view = CompareView()
    qtbot.addWidget(view)
    shown(qtbot, view, 1000, 700)
    view.setComparison(compare(a, b))
    aligned = view.aligned
    texts = [aligned.group_text(g) for g in range(aligned.group_count()) if aligned.group_text(g) is not None]
    assert "".join(texts) == "themodelandthetext😀"  # on the characters, never on a space
    model_a = a.tokens.strings.index("\u0120model")
    assert aligned.chip_label("A", model_a) == f"{WORD_START}model"
    assert "'\u0120model'" in aligned.tooltip_html(aligned.group_for_char(0, 5))  # the raw piece stays
    b_labels = [aligned.chip_label("B", p) for p in range(len(b.tokens))]
    assert b_labels[0] == "<s>" and any(label.startswith(WORD_START) for label in b_labels)
    emoji = [p for p in range(len(a.tokens)) if "😀" in aligned.chip_label("A", p)]
    assert len(emoji) == 1  # shown once although its bytes are spread over several pieces


def test_attention_labels_read_like_the_chips(qtbot, roberta):
    from bertinspector.core import inference
    from bertinspector.qt.inference import ResultView
    from bertinspector.widgets.attention_plot import AttentionPlot

    insp = roberta.inspect("the model 😀")
    result = inference.run(inference.load_model(roberta, "cpu"), insp, roberta.tokenizer())
    plot = AttentionPlot()
    qtbot.addWidget(plot)
    shown(qtbot, plot, 900, 700)
    plot.set_result(ResultView(result, None))
    labels = plot.row_labels()
    assert f"{WORD_START}model" in labels and not any("\u0120" in label for label in labels)
    assert sum(label.count("😀") for label in labels) == 1


def test_the_plots_name_the_models_own_special_tokens(qtbot, roberta):
    from bertinspector.core import inference
    from bertinspector.qt.inference import ResultView
    from bertinspector.widgets.attention_plot import AttentionPlot
    from bertinspector.widgets.hidden_plot import HiddenPlot

    attention, hidden = AttentionPlot(), HiddenPlot()
    for plot in (attention, hidden):
        qtbot.addWidget(plot)
    assert attention.share_plot.series_names()[:2] == ["[CLS] / first", "[SEP] / separator"]  # before a run
    insp = roberta.inspect("the model")
    view = ResultView(inference.run(inference.load_model(roberta, "cpu"), insp, roberta.tokenizer()), None)
    shown(qtbot, attention, 900, 700).set_result(view)
    shown(qtbot, hidden, 900, 700).set_result(view)
    assert attention.share_plot.series_names()[:2] == ["<s> / first", "</s> / separator"]
    # the tooltips are rich text: the tokens are escaped, so they read as <s> rather than turning into tags
    for tip in (attention.hide_special_box.toolTip(), hidden.hide_special_box.toolTip()):
        assert "&lt;s&gt;, &lt;/s&gt;" in tip and "[CLS]" not in tip


def test_the_pair_placeholder_names_the_models_separator(qtbot, make_window, model_factory):
    from guihelpers import load

    window = make_window(persist=False)
    load(qtbot, window, model_factory.family("roberta"), text="the model")
    assert "after </s>" in window.text_pane.editor_b.placeholderText()
    load(qtbot, window, model_factory.bert(), text="the model")
    assert "after [SEP]" in window.text_pane.editor_b.placeholderText()
