"""Parity with AutoTokenizer: ids, token strings, offsets, truncation and overflow windows.

The contract: ``tokens[*].id`` and ``token`` equal what ``AutoTokenizer`` produces for the same
settings; ``start``/``end`` are the character offsets of the text the user gave (null for the
special tokens the template adds, where AutoTokenizer reports ``(0, 0)``); the ``kept`` tokens
are exactly the ids of ``tokenizer(text, pair, truncation=..., max_length=N)``.

Every reference here is a plain ``AutoTokenizer.from_pretrained(folder)`` call: nothing is mocked.
"""

from __future__ import annotations

import numpy as np
import pytest

from bertinspector.core.errors import InputError
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings

# --------------------------------------------------------------------------- inputs

LONG_WORD = "supercalifragilistic" * 15  # 300 characters, one word
assert len(LONG_WORD) == 300

TRICKY = {
    "plain": "The quick brown fox jumps over the lazy dog.",
    "accents-precomposed": "Café naïve façade Ünïcödé ÀÉÎÕÜ résumé",
    "accents-combining": "Cafe\u0301 nai\u0308ve U\u0308ber a\u0301\u0300\u0302 e\u0327",
    "mixed-case": "Hello WORLD, iPhone McDonald's ÉCOLE Straße",
    "cjk": "日本語のテキスト 中文文本 한국어 텍스트 mixed 漢字abc",
    "control": "a\x00b\x01c\x07d\x1be\x7ff\x85g",
    "zero-width": "zero\u200bwidth\u200cjoin\u200dner\u2060word\ufeffbom",
    "replacement": "bad\ufffdchar \ufffd\ufffd end",
    "soft-hyphen": "soft\u00adhyphen co\u00adop\u00ad",
    "emoji": "emoji 😀 👍🏽 👨‍👩‍👧 🇫🇷 ok",
    "whitespace-runs": "a    b     c \u00a0\u00a0 d\u3000e\u2003f",
    "tabs-newlines": "line one\n\nline\ttwo\r\n\tthree\x0bfour\x0cfive",
    "literal-specials": "the [MASK] is <mask>, [CLS] [SEP] <s> </s> [UNK] <pad> [PAD] <unk>",
    "literal-specials-glued": "a<mask>b [MASK]x y<s></s>z\t<mask>\n[CLS][SEP] [mask] <MASK>",
    "multilingual": "Le café très bon; die Straße ist groß; el niño; Привет, мир; Γεια σου; مرحبا; שלום; 東京; 서울 🚀",
    "long-word": f"a {LONG_WORD} word",
    "rtl": "שלום עולם مرحبا بالعالم the end",
    "private-use": "priv\ue000ate \U000f0000 use",
    "leading-trailing-space": "   spaced out text   ",
}

PAIRS = [
    ("The quick brown fox.", "Café [MASK] 日本 😀"),
    ("Hello world", "zero\u200bwidth\x00 soft\u00adhyphen"),
    ("  a  ", "b\tc\nd"),
]

# the tiny BERT/RoBERTa models, the real MiniLM, and the other families of modelfactory.FAMILIES
FAMILY_MODELS = ["roberta_base", "xlm_roberta", "camembert", "albert", "deberta_v3", "distilbert", "electra", "modernbert"]
BASE_MODELS = ["bert", "cased", "roberta", "minilm", *FAMILY_MODELS]

# --------------------------------------------------------------------------- helpers

_INSPECTORS: dict[str, Inspector] = {}
_REFERENCES: dict[tuple, object] = {}


def folder_of(name: str, model_factory, request):
    if name == "minilm":
        return request.getfixturevalue("minilm_path")
    if name == "cased":
        return model_factory.bert(cased=True)
    if name == "roberta":
        return model_factory.roberta()
    if name in FAMILY_MODELS:  # "roberta_base": roberta-base's shape, <mask> strips the space on its left
        return model_factory.family(name.removesuffix("_base"))
    return model_factory.bert()


def inspector_for(folder) -> Inspector:
    key = str(folder)
    if key not in _INSPECTORS:
        _INSPECTORS[key] = Inspector.open(key)
    return _INSPECTORS[key]


def reference(folder, **kwargs):
    """``AutoTokenizer.from_pretrained(folder, **kwargs)``, loaded once per session."""
    from transformers import AutoTokenizer

    key = (str(folder), tuple(sorted(kwargs.items())))
    if key not in _REFERENCES:
        _REFERENCES[key] = AutoTokenizer.from_pretrained(str(folder), **kwargs)
    return _REFERENCES[key]


@pytest.fixture(params=BASE_MODELS)
def model(request, model_factory):
    folder = folder_of(request.param, model_factory, request)
    return request.param, folder, inspector_for(folder), reference(folder)


def encode(tok, text, pair=None, **kwargs):
    return tok(text, pair, return_offsets_mapping=True, return_special_tokens_mask=True, **kwargs)


def assert_same_encoding(inspection, tok, enc) -> None:
    """Ids, token strings, flags, offsets, segments and type ids equal the reference encoding."""
    tokens = inspection.tokens
    ref_ids = list(enc["input_ids"])
    assert [int(i) for i in tokens.ids] == ref_ids
    assert list(tokens.strings) == tok.convert_ids_to_tokens(ref_ids)
    assert [bool(s) for s in tokens.special] == [bool(s) for s in enc["special_tokens_mask"]]
    sequence_ids = enc.sequence_ids()
    for i, ((ref_start, ref_end), seq) in enumerate(zip(enc["offset_mapping"], sequence_ids)):
        row = inspection.token(i)
        if enc["special_tokens_mask"][i]:
            assert (int(tokens.starts[i]), int(tokens.ends[i])) == (-1, -1), row
            assert row.start is None and row.end is None and row.segment is None, row
            assert (ref_start, ref_end) == (0, 0)
        else:
            assert (row.start, row.end) == (ref_start, ref_end), (i, row, inspection.text)
            assert row.segment == seq, row
    if "token_type_ids" in enc:
        assert tokens.type_ids is not None
        assert [int(t) for t in tokens.type_ids] == list(enc["token_type_ids"])


# --------------------------------------------------------------------------- single texts and pairs


@pytest.mark.parametrize("label", sorted(TRICKY))
def test_tricky_text_matches_autotokenizer(model, label):
    name, folder, inspector, tok = model
    text = TRICKY[label]
    inspection = inspector.inspect(text)
    assert_same_encoding(inspection, tok, encode(tok, text))
    assert kept_ids(inspection) == tok(text, truncation=True)["input_ids"]  # the default settings
    normalizer = tok.backend_tokenizer.normalizer
    expected_normalized = normalizer.normalize_str(text) if normalizer is not None else text
    assert inspection.normalized_text == expected_normalized


@pytest.mark.parametrize("text,pair", PAIRS)
def test_pair_matches_autotokenizer(model, text, pair):
    name, folder, inspector, tok = model
    inspection = inspector.inspect(text, pair)
    enc = encode(tok, text, pair)
    assert_same_encoding(inspection, tok, enc)
    assert kept_ids(inspection) == tok(text, pair, truncation=True)["input_ids"]
    segments = [inspection.token(i).segment for i in range(len(inspection.tokens))]
    assert 0 in segments and 1 in segments


@pytest.mark.parametrize("label", ["plain", "literal-specials", "accents-combining", "emoji", "whitespace-runs"])
def test_without_special_tokens_matches(model, label):
    name, folder, inspector, tok = model
    text = TRICKY[label]
    inspection = inspector.inspect(text, settings=Settings(add_special_tokens=False))
    assert_same_encoding(inspection, tok, encode(tok, text, add_special_tokens=False))
    template_ids = {tok.cls_token_id, tok.sep_token_id, tok.bos_token_id, tok.eos_token_id} - {None}
    assert not inspection.tokens.special.any()
    # the template's tokens are gone (a literal "[MASK]"/"<mask>" may stay, as in AutoTokenizer)
    assert int(inspection.tokens.ids[0]) not in template_ids or label == "literal-specials"

    pair_inspection = inspector.inspect(text, "second text", Settings(add_special_tokens=False))
    assert_same_encoding(pair_inspection, tok, encode(tok, text, "second text", add_special_tokens=False))


def test_literal_special_strings_keep_offsets(model_factory):
    """A [MASK] typed in the text is the mask id, with its offsets (it is not a template token)."""
    folder = model_factory.bert()
    tok = reference(folder)
    text = "the [MASK] is here"
    inspection = inspector_for(folder).inspect(text)
    i = list(inspection.tokens.strings).index("[MASK]")
    row = inspection.token(i)
    assert row.id == tok.mask_token_id
    assert (row.start, row.end) == (4, 10) and text[row.start:row.end] == "[MASK]"


# --------------------------------------------------------------------------- lowercase x strip_accents

MATRIX_TEXT = "Café NAÏVE cafe\u0301 Ünïcödé Hello ÉCOLE résumé"


@pytest.mark.parametrize("cased", [False, True], ids=["uncased", "cased"])
@pytest.mark.parametrize("strip_accents", [None, True, False], ids=["strip-none", "strip-on", "strip-off"])
@pytest.mark.parametrize("lowercase", ["auto", "on", "off"])
def test_lowercase_strip_accents_matrix(model_factory, cased, strip_accents, lowercase):
    folder = model_factory.bert(cased=cased, strip_accents=strip_accents)
    kwargs = {} if lowercase == "auto" else {"do_lower_case": lowercase == "on"}
    tok = reference(folder, **kwargs)
    inspection = inspector_for(folder).inspect(MATRIX_TEXT, settings=Settings(lowercase=lowercase))
    assert_same_encoding(inspection, tok, encode(tok, MATRIX_TEXT))
    assert inspection.normalized_text == tok.backend_tokenizer.normalizer.normalize_str(MATRIX_TEXT)

    lowered = lowercase == "on" or (lowercase == "auto" and not cased)
    stripped = strip_accents if strip_accents is not None else lowered
    normalized = inspection.normalized_text
    assert ("Hello" in normalized) is (not lowered)
    assert ("é" in normalized.lower()) is (not stripped)


@pytest.mark.parametrize("strip_accents", [None, True, False])
def test_lowercase_setting_really_changes_normalization(model_factory, strip_accents):
    folder = model_factory.bert(cased=True, strip_accents=strip_accents)
    inspector = inspector_for(folder)
    on = inspector.inspect("Hello World", settings=Settings(lowercase="on"))
    off = inspector.inspect("Hello World", settings=Settings(lowercase="off"))
    assert list(on.tokens.strings)[1:3] == ["hello", "world"]
    assert list(off.tokens.strings)[1:3] == ["Hello", "World"]


@pytest.mark.parametrize("lowercase", ["on", "off"])
def test_minilm_lowercase_modes(minilm_path, lowercase):
    tok = reference(minilm_path, do_lower_case=lowercase == "on")
    text = TRICKY["mixed-case"] + " " + TRICKY["accents-precomposed"]
    inspection = inspector_for(minilm_path).inspect(text, settings=Settings(lowercase=lowercase))
    assert_same_encoding(inspection, tok, encode(tok, text))


def test_roberta_lowercase_off_is_auto(model_factory):
    """The byte-level model has no lowercasing: "off" is what its files say."""
    folder = model_factory.roberta()
    tok = reference(folder)
    inspection = inspector_for(folder).inspect("Hello WORLD", settings=Settings(lowercase="off"))
    assert_same_encoding(inspection, tok, encode(tok, "Hello WORLD"))


# --------------------------------------------------------------------------- truncation

TRUNC_A = "the quick brown fox jumps over the lazy dog again and again, then it sleeps."
TRUNC_B = "hello world, this is a short test sentence"
STRATEGIES = ["longest_first", "only_first", "only_second"]


def num_specials(tok, pair: bool) -> int:
    return tok.num_special_tokens_to_add(pair=pair)


def kept_ids(inspection) -> list[int]:
    return [int(i) for i, k in zip(inspection.tokens.ids, inspection.tokens.kept) if k]


def run_both(inspector, tok, text, pair, settings: Settings, **ref_kwargs):
    """(inspection or InputError, reference encoding or the exception the reference raised)."""
    try:
        ref = tok(text, pair, truncation=settings.truncation if settings.truncation != "none" else False,
                  max_length=settings.max_length, add_special_tokens=settings.add_special_tokens,
                  return_offsets_mapping=True, **ref_kwargs)
    except BaseException as error:  # tokenizers panics are BaseException (pyo3 PanicException)
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        ref = error
    try:
        got = inspector.inspect(text, pair, settings)
    except BaseException as error:  # anything but InputError fails the caller's assertions
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        got = error
    return got, ref


def check_truncation(inspection, tok, text, pair, ref) -> None:
    """Kept ids == reference ids; kept + lost == total; cut_char == first dropped token's start."""
    t = inspection.truncation
    assert kept_ids(inspection) == list(ref["input_ids"])
    assert t.tokens_kept + t.tokens_lost == t.tokens_total == len(inspection.tokens)
    assert t.tokens_kept == len(ref["input_ids"])
    full = tok(text, pair, return_offsets_mapping=True, return_special_tokens_mask=True,
               add_special_tokens=inspection.settings.add_special_tokens)
    if t.tokens_lost == 0:
        assert t.cut_char is None
        return
    assert t.applied
    # the dropped tokens, per segment, are the tail of that segment (truncation side: right)
    seq_full = full.sequence_ids()
    seq_ref = ref.sequence_ids()
    first_lost = None
    for segment in (0, 1):
        full_pos = [i for i, s in enumerate(seq_full) if s == segment and not full["special_tokens_mask"][i]]
        n_ref = sum(1 for s in seq_ref if s == segment)  # template tokens have no sequence id
        if n_ref < len(full_pos):
            position = full_pos[n_ref]
            if first_lost is None or position < first_lost[0]:
                first_lost = (position, segment)
    assert first_lost is not None
    position, segment = first_lost
    assert t.cut_char == full["offset_mapping"][position][0]
    assert inspection.token(position).segment == segment
    assert not inspection.token(position).kept


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("with_pair", [False, True], ids=["single", "pair"])
def test_kept_tokens_equal_truncated_ids(model, strategy, with_pair):
    name, folder, inspector, tok = model
    pair = TRUNC_B if with_pair else None
    added = num_specials(tok, with_pair)
    full_len = len(tok(TRUNC_A, pair)["input_ids"])
    for max_length in list(range(added + 1, added + 12)) + [full_len - 1, full_len, full_len + 5]:
        settings = Settings(truncation=strategy, max_length=max_length)
        got, ref = run_both(inspector, tok, TRUNC_A, pair, settings)
        context = (name, strategy, with_pair, max_length)
        if isinstance(ref, BaseException):
            assert isinstance(got, InputError), (context, ref)
            assert str(got).strip() and "\n" not in str(got)
            continue
        assert not isinstance(got, BaseException), (context, got)
        check_truncation(got, tok, TRUNC_A, pair, ref)
        if full_len > max_length:
            assert got.truncation.tokens_lost == full_len - max_length, context
            assert "sequence-truncated" in got.codes()
        else:
            assert got.truncation.tokens_lost == 0 and "sequence-truncated" not in got.codes()


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_truncation_without_special_tokens(model, strategy):
    name, folder, inspector, tok = model
    for pair in (None, TRUNC_B):
        for max_length in (1, 2, 5, 9):
            settings = Settings(truncation=strategy, max_length=max_length, add_special_tokens=False)
            got, ref = run_both(inspector, tok, TRUNC_A, pair, settings)
            if isinstance(ref, BaseException):
                assert isinstance(got, InputError), (strategy, pair, max_length, ref)
                continue
            assert not isinstance(got, BaseException), (strategy, pair, max_length, got)
            check_truncation(got, tok, TRUNC_A, pair, ref)


@pytest.mark.parametrize("with_pair", [False, True], ids=["single", "pair"])
def test_max_length_below_special_tokens_is_a_clear_error(model, with_pair):
    """A max_length smaller than the template: a clear InputError (the issue's "Bad input")."""
    name, folder, inspector, tok = model
    pair = TRUNC_B if with_pair else None
    added = num_specials(tok, with_pair)
    for max_length in range(1, added):
        with pytest.raises(InputError) as caught:
            inspector.inspect(TRUNC_A, pair, Settings(max_length=max_length))
        assert "special" in str(caught.value) and "\n" not in str(caught.value)


def test_max_length_equal_to_special_tokens_shows_the_real_cut(model_factory):
    """max_length == the template's size: AutoTokenizer keeps the special tokens only.

    That is not "smaller than the special tokens" (the issue's bad input); the inspector must
    show the real behaviour (every text token cut) instead of refusing with a message that
    says transformers cuts nothing.
    """
    for folder, pair in ((model_factory.bert(), None), (model_factory.roberta(), TRUNC_B)):
        inspector, tok = inspector_for(folder), reference(folder)
        added = num_specials(tok, pair is not None)
        got, ref = run_both(inspector, tok, TRUNC_A, pair, Settings(max_length=added))
        assert not isinstance(ref, BaseException)
        assert len(ref["input_ids"]) == added
        if isinstance(got, BaseException):
            pytest.fail(f"max_length {added} ({folder.name}, pair={pair is not None}): AutoTokenizer gives "
                        f"{ref['input_ids']} but the inspector refuses: {got}")
        check_truncation(got, tok, TRUNC_A, pair, ref)
        assert got.truncation.tokens_kept == added


def test_truncation_none_keeps_everything(model):
    name, folder, inspector, tok = model
    text = " ".join([TRUNC_A] * 3)
    inspection = inspector.inspect(text, settings=Settings(truncation="none", max_length=8))
    assert inspection.tokens.kept.all()
    assert not inspection.truncation.applied and inspection.truncation.tokens_lost == 0
    assert [int(i) for i in inspection.tokens.ids] == tok(text)["input_ids"]


def test_default_settings_equal_truncation_true(model):
    """Defaults are tokenizer(text, truncation=True): cut at model_max_length."""
    name, folder, inspector, tok = model
    words = TRUNC_A.split()
    text = " ".join(words[i % len(words)] for i in range(700))
    inspection = inspector.inspect(text)
    ref = tok(text, truncation=True, return_offsets_mapping=True)
    check_truncation(inspection, tok, text, None, ref)
    if len(tok(text)["input_ids"]) > tok.model_max_length:
        assert inspection.truncation.tokens_lost > 0


def test_long_text_on_minilm_cut_char(minilm_path):
    tok = reference(minilm_path)
    words = "every model reads the words of this sentence once and again".split()
    text = " ".join(words[i % len(words)] for i in range(700))
    inspection = inspector_for(minilm_path).inspect(text)
    full = tok(text, return_offsets_mapping=True)
    kept = tok(text, truncation=True)["input_ids"]
    assert kept_ids(inspection) == kept and len(kept) == 512
    assert inspection.truncation.cut_char == full["offset_mapping"][len(kept) - 1][0]  # first dropped text token
    assert inspection.truncation.tokens_lost == len(full["input_ids"]) - 512


# --------------------------------------------------------------------------- overflow windows (stride)


def window_parity(inspection, ref) -> None:
    """Each window covers, in the cut segment, exactly the tokens of one overflowing encoding."""
    t = inspection.truncation
    tokens = inspection.tokens
    segment = t.cut_segment
    assert segment in (0, 1)
    assert len(t.windows) == len(ref["input_ids"])
    for k, window in enumerate(t.windows):
        seq = ref.sequence_ids(k)
        offsets = [tuple(o) for o, s in zip(ref["offset_mapping"][k], seq) if s == segment]
        if not offsets:
            assert window.start_char is None
            continue
        assert (window.start_char, window.end_char) == (offsets[0][0], offsets[-1][1]), k
        covered = [
            (int(tokens.starts[i]), int(tokens.ends[i]))
            for i in range(window.first_token, window.last_token + 1)
            if tokens.segments[i] == segment
        ]
        assert covered == offsets, k


@pytest.mark.parametrize("max_length,stride", [(8, 2), (10, 3), (12, 1), (16, 6), (20, 10)])
def test_stride_windows_match_overflowing_tokens(model, max_length, stride):
    name, folder, inspector, tok = model
    text = TRUNC_A
    settings = Settings(max_length=max_length, stride=stride)
    got, ref = run_both(inspector, tok, text, None, settings, stride=stride, return_overflowing_tokens=True)
    if isinstance(ref, BaseException):
        assert isinstance(got, InputError), f"reference raised {ref!r}; inspector gave {got!r}"
        return
    assert not isinstance(got, BaseException), repr(got)
    assert kept_ids(got) == list(ref["input_ids"][0])
    if len(ref["input_ids"]) > 1:
        window_parity(got, ref)
        assert got.truncation.windows[0].first_token == (1 if tok.num_special_tokens_to_add() else 0)
        assert got.truncation.windows[-1].last_token == int(np.flatnonzero(got.tokens.segments == 0)[-1])


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("max_length,stride", [(12, 1), (20, 2), (24, 4), (30, 3)])
def test_stride_windows_on_pairs(model, strategy, max_length, stride):
    name, folder, inspector, tok = model
    settings = Settings(truncation=strategy, max_length=max_length, stride=stride)
    got, ref = run_both(inspector, tok, TRUNC_A, TRUNC_B, settings, stride=stride, return_overflowing_tokens=True)
    if isinstance(ref, BaseException):
        assert isinstance(got, InputError), f"reference raised {ref!r}; inspector gave {got!r}"
        return
    assert not isinstance(got, BaseException), repr(got)
    assert kept_ids(got) == list(ref["input_ids"][0])
    if got.truncation.tokens_lost:
        window_parity(got, ref)


def test_stride_too_large_for_a_pair_is_an_input_error(model_factory):
    """stride below max_length minus the specials, but above a pair segment's share.

    AutoTokenizer itself panics here (pyo3 PanicException, a BaseException); the inspector must
    turn it into a clear InputError, never let the panic through.
    """
    folder = model_factory.bert()
    inspector, tok = inspector_for(folder), reference(folder)
    settings = Settings(truncation="longest_first", max_length=8, stride=2)
    got, ref = run_both(inspector, tok, TRUNC_A, TRUNC_B, settings, stride=2, return_overflowing_tokens=True)
    assert isinstance(ref, BaseException) and not isinstance(ref, Exception), ref  # the reference panics
    assert isinstance(got, InputError), f"expected InputError, got {got!r}"
    assert "stride" in str(got) and "\n" not in str(got)


def test_stride_refused_by_the_tokenizer_is_an_input_error(model_factory):
    """tokenizer("hello", truncation=True, max_length=4, stride=3) raises ValueError up front
    (stride > max_length minus the template), although "hello" needs no cut. The inspector must
    not show an encoding that the user's call never produces."""
    folder = model_factory.bert()
    inspector, tok = inspector_for(folder), reference(folder)
    got, ref = run_both(inspector, tok, "hello", None, Settings(max_length=4, stride=3), stride=3)
    assert isinstance(ref, ValueError) and "stride" in str(ref), ref
    assert isinstance(got, InputError), f"expected InputError like tokenizer(...)'s ValueError, got {got!r}"


def test_empty_pair_is_encoded_as_autotokenizer_does(model_factory):
    """tokenizer(text, "") ignores the empty pair ([CLS] text [SEP]); the inspection must match."""
    for folder in (model_factory.bert(), model_factory.roberta()):
        inspector, tok = inspector_for(folder), reference(folder)
        enc = encode(tok, "hello world", "")
        inspection = inspector.inspect("hello world", "")
        assert [int(i) for i in inspection.tokens.ids] == enc["input_ids"], folder.name
        assert_same_encoding(inspection, tok, enc)


@pytest.mark.parametrize("name", ["roberta_base", "xlm_roberta", "camembert", "modernbert", "albert", "deberta_v3"])
def test_typed_mask_token_reads_as_the_vocabulary_has_it(name, model_factory, request):
    """A mask token typed in the text is the mask id with the vocabulary's string (``<mask>``), not the
    text it swallowed (``' <mask>'`` when the token strips the space on its left)."""
    folder = folder_of(name, model_factory, request)
    inspector, tok = inspector_for(folder), reference(folder)
    text = f"the {tok.mask_token} is here"
    inspection = inspector.inspect(text)
    at = [int(i) for i in inspection.tokens.ids].index(tok.mask_token_id)
    assert inspection.tokens.strings[at] == tok.mask_token
    row = inspection.token(at)
    assert text[row.start:row.end].strip() == tok.mask_token
