"""The examples table over 1,000,000 synthetic records: sort, filter, the rows shown, CSV of the filtered part."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from bertinspector.core.audit.partial import EXAMPLE_DTYPE
from bertinspector.qt.audit_table import ExamplesModel, Filter, code_bit, codes_of, table_view
from bertinspector.widgets.audit.table import ExamplesTable
from guihelpers import shown

N = 1_000_000


@pytest.fixture(scope="module")
def records():
    rng = np.random.default_rng(7)
    r = np.zeros(N, EXAMPLE_DTYPE)
    r["row"] = np.arange(N) * 2  # sampled rows: numbers are not positions
    r["tokens"] = rng.integers(3, 2000, N)
    r["kept"] = np.minimum(r["tokens"], 512)
    r["unknown"] = rng.poisson(0.3, N)
    r["flags"] = np.where(r["tokens"] > 512, code_bit("sequence-truncated"), 0) | \
        np.where(r["unknown"] > 0, code_bit("unknown-tokens"), 0)
    return r


def test_sorted_by_tokens_lost_the_first_row_loses_most(qtbot, records):
    model = ExamplesModel()
    model.set_records(records)
    model.sort_by("lost", descending=True)
    lost = records["tokens"] - records["kept"]
    first = model.record(0)
    assert int(first["tokens"]) - int(first["kept"]) == lost.max()
    shown_lost = [int(model.data(model.index(i, model.columns.index("lost"))).replace(",", "")) for i in range(50)]
    assert shown_lost == sorted(shown_lost, reverse=True)
    # ties keep the dataset's order
    top = lost.max()
    tied = records["row"][lost == top]
    assert [int(model.record(i)["row"]) for i in range(len(tied))] == sorted(tied.tolist())
    model.sort(model.columns.index("unknown"), Qt.SortOrder.AscendingOrder)
    assert int(model.record(0)["unknown"]) == 0 and int(model.record(N - 1)["unknown"]) == records["unknown"].max()


def test_filters_by_finding_length_and_row(qtbot, records):
    model = ExamplesModel()
    model.set_records(records)
    model.set_filter(Filter(code="unknown-tokens"))
    assert model.rowCount() == int((records["unknown"] > 0).sum())
    assert all("unknown-tokens" in model.data(model.index(i, model.columns.index("findings"))) for i in range(20))
    model.set_filter(Filter(lengths=(512, 768)))
    expected = int(((records["tokens"] >= 512) & (records["tokens"] < 768)).sum())
    assert model.rowCount() == expected
    model.sort_by("tokens", descending=True)  # the sort stays with the filter
    assert int(model.record(0)["tokens"]) == 767
    model.set_filter(Filter(row=1234))
    assert model.rowCount() == 1 and int(model.record(0)["row"]) == 1234
    model.set_filter(Filter(row=1235))  # odd rows were not audited
    assert model.rowCount() == 0
    assert codes_of(code_bit("sequence-truncated") | code_bit("unknown-tokens")) == ["sequence-truncated", "unknown-tokens"]


def test_the_view_scrolls_a_million_rows_and_exports_what_it_shows(qtbot, records):
    table = shown(qtbot, ExamplesTable(), 700, 400)
    table.set_records(records, with_b=False)
    assert table.count_label.text() == f"{N:,} examples"
    table.view.scrollToBottom()
    qtbot.wait(20)
    bottom = table.view.indexAt(table.view.viewport().rect().bottomLeft())
    assert table.model.rowCount() == N and bottom.row() > N - 100  # the last rows are drawn
    table.sort_by("lost")
    table.set_code("sequence-truncated")
    table.set_lengths(1900, None)
    shown_rows = table.model.rowCount()
    assert 0 < shown_rows < N and table.count_label.text() == f"{shown_rows:,} of {N:,} examples"
    csv = table.model.to_csv().splitlines()
    assert csv[0] == "row,tokens,kept,lost,unknown,dropped,findings"
    assert len(csv) == shown_rows + 1
    assert all(int(line.split(",")[1]) >= 1900 for line in csv[1:])
    losses = [int(line.split(",")[3]) for line in csv[1:]]
    assert losses == sorted(losses, reverse=True)
    with qtbot.waitSignal(table.exampleActivated) as clicked:
        table.activate_table_row(0)
    assert clicked.args == [int(table.model.record(0)["row"])]
    table.clear_filters()
    assert table.model.rowCount() == N


def test_rows_ordered_elsewhere_are_taken_only_while_the_filter_and_sort_still_hold(qtbot, records):
    """A live snapshot brings the table's rows, ordered in the audit thread for the filter and sort the table
    had then; the table takes them as they are, and orders the records itself if the user changed either since."""
    model = ExamplesModel()
    model.set_filter(Filter(code="sequence-truncated"))
    model.sort_by("lost", descending=True)
    spec = model.spec()
    ordered_elsewhere = table_view(records, spec)
    model.set_records(records, view=(spec, ordered_elsewhere))
    assert model.view is ordered_elsewhere
    assert model.rowCount() == int((records["tokens"] > 512).sum())
    lost = [int(model.record(i)["tokens"]) - int(model.record(i)["kept"]) for i in range(100)]
    assert lost == sorted(lost, reverse=True)
    model.sort_by("unknown", descending=True)  # the user sorts again before the next snapshot arrives
    model.set_records(records, view=(spec, ordered_elsewhere))
    assert model.view is not ordered_elsewhere and int(model.record(0)["unknown"]) == records["unknown"].max()
    assert model.rowCount() == int((records["tokens"] > 512).sum())
