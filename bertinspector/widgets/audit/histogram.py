"""The length histogram: examples per token-count bin, ``max_length`` as a line, the cut region shaded.

The bins are the audit document's (``histogram.edges``: 0, 8, 12, 16, 24 … with ``max_length`` among them;
the last bin is open), drawn side by side one unit wide each so short and long bins read alike. Hovering a
bin says its range and count; clicking one emits ``binClicked(lo, hi)`` (``hi`` -1 for the open last bin).
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from bertinspector.core.files import write_atomic
from bertinspector.widgets.heatmap import style_plot
from bertinspector.widgets.run_plot import PNG_SCALE, RunPlot, image_suffix

BAR = QColor("#4c78a8")
CUT_BAR = QColor("#d93025")
CUT_REGION = QColor(217, 48, 37, 40)


def bin_label(edges: list[int], i: int) -> str:
    lo = edges[i]
    return f"{lo:,}+" if i + 1 >= len(edges) else f"{lo:,}–{edges[i + 1] - 1:,}"


class LengthHistogram(QWidget):
    binClicked = Signal(int, int)  # lo, hi (-1: open)

    # the model output plots' PNG/SVG export (a caption over the plot, drawn in pyqtgraph's export mode)
    _layout_export = RunPlot._layout_export
    _paint_export = RunPlot._paint_export
    _render_png = RunPlot._render_png
    _render_svg = RunPlot._render_svg

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(self)
        self.plot_widget.setBackground(self.palette().color(self.backgroundRole()))
        plot = self.plot = self.plot_widget.getPlotItem()
        style_plot(plot, self, {"left": "examples", "bottom": "tokens per example"})
        plot.setMouseEnabled(False, False)
        plot.showGrid(y=True, alpha=0.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.9, brush=BAR, pen=None)
        plot.addItem(self.bars)
        self.region = pg.LinearRegionItem(values=(0, 0), movable=False, brush=CUT_REGION, pen=pg.mkPen(None))
        self.region.setZValue(-10)
        self.region.hide()
        plot.addItem(self.region)
        self.limit_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(CUT_BAR, width=2))
        self.limit_line.label = pg.InfLineLabel(self.limit_line, "", position=0.92, anchors=[(1, 0), (1, 0)],
                                                color=CUT_BAR)
        self.limit_line.hide()
        plot.addItem(self.limit_line)
        self.readout = QLabel(" ", self)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.readout)
        self.edges: list[int] = []
        self.counts: list[int] = []
        self.max_length: int | None = None
        self.source = ""  # the data, for the export's caption
        self.plot_widget.scene().sigMouseMoved.connect(self._hover)
        self.plot_widget.scene().sigMouseClicked.connect(self._click)
        self.setMinimumHeight(160)

    def set_document(self, document: dict | None) -> None:
        histogram = document["histogram"] if document else {"edges": [], "counts": []}
        self.edges, self.counts = list(histogram["edges"]), list(histogram["counts"])
        self.max_length = document["truncation"]["max_length"] if document else None
        n = len(self.counts)
        cut_from = self.edges.index(self.max_length) if self.max_length in self.edges else n
        brushes = [CUT_BAR if i >= cut_from else BAR for i in range(n)]
        self.bars.setOpts(x=list(range(n)), height=self.counts, width=0.9, brushes=brushes)
        self._set_ticks()
        if cut_from < n:
            x = cut_from - 0.5  # bins from max_length tokens on: the examples the cut reaches
            self.limit_line.setValue(x)
            self.limit_line.label.setFormat(f"max_length {self.max_length:,}")
            self.limit_line.show()
            self.region.setRegion((x, n - 0.5))
            self.region.show()
        else:
            self.limit_line.hide()
            self.region.hide()
        self.plot.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
        self.plot.setYRange(0, max(self.counts or [1]) * 1.08, padding=0)

    def _set_ticks(self) -> None:
        """A label at the left edge of every few bins: as many as fit the plot's width."""
        n = len(self.counts)
        widest = self.fontMetrics().horizontalAdvance(f"{self.edges[-1]:,}" if self.edges else "0") + 14
        step = max(1, -(-n * widest // max(self.plot_widget.width() - 60, 1)))
        self.plot.getAxis("bottom").setTicks([[(i - 0.5, f"{self.edges[i]:,}") for i in range(0, n, step)]])

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._set_ticks()

    def bin_at(self, scene_pos) -> int:
        """The bin under a scene position, -1 when none."""
        if not self.plot.sceneBoundingRect().contains(scene_pos):
            return -1
        x = self.plot.vb.mapSceneToView(scene_pos).x()
        i = int(round(x))
        return i if 0 <= i < len(self.counts) and abs(x - i) <= 0.45 else -1

    def describe_bin(self, i: int) -> str:
        cut = self.max_length is not None and self.edges[i] >= self.max_length
        return (f"{bin_label(self.edges, i)} tokens: {self.counts[i]:,} examples" + (" (at or past max_length)" if cut else "")
                + " · click to list them")

    def _hover(self, pos) -> None:
        i = self.bin_at(pos)
        self.readout.setText(self.describe_bin(i) if i >= 0 else " ")

    def _click(self, event) -> None:
        i = self.bin_at(event.scenePos())
        if i >= 0:
            self.click_bin(i)

    def click_bin(self, i: int) -> None:
        hi = self.edges[i + 1] if i + 1 < len(self.edges) else -1
        self.binClicked.emit(self.edges[i], hi)

    # -- export ---------------------------------------------------------------------------------
    def caption(self) -> str:
        n = sum(self.counts)
        limit = f", max_length {self.max_length:,}" if self.max_length else ""
        return f"Tokens per example ({n:,} examples{limit}){self.source and ' — ' + self.source}"

    def export_image(self, path: str, *, scale: float = PNG_SCALE) -> None:
        """Write the histogram as PNG or SVG (by ``path``'s suffix) atomically; ValueError for another suffix."""
        suffix = image_suffix(path)
        data = self._render_png(self.plot_widget, scale) if suffix == ".png" else self._render_svg(self.plot_widget)
        write_atomic(Path(path), data)
