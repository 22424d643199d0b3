"""A clicked example is read again from its file: the same row in every format, and a file that changed says so."""

from __future__ import annotations

import pytest

from bertinspector.core.audit import Columns, DataError, plan
from bertinspector.qt.audit import RowReader
from test_audit_dialog import ROWS, write


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet", "jsonl.gz", "json"])
def test_the_clicked_row_is_read_again_from_the_file(tmp_path, kind):
    path = write(kind, tmp_path)
    reader = RowReader(plan([str(path)], Columns(text="review", pair="answer"), shard_rows=1))
    assert reader.read(1) == (ROWS[1]["review"], ROWS[1]["answer"])
    assert reader.read(0) == (ROWS[0]["review"], ROWS[0]["answer"])


def test_a_row_gone_from_the_file_is_one_line(tmp_path):
    path = write("jsonl", tmp_path)
    reader = RowReader(plan([str(path)], Columns(text="review")))
    path.write_text('{"review": "only one row now"}\n', encoding="utf-8")
    reader._lines.clear()
    with pytest.raises(DataError, match="row 1 is no longer in"):
        reader.read(1)
    path.unlink()
    reader._lines.clear()
    with pytest.raises(DataError, match="data.jsonl"):
        reader.read(0)
