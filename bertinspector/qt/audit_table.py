"""The audit's examples as a virtual Qt table: a ``QAbstractTableModel`` over the numpy records of every example.

Nothing is copied per row: the model holds the records (``EXAMPLE_DTYPE``) and ``view``, the indices of the
rows shown in their shown order. Filters (a diagnostic, a range of lengths, changed by B, a row number, a
label, the rows a text search found) are
numpy masks, sorting is one ``argsort``; ``data()`` formats only the cells on screen, so a million rows
scroll as smoothly as ten.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from bertinspector.core.audit.measure import TEXT_CODES
from bertinspector.core.audit.partial import EXAMPLE_DTYPE, label_key

COLUMNS = ("row", "tokens", "kept", "lost", "unknown", "dropped", "findings")
B_COLUMNS = ("kept_b", "unknown_b", "changed")
HEADERS = {"row": "Row", "tokens": "Tokens", "kept": "Kept", "lost": "Lost", "unknown": "Unknown",
           "dropped": "Dropped chars", "findings": "Findings", "kept_b": "Kept (B)", "unknown_b": "Unknown (B)",
           "changed": "Changed by B"}
SORTABLE = ("row", "tokens", "kept", "lost", "unknown", "dropped", "kept_b", "unknown_b", "changed")


def code_bit(code: str) -> int:
    return 1 << TEXT_CODES.index(code)


def codes_of(flags: int) -> list[str]:
    return [code for i, code in enumerate(TEXT_CODES) if flags >> i & 1]


@dataclass(frozen=True)
class Filter:
    code: str | None = None  # only examples with this finding
    lengths: tuple[int, int | None] | None = None  # tokens in [lo, hi); hi None: open
    changed: bool = False  # only examples B changed
    row: int | None = None  # only this row
    label: str | None = None  # only this label's slice
    text: str = ""  # only the rows whose text holds this (``rows``: the rows a search found)
    rows: np.ndarray | None = field(default=None, compare=False)

    def describe(self) -> str:
        parts = []
        if self.code:
            parts.append(self.code)
        if self.lengths:
            lo, hi = self.lengths
            parts.append(f"{lo:,}+ tokens" if hi is None else f"{lo:,}–{hi - 1:,} tokens")
        if self.changed:
            parts.append("changed by B")
        if self.row is not None:
            parts.append(f"row {self.row:,}")
        if self.text:
            parts.append(f"text holds {self.text!r}")
        if self.label is not None:
            parts.append(f"label {self.label!r}")
        return ", ".join(parts)


SortKey = tuple  # (column name, descending)
ViewSpec = tuple  # (Filter, SortKey): what decides which records a table shows, in which order


def column_values(records: np.ndarray, name: str, index: np.ndarray | None = None) -> np.ndarray:
    """A column's figures (of the records at ``index``), read field by field: never a copy of whole records."""
    pick = (lambda field: records[field]) if index is None else (lambda field: records[field][index])  # noqa: E731
    if name == "lost":
        return pick("tokens") - pick("kept")
    return pick(name)


def filtered(records: np.ndarray, f: Filter) -> np.ndarray:
    """The indices of the records ``f`` keeps, ascending."""
    mask = np.ones(len(records), bool)
    if f.code:
        mask &= (records["flags"] & code_bit(f.code)) != 0
    if f.lengths:
        lo, hi = f.lengths
        mask &= records["tokens"] >= lo
        if hi is not None:
            mask &= records["tokens"] < hi
    if f.changed:
        mask &= records["changed"]
    if f.row is not None:
        mask &= records["row"] == f.row
    if f.label is not None:
        mask &= records["label"] == label_key(f.label)
    if f.text and f.rows is not None:
        mask &= np.isin(records["row"], f.rows)
    return np.flatnonzero(mask)


def ordered(records: np.ndarray, view: np.ndarray, sort_key: SortKey) -> np.ndarray:
    """``view`` (indices of records) in the order of ``sort_key``; ties keep row order."""
    name, descending = sort_key
    if name == "row":  # the records are in row order: a filtered view already is
        if (view[1:] < view[:-1]).any():
            view = np.sort(view)
        return view[::-1].copy() if descending else view
    key = column_values(records, name, view).astype(np.int64)
    if descending:
        key = key.max(initial=0) - key
    if key.min(initial=0) >= 0 and key.max(initial=0) < 1 << 16:
        key = key.astype(np.uint16)  # numpy sorts 16-bit keys stably by radix: linear time
    return view[np.argsort(key, kind="stable")]


def table_view(records: np.ndarray, spec: ViewSpec) -> np.ndarray:
    """The indices of the records a table with ``spec`` shows, in its order: numpy only, so any thread can
    compute it (the audit thread does for each live snapshot, sparing the GUI thread a million-row sort)."""
    f, sort_key = spec
    return ordered(records, filtered(records, f), sort_key)


class ExamplesModel(QAbstractTableModel):
    """Every audited example; :meth:`set_records` replaces them keeping the filter and the sort."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.records = np.zeros(0, EXAMPLE_DTYPE)
        self.view = np.zeros(0, np.int64)
        self.filter = Filter()
        self.sort_key: tuple[str, bool] = ("row", False)  # column, descending
        self.columns: tuple[str, ...] = COLUMNS

    # -- content --------------------------------------------------------------------------------
    def set_records(self, records: np.ndarray, with_b: bool = False, view: tuple[ViewSpec, np.ndarray] | None = None) -> None:
        """Show ``records``; ``view``: the ``(spec, table_view(records, spec))`` computed elsewhere, used when
        ``spec`` is still this table's (otherwise computed here)."""
        self.beginResetModel()
        self.records = records
        self.columns = COLUMNS + (B_COLUMNS if with_b else ())
        self.view = view[1] if view is not None and view[0] == self.spec() else table_view(records, self.spec())
        self.endResetModel()

    def spec(self) -> ViewSpec:
        return self.filter, self.sort_key

    def set_filter(self, filter_: Filter) -> None:
        self.beginResetModel()
        self.filter = filter_
        self.view = table_view(self.records, self.spec())
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # noqa: A003 (Qt's name)
        name = self.columns[column]
        if name not in SORTABLE:
            return
        self.layoutAboutToBeChanged.emit()
        self.sort_key = (name, order == Qt.SortOrder.DescendingOrder)
        self.view = ordered(self.records, self.view, self.sort_key)
        self.layoutChanged.emit()

    def sort_by(self, name: str, descending: bool = True) -> None:
        self.sort(self.columns.index(name), Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)

    # -- what the view asks ---------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.view)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[self.columns[section]]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        name = self.columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft if name == "findings" else Qt.AlignmentFlag.AlignRight) \
                | int(Qt.AlignmentFlag.AlignVCenter)
        record = self.records[self.view[index.row()]]
        if name == "findings":
            codes = codes_of(int(record["flags"]))
            return "\n".join(codes) if role == Qt.ItemDataRole.ToolTipRole else ", ".join(codes)
        if role == Qt.ItemDataRole.ToolTipRole:
            return None
        if name == "lost":
            return f"{int(record['tokens']) - int(record['kept']):,}"
        if name == "changed":
            return "yes" if record["changed"] else ""
        return f"{int(record[name]):,}"

    def record(self, row: int) -> np.void:
        """The record shown in table row ``row``."""
        return self.records[self.view[row]]

    def to_csv(self) -> str:
        """The rows shown (filtered and sorted), as CSV."""
        r = self.records[self.view]
        out = io.StringIO()
        out.write(",".join(self.columns) + "\n")
        numeric = [column_values(self.records, name, self.view) for name in self.columns if name != "findings"]
        findings = [";".join(codes_of(int(f))) for f in r["flags"].tolist()] if "findings" in self.columns else None
        columns = [c.astype(np.int64).tolist() for c in numeric]
        for i in range(len(r)):
            cells = [str(col[i]) for col in columns]
            if findings is not None:
                cells.insert(self.columns.index("findings"), findings[i])
            out.write(",".join(cells) + "\n")
        return out.getvalue()
