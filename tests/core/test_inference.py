"""Inference on tiny real models: every output kind, the plots' data, cancel and faults."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bertinspector.core import inference
from bertinspector.core.errors import Cancelled, InputError
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings

TEXT = "the model reads this sentence and the other one"


def run_on(model_factory, variant, text=TEXT, pair=None, settings=Settings()):
    inspector = Inspector.open(str(model_factory.variant(variant)))
    loaded = inference.load_model(inspector, "cpu")
    inspection = inspector.inspect(text, pair, settings)
    return inspector, inference.run(loaded, inspection, inspector.tokenizer())


def test_base_model_gives_cls_and_mean_pooled_vectors(model_factory):
    inspector, result = run_on(model_factory, "bert")
    assert result.kind == "base"
    hidden = result.hidden_states[-1].numpy()
    assert result.outputs["cls_norm"] == pytest.approx(float(np.linalg.norm(hidden[0])), rel=1e-5)
    assert result.outputs["mean_norm"] == pytest.approx(float(np.linalg.norm(hidden.mean(0))), rel=1e-5)


def test_masked_lm_predicts_every_mask(model_factory):
    _, result = run_on(model_factory, "masked_lm", "the [MASK] reads this [MASK]")
    masks = result.outputs["masks"]
    strings = result.inspection.tokens.strings
    assert [m["position"] for m in masks] == [i for i, s in enumerate(strings) if s == "[MASK]"] != []
    for mask in masks:
        assert len(mask["tokens"]) == inference.TOP_K
        assert mask["probabilities"] == sorted(mask["probabilities"], reverse=True)


def test_sequence_classification_probabilities_with_labels(model_factory):
    _, result = run_on(model_factory, "sequence_classification")
    assert result.outputs["labels"] == ["negative", "positive"]
    assert sum(result.outputs["probabilities"]) == pytest.approx(1.0, abs=1e-5)


def test_token_classification_labels_every_received_token(model_factory):
    _, result = run_on(model_factory, "token_classification")
    assert len(result.outputs["labels"]) == len(result.positions)


def test_question_answering_span_is_inside_the_context(model_factory):
    _, result = run_on(model_factory, "question_answering", "what reads", pair="the model reads this sentence")
    answer = result.outputs
    text = result.inspection.segment_text(answer["segment"])
    assert text[answer["start"]:answer["end"]] == answer["answer"] and answer["answer"]


def test_attention_slices_are_float32_rows_summing_to_one(model_factory):
    _, result = run_on(model_factory, "bert")
    n = len(result.positions)
    for head in (0, 1, "mean", "max"):
        matrix = result.attention(1, head)
        assert matrix.shape == (n, n) and matrix.dtype == np.float32 and matrix.flags.c_contiguous
    np.testing.assert_allclose(result.attention(0, 0).sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(result.rollout().sum(-1), 1.0, rtol=1e-4)
    assert result.overview().shape == (2, 2, n, n)


def test_special_share_matches_a_direct_computation(model_factory):
    _, result = run_on(model_factory, "bert")
    last = result.attention(1, "mean")
    assert result.special_share()["first"][1] == pytest.approx(last[:, 0].mean(), rel=1e-5)
    assert result.special_share()["separator"][1] == pytest.approx(last[:, -1].mean(), rel=1e-5)


def test_hidden_state_summaries(model_factory):
    _, result = run_on(model_factory, "bert")
    n = len(result.positions)
    assert result.hidden_norms().shape == (3, n)
    cosine = result.layer_cosine()
    assert cosine.shape == (2, n) and np.all(cosine <= 1.0001)
    assert result.pca(2).shape == (n, 2)


def test_the_pca_is_the_exact_one_and_the_same_every_time(model_factory):
    _, result = run_on(model_factory, "bert", TEXT * 3)
    vectors = result.hidden_states[2].numpy().astype(np.float64)
    centred = vectors - vectors.mean(0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    expected = u[:, :2] * s[:2]
    got = result.pca(2)
    for axis in range(2):  # the same axes up to their sign; the sign puts the largest coordinate positive
        assert np.allclose(got[:, axis], expected[:, axis], atol=1e-3) or np.allclose(got[:, axis], -expected[:, axis], atol=1e-3)
        assert got[np.abs(got[:, axis]).argmax(), axis] > 0
    for _ in range(3):
        np.testing.assert_array_equal(result.pca(2), got)


def test_only_the_received_tokens_run(model_factory):
    _, result = run_on(model_factory, "bert", TEXT * 10, settings=Settings(max_length=16))
    assert len(result.positions) == 16 and result.attention(0, 0).shape == (16, 16)


def test_cancel_stops_between_layers(model_factory):
    inspector = Inspector.open(str(model_factory.variant("bert")))
    loaded = inference.load_model(inspector, "cpu")
    token = inference.CancelToken()
    calls = []
    layers = inference._encoder_layers(loaded.model)

    def cancel_after_first_layer(*_):
        calls.append(1)
        token.cancel()

    handle = layers[0].register_forward_hook(cancel_after_first_layer)
    try:
        with pytest.raises(Cancelled):
            inference.run(loaded, inspector.inspect(TEXT), inspector.tokenizer(), token)
    finally:
        handle.remove()
    assert calls == [1]  # the second layer never ran its hook chain past the cancel check


def test_out_of_memory_is_a_clear_message_and_the_model_still_works(model_factory):
    inspector = Inspector.open(str(model_factory.variant("bert")))
    loaded = inference.load_model(inspector, "cpu")
    layer = inference._encoder_layers(loaded.model)[0]

    def out_of_memory(*_):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    handle = layer.register_forward_pre_hook(out_of_memory)
    with pytest.raises(InputError, match="out of memory"):
        inference.run(loaded, inspector.inspect(TEXT), inspector.tokenizer())
    handle.remove()
    assert inference.run(loaded, inspector.inspect(TEXT), inspector.tokenizer()).num_layers == 2


def test_ids_outside_the_embeddings_are_refused_before_running(model_factory):
    inspector = Inspector.open(str(model_factory.variant("extra_added_tokens")))
    loaded = inference.load_model(inspector, "cpu")
    with pytest.raises(InputError, match="token-id-out-of-range"):
        inference.run(loaded, inspector.inspect("the bertinspector model"), inspector.tokenizer())


def test_half_precision_is_refused_on_the_cpu(model_factory):
    inspector = Inspector.open(str(model_factory.variant("bert")))
    with pytest.raises(InputError, match="GPU only"):
        inference.load_model(inspector, "cpu", "float16")


def test_devices_list_cpu_and_explain_the_missing_ones():
    found = {d.name: d for d in inference.devices()}
    assert found["cpu"].available and found["auto"].available
    if not torch.cuda.is_available():
        assert not found["cuda"].available and found["cuda"].reason
        with pytest.raises(InputError, match="cuda is not available"):
            inference.resolve_device("cuda")


def test_results_keep_no_more_than_the_tensors(model_factory):
    _, result = run_on(model_factory, "bert")
    layers, heads, n, hidden = 2, 2, len(result.positions), 32
    assert inference.kept_bytes(result) == 4 * (layers * heads * n * n + (layers + 1) * n * hidden)
