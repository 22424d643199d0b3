"""The dataset's findings: diagnostics with counts, the top unknown texts, dropped characters, B and the
second dataset. Selecting a diagnostic (or B's changed examples) emits what the table filters on."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from bertinspector.core.audit.measure import TEXT_CODES
from bertinspector.core.audit.finalize import MAX_SLICES
from bertinspector.core.audit.partial import OTHER_LABEL
from bertinspector.core.model import Severity
from bertinspector.qt.resources import severity_icon

CODE_ROLE = Qt.ItemDataRole.UserRole
CHANGED = "changed-by-b"  # the CODE_ROLE of B's changed examples
LABEL = "label:"  # + a label: the CODE_ROLE of a label's slice


class FindingsTree(QTreeWidget):
    codeSelected = Signal(str)  # a TEXT_CODES code, CHANGED, LABEL + a label, or "" (cleared)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("auditFindings")
        self.setHeaderLabels(["Finding", "Examples"])
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.setColumnWidth(0, 320)
        self.itemSelectionChanged.connect(self._selected)
        self._document: dict | None = None

    def set_document(self, document: dict | None) -> None:
        selected = self.selected_code()
        self.blockSignals(True)
        try:
            self.clear()
            if document:
                self._fill(document)
            self.expandAll()
            if selected:
                for item in self._items():
                    if item.data(0, CODE_ROLE) == selected:
                        item.setSelected(True)
        finally:
            self.blockSignals(False)

    def _fill(self, document: dict) -> None:
        diagnostics = self._group("Diagnostics", len(document["diagnostics"]))
        for d in document["diagnostics"]:
            item = QTreeWidgetItem(diagnostics, [f"{d['code']}: {d['message']}",
                                                 "all" if d.get("rows") == [] and d["code"] not in TEXT_CODES
                                                 else f"{d['examples']:,}"])
            item.setIcon(0, severity_icon(Severity(d["severity"])))
            item.setToolTip(0, d["message"])
            if d["code"] in TEXT_CODES:
                item.setData(0, CODE_ROLE, d["code"])
        unknown = document["unknown"]["top"]
        group = self._group("Unknown texts", len(unknown))
        for entry in unknown:
            QTreeWidgetItem(group, [repr(entry["text"]), f"{entry['count']:,}"])
        dropped = document["dropped_characters"]["top"]
        group = self._group("Dropped characters", len(dropped))
        for entry in dropped:
            QTreeWidgetItem(group, [f"{entry['char']!r} {entry['name']}", f"{entry['count']:,}"])
        if document.get("slices"):
            labels = document["data"].get("labels", len(document["slices"]))
            title = "Labels" if labels <= MAX_SLICES else f"Labels: the {MAX_SLICES} largest of {labels:,}"
            group = self._group(title, len(document["slices"]))
            for s in document["slices"]:
                item = QTreeWidgetItem(group, [f"{s['label']}: {100 * s['share_cut']:.1f} % cut, mean "
                                               f"{s['mean_length']:.0f} tokens", f"{s['examples']:,}"])
                if s["label"] != OTHER_LABEL:
                    item.setData(0, CODE_ROLE, LABEL + s["label"])
        b = document.get("b")
        if b:
            group = self._group("B: " + b["model"].get("source", "B"), None)
            item = QTreeWidgetItem(group, [f"examples B changes ({100 * b['share_changed']:.1f} %)",
                                           f"{b['examples_changed']:,}"])
            item.setData(0, CODE_ROLE, CHANGED)
            for d in b["diagnostics"]:
                QTreeWidgetItem(group, [f"B {d['code']}: {d['message']}", f"{d['examples']:,}" if d["examples"] else ""])
        against = document.get("against")
        if against:
            group = self._group("Against " + ", ".join(against["data"]["sources"]), len(against["findings"]))
            for f in against["findings"]:
                item = QTreeWidgetItem(group, [f"{f['code']}: {f['message']}", ""])
                item.setToolTip(0, f["message"])
                if f.get("severity") in ("error", "warning", "info"):
                    item.setIcon(0, severity_icon(Severity(f["severity"])))

    def _group(self, title: str, count: int | None) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self, [title, "" if count is None else str(count)])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
        return item

    def _items(self):
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            for j in range(top.childCount()):
                yield top.child(j)

    def texts(self) -> list[str]:
        return [item.text(0) for item in self._items()]

    def select_code(self, code: str) -> bool:
        for item in self._items():
            if item.data(0, CODE_ROLE) == code:
                self.setCurrentItem(item)
                return True
        return False

    def selected_code(self) -> str:
        items = self.selectedItems()
        return (items[0].data(0, CODE_ROLE) or "") if items else ""

    def _selected(self) -> None:
        self.codeSelected.emit(self.selected_code())
