"""Exports and sessions get the user's file mode; the token CSV names the model's positions; an empty
text is an input; ids come from a file (issue 11)."""

from __future__ import annotations

import csv
import io
import os
import stat

import pytest

from bertinspector.app.cli import main
from bertinspector.core import exports, files, session
from bertinspector.core.inspector import Inspector
from bertinspector.core.pasted_ids import MAX_IDS
from bertinspector.core.model import Settings


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    files._UMASK = 0o027
    yield
    os.umask(previous)
    files._UMASK = previous


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path, umask_027):
    path = tmp_path / f"s{session.SUFFIX}"
    session.save(path, session.Session(text="hello"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0666 & ~027, not mkstemp's 0600


def test_a_replaced_file_keeps_its_own_mode(tmp_path):
    path = tmp_path / "tokens.csv"
    path.write_text("old")
    path.chmod(0o604)
    files.write_atomic(path, b"new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o604 and path.read_bytes() == b"new"


def test_the_token_csv_gives_the_position_the_model_sees(model_factory):
    inspector = Inspector.open(str(model_factory.bert()))
    text = "the model reads this sentence and the other one"
    inspection = inspector.inspect(text, settings=Settings(max_length=8))
    rows = list(csv.DictReader(io.StringIO(exports.tokens_csv(inspection))))
    kept = [row for row in rows if row["kept"] == "1"]
    assert [row["model_position"] for row in kept] == [str(i) for i in range(8)]
    assert all(row["model_position"] == "" for row in rows if row["kept"] == "0") and len(rows) > 8
    ids = inspector.tokenizer()(text, truncation=True, max_length=8)["input_ids"]
    assert [int(row["id"]) for row in sorted(kept, key=lambda r: int(r["model_position"]))] == ids


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_an_empty_or_blank_text_is_cls_sep(capsys, model_factory, text):
    folder = str(model_factory.bert())
    assert Inspector.open(folder).inspect(text).tokens.strings == ("[CLS]", "[SEP]")
    assert main(["inspect", folder, "--text", text]) == 0
    assert "[CLS] [SEP]" in capsys.readouterr().out
    assert main(["compare", folder, folder, "--text", text, "--variant", "no-special-tokens", "--fail-on", "never"]) == 0
    assert capsys.readouterr().err == ""


def test_ids_from_a_file_and_from_stdin(capsys, model_factory, tmp_path, monkeypatch):
    folder = str(model_factory.bert())
    ids = Inspector.open(folder).tokenizer()("the model reads")["input_ids"]
    path = tmp_path / "ids.txt"
    path.write_text(f"tensor([{ids}])\n")
    assert main(["inspect", folder, "--ids-file", str(path), "--format", "json"]) == 0
    import json

    assert [t["id"] for t in json.loads(capsys.readouterr().out)["tokens"]] == ids
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(", ".join(map(str, ids)).encode())))
    assert main(["inspect", folder, "--ids-file", "-"]) == 0
    assert "[CLS] the model read ##s [SEP]" in capsys.readouterr().out


def test_a_million_ids_from_a_file(capsys, model_factory, tmp_path):
    folder = str(model_factory.bert())
    path = tmp_path / "million.txt"
    path.write_text(" ".join(["7"] * MAX_IDS))
    assert main(["inspect", folder, "--ids-file", str(path), "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert f"{MAX_IDS} of {MAX_IDS} tokens reach the model" in out and "tokens not shown" in out  # summarised
    path.write_text(" ".join(["7"] * (MAX_IDS + 1)))
    assert main(["inspect", folder, "--ids-file", str(path)]) == 2
    assert "too many ids" in capsys.readouterr().err


@pytest.mark.parametrize("content, said", [("1, 2.5", "'2.5' is not a token id"), ("", "no token ids"),
                                           ("5, -1", "never negative")])
def test_bad_ids_in_a_file_are_one_line(capsys, model_factory, tmp_path, content, said):
    path = tmp_path / "ids.txt"
    path.write_text(content)
    assert main(["inspect", str(model_factory.bert()), "--ids-file", str(path)]) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1
