"""Compare across tokenizer families: WordPiece (##), byte-level BPE (Ġ) and SentencePiece (▁) tokens align
on the characters they cover, and read alike in the report."""

from __future__ import annotations

import itertools

import pytest

from bertinspector.core.compare import compare, group_text
from bertinspector.core.compare_report import render_text
from bertinspector.core.inspector import Inspector
from bertinspector.core.readable import WORD_START

WORDS = "the model reads every word of the text"
FAMILIES = ("bert", "roberta", "xlm_roberta", "modernbert")


@pytest.fixture(scope="module")
def inspectors(model_factory):
    return {name: Inspector.open(str(model_factory.family(name))) for name in FAMILIES}


@pytest.mark.parametrize("a_name, b_name", list(itertools.combinations(FAMILIES, 2)))
def test_families_align_on_the_characters_not_on_their_markers(inspectors, a_name, b_name):
    a, b = inspectors[a_name].inspect(WORDS), inspectors[b_name].inspect(WORDS)
    comparison = compare(a, b)
    groups = [g for g in comparison.alignment if not g.is_special]
    texts = [group_text(comparison, g) for g in groups]
    # groups cover the words' characters, never a space (Ġ, ▁ and a lone word-start token included)
    assert "".join(texts) == WORDS.replace(" ", "") and not any(t != t.strip() or not t for t in texts)
    assert all(g.a and g.b and not g.unk_a and not g.unk_b for g in groups)
    # a word both sides keep whole is one group without a boundary, whatever marker each side uses
    for g in groups:
        whole_a = len(g.a) == 1 or all(a.tokens.strings[p].strip("\u2581\u0120") == "" for p in g.a[:-1])
        whole_b = len(g.b) == 1 or all(b.tokens.strings[p].strip("\u2581\u0120") == "" for p in g.b[:-1])
        if whole_a and whole_b and group_text(comparison, g) in WORDS.split():
            assert not g.boundary, (group_text(comparison, g), g)
    assert sum(g.is_special for g in comparison.alignment) == 2  # first and last special token, paired


def test_a_word_whole_on_both_sides_is_no_boundary_whatever_the_marker(inspectors):
    bert, roberta = inspectors["bert"].inspect("the model"), inspectors["roberta"].inspect("the model")
    [the, model] = [g for g in compare(bert, roberta).alignment if not g.is_special]
    assert [roberta.tokens.strings[p] for p in model.b] == ["\u0120model"]  # covers " model" by its offsets
    assert (model.start, model.end) == (4, 9) and not model.boundary


def test_the_report_reads_each_side_in_its_own_markers(inspectors):
    comparison = compare(inspectors["bert"].inspect(WORDS), inspectors["xlm_roberta"].inspect(WORDS))
    text = render_text(comparison)
    assert "[CLS]" in text and "<s>" in text
    assert f"{WORD_START}text" in text and "\u2581" + "the" in text
    roberta = render_text(compare(inspectors["bert"].inspect(WORDS), inspectors["roberta"].inspect(WORDS)))
    assert "\u0120" not in roberta and f"{WORD_START}model" in roberta
