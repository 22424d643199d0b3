"""Diagnostics on every BERT family: silent in the family's normal use, loud on what is really wrong.

The nine families are the folders of ``modelfactory.FAMILIES`` (real tokenizer classes, real-shaped
configs); the references are plain ``AutoTokenizer`` calls.
"""

from __future__ import annotations

import json
import shutil
import unicodedata

import pytest

import modelfactory
from bertinspector.core.errors import SourceError
from bertinspector.core.inspector import Inspector

FAMILIES = list(modelfactory.FAMILIES)
UNCASED = {"albert", "distilbert", "electra"}
# clean text as each family's users feed it: cased English for cased models, their training languages
CLEAN = "The quick brown fox jumps over the lazy dog. Hello world, this is a small model for tests."
MULTILINGUAL = "Le café est très bon à Paris. Die Straße ist groß. Привет, мир! Γεια σου κόσμε! 東京は大きな都市"
MULTILINGUAL_FAMILIES = {"roberta", "xlm_roberta", "camembert", "deberta_v3", "modernbert"}

_INSPECTORS: dict[str, Inspector] = {}


def inspector(model_factory, family: str) -> Inspector:
    if family not in _INSPECTORS:
        _INSPECTORS[family] = Inspector.open(str(model_factory.family(family)))
    return _INSPECTORS[family]


def auto_tokenizer(folder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder))


def edited_copy(folder, tmp_path, name: str, file: str, **changes):
    target = tmp_path / name
    shutil.copytree(folder, target)
    data = json.loads((target / file).read_text(encoding="utf-8"))
    (target / file).write_text(json.dumps({**data, **changes}), encoding="utf-8")
    return target


# --------------------------------------------------------------------------- silent in normal use


@pytest.mark.parametrize("family", FAMILIES)
def test_clean_text_gives_no_finding(model_factory, family):
    ins = inspector(model_factory, family)
    assert ins.inspect(CLEAN).diagnostics == ()
    if family in MULTILINGUAL_FAMILIES:
        assert ins.inspect(MULTILINGUAL).diagnostics == ()


@pytest.mark.parametrize("family", sorted(set(FAMILIES) - {"albert"}))
def test_a_pair_as_the_family_encodes_it_gives_no_finding(model_factory, family):
    """RoBERTa, XLM-R, CamemBERT, DistilBERT and ModernBERT pairs carry no type ids, DeBERTa-v3 has
    type ids but no token-type embeddings (type_vocab_size 0): none of that is a problem."""
    ins = inspector(model_factory, family)
    inspection = ins.inspect("The quick brown fox.", "Hello world, this is a test.")
    assert inspection.diagnostics == ()
    assert {0, 1} <= set(inspection.tokens.segments.tolist())


def test_deberta_v3_type_ids_are_not_out_of_range(model_factory):
    folder = model_factory.family("deberta_v3")
    ins = inspector(model_factory, "deberta_v3")
    assert ins.facts.type_vocab_size == 0
    inspection = ins.inspect("The quick brown fox.", "Hello world.")
    assert inspection.tokens.type_ids.tolist() == auto_tokenizer(folder)("The quick brown fox.", "Hello world.")["token_type_ids"]
    assert 1 in inspection.tokens.type_ids.tolist()
    assert "token-type-out-of-range" not in inspection.codes()


def test_albert_pair_without_type_ids_is_reported(model_factory):
    """transformers 5's AlbertTokenizer returns no token_type_ids, though ALBERT has two segment rows:
    a plain tokenizer(a, b) feeds the model zeros for the second text too (the fix is run by test_fixes_run)."""
    import torch
    from transformers import AlbertForMaskedLM

    folder = model_factory.family("albert")
    tok = auto_tokenizer(folder)
    assert "token_type_ids" not in tok("a question", "its context")
    finding = inspector(model_factory, "albert").inspect("a question", "its context").diagnostics
    assert [d.code for d in finding] == ["pair-segments-missing"]
    inputs = tok("a question", "its context", return_token_type_ids=True, return_tensors="pt")
    assert inputs["token_type_ids"].tolist()[0][-1] == 1
    with torch.no_grad():
        AlbertForMaskedLM.from_pretrained(folder)(**inputs)


@pytest.mark.parametrize("family", sorted(UNCASED))
def test_uncased_families_are_silent_on_capitals(model_factory, family):
    assert inspector(model_factory, family).inspect("Hello World FROM The Model").diagnostics == ()


# --------------------------------------------------------------------------- another family's class

MISMATCHES = [  # (folder of this family, tokenizer_config.json declares)
    ("bert", "RobertaTokenizer"),
    ("roberta", "BertTokenizer"),
    ("xlm_roberta", "RobertaTokenizer"),
    ("xlm_roberta", "BertTokenizer"),
    ("xlm_roberta", "CamembertTokenizer"),
    ("deberta_v3", "XLMRobertaTokenizer"),
    ("albert", "DebertaV2Tokenizer"),
    ("distilbert", "RobertaTokenizer"),
]


@pytest.mark.parametrize("family,declared", MISMATCHES)
def test_declared_class_of_another_family_is_the_first_finding(model_factory, tmp_path, family, declared):
    folder = edited_copy(model_factory.family(family), tmp_path, "declared", "tokenizer_config.json",
                         tokenizer_class=declared)
    ins = Inspector.open(str(folder))
    assert type(ins.tokenizer()).__name__ == declared  # AutoTokenizer really loads the declared class
    inspection = ins.inspect("hello world, the model reads this")
    first = inspection.diagnostics[0]
    assert first.code == "tokenizer-class-mismatch", inspection.codes()
    assert declared in first.message
    # the fix loads the class that reads these files, which tokenizes as the family's own folder does
    names: dict = {}
    exec(compile(first.fix, "<fix>", "exec"), names)
    own = auto_tokenizer(model_factory.family(family))
    assert isinstance(names["tokenizer"], type(own)) or isinstance(own, type(names["tokenizer"]))
    text = "hello world, the model reads this"
    assert names["tokenizer"](text)["input_ids"] == own(text)["input_ids"]


def test_bert_vocabulary_read_as_byte_level_bpe_is_garbage_and_said_so(model_factory, tmp_path):
    """The issue's case: a BERT folder declaring RobertaTokenizer cuts every word into letters."""
    folder = edited_copy(model_factory.family("bert"), tmp_path, "declared", "tokenizer_config.json",
                         tokenizer_class="RobertaTokenizer")
    inspection = Inspector.open(str(folder)).inspect("hello world")
    assert list(inspection.tokens.strings[1:-1]) == list("helloworld")
    message = inspection.diagnostics[0].message
    assert "another family" in message and "WordPiece vocabulary but RobertaTokenizer reads it as BPE" in message


# --------------------------------------------------------------------------- characters the normalizer drops

DROPPED = ["\u200d", "\u200b", "\x00", "\x07", "\ufeff", "\u00ad", "\x1b", "\u2060"]


def test_zero_width_joiner_inside_an_unknown_word_is_reported(model_factory):
    """👨‍👩 on a cased BERT: one [UNK] whose offsets span the joiner; the normalizer deleted it."""
    inspection = inspector(model_factory, "bert").inspect("👨\u200d👩 ok")
    assert "unknown-tokens" in inspection.codes()
    dropped = [d for d in inspection.diagnostics if d.code == "characters-dropped"]
    assert len(dropped) == 1 and dropped[0].spans == ((1, 2),)
    assert "U+200D ZERO WIDTH JOINER" in dropped[0].message


@pytest.mark.parametrize("family", FAMILIES)
def test_every_character_the_normalizer_deletes_is_reported(model_factory, family):
    """Each character the family's normalizer deletes or turns into a space, between words, inside a
    known word and inside an unknown one, is inside a characters-dropped span."""
    ins = inspector(model_factory, family)
    normalizer = ins.tokenizer().backend_tokenizer.normalizer
    for char in DROPPED:
        text = f"the{char} model mo{char}del 😀{char}日 {char}"
        deleted = normalizer is not None and not normalizer.normalize_str(char).strip()
        inspection = ins.inspect(text)
        spans = [span for d in inspection.diagnostics if d.code == "characters-dropped" for span in d.spans]
        covered = {i for start, end in spans for i in range(start, end)}
        at = {i for i, c in enumerate(text) if c == char}
        if deleted:
            assert at <= covered, (family, unicodedata.name(char, hex(ord(char))), spans)
        assert covered <= {i for i, c in enumerate(text) if not c.isspace()}


# --------------------------------------------------------------------------- bad tokenizer files


def _sentencepiece_only(model_factory, tmp_path, family: str, data: bytes):
    target = tmp_path / family
    shutil.copytree(model_factory.family(family), target)
    (target / "tokenizer.json").unlink()
    model_file = next(target.glob("*.model"))
    model_file.write_bytes(data)
    return target, model_file.name


@pytest.mark.parametrize("family", ["xlm_roberta", "albert", "deberta_v3"])
@pytest.mark.parametrize("damage", ["truncated", "text", "empty"])
def test_broken_sentencepiece_model_is_one_clear_line(model_factory, tmp_path, family, damage):
    data = modelfactory.spm_model_bytes(family)
    data = {"truncated": data[: len(data) // 3], "text": b"version https://git-lfs.github.com/spec/v1\n", "empty": b""}[damage]
    folder, name = _sentencepiece_only(model_factory, tmp_path, family, data)
    with pytest.raises(SourceError) as caught:
        Inspector.open(str(folder))
    message = str(caught.value)
    assert "\n" not in message and name in message and "not a SentencePiece model" in message


def test_sentencepiece_model_alone_loads_like_autotokenizer(model_factory, tmp_path):
    """Without tokenizer.json the .model file is what the class converts: same ids as AutoTokenizer."""
    folder, _ = _sentencepiece_only(model_factory, tmp_path, "camembert", modelfactory.spm_model_bytes("camembert"))
    text = "Le café est très bon à Paris."
    assert Inspector.open(str(folder)).inspect(text).tokens.ids.tolist() == auto_tokenizer(folder)(text)["input_ids"]


def test_tokenizer_json_the_declared_class_cannot_read(model_factory, tmp_path):
    folder = edited_copy(model_factory.family("bert"), tmp_path, "declared", "tokenizer_config.json",
                         tokenizer_class="XLMRobertaTokenizer")
    with pytest.raises(SourceError, match="declares XLMRobertaTokenizer, which reads Unigram .* but tokenizer.json "
                                          "holds a WordPiece vocabulary"):
        Inspector.open(str(folder))


def test_unknown_tokenizer_class_is_refused(model_factory, tmp_path):
    folder = edited_copy(model_factory.family("electra"), tmp_path, "declared", "tokenizer_config.json",
                         tokenizer_class="ElectraTokenizerXL")
    with pytest.raises(SourceError, match="names the tokenizer class 'ElectraTokenizerXL', which transformers .* does not have"):
        Inspector.open(str(folder))


def _tokenizer_json(folder):
    return json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))


def test_duplicate_entries_in_tokenizer_json_are_refused(model_factory, tmp_path):
    # WordPiece: a key written twice (JSON keeps the last one silently)
    bert = tmp_path / "bert"
    shutil.copytree(model_factory.family("bert"), bert)
    text = (bert / "tokenizer.json").read_text(encoding="utf-8").replace('"hello": ', '"world": ', 1)
    (bert / "tokenizer.json").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=r"lists 'world' twice \(id \d+ and id \d+\)"):
        Inspector.open(str(bert))
    # Unigram: a piece listed twice
    xlmr = tmp_path / "xlmr"
    shutil.copytree(model_factory.family("xlm_roberta"), xlmr)
    data = _tokenizer_json(xlmr)
    data["model"]["vocab"][20] = list(data["model"]["vocab"][21])
    (xlmr / "tokenizer.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceError, match=r"lists '.+' twice \(id 20 and id 21\)"):
        Inspector.open(str(xlmr))
    # BPE: two tokens with one id
    roberta = tmp_path / "roberta"
    shutil.copytree(model_factory.family("roberta"), roberta)
    data = _tokenizer_json(roberta)
    vocab = data["model"]["vocab"]
    vocab["the"] = vocab["and"] if "and" in vocab else vocab[list(vocab)[40]]
    (roberta / "tokenizer.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SourceError, match=r"gives id \d+ to two tokens"):
        Inspector.open(str(roberta))


@pytest.mark.parametrize("case", ["sentencepiece", "unreadable", "unknown-class", "duplicate"])
def test_cli_says_one_line_and_exits_2(model_factory, tmp_path, capsys, case):
    from bertinspector.app.cli import main

    if case == "sentencepiece":
        folder, _ = _sentencepiece_only(model_factory, tmp_path, "albert", b"\x00\x01 not a model")
    elif case == "unreadable":
        folder = edited_copy(model_factory.family("distilbert"), tmp_path, "d", "tokenizer_config.json",
                             tokenizer_class="AlbertTokenizer")
    elif case == "unknown-class":
        folder = edited_copy(model_factory.family("bert"), tmp_path, "d", "tokenizer_config.json",
                             tokenizer_class="BertTokenizerV9")
    else:
        folder = tmp_path / "dup"
        shutil.copytree(model_factory.family("distilbert"), folder)
        (folder / "tokenizer.json").unlink()
        with (folder / "vocab.txt").open("a", encoding="utf-8") as vocab:
            vocab.write("the\n")
    rc = main(["inspect", str(folder), "--text", "hello world"])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


# --------------------------------------------------------------------------- a head missing from the checkpoint


def _base_checkpoint_declared_as(model_factory, tmp_path, family: str, task: str):
    """The family's base model saved alone, with config.json declaring the family's ``task`` class."""
    import transformers

    source = model_factory.family(family)
    folder = tmp_path / f"{family}-{task}"
    shutil.copytree(source, folder)
    config = transformers.AutoConfig.from_pretrained(str(source))
    (folder / "model.safetensors").unlink()
    with modelfactory._quiet():
        transformers.AutoModel.from_config(config).save_pretrained(folder)
    data = json.loads((folder / "config.json").read_text())
    stem = data["architectures"][0]
    for ending in ("ForMaskedLM", "ForPreTraining", "Model"):
        stem = stem.removesuffix(ending)
    data["architectures"] = [stem + task]
    (folder / "config.json").write_text(json.dumps(data))
    return folder, stem + task


@pytest.mark.parametrize("family", FAMILIES)
def test_a_head_missing_from_the_checkpoint_is_seen_from_the_header(model_factory, tmp_path, family):
    import subprocess
    import sys

    task = "ForQuestionAnswering" if family in ("albert", "electra") else "ForSequenceClassification"
    folder, architecture = _base_checkpoint_declared_as(model_factory, tmp_path, family, task)
    # torch cannot be imported in this process (as in the window's and the CLI's own process)
    code = ("import sys; from bertinspector.core.transformers_import import keep_torch_out; keep_torch_out(); "
            "from bertinspector.core.inspector import Inspector; "
            f"i = Inspector.open({str(folder)!r}).inspect('hello world'); "
            "print([d.message for d in i.diagnostics if d.code == 'weights-newly-initialized']); "
            "print(sys.modules.get('torch') is not None)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    messages, torch_loaded = done.stdout.strip().splitlines()[-2:]
    assert architecture in messages and "no weights of its head" in messages
    assert torch_loaded == "False"
    # loading the weights confirms it with the names transformers reports
    ins = Inspector.open(str(folder))
    ins.load_weights()
    finding = [d for d in ins.inspect("hello world").diagnostics if d.code == "weights-newly-initialized"]
    assert len(finding) == 1 and set(ins.weight_report.missing_keys) and architecture in finding[0].message
    head = "qa_outputs" if task == "ForQuestionAnswering" and family != "modernbert" else "classifier"
    assert any(key.startswith(head) for key in ins.weight_report.missing_keys)


@pytest.mark.parametrize("family", FAMILIES)
def test_a_checkpoint_with_its_head_is_silent(model_factory, family):
    ins = inspector(model_factory, family)
    assert ins.facts.missing_head is None
    assert "weights-newly-initialized" not in ins.inspect(CLEAN).codes()


# --------------------------------------------------------------------------- special tokens typed in the text


@pytest.mark.parametrize("family", FAMILIES)
def test_the_family_mask_token_typed_in_the_text_is_the_mask(model_factory, family):
    """Typed as the vocabulary has it, the mask is the mask (also where it swallows the space before it)."""
    ins = inspector(model_factory, family)
    mask = ins.tokenizer().mask_token
    inspection = ins.inspect(f"the {mask} is here")
    assert ins.tokenizer().mask_token_id in inspection.tokens.ids.tolist()
    assert inspection.diagnostics == ()


@pytest.mark.parametrize("family", FAMILIES)
def test_a_lowercased_mask_token_is_flagged_and_the_fix_holds(model_factory, family):
    """``[mask]`` on an uncased model is not its ``[MASK]``: special tokens match before lowercasing."""
    ins = inspector(model_factory, family)
    tokenizer = ins.tokenizer()
    typed = tokenizer.mask_token.lower() if tokenizer.mask_token != tokenizer.mask_token.lower() else tokenizer.mask_token.upper()
    text = f"the {typed} is here"
    inspection = ins.inspect(text)
    assert tokenizer.mask_token_id not in inspection.tokens.ids.tolist()
    finding = [d for d in inspection.diagnostics if d.code == "special-token-text-not-special"]
    assert len(finding) == 1 and repr(typed) in finding[0].message
    names = {"text": text, "tokenizer": tokenizer}
    exec(compile(finding[0].fix, "<fix>", "exec"), names)
    fixed = ins.inspect(names["text"])
    assert tokenizer.mask_token_id in fixed.tokens.ids.tolist()
    assert "special-token-text-not-special" not in fixed.codes()


@pytest.mark.parametrize("family", FAMILIES)
def test_embedding_rows_come_from_the_checkpoint(model_factory, tmp_path, family):
    """The rows the checkpoint really has (safetensors header), not config.json's vocab_size."""
    source = model_factory.family(family)
    folder = edited_copy(source, tmp_path, "rows", "config.json",
                         vocab_size=json.loads((source / "config.json").read_text())["vocab_size"] + 64)
    ins = Inspector.open(str(folder))
    assert ins.facts.embedding_rows == len(ins.tokenizer())
    assert "embeddings-larger-than-tokenizer" not in ins.inspect(CLEAN).codes()
