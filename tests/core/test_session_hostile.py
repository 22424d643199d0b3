"""Session files that cannot be read are refused with a SessionError (the app sets them aside), never
another exception: the cases a user hit (issue 11) and a hypothesis fuzz of session JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from bertinspector.core import session

HUGE = "9" * 5000
GOOD = {"schema": "bertinspector.session/1", "text": "hello", "pair": None, "input": "text", "ids": "",
        "slots": [{"source": "default", "settings": {"max_length": 128}}], "compare": False, "extra": {}}


def _raw(**fields: str) -> bytes:
    """The good session with some fields replaced by raw JSON text."""
    kept = json.dumps({k: v for k, v in GOOD.items() if k not in fields})[:-1]
    return (kept + "".join(f', "{k}": {v}' for k, v in fields.items()) + "}").encode()


@pytest.mark.parametrize("content", [
    _raw(schema='"bertinspector.session/²"'),
    _raw(schema=f'"bertinspector.session/{HUGE}"'),
    _raw(schema='"bertinspector.session/-1"'),
    _raw(text=HUGE),
    _raw(slots=f'[{{"source": "default", "settings": {{"max_length": {HUGE}}}}}]'),
    _raw(slots='[{"source": "default", "settings": {"max_length": 100000000000000000000}}]'),
    _raw(slots='[{"source": "default", "settings": {"stride": -4}}]'),
    _raw(slots='[{"source": 5}]'),
    _raw(slots='{"source": "default"}'),
    _raw(slots='["default"]'),
    _raw(slots='[{"source": "default", "settings": [1, 2]}]'),
    _raw(slots='[{"source": "default", "settings": {"truncation": 3}}]'),
    _raw(text="17"), _raw(ids="[1, 2]"), _raw(pair="{}"),
    b"[" * 100_000,
])
def test_unreadable_sessions_are_refused_in_one_message(tmp_path, content):
    path = tmp_path / f"bad{session.SUFFIX}"
    path.write_bytes(content)
    with pytest.raises(session.SessionError) as refused:
        session.load(path)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 300


def test_a_lone_surrogate_in_the_text_is_kept_as_a_question_mark(tmp_path):
    path = tmp_path / f"s{session.SUFFIX}"
    path.write_bytes(_raw(text='"before \\ud800 after"'))
    restored = session.load(path)
    assert restored.text == "before ? after"
    session.save(path, restored)  # and it can be written again


RAW_HOSTILE = [HUGE, "-" + HUGE, "1e999", "NaN", "-1", "0", "10000000000000000000000", '"²"', "[]", "{}", "null",
               "true", '"\\ud800"', "[[[[[[]]]]]]"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**66), 2**66) | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
raw_values = st.one_of(st.sampled_from(RAW_HOSTILE), json_values.map(json.dumps))
KEYS = ["schema", "text", "pair", "input", "ids", "slots", "compare", "extra"]
slot_raw = st.builds(
    lambda source, settings_: f'{{"source": {source}, "settings": {settings_}}}',
    st.one_of(st.just('"default"'), raw_values),
    st.one_of(raw_values, st.dictionaries(st.sampled_from(["max_length", "stride", "truncation", "lowercase",
                                                           "add_special_tokens"]), raw_values, max_size=3).map(
        lambda d: "{" + ", ".join(f'"{k}": {v}' for k, v in d.items()) + "}")),
)


@settings(max_examples=150, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(KEYS), raw_values, max_size=4),
       slots=st.one_of(st.none(), st.lists(slot_raw, max_size=3).map(lambda s: "[" + ", ".join(s) + "]")))
def test_fuzzed_session_json_loads_or_is_refused(tmp_path_factory, fields, slots):
    if slots is not None:
        fields = {**fields, "slots": slots}
    path = tmp_path_factory.mktemp("s") / f"fuzz{session.SUFFIX}"
    path.write_bytes(_raw(**fields))
    try:
        restored = session.load(path)
    except session.SessionError as refused:
        assert "\n" not in str(refused)
        return
    assert isinstance(restored.text, str) and all(isinstance(s.source, str) for s in restored.slots)
    session.save(path, restored)  # what was read can be written back
