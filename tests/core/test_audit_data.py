"""Every data format of the audit reads the same rows; bad input gives one clear line or a counted skip."""

from __future__ import annotations

import csv
import gzip
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bertinspector.core.audit import AuditRequest, Columns, DataError, Side, plan, run_audit

TEXTS = ["The quick brown fox.", "Café naïve 😀", "", "日本語 [MASK] text", "line with\ttab", "a, b; \"quoted\""] * 5
LABELS = [f"l{i % 3}" for i in range(len(TEXTS))]


def audit(folder, *data, columns=Columns(), **options):
    options.setdefault("workers", 1)
    return run_audit(AuditRequest(a=Side(str(folder)), data=tuple(str(d) for d in data), columns=columns, **options))


def _gzip(path):
    target = path.with_name(path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes()))
    path.unlink()
    return target


def _table():
    return pa.table({"text": TEXTS, "label": LABELS, "n": list(range(len(TEXTS)))})


def write(kind: str, folder):
    """The rows of TEXTS in one format; returns what to pass as DATA."""
    base = kind.removesuffix(".gz")
    path = folder / f"data.{base}"
    if base == "txt":
        path.write_text("".join(t.replace("\t", " ") + "\n" for t in TEXTS), encoding="utf-8")
    elif base in ("csv", "tsv"):
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, delimiter="\t" if base == "tsv" else ",")
            writer.writerow(["text", "label"])
            writer.writerows(zip(TEXTS, LABELS))
    elif base in ("jsonl", "ndjson"):
        path.write_text("".join(json.dumps({"text": t, "label": l}) + "\n" for t, l in zip(TEXTS, LABELS)), encoding="utf-8")
    elif base == "json":
        path.write_text(json.dumps([{"text": t, "label": l} for t, l in zip(TEXTS, LABELS)]), encoding="utf-8")
    elif base == "parquet":
        pq.write_table(_table(), path, row_group_size=7)
    elif base == "arrow":
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, _table().schema) as writer:
            writer.write_table(_table(), max_chunksize=8)
    return _gzip(path) if kind.endswith(".gz") else path


FORMATS = ["txt", "csv", "tsv", "jsonl", "ndjson", "json", "parquet", "arrow"]


@pytest.fixture(scope="module")
def baseline(model_factory, tmp_path_factory):
    folder = model_factory.bert()
    data = write("jsonl", tmp_path_factory.mktemp("baseline"))
    return folder, audit(folder, data)


def _same_figures(document, baseline_document, examples=len(TEXTS)):
    assert document["data"]["examples"] == examples
    for key in ("length", "truncation", "unknown", "words"):
        assert document[key] == baseline_document[key], key


@pytest.mark.parametrize("kind", FORMATS + [f"{k}.gz" for k in FORMATS])
def test_every_format_reads_the_same_rows(kind, baseline, tmp_path):
    folder, expected = baseline
    document = audit(folder, write(kind, tmp_path), shard_rows=11, batch_size=4)
    if kind.startswith("txt"):  # a line format: the tab became a space, the quoted line stays
        assert document["data"]["examples"] == len(TEXTS)
        return
    _same_figures(document, expected)
    assert document["data"]["column"] == "text"


def test_arrow_stream_save_to_disk_and_dataset_dict(baseline, tmp_path):
    folder, expected = baseline
    dataset = tmp_path / "train"
    dataset.mkdir()
    table = _table()
    with pa.OSFile(str(dataset / "data-00000-of-00002.arrow"), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table.slice(0, 10))
    with pa.OSFile(str(dataset / "data-00001-of-00002.arrow"), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table.slice(10))
    (dataset / "dataset_info.json").write_text(json.dumps({"features": {"text": {"dtype": "string"}}}))
    (dataset / "state.json").write_text(json.dumps({"_data_files": [{"filename": "data-00000-of-00002.arrow"},
                                                                    {"filename": "data-00001-of-00002.arrow"}]}))
    _same_figures(audit(folder, dataset), expected)
    (tmp_path / "dataset_dict.json").write_text(json.dumps({"splits": ["train"]}))
    _same_figures(audit(folder, tmp_path), expected)
    with pytest.raises(DataError, match="no split 'test'"):
        audit(folder, tmp_path, split="test")


def test_shard_folders_and_globs_number_rows_in_name_order(baseline, tmp_path):
    folder, expected = baseline
    shards = tmp_path / "shards"
    shards.mkdir()
    for i, start in enumerate(range(0, len(TEXTS), 7)):
        pq.write_table(_table().slice(start, 7), shards / f"part-{i:03d}.parquet")
    _same_figures(audit(folder, shards), expected)
    _same_figures(audit(folder, str(shards / "part-*.parquet")), expected)
    planned = plan([str(shards)])
    assert [s.row_base for s in planned.shards] == list(range(0, len(TEXTS), 7))


def test_a_dataset_id_in_the_hugging_face_cache(baseline, tmp_path, monkeypatch):
    folder, expected = baseline
    hub = tmp_path / "hub"
    snapshot = hub / "datasets--someone--reviews" / "snapshots" / ("a" * 40)
    (snapshot / "data").mkdir(parents=True)
    pq.write_table(_table(), snapshot / "data" / "train-00000-of-00001.parquet")
    pq.write_table(_table().slice(0, 3), snapshot / "data" / "test-00000-of-00001.parquet")
    (hub / "datasets--someone--reviews" / "refs").mkdir()
    (hub / "datasets--someone--reviews" / "refs" / "main").write_text("a" * 40)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(hub))
    _same_figures(audit(folder, "someone/reviews"), expected)
    assert audit(folder, "someone/reviews", split="test")["data"]["examples"] == 3
    with pytest.raises(DataError, match="no dataset of that id in the Hugging Face cache"):
        audit(folder, "someone/missing")


def test_columns_default_only_string_column_and_errors(baseline, tmp_path):
    folder, _ = baseline
    only = tmp_path / "only.parquet"
    pq.write_table(pa.table({"review": TEXTS, "stars": list(range(len(TEXTS)))}), only)
    assert audit(folder, only)["data"]["column"] == "review"
    several = tmp_path / "several.parquet"
    pq.write_table(pa.table({"title": TEXTS, "body": TEXTS}), several)
    with pytest.raises(DataError, match=r"string columns: title, body"):
        audit(folder, several)
    with pytest.raises(DataError, match=r"column 'n' holds int64, not text"):
        audit(folder, write("parquet", tmp_path), columns=Columns(text="n"))
    with pytest.raises(DataError, match=r"no column 'nope'"):
        audit(folder, write("parquet", tmp_path), columns=Columns(text="nope"))


def test_a_jsonl_column_of_numbers_is_skipped_and_counted(baseline, tmp_path):
    folder, _ = baseline
    path = tmp_path / "numbers.jsonl"
    path.write_text("".join(json.dumps({"text": i}) + "\n" for i in range(5)))
    with pytest.raises(DataError, match=r"no text to audit in column 'text': 5 row\(s\) read, 5 null or not a string"):
        audit(folder, path)


def test_limit_and_sample_keep_global_row_numbers(baseline, tmp_path):
    folder, _ = baseline
    data = write("parquet", tmp_path)
    assert audit(folder, data, limit=4)["data"]["rows_read"] == 4
    first = plan([str(data)], sample=9, seed=3, shard_rows=5)
    again = plan([str(data)], sample=9, seed=3, shard_rows=11)
    rows = lambda p: sorted(s.row_base + r for s in p.shards for r in (s.rows or range(s.start, s.stop)))  # noqa: E731
    assert rows(first) == rows(again) and len(rows(first)) == 9
    assert rows(plan([str(data)], sample=9, seed=4)) != rows(first)
    assert audit(folder, data, sample=9, seed=3)["data"]["rows_read"] == 9


@pytest.mark.parametrize("case", ["missing", "empty-folder", "unknown-extension", "binary", "truncated-gzip",
                                  "truncated-parquet", "bad-jsonl-line", "zero-rows", "not-gzip", "bad-csv-row"])
def test_bad_input_is_one_clear_line(case, baseline, tmp_path):
    folder, _ = baseline
    expected = {
        "missing": "no such file or folder", "empty-folder": "holds no supported data file",
        "unknown-extension": "unknown data format", "binary": "is it a binary file",
        "truncated-gzip": "truncated or corrupt gzip", "truncated-parquet": "not a readable Parquet file",
        "bad-jsonl-line": r"bad\.jsonl: line 3: not JSON", "zero-rows": "no rows to audit",
        "not-gzip": "not a gzip file", "bad-csv-row": "Expected 2 columns",
    }[case]
    data = tmp_path / "missing.jsonl"
    if case == "empty-folder":
        data = tmp_path / "folder"
        data.mkdir()
        (data / "notes.md").write_text("nothing here")
    elif case == "unknown-extension":
        data = tmp_path / "data.xlsx"
        data.write_bytes(b"PK\x03\x04")
    elif case == "binary":
        data = tmp_path / "data.jsonl"
        data.write_bytes(os.urandom(4096) + b"\x00")
    elif case == "truncated-gzip":
        data = write("jsonl.gz", tmp_path)
        data.write_bytes(data.read_bytes()[:-20])
    elif case == "truncated-parquet":
        data = write("parquet", tmp_path)
        data.write_bytes(data.read_bytes()[:-100])
    elif case == "bad-jsonl-line":
        data = tmp_path / "bad.jsonl"
        data.write_text('{"text": "a"}\n{"text": "b"}\n{"text": oops}\n{"text": "d"}\n')
    elif case == "zero-rows":
        data = tmp_path / "empty.jsonl"
        data.write_text("")
    elif case == "not-gzip":
        data = tmp_path / "data.jsonl.gz"
        data.write_text('{"text": "a"}\n')
    elif case == "bad-csv-row":
        data = tmp_path / "bad.csv"
        data.write_text("text,label\nhello,1\nworld,2,extra\n")
    with pytest.raises(DataError, match=expected) as error:
        audit(folder, data)
    assert "\n" not in str(error.value)


def test_skip_bad_rows_counts_them(baseline, tmp_path):
    folder, _ = baseline
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "a"}\n[1, 2]\n{"text": oops}\n{"text": "d"}\n\n')
    document = audit(folder, data, skip_bad_rows=True)
    assert document["data"] == {**document["data"], "rows_read": 5, "examples": 2, "bad_rows": 2, "skipped": 1}
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("text,label\nhello,1\nworld,2,extra\nagain,3\n")
    assert audit(folder, bad_csv, skip_bad_rows=True)["data"]["examples"] == 2


def test_a_csv_with_a_nul_byte_and_a_5_mb_row(baseline, tmp_path):
    folder, _ = baseline
    data = tmp_path / "nul.csv"
    data.write_bytes(b"text\nbefore\x00after\nplain\n")
    document = audit(folder, data)
    assert document["data"]["examples"] == 2
    big = tmp_path / "big.txt"
    big.write_text(("word " * 1_000_000) + "\nsmall\n")  # one 5 MB row
    document = audit(folder, big)
    assert document["data"]["examples"] == 2
    assert document["length"]["max"] == 1_000_002
    assert document["truncation"]["examples_cut"] == 1


def test_lone_surrogates_are_skipped(baseline, tmp_path):
    folder, _ = baseline
    data = tmp_path / "surrogate.jsonl"
    data.write_text('{"text": "ok"}\n{"text": "bad \\ud800 half"}\n')
    assert audit(folder, data)["data"] == {**audit(folder, data)["data"], "examples": 1, "skipped": 1}
