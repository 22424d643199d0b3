"""Hidden-state plots: vector norms (layers x tokens), layer-to-layer cosine similarity per token,
and a labelled 2-D PCA of the token vectors at a chosen layer.

Reads numpy summaries from a :class:`bertinspector.qt.inference.ResultView`; never touches torch.
Row "emb" is the embedding output, row ``i`` the output of encoder layer ``i`` (0-based, as in the
attention plot). Clicking a column, a column label or a point emits ``tokenSelected(position)``.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSizePolicy, QSplitter, QVBoxLayout, QWidget

from bertinspector.core.readable import first_and_separator
from bertinspector.widgets.captioned import captioned
from bertinspector.widgets.heatmap import (
    SELECTION_COLOR, Heatmap, colormap, kept_tokens, short_label, show_axes, style_plot, theme_colors, tick_font,
)
from bertinspector.widgets.flow_layout import group
from bertinspector.widgets.run_plot import RunPlot

MAX_PCA_LABELS = 48
SPECIAL_COLOR = "#d93025"


class PcaPlot(pg.PlotWidget):
    """Token vectors of one layer on their first two principal components, labelled."""

    pointClicked = Signal(int)  # index into the shown tokens
    pointHovered = Signal(int)  # -1 when none

    def __init__(self, parent: QWidget | None = None):
        colors = theme_colors(parent)
        super().__init__(parent, background=colors["window"])
        item = self.getPlotItem()
        style_plot(item, parent, {"left": "PC 2", "bottom": "PC 1"})
        self.getViewBox().setBackgroundColor(colors["background"])
        item.showGrid(x=True, y=True, alpha=0.15)
        self.scatter = pg.ScatterPlotItem(size=9, pxMode=True, hoverable=True)
        item.addItem(self.scatter)
        self.ring = pg.ScatterPlotItem(size=17, pxMode=True, brush=pg.mkBrush(None),
                                       pen=pg.mkPen(SELECTION_COLOR, width=2))
        self.ring.setZValue(10)
        item.addItem(self.ring)
        self._texts: list[pg.TextItem] = []
        self._labels: list[str] = []
        self._special = np.zeros(0, bool)
        self._text_color = colors["text"]
        self._font = tick_font(parent)
        self.points = np.zeros((0, 2), np.float32)
        self.scatter.sigClicked.connect(self._on_clicked)
        self.scatter.sigHovered.connect(self._on_hovered)
        self._hovered = -1

    def set_points(self, points: np.ndarray | None, labels: list[str], special: np.ndarray,
                   order: np.ndarray) -> None:
        """``points`` [n, 2]; colour follows ``order`` (position in the sequence), specials in red."""
        show_axes(self.getPlotItem(), points is not None and len(points) > 0)
        if points is None or not len(points):
            self.points = np.zeros((0, 2), np.float32)
            self.scatter.clear()
            self.ring.clear()
            self._place_labels()
            return
        self.points = points
        n = len(points)
        lut = colormap().getLookupTable(nPts=256, alpha=False)
        shade = (np.asarray(order, np.float64) / max(float(np.max(order)), 1.0) * 200).astype(int) + 30
        brushes = [pg.mkBrush(*lut[min(s, 255)]) for s in shade]
        symbols = ["s" if sp else "o" for sp in special]
        pens = [pg.mkPen(SPECIAL_COLOR, width=2) if sp else pg.mkPen(QColor(255, 255, 255, 160)) for sp in special]
        self.scatter.setData(x=points[:, 0], y=points[:, 1], brush=brushes, symbol=symbols, pen=pens,
                             data=np.arange(n))
        self.getPlotItem().autoRange(padding=0.12)
        self._labels = list(labels)
        self._special = np.asarray(special, bool)
        self._place_labels()

    def _place_labels(self) -> None:
        """Label the points whose labels do not collide: specials first, then the outliers."""
        item = self.getPlotItem()
        if item is None:  # a resize while the widget is being destroyed
            return
        for text in self._texts:
            item.removeItem(text)
        self._texts = []
        points = self.points
        n = len(points)
        if not n:
            return
        view = item.getViewBox()
        (x0, x1), (y0, y1) = view.viewRange()
        width, height = max(view.width(), 200.0), max(view.height(), 200.0)
        px = (points[:, 0] - x0) / max(x1 - x0, 1e-9) * width
        py = (y1 - points[:, 1]) / max(y1 - y0, 1e-9) * height
        centre = np.median(points, axis=0)
        spread = np.linalg.norm((points - centre) / (points.std(0) + 1e-9), axis=1)
        order = sorted(range(n), key=lambda i: (not self._special[i], -spread[i]))
        fm = QFontMetricsF(self._font)
        line = fm.height()
        placed: list[QRectF] = []
        for i in order:
            if len(placed) >= MAX_PCA_LABELS:
                break
            label = short_label(self._labels[i], 12)
            advance = fm.horizontalAdvance(label)
            right = px[i] + 1.12 * advance + 2 <= width  # else on the left, so it is not cut at the edge
            left_edge = px[i] + 0.12 * advance if right else px[i] - 1.12 * advance - 2
            rect = QRectF(left_edge, py[i] - line / 2, advance + 2, line)
            if any(rect.intersects(other) for other in placed):
                continue
            placed.append(rect)
            text = pg.TextItem(label, color=self._text_color, anchor=(-0.12, 0.5) if right else (1.12, 0.5))
            text.setFont(self._font)
            text.setPos(float(points[i, 0]), float(points[i, 1]))
            item.addItem(text, ignoreBounds=True)
            self._texts.append(text)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        if len(self.__dict__.get("points", ())):
            self._place_labels()

    def set_selected(self, index: int) -> None:
        if 0 <= index < len(self.points):
            self.ring.setData(x=[self.points[index, 0]], y=[self.points[index, 1]])
        else:
            self.ring.clear()

    def label_count(self) -> int:
        return len(self._texts)

    def point_position(self, index: int):
        """Viewport coordinates of a point (for tests)."""
        view = self.getPlotItem().getViewBox()
        x, y = (float(v) for v in self.points[index])
        return self.mapFromScene(view.mapViewToScene(QPointF(x, y)))

    def _on_clicked(self, _item, points, _event) -> None:
        if len(points):
            self.pointClicked.emit(int(points[0].data()))

    def _on_hovered(self, _item, points, _event) -> None:
        index = int(points[0].data()) if len(points) else -1
        if index != self._hovered:
            self._hovered = index
            self.pointHovered.emit(index)


def hide_special_tip(facts) -> str:
    """The tooltip (rich text: ``<s>`` must not read as a tag) in the model's own special tokens."""
    first, separator = (html.escape(token) for token in first_and_separator(facts))
    return f"Leave out {first}, {separator} … (their norms often dwarf the others')"


class HiddenPlot(RunPlot):
    """Norms and layer-to-layer cosine of the hidden states per token, and a PCA at one layer."""

    READOUT_HINT = "hover for values; click a token to select it"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hiddenPlot")
        self._index = np.zeros(0, np.int64)  # shown token -> index in the received tokens
        self._labels: list[str] = []
        self._norms: np.ndarray | None = None
        self._cosine: np.ndarray | None = None
        self._pca_layer = -1  # -1: the last layer
        self._pending = False  # a result waits to be drawn until the plot is shown

        self.hide_special_box = QCheckBox("Hide special tokens", self)
        self.hide_special_box.setToolTip(hide_special_tip(None))
        self.layer_combo = QComboBox(self)
        self.layer_combo.setObjectName("pcaLayerCombo")
        self.layer_combo.setToolTip("The layer whose token vectors the PCA shows")
        self.controls.addWidget(self.hide_special_box)
        self.controls.addWidget(group(self, QLabel("PCA at layer", self), self.layer_combo))

        self.norms = Heatmap(self, row_title="layer", column_title="", bar_title="norm")
        self.norms.bottom_axis.setStyle(showValues=False)
        self.norms.bottom_axis.set_labels([])
        self.cosine = Heatmap(self, row_title="layers", column_title="token", bar_title="cosine")
        self.cosine.view.setXLink(self.norms.view)
        self.pca = PcaPlot(self)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self._titled("Vector norm per token and layer", self.norms))
        left.addWidget(self._titled("Cosine similarity with the previous layer", self.cosine))
        left.setChildrenCollapsible(False)
        left.setSizes([300, 360])
        self.pca_title = QLabel(self)
        self.pca_title.setWordWrap(True)
        self.pca_title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(2)
        right_layout.addWidget(self.pca_title)
        right_layout.addWidget(self.pca, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setObjectName("hiddenSplitter")
        split.addWidget(left)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 400])
        self._arrange(split)

        self.hide_special_box.toggled.connect(lambda _on: self._rebuild())
        self.layer_combo.currentIndexChanged.connect(self._on_layer)
        for heatmap in (self.norms, self.cosine):
            heatmap.cellHovered.connect(lambda r, c, h=heatmap: self._on_hover(h, r, c))
            heatmap.cellClicked.connect(lambda _r, c: self._select(c))
            heatmap.columnLabelClicked.connect(self._select)
        self.pca.pointClicked.connect(self._select)
        self.pca.pointHovered.connect(self._on_point_hover)
        self.clear()

    def _titled(self, title: str, widget: QWidget) -> QWidget:
        return captioned(QLabel(f"<b>{html.escape(title)}</b>", self), widget, self)

    # -- public API -------------------------------------------------------------------------------
    def _show_result(self, view) -> None:
        layers = view.num_layers
        self.hide_special_box.setToolTip(hide_special_tip(view.inspection.facts))
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        self.layer_combo.addItems(["emb"] + [str(i) for i in range(layers)])
        wanted = layers if self._pca_layer < 0 else min(self._pca_layer, layers)
        self.layer_combo.setCurrentIndex(wanted)
        self.layer_combo.blockSignals(False)
        self.layer_combo.setEnabled(True)
        self.hide_special_box.setEnabled(True)
        self._pending = True
        if self.isVisible():
            self._build()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        if self._pending:
            self._build()

    def _build(self) -> None:
        """Fetch the summaries (only once the plot is shown) and draw them."""
        view = self._view
        self._pending = False
        if view is None:
            return
        try:
            self._norms = view.hidden_norms()
            self._cosine = view.layer_cosine()
        except Exception as error:  # noqa: BLE001 - released results: say so
            self.clear()
            self.readout.setText(html.escape(str(error).splitlines()[0]))
            return
        self._rebuild()

    def clear(self) -> None:
        super().clear()
        self._pending = False
        self._norms = self._cosine = None
        self._index = np.zeros(0, np.int64)
        self._labels = []
        for heatmap in (self.norms, self.cosine):
            heatmap.set_labels([], [])
            heatmap.set_matrix(None)
        self.norms.set_placeholder("Run the model to see its hidden states")
        self.pca.set_points(None, [], np.zeros(0, bool), np.zeros(0))
        self.layer_combo.clear()
        self.layer_combo.setEnabled(False)
        self.hide_special_box.setEnabled(False)
        self.pca_title.setText("<b>PCA of the token vectors</b>")

    def set_hide_special(self, on: bool) -> None:
        self.hide_special_box.setChecked(on)

    def pca_layer(self) -> int:
        """The PCA's layer as an index into the hidden states (0: embeddings)."""
        return self.layer_combo.currentIndex()

    def set_pca_layer(self, index: int) -> None:
        """0: embeddings, i + 1: output of encoder layer i."""
        if self._view is not None:
            self.layer_combo.setCurrentIndex(min(max(int(index), 0), self._view.num_layers))

    def shown_positions(self) -> list[int]:
        if self._view is None:
            return []
        return [int(self._view.positions[i]) for i in self._index]

    def norms_matrix(self) -> np.ndarray | None:
        return None if self._norms is None else self._norms[:, self._index]

    # -- internals --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        view = self._view
        if view is None or self._norms is None:
            return
        self._index = kept_tokens(view.special, self.hide_special_box.isChecked()).astype(np.int64, copy=False)
        self._labels = [view.labels[i] for i in self._index]
        norms = np.ascontiguousarray(self._norms[:, self._index])
        cosine = np.ascontiguousarray(self._cosine[:, self._index])
        layers = view.num_layers
        self.norms.set_labels(["emb"] + [str(i) for i in range(layers)], self._labels)
        self.cosine.set_labels(["emb→0"] + [f"{i - 1}→{i}" for i in range(1, layers)], self._labels)
        # the same room for the row labels, so that the two plots' columns line up
        for heatmap in (self.norms, self.cosine):
            heatmap.left_axis.set_min_text_size(0)
        width = max(self.norms.left_axis.text_size(), self.cosine.left_axis.text_size())
        for heatmap in (self.norms, self.cosine):
            heatmap.left_axis.set_min_text_size(width)
        self.norms.set_placeholder("")
        if norms.size:
            self.norms.set_matrix(norms, (float(norms.min()), float(norms.max()) or 1.0), reset_view=True)
            low = float(cosine.min())
            self.cosine.set_matrix(cosine, (min(low, 0.999), 1.0), reset_view=True)
        else:
            self.norms.set_matrix(None)
            self.cosine.set_matrix(None)
        self._draw_pca()
        self._show_selection()
        self._describe()

    def _on_layer(self, index: int) -> None:
        if index < 0 or self._view is None:
            return
        self._pca_layer = -1 if index == self._view.num_layers else index
        if self._pending:
            return
        self._draw_pca()
        self._show_selection()

    def _draw_pca(self) -> None:
        view = self._view
        index = self.layer_combo.currentIndex()
        if view is None or index < 0:
            return
        try:
            points = view.pca(index)
        except Exception as error:  # noqa: BLE001
            self.readout.setText(html.escape(str(error).splitlines()[0]))
            return
        name = "the embeddings" if index == 0 else f"layer {index - 1}"
        self.pca_title.setText(f"<b>PCA of the token vectors at {name}</b> "
                               "<span style='color:gray'>(colour: position, dark → light; □ special)</span>")
        order = np.arange(len(self._index))
        self.pca.set_points(np.ascontiguousarray(points[self._index]), self._labels, view.special[self._index], order)

    def _show_selection(self) -> None:
        view = self._view
        if view is None:
            return
        hits = np.flatnonzero(view.positions[self._index] == self._selected) if len(self._index) else []
        column = int(hits[0]) if len(hits) else -1
        self.norms.set_selection(-1, column)
        self.cosine.set_selection(-1, column)
        self.pca.set_selected(column)

    def _select(self, column: int) -> None:
        if self._view is None or not (0 <= column < len(self._index)):
            return
        self._select_position(int(self._view.positions[self._index[column]]))

    def _summary(self) -> str:
        return f"{len(self._index)} tokens · {self._view.num_layers} layers"

    def _on_hover(self, heatmap: Heatmap, row: int, col: int) -> None:
        if row < 0:
            self._describe()
            return
        label = html.escape(self._labels[col])
        pos = int(self._view.positions[self._index[col]])
        if heatmap is self.norms:
            layer = "embeddings" if row == 0 else f"layer {row - 1}"
            value = f"norm {float(self._norms[row, self._index[col]]):.3f}"
        else:
            layer = "embeddings → layer 0" if row == 0 else f"layer {row - 1} → {row}"
            value = f"cosine {float(self._cosine[row, self._index[col]]):.4f}"
        self._describe(f"<b>{label}</b> (#{pos}) at {layer}: <b>{value}</b>")

    def _on_point_hover(self, index: int) -> None:
        if index < 0 or self._view is None:
            self._describe()
            return
        pos = int(self._view.positions[self._index[index]])
        x, y = self.pca.points[index]
        self._describe(f"<b>{html.escape(self._labels[index])}</b> (#{pos}): PC1 {x:.2f}, PC2 {y:.2f}")
