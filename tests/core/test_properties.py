"""Property tests: arbitrary unicode and arbitrary settings never break the engine.

For any text (and pair) and any :class:`Settings`:

* the only exception ever raised is :class:`InputError` (lone surrogates always raise it);
* offsets lie inside the text they point into, special tokens have none;
* ``tokens_kept + tokens_lost == tokens_total`` and the kept ids equal AutoTokenizer's
  truncated ids for the same settings;
* every diagnostic has a v1 code with its severity, token positions inside ``tokens`` and
  character spans inside the text;
* the JSON, text and Markdown reports can always be written.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings, strategies as st

from bertinspector.core import report
from bertinspector.core.diagnostics import CODES
from bertinspector.core.errors import InputError
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import LOWERCASE_MODES, TRUNCATION_STRATEGIES, Settings

FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FAMILY_NAMES = ("roberta_base", "xlm_roberta", "camembert", "albert", "deberta_v3", "distilbert", "electra", "modernbert")
MODEL_NAMES = ("bert", "cased", "roberta", "minilm", *FAMILY_NAMES)
# where AutoTokenizer takes do_lower_case=...; on the others "off" is what the files say, "on" has no reference
LOWERCASE_SWITCH = frozenset({"bert", "cased", "minilm", "albert", "deberta_v3", "distilbert", "electra"})

# --------------------------------------------------------------------------- strategies

COMBINING = ["\u0301", "\u0300", "\u0308", "\u0327", "\u20dd", "\u0489"]
RTL = ["\u05d0", "\u05e9", "\u0627", "\u0644", "\u200f", "\u202e", "\u061c"]
CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9f"]
FORMAT = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ufffd", "\ue000", "\U000f0000"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\x0b", "\x0c"]
OTHER = ["é", "É", "ß", "İ", "ﬁ", "Å", "日", "本", "한", "😀", "🏽", "👨\u200d👩", "🇫🇷", "\U0001d400", "ǅ"]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff", "\udc80"]
WORDS = ["the", "quick", "brown", "Hello", "WORLD", "model", "[MASK]", "<mask>", "[CLS]", "[SEP]", "<s>",
         "</s>", "[UNK]", "<pad>", "café", "naïve", "x" * 101, "ab" * 70, "3.14", "can't", "..."]

TRICKY = st.sampled_from(COMBINING + RTL + CONTROL + FORMAT + SPACES + OTHER)
FAMILY_WORDS = ["<unk>", "[mask]", "<MASK>", "a<mask>b", "x[SEP]y", "café", "Straße", "niño", "Привет", "Γεια",
                "مرحبا", "שלום", "東京", "서울", "🚀", "👨\u200d👩", "  ", "\t<s>"]
ANY_CHAR = st.characters(exclude_categories=())  # every category, surrogates (Cs) included
piece = st.one_of(
    st.characters(),  # arbitrary unicode without surrogates
    TRICKY,
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: " " + w),
    ANY_CHAR,
)


@st.composite
def unicode_texts(draw):
    """Arbitrary text; about one in ten carries a lone surrogate somewhere."""
    text = draw(st.one_of(
        st.lists(piece, max_size=40).map("".join),
        st.lists(st.one_of(st.sampled_from(WORDS).map(lambda w: w + " "), piece), min_size=8, max_size=60).map("".join),
    ))
    if draw(st.integers(0, 9)) == 7:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(SURROGATES)) + text[at:]
    return text


texts = unicode_texts()
clean_texts = st.lists(st.one_of(st.characters(), TRICKY, st.sampled_from(WORDS).map(lambda w: w + " ")),
                       max_size=60).map("".join)

settings_strategy = st.builds(
    Settings,
    add_special_tokens=st.booleans(),
    truncation=st.sampled_from(TRUNCATION_STRATEGIES),
    max_length=st.one_of(st.none(), st.integers(1, 10), st.integers(4, 10), st.integers(1, 60)),
    stride=st.one_of(st.just(0), st.just(0), st.integers(1, 12)),
    lowercase=st.sampled_from(LOWERCASE_MODES),
)

# --------------------------------------------------------------------------- fixtures


class Model:
    def __init__(self, name: str, folder):
        self.name = name
        self.folder = folder
        self.inspector = Inspector.open(str(folder))
        self._references: dict[str, object] = {}

    def reference(self, lowercase: str):
        """AutoTokenizer for a lowercasing mode, or None when transformers has no such switch."""
        from transformers import AutoTokenizer

        if lowercase not in self._references:
            if lowercase == "auto" or (self.name not in LOWERCASE_SWITCH and lowercase == "off"):
                tok = AutoTokenizer.from_pretrained(str(self.folder))
            elif self.name not in LOWERCASE_SWITCH:
                tok = None  # this tokenizer class has no do_lower_case to compare with
            else:
                tok = AutoTokenizer.from_pretrained(str(self.folder), do_lower_case=lowercase == "on")
            self._references[lowercase] = tok
        return self._references[lowercase]


@pytest.fixture(scope="session")
def models(request, model_factory) -> dict[str, Model]:
    folders = {
        "bert": model_factory.bert(),
        "cased": model_factory.bert(cased=True),
        "roberta": model_factory.roberta(),
        **{name: model_factory.family(name.removesuffix("_base")) for name in FAMILY_NAMES},
    }
    try:
        folders["minilm"] = request.getfixturevalue("minilm_path")
    except pytest.skip.Exception:  # the demo package is not installed: test the tiny models only
        pass
    return {name: Model(name, folder) for name, folder in folders.items()}


def pick(models: dict, name: str) -> Model:
    assume(name in models)
    return models[name]


# --------------------------------------------------------------------------- helpers


def has_surrogate(*values) -> bool:
    return any(v is not None and any("\ud800" <= c <= "\udfff" for c in v) for v in values)


def inspect_or_input_error(inspector: Inspector, text, pair, settings_):
    """The inspection, or None for an InputError; anything else fails the test."""
    try:
        return inspector.inspect(text, pair, settings_)
    except InputError as error:
        message = str(error)
        assert message.strip() and "\n" not in message, repr(message)
        return None
    except BaseException as error:  # a tokenizers panic is a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise AssertionError(f"inspect raised {type(error).__name__}: {error}") from None


def reference_ids(tok, text, pair, s: Settings):
    """``tok(text, pair, ...)['input_ids']`` for the settings, or the exception it raised."""
    kwargs = dict(add_special_tokens=s.add_special_tokens)
    if s.truncation != "none":
        kwargs.update(truncation=s.truncation, max_length=s.max_length, stride=s.stride)
    try:
        return tok(text, pair, **kwargs)["input_ids"]
    except BaseException as error:
        if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return error


def check_invariants(inspection) -> None:
    tokens = inspection.tokens
    n = len(tokens)
    assert len(tokens.ids) == len(tokens.starts) == len(tokens.ends) == len(tokens.kept) == n
    for i in range(n):
        start, end, segment = int(tokens.starts[i]), int(tokens.ends[i]), int(tokens.segments[i])
        if inspection.input_kind == "ids":  # pasted ids have no characters behind them
            assert (start, end) == (-1, -1) and segment in (-1, 0, 1)
            assert not tokens.kept.size or tokens.kept.all()
            continue
        if tokens.special[i]:
            assert (start, end, segment) == (-1, -1, -1)
            continue
        assert segment in ((0,) if inspection.pair is None else (0, 1)), (i, segment)
        limit = len(inspection.segment_text(segment))
        assert 0 <= start <= end <= limit, (i, start, end, limit)
        row = inspection.token(i)
        assert (row.start, row.end) == (start, end)

    t = inspection.truncation
    assert t.tokens_total == n
    assert t.tokens_kept + t.tokens_lost == t.tokens_total
    assert t.tokens_kept == int(tokens.kept.sum())
    if t.tokens_lost:
        assert t.applied
        first_lost = int(next(i for i in range(n) if not tokens.kept[i]))
        assert t.cut_char == (None if tokens.starts[first_lost] < 0 else int(tokens.starts[first_lost]))
        assert 0 <= t.cut_char <= len(inspection.segment_text(int(tokens.segments[first_lost])))
    else:
        assert t.cut_char is None

    span_limit = max(len(inspection.text), len(inspection.pair or ""))
    for d in inspection.diagnostics:
        assert d.code in CODES and d.severity == CODES[d.code], d
        assert d.message.strip(), d
        for position in d.tokens:
            assert 0 <= position < n, (d.code, position, n)
        for start, end in d.spans:
            assert 0 <= start <= end <= span_limit, (d.code, start, end, span_limit)


def check_reports(inspection) -> None:
    data = json.loads(report.dumps(report.to_json(inspection)))
    assert len(data["tokens"]) == len(inspection.tokens)
    assert [d["code"] for d in data["diagnostics"]] == inspection.codes()
    report.render_text(inspection)
    report.render_markdown(inspection)


# --------------------------------------------------------------------------- properties


@FAST
@given(
    name=st.sampled_from(MODEL_NAMES),
    text=texts,
    pair=st.one_of(st.none(), texts.map(lambda t: t or "b")),  # an empty pair: see test_parity
    s=settings_strategy,
)
@example(name="bert", text="a\ud800b", pair=None, s=Settings())
@example(name="roberta", text="ok", pair="\udfff", s=Settings())
@example(name="bert", text="the quick brown fox jumps over the lazy dog again and again",
         pair="hello world this is a test", s=Settings(max_length=8, stride=2))
@example(name="bert", text="hello", pair=None, s=Settings(max_length=4, stride=3))  # tokenizers refuses the stride
# the tokenizer's own stride check counts the template's specials even without them, and skips a
# max_length below them: refused, refused, accepted
@example(name="bert", text="000", pair=None, s=Settings(add_special_tokens=False, max_length=2, stride=1))
@example(name="bert", text="", pair=None, s=Settings(add_special_tokens=False, max_length=2, stride=1))
@example(name="bert", text="", pair=None, s=Settings(add_special_tokens=False, max_length=1, stride=2))
@example(name="bert", text="0", pair="000", s=Settings(add_special_tokens=False, max_length=3, stride=1))  # A is not cut
@example(name="bert", text="hello world", pair=None, s=Settings(truncation="only_second", max_length=2))  # all cut
@example(name="minilm", text="x" * 300 + " \x00\u200b\ufffd", pair=None, s=Settings(max_length=3))
def test_any_text_any_settings(models, name, text, pair, s):
    model = pick(models, name)
    inspection = inspect_or_input_error(model.inspector, text, pair, s)
    if has_surrogate(text, pair):
        event("lone surrogate")
        assert inspection is None, "a lone surrogate must raise InputError"
        return
    tok = model.reference(s.lowercase)
    expected = reference_ids(tok, text, pair, s) if tok is not None else None

    if inspection is None:
        # refused: only when AutoTokenizer refuses too, or max_length leaves no room for text
        added = model.inspector.tokenizer(s.lowercase).num_special_tokens_to_add(pair is not None)
        no_room = s.add_special_tokens and s.max_length is not None and s.max_length <= added
        assert no_room or expected is None or isinstance(expected, BaseException), (
            f"InputError although AutoTokenizer gives {expected}")
        event("InputError")
        return

    event("cut" if inspection.truncation.tokens_lost else "not cut")
    check_invariants(inspection)
    check_reports(inspection)
    if expected is None:
        return
    assert not isinstance(expected, BaseException), f"AutoTokenizer raised {expected!r}, the inspector did not"
    kept = [int(i) for i, k in zip(inspection.tokens.ids, inspection.tokens.kept) if k]
    assert kept == list(expected)


# at least 20 words, each giving at least one token (a tricky character may follow a word)
word_texts = st.lists(
    st.tuples(st.sampled_from(WORDS), st.one_of(st.just(""), TRICKY)).map("".join), min_size=20, max_size=60
).map(" ".join)


@FAST
@given(
    name=st.sampled_from(MODEL_NAMES),
    text=word_texts,
    pair=st.one_of(st.none(), word_texts),
    truncation=st.sampled_from(["longest_first", "only_first", "only_second"]),
    max_length=st.integers(4, 19),
    add_special_tokens=st.booleans(),
    lowercase=st.sampled_from(LOWERCASE_MODES),
)
def test_long_texts_are_cut_like_autotokenizer(models, name, text, pair, truncation, max_length,
                                               add_special_tokens, lowercase):
    """Texts that always need cutting: kept ids == tokenizer(text, pair, truncation=..., max_length=N)."""
    model = pick(models, name)
    s = Settings(add_special_tokens=add_special_tokens, truncation=truncation, max_length=max_length,
                 lowercase=lowercase)
    inspection = inspect_or_input_error(model.inspector, text, pair, s)
    tok = model.reference(lowercase)
    expected = reference_ids(tok, text, pair, s) if tok is not None else None
    if inspection is None:
        # max_length <= the template's size is refused (== is test_parity's
        # test_max_length_equal_to_special_tokens_shows_the_real_cut)
        added = model.inspector.tokenizer(lowercase).num_special_tokens_to_add(pair is not None)
        no_room = add_special_tokens and max_length <= added
        assert no_room or expected is None or isinstance(expected, BaseException), (
            f"InputError, AutoTokenizer gives {expected}")
        return
    event("cut" if inspection.truncation.tokens_lost else "not cut")
    check_invariants(inspection)
    assert inspection.truncation.tokens_lost > 0
    if expected is not None:
        assert not isinstance(expected, BaseException), f"AutoTokenizer raised {expected!r}, the inspector did not"
        kept = [int(i) for i, k in zip(inspection.tokens.ids, inspection.tokens.kept) if k]
        assert kept == list(expected)


def untruncated_encoding_matches(models, name, text, s):
    """Every token of the full encoding (ids, strings, offsets) equals AutoTokenizer's."""
    model = pick(models, name)
    tok = model.reference(s.lowercase)
    s = s.with_(truncation="none")
    inspection = inspect_or_input_error(model.inspector, text, None, s)
    assert inspection is not None
    check_invariants(inspection)
    if tok is None:
        return
    enc = tok(text, add_special_tokens=s.add_special_tokens, return_offsets_mapping=True,
              return_special_tokens_mask=True)
    assert [int(i) for i in inspection.tokens.ids] == enc["input_ids"]
    assert list(inspection.tokens.strings) == tok.convert_ids_to_tokens(enc["input_ids"])
    for i, (offset, special) in enumerate(zip(enc["offset_mapping"], enc["special_tokens_mask"])):
        if not special:
            assert (int(inspection.tokens.starts[i]), int(inspection.tokens.ends[i])) == tuple(offset)


test_untruncated_encoding_matches_autotokenizer = FAST(given(
    name=st.sampled_from(MODEL_NAMES), text=clean_texts, s=settings_strategy)(untruncated_encoding_matches))


@pytest.mark.parametrize("family", FAMILY_NAMES)
@settings(FAST, max_examples=25)
@given(text=st.lists(st.one_of(TRICKY, st.sampled_from(WORDS + FAMILY_WORDS).map(lambda w: w + " ")), max_size=30)
       .map("".join), pair=st.one_of(st.none(), st.sampled_from(FAMILY_WORDS)))
def test_each_family_encodes_like_autotokenizer(models, family, text, pair):
    """Per family: tricky characters, typed special tokens and pairs give AutoTokenizer's ids, token
    strings, offsets, special flags and type ids."""
    untruncated_encoding_matches(models, family, text, Settings(truncation="none"))
    model = models[family]
    tok = model.reference("auto")
    inspection = model.inspector.inspect(text, pair, Settings(truncation="none"))
    enc = tok(text, pair, return_offsets_mapping=True, return_special_tokens_mask=True)
    assert list(inspection.tokens.strings) == tok.convert_ids_to_tokens(enc["input_ids"])
    assert inspection.tokens.special.tolist() == [bool(v) for v in enc["special_tokens_mask"]]
    if "token_type_ids" in enc:
        assert inspection.tokens.type_ids.tolist() == enc["token_type_ids"]
    else:
        assert inspection.tokens.type_ids is None


@FAST
@given(name=st.sampled_from(MODEL_NAMES), text=st.lists(ANY_CHAR, min_size=1, max_size=20).map("".join),
       where=st.integers(0, 20), surrogate=st.sampled_from(SURROGATES), in_pair=st.booleans())
def test_lone_surrogates_raise_input_error(models, name, text, where, surrogate, in_pair):
    bad = text[:where] + surrogate + text[where:]
    text_arg, pair_arg = ("fine", bad) if in_pair else (bad, None)
    with pytest.raises(InputError) as caught:
        pick(models, name).inspector.inspect(text_arg, pair_arg)
    assert "surrogate" in str(caught.value) or "Unicode" in str(caught.value)


@FAST
@given(name=st.sampled_from(MODEL_NAMES), pasted=st.one_of(
    st.text(max_size=40),
    st.lists(st.integers(-5, 40_000), max_size=30).map(lambda ids: ", ".join(map(str, ids))),
    st.lists(st.integers(0, 40_000), min_size=1, max_size=30).map(lambda ids: f"tensor([{ids}])"),
))
@example(name="bert", pasted="101, 99999999999999999999, 102")  # beyond int64
def test_pasted_ids_never_raise_anything_but_input_error(models, name, pasted):
    inspector = pick(models, name).inspector
    try:
        inspection = inspector.inspect_ids(pasted)
    except InputError as error:
        assert str(error).strip() and "\n" not in str(error)
        return
    check_invariants(inspection)
    check_reports(inspection)
    rows = inspection.facts.embedding_rows
    out_of_range = any(int(i) >= rows for i in inspection.tokens.ids)
    assert ("token-id-out-of-range" in inspection.codes()) is out_of_range
