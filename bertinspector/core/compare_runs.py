"""Compare two model runs on the same text: outputs side by side, how far the vectors moved.

``compare_runs(run_a, run_b)`` takes two :class:`bertinspector.core.inference.RunResult` (slot A and
slot B of compare mode: two models, or one model with two settings) and returns a plain dict of
numbers (floats, lists, small numpy arrays; no tensors), ready for the compare view:

``a`` / ``b``
    ``{"source", "kind", "tokens", "device"}`` of each run (``tokens``: how many the model received).
``cls_cosine`` / ``mean_cosine``
    cosine similarity of the last layer's first-token ([CLS]/<s>) vectors and of the mean-pooled
    vectors; None (with ``vector_note`` saying why) when the two models' hidden sizes differ.
``cls_tokens``
    (A's, B's) first received token: the vectors ``cls_cosine`` compares (not [CLS] without special tokens).
``labels``
    rows ``{"label", "a", "b", "delta"}``: class probabilities side by side (``delta`` = B - A;
    None where one side has no such label); empty unless a side classifies sequences.
    ``top_a`` / ``top_b``: the winning label of each side.
``masks``
    one row per [MASK] of either side, paired through the alignment (the masks that cover the same
    characters): ``{"position_a", "position_b", "a", "b", "same_top"}`` where ``a``/``b`` are lists of
    ``(token, probability)`` (None: that side has no mask there or no masked-LM head).
``answers``
    question answering: ``{"a": str | None, "b": str | None}``; token classification:
    ``token_labels_agree`` (share of one-to-one token pairs with the same label).
``one_to_one`` / ``pairs``
    whether every received token of A has exactly one received token of B covering the same
    characters (and vice versa), and how many token pairs that makes.
``layer_cosine`` / ``layer_cosine_min``
    per layer (embeddings first), the mean and the lowest cosine similarity of the paired token
    vectors; None (with ``layer_note`` saying why) unless the alignment is one-to-one and both models
    have the same number of layers and hidden size.
``layer_mean_cosine``
    per layer, the cosine similarity of the mean-pooled vectors: defined whatever the alignment,
    as long as the layer counts and hidden sizes match.

Numpy only: the tensors a run keeps are read through :mod:`bertinspector.core.inference`'s accessor.
"""

from __future__ import annotations

import numpy as np

from bertinspector.core.compare import AlignedGroup, align
from bertinspector.core.inference import RunResult, _to_numpy

_EPS = 1e-12


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    """Cosine similarity of two vectors (0.0 when either is all zeros)."""
    u = np.asarray(u, dtype=np.float64).ravel()
    v = np.asarray(v, dtype=np.float64).ravel()
    denominator = float(np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.dot(u, v) / denominator) if denominator > _EPS else 0.0


def row_cosines(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``x`` with the same row of ``y``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    norms = np.linalg.norm(x, axis=-1) * np.linalg.norm(y, axis=-1)
    dots = np.einsum("ij,ij->i", x, y)
    return np.where(norms > _EPS, dots / np.maximum(norms, _EPS), 0.0)


def hidden(run: RunResult, layer: int) -> np.ndarray:
    """[seq, hidden] float32 vectors of one layer (0 = embeddings) of ``run``."""
    return _to_numpy(run.hidden_states[layer])


def token_pairs(run_a: RunResult, run_b: RunResult, alignment: list[AlignedGroup] | tuple[AlignedGroup, ...]):
    """(one_to_one, rows of A, rows of B): the received tokens covering the same characters, pairwise.

    Rows index the runs' hidden states (``run.positions``). A group whose received tokens are one on
    each side gives a pair; a group with none on either side is skipped (cut off in both); any other
    group (split differently, a special token one side lacks, cut off in one only) breaks the
    one-to-one correspondence, but the pairs found elsewhere are still returned.
    """
    kept_a = np.zeros(len(run_a.inspection.tokens), bool)
    kept_a[run_a.positions] = True
    kept_b = np.zeros(len(run_b.inspection.tokens), bool)
    kept_b[run_b.positions] = True
    rows_a, rows_b = [], []
    one_to_one = True
    for group in alignment:
        ka = [p for p in group.a if kept_a[p]]
        kb = [p for p in group.b if kept_b[p]]
        if len(ka) == 1 and len(kb) == 1:
            rows_a.append(ka[0])
            rows_b.append(kb[0])
        elif ka or kb:
            one_to_one = False
    rows_a = np.searchsorted(run_a.positions, np.asarray(rows_a, dtype=np.int64))
    rows_b = np.searchsorted(run_b.positions, np.asarray(rows_b, dtype=np.int64))
    return one_to_one and len(rows_a) > 0, rows_a, rows_b


def compare_runs(run_a: RunResult, run_b: RunResult,
                 alignment: list[AlignedGroup] | tuple[AlignedGroup, ...] | None = None) -> dict:
    """The change in output from A to B (see the module docstring for the keys).

    ``alignment`` is ``compare(run_a.inspection, run_b.inspection).alignment`` when the caller has it;
    it is computed here otherwise.
    """
    if alignment is None:
        alignment = align(run_a.inspection, run_b.inspection)
    result: dict = {
        "a": _side(run_a),
        "b": _side(run_b),
        "cls_cosine": None,
        "mean_cosine": None,
        "vector_note": None,
        "cls_tokens": (_first_label(run_a), _first_label(run_b)),
        "labels": [],
        "top_a": None,
        "top_b": None,
        "masks": [],
        "answers": None,
        "token_labels_agree": None,
        "one_to_one": False,
        "pairs": 0,
        "layer_cosine": None,
        "layer_cosine_min": None,
        "layer_mean_cosine": None,
        "layer_note": None,
    }
    layers_a, layers_b = len(run_a.hidden_states), len(run_b.hidden_states)
    size_a = int(run_a.hidden_states[-1].shape[-1]) if layers_a else 0
    size_b = int(run_b.hidden_states[-1].shape[-1]) if layers_b else 0
    same_size = layers_a and layers_b and size_a == size_b
    last_a = hidden(run_a, -1) if layers_a else None
    last_b = hidden(run_b, -1) if layers_b else None
    if same_size:
        result["cls_cosine"] = cosine(last_a[0], last_b[0])
        result["mean_cosine"] = cosine(last_a.mean(0), last_b.mean(0))
    elif not (layers_a and layers_b):
        result["vector_note"] = "a run kept no hidden states"
    else:
        result["vector_note"] = f"the hidden sizes differ ({size_a} in A, {size_b} in B): the vectors cannot be compared"

    one_to_one, rows_a, rows_b = token_pairs(run_a, run_b, alignment)
    result["one_to_one"] = bool(one_to_one)
    result["pairs"] = int(len(rows_a))
    if not same_size:
        result["layer_note"] = result["vector_note"]
    elif layers_a != layers_b:
        result["layer_note"] = f"the layer counts differ ({layers_a - 1} in A, {layers_b - 1} in B)"
    else:
        means, lows, pooled = [], [], []
        for layer in range(layers_a):
            ha, hb = (last_a, last_b) if layer == layers_a - 1 else (hidden(run_a, layer), hidden(run_b, layer))
            pooled.append(cosine(ha.mean(0), hb.mean(0)))
            if one_to_one:
                c = row_cosines(ha[rows_a], hb[rows_b])
                means.append(float(c.mean()))
                lows.append(float(c.min()))
        result["layer_mean_cosine"] = np.asarray(pooled, dtype=np.float32)
        if one_to_one:
            result["layer_cosine"] = np.asarray(means, dtype=np.float32)
            result["layer_cosine_min"] = np.asarray(lows, dtype=np.float32)
        else:
            result["layer_note"] = ("A and B do not split the text into the same tokens (or one side cuts or adds "
                                    "tokens the other lacks): token vectors are compared only one to one")

    _labels(result, run_a, run_b)
    result["masks"] = _masks(run_a, run_b, alignment)
    if run_a.kind == "question-answering" or run_b.kind == "question-answering":
        result["answers"] = {"a": run_a.outputs.get("answer"), "b": run_b.outputs.get("answer")}
    if run_a.kind == "token-classification" and run_b.kind == "token-classification" and len(rows_a):
        la, lb = run_a.outputs.get("labels") or [], run_b.outputs.get("labels") or []
        if la and lb:
            same = [la[i] == lb[j] for i, j in zip(rows_a.tolist(), rows_b.tolist())]
            result["token_labels_agree"] = float(np.mean(same))
    return result


def _side(run: RunResult) -> dict:
    return {"source": run.inspection.source, "kind": run.kind, "tokens": int(len(run.positions)),
            "device": run.device}


def _first_label(run: RunResult) -> str | None:
    return run.inspection.tokens.strings[int(run.positions[0])] if len(run.positions) else None


def _labels(result: dict, run_a: RunResult, run_b: RunResult) -> None:
    pa = _label_probabilities(run_a)
    pb = _label_probabilities(run_b)
    if not pa and not pb:
        return
    rows = []
    for label in dict.fromkeys([*pa, *pb]):
        va, vb = pa.get(label), pb.get(label)
        rows.append({"label": label, "a": va, "b": vb,
                     "delta": None if va is None or vb is None else vb - va})
    result["labels"] = rows
    result["top_a"] = max(pa, key=pa.get) if pa else None
    result["top_b"] = max(pb, key=pb.get) if pb else None


def _label_probabilities(run: RunResult) -> dict[str, float]:
    if run.kind != "sequence-classification":
        return {}
    return {str(k): float(p) for k, p in zip(run.outputs.get("labels", []), run.outputs.get("probabilities", []))}


def _masks(run_a: RunResult, run_b: RunResult, alignment) -> list[dict]:
    """The [MASK] predictions of A and B, paired by the group (the characters) each mask covers."""
    ma = {m["position"]: m for m in (run_a.outputs.get("masks") or [])} if run_a.kind == "masked-lm" else {}
    mb = {m["position"]: m for m in (run_b.outputs.get("masks") or [])} if run_b.kind == "masked-lm" else {}
    if not ma and not mb:
        return []
    rows = []
    for group in alignment:
        in_a = [p for p in group.a if p in ma]
        in_b = [p for p in group.b if p in mb]
        for k in range(max(len(in_a), len(in_b))):
            pa = in_a[k] if k < len(in_a) else None
            pb = in_b[k] if k < len(in_b) else None
            a = _top(ma[pa]) if pa is not None else None
            b = _top(mb[pb]) if pb is not None else None
            rows.append({"position_a": pa, "position_b": pb, "a": a, "b": b,
                         "same_top": bool(a and b and a[0][0] == b[0][0])})
    return rows


def _top(mask: dict) -> list[tuple[str, float]]:
    return [(str(t), float(p)) for t, p in zip(mask["tokens"], mask["probabilities"])]


def run_both(model_a, model_b, comparison, cancel=None) -> dict:
    """Run A's and B's models on their inspections and compare the outputs; ``model_x`` is
    (Inspector, :class:`~bertinspector.core.inference.LoadedModel`), the same pair for both when they share it."""
    from bertinspector.core import inference

    (inspector_a, loaded_a), (inspector_b, loaded_b) = model_a, model_b
    run_a = inference.run(loaded_a, comparison.a, inspector_a.tokenizer(comparison.a.settings.lowercase), cancel)
    run_b = inference.run(loaded_b, comparison.b, inspector_b.tokenizer(comparison.b.settings.lowercase), cancel)
    return compare_runs(run_a, run_b, comparison.alignment)
