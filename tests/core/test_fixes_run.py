"""Every printed fix runs as printed and makes its finding go away (the contract's rule).

Each case builds the finding on a real fixture model, executes the fix with the names a user has at
hand (``tokenizer``, ``model``, ``text``, ``pair``, ``ids`` as a list of ints), runs ``model(**inputs)``
where the fix builds inputs, and checks that the finding is gone from what the fix produced: the ids or
inputs it builds, the text it rewrites, or the tokenizer/model it builds (saved and inspected again).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from bertinspector.core.diagnostics import CODES
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings

ENGLISH = "The model reads this sentence, and it works well on ordinary text."
NO_FIX = {"embeddings-larger-than-tokenizer"}  # info: rows nobody reaches, nothing to fix


@dataclass
class Case:
    folder: Path
    text: str = ENGLISH
    pair: str | None = None
    ids: list[int] | None = None
    settings: Settings = Settings()
    tokenizer_options: dict = field(default_factory=dict)
    check: Callable = None  # check(names, case, inspector, code, tmp_path): the finding is gone
    fix: str = ""  # the fix the inspection printed


# -- how each fix shows that its finding went away ----------------------------------------------


def _codes(inspection) -> list[str]:
    return inspection.codes()


def inputs_ids_clean(names, case, inspector, code, tmp_path):
    ids = names["inputs"]["input_ids"][0].tolist()
    assert code not in _codes(inspector.inspect_ids(ids))


def ids_clean(names, case, inspector, code, tmp_path):
    assert isinstance(names["ids"], list)
    assert code not in _codes(inspector.inspect_ids(names["ids"]))


def own_specials_around(names, case, inspector, code, tmp_path):
    """RoBERTa: the fix puts the model's own <s> (0) and </s> (2) around the ids, not [CLS]/[SEP]."""
    ids_clean(names, case, inspector, code, tmp_path)
    assert "'<s>'" in case.fix and "[CLS]" not in case.fix
    assert names["ids"][0] == 0 and names["ids"][-1] == 2


def text_clean(names, case, inspector, code, tmp_path):
    assert names["text"] != case.text
    assert code not in _codes(inspector.inspect(names["text"], names["pair"], case.settings))


def saved_clean(names, case, inspector, code, tmp_path):
    """The tokenizer (and model) the fix built, saved over a copy of the folder and inspected anew."""
    folder = tmp_path / "after-fix"
    shutil.copytree(case.folder, folder)
    names["tokenizer"].save_pretrained(folder)
    names["model"].save_pretrained(folder)
    inspection = Inspector.open(str(folder)).inspect(names["text"], names["pair"])
    assert code not in _codes(inspection)


def windows_cover_everything(names, case, inspector, code, tmp_path):
    """Every window ran through the model and, joined at the stride, they hold every token."""
    inputs, tokenizer = names["inputs"], names["tokenizer"]
    assert names["outputs"].last_hidden_state.shape[0] == inputs["input_ids"].shape[0] > 1
    stride = int(case.fix.split("stride=")[1].split(",")[0])
    specials = set(tokenizer.all_special_ids)
    rows = [[i for i in row.tolist() if i not in specials] for row in inputs["input_ids"]]
    joined = rows[0] + [i for row in rows[1:] for i in row[stride:]]
    assert joined == tokenizer(case.text, add_special_tokens=False)["input_ids"]


def mask_hides_padding(names, case, inspector, code, tmp_path):
    import torch

    real = [i for i in case.ids if i != names["tokenizer"].pad_token_id]
    with torch.no_grad():
        alone = names["model"](input_ids=torch.tensor([real])).last_hidden_state[0]
    masked = names["outputs"].last_hidden_state[0, : len(real)]
    assert torch.allclose(alone, masked, atol=1e-5)


def model_accepts_the_pair(names, case, inspector, code, tmp_path):
    """A single-type model crashed on the pair's token_type_ids; the fix's inputs run."""
    assert "token_type_ids" not in names["inputs"]
    with pytest.raises(IndexError):
        names["model"](**names["tokenizer"](case.text, case.pair, return_tensors="pt"))
    assert names["outputs"].last_hidden_state.shape[1] == names["inputs"]["input_ids"].shape[1]


def segments_passed(names, case, inspector, code, tmp_path):
    """The inputs the model ran on give segment B type id 1 and segment A type id 0."""
    if case.ids is not None:
        segments = inspector.inspect_ids(case.ids).tokens.segments.tolist()
    else:  # the tokenizer's own word on which token is in which text
        segments = [-1 if s is None else s for s in names["inputs"].sequence_ids(0)]
    type_ids = names["inputs"]["token_type_ids"][0].tolist()
    assert len(type_ids) == len(segments) and 1 in segments
    assert all(t == 1 for t, s in zip(type_ids, segments) if s == 1)
    assert all(t == 0 for t, s in zip(type_ids, segments) if s == 0)


def explicit_length_clean(names, case, inspector, code, tmp_path):
    length = names["inputs"]["input_ids"].shape[1]
    assert code not in _codes(inspector.inspect(case.text, case.pair, Settings(max_length=length)))


def weights_complete(names, case, inspector, code, tmp_path):
    from transformers import AutoModel

    _, info = AutoModel.from_pretrained(str(case.folder), output_loading_info=True)
    assert type(names["model"]).__name__ == "BertModel" and not info["missing_keys"]


def own_tokenizer_loaded(names, case, inspector, code, tmp_path):
    # the finding is about the files themselves: the fix can only hand back the checkpoint's tokenizer
    assert type(names["tokenizer"]).__name__ == inspector.facts.tokenizer_class


def config_written(names, case, inspector, code, tmp_path):
    assert code not in _codes(Inspector.open(str(case.folder)).inspect(case.text))


def code_allowed(names, case, inspector, code, tmp_path):
    assert names["model"] is not None
    assert code not in _codes(Inspector.open(str(case.folder), trust_remote_code=True).inspect(case.text))


# -- the triggering cases -------------------------------------------------------------------------


def _copy(folder: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(folder, target)
    return target


def _edit_config(folder: Path, **changes) -> None:
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, **changes}))


def _single_type_bert(factory, tmp_path):
    from transformers import BertConfig, BertModel

    folder = _copy(factory.bert(), tmp_path, "single-type")
    config = json.loads((folder / "config.json").read_text())
    BertModel(BertConfig(**{**config, "type_vocab_size": 1})).save_pretrained(folder)
    return folder


def _head_on_base(factory, tmp_path):
    folder = _copy(factory.bert(), tmp_path, "head")
    _edit_config(folder, architectures=["BertForSequenceClassification"])
    return folder


def _declared_roberta(factory, tmp_path):
    folder = _copy(factory.bert(), tmp_path, "declared")
    _edit_config(folder, tokenizer_class="RobertaTokenizer")
    return folder


def _ids(factory, text, folder=None, **options):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder or factory.bert()))(text, **options)["input_ids"]


def _roberta_ids_without_specials(factory):
    return Case(factory.roberta(), ids=_ids(factory, ENGLISH, factory.roberta(), add_special_tokens=False),
                check=own_specials_around)


CASES: dict[str, Callable] = {
    "sequence-truncated": lambda f, t, minilm: Case(minilm, text=" ".join(["word", "pieces"] * 400),
                                                    check=windows_cover_everything),
    "exceeds-model-max-length": lambda f, t, m: Case(f.roberta(), text=ENGLISH * 8, settings=Settings(truncation="none"),
                                                     check=inputs_ids_clean),
    "max-length-exceeds-positions/setting": lambda f, t, m: Case(f.roberta(), text=ENGLISH * 8,
                                                                 settings=Settings(max_length=100), check=inputs_ids_clean),
    "max-length-exceeds-positions/files": lambda f, t, m: Case(f.variant("short_positions"), text=ENGLISH * 20,
                                                               check=saved_clean),
    "model-max-length-unset": lambda f, t, m: Case(f.variant("no_tokenizer_config"), check=saved_clean),
    "max-length-disagreement": lambda f, t, m: Case(f.variant("sentence_transformers"), text=ENGLISH * 20,
                                                    check=explicit_length_clean),
    "missing-special-tokens/ids": lambda f, t, m: Case(f.bert(), ids=_ids(f, ENGLISH, add_special_tokens=False), check=ids_clean),
    "missing-special-tokens/roberta-ids": lambda f, t, m: _roberta_ids_without_specials(f),
    "missing-special-tokens/ids-ending-in-sep": lambda f, t, m: Case(f.bert(), ids=_ids(f, ENGLISH)[1:], check=ids_clean),
    "missing-special-tokens/setting": lambda f, t, m: Case(f.bert(), settings=Settings(add_special_tokens=False),
                                                           check=inputs_ids_clean),
    "missing-special-tokens/no-post-processor": lambda f, t, m: Case(f.variant("pretrained_tokenizer_fast"),
                                                                     pair="Second part.", check=inputs_ids_clean),
    "special-token-text-not-special/other-family": lambda f, t, m: Case(f.bert(), text="The <mask> reads it, <s> twice.",
                                                                        check=text_clean),
    "special-token-text-not-special/roberta": lambda f, t, m: Case(f.roberta(), text="The [MASK] reads [CLS] it.",
                                                                   check=text_clean),
    "unknown-tokens": lambda f, t, m: Case(f.bert(cased=True), text="The café 😀 reads it.", check=saved_clean),
    "case-mismatch/uncased": lambda f, t, m: Case(f.bert(), text="The Model Reads It.", settings=Settings(lowercase="off"),
                                                  tokenizer_options={"do_lower_case": False}, check=saved_clean),
    "case-mismatch/cased": lambda f, t, m: Case(f.bert(cased=True), text="The Model Reads It.",
                                                settings=Settings(lowercase="on"), tokenizer_options={"do_lower_case": True},
                                                check=saved_clean),
    "accents-stripped": lambda f, t, m: Case(f.bert(), text="The café owner is naïve.", check=text_clean),
    "characters-dropped": lambda f, t, m: Case(f.bert(), text="The model\u200b reads\x07 it \ufffd.", check=text_clean),
    "word-too-long": lambda f, t, m: Case(f.bert(), text="the " + "a" * 250 + " end", check=text_clean),
    "token-id-out-of-range/added-tokens": lambda f, t, m: Case(f.variant("extra_added_tokens"), text="the <new_token> reads",
                                                               check=saved_clean),
    "token-id-out-of-range/foreign-ids": lambda f, t, m: Case(f.bert(), ids=[2, 50_000, 3], check=ids_clean),
    "tokenizer-larger-than-embeddings": lambda f, t, m: Case(f.variant("extra_added_tokens"), check=saved_clean),
    "token-type-out-of-range": lambda f, t, m: Case(_single_type_bert(f, t), text="first part", pair="second part",
                                                    check=model_accepts_the_pair),
    "pair-segments-missing/ids": lambda f, t, m: Case(f.bert(), ids=_ids(f, "first part", text_pair="second part"),
                                                      check=segments_passed),
    "pair-segments-missing/text": lambda f, t, m: Case(f.variant("pretrained_tokenizer_fast"), text="first part",
                                                       pair="second part", check=segments_passed),
    "padding-without-attention-mask": lambda f, t, m: Case(f.bert(), ids=_ids(f, "the model", padding="max_length", max_length=8),
                                                           check=mask_hides_padding),
    "tokenizer-class-mismatch": lambda f, t, m: Case(_declared_roberta(f, t), check=own_tokenizer_loaded),
    "tokenizer-config-missing": lambda f, t, m: Case(_copy(f.variant("no_tokenizer_config"), t, "no-config"), check=config_written),
    "weights-newly-initialized": lambda f, t, m: Case(_head_on_base(f, t), check=weights_complete),
    "trust-remote-code-required": lambda f, t, m: Case(f.variant("auto_map"), check=code_allowed),
}


def test_every_code_with_a_fix_has_a_case():
    covered = {name.split("/")[0] for name in CASES}
    assert covered == set(CODES) - NO_FIX


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_printed_fix_runs_and_its_finding_goes_away(name, model_factory, minilm_path, tmp_path, monkeypatch):
    from transformers import AutoModel, AutoTokenizer

    code = name.split("/")[0]
    monkeypatch.setenv("BERTINSPECTOR_TEST_MARKER", str(tmp_path / "marker"))
    monkeypatch.setenv("HF_MODULES_CACHE", str(tmp_path / "modules"))
    case = CASES[name](model_factory, tmp_path, minilm_path)
    inspector = Inspector.open(str(case.folder))
    if code == "weights-newly-initialized":
        inspector.load_weights()
    inspection = (inspector.inspect_ids(case.ids, case.settings) if case.ids is not None
                  else inspector.inspect(case.text, case.pair, case.settings))
    found = [d for d in inspection.diagnostics if d.code == code]
    assert len(found) == 1, inspection.codes()
    case.fix = found[0].fix
    assert case.fix, f"{code} has no fix"

    names = {
        "tokenizer": AutoTokenizer.from_pretrained(str(case.folder), **case.tokenizer_options),
        "model": AutoModel.from_pretrained(str(case.folder)).eval() if code != "trust-remote-code-required" else None,
        "text": case.text, "pair": case.pair, "ids": list(case.ids) if case.ids is not None else None,
    }
    exec(compile(case.fix, f"<fix of {code}>", "exec"), names)
    if "inputs" in names:  # a fix that builds inputs runs them through the model itself
        assert "outputs" in names, f"the fix builds inputs but does not run model(**inputs): {case.fix}"
    case.check(names, case, inspector, code, tmp_path)
