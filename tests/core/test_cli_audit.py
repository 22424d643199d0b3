"""``bertinspector audit``: the CLI contract (formats, output file, exit codes, CI gates), the skew of the
same rows under B and against a second dataset, progress, Ctrl+C, and start-up without torch."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from bertinspector.app import cli_audit
from bertinspector.app.cli import main

SENTENCES = ["The film was great and the actors were superb.", "I did not like the ending of this movie at all.",
             "Paris in the spring is lovely, said Marie.", "A slow start, but the second half is much better.",
             "The soundtrack by John Williams is iconic.", "Nobody expected the twist in the final act."]


def sentences(n: int, seed: int, *, lower: bool = False, emoji: bool = False, long: bool = False) -> list[str]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        text = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 3 if not long else 30)))
        if emoji and rng.random() < 0.7:
            text += " 😀🎬"
        rows.append(text.lower() if lower else text)
    return rows


def jsonl(path, texts, labels=None):
    path.write_text("".join(json.dumps({"text": t, **({"label": labels[i]} if labels else {})}) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    return str(path)


def run(capsys, *argv):
    try:
        code = main(["audit", *map(str, argv), "--workers", "1"])
    except SystemExit as exit:  # argparse's own usage errors
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-audit")
    texts = sentences(60, 1) + ["word " * 600]
    return jsonl(folder / "train.jsonl", texts, [f"c{i % 2}" for i in range(len(texts))])


def test_done_when_the_summary_prints_with_label_slices(capsys, data):
    code, out, err = run(capsys, "default", data, "--label-column", "label")
    assert code == 0 and err == ""
    assert "61 examples of 61 rows" in out and "Length in tokens" in out and "✂" in out
    assert "Truncation at max_length 512: 1 examples cut" in out
    assert "Slices by label" in out and "c0" in out and "c1" in out
    assert "max-length-disagreement" in out


def test_json_is_the_contract_document(capsys, data):
    code, out, _ = run(capsys, "default", data, "--format", "json", "--max-length", "64")
    document = json.loads(out)
    assert code == 0 and document["schema"] == "bertinspector.audit/1"
    assert set(document) >= {"model", "settings", "data", "length", "histogram", "truncation", "unknown",
                             "dropped_characters", "words", "diagnostics", "worst", "slices", "b", "against", "timing"}
    assert document["settings"]["max_length"] == 64 and 64 in document["histogram"]["edges"]
    assert document["timing"]["engine"] == "local" and document["timing"]["workers"] == 1


def test_markdown_and_html_and_atomic_output(capsys, data, tmp_path):
    code, out, _ = run(capsys, "default", data, "--format", "markdown", "--max-length", "32")
    assert code == 0 and out.startswith("## bertinspector audit") and "| tokens | examples |" in out
    target = tmp_path / "report.html"
    target.write_text("old report")
    code, out, _ = run(capsys, "default", data, "--format", "html", "--max-length", "32", "--output", target)
    page = target.read_text(encoding="utf-8")
    assert code == 0 and out == ""
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "✂ max_length 32" in page
    assert "class='cut'" in page and "scissors" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "<script" not in page
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


def test_unknown_tokens_are_marked_in_the_html(capsys, tmp_path, model_factory):
    data = jsonl(tmp_path / "emoji.jsonl", ["hello 😀 world"] * 3)
    code, _, _ = run(capsys, model_factory.bert(), data, "--format", "html", "--output", tmp_path / "r.html")
    assert code == 0 and "<mark class='unk'>😀</mark>" in (tmp_path / "r.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, expected_code, message", [
    (["--fail-on", "warning"], 1, "findings at --fail-on warning: max-length-disagreement"),
    (["--max-length", "16", "--max-truncated", "5"], 1, "of the examples are cut (over --max-truncated 5)"),
    (["--max-length", "16", "--max-truncated", "100", "--fail-on", "never"], 0, ""),
    (["--max-unknown", "0"], 0, ""),
    (["--ray-address", "auto"], 2, "--ray-address needs --engine ray"),
    (["--column", "nope"], 2, "no row of the first ones has a field 'nope'"),
    (["--variant", "pair-swapped"], 2, "swapping the pair needs a pair"),
    (["--max-length", "1"], 2, "smaller than the 2 special tokens"),
    (["--max-unknown", "120"], 2, "not between 0 and 100"),
])
def test_exit_codes(capsys, data, argv, expected_code, message):
    code, out, err = run(capsys, "default", data, *argv)
    assert code == expected_code
    assert message in err
    assert "Traceback" not in err
    if code == 2:
        assert out == "" and len(err.strip().splitlines()) == 1


def test_max_unknown_gate(capsys, tmp_path, model_factory):
    data = jsonl(tmp_path / "emoji.jsonl", ["hello 😀 world"] * 3)
    code, _, err = run(capsys, model_factory.bert(), data, "--max-unknown", "10")
    assert code == 1 and "of the tokens are unknown (over --max-unknown 10)" in err


def test_the_same_rows_under_b_lowercasing_flipped(capsys, data):
    code, out, _ = run(capsys, "default", data, "--variant", "lowercase-flipped", "--format", "json")
    document = json.loads(out)
    b = document["b"]
    assert b["settings"]["lowercase"] == "off"
    assert b["examples_changed"] == document["data"]["examples"] - 1  # each sentence has a capital ([UNK] under B); "word word …" none
    assert b["unknown"]["tokens"] > document["unknown"]["tokens"] == 0
    assert b["rows_changed"] == list(range(20))


def test_b_changes_only_the_rows_it_cuts(capsys, data):
    code, out, _ = run(capsys, "default", data, "--b-max-length", "16", "--format", "json")
    document = json.loads(out)
    b = document["b"]
    assert b["truncation"]["max_length"] == 16
    assert b["examples_changed"] == b["truncation"]["examples_cut"] > 0


# -- skew against a second dataset ----------------------------------------------------------------


def test_the_seeds_third_failure_lowercased_training_data_is_casing_skew(capsys, tmp_path):
    train = jsonl(tmp_path / "train.jsonl", sentences(300, 2, lower=True))
    live = jsonl(tmp_path / "live.jsonl", sentences(300, 3))
    code, out, _ = run(capsys, "default", train, "--against", live, "--format", "json")
    findings = json.loads(out)["against"]["findings"]
    codes = [f["code"] for f in findings]
    assert codes == ["casing-skew"]
    casing = findings[0]
    assert casing["a"] == 0.0 and casing["b"] > 0.02
    assert "capitals" in casing["message"] and "lowercased" in casing["message"]
    code, out, _ = run(capsys, "default", train, "--against", live, "--fail-on", "warning")
    assert code == 1 and "casing-skew" in out


def test_datasets_drawn_alike_give_no_skew(capsys, tmp_path):
    a = jsonl(tmp_path / "a.jsonl", sentences(400, 4, emoji=True))
    b = jsonl(tmp_path / "b.jsonl", sentences(400, 5, emoji=True))
    code, out, _ = run(capsys, "default", a, "--against", b, "--format", "json", "--max-length", "64")
    assert json.loads(out)["against"]["findings"] == []
    code, out, _ = run(capsys, "default", a, "--against", b)
    assert "no skew found" in out


def test_datasets_drawn_differently_give_each_skew(capsys, tmp_path, model_factory):
    short = jsonl(tmp_path / "short.jsonl", sentences(300, 6))
    other = jsonl(tmp_path / "other.jsonl", sentences(300, 7, emoji=True, long=True))
    code, out, _ = run(capsys, model_factory.bert(cased=True), short, "--against", other, "--format", "json",
                       "--max-length", "64")
    findings = {f["code"]: f for f in json.loads(out)["against"]["findings"]}
    assert set(findings) == {"length-skew", "truncation-skew", "unknown-skew", "charset-skew"}
    assert findings["truncation-skew"]["a"] < 0.5 < findings["truncation-skew"]["b"]
    assert "'😀'" in findings["charset-skew"]["message"]
    assert "median length" in findings["length-skew"]["message"]


# -- progress, Ctrl+C, start-up ---------------------------------------------------------------------


def test_progress_bar_draws_rows_rate_and_eta_then_clears():
    stream = io.StringIO()
    bar = cli_audit.ProgressBar(stream)
    bar.update(50, 200)
    bar.update(200, 200)
    bar.close()
    text = stream.getvalue()
    assert "50/200 rows" in text and "rows/s" in text and "ETA" in text and "200/200 rows" in text
    assert text.endswith("\r\033[K")


def _big_data(tmp_path, rows=60_000):
    return jsonl(tmp_path / "big.jsonl", sentences(rows, 8, long=True))


def test_ctrl_c_stops_cleanly_and_prints_nothing(tmp_path):
    data = _big_data(tmp_path)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "bertinspector", "audit", "default", data, "--workers", "2",
                                "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    time.sleep(8)  # the workers are measuring by now
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert out == b""
    assert b"Traceback" not in err


@pytest.mark.parametrize("command", [
    ["audit", "default", "{data}", "--format", "json"],
    ["inspect", "default", "--text", "Hello world"],
    ["compare", "default", "default", "--text", "Hello world", "--variant", "lowercase-flipped"],
])
def test_tokenizer_only_commands_never_import_torch(command, data):
    probe = ("import sys; from bertinspector.app.cli import main; sys.argv[0] = 'bertinspector'; code = main(); "
             "sys.stdout.flush(); print('TORCH' if sys.modules.get('torch') is not None else 'NO-TORCH', file=sys.stderr); "
             "sys.exit(code)")
    argv = [a.replace("{data}", data) for a in command]
    result = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr.strip().splitlines()[-1] == "NO-TORCH"
