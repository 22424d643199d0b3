"""``bertinspector inspect``: exit codes, formats, the contract's JSON, and bad input.

Most runs call ``bertinspector.app.cli.main([...])`` in-process; a few start a real
``python -m bertinspector`` to check what only a fresh process shows (argv decoding, a
custom-code model that is allowed to run).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bertinspector.app.cli import main

# The contract's v1 table: code -> severity (written out here, independently of the engine).
V1_CODES = {
    "sequence-truncated": "warning",
    "exceeds-model-max-length": "error",
    "max-length-exceeds-positions": "error",
    "model-max-length-unset": "warning",
    "max-length-disagreement": "warning",
    "missing-special-tokens": "error",
    "special-token-text-not-special": "warning",
    "unknown-tokens": "warning",
    "case-mismatch": "warning",
    "accents-stripped": "info",
    "characters-dropped": "warning",
    "word-too-long": "warning",
    "token-id-out-of-range": "error",
    "tokenizer-larger-than-embeddings": "error",
    "embeddings-larger-than-tokenizer": "info",
    "token-type-out-of-range": "error",
    "pair-segments-missing": "warning",
    "tokenizer-class-mismatch": "warning",
    "tokenizer-config-missing": "warning",
    "weights-newly-initialized": "warning",
    "padding-without-attention-mask": "warning",
    "trust-remote-code-required": "error",
}
RANK = {"info": 0, "warning": 1, "error": 2}

CLEAN = "The quick brown fox jumps over the lazy dog."
WORDS = "the quick brown fox jumps over lazy dog and a model reads every word of this sentence again".split()
REPO = Path(__file__).resolve().parents[2]


def words(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


# --------------------------------------------------------------------------- helpers


def cli(capsys, *args) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of ``bertinspector`` run in this process."""
    try:
        rc = main([str(a) for a in args])
    except SystemExit as exit_:  # argparse: --help, usage errors
        rc = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    out, err = capsys.readouterr()
    return rc, out, err


def cli_json(capsys, *args) -> tuple[int, dict]:
    rc, out, err = cli(capsys, *args, "--format", "json")
    assert rc in (0, 1), (rc, err)
    return rc, json.loads(out)


def assert_usage_error(rc, out, err, *, mentions=()) -> str:
    """Exit 2, nothing on stdout, ONE line on stderr, no traceback; the line is returned."""
    assert "Traceback" not in err and "Traceback" not in out, err
    assert rc == 2, (rc, out[:300], err)
    assert out.strip() == "", out[:300]
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    line = lines[0]
    for needle in mentions:
        assert needle in line, (needle, line)
    return line


def run_process(*args, env_extra=None, timeout=120) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONIOENCODING="utf-8")
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bertinspector", *args],
        capture_output=True, env=env, cwd=REPO, timeout=timeout,
    )


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def opt(kind, value) -> bool:
    return value is None or kind(value)


def validate_inspection(data: dict) -> None:
    """Every key and type of the contract's ``bertinspector.inspection/1`` object."""
    string = lambda v: isinstance(v, str)  # noqa: E731
    boolean = lambda v: isinstance(v, bool)  # noqa: E731

    assert set(data) == {"schema", "model", "settings", "tokens", "truncation", "normalized_text", "diagnostics"}
    assert data["schema"] == "bertinspector.inspection/1"

    model = data["model"]
    assert set(model) == {"source", "model_type", "architectures", "tokenizer_class", "vocab_size",
                          "tokenizer_size", "embedding_rows", "max_position_embeddings", "model_max_length",
                          "type_vocab_size", "lowercase", "strip_accents"}
    assert string(model["source"]) and opt(string, model["model_type"])
    assert isinstance(model["architectures"], list) and all(map(string, model["architectures"]))
    assert string(model["tokenizer_class"]) and is_int(model["tokenizer_size"])
    for key in ("vocab_size", "embedding_rows", "max_position_embeddings", "model_max_length", "type_vocab_size"):
        assert opt(is_int, model[key]), key
    assert opt(boolean, model["lowercase"]) and opt(boolean, model["strip_accents"])

    settings = data["settings"]
    assert set(settings) == {"add_special_tokens", "truncation", "max_length", "stride", "lowercase", "pair", "input"}
    assert boolean(settings["add_special_tokens"])
    assert settings["truncation"] in ("longest_first", "only_first", "only_second", "none")
    assert opt(is_int, settings["max_length"]) and is_int(settings["stride"])
    assert settings["lowercase"] in ("auto", "on", "off")
    assert boolean(settings["pair"]) and settings["input"] in ("text", "ids")

    tokens = data["tokens"]
    assert isinstance(tokens, list)
    for position, token in enumerate(tokens):
        assert set(token) == {"index", "token", "id", "start", "end", "special", "subword", "unk", "type_id",
                              "segment", "kept"}, token
        assert token["index"] == position and string(token["token"]) and is_int(token["id"])
        assert opt(is_int, token["start"]) and opt(is_int, token["end"])
        assert (token["start"] is None) == (token["end"] is None)
        for key in ("special", "subword", "unk", "kept"):
            assert boolean(token[key]), (key, token)
        assert opt(is_int, token["type_id"]) and token["segment"] in (0, 1, None)
        if token["special"] and not settings["input"] == "ids":
            assert token["start"] is None and token["segment"] is None, token

    truncation = data["truncation"]
    assert {"applied", "tokens_total", "tokens_kept", "tokens_lost", "cut_char"} <= set(truncation)
    assert set(truncation) <= {"applied", "tokens_total", "tokens_kept", "tokens_lost", "cut_char", "windows"}
    assert boolean(truncation["applied"]) and opt(is_int, truncation["cut_char"])
    for key in ("tokens_total", "tokens_kept", "tokens_lost"):
        assert is_int(truncation[key]), key
    assert truncation["tokens_total"] == len(tokens)
    assert truncation["tokens_kept"] + truncation["tokens_lost"] == truncation["tokens_total"]
    assert truncation["tokens_kept"] == sum(t["kept"] for t in tokens)

    assert opt(string, data["normalized_text"])

    assert isinstance(data["diagnostics"], list)
    for d in data["diagnostics"]:
        assert set(d) == {"code", "severity", "message", "tokens", "spans", "fix"}, d
        assert d["code"] in V1_CODES and d["severity"] == V1_CODES[d["code"]], d
        assert string(d["message"]) and d["message"].strip()
        assert isinstance(d["tokens"], list) and all(is_int(t) and 0 <= t < len(tokens) for t in d["tokens"])
        assert isinstance(d["spans"], list)
        for span in d["spans"]:
            assert isinstance(span, list) and len(span) == 2 and all(map(is_int, span)) and span[0] <= span[1]
        assert opt(string, d["fix"])


def expected_exit(data: dict, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    worst = max((RANK[d["severity"]] for d in data["diagnostics"]), default=-1)
    return 1 if worst >= RANK[fail_on] else 0


def codes(data: dict) -> list[str]:
    return [d["code"] for d in data["diagnostics"]]


# --------------------------------------------------------------------------- exit codes and formats


@pytest.mark.parametrize(
    "variant,text,worst",
    [
        ("bert", CLEAN, None),
        ("bert", "café au lait", "info"),  # accents-stripped
        ("bert", "emoji 😀 here", "warning"),  # unknown-tokens
        ("short_positions", CLEAN, "error"),  # max-length-exceeds-positions
    ],
)
def test_exit_status_follows_fail_on(capsys, model_factory, variant, text, worst):
    folder = model_factory.variant(variant)
    for fail_on in ("error", "warning", "never", None):
        extra = [] if fail_on is None else ["--fail-on", fail_on]
        rc, out, err = cli(capsys, "inspect", folder, "--text", text, "--format", "json", *extra)
        data = json.loads(out)
        validate_inspection(data)
        severities = {d["severity"] for d in data["diagnostics"]}
        assert max(severities, key=RANK.get, default=None) == worst, codes(data)
        assert rc == expected_exit(data, fail_on or "error"), (fail_on, codes(data))
        assert err.strip() == "" or "Traceback" not in err
    rc, _, _ = cli(capsys, "inspect", folder, "--text", text, "--fail-on", "warning")
    assert rc == (1 if worst in ("warning", "error") else 0)


def test_clean_text_on_clean_model_exits_zero_with_text_format(capsys, model_factory):
    rc, out, err = cli(capsys, "inspect", model_factory.bert(), "--text", CLEAN, "--fail-on", "warning")
    assert rc == 0 and err == ""
    assert "[CLS]" in out and "fox" in out and "✂" not in out


@pytest.mark.parametrize(
    "args",
    [
        ["--text", CLEAN],
        ["--text", "Café [MASK] 日本 😀 a\x00b", "--pair", "second <mask> text"],
        ["--text", words(80), "--max-length", "16", "--stride", "4"],
        ["--text", words(80), "--pair", words(20, 2), "--max-length", "40", "--truncation", "only_first"],
        ["--text", "Hello World", "--lowercase", "off", "--no-special-tokens"],
        ["--ids", "2, 54, 999999, 0, 3"],
        ["--ids", "tensor([[2, 54, 3, 55, 3]])"],
    ],
    ids=["plain", "pair-tricky", "stride", "only-first", "no-specials", "ids", "ids-tensor"],
)
def test_json_validates_against_contract(capsys, model_factory, args):
    rc, data = cli_json(capsys, "inspect", model_factory.bert(), *args)
    validate_inspection(data)
    assert rc == expected_exit(data, "error")
    assert data["settings"]["input"] == ("ids" if "--ids" in args else "text")
    assert data["settings"]["pair"] is ("--pair" in args)


def test_json_on_roberta_pair_and_truncation(capsys, model_factory):
    rc, data = cli_json(capsys, "inspect", model_factory.roberta(), "--text", words(60), "--pair", "a pair")
    validate_inspection(data)
    assert data["truncation"]["tokens_lost"] > 0  # model_max_length 64
    assert "sequence-truncated" in codes(data)
    # RoBERTa tokenizers pass no token_type_ids, so a pair cannot overflow its 1-row type table
    assert data["model"]["type_vocab_size"] == 1 and "token-type-out-of-range" not in codes(data)
    assert all(t["type_id"] is None for t in data["tokens"])


def test_markdown_holds_every_diagnostic_code(capsys, model_factory):
    cases = [
        (model_factory.variant("no_tokenizer_config"), ["--text", "Café 日本 😀 [CLS] a\u200bb " + "x" * 120]),
        (model_factory.variant("pretrained_tokenizer_fast"), ["--text", "hello", "--pair", "world"]),
        (model_factory.variant("extra_added_tokens"), ["--ids", "2, 0, 54, 9999, 3"]),
        (model_factory.bert(), ["--text", words(50), "--max-length", "10"]),
    ]
    seen = set()
    for folder, args in cases:
        _, data = cli_json(capsys, "inspect", folder, *args)
        rc, out, err = cli(capsys, "inspect", folder, *args, "--format", "markdown")
        assert rc == expected_exit(data, "error") and "Traceback" not in err
        assert data["diagnostics"], args
        for code in codes(data):
            assert f"`{code}`" in out, (code, out)
            seen.add(code)
        assert out.startswith("## bertinspector")
    assert len(seen) >= 8, seen


def test_text_format_shows_the_cut(capsys, model_factory):
    rc, out, err = cli(capsys, "inspect", model_factory.bert(), "--text", words(200), "--max-length", "32")
    assert rc == 0, err
    assert "✂" in out
    assert "sequence-truncated" in out and "fix:" in out
    rc, out, _ = cli(capsys, "inspect", model_factory.bert(), "--text", words(10), "--max-length", "32")
    assert "✂" not in out


def test_default_model_700_words(capsys, minilm_path):
    """The issue's "Done when": sequence-truncated with the right cut, and max-length-disagreement."""
    from transformers import AutoTokenizer

    text = words(700, seed=7)
    rc, data = cli_json(capsys, "inspect", "default", "--text", text)
    validate_inspection(data)
    assert rc == 0  # two warnings, default --fail-on error
    assert {"sequence-truncated", "max-length-disagreement"} <= set(codes(data))
    tok = AutoTokenizer.from_pretrained(str(minilm_path))
    full = tok(text, return_offsets_mapping=True)
    kept = tok(text, truncation=True)["input_ids"]
    assert len(kept) == 512
    # the first token AutoTokenizer drops is text token 511 of the full encoding ([CLS] is 0)
    first_dropped = len(kept) - 1
    assert data["truncation"]["cut_char"] == full["offset_mapping"][first_dropped][0]
    assert data["truncation"]["tokens_kept"] == 512
    assert data["truncation"]["tokens_lost"] == len(full["input_ids"]) - 512
    assert [t["id"] for t in data["tokens"] if t["kept"]] == kept
    truncated = next(d for d in data["diagnostics"] if d["code"] == "sequence-truncated")
    assert truncated["spans"][0][0] == data["truncation"]["cut_char"]
    assert "256" in next(d["message"] for d in data["diagnostics"] if d["code"] == "max-length-disagreement")
    rc, out, _ = cli(capsys, "inspect", "default", "--text", text, "--fail-on", "warning")
    assert rc == 1 and "✂" in out


def test_inspect_help_mentions_every_option(capsys):
    rc, out, err = cli(capsys, "inspect", "--help")
    assert rc == 0
    for option in ("SRC", "--text", "--text-file", "--ids", "--pair", "--max-length", "--truncation", "--stride",
                   "--no-special-tokens", "--lowercase", "--load-weights", "--trust-remote-code", "--format",
                   "--fail-on"):
        assert option in out, option
    for choice in ("longest_first", "only_first", "only_second", "none", "text", "json", "markdown",
                   "error", "warning", "never", "auto"):
        assert choice in out, choice


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("text", ["", "   ", " \n\t  "], ids=["empty", "spaces", "whitespace"])
def test_empty_or_blank_text_is_cls_sep(capsys, model_factory, text):
    rc, out, err = cli(capsys, "inspect", model_factory.bert(), "--text", text)
    assert rc == 0 and err == "" and "[CLS] [SEP]" in out


def test_empty_text_file(capsys, model_factory, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    rc, out, err = cli(capsys, "inspect", model_factory.bert(), "--text-file", path)
    assert rc == 0 and "2 of 2 tokens reach the model" in out


def test_missing_path(capsys, tmp_path):
    missing = tmp_path / "no" / "such" / "model"
    line = assert_usage_error(*cli(capsys, "inspect", missing, "--text", CLEAN))
    assert str(missing) in line


@pytest.mark.parametrize(
    "variant,needle",
    [("no_config", "config.json"), ("corrupt_config", "JSON"), ("no_tokenizer", "tokenizer")],
)
def test_broken_model_folders(capsys, model_factory, variant, needle):
    folder = model_factory.variant(variant)
    line = assert_usage_error(*cli(capsys, "inspect", folder, "--text", CLEAN))
    assert needle in line


def test_unknown_hub_id_offline(capsys):
    from huggingface_hub import constants

    hub_id = "bertinspector-nonexistent-org/no-such-model"
    line = assert_usage_error(*cli(capsys, "inspect", hub_id, "--text", CLEAN))
    assert hub_id in line and str(constants.HF_HUB_CACHE) in line


def test_binary_text_file(capsys, model_factory, tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 64)
    line = assert_usage_error(*cli(capsys, "inspect", model_factory.bert(), "--text-file", path))
    assert "UTF-8" in line


def test_text_file_with_encoded_surrogate(capsys, model_factory, tmp_path):
    """Invalid UTF-8 (a surrogate encoded as bytes) gives a clear message, not a crash."""
    path = tmp_path / "surrogate.txt"
    path.write_bytes(b"hello \xed\xa0\x80 world")
    line = assert_usage_error(*cli(capsys, "inspect", model_factory.bert(), "--text-file", path))
    assert "UTF-8" in line


@pytest.mark.parametrize("where", ["text", "pair"])
def test_lone_surrogate_in_text(capsys, model_factory, where):
    args = ["--text", "a\ud800b"] if where == "text" else ["--text", "fine", "--pair", "x\udfffy"]
    line = assert_usage_error(*cli(capsys, "inspect", model_factory.bert(), *args))
    assert "surrogate" in line or "Unicode" in line


@pytest.mark.parametrize("source", ["text", "file"])
def test_nul_bytes_work(capsys, model_factory, tmp_path, source):
    if source == "text":
        args = ["--text", "hello\x00 world \x00\x00"]
    else:
        path = tmp_path / "nul.txt"
        path.write_bytes(b"hello\x00 world \x00\x00")
        args = ["--text-file", path]
    rc, out, err = cli(capsys, "inspect", model_factory.bert(), *args, "--format", "json")
    assert rc in (0, 1) and "Traceback" not in err
    data = json.loads(out)
    validate_inspection(data)
    assert "characters-dropped" in codes(data)
    dropped = next(d for d in data["diagnostics"] if d["code"] == "characters-dropped")
    assert [5, 6] in dropped["spans"]


@pytest.mark.parametrize(
    "ids,needle",
    [("1, two, -3", "two"), ("1, 2, -3", "-3"), ("", "ids"), ("[]", "ids"), ("101, 99999999999999999999, 102", "99999999999999999999")],
    ids=["word", "negative", "empty", "brackets", "beyond-int64"],
)
def test_bad_ids(capsys, model_factory, ids, needle):
    line = assert_usage_error(*cli(capsys, "inspect", model_factory.bert(), "--ids", ids))
    assert needle in line


@pytest.mark.parametrize("value", ["-5", "0", "abc"])
def test_bad_max_length(capsys, model_factory, value):
    line = assert_usage_error(*cli(capsys, "inspect", model_factory.bert(), "--text", CLEAN, "--max-length", value))
    assert "max-length" in line or "max_length" in line


def test_max_length_smaller_than_special_tokens(capsys, model_factory):
    line = assert_usage_error(*cli(capsys, "inspect", model_factory.bert(), "--text", CLEAN, "--max-length", "1"))
    assert "special" in line


def test_only_first_when_first_text_too_short(capsys, model_factory):
    rc, out, err = cli(capsys, "inspect", model_factory.bert(), "--text", "hello", "--pair", words(40),
                       "--truncation", "only_first", "--max-length", "12")
    assert_usage_error(rc, out, err, mentions=("only_first",))
    assert "short" in err


def test_stride_too_large_single_text(capsys, model_factory):
    rc, out, err = cli(capsys, "inspect", model_factory.bert(), "--text", words(40), "--max-length", "8",
                       "--stride", "6")
    assert_usage_error(rc, out, err, mentions=("stride",))


def test_stride_too_large_for_pair(capfd, model_factory):
    """stride 2 < max_length 8 - 3 specials, yet too large for a segment's share: tokenizers panics.

    capfd, not capsys: a Rust panic writes to file descriptor 2 directly.
    """
    try:
        rc = main(["inspect", str(model_factory.bert()), "--text", words(40), "--pair", words(10, 3),
                   "--max-length", "8", "--stride", "2"])
    except BaseException as error:  # noqa: BLE001 - the panic is a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        out, err = capfd.readouterr()
        pytest.fail(f"main() raised {type(error).__name__}: {error}\nstderr:\n{err}")
    out, err = capfd.readouterr()
    assert_usage_error(rc, out, err, mentions=("stride",))


@pytest.mark.slow
def test_ten_megabyte_text_file_finishes(capsys, model_factory, tmp_path):
    path = tmp_path / "big.txt"
    text = words(2_000_000, seed=3)
    path.write_text(text[:10_000_000], encoding="utf-8")
    assert path.stat().st_size == 10_000_000
    rc, out, err = cli(capsys, "inspect", model_factory.bert(), "--text-file", path)
    assert rc in (0, 1) and "Traceback" not in err, err[-2000:]
    assert "✂" in out and "sequence-truncated" in out  # how long it takes: benchmarks/bench_inspect.py


# --------------------------------------------------------------------------- custom code (auto_map)


def _no_evil_modules() -> bool:
    return not any("configuration_evil" in name or "modeling_evil" in name for name in sys.modules)


@pytest.mark.parametrize("extra", [[], ["--load-weights"]], ids=["plain", "load-weights"])
def test_remote_code_refused_without_opt_in(capsys, model_factory, tmp_path, monkeypatch, extra):
    folder = model_factory.variant("auto_map")
    marker = tmp_path / "marker"
    monkeypatch.setenv("BERTINSPECTOR_TEST_MARKER", str(marker))
    rc, out, err = cli(capsys, "inspect", folder, "--text", CLEAN, "--format", "json", *extra)
    assert "Traceback" not in err
    assert rc == 1, err
    data = json.loads(out)
    validate_inspection(data)
    assert "trust-remote-code-required" in codes(data)
    assert [t["token"] for t in data["tokens"]][1:3] == ["the", "quick"]  # still inspected
    assert not marker.exists()
    assert not (folder / "MARKER_CODE_RAN").exists()
    assert _no_evil_modules()


def test_remote_code_never_runs_in_a_fresh_process(model_factory, tmp_path):
    folder = model_factory.variant("auto_map")
    marker = tmp_path / "marker"
    result = run_process("inspect", str(folder), "--text", CLEAN, "--load-weights", "--format", "json",
                         env_extra={"BERTINSPECTOR_TEST_MARKER": str(marker),
                                    "HF_MODULES_CACHE": str(tmp_path / "modules")})
    assert result.returncode == 1, result.stderr.decode()
    assert "trust-remote-code-required" in codes(json.loads(result.stdout))
    assert not marker.exists()


def test_remote_code_runs_with_opt_in(model_factory, tmp_path):
    folder = model_factory.variant("auto_map")
    marker = tmp_path / "marker"
    result = run_process("inspect", str(folder), "--text", CLEAN, "--trust-remote-code", "--load-weights",
                         "--format", "json",
                         env_extra={"BERTINSPECTOR_TEST_MARKER": str(marker),
                                    "HF_MODULES_CACHE": str(tmp_path / "modules")})
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert result.returncode in (0, 1), stderr
    data = json.loads(result.stdout)
    validate_inspection(data)
    assert "trust-remote-code-required" not in codes(data)
    assert marker.exists() and "imported" in marker.read_text()


# --------------------------------------------------------------------------- real processes


def test_process_json_and_exit_code(model_factory):
    result = run_process("inspect", str(model_factory.bert()), "--text", CLEAN, "--format", "json",
                         "--fail-on", "warning")
    assert result.returncode == 0, result.stderr.decode()
    validate_inspection(json.loads(result.stdout))


def test_process_undecodable_argv_is_a_clear_error(model_factory):
    """Bytes that are not UTF-8 in argv arrive as lone surrogates (surrogateescape)."""
    args = [sys.executable, "-m", "bertinspector", "inspect", str(model_factory.bert()), "--text", b"caf\xe9 \xff"]
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", LC_ALL="C.UTF-8", PYTHONUTF8="1")
    result = subprocess.run(args, capture_output=True, env=env, cwd=REPO, timeout=120)
    stderr = result.stderr.decode("utf-8", "replace")
    assert_usage_error(result.returncode, result.stdout.decode("utf-8", "replace"), stderr)
    assert "surrogate" in stderr or "Unicode" in stderr or "UTF-8" in stderr
