"""Hostile model files: every one gives one line naming the file and the field, exit 2, never a traceback.

The cases are the ones a user hit (issue 11), then a property test that feeds fuzzed config.json,
tokenizer_config.json and tokenizer.json fields through ``bertinspector inspect``.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bertinspector.app.cli import main

HUGE = "9" * 5000  # Python refuses to turn more than 4,300 digits into an int


def inspect(capsys, *args):
    rc = main(["inspect", *map(str, args), "--text", "Hello world.", "--fail-on", "never"])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def assert_one_line(rc, err, *words):
    assert rc == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


@pytest.fixture
def bert_copy(model_factory, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(model_factory.bert(), folder)
    return folder


def _edit_json(path: Path, **changes):
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, **changes}))


@pytest.mark.parametrize("field, value, said", [
    ("architectures", 5, "'architectures' must be a list of class names"),
    ("architectures", ["BertModel", 3], "'architectures'"),
    ("model_type", ["bert"], "'model_type' must be a string"),
    ("max_position_embeddings", "512", "'max_position_embeddings' must be a whole number"),
    ("vocab_size", -3, "'vocab_size'"),
    ("pad_token_id", 10**12, "'pad_token_id'"),
    ("auto_map", "evil.Model", "'auto_map' must be an object"),
])
def test_config_fields_of_the_wrong_type(capsys, bert_copy, field, value, said):
    _edit_json(bert_copy / "config.json", **{field: value})
    assert_one_line(*inspect(capsys, bert_copy)[::2], "config.json", said)


@pytest.mark.parametrize("name", ["config.json", "tokenizer_config.json", "tokenizer.json", "sentence_bert_config.json"])
def test_a_five_thousand_digit_integer(capsys, bert_copy, name):
    path = bert_copy / name
    data = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**data, "vocab_size": 1}).replace('"vocab_size": 1', f'"vocab_size": {HUGE}', 1))
    assert_one_line(*inspect(capsys, bert_copy)[::2], name)


@pytest.mark.parametrize("modules, said", [
    ({"path": "inner", "type": "sentence_transformers.models.Transformer"}, "expected a list of modules"),
    (7, "expected a list of modules"),
    ([{"path": "inner", "type": None}], "'type' and 'path' must be strings"),
    ([{"path": 3, "type": "sentence_transformers.models.Transformer"}], "'type' and 'path' must be strings"),
])
def test_modules_json_that_is_not_a_list_of_modules(capsys, model_factory, tmp_path, modules, said):
    folder = tmp_path / "st"
    shutil.copytree(model_factory.bert(), folder / "inner")
    (folder / "modules.json").write_text(json.dumps(modules))
    assert_one_line(*inspect(capsys, folder)[::2], "modules.json", said)


def _write_safetensors_header(path: Path, header) -> None:
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw)


@pytest.mark.parametrize("header, said", [
    ([1, 2, 3], "not an object of tensors"),
    ({"bert.embeddings.word_embeddings.weight": {"dtype": "F32", "shape": ["many", 32], "data_offsets": [0, 0]}},
     "tensor 'bert.embeddings.word_embeddings.weight' has the shape"),
    ({"w": {"dtype": "F32", "shape": 5, "data_offsets": [0, 0]}}, "tensor 'w'"),
])
def test_safetensors_headers_that_are_not_tensors(capsys, bert_copy, header, said):
    _write_safetensors_header(bert_copy / "model.safetensors", header)
    assert_one_line(*inspect(capsys, bert_copy)[::2], "model.safetensors", said)


def _vocab_txt_only(folder: Path) -> None:
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (folder / name).unlink()


def test_an_empty_vocab_txt(capsys, bert_copy):
    _vocab_txt_only(bert_copy)
    (bert_copy / "vocab.txt").write_text("")
    assert_one_line(*inspect(capsys, bert_copy)[::2], str(bert_copy), "unknown token")


def test_a_vocab_txt_linked_to_a_file_that_is_no_vocabulary(capsys, bert_copy, tmp_path):
    _vocab_txt_only(bert_copy)
    other = tmp_path / "notes.bin"
    other.write_bytes(bytes(range(256)) * 4)
    (bert_copy / "vocab.txt").unlink()
    (bert_copy / "vocab.txt").symlink_to(other)
    rc, _, err = inspect(capsys, bert_copy)
    assert_one_line(rc, err, str(bert_copy))


def test_an_empty_tokenizer_json_vocabulary(capsys, bert_copy):
    path = bert_copy / "tokenizer.json"
    data = json.loads(path.read_text())
    data["model"]["vocab"] = {}
    data["added_tokens"] = []
    path.write_text(json.dumps(data))
    assert_one_line(*inspect(capsys, bert_copy)[::2], str(bert_copy), "unknown token")


def test_compare_with_such_a_model_b(capsys, model_factory, bert_copy):
    _edit_json(bert_copy / "config.json", architectures=5)
    rc = main(["compare", str(model_factory.bert()), str(bert_copy), "--text", "Hello world."])
    assert_one_line(rc, capsys.readouterr().err, "config.json", "'architectures'")


@pytest.mark.parametrize("value", [0, -1])
def test_a_model_max_length_of_zero_or_less_is_the_files_fault(capsys, bert_copy, value):
    _edit_json(bert_copy / "tokenizer_config.json", model_max_length=value)
    rc, _, err = inspect(capsys, bert_copy)
    assert_one_line(rc, err, "tokenizer_config.json", "'model_max_length'")
    assert "--max-length" not in err and "special tokens" not in err


def test_a_sentence_transformers_length_of_zero(capsys, bert_copy):
    (bert_copy / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 0}))
    assert_one_line(*inspect(capsys, bert_copy)[::2], "sentence_bert_config.json", "'max_seq_length'")


def test_load_weights_on_a_pickle_torch_refuses_is_one_line(capsys, bert_copy):
    """A pytorch_model.bin whose pickle calls a function: transformers' safe loading refuses it."""
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("code ran",))

    (bert_copy / "model.safetensors").unlink()
    import torch

    torch.save({"x": Evil()}, bert_copy / "pytorch_model.bin", pickle_module=pickle)
    rc = main(["inspect", str(bert_copy), "--text", "Hello world.", "--load-weights"])
    captured = capsys.readouterr()
    assert_one_line(rc, captured.err, "pytorch_model.bin")
    assert "weights_only=False" not in captured.err and "code ran" not in captured.out


# -- fuzzed files through the CLI ------------------------------------------------------------------

RAW_HOSTILE = [HUGE, "-" + HUGE, "1e999", "-1e999", "NaN", "Infinity", "0", "-1", "1e30", "18446744073709551616",
               '"' + "x" * 300 + '"', "[[[[[[[[]]]]]]]]", "{}", "[]", "null", "true", '"²"']
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
raw_values = st.one_of(st.sampled_from(RAW_HOSTILE), json_values.map(json.dumps))
CONFIG_KEYS = ["architectures", "model_type", "vocab_size", "max_position_embeddings", "type_vocab_size",
               "pad_token_id", "tokenizer_class", "auto_map", "hidden_size", "num_attention_heads", "num_hidden_layers",
               "layer_norm_eps", "hidden_act", "position_embedding_type"]
TOKENIZER_CONFIG_KEYS = ["model_max_length", "do_lower_case", "strip_accents", "tokenizer_class", "unk_token",
                         "cls_token", "sep_token", "pad_token", "mask_token", "tokenize_chinese_chars", "auto_map",
                         "padding_side", "truncation_side", "model_input_names", "added_tokens_decoder"]
TOKENIZER_JSON_KEYS = ["truncation", "padding", "normalizer", "pre_tokenizer", "post_processor", "added_tokens"]


def _with_raw_fields(path: Path, fields: dict[str, str]) -> None:
    """``path``'s JSON object with each field replaced by a raw JSON text (which may hold huge numbers)."""
    data = json.loads(path.read_text()) if path.exists() else {}
    kept = {k: v for k, v in data.items() if k not in fields}
    body = json.dumps(kept)[1:-1]
    raw = ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items())
    path.write_text("{" + ", ".join(part for part in (body, raw) if part) + "}")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    file_and_keys=st.sampled_from([("config.json", CONFIG_KEYS), ("tokenizer_config.json", TOKENIZER_CONFIG_KEYS),
                                   ("tokenizer.json", TOKENIZER_JSON_KEYS)]),
    data=st.data(),
)
def test_fuzzed_model_files_exit_cleanly_with_at_most_one_line(capsys, model_factory, tmp_path_factory, file_and_keys, data):
    name, keys = file_and_keys
    fields = data.draw(st.dictionaries(st.sampled_from(keys), raw_values, min_size=1, max_size=3))
    folder = tmp_path_factory.mktemp("fuzzed")
    shutil.copytree(model_factory.bert(), folder, dirs_exist_ok=True)
    _with_raw_fields(folder / name, fields)
    rc, _, err = inspect(capsys, folder)
    assert rc in (0, 1, 2), err
    assert len(err.strip().splitlines()) <= 1 and "Traceback" not in err, (fields, err)
