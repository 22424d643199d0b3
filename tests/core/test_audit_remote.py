"""Data behind a URI (what a cluster's workers read): ``file://`` through pyarrow's filesystems and
``memory://`` through fsspec's (the path ``hf://`` takes) give the audit of the same files on disk."""

from __future__ import annotations

import gzip
import json

import pytest

from bertinspector.core.audit import AuditRequest, Side, plan, run_audit
from bertinspector.core.audit.readers import DataError

TEXTS = [f"Row {i}: a naïve café in Zürich 😀 " + "word " * (i % 40) for i in range(60)]


def audit(source):
    document = run_audit(AuditRequest(a=Side("default"), data=(source,), workers=1, shard_rows=25))
    document.pop("timing")
    document["data"].pop("sources")
    return document


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("remote") / "shards"
    folder.mkdir()
    pq.write_table(pa.table({"text": TEXTS[:30]}), folder / "part-0.parquet", row_group_size=10)
    with gzip.open(folder / "part-1.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps({"text": t}) + "\n" for t in TEXTS[30:])
    return folder


def test_a_file_uri_folder_is_audited_as_the_folder(shards):
    planned = plan([f"file://{shards}"])
    assert [(f.display, f.rows) for f in planned.files] == [(f"file://{shards}/part-0.parquet", 30),
                                                           (f"file://{shards}/part-1.jsonl.gz", 30)]
    assert audit(f"file://{shards}") == audit(str(shards))


def test_an_fsspec_filesystem_serves_the_schemes_pyarrow_lacks(shards):
    import fsspec

    memory = fsspec.filesystem("memory")
    memory.pipe("/bertinspector-test/train.txt", "\n".join(TEXTS).encode())
    try:
        assert audit("memory:///bertinspector-test/train.txt") == audit(str(shards))
    finally:
        memory.rm("/bertinspector-test", recursive=True)


@pytest.mark.parametrize("uri, message", [
    ("file:///nonexistent-bertinspector/train.jsonl", "file:///nonexistent-bertinspector/train.jsonl: no such file or folder"),
    ("nosuchscheme://bucket/train.jsonl", "nosuchscheme://bucket/train.jsonl: Protocol not known: nosuchscheme"),
])
def test_an_unreadable_uri_is_one_line(uri, message):
    with pytest.raises(DataError) as caught:
        plan([uri])
    assert str(caught.value) == message
