"""Run A and B: label probabilities, mask predictions, vector cosines and per-layer cosine side by side."""

from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractScrollArea, QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QScrollArea, QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from bertinspector.core.compare_report import DIFFERS, NOTHING


# -- inference ------------------------------------------------------------------------------------
class LayerBars(QWidget):
    """Per-layer cosine similarity of A's and B's vectors as horizontal bars with their values."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("layerBars")
        self._values = np.zeros(0, dtype=np.float32)
        self._lows: np.ndarray | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, values, lows=None) -> None:
        self._values = np.asarray(values if values is not None else [], dtype=np.float32)
        self._lows = None if lows is None else np.asarray(lows, dtype=np.float32)
        self.updateGeometry()
        self.update()

    def values(self) -> list[float]:
        return [float(v) for v in self._values]

    def _row_h(self) -> int:
        return self.fontMetrics().height() + 4

    def sizeHint(self) -> QSize:
        return QSize(320, max(1, len(self._values)) * self._row_h() + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())

    def paintEvent(self, event) -> None:
        if not len(self._values):
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        fm = self.fontMetrics()
        label_w = fm.horizontalAdvance("embeddings") + 8
        value_w = fm.horizontalAdvance("-0.000") + 8
        bar_w = max(20, self.width() - label_w - value_w - 4)
        row_h = self._row_h()
        fill = palette.color(QPalette.ColorRole.Highlight)
        text = palette.color(QPalette.ColorRole.Text)
        track = QColor(text)
        track.setAlpha(30)
        for i, v in enumerate(self._values.tolist()):
            y = i * row_h + 2
            name = "embeddings" if i == 0 else f"layer {i}"
            painter.setPen(text)
            painter.drawText(QRectF(0, y, label_w - 6, row_h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(QRectF(label_w, y + 3, bar_w, row_h - 6), 3, 3)
            painter.setBrush(fill)
            painter.drawRoundedRect(QRectF(label_w, y + 3, bar_w * max(0.0, min(1.0, v)), row_h - 6), 3, 3)
            if self._lows is not None and i < len(self._lows):
                lx = label_w + bar_w * max(0.0, min(1.0, float(self._lows[i])))
                painter.setPen(QPen(text, 2.0))
                painter.drawLine(QPointF(lx, y + 1), QPointF(lx, y + row_h - 1))
            painter.setPen(text)
            painter.drawText(QRectF(label_w + bar_w + 6, y, value_w, row_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{v:.3f}")


class RunComparisonPanel(QWidget):
    """Outputs of A and B side by side (the dict of ``core.compare_runs.compare_runs``)."""

    runRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("runComparison")
        self._result: dict | None = None
        self._stale = False
        self.run_button = QPushButton("Run A and B", self)
        self.run_button.setToolTip("Run both models on what they receive (in the background, one after the other)")
        self.status = QLabel(self)
        self.status.setObjectName("runComparisonStatus")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.vectors = QLabel(self)
        self.vectors.setObjectName("vectorCosine")
        self.vectors.setWordWrap(True)
        self.vectors.setTextFormat(Qt.TextFormat.RichText)
        self.vectors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.labels_title = QLabel("<b>Label probabilities</b>", self)
        self.labels_table = QTableWidget(0, 4, self)
        self.labels_table.setObjectName("labelProbabilities")
        self.labels_table.setHorizontalHeaderLabels(["label", "A", "B", "B − A"])
        self.masks_title = QLabel("<b>[MASK] predictions</b>", self)
        self.masks_table = QTableWidget(0, 3, self)
        self.masks_table.setObjectName("maskPredictions")
        self.masks_table.setHorizontalHeaderLabels(["", "A (top 5)", "B (top 5)"])
        for table in (self.labels_table, self.masks_table):
            table.verticalHeader().hide()
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setShowGrid(False)
            table.horizontalHeader().setStretchLastSection(True)
            table.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
            table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.masks_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.masks_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.layers_title = QLabel(self)
        self.layers_title.setWordWrap(True)
        self.layers = LayerBars(self)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 6, 0)
        body_layout.setSpacing(6)
        for widget in (self.vectors, self.labels_title, self.labels_table, self.masks_title, self.masks_table,
                       self.layers_title, self.layers):
            body_layout.addWidget(widget)
        body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.run_button)
        head.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)
        self.run_button.clicked.connect(self.runRequested)
        self.set_result(None)

    def result(self) -> dict | None:
        return self._result

    def is_stale(self) -> bool:
        return self._stale

    def set_running(self, text: str = "Running A and B…") -> None:
        self.run_button.setEnabled(False)
        self.status.setText(text)

    def set_error(self, message: str) -> None:
        self.run_button.setEnabled(True)
        self.status.setText(f"<span style='color:#d93025'>✕ {html.escape(message)}</span>")

    def set_stale(self, stale: bool) -> None:
        self._stale = stale
        if self._result is None:
            return
        self.status.setText("<span style='color:#c77700'>⚠ Out of date: the text or a slot changed since this run. "
                            "Run again to compare the new encodings.</span>" if stale else self._done_text())
        self.setProperty("stale", stale)
        for widget in (self.vectors, self.labels_table, self.masks_table, self.layers):
            widget.setEnabled(not stale)

    def _done_text(self) -> str:
        """One line per run, each starting with its slot: A, then B (model, output kind, tokens, device)."""
        r = self._result or {}
        return "<br>".join(run_line(side, r.get(side.lower(), {})) for side in ("A", "B"))

    def set_result(self, result: dict | None) -> None:
        self._result = result
        self.run_button.setEnabled(True)
        self._stale = False
        for widget in (self.vectors, self.labels_table, self.masks_table, self.layers):
            widget.setEnabled(True)
        has = result is not None
        for widget in (self.vectors, self.labels_title, self.labels_table, self.masks_title, self.masks_table,
                       self.layers_title, self.layers):
            widget.setVisible(False)
        if not has:
            self.status.setText("<span style='color:gray'>Run both slots to compare their outputs: label "
                                "probabilities, [MASK] predictions and how far the vectors moved.</span>")
            return
        self.status.setText(self._done_text())
        self.vectors.setText(self.vectors_html(result))
        self.vectors.show()
        labels = result.get("labels") or []
        if labels:
            self.labels_table.setRowCount(len(labels))
            for r, row in enumerate(labels):
                top = row["label"] in (result.get("top_a"), result.get("top_b"))
                cells = (row["label"], _probability(row["a"]), _probability(row["b"]),
                         "—" if row["delta"] is None else f"{row['delta']:+.3f}")
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    if top:
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                    self.labels_table.setItem(r, col, item)
            self.labels_title.setText(f"<b>Label probabilities</b> — A says <b>{html.escape(str(result.get('top_a')))}"
                                      f"</b>, B says <b>{html.escape(str(result.get('top_b')))}</b>"
                                      + ("" if result.get("top_a") == result.get("top_b") else f" <b>{DIFFERS}</b>"))
            self.labels_title.show()
            self.labels_table.show()
        masks = result.get("masks") or []
        if masks:
            self.masks_table.setRowCount(len(masks))
            for r, row in enumerate(masks):
                cells = (("" if row["same_top"] else DIFFERS) + f" #{r + 1}", _top_text(row["a"]), _top_text(row["b"]))
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setToolTip(text)
                    if not row["same_top"]:
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                    self.masks_table.setItem(r, col, item)
            self.masks_title.show()
            self.masks_table.show()
        per_token = result.get("layer_cosine")
        pooled = result.get("layer_mean_cosine")
        if per_token is not None:
            self.layers_title.setText(f"<b>Per-layer cosine of the token vectors</b> (A and B split the text alike: "
                                      f"{result.get('pairs', 0):,} token pairs; bar = mean, tick = lowest)")
            self.layers.set_values(per_token, result.get("layer_cosine_min"))
        elif pooled is not None:
            note = result.get("layer_note") or ""
            self.layers_title.setText(f"<b>Per-layer cosine of the mean-pooled vectors</b><br>"
                                      f"<span style='color:gray'>{html.escape(note)}</span>")
            self.layers.set_values(pooled)
        else:
            self.layers_title.setText(f"<span style='color:gray'>{html.escape(result.get('layer_note') or '')}</span>")
            self.layers.set_values([])
        self.layers_title.show()
        self.layers.setVisible(per_token is not None or pooled is not None)

    @staticmethod
    def vectors_html(result: dict) -> str:
        cls, mean = result.get("cls_cosine"), result.get("mean_cosine")
        if cls is None and mean is None:
            return f"<span style='color:gray'>{html.escape(result.get('vector_note') or 'no vectors to compare')}</span>"
        first_a, first_b = result.get("cls_tokens") or (None, None)
        first = (first_a or "first-token") if first_a == first_b else f"first token ({first_a} / {first_b})"
        parts = [f"cosine of the {html.escape(first)} vectors <b>{cls:.3f}</b>",
                 f"mean-pooled <b>{mean:.3f}</b>"]
        extra = []
        answers = result.get("answers")
        if answers:
            extra.append(f"answer A: <b>{html.escape(str(answers.get('a')))}</b> · B: "
                         f"<b>{html.escape(str(answers.get('b')))}</b>")
        if result.get("token_labels_agree") is not None:
            extra.append(f"token labels agree on {result['token_labels_agree']:.0%} of the token pairs")
        return "Last layer: " + " · ".join(parts) + "".join(f"<br>{e}" for e in extra)


def run_line(side: str, run: dict) -> str:
    """``A  default · base on 22 tokens (cpu)``: which slot's run this line is, and what ran."""
    source = str(run.get("source") or "")
    name = Path(source).name if os.path.isdir(source) else source
    device = f" ({html.escape(str(run['device']))})" if run.get("device") else ""
    return (f"<b>{side}</b>&nbsp; {html.escape(name or '?')} · {html.escape(str(run.get('kind')))} on "
            f"{run.get('tokens', 0):,} tokens{device}")


def _probability(p) -> str:
    return "—" if p is None else f"{p:.3f}"


def _top_text(top) -> str:
    if not top:
        return f"{NOTHING} no mask here"
    return "  ".join(f"{token} {p:.2f}" for token, p in top)
