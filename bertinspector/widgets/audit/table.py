"""The examples table: every audited example (virtual), sortable by any figure, filtered by a finding, a
histogram bin, a label, B's changes, a row number or a text search (run by the owner: ``searchRequested``).
Clicking an example emits ``exampleActivated(row)``."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView, QToolButton,
    QVBoxLayout, QWidget,
)

from bertinspector.core.audit.measure import TEXT_CODES
from bertinspector.qt.audit_table import ExamplesModel, Filter

ALL = ""


class ExamplesTable(QWidget):
    exampleActivated = Signal(int)  # the dataset's global row number
    filterChanged = Signal(object)  # Filter
    searchRequested = Signal(str)  # find the rows whose text holds this (answer with set_search)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = ExamplesModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("auditExamples")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        vertical = self.view.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: a million scroll at once
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setDefaultSectionSize(84)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)

        self.code_combo = QComboBox(self)
        self.code_combo.setObjectName("auditCodeFilter")
        self.code_combo.addItem("All examples", ALL)
        for code in TEXT_CODES:
            self.code_combo.addItem(code, code)
        self.code_combo.currentIndexChanged.connect(self._apply)
        self.changed_box = QCheckBox("Changed by B", self)
        self.changed_box.setVisible(False)
        self.changed_box.toggled.connect(self._apply)
        self.row_field = QLineEdit(self)
        self.row_field.setPlaceholderText("row number")
        self.row_field.setClearButtonEnabled(True)
        self.row_field.setMaximumWidth(120)
        self.row_field.textChanged.connect(self._apply)
        self.search_field = QLineEdit(self)
        self.search_field.setObjectName("auditSearch")
        self.search_field.setPlaceholderText("text search (Enter)")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setMaximumWidth(200)
        self.search_field.returnPressed.connect(lambda: self.searchRequested.emit(self.search_field.text().strip()))
        self.search_field.textChanged.connect(lambda text: text or self.set_search("", None))
        self.bin_label = QLabel("", self)
        self.clear_button = QToolButton(self)
        self.clear_button.setText("Clear filters")
        self.clear_button.setAutoRaise(True)
        self.clear_button.clicked.connect(self.clear_filters)
        self.count_label = QLabel("", self)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Show", self))
        bar.addWidget(self.code_combo)
        bar.addWidget(self.changed_box)
        bar.addWidget(self.row_field)
        bar.addWidget(self.search_field)
        bar.addWidget(self.bin_label)
        bar.addWidget(self.clear_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._lengths: tuple[int, int | None] | None = None
        self._sized = False
        self._search: tuple[str, object] = ("", None)
        self._label: str | None = None
        self.model.modelReset.connect(self._count)

    # -- content and filters --------------------------------------------------------------------
    def set_records(self, records, with_b: bool, view=None) -> None:
        self.changed_box.setVisible(with_b)
        columns = self.model.columns
        self.model.set_records(records, with_b, view)
        if self.model.columns != columns or not self._sized:
            self._size_columns()

    def _size_columns(self) -> None:
        """Each column as wide as its title (never measured over the rows: there may be a million)."""
        header = self.view.horizontalHeader()
        metrics = header.fontMetrics()
        for i in range(self.model.columnCount() - 1):
            self.view.setColumnWidth(i, max(64, metrics.horizontalAdvance(str(self.model.headerData(
                i, Qt.Orientation.Horizontal))) + 28))
        self._sized = True

    def set_lengths(self, lo: int, hi: int | None) -> None:
        """Only the examples of ``lo`` to ``hi - 1`` tokens (a histogram bin)."""
        self._lengths = (lo, hi)
        self._apply()

    def set_code(self, code: str) -> None:
        """Filter on a finding's code, B's changes ("changed-by-b") or a label's slice ("label:NAME")."""
        if code == "changed-by-b":
            self.changed_box.setChecked(True)
            return
        if code.startswith("label:"):
            self._label = code.removeprefix("label:")
            self._apply()
            return
        index = self.code_combo.findData(code or ALL)
        if index >= 0:
            self.code_combo.setCurrentIndex(index)

    def set_search(self, text: str, rows) -> None:
        """Only the rows ``rows`` (a search for ``text`` found them); ``""`` clears the search."""
        self._search = (text, rows) if text else ("", None)
        self._apply()

    def clear_filters(self) -> None:
        self._lengths = None
        self._search = ("", None)
        self._label = None
        for widget in (self.code_combo, self.changed_box, self.row_field, self.search_field):
            widget.blockSignals(True)
        self.code_combo.setCurrentIndex(0)
        self.changed_box.setChecked(False)
        self.row_field.clear()
        self.search_field.clear()
        for widget in (self.code_combo, self.changed_box, self.row_field, self.search_field):
            widget.blockSignals(False)
        self._apply()

    def current_filter(self) -> Filter:
        text = self.row_field.text().replace(",", "").strip()
        row = int(text) if text.isdigit() else None
        return Filter(code=self.code_combo.currentData() or None, lengths=self._lengths,
                      changed=self.changed_box.isChecked() and self.changed_box.isVisible(), row=row,
                      text=self._search[0], rows=self._search[1], label=self._label)

    def _apply(self, *_args) -> None:
        chosen = self.current_filter()
        self.bin_label.setText(Filter(lengths=chosen.lengths, label=chosen.label).describe())
        if chosen != self.model.filter or chosen.rows is not self.model.filter.rows:
            self.model.set_filter(chosen)
            self.filterChanged.emit(chosen)

    def _count(self) -> None:
        shown, total = self.model.rowCount(), len(self.model.records)
        self.count_label.setText(f"{shown:,} of {total:,} examples" if shown != total else f"{total:,} examples")

    # -- sorting and clicks ---------------------------------------------------------------------
    def sort_by(self, name: str, descending: bool = True) -> None:
        column = self.model.columns.index(name)
        self.view.horizontalHeader().setSortIndicator(
            column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)  # sorts the model

    def select_table_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def activate_table_row(self, row: int) -> None:
        self.select_table_row(row)
        self._clicked(self.model.index(row, 0))

    def _clicked(self, index) -> None:
        if index.isValid():
            self.exampleActivated.emit(int(self.model.record(index.row())["row"]))

