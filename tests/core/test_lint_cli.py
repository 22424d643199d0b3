"""``bertinspector lint``: formats, exit codes, stdin, ``--model/--text``, and the guarantees that the
linted code is never run and that linting never imports torch or transformers."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from bertinspector.app.cli import main

ARTICLE_3 = textwrap.dedent("""\
    from transformers import BertTokenizer
    tokenizer = BertTokenizer.from_pretrained("bert-base-uncased")
    encoded_input = tokenizer(sample_text, do_lower_case=True, return_tensors='pt')
    outputs = model(**encoded_input)
    """)


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_and_exit_codes(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text(ARTICLE_3, encoding="utf-8")
    code, out, _ = run_cli(capsys, "lint", str(bad))
    assert code == 1
    assert f"{bad}:3:17: ✖ error call-time-preprocessing-option" in out
    assert "fix: tokenizer = BertTokenizer.from_pretrained(\"bert-base-uncased\", do_lower_case=True)" in out
    clean = tmp_path / "clean.py"
    clean.write_text("enc = tokenizer(text, truncation=True, return_tensors='pt')\nout = model(**enc)\n", encoding="utf-8")
    assert run_cli(capsys, "lint", str(clean))[0] == 0
    warn = tmp_path / "warn.py"
    warn.write_text("enc = tokenizer(text)\nout = model(**enc)\n", encoding="utf-8")
    assert run_cli(capsys, "lint", str(warn))[0] == 0
    assert run_cli(capsys, "lint", str(warn), "--fail-on", "warning")[0] == 1
    assert run_cli(capsys, "lint", str(bad), "--fail-on", "never")[0] == 0


def test_json_follows_the_contract(tmp_path, capsys):
    path = tmp_path / "bad.py"
    path.write_text(ARTICLE_3, encoding="utf-8")
    code, out, _ = run_cli(capsys, "lint", str(path), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["schema"] == "bertinspector.lint/1" and data["source"] == str(path)
    assert data["inspection"] is None
    assert set(data) == {"schema", "source", "calls", "findings", "inspection"}
    for finding in data["findings"]:
        assert set(finding) == {"code", "severity", "line", "column", "end_line", "message", "fix"}
    assert {"line": 3, "kind": "tokenizer-call", "target": "tokenizer",
            "arguments": {"do_lower_case": True, "return_tensors": "pt"}} in data["calls"]
    assert [c["kind"] for c in data["calls"]] == ["from_pretrained", "tokenizer-call", "model-call"]


def test_stdin_and_a_syntax_error(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"def f(:\n  pass\n")))
    code, out, _ = run_cli(capsys, "lint", "-")
    assert code == 1 and "<stdin>:1:" in out and "syntax-error" in out


def test_usage_errors_are_one_line(tmp_path, capsys):
    code, _, err = run_cli(capsys, "lint", str(tmp_path / "missing.py"))
    assert code == 2 and err.count("\n") == 1 and "missing.py" in err
    code, _, err = run_cli(capsys, "lint", str(tmp_path), "--format", "json")
    assert code == 2 and "folder" in err
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "lint", str(tmp_path / "a.py"), "--model", "default")
    assert code == 2 and "--model and --text go together" in err
    code, _, err = run_cli(capsys, "lint", str(tmp_path / "a.py"), "--model", "default", "--text", "hi")
    assert code == 2 and "no tokenizer call" in err
    (tmp_path / "b.ipynb").write_bytes(b"\x00\x01binary")
    code, _, err = run_cli(capsys, "lint", str(tmp_path / "b.ipynb"))
    assert code == 2 and "binary" in err


def test_model_and_text_inspect_with_the_first_calls_literal_settings(tmp_path, capsys, minilm_path):
    path = tmp_path / "prep.py"
    path.write_text(textwrap.dedent("""\
        from transformers import AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained("sentence-transformers/all-MiniLM-L6-v2", do_lower_case=False)
        enc = tokenizer(text, max_length=6, add_special_tokens=True, stride=0)
        later = tokenizer(text, truncation=True, max_length=99)
        """), encoding="utf-8")
    code, out, _ = run_cli(capsys, "lint", str(path), "--model", "default", "--text", "Hello World from Paris today",
                           "--format", "json")
    data = json.loads(out)
    inspection = data["inspection"]
    assert inspection["schema"] == "bertinspector.inspection/1"
    # max_length alone turns truncation on in transformers; do_lower_case=False in from_pretrained turns lowercasing off
    assert inspection["settings"] == {"add_special_tokens": True, "truncation": "longest_first", "max_length": 6,
                                      "stride": 0, "lowercase": "off", "pair": False, "input": "text"}
    kept = [t["token"] for t in inspection["tokens"] if t["kept"]]
    assert len(kept) == 6 and kept[0] == "[CLS]" and kept[-1] == "[SEP]" and "[UNK]" in kept  # capitals on an uncased vocab
    assert "max-length-without-truncation" in [f["code"] for f in data["findings"]]
    assert code == 0  # warnings only (the lint's and the inspection's)
    code, out, _ = run_cli(capsys, "lint", str(path), "--model", "default", "--text", "Hello World")
    assert "What the first tokenizer call (line 3) makes of the text" in out and "[UNK]" in out


def test_the_article_call_shows_the_models_own_lowercasing(tmp_path, capsys, minilm_path):
    """do_lower_case=True at call time is ignored: the tokens are those of the model's own lowercasing."""
    path = tmp_path / "article.py"
    path.write_text(ARTICLE_3, encoding="utf-8")
    code, out, _ = run_cli(capsys, "lint", str(path), "--model", "default", "--text", "This is a Positive sentence.",
                           "--format", "json")
    inspection = json.loads(out)["inspection"]
    assert inspection["settings"]["lowercase"] == "auto" and inspection["settings"]["truncation"] == "none"
    assert [t["token"] for t in inspection["tokens"]] == ["[CLS]", "this", "is", "a", "positive", "sentence", ".", "[SEP]"]
    assert code == 1


WOULD_WRITE = """\
import os, pathlib
import evil_module_{tag}
pathlib.Path({mark!r}).write_text("the linted code ran")
os.system("touch " + {mark!r} + ".shell")
tokenizer = __import__("transformers").AutoTokenizer.from_pretrained("x")
ids = tokenizer.encode(open({mark!r}, "w").write("ran"))
"""


def test_the_linted_code_is_never_executed(tmp_path, capsys, monkeypatch):
    mark = tmp_path / "mark.txt"
    module = tmp_path / "evil_module_t.py"
    module.write_text(f"open({str(mark) + '.import'!r}, 'w').write('imported')\n", encoding="utf-8")
    source = tmp_path / "script.py"
    source.write_text(WOULD_WRITE.format(tag="t", mark=str(mark)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run_cli(capsys, "lint", str(source), "--format", "json")[0] in (0, 1)
    result = subprocess.run([sys.executable, "-m", "bertinspector", "lint", str(source)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil_module_t.py", "script.py"]


def test_linting_imports_neither_torch_nor_transformers(tmp_path):
    path = tmp_path / "prep.py"
    path.write_text(ARTICLE_3, encoding="utf-8")
    code = ("import sys\nfrom bertinspector.app.cli import main\n"
            f"status = main(['lint', {str(path)!r}, '--format', 'json'])\n"
            "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'PySide6'))))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stderr.strip() == "[]" and json.loads(result.stdout)["findings"]


def test_a_notebook_file_gives_cell_and_line(tmp_path, capsys):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# notes"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
              "source": ["%pip install transformers\n", "ids = tokenizer.encode(text)\n", "out = model(**ids)\n"]}]
    path = tmp_path / "explore.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}), encoding="utf-8")
    code, out, _ = run_cli(capsys, "lint", str(path))
    assert code == 1 and f"{path}:cell 2:2:7: ✖ error encode-into-model" in out
    code, out, _ = run_cli(capsys, "lint", str(path), "--format", "json")
    finding = json.loads(out)["findings"][0]
    assert (finding["cell"], finding["line"], finding["code"]) == (2, 2, "encode-into-model")
