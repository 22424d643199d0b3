"""Builders for small, REAL Hugging Face model folders, made offline for tests.

Every ``build_*`` function writes a complete folder with ``save_pretrained``
(random weights, safetensors, ``torch.manual_seed(0)``) and returns it.
Nothing is downloaded and nothing in transformers or tokenizers is mocked.

Shapes are tiny (hidden 32, 2 layers, 2 heads, intermediate 37) so the whole
set builds in a few seconds.

Vocabulary of the BERT folders (``vocab.txt``, written here):

* 0..4: ``[PAD] [UNK] [CLS] [SEP] [MASK]``
* every ASCII punctuation character, ``0``-``9``, ``a``-``z``, ``##a``-``##z``,
  ``##0``-``##9``; a few typographic marks (’ ‘ “ ” – — …)
* ~200 common English words and the suffixes ``##s ##ed ##ing ##ly ##er ##es``
* cased only: ``A``-``Z``, ``##A``-``##Z`` and capitalised common words

The other families (``build_family``, ``FAMILIES``): XLM-R, CamemBERT, ALBERT and DeBERTa-v3
from SentencePiece models trained here on ``MULTILINGUAL_CORPUS``, DistilBERT and ELECTRA on the
WordPiece vocabulary below, ModernBERT on a byte-level BPE trained here; each with its family's
real config shape.

So any ordinary ASCII English text encodes without ``[UNK]``.  Characters
outside that set give ``[UNK]``: emoji, CJK, and (cased only, as the uncased
one strips accents) accented letters such as ``é``.

Notes on transformers 5 (checked against 5.24):

* ``BertTokenizer(vocab_file=...)`` silently IGNORES ``vocab_file`` and builds
  a 5-token vocabulary (everything becomes ``[UNK]``).  Only ``from_pretrained``
  reads a ``vocab.txt``.  We therefore pass ``vocab=<dict>``.
* ``save_pretrained`` of a (fast-only) tokenizer writes ``tokenizer.json`` and
  ``tokenizer_config.json`` only, never ``vocab.txt``; we copy ours in.
* Loading a BertTokenizer rebuilds the normalizer from tokenizer_config.json
  (``do_lower_case``/``strip_accents``), NOT from tokenizer.json.  Without a
  tokenizer_config.json a cased folder therefore loads LOWERCASING, with
  ``model_max_length`` = 1e30.
* ``AutoTokenizer`` on a folder with no tokenizer files but a bert config.json
  silently returns a 5-token BertTokenizer (every word -> ``[UNK]``).
* A ``truncation`` block in tokenizer.json lands in ``init_kwargs["max_length"]``
  and the raw backend, but ``tokenizer(text)`` does not truncate by it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import string
from pathlib import Path
from typing import Iterable

__all__ = [
    "MARKER_ENV",
    "MARKER_NAME",
    "ARCHITECTURES",
    "bert_vocab",
    "build_bert",
    "build_roberta",
    "build_family",
    "FAMILY_NAMES",
    "FAMILIES",
    "MULTILINGUAL_CORPUS",
    "spm_model_bytes",
    "build_corrupt_config",
    "build_no_config",
    "build_no_tokenizer",
    "build_truncated_weights",
    "copy_folder",
    "BUILDERS",
    "VARIANTS",
    "normalize_options",
    "build_all",
]

#: Environment variable naming the marker file written by the auto_map code.
MARKER_ENV = "BERTINSPECTOR_TEST_MARKER"
#: Default marker file name (inside the model folder) when MARKER_ENV is unset.
MARKER_NAME = "MARKER_CODE_RAN"

#: Model classes ``build_bert(architecture=...)`` accepts.
ARCHITECTURES = (
    "BertModel",
    "BertForMaskedLM",
    "BertForSequenceClassification",
    "BertForTokenClassification",
    "BertForQuestionAnswering",
)

_TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=37)

TOKEN_LABELS = {0: "O", 1: "B-ENT", 2: "I-ENT"}
SEQUENCE_LABELS = {0: "negative", 1: "positive"}

COMMON_WORDS = """
the be to of and a in that have i it for not on with he as you do at this but his by from
they we say her she or an will my one all would there their what so up out if about who get
which go me when make can like time no just him know take people into year your good some
could them see other than then now look only come its over think also back after use two how
our work first well way even new want because any these give day most us is are was were been
has had did does said made model models sentence sentences text word words token tokens input
output length long short mask test data example hello world quick brown fox jumps lazy dog
language english simple small large number first second last very more much many each every
here where why yes line page book read write reading writing question answer true false same
different before under between while through during without again still never always often
should must may might shall can't won't don't it's open close start end begin left right high
low old young great little own right big few public bad able early late important part place
case point group problem fact hand week company system program government life child
""".split()

SUFFIXES = ["##s", "##ed", "##ing", "##ly", "##er", "##es"]
TYPOGRAPHIC = ["\u2019", "\u2018", "\u201c", "\u201d", "\u2013", "\u2014", "\u2026"]


def bert_vocab(cased: bool = False) -> list[str]:
    """The WordPiece vocabulary (list index == token id) used by ``build_bert``."""
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokens += list(string.punctuation) + TYPOGRAPHIC
    tokens += list(string.digits) + list(string.ascii_lowercase)
    tokens += ["##" + c for c in string.ascii_lowercase + string.digits]
    if cased:
        tokens += list(string.ascii_uppercase) + ["##" + c for c in string.ascii_uppercase]
    tokens += SUFFIXES
    # Whole words: BertPreTokenizer splits on punctuation, so "can't" can never
    # be one token; keep only purely alphabetic words.
    words = [w for w in COMMON_WORDS if w.isalpha()]
    if cased:
        words = words + [w.capitalize() for w in words]
    return list(dict.fromkeys(tokens + words))  # de-duplicated, first wins


# --------------------------------------------------------------------------- helpers


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@contextlib.contextmanager
def _quiet():
    """Hide transformers' "Writing model shards" progress bar while saving."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _fresh_folder(folder: Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _bert_tokenizer(folder: Path, *, cased: bool, strip_accents, model_max_length: int):
    from transformers import BertTokenizer

    vocab = bert_vocab(cased)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    return BertTokenizer(
        vocab={tok: i for i, tok in enumerate(vocab)},
        do_lower_case=not cased,
        strip_accents=strip_accents,
        model_max_length=model_max_length,
    )


def _bert_model(architecture: str, vocab_size: int, max_position_embeddings: int):
    import torch
    import transformers
    from transformers import BertConfig

    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, not {architecture!r}")
    extra = {}
    if architecture == "BertForSequenceClassification":
        extra = dict(id2label=SEQUENCE_LABELS, label2id={v: k for k, v in SEQUENCE_LABELS.items()})
    elif architecture == "BertForTokenClassification":
        extra = dict(id2label=TOKEN_LABELS, label2id={v: k for k, v in TOKEN_LABELS.items()})
    config = BertConfig(
        vocab_size=vocab_size,
        max_position_embeddings=max_position_embeddings,
        type_vocab_size=2,
        pad_token_id=0,
        **_TINY,
        **extra,
    )
    torch.manual_seed(0)
    return getattr(transformers, architecture)(config).eval()


_EVIL_CONFIG = '''\
"""Test fixture: proves remote code ran by writing a marker file on import."""
import os

with open(os.environ.get({env!r}, {default!r}), "a") as _marker:
    _marker.write("configuration_evil imported\\n")

from transformers import BertConfig


class EvilConfig(BertConfig):
    pass
'''

_EVIL_MODEL = '''\
"""Test fixture: proves remote code ran by writing a marker file on import."""
import os

with open(os.environ.get({env!r}, {default!r}), "a") as _marker:
    _marker.write("modeling_evil imported\\n")

from transformers import BertModel

from .configuration_evil import EvilConfig


class EvilModel(BertModel):
    config_class = EvilConfig
'''


# --------------------------------------------------------------------------- builders


def build_bert(
    folder: Path,
    *,
    cased: bool = False,
    max_position_embeddings: int = 512,
    model_max_length: int = 512,
    architecture: str = "BertModel",
    write_tokenizer_config: bool = True,
    extra_added_tokens: Iterable[str] = (),
    vocab_size_extra_rows: int = 0,
    sentence_transformers_max_seq_length: int | None = None,
    tokenizer_json_truncation: int | None = None,
    declare_tokenizer_class: str | None = None,
    strip_accents: bool | None = None,
    auto_map: bool = False,
) -> Path:
    """Write a tiny BERT folder (WordPiece tokenizer + random ``architecture``).

    Files: config.json, model.safetensors, tokenizer.json, tokenizer_config.json,
    vocab.txt (+ sentence-transformers / auto_map files when asked).

    * ``extra_added_tokens``: added to the tokenizer after the embedding size is
      fixed, so ``len(tokenizer) > config.vocab_size`` (ids past the table).
    * ``vocab_size_extra_rows``: ``config.vocab_size = len(tokenizer) + rows``.
    * ``write_tokenizer_config=False``: tokenizer_config.json removed.
    * ``tokenizer_json_truncation=N``: tokenizer.json carries a truncation block.
    * ``declare_tokenizer_class="PreTrainedTokenizerFast"``: tokenizer_config.json
      names that class and tokenizer.json has ``"post_processor": null``.
    * ``auto_map=True``: configuration_evil.py / modeling_evil.py whose import
      writes a marker file (``$BERTINSPECTOR_TEST_MARKER`` or
      ``folder/MARKER_CODE_RAN``); config.json gets an ``auto_map``.  Nothing
      here imports that code.
    """
    folder = _fresh_folder(folder)
    extra_added_tokens = list(extra_added_tokens)
    if declare_tokenizer_class is not None and not write_tokenizer_config:
        raise ValueError("declare_tokenizer_class needs write_tokenizer_config=True")

    tokenizer = _bert_tokenizer(
        folder, cased=cased, strip_accents=strip_accents, model_max_length=model_max_length
    )
    model = _bert_model(architecture, len(tokenizer) + vocab_size_extra_rows, max_position_embeddings)
    with _quiet():
        model.save_pretrained(folder)  # safetensors is the default in v5
    if extra_added_tokens:
        tokenizer.add_tokens(extra_added_tokens)  # no resize_token_embeddings on purpose
    tokenizer.save_pretrained(folder)

    tok_json = folder / "tokenizer.json"
    tok_cfg = folder / "tokenizer_config.json"
    if tokenizer_json_truncation is not None:
        data = _read_json(tok_json)
        data["truncation"] = {
            "max_length": int(tokenizer_json_truncation),
            "strategy": "LongestFirst",
            "stride": 0,
            "direction": "Right",
        }
        _write_json(tok_json, data)
    if declare_tokenizer_class is not None:
        cfg = _read_json(tok_cfg)
        cfg["tokenizer_class"] = declare_tokenizer_class
        _write_json(tok_cfg, cfg)
        data = _read_json(tok_json)
        data["post_processor"] = None
        _write_json(tok_json, data)
    if not write_tokenizer_config:
        tok_cfg.unlink()
    if sentence_transformers_max_seq_length is not None:
        _write_sentence_transformers_files(folder, int(sentence_transformers_max_seq_length))
    if auto_map:
        _write_auto_map(folder)
    return folder


def _write_sentence_transformers_files(folder: Path, max_seq_length: int) -> None:
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": max_seq_length, "do_lower_case": False})
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        ],
    )
    (folder / "1_Pooling").mkdir(exist_ok=True)
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": _TINY["hidden_size"],
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    )


def _write_auto_map(folder: Path) -> None:
    fmt = dict(env=MARKER_ENV, default=str(folder.resolve() / MARKER_NAME))
    (folder / "configuration_evil.py").write_text(_EVIL_CONFIG.format(**fmt), encoding="utf-8")
    (folder / "modeling_evil.py").write_text(_EVIL_MODEL.format(**fmt), encoding="utf-8")
    cfg = _read_json(folder / "config.json")
    cfg["auto_map"] = {
        "AutoConfig": "configuration_evil.EvilConfig",
        "AutoModel": "modeling_evil.EvilModel",
    }
    _write_json(folder / "config.json", cfg)


_ROBERTA_CORPUS = """\
The quick brown fox jumps over the lazy dog. This is a small model for tests.
A sentence goes in, tokens come out, and the model reads them one by one.
Hello world! Numbers like 0 1 2 3 4 5 6 7 8 9 and 2024 or 3.14 appear in text.
What does the model see? It sees input ids, an attention mask and positions.
Long inputs are truncated; short inputs are padded to the same length.
English text is mostly letters, spaces and punctuation: commas, dots, quotes.
"""


def build_roberta(folder: Path, *, max_position_embeddings: int = 66, model_max_length: int = 64,
                  mask_lstrip: bool = False) -> Path:
    """Write a tiny RoBERTa folder with a byte-level BPE tokenizer trained here.

    Special ids: ``<s>``=0, ``<pad>``=1, ``</s>``=2, ``<unk>``=3, ``<mask>``=4.
    All 256 byte symbols are in the vocabulary, so any text encodes without
    ``<unk>``.  RoBERTa offsets positions by ``pad_token_id + 1``: usable
    positions are ``max_position_embeddings - 2`` (66 -> 64 by default).
    ``mask_lstrip=True``: ``<mask>`` swallows the space on its left, as in roberta-base's files.
    """
    import torch
    from tokenizers import AddedToken, ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizer

    folder = _fresh_folder(folder)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()  # no lowercasing, no normalizer
    corpus = _ROBERTA_CORPUS.splitlines() + [string.printable]
    bpe.train_from_iterator(corpus, vocab_size=600, min_frequency=2, special_tokens=specials, show_progress=False)
    model_json = json.loads(bpe.to_str())["model"]
    tokenizer = RobertaTokenizer(
        vocab=model_json["vocab"],
        merges=[tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model_json["merges"]],
        model_max_length=model_max_length,
        mask_token=AddedToken("<mask>", lstrip=mask_lstrip, normalized=False, special=True),
    )
    ids = [tokenizer.convert_tokens_to_ids(t) for t in specials]
    assert ids == [0, 1, 2, 3, 4], ids

    config = RobertaConfig(
        vocab_size=len(tokenizer),
        max_position_embeddings=max_position_embeddings,
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        **_TINY,
    )
    torch.manual_seed(0)
    with _quiet():
        RobertaModel(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


# --------------------------------------------------------------------------- the other BERT families

#: Training text of the family tokenizers (written for these tests): English, French, German,
#: Spanish, Russian, Greek, Arabic, Hebrew, Chinese, Japanese, Korean, emoji and ASCII punctuation.
MULTILINGUAL_CORPUS = """\
The quick brown fox jumps over the lazy dog. This is a small model for tests.
A sentence goes in, tokens come out, and the model reads them one by one.
Hello world! Numbers like 0 1 2 3 4 5 6 7 8 9 and 2024 or 3.14 appear in text.
What does the model see? It sees input ids, an attention mask and positions.
Long inputs are truncated; short inputs are padded to the same length.
Le café est très bon à Paris, et la crème brûlée aussi. Où est la gare ?
Les élèves ont lu un livre français ; ils étaient naïfs mais curieux.
Die Straße ist groß und schön. Über den Bergen fliegen Vögel nach Süden.
Ich möchte einen Kaffee mit Milch, bitte. Grüße aus München und Köln.
El niño come una manzana en la montaña. ¿Dónde está la estación? ¡Qué bien!
La señora habla español y portugués; el año pasado viajó a Córdoba.
Привет, мир! Это небольшая модель для тестов. Москва и Санкт-Петербург.
Я читаю книгу, а она пишет письмо. Сегодня хорошая погода.
Γεια σου κόσμε! Αυτό είναι ένα μικρό μοντέλο. Η Αθήνα είναι όμορφη.
مرحبا بالعالم. هذا نموذج صغير للاختبار. اللغة العربية جميلة.
שלום עולם. זה מודל קטן לבדיקות. ירושלים ותל אביב.
日本語のテキストです。東京は大きな都市です。今日は天気がいいですね。
中文文本很好。北京和上海是大城市。我喜欢学习语言。
한국어 텍스트입니다. 서울은 큰 도시입니다.
Emoji in text: 😀 👍 🎉 ❤️ 🚀 and flags 🇫🇷 🇩🇪 are common in chats.
Punctuation: ! " # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \\ ] ^ _ ` { | } ~ “quotes” – — …
"""

#: SentencePiece families: trainer ids as the family's original model file has them (the
#: tokenizer class's converter re-orders them like fairseq did for XLM-R and CamemBERT).
_SPM_FAMILIES = {
    "xlm_roberta": dict(
        tokenizer_class="XLMRobertaTokenizer", model_file="sentencepiece.bpe.model", model_type="unigram",
        trainer=dict(unk_id=0, bos_id=1, eos_id=2, pad_id=-1),
    ),
    "camembert": dict(
        tokenizer_class="CamembertTokenizer", model_file="sentencepiece.bpe.model", model_type="unigram",
        trainer=dict(unk_id=0, bos_id=1, eos_id=2, pad_id=-1),
    ),
    "albert": dict(
        tokenizer_class="AlbertTokenizer", model_file="spiece.model", model_type="unigram",
        trainer=dict(pad_id=0, unk_id=1, bos_id=2, eos_id=3, bos_piece="[CLS]", eos_piece="[SEP]",
                     user_defined_symbols="[MASK]"),
        uncased=True,  # ALBERT's model was trained on lowercased text without accents
    ),
    # DeBERTa-v3's spm.model is trained with byte fallback, which its tokenizer class drops:
    # the byte pieces <0x00>..<0xFF> are in the vocabulary but text never reaches them.
    "deberta_v3": dict(
        tokenizer_class="DebertaV2Tokenizer", model_file="spm.model", model_type="bpe", byte_fallback=True,
        trainer=dict(pad_id=0, bos_id=1, eos_id=2, unk_id=3, pad_piece="[PAD]", bos_piece="[CLS]",
                     eos_piece="[SEP]", unk_piece="[UNK]"),
    ),
}

#: Real-shaped configs: (config class, default architecture, the family's values).
_FAMILY_CONFIGS = {
    "xlm_roberta": ("XLMRobertaConfig", "XLMRobertaForMaskedLM",
                    dict(max_position_embeddings=514, type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2)),
    "camembert": ("CamembertConfig", "CamembertForMaskedLM",
                  dict(max_position_embeddings=514, type_vocab_size=1, pad_token_id=1, bos_token_id=5, eos_token_id=6)),
    "albert": ("AlbertConfig", "AlbertForMaskedLM",
               dict(max_position_embeddings=512, type_vocab_size=2, pad_token_id=0, bos_token_id=2, eos_token_id=3,
                    embedding_size=16)),
    "deberta_v3": ("DebertaV2Config", "DebertaV2ForMaskedLM",
                   dict(max_position_embeddings=512, type_vocab_size=0, pad_token_id=0, relative_attention=True,
                        position_biased_input=False, pos_att_type=["p2c", "c2p"], position_buckets=256,
                        max_relative_positions=-1, norm_rel_ebd="layer_norm", layer_norm_eps=1e-7)),
    "distilbert": ("DistilBertConfig", "DistilBertForMaskedLM",
                   dict(max_position_embeddings=512, pad_token_id=0, dim=32, n_layers=2, n_heads=2, hidden_dim=37)),
    "electra": ("ElectraConfig", "ElectraForPreTraining",
                dict(max_position_embeddings=512, type_vocab_size=2, pad_token_id=0, embedding_size=16)),
    "modernbert": ("ModernBertConfig", "ModernBertForMaskedLM",
                   dict(max_position_embeddings=8192, local_attention=16, global_attn_every_n_layers=2)),
}

#: What ``build_family`` builds, by family name (bert and roberta have their own builders).
FAMILY_NAMES = tuple(_FAMILY_CONFIGS)
#: The nine families the parity and diagnostics suites run on: name -> (builder kind, options).
#: BERT is the cased one (bert-base-cased), RoBERTa has roberta-base's 514 positions.
FAMILIES: dict[str, tuple[str, dict]] = {
    "bert": ("bert", {"cased": True}),
    "roberta": ("roberta", {"max_position_embeddings": 514, "model_max_length": 512, "mask_lstrip": True}),
    **{name: ("family", {"family": name}) for name in FAMILY_NAMES},
}


def _uncased(text: str) -> str:
    """Lowercased, accents stripped: the text an uncased model is trained on."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if unicodedata.category(c) != "Mn")


@functools.lru_cache(maxsize=None)
def _trained_spm(model_type: str, byte_fallback: bool, uncased: bool, trainer: tuple) -> bytes:
    """A SentencePiece model trained on MULTILINGUAL_CORPUS (a fraction of a second; cached)."""
    import io

    import sentencepiece

    lines = MULTILINGUAL_CORPUS.splitlines()
    buffer = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter([_uncased(line) for line in lines] if uncased else lines), model_writer=buffer,
        model_type=model_type,
        vocab_size=900 if byte_fallback else 500, hard_vocab_limit=False, character_coverage=1.0, byte_fallback=byte_fallback,
        num_threads=1, minloglevel=2, **dict(trainer),
    )
    return buffer.getvalue()


def spm_model_bytes(family: str) -> bytes:
    """The trained SentencePiece model file of a SentencePiece family (e.g. to corrupt it)."""
    spec = _SPM_FAMILIES[family]
    return _trained_spm(spec["model_type"], spec.get("byte_fallback", False), spec.get("uncased", False),
                        tuple(sorted(spec["trainer"].items())))


def _spm_tokenizer(folder: Path, family: str, model_max_length: int):
    """The family's tokenizer class loaded from its SentencePiece model file, as from an old hub folder."""
    import transformers

    spec = _SPM_FAMILIES[family]
    staging = folder / "_spm"
    staging.mkdir()
    (staging / spec["model_file"]).write_bytes(spm_model_bytes(family))
    _write_json(staging / "tokenizer_config.json", {"model_max_length": model_max_length})
    tokenizer = getattr(transformers, spec["tokenizer_class"]).from_pretrained(str(staging))
    shutil.copy(staging / spec["model_file"], folder / spec["model_file"])  # the folder users have holds it too
    shutil.rmtree(staging)
    return tokenizer


def _wordpiece_tokenizer(folder: Path, tokenizer_class: str, model_max_length: int):
    import transformers

    vocab = bert_vocab()
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    return getattr(transformers, tokenizer_class)(
        vocab={tok: i for i, tok in enumerate(vocab)}, do_lower_case=True, model_max_length=model_max_length
    )


def _modernbert_tokenizer(model_max_length: int):
    """Byte-level BPE with ModernBERT's layout: the BPE vocabulary first, then [UNK] [CLS] [SEP] [PAD] [MASK]."""
    from tokenizers import AddedToken, ByteLevelBPETokenizer, processors
    from transformers import PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(MULTILINGUAL_CORPUS.splitlines() + [string.printable], vocab_size=700,
                            min_frequency=2, show_progress=False)
    backend = bpe._tokenizer
    specials = ["[UNK]", "[CLS]", "[SEP]", "[PAD]"]
    backend.add_special_tokens([*specials, AddedToken("[MASK]", lstrip=True, normalized=False, special=True)])
    cls_id, sep_id = backend.token_to_id("[CLS]"), backend.token_to_id("[SEP]")
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0", pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]",
        mask_token="[MASK]", model_max_length=model_max_length, model_input_names=["input_ids", "attention_mask"],
    )


def _family_model(family: str, architecture: str | None, tokenizer):
    import torch
    import transformers

    config_class, default_architecture, values = _FAMILY_CONFIGS[family]
    sizes = {} if family == "distilbert" else dict(_TINY)
    ids = {}
    if family == "modernbert":
        ids = {f"{role}_token_id": tokenizer.convert_tokens_to_ids(token) for role, token in (
            ("pad", "[PAD]"), ("cls", "[CLS]"), ("sep", "[SEP]"), ("bos", "[CLS]"), ("eos", "[SEP]"))}
    config = getattr(transformers, config_class)(vocab_size=len(tokenizer), **sizes, **values, **ids)
    torch.manual_seed(0)
    return getattr(transformers, architecture or default_architecture)(config).eval()


def build_family(folder: Path, *, family: str, architecture: str | None = None, model_max_length: int | None = None) -> Path:
    """Write a tiny model folder of another BERT family, the way its users have it.

    ``family``: one of FAMILY_NAMES.  The tokenizer goes through the family's own class:

    * xlm_roberta, camembert, albert, deberta_v3: a SentencePiece model trained here (unigram;
      DeBERTa-v3 BPE with byte fallback), loaded by XLMRobertaTokenizer / CamembertTokenizer /
      AlbertTokenizer / DebertaV2Tokenizer from the ``.model`` file, then ``save_pretrained``
      (the folder holds tokenizer.json, tokenizer_config.json and the ``.model`` file);
    * distilbert, electra: the uncased WordPiece vocabulary of ``build_bert`` behind
      DistilBertTokenizer / ElectraTokenizer (tokenizer_config.json names ``ElectraTokenizer``
      as older hub folders do);
    * modernbert: a byte-level BPE trained here with ModernBERT's ``[CLS] $A [SEP]`` template,
      saved as a ``PreTrainedTokenizerFast`` tokenizer.json with 8192 positions.

    The model is the family's ``architecture`` (default: its masked-LM / pre-training class)
    with a real-shaped config (position limit, ``type_vocab_size`` — 0 for DeBERTa-v3 —,
    ``pad_token_id``) and tiny random weights in model.safetensors.
    """
    if family not in _FAMILY_CONFIGS:
        raise ValueError(f"family must be one of {FAMILY_NAMES}, not {family!r}")
    folder = _fresh_folder(folder)
    if model_max_length is None:
        model_max_length = 8192 if family == "modernbert" else 512
    if family in _SPM_FAMILIES:
        tokenizer = _spm_tokenizer(folder, family, model_max_length)
    elif family == "modernbert":
        tokenizer = _modernbert_tokenizer(model_max_length)
    else:
        tokenizer = _wordpiece_tokenizer(folder, "DistilBertTokenizer" if family == "distilbert" else "ElectraTokenizer",
                                         model_max_length)
    with _quiet():
        _family_model(family, architecture, tokenizer).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    declared = {"electra": "ElectraTokenizer", "modernbert": "PreTrainedTokenizerFast"}.get(family)
    if declared:
        tok_cfg = folder / "tokenizer_config.json"
        _write_json(tok_cfg, {**_read_json(tok_cfg), "tokenizer_class": declared})
    return folder


def build_corrupt_config(folder: Path) -> Path:
    """A bert folder whose config.json is not valid JSON."""
    folder = build_bert(folder)
    (folder / "config.json").write_text('{"model_type": "bert", "hidden_size": 32,,\n', encoding="utf-8")
    return folder


def build_no_config(folder: Path) -> Path:
    """Tokenizer files only (tokenizer.json, tokenizer_config.json, vocab.txt)."""
    folder = _fresh_folder(folder)
    _bert_tokenizer(folder, cased=False, strip_accents=None, model_max_length=512).save_pretrained(folder)
    return folder


def build_no_tokenizer(folder: Path) -> Path:
    """config.json + model.safetensors, no tokenizer files at all."""
    folder = _fresh_folder(folder)
    with _quiet():
        _bert_model("BertModel", len(bert_vocab()), 512).save_pretrained(folder)
    return folder


def build_truncated_weights(folder: Path) -> Path:
    """A valid bert folder whose model.safetensors is cut to half its size."""
    folder = build_bert(folder)
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    return folder


def copy_folder(src: Path, dst: Path) -> Path:
    """Copy a built folder (for tests that need to modify one)."""
    shutil.copytree(src, dst)
    return Path(dst)



# --------------------------------------------------------------------------- registry

#: Builder functions by short name (the ``kind`` used by the conftest factory).
BUILDERS = {
    "bert": build_bert,
    "roberta": build_roberta,
    "family": build_family,
    "corrupt_config": build_corrupt_config,
    "no_config": build_no_config,
    "no_tokenizer": build_no_tokenizer,
    "truncated_weights": build_truncated_weights,
}

#: Named folders: name -> (builder kind, options).
VARIANTS: dict[str, tuple[str, dict]] = {
    "bert": ("bert", {}),
    "cased": ("bert", {"cased": True}),
    "roberta": ("roberta", {}),
    "masked_lm": ("bert", {"architecture": "BertForMaskedLM"}),
    "sequence_classification": ("bert", {"architecture": "BertForSequenceClassification"}),
    "token_classification": ("bert", {"architecture": "BertForTokenClassification"}),
    "question_answering": ("bert", {"architecture": "BertForQuestionAnswering"}),
    # tokenizer claims 512 but the model only has 128 positions
    "short_positions": ("bert", {"max_position_embeddings": 128}),
    "no_tokenizer_config": ("bert", {"write_tokenizer_config": False}),
    "extra_added_tokens": ("bert", {"extra_added_tokens": ("<new_token>", "bertinspector")}),
    "extra_vocab_rows": ("bert", {"vocab_size_extra_rows": 8}),
    "sentence_transformers": ("bert", {"sentence_transformers_max_seq_length": 128}),
    "tokenizer_json_truncation": ("bert", {"tokenizer_json_truncation": 16}),
    "pretrained_tokenizer_fast": ("bert", {"declare_tokenizer_class": "PreTrainedTokenizerFast"}),
    "auto_map": ("bert", {"auto_map": True}),
    "corrupt_config": ("corrupt_config", {}),
    "no_config": ("no_config", {}),
    "no_tokenizer": ("no_tokenizer", {}),
    "truncated_weights": ("truncated_weights", {}),
}


def normalize_options(kind: str, options: dict) -> tuple:
    """Hashable cache key for ``BUILDERS[kind](folder, **options)``.

    Options equal to the builder's default are dropped, so ``bert()`` and
    ``bert(cased=False)`` share one folder; unknown options raise TypeError.
    """
    import inspect

    params = inspect.signature(BUILDERS[kind]).parameters
    key = []
    for name, value in sorted(options.items()):
        if name == "folder" or name not in params:
            raise TypeError(f"{BUILDERS[kind].__name__}() got an unexpected option {name!r}")
        if isinstance(value, (list, set)):
            value = tuple(value)
        if value != params[name].default:
            key.append((name, value))
    return (kind, tuple(key))


def build_all(root: Path) -> dict[str, Path]:
    """Build every entry of VARIANTS under ``root`` (for timing / manual use)."""
    root = Path(root)
    return {name: BUILDERS[kind](root / name, **opts) for name, (kind, opts) in VARIANTS.items()}
