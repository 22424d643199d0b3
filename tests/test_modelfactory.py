"""The fixture folders are real, loadable, and what their names say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import modelfactory

PARAGRAPH = (
    "The quick brown fox jumps over the lazy dog. In 2024, this small model reads "
    "every sentence you give it; isn't that something? Tokens, numbers (3.14) and "
    'punctuation -- like "quotes", #tags, 50% & $5 -- all become input ids!'
)


def _auto():
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    return AutoConfig, AutoModel, AutoTokenizer


def test_bert_is_real_and_has_no_unk(model_factory):
    AutoConfig, AutoModel, AutoTokenizer = _auto()
    folder = model_factory.bert()
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"} <= {
        p.name for p in folder.iterdir()
    }
    tok = AutoTokenizer.from_pretrained(folder)
    config = AutoConfig.from_pretrained(folder)
    assert type(tok).__name__ == "BertTokenizer"
    assert tok.model_max_length == 512 and config.max_position_embeddings == 512
    assert len(tok) == config.vocab_size
    vocab = modelfactory.bert_vocab()
    assert len(set(vocab)) == len(vocab) == len(tok)
    assert tok.get_vocab() == {t: i for i, t in enumerate(vocab)}
    assert (folder / "vocab.txt").read_text(encoding="utf-8").splitlines() == vocab
    enc = tok(PARAGRAPH)
    ids = enc["input_ids"]
    assert ids[0] == tok.cls_token_id == 2 and ids[-1] == tok.sep_token_id == 3
    assert tok.unk_token_id == 1 and tok.unk_token_id not in ids
    assert tok.convert_ids_to_tokens(ids)[1:3] == ["the", "quick"]

    import torch

    model = AutoModel.from_pretrained(folder)
    assert type(model).__name__ == "BertModel"
    with torch.no_grad():
        out = model(**tok(PARAGRAPH, return_tensors="pt"))
    assert out.last_hidden_state.shape == (1, len(ids), 32)


def test_cased_keeps_capitals(model_factory):
    _, _, AutoTokenizer = _auto()
    tok = AutoTokenizer.from_pretrained(model_factory.bert(cased=True))
    ids = tok("Hello World from BERT")["input_ids"]
    assert tok.convert_ids_to_tokens(ids) == ["[CLS]", "Hello", "World", "from", "B", "##E", "##R", "##T", "[SEP]"]
    assert tok.unk_token_id not in tok(PARAGRAPH)["input_ids"]


def test_roberta_round_trips(model_factory):
    AutoConfig, AutoModel, AutoTokenizer = _auto()
    folder = model_factory.roberta()
    tok = AutoTokenizer.from_pretrained(folder)
    config = AutoConfig.from_pretrained(folder)
    assert type(tok).__name__ == "RobertaTokenizer"
    assert [tok.convert_tokens_to_ids(t) for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")] == [0, 1, 2, 3, 4]
    assert (tok.model_max_length, config.max_position_embeddings, config.pad_token_id) == (64, 66, 1)
    text = "Hello world, this is a test: 123 + 4 = 127!"
    ids = tok(text)["input_ids"]
    assert ids[0] == tok.bos_token_id == 0 and ids[-1] == tok.eos_token_id == 2
    assert tok.unk_token_id not in ids
    assert tok.decode(ids, skip_special_tokens=True) == text

    import torch

    model = AutoModel.from_pretrained(folder)
    with torch.no_grad():  # 64 usable positions (66 - pad_token_id - 1)
        assert model(input_ids=torch.full((1, 64), 5)).last_hidden_state.shape == (1, 64, 32)


def test_extra_added_tokens_exceed_embedding_rows(model_factory):
    AutoConfig, _, AutoTokenizer = _auto()
    folder = model_factory.variant("extra_added_tokens")
    tok = AutoTokenizer.from_pretrained(folder)
    config = AutoConfig.from_pretrained(folder)
    assert len(tok) == config.vocab_size + 2
    assert tok.convert_tokens_to_ids("<new_token>") >= config.vocab_size


def test_pretrained_tokenizer_fast_variant_adds_no_special_tokens(model_factory):
    _, _, AutoTokenizer = _auto()
    folder = model_factory.variant("pretrained_tokenizer_fast")
    assert json.loads((folder / "tokenizer_config.json").read_text())["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert json.loads((folder / "tokenizer.json").read_text())["post_processor"] is None
    tok = AutoTokenizer.from_pretrained(folder)
    assert type(tok).__name__ == "TokenizersBackend"  # what PreTrainedTokenizerFast is in v5
    ids = tok("hello world")["input_ids"]
    assert tok.convert_ids_to_tokens(ids) == ["hello", "world"]
    pair = tok("hello world", "the dog", return_token_type_ids=True)
    assert pair["input_ids"] == ids + tok("the dog")["input_ids"]
    assert pair["token_type_ids"] == [0, 0, 1, 1]


def test_auto_map_code_never_runs_while_building(model_factory):
    AutoConfig, _, AutoTokenizer = _auto()
    folder = model_factory.variant("auto_map")
    assert (folder / "configuration_evil.py").is_file() and (folder / "modeling_evil.py").is_file()
    assert json.loads((folder / "config.json").read_text())["auto_map"]["AutoModel"] == "modeling_evil.EvilModel"
    assert not (folder / modelfactory.MARKER_NAME).exists()
    # model_type stays "bert": without trust_remote_code transformers uses its own classes
    assert type(AutoConfig.from_pretrained(folder)).__name__ == "BertConfig"
    AutoTokenizer.from_pretrained(folder)
    assert not (folder / modelfactory.MARKER_NAME).exists()


@pytest.mark.slow
def test_auto_map_code_runs_with_trust_remote_code(model_factory, tmp_path):
    folder = model_factory.variant("auto_map")
    marker = tmp_path / "marker"
    env = dict(os.environ, HF_MODULES_CACHE=str(tmp_path / "modules"))
    env[modelfactory.MARKER_ENV] = str(marker)
    code = textwrap.dedent(f"""
        from transformers import AutoModel
        model = AutoModel.from_pretrained({str(folder)!r}, trust_remote_code=True)
        print(type(model).__name__)
    """)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "EvilModel"
    assert "modeling_evil imported" in marker.read_text()
    assert not (folder / modelfactory.MARKER_NAME).exists()


def test_option_files(model_factory):
    assert not (model_factory.variant("no_tokenizer_config") / "tokenizer_config.json").exists()
    st = model_factory.variant("sentence_transformers")
    assert json.loads((st / "sentence_bert_config.json").read_text())["max_seq_length"] == 128
    assert json.loads((st / "modules.json").read_text())[0]["type"] == "sentence_transformers.models.Transformer"
    trunc = json.loads((model_factory.variant("tokenizer_json_truncation") / "tokenizer.json").read_text())
    assert trunc["truncation"]["max_length"] == 16
    rows = json.loads((model_factory.variant("extra_vocab_rows") / "config.json").read_text())["vocab_size"]
    assert rows == len(modelfactory.bert_vocab()) + 8
    config = json.loads((model_factory.variant("sequence_classification") / "config.json").read_text())
    assert config["architectures"] == ["BertForSequenceClassification"]
    assert config["id2label"] == {"0": "negative", "1": "positive"}


def test_broken_folders(model_factory):
    with pytest.raises(json.JSONDecodeError):
        json.loads((model_factory.variant("corrupt_config") / "config.json").read_text())
    assert {p.name for p in model_factory.variant("no_config").iterdir()} == {
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.txt",
    }
    assert {p.name for p in model_factory.variant("no_tokenizer").iterdir()} == {"config.json", "model.safetensors"}
    weights = model_factory.variant("truncated_weights") / "model.safetensors"
    assert weights.stat().st_size * 2 in range(
        (model_factory.bert() / "model.safetensors").stat().st_size - 1,
        (model_factory.bert() / "model.safetensors").stat().st_size + 2,
    )


def test_factory_caches_by_effective_options(model_factory):
    assert model_factory.bert() == model_factory.bert(cased=False) == model_factory.variant("bert")
    assert model_factory.bert(cased=True) != model_factory.bert()
    with pytest.raises(TypeError):
        model_factory.bert(no_such_option=1)


def test_minilm_path(minilm_path):
    config = json.loads((minilm_path / "config.json").read_text())
    assert config["model_type"] == "bert" and config["hidden_size"] == 384
    assert (minilm_path / "tokenizer.json").is_file()


# --------------------------------------------------------------------------- the nine families

FAMILY_SHAPES = {
    # family: (AutoTokenizer class, tokenizer file besides tokenizer.json, first/last special,
    #          max_position_embeddings, type_vocab_size, pad_token_id, model_max_length)
    "bert": ("BertTokenizer", "vocab.txt", ("[CLS]", "[SEP]"), 512, 2, 0, 512),
    "roberta": ("RobertaTokenizer", None, ("<s>", "</s>"), 514, 1, 1, 512),
    "xlm_roberta": ("XLMRobertaTokenizer", "sentencepiece.bpe.model", ("<s>", "</s>"), 514, 1, 1, 512),
    "camembert": ("CamembertTokenizer", "sentencepiece.bpe.model", ("<s>", "</s>"), 514, 1, 1, 512),
    "albert": ("AlbertTokenizer", "spiece.model", ("[CLS]", "[SEP]"), 512, 2, 0, 512),
    "deberta_v3": ("DebertaV2Tokenizer", "spm.model", ("[CLS]", "[SEP]"), 512, 0, 0, 512),
    "distilbert": ("DistilBertTokenizer", "vocab.txt", ("[CLS]", "[SEP]"), 512, None, 0, 512),
    "electra": ("BertTokenizer", "vocab.txt", ("[CLS]", "[SEP]"), 512, 2, 0, 512),
    "modernbert": ("TokenizersBackend", None, ("[CLS]", "[SEP]"), 8192, None, None, 8192),
}


@pytest.mark.parametrize("family", list(modelfactory.FAMILIES))
def test_family_folder_loads_like_the_real_one(model_factory, family):
    AutoConfig, _, AutoTokenizer = _auto()
    import torch
    import transformers

    folder = model_factory.family(family)
    tok_class, extra_file, (first, last), positions, type_vocab, pad_id, max_length = FAMILY_SHAPES[family]
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= names
    assert extra_file is None or extra_file in names
    tok = AutoTokenizer.from_pretrained(folder)
    config = AutoConfig.from_pretrained(folder)
    assert type(tok).__name__ == tok_class
    assert tok.model_max_length == max_length and config.max_position_embeddings == positions
    assert getattr(config, "type_vocab_size", None) == type_vocab
    assert pad_id is None or config.pad_token_id == pad_id == tok.pad_token_id
    assert config.vocab_size == len(tok)
    ids = tok("Le café est très bon", "Привет, мир!")["input_ids"]
    strings = tok.convert_ids_to_tokens(ids)
    assert strings[0] == first and strings[-1] == last and strings.count(last) >= 2
    model = getattr(transformers, config.architectures[0]).from_pretrained(folder)
    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]))
    assert out[0].shape[:2] == (1, len(ids))


@pytest.mark.parametrize("family", ["xlm_roberta", "camembert", "albert", "deberta_v3"])
def test_sentencepiece_families_come_from_a_trained_model(model_factory, family):
    """The .model file is a real SentencePiece model, and the tokenizer's pieces are its pieces."""
    import sentencepiece

    _, _, AutoTokenizer = _auto()
    folder = model_factory.family(family)
    model_file = FAMILY_SHAPES[family][1]
    processor = sentencepiece.SentencePieceProcessor(model_file=str(folder / model_file))
    pieces = {processor.id_to_piece(i) for i in range(processor.get_piece_size())}
    tok = AutoTokenizer.from_pretrained(folder)
    text = "Die Straße ist groß. Москва и Санкт-Петербург. 東京は大きな都市"
    produced = [t for t in tok.convert_ids_to_tokens(tok(text)["input_ids"]) if t not in tok.all_special_tokens]
    assert produced and set(produced) <= pieces
    assert tok.unk_token_id not in tok(text, add_special_tokens=False)["input_ids"]
    # DeBERTa-v3's model has byte fallback; its tokenizer class drops it, as with the real checkpoint
    assert ("<0xF0>" in pieces) is (family == "deberta_v3")
