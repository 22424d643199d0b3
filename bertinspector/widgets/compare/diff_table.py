"""The preprocessing facts of A and B side by side, differing rows marked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from bertinspector.core.compare import Comparison
from bertinspector.core.compare_report import DIFFERS


# -- tables ---------------------------------------------------------------------------------------
class DiffTable(QTableWidget):
    """Rows (name, A, B, differs): differing rows carry ≠ in the first column and bold text."""

    def __init__(self, first_header: str, parent: QWidget | None = None):
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["", first_header, "A", "B"])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 22)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self._rows: list[tuple[str, str, str, bool]] = []
        self._only_differences = False

    def rows(self) -> list[tuple[str, str, str, bool]]:
        """What is shown: (name, A, B, differs) per row."""
        return [r for r in self._rows if r[3] or not self._only_differences]

    def set_only_differences(self, on: bool) -> None:
        self._only_differences = on
        self._fill()

    def set_rows(self, rows: list[tuple[str, str, str, bool]]) -> None:
        if rows == self._rows:
            return
        self._rows = list(rows)
        self._fill()

    def _fill(self) -> None:
        rows = self.rows()
        self.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        tint = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        tint.setAlpha(38)
        for r, (name, va, vb, differs) in enumerate(rows):
            for col, text in enumerate((DIFFERS if differs else "", name, va, vb)):
                item = self.item(r, col)
                if item is None:
                    item = QTableWidgetItem()
                    self.setItem(r, col, item)
                item.setText(text)
                item.setToolTip(f"{name}: A {va}, B {vb}" + (" (differs)" if differs else "") if col else
                                ("A and B differ here" if differs else ""))
                item.setFont(bold if differs else self.font())
                item.setBackground(QBrush(tint) if differs else QBrush())
                if col == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)


def _value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def config_rows(comparison: Comparison) -> list[tuple[str, str, str, bool]]:
    return [(r.field, _value(r.a), _value(r.b), r.differs) for r in comparison.config_diff]
