"""The inference panel: Run / Cancel, device and dtype, timings, and the model's output by kind.

:class:`InferencePanel` talks to an :class:`~bertinspector.qt.inference.InferenceController`
(``attach``) or, unattached, only emits its requests. Outputs by the model's kind:

* masked LM: the top-k predictions for every [MASK], as probability bars;
* sequence classification: a probability bar per label (``id2label``);
* token classification: a label per received token (listed; ``tokenLabelsChanged`` carries them
  to the token view);
* question answering: the best answer span (``answerSpanChanged(segment, start, end)`` in
  characters of the text, for the text pane to highlight);
* base model: the [CLS] and mean-pooled vectors' norms.

A result whose input no longer matches the current inspection is marked stale (and its token
labels and answer span are withdrawn until the input matches again).

:class:`InferenceWorkspace` puts the panel beside the attention and hidden-state plots and wires
them to one controller: what the main window docks.
"""

from __future__ import annotations

import html
import time

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFontMetrics, QKeySequence, QPainter, QPalette, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton, QScrollArea,
    QSizePolicy, QSplitter, QStackedWidget, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from bertinspector.core.model import Inspection, Severity
from bertinspector.core.readable import read_piece, scheme_of
from bertinspector.qt.inference import DTYPE_CHOICES, DeviceChoice, InferenceController, auto_is_gpu, same_input
from bertinspector.widgets.attention_plot import AttentionPlot
from bertinspector.widgets.banner import Banner
from bertinspector.widgets.heatmap import short_label
from bertinspector.widgets.hidden_plot import HiddenPlot
from bertinspector.widgets.chip_canvas import display_label

KIND_TITLES = {
    "masked-lm": "Masked-LM predictions",
    "sequence-classification": "Sequence classification",
    "token-classification": "Token classification",
    "question-answering": "Question answering",
    "base": "Base model: pooled vectors",
}
BAR_COLOR = "#3b6fb6"
BEST_COLOR = "#2a9d5b"
STALE_STYLE = ("QLabel { background: #fff4e0; border: 1px solid #c77700; border-radius: 3px; color: #1f2328;"
               " padding: 3px 6px; }")


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f}\u00a0µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f}\u00a0ms"
    return f"{seconds:.2f}\u00a0s"


def format_bytes(n: int | None) -> str:
    if n is None:
        return "—"
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if n >= size:
            return f"{n / size:.1f}\u00a0{unit}"
    return f"{n}\u00a0B"


class ProbabilityBars(QWidget):
    """Rows of (label, probability) as horizontal bars; the best row in green."""

    ROW = 20

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[tuple[str, float]] = []
        self._best = -1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[tuple[str, float]], best: int | None = None) -> None:
        self._rows = [(str(label), float(p)) for label, p in rows]
        if best is None and self._rows:
            best = int(np.argmax([p for _, p in self._rows]))
        self._best = -1 if best is None else best
        self.updateGeometry()
        self.update()

    def rows(self) -> list[tuple[str, float]]:
        return list(self._rows)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(240, max(1, len(self._rows)) * self.ROW + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(140, self.sizeHint().height())

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        width = self.width()
        label_w = min(max((fm.horizontalAdvance(l) for l, _ in self._rows), default=40) + 8, int(width * 0.42))
        value_w = fm.horizontalAdvance("100.0%") + 6
        bar_w = max(10, width - label_w - value_w - 4)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        track = self.palette().color(QPalette.ColorRole.Midlight)
        for i, (label, p) in enumerate(self._rows):
            y = i * self.ROW + 1
            h = self.ROW - 5
            painter.setPen(text)
            right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            painter.drawText(QRectF(0, y, label_w - 6, h), right,
                             fm.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 6))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(QRectF(label_w, y + 2, bar_w, h - 4), 3, 3)
            painter.setBrush(QColor(BEST_COLOR if i == self._best else BAR_COLOR))
            painter.drawRoundedRect(QRectF(label_w, y + 2, max(2.0, bar_w * min(max(p, 0.0), 1.0)), h - 4), 3, 3)
            painter.setPen(text)
            painter.drawText(QRectF(label_w + bar_w + 4, y, value_w, h),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), f"{p * 100:.1f}%")
        painter.end()


class InferencePanel(QWidget):
    """Run / Cancel, device and dtype, timings and the model's output."""

    runRequested = Signal()
    cancelRequested = Signal()
    deviceChanged = Signal(str)
    dtypeChanged = Signal(str)
    tokenSelected = Signal(int)  # position in inspection.tokens
    tokenLabelsChanged = Signal(object)  # {position: (label, confidence)}; {} clears
    answerSpanChanged = Signal(int, int, int)  # segment, start, end (characters); (-1, -1, -1) clears
    staleChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None, controller: InferenceController | None = None):
        super().__init__(parent)
        self.setObjectName("inferencePanel")
        self.controller: InferenceController | None = None
        self._inspection: Inspection | None = None
        self._view = None
        self._stale = False
        self._busy = False
        self._started = 0.0
        self._status = ""
        self._devices: list[DeviceChoice] = []
        self._prefetch = lambda: (0, 0)

        self.run_button = QPushButton("Run", self)
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip("Run the model on the tokens it receives (Ctrl+Enter)")
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Stop the run (within one encoder layer)")
        self.cancel_button.setEnabled(False)
        self.device_combo = QComboBox(self)
        self.device_combo.setObjectName("deviceCombo")
        self.device_combo.setToolTip("Where the model runs")
        self.device_combo.addItem("auto", "auto")
        self.device_combo.addItem("cpu", "cpu")
        self.dtype_combo = QComboBox(self)
        self.dtype_combo.setObjectName("dtypeCombo")
        for name in DTYPE_CHOICES:
            self.dtype_combo.addItem(name, name)
        self.run_action = QAction("Run Model", self)
        self.run_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.run_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.run_action.triggered.connect(lambda _checked=False: self.run())
        self.addAction(self.run_action)
        self.cancel_action = QAction("Cancel Run", self)
        self.cancel_action.setShortcut(QKeySequence("Escape"))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.cancel_action.triggered.connect(lambda _checked=False: self.cancel())
        self.addAction(self.cancel_action)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("inferenceStatus")
        self.error_banner = Banner(Severity.ERROR, self)
        self.error_banner.setObjectName("inferenceError")
        self.weights_banner = Banner(Severity.WARNING, self)
        self.weights_banner.setObjectName("inferenceWeights")
        self.stale_label = QLabel("Stale: the input changed since this run. Press Run to update.", self)
        self.stale_label.setObjectName("inferenceStale")
        self.stale_label.setWordWrap(True)
        self.stale_label.setStyleSheet(STALE_STYLE)
        self.stale_label.setVisible(False)
        self.timing_label = QLabel(self)
        self.timing_label.setObjectName("inferenceTimings")
        self.timing_label.setTextFormat(Qt.TextFormat.RichText)
        self.timing_label.setWordWrap(True)
        self.timing_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.output_title = QLabel(self)
        self.output_title.setObjectName("outputTitle")
        self.output_stack = QStackedWidget(self)
        self.empty_page = QLabel("Press Run (Ctrl+Enter) to run the model on these tokens.", self)
        self.empty_page.setWordWrap(True)
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty_page.setStyleSheet("color: gray;")
        # masked LM
        self.mask_page = QWidget(self)
        self.mask_layout = QVBoxLayout(self.mask_page)
        self.mask_layout.setContentsMargins(0, 0, 0, 0)
        self.mask_layout.setSpacing(2)
        self.mask_bars: list[ProbabilityBars] = []
        self.mask_headers: list[QLabel] = []
        # sequence classification
        self.class_page = QWidget(self)
        class_layout = QVBoxLayout(self.class_page)
        class_layout.setContentsMargins(0, 0, 0, 0)
        self.class_summary = QLabel(self.class_page)
        self.class_bars = ProbabilityBars(self.class_page)
        class_layout.addWidget(self.class_summary)
        class_layout.addWidget(self.class_bars)
        class_layout.addStretch(1)
        # token classification
        self.token_table = QTableWidget(0, 4, self)
        self.token_table.setObjectName("tokenLabels")
        self.token_table.setHorizontalHeaderLabels(["#", "token", "label", "confidence"])
        self.token_table.verticalHeader().setVisible(False)
        self.token_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.token_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.token_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.token_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.token_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.token_table.cellClicked.connect(self._on_token_row)
        self.qa_page = self._text_page("answer")  # question answering
        self.base_page = self._text_page("pooled")  # base model
        mask_scroll = QScrollArea(self)
        mask_scroll.setWidgetResizable(True)
        mask_scroll.setFrameShape(QFrame.Shape.NoFrame)
        mask_scroll.setWidget(self.mask_page)
        self.pages = {"": self.empty_page, "masked-lm": mask_scroll, "sequence-classification": self.class_page,
                      "token-classification": self.token_table, "question-answering": self.qa_page,
                      "base": self.base_page}
        for page in self.pages.values():
            self.output_stack.addWidget(page)

        controls = QGridLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.setHorizontalSpacing(6)
        controls.setVerticalSpacing(4)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.status_label, 1)
        controls.addLayout(buttons, 0, 0, 1, 2)
        controls.addWidget(QLabel("Device", self), 1, 0)
        controls.addWidget(self.device_combo, 1, 1)
        controls.addWidget(QLabel("Precision", self), 2, 0)
        controls.addWidget(self.dtype_combo, 2, 1)
        controls.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(controls)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.weights_banner)
        layout.addWidget(self.stale_label)
        layout.addWidget(self.timing_label)
        layout.addWidget(self._rule())
        layout.addWidget(self.output_title)
        layout.addWidget(self.output_stack, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._tick)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.device_combo.currentIndexChanged.connect(self._on_device)
        self.dtype_combo.currentIndexChanged.connect(self._on_dtype)
        self._update_dtypes()
        self.clear_result()
        if controller is not None:
            self.attach(controller)

    def _rule(self) -> QFrame:
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        return line

    def _text_page(self, name: str) -> QLabel:
        """A wrapped, selectable rich-text page."""
        page = QLabel(self)
        page.setObjectName(name)
        page.setWordWrap(True)
        page.setTextFormat(Qt.TextFormat.RichText)
        page.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        page.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return page

    # -- wiring -----------------------------------------------------------------------------------
    def attach(self, controller: InferenceController) -> None:
        """Drive ``controller`` (Run/Cancel/device/dtype) and show what it reports."""
        self.controller = controller
        controller.devicesChanged.connect(self.set_devices)
        controller.busyChanged.connect(lambda busy: self.set_busy(busy, self._status))
        controller.statusChanged.connect(self._on_status)
        controller.resultReady.connect(self.show_result)
        controller.resultCleared.connect(self.clear_result)
        controller.failed.connect(self.show_error)
        controller.cancelled.connect(lambda: self._flash_status("Cancelled"))
        controller.modelLoaded.connect(self._on_model_loaded)
        controller.modelReleased.connect(lambda: self._flash_status("Model released"))
        controller.set_device(self.device())
        controller.set_dtype(self.dtype())
        if controller.devices():
            self.set_devices(controller.devices())

    def set_prefetch_provider(self, provider) -> None:
        """``provider()`` -> (layer, head) to fetch with the result (what the attention plot shows)."""
        self._prefetch = provider

    # -- state ------------------------------------------------------------------------------------
    def device(self) -> str:
        return self.device_combo.currentData() or "auto"

    def dtype(self) -> str:
        return self.dtype_combo.currentData() or "float32"

    def set_device(self, name: str) -> bool:
        index = self.device_combo.findData(name)
        if index < 0 or not self._item_enabled(self.device_combo, index):
            return False
        self.device_combo.setCurrentIndex(index)
        return True

    def set_dtype(self, name: str) -> bool:
        index = self.dtype_combo.findData(name)
        if index < 0 or not self._item_enabled(self.dtype_combo, index):
            return False
        self.dtype_combo.setCurrentIndex(index)
        return True

    def result(self):
        return self._view

    def is_stale(self) -> bool:
        return self._stale

    def is_busy(self) -> bool:
        return self._busy

    def inspection(self) -> Inspection | None:
        return self._inspection

    # -- slots ------------------------------------------------------------------------------------
    def set_devices(self, choices: list) -> None:
        """Fill the device list; unavailable devices are disabled, their reason in the tooltip."""
        self._devices = list(choices)
        current = self.device()
        self.device_combo.blockSignals(True)
        self.device_combo.clear()
        model: QStandardItemModel = self.device_combo.model()
        for i, choice in enumerate(self._devices):
            text = choice.name if choice.available or not choice.reason else f"{choice.name} (unavailable)"
            if choice.available and choice.reason and choice.name != "auto":
                text = f"{choice.name} · {choice.reason}"
            elif choice.name == "auto" and choice.reason.startswith("uses "):
                text = f"auto ({choice.reason.removeprefix('uses ')})"
            self.device_combo.addItem(text, choice.name)
            tip = choice.reason if choice.reason else ("runs on the CPU" if choice.name == "cpu" else "")
            if not choice.available:
                tip = f"Not available: {choice.reason}" if choice.reason else "Not available"
            elif choice.name == "auto":
                tip = f"The best device found ({choice.reason.removeprefix('uses ')})" if choice.reason else ""
            self.device_combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
            item = model.item(i)
            if item is not None and not choice.available:
                item.setEnabled(False)
        index = self.device_combo.findData(current)
        if index < 0 or not self._item_enabled(self.device_combo, index):
            index = self.device_combo.findData("auto")
        self.device_combo.setCurrentIndex(max(index, 0))
        self.device_combo.blockSignals(False)
        self._update_dtypes()
        self._on_device(self.device_combo.currentIndex())

    def set_inspection(self, inspection: Inspection | None) -> None:
        """The current input; a shown result that no longer matches it is marked stale."""
        self._inspection = inspection
        self.run_button.setEnabled(inspection is not None or self.controller is None)
        self._update_stale()

    def set_busy(self, busy: bool, status: str = "") -> None:
        self._busy = busy
        self.cancel_button.setEnabled(busy)
        if busy:
            self._started = time.perf_counter()
            self._status = status or "Running…"
            self._timer.start()
            self.error_banner.hide()
        else:
            self._timer.stop()
            self._status = ""
        self._tick()

    def run(self) -> None:
        """Run on the current inspection (through the controller when attached)."""
        self.runRequested.emit()
        if self.controller is not None:
            prefetch = None
            try:
                prefetch = self._prefetch()
            except Exception:  # noqa: BLE001 - a broken provider must not stop a run
                prefetch = (0, 0)
            self.error_banner.hide()
            self.controller.run(self._inspection, prefetch=prefetch)

    def cancel(self) -> None:
        if not self._busy:
            return
        self.cancelRequested.emit()
        if self.controller is not None:
            self.controller.cancel()

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.error_banner.show_message(message)

    def show_result(self, view) -> None:
        """Show a run's timings and output (a ResultView)."""
        self._view = view
        self.set_busy(False)
        self.error_banner.hide()
        kind = view.kind
        self.output_title.setText(f"<b>{html.escape(KIND_TITLES.get(kind, kind))}</b>")
        self.output_stack.setCurrentWidget(self.pages.get(kind, self.empty_page))
        outputs = view.outputs
        if kind == "masked-lm":
            self._show_masks(view, outputs.get("masks", []))
        elif kind == "sequence-classification":
            self._show_classes(outputs)
        elif kind == "token-classification":
            self._show_token_labels(view, outputs)
        elif kind == "question-answering":
            self._show_answer(view, outputs)
        else:
            self._show_pooled(view, outputs)
        self.refresh_timings()
        self._update_stale(force_emit=True)

    def clear_result(self) -> None:
        had = self._view is not None
        self._view = None
        self.output_title.setText("<b>Output</b>")
        self.output_stack.setCurrentWidget(self.empty_page)
        self.timing_label.setText(
            "<span style='color:gray'>tokenize — · forward — · transfer —<br>peak memory —</span>")
        self.token_table.setRowCount(0)
        self._set_stale(False)
        if had:
            self.tokenLabelsChanged.emit({})
            self.answerSpanChanged.emit(-1, -1, -1)

    def refresh_timings(self) -> None:
        view = self._view
        if view is None:
            return
        t = view.timings
        peak, what = view.peak_memory()
        times = " · ".join([f"tokenize\u00a0<b>{format_seconds(t.tokenize_s)}</b>",
                            f"forward\u00a0<b>{format_seconds(t.forward_s)}</b>",
                            f"transfer\u00a0<b>{format_seconds(t.transfer_s)}</b>"])
        memory = f"peak memory <b>{format_bytes(peak)}</b> <span style='color:gray'>({html.escape(what)})</span>"
        where = f"{len(view)} tokens · {html.escape(view.device)} · {html.escape(view.dtype)}"
        self.timing_label.setText(f"{times}<br>{memory}<br><span style='color:gray'>{where}</span>")

    # -- outputs ----------------------------------------------------------------------------------
    def _show_masks(self, view, masks: list[dict]) -> None:
        while self.mask_layout.count():
            item = self.mask_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.mask_bars, self.mask_headers = [], []
        facts = view.inspection.facts
        mask_token = (facts.special_tokens.get("mask") or ("[MASK]",))[0]
        scheme = scheme_of(facts)
        if not masks:
            note = QLabel(f"No {mask_token} token in the input: put one in the text (\"the {mask_token} sat down\") "
                          "to see what the model predicts there.", self.mask_page)
            note.setWordWrap(True)
            note.setStyleSheet("color: gray;")
            self.mask_layout.addWidget(note)
            self.mask_headers.append(note)
        tokens = view.inspection.tokens
        for mask in masks:
            position = int(mask["position"])
            context = self._context(view, position)
            header = QLabel(f"<b>{html.escape(mask_token)}</b> #{position} <span style='color:gray'>{context}</span>",
                            self.mask_page)
            header.setTextFormat(Qt.TextFormat.RichText)
            header.setToolTip(f"Token {position} of {len(tokens)}")
            bars = ProbabilityBars(self.mask_page)
            bars.set_rows([(display_label(read_piece(scheme, t)), p) for t, p in zip(mask["tokens"], mask["probabilities"])],
                          best=0)
            self.mask_layout.addWidget(header)
            self.mask_layout.addWidget(bars)
            self.mask_headers.append(header)
            self.mask_bars.append(bars)
        self.mask_layout.addStretch(1)

    def _context(self, view, position: int, width: int = 3) -> str:
        index = int(np.searchsorted(view.positions, position))
        lo, hi = max(0, index - width), min(len(view.labels), index + width + 1)
        pieces = [("▮" if i == index else html.escape(short_label(view.labels[i], 12))) for i in range(lo, hi)]
        return ("… " if lo > 0 else "") + " ".join(pieces) + (" …" if hi < len(view.labels) else "")

    def _show_classes(self, outputs: dict) -> None:
        labels = list(outputs.get("labels", []))
        probs = [float(p) for p in outputs.get("probabilities", [])]
        self.class_bars.set_rows(list(zip(labels, probs)))
        if probs:
            best = int(np.argmax(probs))
            self.class_summary.setText(f"Predicted: <b>{html.escape(labels[best])}</b> ({probs[best] * 100:.1f}%)")
        else:
            self.class_summary.setText("")

    def _show_token_labels(self, view, outputs: dict) -> None:
        labels = list(outputs.get("labels", []))
        confidence = list(outputs.get("confidence", [1.0] * len(labels)))
        self.token_table.setUpdatesEnabled(False)
        self.token_table.setRowCount(len(labels))
        for row, (label, conf) in enumerate(zip(labels, confidence)):
            position = int(view.positions[row])
            cells = [str(position), display_label(view.labels[row]), str(label), f"{float(conf) * 100:.1f}%"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (0, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 2 and label not in ("O", "0"):
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                item.setData(Qt.ItemDataRole.UserRole, position)
                self.token_table.setItem(row, col, item)
        self.token_table.resizeColumnToContents(0)
        self.token_table.resizeColumnToContents(2)
        self.token_table.resizeColumnToContents(3)
        self.token_table.setUpdatesEnabled(True)

    def token_labels(self) -> dict[int, tuple[str, float]]:
        """{position: (label, confidence)} of the shown token-classification result."""
        view = self._view
        if view is None or view.kind != "token-classification":
            return {}
        labels = view.outputs.get("labels", [])
        confidence = view.outputs.get("confidence", [1.0] * len(labels))
        return {int(p): (str(l), float(c)) for p, l, c in zip(view.positions, labels, confidence)}

    def answer_span(self) -> tuple[int, int, int]:
        view = self._view
        if view is None or view.kind != "question-answering" or not view.outputs.get("answer"):
            return -1, -1, -1
        o = view.outputs
        return int(o["segment"]), int(o["start"]), int(o["end"])

    def _show_answer(self, view, outputs: dict) -> None:
        answer = outputs.get("answer")
        if not answer:
            pair = "" if view.inspection.pair else ("<br>Question answering reads a pair: turn on Sentence Pair "
                                                    "(question, then context).")
            self.qa_page.setText(f"No answer span found in the input.{pair}")
            return
        segment = int(outputs["segment"])
        which = "context" if view.inspection.pair is not None and segment == 1 else "text"
        tokens = outputs.get("tokens", [])
        self.qa_page.setText(
            f"Answer: <b>“{html.escape(answer)}”</b><br>"
            f"<span style='color:gray'>in the {which}, characters {outputs['start']}–{outputs['end']}"
            + (f", tokens #{tokens[0]}–#{tokens[1]}" if len(tokens) == 2 else "")
            + f" · score {float(outputs.get('score', 0.0)):.2f}</span>")

    def _show_pooled(self, view, outputs: dict) -> None:
        cls_norm, mean_norm = outputs.get("cls_norm"), outputs.get("mean_norm")
        dims = len(outputs["cls"]) if "cls" in outputs and outputs["cls"] is not None else None
        rows = []
        first = html.escape(view.labels[0]) if len(view) else "first-token"  # [CLS], <s> … as this model has it
        if cls_norm is not None:
            rows.append(f"{first} vector (last layer, first token): norm <b>{float(cls_norm):.3f}</b>")
        if mean_norm is not None:
            rows.append(f"Mean-pooled vector (last layer, {len(view)} tokens): norm <b>{float(mean_norm):.3f}</b>")
        if "cls" in outputs and "mean" in outputs:
            a, b = np.asarray(outputs["cls"], np.float32), np.asarray(outputs["mean"], np.float32)
            denominator = float(np.linalg.norm(a) * np.linalg.norm(b)) or 1.0
            rows.append(f"cosine({first}, mean) <b>{float(a @ b) / denominator:.3f}</b>")
        if dims:
            rows.append(f"<span style='color:gray'>{dims} dimensions; a sentence-transformers model usually "
                        "pools by the mean</span>")
        self.base_page.setText("<br>".join(rows) or "No pooled vectors.")

    # -- internals --------------------------------------------------------------------------------
    def _update_stale(self, force_emit: bool = False) -> None:
        stale = self._view is not None and not same_input(self._view.inspection, self._inspection)
        changed = stale != self._stale
        self._set_stale(stale)
        if changed or force_emit:
            if stale or self._view is None:
                self.tokenLabelsChanged.emit({})
                self.answerSpanChanged.emit(-1, -1, -1)
            else:
                self.tokenLabelsChanged.emit(self.token_labels())
                self.answerSpanChanged.emit(*self.answer_span())

    def _set_stale(self, stale: bool) -> None:
        changed = stale != self._stale
        self._stale = stale
        self.stale_label.setVisible(stale)
        self.output_stack.setEnabled(not stale)
        if changed:
            self.staleChanged.emit(stale)

    def _on_token_row(self, row: int, _column: int) -> None:
        item = self.token_table.item(row, 0)
        if item is not None:
            self.tokenSelected.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _item_enabled(self, combo: QComboBox, index: int) -> bool:
        item = combo.model().item(index) if isinstance(combo.model(), QStandardItemModel) else None
        return item is None or item.isEnabled()

    def _is_gpu(self, name: str) -> bool:
        if name == "auto":
            return auto_is_gpu(self._devices)
        return name.startswith("cuda") or name == "mps"

    def _update_dtypes(self) -> None:
        gpu = self._is_gpu(self.device())
        model: QStandardItemModel = self.dtype_combo.model()
        for i in range(self.dtype_combo.count()):
            name = self.dtype_combo.itemData(i)
            enabled = name == "float32" or gpu
            item = model.item(i)
            if item is not None:
                item.setEnabled(enabled)
            tip = "" if enabled else f"{name} runs on a GPU only"
            self.dtype_combo.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        if not self._item_enabled(self.dtype_combo, self.dtype_combo.currentIndex()):
            self.dtype_combo.setCurrentIndex(self.dtype_combo.findData("float32"))

    def _on_device(self, index: int) -> None:
        if index < 0:
            return
        self._update_dtypes()
        name = self.device()
        self.deviceChanged.emit(name)
        if self.controller is not None:
            self.controller.set_device(name)

    def _on_dtype(self, index: int) -> None:
        if index < 0:
            return
        name = self.dtype()
        self.dtypeChanged.emit(name)
        if self.controller is not None:
            self.controller.set_dtype(name)

    def _on_status(self, status: str) -> None:
        if status:
            self._status = status
            self._tick()

    def _on_model_loaded(self, info) -> None:
        if info.random_weights:
            listed = ", ".join(info.random_weights[:4]) + (" …" if len(info.random_weights) > 4 else "")
            self.weights_banner.show_message(
                f"weights-newly-initialized: {info.model_class} initialised {len(info.random_weights)} weight(s) "
                f"at random ({listed}); its outputs are noise until fine-tuned.")
        else:
            self.weights_banner.hide()

    def _flash_status(self, text: str) -> None:
        if not self._busy:
            self.status_label.setText(f"<span style='color:gray'>{html.escape(text)}</span>")

    def _tick(self) -> None:
        if self._busy:
            elapsed = time.perf_counter() - self._started
            self.status_label.setText(f"{html.escape(self._status)} <span style='color:gray'>{elapsed:.1f} s</span>")
        elif self._view is not None and not self._stale:
            self.status_label.setText("<span style='color:gray'>Done</span>")
        else:
            self.status_label.setText("")


class InferenceWorkspace(QWidget):
    """The panel beside the attention and hidden-state plots, all on one controller."""

    tokenSelected = Signal(int)  # position in inspection.tokens (from any plot or the label table)
    tokenLabelsChanged = Signal(object)  # {position: (label, confidence)}; {} clears
    answerSpanChanged = Signal(int, int, int)  # segment, start, end; (-1, -1, -1) clears

    def __init__(self, controller: InferenceController | None = None, parent: QWidget | None = None, *,
                 list_devices: bool = True):
        super().__init__(parent)
        self.setObjectName("inferenceWorkspace")
        self.controller = controller if controller is not None else InferenceController(parent=self)
        self.panel = InferencePanel(self)
        self.attention = AttentionPlot(self)
        self.hidden = HiddenPlot(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("plotTabs")
        self.tabs.addTab(self.attention, "Attention")
        self.tabs.addTab(self.hidden, "Hidden states")
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        scroll.setMinimumWidth(280)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("inferenceSplitter")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([330, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        # Ctrl+Enter anywhere in the workspace (the plots included) runs the model
        self.addAction(self.panel.run_action)
        self.addAction(self.panel.cancel_action)

        self.panel.attach(self.controller)
        self.panel.set_prefetch_provider(lambda: (self.attention.layer(), self.attention.head()))
        self.controller.resultReady.connect(self._on_result)
        self.controller.resultCleared.connect(self._on_cleared)
        self.panel.staleChanged.connect(self._on_stale)
        self.attention.viewChanged.connect(lambda *_: self.panel.refresh_timings())
        for source in (self.attention, self.hidden, self.panel):
            source.tokenSelected.connect(self.select_token)
            source.tokenSelected.connect(self.tokenSelected)
        self.panel.tokenLabelsChanged.connect(self.tokenLabelsChanged)
        self.panel.answerSpanChanged.connect(self.answerSpanChanged)
        if list_devices:
            self.controller.refresh_devices()

    def set_inspector(self, inspector) -> None:
        """The model of the next runs (another model releases the loaded one)."""
        self.controller.set_inspector(inspector)

    def set_inspection(self, inspection: Inspection | None) -> None:
        """The current input (results that no longer match it are marked stale)."""
        self.panel.set_inspection(inspection)

    def select_token(self, position: int) -> None:
        """Mark the token at ``position`` in the plots (no signal)."""
        self.attention.select_token(position)
        self.hidden.select_token(position)

    def run(self) -> None:
        self.panel.run()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        return self.controller.shutdown(timeout_ms)

    def _on_result(self, view) -> None:
        self.attention.set_result(view)
        self.hidden.set_result(view)
        self.panel.refresh_timings()

    def _on_cleared(self) -> None:
        self.attention.clear()
        self.hidden.clear()

    def _on_stale(self, stale: bool) -> None:
        self.attention.set_stale(stale)
        self.hidden.set_stale(stale)
