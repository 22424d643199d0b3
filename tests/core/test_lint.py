"""``core.lint``: each lint code fires on its pattern and stays silent on the clean counterpart, and
each fix, put in place of the code it replaces, makes its finding go away (and, run against a tiny
real model, works). The linted code is never executed by the linter.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from bertinspector.core.lint import apply_fix, lint
from bertinspector.core.lint.findings import SEVERITIES
from lint_examples import ARTICLE, article_examples

SEED = Path("/work/shared/seed/000_d1fa5a7e4efc5d18.txt")


def test_the_article_examples_are_the_seed_documents():
    if not SEED.is_file():
        pytest.skip("the seed document is not on this machine")
    blocks = re.findall(r"```python\n(.*?)```", SEED.read_text(encoding="utf-8"), re.S)
    assert blocks == ARTICLE


# code -> (line of the finding, code that has it, clean code that must not have it)
CASES = {
    "encode-into-model": (1, """\
ids = tokenizer.encode(text)
outputs = model(**ids)
""", """\
inputs = tokenizer(text, truncation=True, return_tensors="pt")
outputs = model(**inputs)
"""),
    "special-tokens-disabled": (1, """\
enc = tokenizer(text, add_special_tokens=False, truncation=True, return_tensors="pt")
outputs = model(**enc)
""", """\
pieces = tokenizer(text, add_special_tokens=False)["input_ids"]  # never given to the model
enc = tokenizer(text, truncation=True, return_tensors="pt")
outputs = model(**enc)
"""),
    "no-truncation": (1, """\
enc = tokenizer(texts, padding=True, return_tensors="pt")
outputs = model(**enc)
""", """\
enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
outputs = model(**enc)
lengths = [len(tokenizer(t)["input_ids"]) for t in texts]  # not for the model
"""),
    "max-length-without-truncation": (1, """\
enc = tokenizer(texts, padding=True, max_length=8, return_tensors="pt")
outputs = model(**enc)
""", """\
enc = tokenizer(texts, padding=True, truncation=True, max_length=8, return_tensors="pt")
outputs = model(**enc)
"""),
    "call-time-preprocessing-option": (2, """\
tokenizer = AutoTokenizer.from_pretrained(model_dir)
enc = tokenizer(texts, strip_accents=True, truncation=True, padding=True, return_tensors="pt")
outputs = model(**enc)
""", """\
tokenizer = AutoTokenizer.from_pretrained(model_dir, strip_accents=True)
enc = tokenizer(texts, truncation=True, padding=True, return_tensors="pt")
outputs = model(**enc)
"""),
    "tokenizer-model-mismatch": (1, """\
tokenizer = BertTokenizer.from_pretrained(roberta_dir)
model = RobertaModel.from_pretrained(roberta_dir)
""", """\
tokenizer = AutoTokenizer.from_pretrained(model_dir)
model = AutoModel.from_pretrained(model_dir)
"""),
    "tokens-bypass-tokenizer": (2, """\
words = text.lower().split()
ids = tokenizer.convert_tokens_to_ids(words)
""", """\
ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))
words = text.split()  # split for counting, not for the model
"""),
    "pair-as-one-string": (2, """\
joined = f"{question} [SEP] {context}"
enc = tokenizer(joined, truncation=True, return_tensors="pt")
outputs = model(**enc)
""", """\
title = question + " - " + context
enc = tokenizer(question, context, truncation=True, return_tensors="pt")
outputs = model(**enc)
"""),
    "padding-without-attention-mask": (2, """\
enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
outputs = model(enc["input_ids"])
""", """\
enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
outputs = model(enc["input_ids"], attention_mask=enc["attention_mask"])
outputs = model(**enc)
"""),
    "per-example-tokenization": (2, """\
for text in texts:
    enc = tokenizer(text, truncation=True, return_tensors="pt")
    outputs = model(**enc)
""", """\
enc = tokenizer(texts, truncation=True, padding=True, return_tensors="pt")
outputs = model(**enc)
for i in range(0, len(texts), 2):
    batch = tokenizer(texts[i:i + 2], truncation=True, padding=True, return_tensors="pt")
"""),
}


def test_every_code_of_the_contract_table_has_a_case():
    assert set(CASES) | {"syntax-error"} == set(SEVERITIES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_code_fires_on_its_pattern_and_its_fix_makes_it_go_away(code):
    line, bad, clean = CASES[code]
    report = lint(bad, "bad.py")
    found = [f for f in report.findings if f.code == code]
    assert [f.line for f in found] == [line], report.findings
    finding = found[0]
    assert finding.severity == SEVERITIES[code] and finding.column >= 1 and finding.end_line >= finding.line
    assert finding.fix and finding.replaces is not None
    fixed = apply_fix(bad, finding.replaces, finding.fix)
    assert code not in lint(fixed, "fixed.py").codes(), fixed


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_clean_counterpart_stays_silent(code):
    _line, _bad, clean = CASES[code]
    assert code not in lint(clean, "clean.py").codes()


def test_the_article_examples():
    one, two, three = (lint(code, f"example{i}.py") for i, code in enumerate(article_examples(), 1))
    # 1: encode()'s list reaches model(**...) ("argument after ** must be a mapping"); the corrected part is clean
    assert [(f.code, f.line) for f in one.findings] == [("encode-into-model", 10)]
    assert one.findings[0].fix == 'encoded_input = tokenizer(text, truncation=True, return_tensors="pt")'
    # 2: the long text without truncation; the corrected call (truncation=True, max_length=512) is clean
    assert [(f.code, f.line) for f in two.findings] == [("no-truncation", 13)]
    # 3: the article's own "fix" passes do_lower_case at call time, where transformers ignores it
    assert ("call-time-preprocessing-option", 18) in [(f.code, f.line) for f in three.findings]
    finding = next(f for f in three.findings if f.code == "call-time-preprocessing-option")
    assert finding.fix == ("tokenizer = BertTokenizer.from_pretrained(model_name, do_lower_case=True)\n"
                           "encoded_input = tokenizer(sample_text, return_tensors='pt')")
    assert "do_lower_case" in finding.message and "from_pretrained" in finding.message


def test_calls_list_the_literal_arguments():
    report = lint(article_examples()[2], "example3.py")
    calls = [(c.line, c.kind, c.target, c.arguments) for c in report.calls]
    assert calls[:2] == [
        (6, "from_pretrained", "BertForSequenceClassification",
         {"pretrained_model_name_or_path": "bert-base-uncased", "from_tf": True}),
        (7, "from_pretrained", "BertTokenizer", {"pretrained_model_name_or_path": "bert-base-uncased"}),
    ]
    assert (18, "tokenizer-call", "tokenizer", {"do_lower_case": True, "return_tensors": "pt"}) in calls
    assert (19, "model-call", "model", {}) in calls


# -- the data flow ----------------------------------------------------------------------------------
FLOW_CASES = {
    "through function parameters and return values": ("""\
from transformers import AutoModel, AutoTokenizer

def encode_all(tk, batch):
    return tk.encode(batch)

def predict(net, enc):
    return net(**enc)

tk = AutoTokenizer.from_pretrained(path)
net = AutoModel.from_pretrained(path)
predict(net, encode_all(tk, text))
""", [("encode-into-model", 4)]),
    "through tuple unpacking, .to(device) and a dict comprehension": ("""\
tk, net = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
net = net.to(device).eval()
enc = tk(text, return_tensors="pt").to(device)
enc = {k: v.to(device) for k, v in enc.items()}
out = net(**enc)
""", [("no-truncation", 3)]),
    "through a class's attributes": ("""\
class Encoder:
    def __init__(self, path):
        self.tk = AutoTokenizer.from_pretrained(path)
        self.net = AutoModel.from_pretrained(path)

    def __call__(self, text):
        ids = self.tk.encode(text, truncation=True)
        return self.net(**ids)
""", [("encode-into-model", 7)]),
    "through ** of a literal dict": ("""\
options = {"do_lower_case": True, "truncation": True}
enc = tokenizer(text, **options)
out = model(**enc)
""", [("call-time-preprocessing-option", 2)]),
    "an unknown ** is not guessed at": ("""\
enc = tokenizer(text, **options)
out = model(**enc)
""", []),
    "a comprehension that tokenizes one example at a time": ("""\
encodings = [tokenizer(t, truncation=True) for t in texts]
""", [("per-example-tokenization", 1)]),
    "a loop that does more than tokenize gets no fix that would drop its work": ("""\
for text in texts:
    enc = tokenizer(text, truncation=True, return_tensors="pt")
    results.append(model(**enc).logits)
encodings = [tokenizer(t, truncation=True, return_tensors="pt") for t in texts]
for enc in encodings:
    out = model(**enc)
""", [("per-example-tokenization", 2), ("per-example-tokenization", 4)]),
    "dataset.map without batched=True": ("""\
dataset = dataset.map(lambda example: tokenizer(example["text"], truncation=True))
tokenized = other.map(lambda example: tokenizer(example["text"], truncation=True), batched=True)
""", [("per-example-tokenization", 1)]),
    "encode wrapped into a tensor with a batch dimension is fine": ("""\
input_ids = torch.tensor([tokenizer.encode(text, truncation=True)])
outputs = model(input_ids)
""", []),
    "str.encode is not a tokenizer": ("""\
data = text.encode("utf-8")
outputs = model(data)
""", []),
    "the separator as tokenizer.sep_token": ("""\
enc = tokenizer(a + tokenizer.sep_token + b, truncation=True)
""", [("pair-as-one-string", 1)]),
    "tokens-bypass-tokenizer with split inline": ("""\
ids = tokenizer.convert_tokens_to_ids(sentence.split(" "))
""", [("tokens-bypass-tokenizer", 1)]),
    "encode passed positionally": ("""\
ids = tokenizer.encode(text)
outputs = model(ids)
""", [("encode-into-model", 1)]),
    "a tokenizer class constructed is not a tokenizer call": ("""\
basic = BasicTokenizer(do_lower_case=True, strip_accents=False)
tokenizer = BertTokenizer(vocab_file, do_lower_case=False)
""", []),
    "a pair joined inside the call, fixed with its truncation": ("""\
inputs = tokenizer(question + " [SEP] " + context, return_tensors="pt")
outputs = model(**inputs)
""", [("no-truncation", 1), ("pair-as-one-string", 1)]),
    "padded ids returned by a collate function": ("""\
def collate(examples):
    texts = [e["text"] for e in examples]
    return tokenizer(texts, padding="max_length", max_length=128, truncation=True, return_tensors="pt")

batch = collate(data)
out = model(input_ids=batch["input_ids"])
""", [("padding-without-attention-mask", 6)]),
    "family mismatch from the class names": ("""\
tokenizer = BertTokenizerFast.from_pretrained("roberta-base")
model = RobertaForMaskedLM.from_pretrained("roberta-base")
""", [("tokenizer-model-mismatch", 1)]),
    "different checkpoints": ("""\
tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
""", [("tokenizer-model-mismatch", 1)]),
}


@pytest.mark.parametrize("name", sorted(FLOW_CASES))
def test_the_data_flow(name):
    code, expected = FLOW_CASES[name]
    report = lint(code, "flow.py")
    assert [(f.code, f.line) for f in report.findings] == expected, report.findings
    for finding in report.findings:
        if name.startswith("a loop that does more"):
            assert finding.fix is None
            continue
        fixed = apply_fix(code, finding.replaces, finding.fix)
        assert (finding.code, finding.line) not in [(g.code, g.line) for g in lint(fixed).findings], fixed


# -- syntax errors, notebooks, large files --------------------------------------------------------
def test_a_syntax_error_is_one_finding_with_its_line():
    report = lint("import torch\n\ndef broken(:\n    pass\n", "broken.py")
    assert [(f.code, f.line, f.severity) for f in report.findings] == [("syntax-error", 3, "error")]
    assert report.calls == ()


def test_a_declared_source_encoding_is_read():
    code = '# -*- coding: latin-1 -*-\nname = "caf\xe9"\nids = tokenizer.encode(name)\nout = model(**ids)\n'.encode("latin-1")
    assert lint(code, "legacy.py").codes() == ["encode-into-model"]


def test_a_very_long_expression_is_followed():
    code = "text = " + " + ".join(["part"] * 900) + "\nids = tokenizer.encode(text)\nout = model(**ids)\n"
    assert lint(code, "long.py").codes() == ["encode-into-model"]


@pytest.mark.parametrize("code", ["x = '\x00'", "(" * 300 + ")" * 300, "\ufeffx = 1\nids = tokenizer.encode(t)\nmodel(**ids)\n"])
def test_odd_sources_never_crash(code):
    report = lint(code, "odd.py")
    assert all(f.code in SEVERITIES for f in report.findings)


def notebook(*cells) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "metadata": {}, "source": source, **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, source in cells]})


def test_a_notebook_is_read_cell_by_cell_with_cell_numbers():
    document = notebook(
        ("markdown", "# Set-up"),
        ("code", ["!pip install transformers\n", "%matplotlib inline\n",
                  "from transformers import AutoTokenizer, AutoModel\n",
                  "tk = AutoTokenizer.from_pretrained('bert-base-uncased')\n",
                  "net = AutoModel.from_pretrained('bert-base-uncased')"]),
        ("code", "%%bash\nrm -rf /\n"),
        ("code", "def broken(:\n    pass\n"),
        ("code", ["text = 'hello'\n", "ids = tk.encode(text)\n", "out = net(**ids)\n"]),
    )
    report = lint(document, "demo.ipynb")
    assert [(f.code, f.cell, f.line) for f in report.findings] == [("syntax-error", 4, 1), ("encode-into-model", 5, 2)]
    assert [(c.cell, c.line, c.kind) for c in report.calls][:2] == [(2, 4, "from_pretrained"), (2, 5, "from_pretrained")]
    finding = report.findings[1]
    cell_code = "text = 'hello'\nids = tk.encode(text)\nout = net(**ids)\n"
    assert "encode-into-model" not in lint(apply_fix(cell_code, finding.replaces, finding.fix)).codes()


def test_a_broken_notebook_is_one_clear_error():
    from bertinspector.core.errors import InputError

    with pytest.raises(InputError, match="not a notebook"):
        lint('{"cells": 3}', "x.ipynb")
    with pytest.raises(InputError, match="not valid JSON"):
        lint("{nope", "x.ipynb")


def test_a_ten_thousand_line_file_is_read_whole():
    block = textwrap.dedent("""\
        def step_{n}(texts):
            enc = tokenizer(texts, padding=True, return_tensors="pt")
            out = model(**enc)
            total = 0
            for t in range(10):
                total += t * {n}
            values = [x * 2 for x in range(5)]
            label = "step {n}"
            return out, total, values, label

        """)
    code = "".join(block.format(n=n) for n in range(1000))
    assert code.count("\n") == 10_000
    report = lint(code, "big.py")
    assert [f.line for f in report.findings] == [2 + 10 * n for n in range(1000)]
    assert {f.code for f in report.findings} == {"no-truncation"}


# -- the fixes run, against a tiny real model --------------------------------------------------------
@pytest.fixture(scope="module")
def names(model_factory):
    """What a user has at hand where their code runs: a tokenizer, a model, texts."""
    import torch
    from transformers import AutoModel, AutoTokenizer, BertTokenizer, RobertaModel

    bert, roberta = model_factory.bert(), model_factory.roberta()
    return {
        "tokenizer": AutoTokenizer.from_pretrained(bert), "model": AutoModel.from_pretrained(bert).eval(),
        "text": "Hello world", "texts": ["Hello world", "the quick brown fox jumps over the lazy dog"],
        "question": "Where is the fox?", "context": "The fox is in the garden.", "model_dir": str(bert),
        "roberta_dir": str(roberta), "torch": torch, "AutoTokenizer": AutoTokenizer, "AutoModel": AutoModel,
        "BertTokenizer": BertTokenizer, "RobertaModel": RobertaModel,
    }


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_fixed_code_runs(code, names):
    """The bad code with its fix in place runs as printed (the linter itself never runs anything)."""
    import torch

    _line, bad, _clean = CASES[code]
    finding = next(f for f in lint(bad).findings if f.code == code)
    namespace = dict(names)
    with torch.no_grad():
        exec(apply_fix(bad, finding.replaces, finding.fix), namespace)  # noqa: S102 - the test runs the fix, the linter never does
        if code == "padding-without-attention-mask":  # the mask the fix adds is the tokenizer's own
            expected = names["model"](**namespace["enc"]).last_hidden_state
            assert torch.allclose(namespace["outputs"].last_hidden_state, expected, atol=1e-5)


def test_the_article_fix_lowercases_where_the_call_time_option_did_not(model_factory):
    """Example 3: do_lower_case at call time changes nothing; the printed fix really lowercases."""
    from transformers import BertTokenizer

    folder = str(model_factory.bert(cased=True))
    sample_text = ["Hello World", "the Quick brown fox"]
    tokenizer = BertTokenizer.from_pretrained(folder)
    ignored = tokenizer(sample_text, do_lower_case=True)["input_ids"]
    assert ignored == tokenizer(sample_text)["input_ids"]
    finding = next(f for f in lint(article_examples()[2]).findings if f.code == "call-time-preprocessing-option")
    namespace = {"BertTokenizer": BertTokenizer, "model_name": folder, "sample_text": sample_text, "tokenizer": tokenizer}
    exec(finding.fix.replace("return_tensors='pt'", "return_tensors=None"), namespace)  # noqa: S102
    fixed = namespace["encoded_input"]["input_ids"]
    assert fixed != ignored
    assert fixed == tokenizer([t.lower() for t in sample_text])["input_ids"]
