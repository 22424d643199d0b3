"""Ids as pipelines print them: padded rows, batches, a mask beside the ids, tensor/array reprs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import modelfactory
from bertinspector.core import pasted_ids
from bertinspector.core.errors import InputError
from bertinspector.core.inspector import Inspector

FAMILIES = list(modelfactory.FAMILIES)
_INSPECTORS: dict[str, Inspector] = {}


def inspector(model_factory, family: str) -> Inspector:
    if family not in _INSPECTORS:
        _INSPECTORS[family] = Inspector.open(str(model_factory.family(family)))
    return _INSPECTORS[family]


def printed(tokenizer, texts, framework: str, **options):
    """What print(tokenizer(texts, ...)) shows in a notebook, for a framework: list, torch or numpy."""
    tensors = {"list": None, "torch": "pt", "numpy": "np"}[framework]
    return str(dict(tokenizer(texts, return_tensors=tensors, **options)))


@pytest.mark.parametrize("family", FAMILIES)
def test_rows_padded_to_max_length_are_judged_without_their_padding(model_factory, family):
    ins = inspector(model_factory, family)
    tok = ins.tokenizer()
    ids = tok("hello world", padding="max_length", max_length=40)["input_ids"]
    assert ids[-1] == tok.pad_token_id  # padded after the closing special token
    inspection = ins.inspect_ids(str(ids))
    assert "missing-special-tokens" not in inspection.codes()
    assert "padding-without-attention-mask" in inspection.codes()
    # the same row without its special tokens is still missing them
    bare = tok("hello world", add_special_tokens=False, padding="max_length", max_length=40)["input_ids"]
    finding = [d for d in ins.inspect_ids(str(bare)).diagnostics if d.code == "missing-special-tokens"]
    assert len(finding) == 1
    # its fix puts them around the unpadded part: the finding goes away
    names = {"ids": list(bare), "tokenizer": tok}
    exec(compile(finding[0].fix, "<fix>", "exec"), names)
    assert "missing-special-tokens" not in ins.inspect_ids(names["ids"]).codes()
    assert names["ids"][-1] == tok.pad_token_id and len(names["ids"]) == len(bare) + tok.num_special_tokens_to_add()


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("framework", ["list", "torch", "numpy"])
def test_a_printed_batch_with_its_mask_is_clean_on_every_row(model_factory, family, framework):
    ins = inspector(model_factory, family)
    tok = ins.tokenizer()
    texts = ["hello world", "the model reads a longer sentence here"]
    text = printed(tok, texts, framework, padding=True)
    parsed = pasted_ids.parse(text)
    assert parsed.rows == 2 and parsed.attention_mask is not None
    for row in range(parsed.rows):
        inspection = ins.inspect_ids(text, row=row)
        expected = tok(texts, padding=True)
        assert inspection.tokens.ids.tolist() == expected["input_ids"][row]
        assert inspection.attention_mask.tolist() == expected["attention_mask"][row]
        if "token_type_ids" in expected:
            assert inspection.tokens.type_ids.tolist() == expected["token_type_ids"][row]
        assert inspection.diagnostics == (), (row, inspection.codes())


def test_a_mask_that_attends_to_padding_is_reported(model_factory):
    ins = inspector(model_factory, "bert")
    text = "{'input_ids': [[2, 300, 301, 3, 0, 0]], 'attention_mask': [[1, 1, 1, 1, 1, 0]]}"
    finding = [d for d in ins.inspect_ids(text).diagnostics if d.code == "padding-without-attention-mask"]
    assert len(finding) == 1 and finding[0].tokens == (4,) and "attention mask does not hide" in finding[0].message


def test_a_pair_with_its_type_ids(model_factory):
    ins = inspector(model_factory, "bert")
    tok = ins.tokenizer()
    text = str(dict(tok("the model", "reads this")))
    inspection = ins.inspect_ids(text)
    assert inspection.tokens.type_ids.tolist() == tok("the model", "reads this")["token_type_ids"]
    assert inspection.diagnostics == ()
    # the same ids without their type ids: the model cannot tell the segments apart
    assert "pair-segments-missing" in ins.inspect_ids(str(tok("the model", "reads this")["input_ids"])).codes()


@pytest.mark.parametrize("text,rows", [
    ("101, 7592, 102", [[101, 7592, 102]]),
    ("[101 7592 102]", [[101, 7592, 102]]),
    ("tensor([[101, 7592, 102]])", [[101, 7592, 102]]),
    ("tensor([101, 7592, 102], device='cuda:0')", [[101, 7592, 102]]),
    ("array([[ 101, 7592,  102],\n       [ 101, 2088,  102]], dtype=int32)", [[101, 7592, 102], [101, 2088, 102]]),
    ("[[101 7592  102]\n [101 2088  102]]", [[101, 7592, 102], [101, 2088, 102]]),
    ("[101, 102]\n[101, 7, 102]", [[101, 102], [101, 7, 102]]),
    ("{'input_ids': [[101, 102, 0]], 'attention_mask': [[1, 1, 0]]}", [[101, 102, 0]]),
])
def test_forms_pipelines_print(text, rows):
    assert [r.tolist() for r in pasted_ids.parse(text).input_ids] == rows


@pytest.mark.parametrize("text,message", [
    ("tensor([[101, 2023, ..., 102]])", "shortened with '...'"),
    ("[[[101]]]", "more than two dimensions"),
    ("[101, [7592]]", "neither one row nor rows"),
    ("{'input_ids': [[1, 2]], 'attention_mask': [[1]]}", "does not have the shape of 'input_ids'"),
    ("{'input_ids': [[1, 2]], 'attention_mask': [[1, 2]]}", "other than 0 and 1"),
    ("{'attention_mask': [[1, 1]]}", "has no 'input_ids'"),
    ("[101, 102", "without its closing"),
    ("101, 7592.5", "'7592.5' is not a token id"),
])
def test_what_cannot_be_ids_is_one_line(text, message):
    with pytest.raises(InputError) as caught:
        pasted_ids.parse(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_batch_needs_a_row(model_factory):
    ins = inspector(model_factory, "roberta")
    text = "tensor([[0, 100, 2, 1], [0, 101, 102, 2]])"
    with pytest.raises(InputError, match="batch of 2 rows: pick one"):
        ins.inspect_ids(text)
    with pytest.raises(InputError, match="row 2 does not exist"):
        ins.inspect_ids(text, row=2)
    assert ins.inspect_ids(text, row=1).tokens.ids.tolist() == [0, 101, 102, 2]


def test_cli_ids_row(model_factory, capsys):
    from bertinspector.app.cli import main

    folder = str(model_factory.family("distilbert"))
    batch = "tensor([[2, 300, 301, 3, 0], [2, 301, 3, 0, 0]])"
    assert main(["inspect", folder, "--ids", batch]) == 2
    assert "--ids-row" in capsys.readouterr().err
    assert main(["inspect", folder, "--ids", batch, "--ids-row", "1", "--format", "json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert [t["id"] for t in data["tokens"]] == [2, 301, 3, 0, 0]


def test_a_million_pasted_ids():
    ids = np.full(1_000_000, 300)
    assert len(pasted_ids.parse(", ".join(map(str, ids.tolist()))).input_ids[0]) == 1_000_000
    with pytest.raises(InputError, match="too many ids"):
        pasted_ids.parse("[" + " ".join(["300"] * 1_000_001) + "]")


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 4).flatmap(lambda n: st.integers(1, 12).flatmap(
           lambda width: st.lists(st.lists(st.integers(0, 250_000), min_size=width, max_size=width),
                                  min_size=n, max_size=n))),
       form=st.sampled_from(["list", "numpy", "torch", "dict", "flat"]))
def test_printed_ids_parse_back(rows, form):
    """Whatever numpy, torch or the tokenizer's dict prints (long rows wrap, numpy pads with spaces)
    parses back to the same rows."""
    import torch

    if form == "flat":
        rows = rows[:1]
        text = ", ".join(map(str, rows[0]))
    elif form == "list":
        text = str(rows)
    elif form == "numpy":
        with np.printoptions(threshold=10**6, linewidth=40):
            text = repr(np.asarray(rows, dtype=np.int64))
    elif form == "torch":
        torch.set_printoptions(threshold=10**6, linewidth=40)
        text = repr(torch.tensor(rows))
        torch.set_printoptions(profile="default")
    else:
        text = str({"input_ids": rows, "attention_mask": [[1] * len(r) for r in rows]})
    parsed = pasted_ids.parse(text)
    assert [r.tolist() for r in parsed.input_ids] == rows, text
