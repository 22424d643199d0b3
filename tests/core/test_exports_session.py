"""Exports round-trip and session files survive damage; the Python snippet reproduces the ids."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from bertinspector.core import exports, report, session
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings

TEXT = "The naïve model reads this sentence 😀 and the other one. " * 3


@pytest.fixture(scope="module")
def bert(model_factory):
    return Inspector.open(str(model_factory.bert()))


def test_csv_has_every_token_and_the_characters_it_covers(bert):
    inspection = bert.inspect(TEXT, settings=Settings(max_length=20))
    rows = list(csv.DictReader(io.StringIO(exports.tokens_csv(inspection))))
    assert tuple(rows[0]) == exports.CSV_COLUMNS
    assert len(rows) == len(inspection.tokens)
    assert [r["token"] for r in rows] == list(inspection.tokens.strings)
    assert sum(r["kept"] == "1" for r in rows) == 20
    unk = next(r for r in rows if r["unk"] == "1")
    assert unk["text"] == "😀"
    assert rows[0]["start"] == "" and rows[0]["special"] == "1"


def test_json_round_trips_into_the_same_tokens(bert):
    inspection = bert.inspect(TEXT, "A pair.", Settings(max_length=24))
    data = json.loads(report.dumps(report.to_json(inspection)))
    assert [t["id"] for t in data["tokens"]] == inspection.tokens.ids.tolist()
    assert [t["kept"] for t in data["tokens"]] == inspection.tokens.kept.tolist()
    assert data["truncation"]["cut_char"] == inspection.truncation.cut_char
    assert {d["code"] for d in data["diagnostics"]} == set(inspection.codes())


@pytest.mark.parametrize("pair, settings", [(None, Settings(max_length=24, stride=4)), ("A pair.", Settings(max_length=24))])
def test_json_reads_back_into_the_same_inspection(bert, pair, settings):
    inspection = bert.inspect(TEXT, pair, settings)
    data = json.loads(report.dumps(report.to_json(inspection)))
    again = report.from_json(data, inspection.text, inspection.pair)
    assert report.to_json(again) == data
    assert again.truncation.cut_token == inspection.truncation.cut_token
    assert again.truncation.windows == inspection.truncation.windows
    assert report.render_text(again) == report.render_text(inspection)


def test_markdown_report_holds_every_diagnostic_and_the_cut(bert):
    inspection = bert.inspect(TEXT + " <mask>", settings=Settings(max_length=16))
    markdown = report.render_markdown(inspection)
    for code in inspection.codes():
        assert f"`{code}`" in markdown
    assert "✂ cut at token" in markdown


@pytest.mark.parametrize(
    "settings, pair",
    [(Settings(), None), (Settings(max_length=12), "a second text"), (Settings(lowercase="off", add_special_tokens=False), None),
     (Settings(max_length=16, stride=4), None), (Settings(truncation="none"), None)],
)
def test_python_snippet_gives_the_same_ids_and_runs_the_model(bert, settings, pair):
    inspection = bert.inspect(TEXT, pair, settings)
    namespace: dict = {}
    exec(exports.python_snippet(bert, inspection), namespace)  # noqa: S102 - our own generated code
    kept = [int(i) for i, k in zip(inspection.tokens.ids, inspection.tokens.kept) if k]
    assert namespace["encoding"]["input_ids"][0].tolist() == kept
    assert len(namespace["outputs"].attentions) == 2


def test_python_snippet_runs_as_is_in_a_fresh_interpreter(bert):
    inspection = bert.inspect(TEXT, settings=Settings(max_length=12))
    script = exports.python_snippet(bert, inspection) + "print(encoding['input_ids'][0].tolist())\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    kept = [int(i) for i, k in zip(inspection.tokens.ids, inspection.tokens.kept) if k]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == kept


def test_python_snippet_for_lowercasing_on_a_bpe_tokenizer(model_factory):
    inspector = Inspector.open(str(model_factory.roberta()))
    inspection = inspector.inspect("The Model", settings=Settings(lowercase="on"))
    script = exports.python_snippet(inspector, inspection).split("model = AutoModel")[0]
    namespace: dict = {}
    exec(script, namespace)  # noqa: S102 - our own generated code
    assert namespace["encoding"]["input_ids"][0].tolist() == inspection.tokens.ids.tolist()


def test_session_round_trip(tmp_path):
    saved = session.Session(text="héllo\x00 wörld", pair="b", slots=(session.Slot("default", Settings(max_length=64)), session.Slot("/x", Settings(lowercase="off"))), compare=True)
    path = tmp_path / f"work{session.SUFFIX}"
    session.save(path, saved)
    assert session.load(path) == saved


def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / f"work{session.SUFFIX}"
    session.save(path, session.Session(text="first"))

    def disk_full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        session.save(path, session.Session(text="second"))
    assert session.load(path).text == "first"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no partial file left


@pytest.mark.parametrize(
    "content, message",
    [(b"{not json", "not valid JSON"), (b'{"schema": "bertinspector.session/99", "slots": []}', "newer bertinspector"),
     (b'{"schema": "something-else"}', "not a bertinspector session"), (b"\xff\xfe\x00", "not valid JSON"),
     (b'{"schema": "bertinspector.session/1", "slots": [{"nosource": 1}]}', "damaged")],
)
def test_unreadable_sessions_give_a_clear_message_and_are_set_aside(tmp_path, content, message):
    path = tmp_path / f"bad{session.SUFFIX}"
    path.write_bytes(content)
    with pytest.raises(session.SessionError, match=message):
        session.load(path)
    moved = session.set_aside(path)
    assert not path.exists() and moved.read_bytes() == content
