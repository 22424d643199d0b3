"""Every figure of ``bertinspector.audit/1`` against a plain per-example ``tokenizer(...)`` computation."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from audit_reference import Reference, generated_rows, nearest_rank
from bertinspector.core.audit import AuditRequest, Columns, Side, run_audit
from bertinspector.core.model import Settings

ROWS = generated_rows(400, seed=3)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def audit(folder, path, settings=Settings(), **options):
    options.setdefault("workers", 1)
    options.setdefault("shard_rows", 97)
    options.setdefault("batch_size", 50)
    columns = options.pop("columns", Columns(label="label"))
    return run_audit(AuditRequest(a=Side(str(folder), settings), data=(str(path),), columns=columns, **options))


def expected(reference: Reference, rows, k: int = 20) -> dict:
    per_row = {i: reference.example(r["text"]) for i, r in enumerate(rows) if isinstance(r["text"], str)}
    return per_row


@pytest.fixture(scope="module")
def minilm_case(minilm_path, tmp_path_factory):
    path = write_jsonl(tmp_path_factory.mktemp("audit") / "data.jsonl", ROWS)
    settings = Settings(max_length=128)
    reference = Reference(minilm_path, settings)
    return audit(minilm_path, path, settings), expected(reference, ROWS), reference


def test_data_counts(minilm_case):
    document, per_row, _ = minilm_case
    data = document["data"]
    assert data["rows_read"] == len(ROWS)
    assert data["examples"] == len(per_row)
    assert data["skipped"] == len(ROWS) - len(per_row)  # nulls and numbers
    assert data["bad_rows"] == 0
    assert document["schema"] == "bertinspector.audit/1"


def test_length_and_histogram(minilm_case):
    document, per_row, reference = minilm_case
    totals = [f["total"] for f in per_row.values()]
    length = document["length"]
    assert (length["min"], length["max"]) == (min(totals), max(totals))
    assert length["mean"] == pytest.approx(sum(totals) / len(totals))
    for q in (50, 90, 95, 99):
        assert length[f"p{q}"] == nearest_rank(totals, q)
    edges, counts = document["histogram"]["edges"], document["histogram"]["counts"]
    assert 128 in edges and edges == sorted(edges)
    bounds = edges + [float("inf")]
    assert counts == [sum(1 for t in totals if bounds[i] <= t < bounds[i + 1]) for i in range(len(edges))]
    assert sum(counts) == len(totals)


def test_truncation(minilm_case):
    document, per_row, _ = minilm_case
    t = document["truncation"]
    cut = [i for i, f in per_row.items() if f["kept"] < f["total"]]
    assert cut, "the generated data holds long rows"
    assert t["max_length"] == 128
    assert t["examples_cut"] == len(cut)
    assert t["share_cut"] == pytest.approx(len(cut) / len(per_row))
    assert t["tokens_total"] == sum(f["total"] for f in per_row.values())
    assert t["tokens_kept"] == sum(f["kept"] for f in per_row.values())
    assert t["tokens_lost"] == t["tokens_total"] - t["tokens_kept"]


def test_unknown_tokens_and_the_text_behind_them(minilm_case):
    document, per_row, _ = minilm_case
    u = document["unknown"]
    behind = sum((f["unknown_texts"] for f in per_row.values()), Counter())
    assert u["tokens"] == sum(f["unknown"] for f in per_row.values()) > 0
    assert u["examples"] == sum(1 for f in per_row.values() if f["unknown"])
    assert u["share_of_tokens"] == pytest.approx(u["tokens"] / document["truncation"]["tokens_total"])
    expected_top = sorted(behind.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    assert [(e["text"], e["count"]) for e in u["top"]] == expected_top


def test_dropped_characters(minilm_case):
    document, per_row, _ = minilm_case
    d = document["dropped_characters"]
    dropped = sum((f["dropped"] for f in per_row.values()), Counter())
    assert d["characters"] == sum(dropped.values()) > 0
    assert d["examples"] == sum(1 for f in per_row.values() if f["dropped"])
    assert {e["char"]: e["count"] for e in d["top"]} == dict(dropped)
    names = {e["char"]: e["name"] for e in d["top"]}
    assert names["\u200b"] == "ZERO WIDTH SPACE" and names["\ufffd"] == "REPLACEMENT CHARACTER"


def test_words(minilm_case):
    document, per_row, _ = minilm_case
    w = document["words"]
    words = sum(f["words"] for f in per_row.values())
    assert w["count"] == words
    assert w["fertility"] == pytest.approx(sum(f["word_tokens"] for f in per_row.values()) / words)
    assert w["single_token_share"] == pytest.approx(sum(f["single"] for f in per_row.values()) / words)


def test_every_text_level_diagnostic_with_count_and_first_rows(minilm_case):
    document, per_row, _ = minilm_case
    found = {d["code"]: d for d in document["diagnostics"] if d["rows"]}
    expected_codes = Counter(code for f in per_row.values() for code in f["codes"])
    assert {"sequence-truncated", "unknown-tokens", "characters-dropped", "accents-stripped",
            "special-token-text-not-special", "word-too-long"} <= set(expected_codes)
    for code, count in expected_codes.items():
        assert found[code]["examples"] == count, code
        assert found[code]["rows"] == sorted(i for i, f in per_row.items() if code in f["codes"])[:20], code
    assert set(found) == set(expected_codes)
    model_level = {d["code"] for d in document["diagnostics"] if not d["rows"]}
    assert "max-length-disagreement" in model_level  # MiniLM's files disagree: a model-level code, once


def test_worst_rows(minilm_case):
    document, per_row, _ = minilm_case
    values = {"tokens_lost": lambda f: f["total"] - f["kept"], "unknown": lambda f: f["unknown"],
              "tokens_total": lambda f: f["total"]}
    for metric, value in values.items():
        got = [(w["row"], w["value"]) for w in document["worst"] if w["metric"] == metric]
        ranked = sorted(((i, value(f)) for i, f in per_row.items() if value(f) > 0), key=lambda rv: (-rv[1], rv[0]))
        assert got == ranked[:20], metric
    lost = next(w for w in document["worst"] if w["metric"] == "tokens_lost")
    text = ROWS[lost["row"]]["text"]
    assert lost["preview"] == text[lost["preview_start"]:lost["preview_start"] + len(lost["preview"])]
    assert lost["cut_char"] is not None and lost["preview_start"] <= lost["cut_char"]


def test_slices(minilm_case):
    document, per_row, _ = minilm_case
    for entry in document["slices"]:
        mine = [f for i, f in per_row.items() if ROWS[i]["label"] == entry["label"]]
        assert entry["examples"] == len(mine)
        assert entry["share_cut"] == pytest.approx(sum(f["kept"] < f["total"] for f in mine) / len(mine))
        assert entry["unknown_share"] == pytest.approx(sum(f["unknown"] for f in mine) / sum(f["total"] for f in mine))
        assert entry["mean_length"] == pytest.approx(sum(f["total"] for f in mine) / len(mine))
    assert {e["label"] for e in document["slices"]} == {"pos", "neg", "neutral"}


@pytest.mark.parametrize("kind", ["roberta", "cased-off-no-specials"])
def test_other_tokenizers_and_settings(kind, model_factory, tmp_path):
    if kind == "roberta":
        folder, settings = model_factory.roberta(), Settings()
    else:
        folder, settings = model_factory.bert(cased=True), Settings(add_special_tokens=False, max_length=24, lowercase="off")
    rows = generated_rows(120, seed=5)
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    document = audit(folder, path, settings)
    reference = Reference(folder, settings)
    if settings.lowercase == "off":
        reference.tokenizer = reference.inspector.tokenizer("off")
    per_row = expected(reference, rows)
    assert document["truncation"]["tokens_total"] == sum(f["total"] for f in per_row.values())
    assert document["truncation"]["tokens_kept"] == sum(f["kept"] for f in per_row.values())
    assert document["unknown"]["tokens"] == sum(f["unknown"] for f in per_row.values())
    assert document["words"]["count"] == sum(f["words"] for f in per_row.values())
    assert document["dropped_characters"]["characters"] == sum(sum(f["dropped"].values()) for f in per_row.values())
    codes = Counter(code for f in per_row.values() for code in f["codes"])
    assert {d["code"]: d["examples"] for d in document["diagnostics"] if d["rows"]} == dict(codes)


def test_pairs_match_the_tokenizer(model_factory, tmp_path):
    folder = model_factory.bert()
    rows = [{"text": r["text"], "pair": p["text"]} for r, p in zip(generated_rows(80, seed=8), generated_rows(80, seed=9))]
    rows = [r for r in rows if isinstance(r["text"], str) and isinstance(r["pair"], str)]
    path = write_jsonl(tmp_path / "pairs.jsonl", rows)
    settings = Settings(max_length=40)
    document = audit(folder, path, settings, columns=Columns(pair="pair"))
    reference = Reference(folder, settings)
    per_row = [reference.example(r["text"], r["pair"]) for r in rows]
    assert document["settings"]["pair"] is True
    assert document["truncation"]["tokens_total"] == sum(f["total"] for f in per_row)
    assert document["truncation"]["tokens_kept"] == sum(f["kept"] for f in per_row)
    assert document["truncation"]["examples_cut"] == sum(f["kept"] < f["total"] for f in per_row)
    assert document["unknown"]["tokens"] == sum(f["unknown"] for f in per_row)
    assert document["words"]["count"] == sum(f["words"] for f in per_row)
    codes = Counter(code for f in per_row for code in f["codes"])
    assert {d["code"]: d["examples"] for d in document["diagnostics"] if d["rows"]} == dict(codes)


@pytest.mark.parametrize("truncation", ["only_first", "only_second"])
def test_one_sided_truncation_of_a_pair_cuts_the_long_text_as_the_tokenizer_does(truncation, model_factory, tmp_path):
    """A short question beside a long passage, cut on the passage's side only (the extractive-QA set-up):
    audited as ``tokenizer(question, passage, truncation=...)`` cuts it, not refused."""
    folder = model_factory.bert()
    passages = [r["text"] * 6 for r in generated_rows(60, seed=4) if isinstance(r["text"], str) and len(r["text"]) > 20]
    short = "who wrote it?"
    rows = [{"text": p, "pair": short} if truncation == "only_first" else {"text": short, "pair": p} for p in passages]
    path = write_jsonl(tmp_path / "qa.jsonl", rows)
    settings = Settings(truncation=truncation, max_length=48)
    document = audit(folder, path, settings, columns=Columns(pair="pair"))
    reference = Reference(folder, settings)
    per_row = [reference.example(r["text"], r["pair"]) for r in rows]
    assert document["truncation"]["examples_cut"] == sum(f["kept"] < f["total"] for f in per_row) > 0
    assert document["truncation"]["tokens_kept"] == sum(f["kept"] for f in per_row)
