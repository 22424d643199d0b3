"""Broken model folders, hostile weights and the network: clear messages, no code runs, no socket opens."""

from __future__ import annotations

import json
import pickle
import shutil
import socket

import pytest

from bertinspector.core.errors import BertInspectorError, SourceError
from bertinspector.core.inspector import Inspector


def test_truncated_safetensors_fail_to_load_with_a_clear_line_and_inspection_goes_on(model_factory):
    inspector = Inspector.open(str(model_factory.variant("truncated_weights")))
    with pytest.raises(SourceError, match="the weights cannot be loaded") as error:
        inspector.load_weights()
    assert "\n" not in str(error.value)
    assert inspector.inspect("the model").tokens.strings[0] == "[CLS]"


def test_vocab_with_blank_lines(model_factory, tmp_path):
    from transformers import AutoTokenizer

    folder = tmp_path / "vocab"
    shutil.copytree(model_factory.bert(), folder)
    (folder / "tokenizer.json").unlink()
    lines = (folder / "vocab.txt").read_text().splitlines()
    lines[10:10] = ["", "   "]
    (folder / "vocab.txt").write_text("\n".join(lines) + "\n")
    inspection = Inspector.open(str(folder)).inspect("the model reads")
    assert inspection.tokens.ids.tolist() == AutoTokenizer.from_pretrained(str(folder))("the model reads")["input_ids"]
    assert "tokenizer-larger-than-embeddings" in inspection.codes()  # the extra lines shift ids past the embeddings


def test_vocab_with_a_duplicate_line_is_refused(model_factory, tmp_path):
    """A token listed twice: one id is never produced and the other one's row belongs to another token."""
    folder = tmp_path / "vocab"
    shutil.copytree(model_factory.bert(), folder)
    (folder / "tokenizer.json").unlink()
    lines = (folder / "vocab.txt").read_text().splitlines()
    lines[10:10] = ["the"]
    (folder / "vocab.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError, match=r"vocab.txt lists 'the' twice \(line 11 and line \d+\)"):
        Inspector.open(str(folder))


def test_modules_json_pointing_at_a_missing_folder(model_factory, tmp_path):
    folder = tmp_path / "st"
    folder.mkdir()
    (folder / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"}]))
    with pytest.raises(SourceError, match="has no config.json"):
        Inspector.open(str(folder))


def test_config_that_is_not_an_object(model_factory, tmp_path):
    folder = tmp_path / "list"
    shutil.copytree(model_factory.bert(), folder)
    (folder / "config.json").write_text("[1, 2]")
    with pytest.raises(SourceError, match="does not hold a JSON object"):
        Inspector.open(str(folder))


class _Trap:
    """Unpickling this writes a marker: what a hostile pytorch_model.bin would do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_pickle_weights_are_flagged_and_a_hostile_pickle_never_runs(model_factory, tmp_path):
    folder = tmp_path / "pickle"
    shutil.copytree(model_factory.bert(), folder)
    (folder / "model.safetensors").unlink()
    marker = tmp_path / "PICKLE_CODE_RAN"
    with open(folder / "pytorch_model.bin", "wb") as f:
        pickle.dump({"weights": _Trap(marker)}, f)
    inspector = Inspector.open(str(folder))
    assert inspector.facts.pickle_weights and "pytorch_model.bin" in inspector.facts.weights_files
    with pytest.raises(BertInspectorError):
        inspector.load_weights()
    assert not marker.exists()


def test_offline_never_opens_a_socket(monkeypatch, model_factory):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted in a test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(SourceError, match="not in the Hugging Face cache"):
        Inspector.open("bert-base-uncased")
    Inspector.open("default").inspect("hello world")
    inspector = Inspector.open(str(model_factory.bert()))
    inspector.load_weights()
    assert attempts == []
