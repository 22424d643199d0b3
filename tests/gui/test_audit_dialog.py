"""File ▸ Audit Dataset…: the columns of every format from the schema alone, the request it builds, and
dropping a data file on the window."""

from __future__ import annotations

import csv
import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from bertinspector.core.audit import Columns
from bertinspector.core.model import Settings
from bertinspector.widgets.audit import AuditDialog

ROWS = [{"review": "Great mug ☕", "answer": "thanks", "label": "positive", "stars": 5},
        {"review": "Arrived broken", "answer": "sorry", "label": "negative", "stars": 1}]


def write(kind: str, folder):
    base = kind.removesuffix(".gz")
    path = folder / f"data.{base}"
    table = pa.Table.from_pylist(ROWS)
    if base == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    elif base == "json":
        path.write_text(json.dumps(ROWS), encoding="utf-8")
    elif base in ("csv", "tsv"):
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(ROWS[0]), delimiter="," if base == "csv" else "\t")
            writer.writeheader()
            writer.writerows(ROWS)
    elif base == "parquet":
        pq.write_table(table, path)
    elif base == "arrow":
        with pa.ipc.new_file(path, table.schema) as writer:
            writer.write_table(table)
    elif base == "txt":
        path.write_text("Great mug\nArrived broken\n", encoding="utf-8")
    if kind.endswith(".gz"):
        gz = path.with_name(path.name + ".gz")
        gz.write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
        return gz
    return path


@pytest.mark.parametrize("kind", ["jsonl", "json", "csv", "tsv", "parquet", "arrow", "jsonl.gz", "csv.gz"])
def test_the_columns_of_every_format(qtbot, tmp_path, kind):
    dialog = AuditDialog(model="default")
    qtbot.addWidget(dialog)
    assert dialog.set_path(str(write(kind, tmp_path)))
    texts = [dialog.text_combo.itemText(i) for i in range(dialog.text_combo.count())]
    assert texts == ["review", "answer", "label"]  # the string columns; stars is a number
    labels = [dialog.label_combo.itemText(i) for i in range(dialog.label_combo.count())]
    assert labels == ["(none)", "review", "answer", "label", "stars"] and dialog.label_combo.currentText() == "label"
    assert dialog.buttons.buttons()[0].isEnabled()
    if kind == "parquet":
        assert "2 rows" in dialog.info.text()
    dialog.set_columns(text="review", pair="answer")
    request = dialog.request()
    assert request.columns == Columns(text="review", pair="answer", label="label")


def test_a_text_file_is_one_text_column(qtbot, tmp_path):
    dialog = AuditDialog()
    qtbot.addWidget(dialog)
    assert dialog.set_path(str(write("txt", tmp_path)))
    assert dialog.text_combo.currentText() == "text" and dialog.request().columns.text == "text"


def test_a_large_parquet_answers_from_its_metadata(qtbot, tmp_path):
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"text": ["x" * 50] * 300_000, "label": ["a"] * 300_000}), path, row_group_size=50_000)
    dialog = AuditDialog()
    qtbot.addWidget(dialog)
    assert dialog.set_path(str(path)) and "300,000 rows" in dialog.info.text()


@pytest.mark.parametrize("content, words", [
    (None, "no such file"), (b"PK\x03\x04 zip", "not a readable Parquet file"), (b"plain", "not a gzip file"),
])
def test_an_unreadable_file_says_why_and_offers_nothing(qtbot, tmp_path, content, words):
    name = {None: "missing.jsonl", b"plain": "data.jsonl.gz"}.get(content, "data.parquet")
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    dialog = AuditDialog()
    qtbot.addWidget(dialog)
    assert not dialog.set_path(str(path))
    assert words in dialog.info.text() and "\n" not in dialog.info.text()
    assert not dialog.buttons.buttons()[0].isEnabled() and dialog.text_combo.count() == 0


def test_the_request_takes_the_window_model_and_settings_rows_and_b(qtbot, tmp_path):
    dialog = AuditDialog(model="some/model", settings=Settings(max_length=256, lowercase="off"))
    qtbot.addWidget(dialog)
    dialog.set_path(str(write("jsonl", tmp_path)))
    request = dialog.request()
    assert request.a.source == "some/model" and request.a.settings == Settings(max_length=256, lowercase="off")
    assert request.limit is None and request.sample is None and request.b is None
    dialog.rows_combo.setCurrentIndex(2)
    dialog.rows_spin.setValue(500)
    dialog.b_group.setChecked(True)
    dialog.variant_combo.setCurrentIndex(dialog.variant_combo.findData("max-length-128"))
    dialog.against_field.setText(str(tmp_path / "serve.jsonl"))
    request = dialog.request()
    assert request.sample == 500 and request.b.settings.max_length == 128 and request.b.source == "some/model"
    assert request.against == (str(tmp_path / "serve.jsonl"),)


def drop(window, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_dropping_a_data_file_opens_the_dialog_on_it(qtbot, make_window, tmp_path):
    window = make_window(persist=False)
    drop(window, write("parquet", tmp_path))
    dialog = window.audit._dialog
    assert dialog.isVisible() and dialog.path_field.text().endswith("data.parquet")
    assert dialog.text_combo.currentText() == "review"
    dialog.reject()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("a note", encoding="utf-8")
    drop(window, text_file)  # a text file still opens in the text pane
    assert window.text_pane.text() == "a note"
