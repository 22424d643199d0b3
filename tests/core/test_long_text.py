"""Large texts: encoded in pieces with the same result as one encoding, the text output summarised,
and refused above the documented limit (issue 11). How long a 50 MB text takes: benchmarks/bench_large_text.py."""

from __future__ import annotations

import numpy as np
import pytest

from bertinspector.app.cli import main
from bertinspector.core import inspector as inspector_module, long_text, normalization, report
from bertinspector.core.inspector import Inspector

MIXED = ("The naïve café owner reads 東京 news 😀 at 9:30, [MASK] and ΣΑΣ İstanbul\u200b \x07 e\u0301 — "
         "a bertinspector <new_token> line.\n")
COLUMNS = ("ids", "starts", "ends", "special", "subword", "unk", "segments", "kept", "type_ids")


def _same(a, b) -> None:
    for name in COLUMNS:
        x, y = getattr(a.tokens, name), getattr(b.tokens, name)
        assert (x is None and y is None) or (np.array_equal(x, y) and x.dtype == y.dtype), name
    assert a.tokens.strings == b.tokens.strings and a.normalized_text == b.normalized_text
    assert a.truncation == b.truncation and a.changes == b.changes
    assert [(d.code, d.message, tuple(d.tokens), d.spans) for d in a.diagnostics] == \
           [(d.code, d.message, tuple(d.tokens), d.spans) for d in b.diagnostics]


@pytest.mark.parametrize("variant", ["bert", "cased", "extra_added_tokens"])
def test_a_text_in_pieces_gives_what_one_encoding_gives(model_factory, minilm_path, monkeypatch, variant):
    folder = minilm_path if variant == "bert" else model_factory.variant(variant)
    inspector = Inspector.open(str(folder))
    text = MIXED * 100  # ~11,000 characters
    whole = inspector.inspect(text)
    monkeypatch.setattr(long_text, "PIECE_CHARS", 997)  # ~11 pieces, cut wherever a boundary falls
    assert long_text.splits_safely(inspector._engine_backend("auto", inspector.tokenizer()))
    assert len(long_text.pieces(text)) > 8
    _same(inspector.inspect(text), whole)


def test_a_byte_level_tokenizer_is_encoded_whole(model_factory, monkeypatch):
    inspector = Inspector.open(str(model_factory.roberta()))
    assert not long_text.splits_safely(inspector._engine_backend("auto", inspector.tokenizer()))
    text = MIXED * 50
    whole = inspector.inspect(text)
    monkeypatch.setattr(long_text, "PIECE_CHARS", 500)
    _same(inspector.inspect(text), whole)


def test_a_per_character_normalizer_translates_as_the_tokenizer_normalizes(minilm_path, model_factory):
    for folder in (minilm_path, model_factory.bert(cased=True)):
        normalizer = Inspector.open(str(folder)).tokenizer().backend_tokenizer.normalizer
        text = MIXED * 20
        assert text.translate(normalization.translate_table(normalizer, text)) == normalizer.normalize_str(text)


def test_a_long_encoding_is_summarised_unless_all_tokens_are_asked_for(capsys, model_factory, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("the model reads this sentence and the other one " * 600)
    folder = str(model_factory.bert())
    main(["inspect", folder, "--text-file", str(path), "--fail-on", "never"])
    out = capsys.readouterr().out
    total = len(Inspector.open(folder).inspect(path.read_text()).tokens)
    assert total > report.SUMMARY_ABOVE
    # shown: tokens 0-999 (the cut at 511 among them) and the last 1,000
    assert f"… {total - 2 * report.SHOWN_AT_EACH_END:,} tokens not shown" in out
    assert "✂ cut at token 511 ✂" in out and out.count("tokens not shown") == 1
    assert "⟧ [SEP]" in out  # the last tokens are shown, and where the cut-off part ends
    assert len(out.splitlines()) < 120
    main(["inspect", folder, "--text-file", str(path), "--fail-on", "never", "--all-tokens"])
    every = capsys.readouterr().out
    assert "tokens not shown" not in every and every.count("sentence") >= 600 > out.count("sentence")


def test_a_text_over_the_limit_is_refused_in_one_line(capsys, model_factory, monkeypatch):
    monkeypatch.setattr(inspector_module, "MAX_TEXT_CHARS", 1000)
    assert main(["inspect", str(model_factory.bert()), "--text", "x" * 1001]) == 2
    err = capsys.readouterr().err
    assert "1,001 characters; at most 1,000" in err and len(err.strip().splitlines()) == 1


def test_a_finding_in_a_book_keeps_bounded_evidence():
    from bertinspector.core.diagnostics import LONG_RUN, MAX_SPANS, finding

    found = finding("accents-stripped", "m", spans=((i, i + 1) for i in range(MAX_SPANS + 5)),
                    tokens=np.arange(5, LONG_RUN + 10))
    assert len(found.spans) == len(found.span_segments) == MAX_SPANS
    assert found.tokens == range(5, LONG_RUN + 10)  # a cut-off tail costs nothing
    assert finding("accents-stripped", "m", tokens=[3, 4, 5]).tokens == (3, 4, 5)
