"""The Audit pane: progress and Cancel, a banner for what went wrong, the cards, the histogram beside the
findings, and the examples table. It draws snapshots (:class:`bertinspector.qt.audit.Snapshot`); the audit
itself runs elsewhere. A failure or a cancel keeps what the pane shows."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QMenu, QProgressBar, QPushButton, QSplitter, QToolButton, QVBoxLayout, QWidget,
)

from bertinspector.core.model import Severity
from bertinspector.widgets.audit.cards import SummaryCards
from bertinspector.widgets.audit.findings import FindingsTree
from bertinspector.widgets.audit.histogram import LengthHistogram
from bertinspector.widgets.audit.table import ExamplesTable
from bertinspector.widgets.banner import Banner

EXPORTS = {  # kind -> menu entry
    "html": "Report as HTML…", "markdown": "Report as Markdown…", "json": "Report as JSON…",
    "png": "Histogram as PNG…", "svg": "Histogram as SVG…", "csv": "Table as CSV (the rows shown)…",
}


def duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 60}:{seconds % 60:02d}"


class AuditPane(QWidget):
    cancelRequested = Signal()
    newAuditRequested = Signal()
    exportRequested = Signal(str)  # a key of EXPORTS
    exampleActivated = Signal(int)  # the dataset's row

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("auditPane")
        self.document: dict | None = None
        self.snapshot = None
        self.title = QLabel("No audit yet: File ▸ Audit Dataset…, or drop a data file on the window", self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("auditProgress")
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.rate = QLabel("", self)
        self.rate.setObjectName("auditRate")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("auditCancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.new_button = QPushButton("Audit Dataset…", self)
        self.new_button.clicked.connect(self.newAuditRequested)
        self.export_button = QToolButton(self)
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.export_actions = {}
        for kind, title in EXPORTS.items():
            action = menu.addAction(title)
            action.triggered.connect(lambda _checked=False, kind=kind: self.exportRequested.emit(kind))
            self.export_actions[kind] = action
        self.export_button.setMenu(menu)
        self.export_button.setEnabled(False)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.progress)
        top.addWidget(self.rate)
        top.addWidget(self.cancel_button)
        top.addWidget(self.new_button)
        top.addWidget(self.export_button)

        self.banner = Banner(Severity.ERROR, self)
        self.banner.setObjectName("auditError")
        self.cards = SummaryCards(self)
        self.histogram = LengthHistogram(self)
        self.findings = FindingsTree(self)
        self.table = ExamplesTable(self)
        upper = QSplitter(Qt.Orientation.Horizontal, self)
        upper.addWidget(self.histogram)
        upper.addWidget(self.findings)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        upper.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.cards)
        layout.addWidget(self.splitter, 1)

        self.histogram.binClicked.connect(lambda lo, hi: self.table.set_lengths(lo, None if hi < 0 else hi))
        self.findings.codeSelected.connect(self.table.set_code)
        self.table.exampleActivated.connect(self.exampleActivated)

    # -- the audit's life -----------------------------------------------------------------------
    def set_running(self, title: str) -> None:
        self.banner.hide()
        self.title.setText(title)
        self.progress.setRange(0, 0)  # planning: rows not counted yet
        self.progress.show()
        self.rate.setText("reading the data…")
        self.cancel_button.show()
        self.new_button.setEnabled(True)

    def set_progress(self, done: int, total: int, seconds: float) -> None:
        scale = max(1, total // 1_000_000)  # QProgressBar takes ints
        self.progress.setRange(0, max(1, total // scale))
        self.progress.setValue(done // scale)
        self.progress.setFormat(f"{done:,} / {total:,} rows")
        rate = done / seconds if seconds > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        self.rate.setText(f"{rate:,.0f} rows/s · ETA {duration(eta)}")

    def set_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        document = self.document = snapshot.document
        self.cards.set_document(document)
        self.histogram.source = ", ".join(document["data"]["sources"])
        self.histogram.set_document(document)
        self.findings.set_document(document)
        self.table.set_records(snapshot.records, with_b=document.get("b") is not None, view=snapshot.view)
        self.export_button.setEnabled(True)
        if snapshot.final:
            self._stopped(f"done in {duration(document['timing'].get('seconds', 0))}, "
                          f"{document['timing'].get('examples_per_s', 0):,.0f} examples/s")

    def set_failed(self, message: str) -> None:
        """Say what went wrong; what the pane shows stays."""
        self.banner.show_message(message)
        self._stopped("stopped")

    def set_cancelled(self) -> None:
        self._stopped("cancelled: the figures cover the rows read so far" if self.document else "cancelled")

    def _stopped(self, text: str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.rate.setText(text)

    def running(self) -> bool:
        return not self.cancel_button.isHidden()
