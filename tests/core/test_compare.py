"""Compare: the alignment of two tokenizations, the config diff, the variants, and the ``compare`` command."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from bertinspector.app import cli
from bertinspector.core import compare as comparing
from bertinspector.core.compare import VARIANTS, align, compare, compare_variant, config_diff, to_json
from bertinspector.core.compare_report import render_markdown, render_text
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import COMPARISON_SCHEMA, SCHEMA, Settings

ENGLISH = "The quick brown fox jumps over the lazy dog, and the model reads every word of this sentence."
CAPITALISED = "Hello from Paris: London and Berlin are Capitals of Europe."
LONG = ("The patient was admitted with acute chest pain and shortness of breath. " * 30).strip()

# Letters, spaces, punctuation, accents, emoji, CJK, control and zero-width characters, newlines.
ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ  .,;!?'\"-()[]#") + ["é", "ï", "ß", "😀", "中", "文", "\u200b", "\u00ad",
                                                                      "\n", "\t", "\x07", "ﬁ", "e\u0301", "[MASK]", "<s>"]
)
TEXTS = st.lists(ALPHABET, min_size=1, max_size=60).map("".join).filter(lambda t: t.strip())
PROPERTY_SETTINGS = hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def bert(model_factory):
    return Inspector.open(str(model_factory.bert()))


@pytest.fixture(scope="module")
def cased(model_factory):
    return Inspector.open(str(model_factory.bert(cased=True)))


@pytest.fixture(scope="module")
def roberta(model_factory):
    return Inspector.open(str(model_factory.roberta()))


@pytest.fixture(scope="module")
def minilm(minilm_path):
    return Inspector.open(str(minilm_path))


# -- alignment properties --------------------------------------------------------------------


def assert_alignment_is_a_partition(a, b, groups):
    """Every token in exactly one group; every covered character in exactly one group; reading order."""
    for side, inspection in (("a", a), ("b", b)):
        positions = [p for g in groups for p in getattr(g, side)]
        assert sorted(positions) == list(range(len(inspection.tokens))), f"tokens of {side.upper()} lost or repeated"
        assert positions == sorted(positions), f"groups break {side.upper()}'s reading order"
    for segment in (0, 1) if a.pair is not None else (0,):
        text_groups = [g for g in groups if g.segment == segment]
        ranges = [(g.start, g.end) for g in text_groups]
        assert ranges == sorted(ranges)
        assert all(end_1 <= start_2 for (_, end_1), (start_2, _) in zip(ranges, ranges[1:])), "groups overlap"
        owner = {}
        for index, (start, end) in enumerate(ranges):
            for char in range(start, end):
                assert char not in owner
                owner[char] = index
        for inspection, side in ((a, "a"), (b, "b")):
            t = inspection.tokens
            # the characters each token covers but the whitespace at its edges (families differ there)
            here = (t.segments == segment) & (t.starts >= 0)
            starts, ends = t.starts.copy(), t.ends.copy()
            starts[here], ends[here] = comparing.covered_spans(t.starts[here], t.ends[here],
                                                               inspection.segment_text(segment))
            for g_index, g in enumerate(text_groups):
                for p in getattr(g, side):
                    assert t.segments[p] == segment
                    assert g.start <= starts[p] <= ends[p] <= g.end
                    for char in range(starts[p], ends[p]):
                        assert owner[char] == g_index  # the character's one group is this token's group
    special = [g for g in groups if g.is_special]
    for g in special:
        assert len(g.a) <= 1 and len(g.b) <= 1 and (g.a or g.b)
        assert all(a.tokens.starts[p] < 0 for p in g.a) and all(b.tokens.starts[p] < 0 for p in g.b)


@PROPERTY_SETTINGS
@given(text=TEXTS, pair=st.none() | TEXTS)
def test_alignment_of_bert_and_roberta_partitions_text_and_tokens(bert, roberta, text, pair):
    a, b = bert.inspect(text, pair), roberta.inspect(text, pair, Settings(truncation="none"))
    assert_alignment_is_a_partition(a, b, align(a, b))


@PROPERTY_SETTINGS
@given(text=TEXTS, pair=st.none() | TEXTS)
def test_alignment_of_uncased_and_cased_bert_partitions_text_and_tokens(bert, cased, text, pair):
    a, b = bert.inspect(text, pair), cased.inspect(text, pair, Settings(max_length=12))
    groups = align(a, b)
    assert_alignment_is_a_partition(a, b, groups)
    for g in groups:
        if g.unk_b:
            assert any(b.tokens.unk[p] for p in g.b) and not any(a.tokens.unk[p] for p in g.a)


@PROPERTY_SETTINGS
@given(text=TEXTS, pair=st.none() | TEXTS, which=st.sampled_from(["bert", "roberta"]))
def test_identical_tokenizers_align_one_to_one(bert, roberta, text, pair, which):
    inspector = {"bert": bert, "roberta": roberta}[which]
    a = inspector.inspect(text, pair, Settings(truncation="none"))
    b = inspector.inspect(text, pair, Settings(truncation="none"))
    groups = align(a, b)
    assert_alignment_is_a_partition(a, b, groups)
    for g in groups:
        assert g.a == g.b and not g.differs and g.flags() == ()
        if which == "bert":  # WordPiece: one token per group (byte-level BPE may give several tokens one character)
            assert len(g.a) == 1


def test_a_word_split_in_one_stands_over_its_pieces_in_the_other(bert, cased):
    text = "LAZY dog"  # uncased: lazy | dog; cased: L ##A ##Z ##Y | dog
    a, b = bert.inspect(text), cased.inspect(text)
    lazy, dog = [g for g in align(a, b) if not g.is_special]
    assert (lazy.start, lazy.end, dog.start, dog.end) == (0, 4, 5, 8)
    assert [a.tokens.strings[p] for p in lazy.a] == ["lazy"]
    assert [b.tokens.strings[p] for p in lazy.b] == ["L", "##A", "##Z", "##Y"]
    assert lazy.boundary and lazy.flags() == ("boundary",) and not dog.differs


def test_boundary_and_unknown_flags(bert, cased):
    text = "Quick café"  # uncased: quick / cafe (accents stripped); cased: Q ##uick? + caf ##é -> [UNK]
    a, b = bert.inspect(text), cased.inspect(text)
    groups = [g for g in align(a, b) if not g.is_special]
    quick, cafe = groups
    a_quick = [a.tokens.strings[p] for p in quick.a]
    b_quick = [b.tokens.strings[p] for p in quick.b]
    assert a_quick == ["quick"]
    assert quick.boundary == (len(b_quick) != 1)
    assert cafe.unk_b and not cafe.unk_a and "unk-b" in cafe.flags()
    assert (cafe.start, cafe.end) == (6, 10)


def test_pair_swapped_aligns_text_with_text(bert):
    a = bert.inspect("the quick fox", "a lazy dog")
    settings_b, text_b, pair_b = comparing.variant("pair-swapped", a.settings, a.text, a.pair, bert.facts)
    b = bert.inspect(text_b, pair_b, settings_b)
    groups = align(a, b)
    text_groups = [g for g in groups if not g.is_special]
    assert all(not g.boundary and g.moved and g.flags() == ("moved",) for g in text_groups)
    assert {(g.segment, g.segment_b) for g in text_groups} == {(0, 1), (1, 0)}
    assert "⇄" in render_text(compare(a, b))
    assert sorted(p for g in groups for p in g.b) == list(range(len(b.tokens)))


def test_config_diff_marks_what_differs(bert, roberta):
    rows = {r.field: r for r in config_diff(bert.inspect(ENGLISH), roberta.inspect(ENGLISH))}
    for name in ("model_type", "tokenizer_class", "lowercase", "normalizer", "pre_tokenizer", "cls_token",
                 "sep_token", "max_length", "model_max_length", "usable_positions", "vocab_size", "tokenizer_size"):
        assert rows[name].differs, name
    for name in ("add_special_tokens", "truncation", "stride", "strip_accents"):
        assert name in rows
    assert not rows["add_special_tokens"].differs and not rows["truncation"].differs
    assert rows["cls_token"].a == "[CLS] (2)" and rows["cls_token"].b == "<s> (0)"
    assert rows["usable_positions"].b == 64


def test_tiny_bert_against_tiny_roberta(bert, roberta):
    comparison = compare(bert.inspect(ENGLISH), roberta.inspect(ENGLISH))
    groups = comparison.alignment
    special = [g for g in groups if g.is_special]
    assert [(bert_token(comparison, g), roberta_token(comparison, g)) for g in special] == [("[CLS]", "<s>"), ("[SEP]", "</s>")]
    assert all(g.special for g in special)
    assert any(g.boundary for g in groups)  # byte-level BPE splits words WordPiece keeps whole
    words = [g for g in groups if not g.is_special and comparison.a.text[g.start:g.end] == "quick"]
    assert len(words) == 1
    assert comparison.summary_a.tokens == len(comparison.a.tokens) and comparison.summary_b.tokens == len(comparison.b.tokens)
    json.dumps(to_json(comparison))


def bert_token(comparison, group):
    return comparison.a.tokens.strings[group.a[0]] if group.a else None


def roberta_token(comparison, group):
    return comparison.b.tokens.strings[group.b[0]] if group.b else None


def test_cut_flags_follow_the_kept_tokens(bert):
    a = bert.inspect(LONG, settings=Settings(max_length=64))
    b = bert.inspect(LONG, settings=Settings(max_length=32))
    groups = align(a, b)
    assert not any(g.cut_a for g in groups)
    cut = [g for g in groups if g.cut_b]
    assert cut and all(all(a.tokens.kept[p] for p in g.a) and not all(b.tokens.kept[p] for p in g.b) for g in cut)
    first = min(cut, key=lambda g: g.b[0])
    assert b.truncation.cut_token in first.b
    assert first.start == b.truncation.cut_char


def test_alignment_of_ten_thousand_characters_is_fast(bert, cased):
    text = ("The quick brown fox, a naïve café owner, jumps over the lazy dog 😀 again. " * 140)[:10_000]
    a, b = bert.inspect(text, settings=Settings(truncation="none")), cased.inspect(text, settings=Settings(truncation="none"))
    align(a, b)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        align(a, b)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.3  # 10x the benchmark's 30 ms target (benchmarks/bench_compare.py): catches a quadratic slip


# -- variants on the real all-MiniLM-L6-v2 ---------------------------------------------------


def test_variants_are_the_four_classic_failure_modes():
    assert list(VARIANTS) == ["lowercase-flipped", "no-special-tokens", "max-length-128", "pair-swapped"]


def test_lowercasing_flipped_turns_capitalised_words_unknown(minilm):
    comparison = compare_variant(minilm, "lowercase-flipped", CAPITALISED)
    a, b = comparison.a, comparison.b
    assert b.settings.lowercase == "off"
    capitalised = [g for g in comparison.alignment if not g.is_special and a.text[g.start:g.end][:1].isupper()]
    assert len(capitalised) == 6  # Hello Paris London Berlin Capitals Europe
    for g in capitalised:
        assert g.unk_b or g.boundary, a.text[g.start:g.end]
    assert sum(g.unk_b for g in capitalised) >= 5
    assert not any(g.unk_a for g in comparison.alignment)
    assert comparison.summary_b.unknown > comparison.summary_a.unknown == 0
    rows = {r.field: r for r in comparison.config_diff}
    assert rows["lowercase"].differs and (rows["lowercase"].a, rows["lowercase"].b) == (True, False)
    assert "case-mismatch" in b.codes() and "case-mismatch" not in a.codes()


def test_lowercasing_flipped_back_from_off(minilm):
    settings_b, _, _ = comparing.variant("lowercase-flipped", Settings(lowercase="off"), "x", None, minilm.facts)
    assert settings_b.lowercase == "on"


def test_max_length_128_cuts_at_another_character(minilm):
    comparison = compare_variant(minilm, "max-length-128", LONG)
    a, b = comparison.a, comparison.b
    assert b.settings.max_length == 128
    assert a.truncation.tokens_lost == 0 and b.truncation.tokens_kept == 128
    assert comparison.summary_a.cut_char is None and comparison.summary_b.cut_char is not None
    assert any(g.cut_b for g in comparison.alignment) and not any(g.cut_a for g in comparison.alignment)
    longer = compare_variant(minilm, "max-length-128", LONG * 3)  # both cut, at different characters
    assert longer.summary_a.cut_char is not None
    assert longer.summary_b.cut_char < longer.summary_a.cut_char
    rows = {r.field: r for r in longer.config_diff}
    assert (rows["max_length"].a, rows["max_length"].b) == (512, 128)


def test_without_special_tokens_flags_missing_special_tokens_in_b_only(minilm):
    comparison = compare_variant(minilm, "no-special-tokens", ENGLISH)
    a, b = comparison.a, comparison.b
    assert "missing-special-tokens" in b.codes() and "missing-special-tokens" not in a.codes()
    special = [g for g in comparison.alignment if g.is_special]
    assert len(special) == 2 and all(g.special and g.a and not g.b for g in special)
    assert not any(g.boundary for g in comparison.alignment)
    assert cli.exit_status([a, b], "error") == cli.EXIT_FINDINGS


def test_pair_swapped_needs_a_pair(minilm):
    from bertinspector.core.errors import InputError

    with pytest.raises(InputError, match="pair"):
        compare_variant(minilm, "pair-swapped", ENGLISH)
    comparison = compare_variant(minilm, "pair-swapped", ENGLISH, "A second sentence.")
    assert comparison.b.text == "A second sentence." and comparison.b.pair == ENGLISH


# -- JSON, text and Markdown -----------------------------------------------------------------


def test_to_json_follows_the_contract(bert, roberta):
    comparison = compare(bert.inspect(ENGLISH, "A pair."), roberta.inspect(ENGLISH, "A pair."))
    data = json.loads(json.dumps(to_json(comparison)))
    assert list(data) == ["schema", "a", "b", "alignment", "config_diff"]
    assert data["schema"] == COMPARISON_SCHEMA and data["a"]["schema"] == SCHEMA and data["b"]["schema"] == SCHEMA
    assert len(data["alignment"]) == len(comparison.alignment)
    for entry in data["alignment"]:
        assert set(entry) == {"segment", "segment_b", "start", "end", "text", "a", "b", "flags"}
        assert set(entry["flags"]) <= set(comparing.FLAGS.values())
        if entry["start"] is not None:
            source = ENGLISH if entry["segment"] == 0 else "A pair."
            assert entry["text"] == source[entry["start"]:entry["end"]]
    assert {row["field"] for row in data["config_diff"]} >= {"lowercase", "normalizer", "max_length"}
    assert all(set(row) == {"field", "a", "b", "differs"} for row in data["config_diff"])


def test_text_and_markdown_show_rows_markers_config_and_diagnostics(minilm):
    comparison = compare_variant(minilm, "lowercase-flipped", CAPITALISED)
    text = render_text(comparison)
    lines = text.splitlines()
    a_row = next(line for line in lines if line.startswith("A     "))
    b_row = next(line for line in lines if line.startswith("B     "))
    assert "hello" in a_row and "[UNK]?" in b_row
    assert a_row.index("hello") == b_row.index("[UNK]?")  # one above the other
    assert "?B" in text and "≠ lowercase" in text
    assert "Diagnostics of A (" in text and "Diagnostics of B (" in text and "case-mismatch" in text
    markdown = render_markdown(comparison)
    assert "### Aligned tokens" in markdown and "| **≠** | lowercase | `True` | `False` |" in markdown
    assert "### Diagnostics of B" in markdown


def test_text_marks_the_cut_of_each_side(bert):
    comparison = compare(bert.inspect(LONG, settings=Settings(max_length=40)), bert.inspect(LONG, settings=Settings(max_length=20)))
    text = render_text(comparison)
    assert "✂A" in text and "✂B" in text and "⟦" in text and "⟧" in text


# -- the compare command ---------------------------------------------------------------------


def run_cli(capsys, *argv):
    try:
        status = cli.main(list(argv))
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_compare_json(capsys, model_factory):
    status, out, err = run_cli(capsys, "compare", str(model_factory.bert()), str(model_factory.roberta()),
                               "--text", ENGLISH, "--format", "json")
    data = json.loads(out)
    assert list(data) == ["schema", "a", "b", "alignment", "config_diff"] and data["schema"] == COMPARISON_SCHEMA
    assert data["a"]["model"]["model_type"] == "bert" and data["b"]["model"]["model_type"] == "roberta"
    assert status == 0 and err == ""


def test_cli_compare_variant_options_text(capsys, model_factory):
    folder = str(model_factory.bert())
    status, out, _ = run_cli(capsys, "compare", folder, folder, "--text", ENGLISH, "--b-no-special-tokens")
    assert status == cli.EXIT_FINDINGS  # missing-special-tokens in B
    assert "≠ add_special_tokens" in out and "Diagnostics of B" in out and "missing-special-tokens" in out
    status, out, _ = run_cli(capsys, "compare", folder, folder, "--text", ENGLISH, "--b-no-special-tokens", "--fail-on", "never")
    assert status == 0
    status, out, _ = run_cli(capsys, "compare", folder, folder, "--text", LONG, "--b-max-length", "16",
                             "--b-lowercase", "off", "--format", "json")
    data = json.loads(out)
    assert data["b"]["settings"]["max_length"] == 16 and data["b"]["settings"]["lowercase"] == "off"
    assert data["a"]["settings"]["max_length"] is None and data["b"]["truncation"]["cut_char"] is not None
    status, out, _ = run_cli(capsys, "compare", folder, folder, "--text", "one text", "--pair", "two text",
                             "--b-swap-pair", "--format", "json")
    data = json.loads(out)
    assert data["b"]["tokens"][1]["token"] == "two" and status == 0


def test_cli_compare_variant_and_markdown(capsys, minilm_path, tmp_path):
    text_file = tmp_path / "text.txt"
    text_file.write_text(CAPITALISED, encoding="utf-8")
    status, out, _ = run_cli(capsys, "compare", "default", str(minilm_path), "--text-file", str(text_file),
                             "--variant", "lowercase-flipped", "--format", "markdown", "--fail-on", "warning")
    assert out.startswith("## bertinspector compare:") and "| **≠** | lowercase | `True` | `False` |" in out
    assert status == cli.EXIT_FINDINGS  # case-mismatch and unknown tokens in B are warnings


@pytest.mark.parametrize("argv, message", [
    (["--text", "hello"], "SRC_B"),
    (["SRC", "--text", "hello", "--b-swap-pair"], "pair"),
    (["SRC", "--text", "hello", "--b-max-length", "0"], "positive"),
    (["SRC", "--text-file", "/no/such/file.txt"], "/no/such/file.txt"),
    (["/no/such/model", "--text", "hello"], "/no/such/model"),
    (["SRC", "--text", "hello", "--max-length", "1"], "max_length 1"),
])
def test_cli_compare_bad_input_exits_2_with_one_line(capsys, model_factory, argv, message):
    folder = str(model_factory.bert())
    argv = [folder if part == "SRC" else part for part in argv]
    status, out, err = run_cli(capsys, "compare", folder, *argv)
    assert status == cli.EXIT_USAGE
    assert out == "" and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_parser_exits_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["compare", "default", "default", "--text", "x", "--variant", "nope"])
    assert exit_.value.code == cli.EXIT_USAGE
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
