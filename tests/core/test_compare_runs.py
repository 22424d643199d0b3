"""Comparing two runs (compare mode with inference): real tiny models on the CPU, no mocks."""

from __future__ import annotations

import numpy as np
import pytest

from bertinspector.core import inference
from bertinspector.core.compare import compare
from bertinspector.core.compare_runs import compare_runs, cosine, row_cosines, token_pairs
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings

TEXT = "the model reads this sentence and the other one"
CASED = "The Model reads This sentence and The other one"


@pytest.fixture(scope="module")
def slots(model_factory):
    """(inspector, loaded model) per model folder, loaded once for the module."""
    cache = {}

    def get(variant: str):
        if variant not in cache:
            inspector = Inspector.open(str(model_factory.variant(variant)))
            cache[variant] = (inspector, inference.load_model(inspector, "cpu"))
        return cache[variant]

    return get


def run(slots, variant, text=TEXT, pair=None, settings=Settings()):
    inspector, loaded = slots(variant)
    return inference.run(loaded, inspector.inspect(text, pair, settings), inspector.tokenizer())


def test_cosine_helpers():
    assert cosine(np.array([1.0, 0.0]), np.array([2.0, 0.0])) == pytest.approx(1.0)
    assert cosine(np.array([1.0, 0.0]), np.array([0.0, 3.0])) == pytest.approx(0.0)
    assert cosine(np.zeros(3), np.ones(3)) == 0.0
    rows = row_cosines(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, -1.0]]))
    np.testing.assert_allclose(rows, [1.0, -1.0])


def test_the_same_run_twice_is_identical_at_every_layer(slots):
    a, b = run(slots, "bert"), run(slots, "bert")
    result = compare_runs(a, b)
    assert result["one_to_one"] and result["pairs"] == len(a.positions)
    assert result["cls_cosine"] == pytest.approx(1.0, abs=1e-6)
    assert result["mean_cosine"] == pytest.approx(1.0, abs=1e-6)
    assert len(result["layer_cosine"]) == a.num_layers + 1  # embeddings first
    np.testing.assert_allclose(result["layer_cosine"], 1.0, atol=1e-5)
    np.testing.assert_allclose(result["layer_cosine_min"], 1.0, atol=1e-5)
    np.testing.assert_allclose(result["layer_mean_cosine"], 1.0, atol=1e-5)
    assert result["layer_note"] is None and result["vector_note"] is None
    assert result["a"]["kind"] == "base" and result["a"]["tokens"] == len(a.positions)
    assert result["cls_tokens"] == ("[CLS]", "[CLS]")


def test_lowercasing_flipped_moves_the_vectors_and_matches_a_direct_computation(slots):
    a = run(slots, "cased", CASED, settings=Settings(lowercase="off"))
    b = run(slots, "cased", CASED, settings=Settings(lowercase="on"))
    comparison = compare(a.inspection, b.inspection)
    result = compare_runs(a, b, comparison.alignment)
    assert result["one_to_one"]  # whole words on both sides: "The" above "the"
    assert result["cls_cosine"] < 1.0 and -1.0 <= result["cls_cosine"] <= 1.0
    last_a, last_b = a.hidden_states[-1].numpy(), b.hidden_states[-1].numpy()
    assert result["cls_cosine"] == pytest.approx(cosine(last_a[0], last_b[0]), abs=1e-6)
    assert result["mean_cosine"] == pytest.approx(cosine(last_a.mean(0), last_b.mean(0)), abs=1e-6)
    embeddings = row_cosines(a.hidden_states[0].numpy(), b.hidden_states[0].numpy())
    assert result["layer_cosine"][0] == pytest.approx(embeddings.mean(), abs=1e-5)
    assert result["layer_cosine_min"][0] == pytest.approx(embeddings.min(), abs=1e-5)
    assert result["layer_cosine_min"][0] < 0.999  # "The" and "the" are different tokens
    assert np.all(result["layer_cosine_min"] <= result["layer_cosine"] + 1e-6)


def test_different_splits_compare_pooled_vectors_only(slots):
    a = run(slots, "bert")
    b = run(slots, "bert", settings=Settings(add_special_tokens=False))
    result = compare_runs(a, b)
    assert not result["one_to_one"]  # [CLS] and [SEP] only in A
    assert result["layer_cosine"] is None and "one to one" in result["layer_note"]
    assert len(result["layer_mean_cosine"]) == 3
    assert result["cls_tokens"] == ("[CLS]", "the")
    one_to_one, rows_a, rows_b = token_pairs(a, b, compare(a.inspection, b.inspection).alignment)
    assert not one_to_one and len(rows_a) == len(rows_b) == len(b.positions)  # every word still pairs


def test_truncated_tokens_do_not_pair(slots):
    a = run(slots, "bert")
    b = run(slots, "bert", settings=Settings(max_length=6))
    result = compare_runs(a, b)
    assert not result["one_to_one"]
    assert result["b"]["tokens"] == 6 and result["a"]["tokens"] > 6


def test_mask_predictions_side_by_side(slots):
    text = "the [MASK] reads this [MASK]"
    a = run(slots, "masked_lm", text)
    b = run(slots, "masked_lm", text, settings=Settings(add_special_tokens=False))
    masks = compare_runs(a, b)["masks"]
    assert len(masks) == 2
    strings_a, strings_b = a.inspection.tokens.strings, b.inspection.tokens.strings
    for row in masks:
        assert strings_a[row["position_a"]] == strings_b[row["position_b"]] == "[MASK]"
        assert len(row["a"]) == len(row["b"]) == inference.TOP_K
        assert row["a"] == sorted(row["a"], key=lambda tp: -tp[1])
        assert row["same_top"] == (row["a"][0][0] == row["b"][0][0])
    # positions shift by one without [CLS], the pairing follows the characters
    assert [m["position_b"] for m in masks] == [m["position_a"] - 1 for m in masks]


def test_a_mask_on_one_side_only(slots):
    a = run(slots, "masked_lm", "the [MASK] reads this")
    b = run(slots, "masked_lm", "the [MASK] reads this", settings=Settings(max_length=2))  # [CLS] the | cut
    masks = compare_runs(a, b)["masks"]
    assert len(masks) == 1 and masks[0]["a"] and masks[0]["b"] is None


def test_label_probabilities_side_by_side(slots):
    a = run(slots, "sequence_classification")
    b = run(slots, "sequence_classification", settings=Settings(max_length=5))
    result = compare_runs(a, b)
    labels = result["labels"]
    assert [row["label"] for row in labels] == ["negative", "positive"]
    assert sum(row["a"] for row in labels) == pytest.approx(1.0, abs=1e-5)
    assert sum(row["b"] for row in labels) == pytest.approx(1.0, abs=1e-5)
    for row in labels:
        assert row["delta"] == pytest.approx(row["b"] - row["a"])
    assert result["top_a"] in ("negative", "positive") and result["top_b"] in ("negative", "positive")


def test_a_classifier_against_a_base_model_lists_one_side(slots):
    result = compare_runs(run(slots, "sequence_classification"), run(slots, "bert"))
    assert all(row["b"] is None and row["delta"] is None for row in result["labels"])
    assert result["top_b"] is None


def test_question_answering_and_token_labels(slots):
    qa = compare_runs(run(slots, "question_answering", "what reads", "the model reads this sentence"),
                      run(slots, "question_answering", "what reads", "the model reads this sentence"))
    assert qa["answers"]["a"] == qa["answers"]["b"]
    tokens = compare_runs(run(slots, "token_classification"), run(slots, "token_classification"))
    assert tokens["token_labels_agree"] == pytest.approx(1.0)


def test_two_tiny_models_bert_against_roberta(slots):
    a, b = run(slots, "bert"), run(slots, "roberta")
    result = compare_runs(a, b)
    assert result["a"]["source"] != result["b"]["source"]
    assert result["cls_tokens"] == ("[CLS]", "<s>")
    assert -1.0 <= result["cls_cosine"] <= 1.0  # same hidden size (32): defined, if not meaningful
    assert len(result["layer_mean_cosine"]) == 3


def test_models_of_different_widths_explain_why_no_cosine(slots, minilm_path):
    inspector = Inspector.open(str(minilm_path))
    loaded = inference.load_model(inspector, "cpu")
    b = inference.run(loaded, inspector.inspect(TEXT), inspector.tokenizer())
    result = compare_runs(run(slots, "bert"), b)
    assert result["cls_cosine"] is None and result["mean_cosine"] is None
    assert "384" in result["vector_note"] and "32" in result["vector_note"]
    assert result["layer_cosine"] is None and result["layer_mean_cosine"] is None
    assert result["pairs"] > 0  # the words both split alike still pair up
