"""Every v1 diagnostic fires on its trigger, carries evidence and a fix, and stays silent on clean input."""

from __future__ import annotations

import json
import shutil

import pytest

from bertinspector.core.diagnostics import CODES
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings, Severity

ENGLISH = (
    "The model reads this sentence and the other one. It was trained on a large corpus of books, "
    "and it should work well on ordinary English text like this paragraph."
)

SHORT_ENGLISH = "The model reads this sentence, and it works well on ordinary text."


@pytest.fixture(scope="module")
def bert(model_factory):
    return Inspector.open(str(model_factory.bert()))


def findings(inspection, code):
    return [d for d in inspection.diagnostics if d.code == code]


def only(inspection, code):
    found = findings(inspection, code)
    assert len(found) == 1, f"{code} not reported once: {inspection.codes()}"
    finding = found[0]
    assert finding.severity == CODES[code]
    assert finding.message
    return finding


def assert_evidence_inside(inspection, finding):
    for start, end in finding.spans:
        assert 0 <= start < end <= max(len(inspection.text), len(inspection.pair or ""))
    for position in finding.tokens:
        assert 0 <= position < len(inspection.tokens)


@pytest.mark.parametrize("variant", ["bert", "cased", "roberta", "masked_lm", "sequence_classification"])
def test_clean_folders_and_english_text_give_no_warning_or_error(model_factory, variant):
    inspector = Inspector.open(str(model_factory.variant(variant)))
    inspection = inspector.inspect(SHORT_ENGLISH)
    assert [d for d in inspection.diagnostics if d.severity != Severity.INFO] == []


def test_clean_pair_gives_no_warning(bert):
    assert bert.inspect(ENGLISH, "A second sentence.").diagnostics == ()


def test_sequence_truncated_says_how_many_and_where(bert):
    inspection = bert.inspect(ENGLISH * 4, settings=Settings(max_length=32))
    finding = only(inspection, "sequence-truncated")
    lost = [i for i in range(len(inspection.tokens)) if not inspection.tokens.kept[i]]
    assert list(finding.tokens) == lost
    cut = inspection.truncation.cut_char
    assert finding.spans == ((cut, len(inspection.text)),)
    assert f"{len(lost)} of {len(inspection.tokens)} tokens" in finding.message
    assert "max_length=32" in finding.fix
    assert_evidence_inside(inspection, finding)


def test_sequence_truncated_silent_when_everything_fits(bert):
    assert not findings(bert.inspect(ENGLISH, settings=Settings(max_length=200)), "sequence-truncated")


def test_exceeds_model_max_length_when_truncation_is_off(model_factory):
    inspector = Inspector.open(str(model_factory.roberta()))  # 64 usable positions
    inspection = inspector.inspect(ENGLISH * 3, settings=Settings(truncation="none"))
    finding = only(inspection, "exceeds-model-max-length")
    assert "64" in finding.message and "max_length=64" in finding.fix
    assert not findings(inspector.inspect(ENGLISH * 3), "exceeds-model-max-length")


def test_max_length_exceeds_positions_counts_the_roberta_offset(model_factory):
    inspector = Inspector.open(str(model_factory.roberta()))  # 66 position embeddings, padding_idx 1
    assert inspector.facts.usable_positions == 64
    finding = only(inspector.inspect("short text", settings=Settings(max_length=65)), "max-length-exceeds-positions")
    assert "64 usable positions" in finding.message and "max_length=64" in finding.fix
    assert not findings(inspector.inspect("short text", settings=Settings(max_length=64)), "max-length-exceeds-positions")


def test_max_length_exceeds_positions_from_model_max_length(model_factory):
    inspector = Inspector.open(str(model_factory.variant("short_positions")))  # tokenizer 512, model 128
    finding = only(inspector.inspect(ENGLISH), "max-length-exceeds-positions")
    assert "model_max_length" in finding.message


def test_model_max_length_unset_and_tokenizer_config_missing(model_factory):
    inspector = Inspector.open(str(model_factory.variant("no_tokenizer_config")))
    inspection = inspector.inspect(ENGLISH)
    assert inspection.facts.model_max_length is None
    assert "model_max_length=512" in only(inspection, "model-max-length-unset").fix
    only(inspection, "tokenizer-config-missing")
    # an explicit max_length makes truncation work again
    assert not findings(inspector.inspect(ENGLISH, settings=Settings(max_length=64)), "model-max-length-unset")


@pytest.mark.parametrize("variant, declared", [("sentence_transformers", "128"), ("tokenizer_json_truncation", "16")])
def test_max_length_disagreement_names_each_file(model_factory, variant, declared):
    inspection = Inspector.open(str(model_factory.variant(variant))).inspect(ENGLISH)
    finding = only(inspection, "max-length-disagreement")
    assert "512" in finding.message and declared in finding.message


def test_missing_special_tokens_when_turned_off(bert):
    inspection = bert.inspect(ENGLISH, settings=Settings(add_special_tokens=False))
    finding = only(inspection, "missing-special-tokens")
    assert "[CLS]" in finding.message and "[SEP]" in finding.message
    assert "add_special_tokens" not in finding.fix  # the default call adds them


def test_missing_special_tokens_in_pasted_ids(bert):
    tokenizer = bert.tokenizer()
    ids = tokenizer.encode(ENGLISH, add_special_tokens=False)
    finding = only(bert.inspect_ids(ids), "missing-special-tokens")
    assert "convert_tokens_to_ids('[CLS]'), *ids, tokenizer.convert_tokens_to_ids('[SEP]')" in finding.fix
    assert not findings(bert.inspect_ids(tokenizer.encode(ENGLISH)), "missing-special-tokens")


def test_tokenizer_without_post_processor(model_factory):
    inspection = Inspector.open(str(model_factory.variant("pretrained_tokenizer_fast"))).inspect(ENGLISH, "Second part.")
    assert "TemplateProcessing" in only(inspection, "missing-special-tokens").fix
    only(inspection, "tokenizer-class-mismatch")
    only(inspection, "pair-segments-missing")


def test_special_token_text_of_another_family(bert):
    inspection = bert.inspect("The <mask> sat on the [MASK].")
    finding = only(inspection, "special-token-text-not-special")
    assert finding.spans == ((4, 10),)
    assert "<mask>" in finding.message and "tokenizer.mask_token" in finding.fix
    assert all(not inspection.tokens.special[i] for i in finding.tokens)


def test_special_token_text_of_this_model_is_silent(bert):
    inspection = bert.inspect("The cat sat on the [MASK].")
    assert not findings(inspection, "special-token-text-not-special")
    assert "[MASK]" in inspection.tokens.strings


def test_unknown_tokens_list_the_characters(bert):
    inspection = bert.inspect("I love 😀 and 中 too")
    finding = only(inspection, "unknown-tokens")
    assert "😀" in finding.message and "中" in finding.message
    assert [inspection.text[s:e] for s, e in finding.spans] == ["😀", "中"]
    assert all(inspection.tokens.unk[i] for i in finding.tokens)


def test_case_mismatch_uncased_vocab_without_lowercasing(bert):
    inspection = bert.inspect("The Model reads TEXT", settings=Settings(lowercase="off"))
    finding = only(inspection, "case-mismatch")
    assert [inspection.text[s:e] for s, e in finding.spans] == ["The", "Model", "TEXT"]
    assert "do_lower_case=True" in finding.fix
    assert not findings(bert.inspect("the model reads text", settings=Settings(lowercase="off")), "case-mismatch")


def test_case_mismatch_cased_vocab_with_lowercasing(model_factory):
    inspector = Inspector.open(str(model_factory.bert(cased=True)))
    finding = only(inspector.inspect("The Model", settings=Settings(lowercase="on")), "case-mismatch")
    assert "do_lower_case=False" in finding.fix
    assert not findings(inspector.inspect("The Model"), "case-mismatch")


def test_accents_stripped_is_info(bert):
    inspection = bert.inspect("A naïve café")
    finding = only(inspection, "accents-stripped")
    assert [inspection.text[s:e] for s, e in finding.spans] == ["ï", "é"]
    assert not findings(bert.inspect("A naïve café", settings=Settings(lowercase="off")), "accents-stripped")


@pytest.mark.parametrize("char", ["\u00ad", "\u200b", "\x01", "\ufffd", "\x00"])
def test_characters_dropped(bert, char):
    text = f"the{char} model"
    finding = only(bert.inspect(text), "characters-dropped")
    assert finding.spans == ((3, 4),)
    assert f"U+{ord(char):04X}" in finding.message


def test_word_too_long(bert):
    text = "short " + "a" * 150 + " end"
    inspection = bert.inspect(text)
    finding = only(inspection, "word-too-long")
    assert finding.spans == ((6, 156),)
    assert "100" in finding.message
    assert not findings(bert.inspect("short " + "a" * 90), "word-too-long")


def test_added_tokens_beyond_the_embeddings(model_factory):
    inspector = Inspector.open(str(model_factory.variant("extra_added_tokens")))
    inspection = inspector.inspect("the bertinspector model")
    finding = only(inspection, "token-id-out-of-range")
    assert [inspection.text[s:e] for s, e in finding.spans] == ["bertinspector"]
    assert "resize_token_embeddings" in only(inspection, "tokenizer-larger-than-embeddings").fix


def test_token_id_out_of_range_in_pasted_ids(bert):
    rows = bert.facts.embedding_rows
    inspection = bert.inspect_ids([2, 7, rows + 5, 3])
    assert only(inspection, "token-id-out-of-range").tokens == (2,)


def test_embeddings_larger_than_tokenizer_is_info(model_factory):
    inspection = Inspector.open(str(model_factory.variant("extra_vocab_rows"))).inspect(ENGLISH)
    assert "8 rows" in only(inspection, "embeddings-larger-than-tokenizer").message


def test_token_type_out_of_range(model_factory, tmp_path):
    """A pair through a BERT tokenizer on a model with a single token type."""
    from transformers import BertConfig, BertModel

    folder = tmp_path / "single-type"
    shutil.copytree(model_factory.bert(), folder)
    config = json.loads((folder / "config.json").read_text())
    BertModel(BertConfig(**{**config, "type_vocab_size": 1})).save_pretrained(folder)
    inspection = Inspector.open(str(folder)).inspect("first part", "second part")
    finding = only(inspection, "token-type-out-of-range")
    assert all(inspection.tokens.type_ids[i] == 1 for i in finding.tokens)


def test_pair_segments_missing_in_pasted_ids(bert):
    tokenizer = bert.tokenizer()
    ids = tokenizer("first part", "second part")["input_ids"]
    inspection = bert.inspect_ids(ids)
    assert only(inspection, "pair-segments-missing").tokens
    assert not findings(bert.inspect_ids(tokenizer("one text only")["input_ids"]), "pair-segments-missing")


def test_padding_without_attention_mask(bert):
    tokenizer = bert.tokenizer()
    ids = tokenizer("the model", padding="max_length", max_length=8)["input_ids"]
    finding = only(bert.inspect_ids(ids), "padding-without-attention-mask")
    assert finding.tokens == tuple(i for i, t in enumerate(ids) if t == tokenizer.pad_token_id)


def test_tokenizer_class_mismatch_on_declared_class(model_factory, tmp_path):
    folder = tmp_path / "declared"
    shutil.copytree(model_factory.bert(), folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "tokenizer_class": "RobertaTokenizer"}))
    finding = only(Inspector.open(str(folder)).inspect(ENGLISH), "tokenizer-class-mismatch")
    assert "RobertaTokenizer" in finding.message


def test_tokenizer_of_another_family(model_factory, tmp_path):
    """A RoBERTa tokenizer saved next to a BERT model: <s> where [CLS] is expected."""
    folder = tmp_path / "mixed"
    shutil.copytree(model_factory.roberta(), folder)
    config = json.loads((model_factory.bert() / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "vocab_size": 1000}))
    finding = only(Inspector.open(str(folder)).inspect(ENGLISH), "tokenizer-class-mismatch")
    assert "[CLS]" in finding.message


def test_weights_newly_initialized(model_factory, tmp_path):
    """A base BertModel checkpoint declared as a classifier: the head is random."""
    folder = tmp_path / "head"
    shutil.copytree(model_factory.bert(), folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "architectures": ["BertForSequenceClassification"]}))
    inspector = Inspector.open(str(folder))
    # the safetensors header already tells, without torch: no tensor of the classifier head
    assert "classifier.*" in only(inspector.inspect(ENGLISH), "weights-newly-initialized").message
    inspector.load_weights()
    finding = only(inspector.inspect(ENGLISH), "weights-newly-initialized")
    assert "classifier.weight" in finding.message


def test_weights_of_a_matching_checkpoint_are_complete(model_factory):
    inspector = Inspector.open(str(model_factory.variant("masked_lm")))
    inspector.load_weights()
    assert not findings(inspector.inspect(ENGLISH), "weights-newly-initialized")


def test_trust_remote_code_required_without_running_it(model_factory, tmp_path, monkeypatch):
    marker = tmp_path / "marker"
    monkeypatch.setenv("BERTINSPECTOR_TEST_MARKER", str(marker))
    monkeypatch.setenv("HF_MODULES_CACHE", str(tmp_path / "modules"))
    inspector = Inspector.open(str(model_factory.variant("auto_map")))
    inspection = inspector.inspect(ENGLISH)
    assert "trust_remote_code=True" in only(inspection, "trust-remote-code-required").fix
    assert inspection.tokens.strings[0] == "[CLS]"  # tokenization still works, from tokenizer.json
    assert not marker.exists()


def test_every_code_has_a_test():
    import inspect as pyinspect
    import sys

    source = pyinspect.getsource(sys.modules[__name__])
    missing = [code for code in CODES if f'"{code}"' not in source]
    assert missing == []


def test_minilm_long_text_reports_the_cut_and_the_disagreement(minilm_path):
    inspector = Inspector.open(str(minilm_path))
    text = " ".join(["word"] * 700)
    inspection = inspector.inspect(text)
    truncated = only(inspection, "sequence-truncated")
    # [CLS] + 510 words + [SEP]: the 511th word (index 510) is the first one cut
    assert inspection.truncation.cut_char == 510 * len("word ")
    assert truncated.spans[0][0] == inspection.truncation.cut_char
    disagreement = only(inspection, "max-length-disagreement")
    assert "256" in disagreement.message and "512" in disagreement.message
    assert "max_length=256" in disagreement.fix
