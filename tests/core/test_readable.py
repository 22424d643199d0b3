"""Readable tokens (core.readable): what a person reads for byte-level, SentencePiece and WordPiece pieces."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bertinspector.core import report
from bertinspector.core.inspector import Inspector
from bertinspector.core.readable import SPLIT_REST, WORD_START, readable, readable_pieces, scheme_of


def _pieces(scheme: str, strings: list[str], special=(), unk=(), unk_token=None):
    n = len(strings)
    flags = lambda positions: np.isin(np.arange(n), list(positions))  # noqa: E731
    # one id per distinct string, as a vocabulary gives them
    ids = [sorted(set(strings)).index(s) for s in strings]
    return readable_pieces(scheme, strings, ids, flags(special), flags(unk), unk_token)


@pytest.fixture(scope="module")
def roberta(model_factory):
    return Inspector.open(str(model_factory.roberta()))


def test_byte_level_pieces_read_as_their_text_with_a_word_start_mark(roberta):
    insp = roberta.inspect("the model and the text, café")
    reading = readable(insp)
    assert scheme_of(insp.facts) == "byte-level"
    assert f"{WORD_START}model" in reading.labels and f"{WORD_START}text" in reading.labels
    # é is two byte pieces here: shown once, its second piece marked as the rest of it
    assert "".join(reading.labels[1:-1]).replace(WORD_START, " ") == f"the model and the text, café{SPLIT_REST}"
    assert not any("\u0120" in label for label in reading.labels)  # no raw Ġ anywhere
    starts = [label for label, start in zip(reading.labels, reading.word_start) if start]
    assert starts and all(label.startswith(WORD_START) for label in starts)
    assert reading.labels[0] == "<s>" and reading.labels[-1] == "</s>"


def test_an_emoji_split_over_byte_pieces_is_shown_once_and_marked(roberta):
    insp = roberta.inspect("ok 😀 ok")
    reading = readable(insp)
    strings = insp.tokens.strings
    split = np.flatnonzero(reading.split)
    assert len(split) >= 2  # the tiny vocabulary has no emoji merge: its four bytes are separate pieces
    assert sum(label.count("😀") for label in reading.labels) == 1
    first = split[0]
    assert "😀" in reading.labels[first]
    assert all(reading.labels[i] == SPLIT_REST for i in split[1:])
    assert "ð" in "".join(strings[i] for i in split)  # the raw pieces are untouched


def test_a_piece_that_ends_one_character_and_starts_the_next():
    from tokenizers.pre_tokenizers import ByteLevel

    # the bytes of 你 (E4 BD A0) and 好 (E5 A5 BD), written as byte-level pieces by the tokenizers library
    [(mapped, _)] = ByteLevel(add_prefix_space=False, use_regex=False).pre_tokenize_str("你好")
    pieces = [mapped[:2], mapped[2:4], mapped[4:]]
    reading = _pieces("byte-level", pieces)
    assert reading.labels == ("你", SPLIT_REST + "好", SPLIT_REST)
    assert reading.split.all()


def test_sentencepiece_word_starts_and_specials():
    reading = _pieces("sentencepiece", ["<s>", "\u2581Hello", "\u2581wor", "ld", "\u2581", "</s>"], special=(0, 5))
    assert reading.labels == ("<s>", f"{WORD_START}Hello", f"{WORD_START}wor", "ld", WORD_START, "</s>")
    assert reading.word_start.tolist() == [False, True, True, False, True, False]


def test_byte_fallback_pieces_keep_their_label_and_name_their_character():
    pieces = ["\u2581ok", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0x41>"]
    reading = _pieces("sentencepiece", pieces)
    assert reading.labels == tuple(pieces)
    assert reading.notes == {1: "😀", 5: "A"}
    assert reading.split.tolist() == [False, True, True, True, True, False]


def test_unknown_tokens_read_as_the_models_unknown_token():
    # a SentencePiece encoding gives the text behind an unknown token as its string
    reading = _pieces("sentencepiece", ["\u2581a", "你", "b"], unk=(1,), unk_token="<unk>")
    assert reading.labels == (f"{WORD_START}a", "<unk>", "b")
    wordpiece = _pieces("wordpiece", ["a", "[UNK]", "##b"], unk=(1,), unk_token="[UNK]")
    assert wordpiece.labels == ("a", "[UNK]", "##b")


def test_added_tokens_and_wordpiece_stay_as_they_are(model_factory):
    wordpiece = Inspector.open(str(model_factory.bert()))
    insp = wordpiece.inspect("unbelievable tokens")
    assert readable(insp).labels == insp.tokens.strings
    assert _pieces("byte-level", ["<new token>"]).labels == ("<new token>",)


def test_ids_pasted_on_a_byte_level_model_read_alike(roberta):
    text = roberta.inspect("ok 😀")
    ids = roberta.inspect_ids([int(i) for i in text.tokens.ids])
    assert readable(ids).labels == readable(text).labels


def test_text_report_reads_and_json_keeps_the_raw_pieces(roberta):
    insp = roberta.inspect("the model 😀")
    text = report.render_text(insp)
    assert "\u0120" not in text and "😀" in text and f"{WORD_START}model" in text
    assert "😀" in report.render_markdown(insp)
    data = report.to_json(insp)
    assert [t["token"] for t in data["tokens"]] == list(insp.tokens.strings)
    assert any("\u0120" in t["token"] for t in data["tokens"])
    assert "\u0120" in json.dumps(data, ensure_ascii=False)


MULTILINGUAL = "Grüße aus München! Привет, мир. 東京は大きな都市です。 שלום 😀 ok"
SCHEMES = {"bert": "wordpiece", "distilbert": "wordpiece", "electra": "wordpiece", "roberta": "byte-level",
           "modernbert": "byte-level", "xlm_roberta": "sentencepiece", "camembert": "sentencepiece",
           "albert": "sentencepiece", "deberta_v3": "sentencepiece"}


@pytest.mark.parametrize("family", list(SCHEMES))
def test_every_family_reads_back_the_text_it_was_given(model_factory, family):
    insp = Inspector.open(str(model_factory.family(family))).inspect(MULTILINGUAL)
    reading = readable(insp)
    assert reading.scheme == SCHEMES[family]
    kept = [label for label, special, unk in zip(reading.labels, insp.tokens.special, insp.tokens.unk)
            if not special and not unk]
    joined = "".join(kept).replace(WORD_START, "").replace(SPLIT_REST, "").replace("##", "")
    if reading.scheme == "byte-level":  # every byte is in the vocabulary: the text comes back whole
        assert joined == MULTILINGUAL.replace(" ", "")
    else:
        assert not any("\u2581" in label[1:] for label in kept)  # ▁ only ever as the word-start mark
        assert set(joined) <= set(insp.normalized_text or MULTILINGUAL)
    assert sum(label.count("😀") for label in reading.labels) <= 1  # a split emoji is shown once
