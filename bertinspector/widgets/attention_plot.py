"""The attention plot: one layer and head as a labelled heatmap, every head as an overview grid.

Reads a run through the numpy accessors of :class:`bertinspector.qt.inference.ResultView` (only
the slice it shows); never touches torch. Rows are the tokens attending ("from"), columns the
tokens attended to ("to").

Keyboard (anywhere in the plot): Up/Down step the layer, Left/Right the head (then the mean, max
and rollout aggregates). Clicking a cell, a row label or a column label emits
``tokenSelected(position)`` with the token's index in ``inspection.tokens``: the row's token for a
cell or a row label, the column's for a column label.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QCheckBox, QComboBox, QGraphicsRectItem, QLabel, QSplitter, QTabWidget, QWidget

from bertinspector.core.readable import first_and_separator
from bertinspector.widgets.heatmap import (
    SELECTION_COLOR, CachedAxis, Heatmap, colormap, group_labels, reduce_matrix, show_axes, style_plot, theme_colors,
    token_groups,
)
from bertinspector.widgets.flow_layout import group
from bertinspector.widgets.run_plot import RunPlot

AGGREGATES = (("mean", "Mean of heads"), ("max", "Max of heads"), ("rollout", "Rollout"))
SHARE_SERIES = (("first", "{first} / first", "#1a73e8"), ("separator", "{separator} / separator", "#d93025"),
                ("padding", "padding", "#8a8f98"))  # labels in the model's own tokens (BERT's until a run shows)
SCALES = (("linear", "linear", "attention"), ("sqrt", "√", "√ attention"), ("log", "log", "log₁₀ attention"))
SCALE_TITLES = {key: title for key, _, title in SCALES}
LOG_FLOOR = 1e-4
STEP_KEYS = {Qt.Key.Key_Up: ("layer", -1), Qt.Key.Key_Down: ("layer", 1),
             Qt.Key.Key_PageUp: ("layer", -1), Qt.Key.Key_PageDown: ("layer", 1),
             Qt.Key.Key_Left: ("head", -1), Qt.Key.Key_Right: ("head", 1)}


def head_name(head) -> str:
    if isinstance(head, str):
        return dict(AGGREGATES)[head].lower()
    return f"head {head}"


class _KeyFilter(QObject):
    """Routes the arrow keys of child widgets (graphics views) to the plot's stepping."""

    def __init__(self, handler):
        super().__init__()
        self._handler = handler

    def eventFilter(self, watched, event):  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.KeyPress and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            if self._handler(event.key()):
                return True
        return False


class OverviewGrid(pg.GraphicsLayoutWidget):
    """Every layer x head as a thumbnail (each scaled to its own maximum); click one to open it."""

    headActivated = Signal(int, int)  # layer, head
    headHovered = Signal(int, int)  # (-1, -1) outside

    GAP = 0.12  # of a thumbnail

    def __init__(self, parent: QWidget | None = None):
        colors = theme_colors(parent)
        super().__init__(parent, show=False)
        self.setBackground(colors["window"])
        self.plot = self.addPlot(axisItems={"left": CachedAxis("left"), "bottom": CachedAxis("bottom")})
        style_plot(self.plot, parent, {"left": "layer", "bottom": "head"}, axis_pen=pg.mkPen(None))
        self.view = self.plot.getViewBox()
        self.view.invertY(True)
        self.view.setAspectLocked(True)
        self.view.setMouseEnabled(False, False)
        self.view.setDefaultPadding(0.01)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        pen = QPen(QColor(SELECTION_COLOR))
        pen.setCosmetic(True)
        pen.setWidthF(2.0)
        self.marker = QGraphicsRectItem()
        self.marker.setPen(pen)
        self.marker.setZValue(10)
        self.marker.setVisible(False)
        self.view.addItem(self.marker, ignoreBounds=True)
        self._shape = (0, 0)
        self._hover = (-1, -1)
        self._background = colors["window"]
        self._lut = colormap().getLookupTable(nPts=256, alpha=False)
        self.scene().sigMouseClicked.connect(self._on_click)
        self.scene().sigMouseMoved.connect(self._on_move)

    def grid_shape(self) -> tuple[int, int]:
        return self._shape

    def set_thumbnails(self, thumbs: np.ndarray | None) -> None:
        """``thumbs`` [layers, heads, t, t] (float); None clears."""
        if thumbs is None or thumbs.size == 0:
            self.image.clear()
            self._shape = (0, 0)
            self.marker.setVisible(False)
            return
        layers, heads, t, _ = thumbs.shape
        gap = max(1, int(round(t * self.GAP)))
        cell = t + gap
        peak = thumbs.reshape(layers, heads, -1).max(-1)
        scaled = thumbs / np.where(peak > 0, peak, 1.0)[:, :, None, None]
        index = np.clip((scaled * 255.0).astype(np.int32), 0, 255)
        rgb = self._lut[index]  # [L, H, t, t, 3]
        bg = np.array([self._background.red(), self._background.green(), self._background.blue()], np.uint8)
        mosaic = np.empty((layers * cell - gap, heads * cell - gap, 3), np.uint8)
        mosaic[:] = bg
        for layer in range(layers):
            rows = mosaic[layer * cell: layer * cell + t]
            block = rgb[layer].transpose(1, 0, 2, 3)  # [t, H, t, 3]
            for head in range(heads):
                rows[:, head * cell: head * cell + t] = block[:, head]
        self._shape = (layers, heads)
        self._cell, self._t = cell, t
        self.image.setImage(mosaic, autoLevels=False, levels=(0, 255))
        # the image is in pixels; one grid cell = ``cell`` pixels
        self.image.setRect(QRectF(0, 0, mosaic.shape[1] / cell, mosaic.shape[0] / cell))
        self._set_ticks(layers, heads)
        self.view.setRange(xRange=(0, heads - gap / cell + 0.0), yRange=(0, layers - gap / cell), padding=0.01)

    def _set_ticks(self, layers: int, heads: int) -> None:
        centre = (self._t / self._cell) / 2
        self.plot.getAxis("left").setTicks([[(i + centre, str(i)) for i in range(layers)]])
        step = 1 if heads <= 16 else 2 if heads <= 32 else 4
        self.plot.getAxis("bottom").setTicks([[(i + centre, str(i)) for i in range(0, heads, step)]])

    def set_current(self, layer: int, head) -> None:
        layers, heads = self._shape
        if not isinstance(head, int) or not (0 <= layer < layers and 0 <= head < heads):
            self.marker.setVisible(False)
            return
        f = self._t / self._cell
        pad = 0.06
        self.marker.setRect(QRectF(head - pad, layer - pad, f + 2 * pad, f + 2 * pad))
        self.marker.setVisible(True)

    def cell_at_scene(self, scene_pos) -> tuple[int, int]:
        layers, heads = self._shape
        if not layers or not self.view.sceneBoundingRect().contains(scene_pos):
            return -1, -1
        p = self.view.mapSceneToView(scene_pos)
        layer, head = int(math.floor(p.y())), int(math.floor(p.x()))
        if 0 <= layer < layers and 0 <= head < heads and (p.y() - layer) <= self._t / self._cell \
                and (p.x() - head) <= self._t / self._cell:
            return layer, head
        return -1, -1

    def cell_point(self, layer: int, head: int):
        """Viewport coordinates of a thumbnail's centre (for tests)."""
        c = (self._t / self._cell) / 2
        return self.mapFromScene(self.view.mapViewToScene(QPointF(head + c, layer + c)))

    def _on_click(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            layer, head = self.cell_at_scene(event.scenePos())
            if layer >= 0:
                self.headActivated.emit(layer, head)

    def _on_move(self, scene_pos) -> None:
        cell = self.cell_at_scene(scene_pos)
        if cell != self._hover:
            self._hover = cell
            self.headHovered.emit(*cell)


def hide_special_tip(facts) -> str:
    """The tooltip (rich text: ``<s>`` must not read as a tag) in the model's own special tokens."""
    first, separator = (html.escape(token) for token in first_and_separator(facts))
    return f"Drop the rows and columns of {first}, {separator}, padding …<br>(the values are not renormalised)"


class SharePlot(pg.PlotWidget):
    """Per layer, the share of attention going to the first token / separators / padding (mean over heads and
    rows); the legend names the model's own tokens (``[CLS]`` / ``[SEP]``, ``<s>`` / ``</s>``…)."""

    def __init__(self, parent: QWidget | None = None):
        colors = theme_colors(parent)
        super().__init__(parent, background=colors["window"],
                         axisItems={"left": CachedAxis("left"), "bottom": CachedAxis("bottom")})
        item = self.getPlotItem()
        style_plot(item, parent, {"left": "share", "bottom": "layer"})
        item.setMouseEnabled(False, False)
        self.getViewBox().setBackgroundColor(colors["background"])
        item.showGrid(x=False, y=True, alpha=0.25)
        self.legend = item.addLegend(offset=(-6, 4), labelTextColor=colors["text"], labelTextSize="8pt",
                                     brush=pg.mkBrush(colors["background"]), pen=pg.mkPen(colors["mid"]))
        self.legend.setColumnCount(3)
        self.curves = {}
        for key, label, color in SHARE_SERIES:
            pen = pg.mkPen(color, width=2)
            self.curves[key] = item.plot([], [], pen=pen, symbol="o", symbolSize=5, symbolBrush=color,
                                         symbolPen=pen, name=label)
        self.name_series(None)
        self.marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(SELECTION_COLOR, width=1,
                                                                           style=Qt.PenStyle.DashLine))
        item.addItem(self.marker, ignoreBounds=True)
        item.setYRange(0, 1.0, padding=0.02)
        self.setMinimumHeight(110)  # the legend and the layers both readable
        self.values: dict[str, np.ndarray] = {}

    def set_share(self, share: dict[str, np.ndarray] | None, facts=None) -> None:
        """The shares per layer; ``facts`` (the model's) name the series in its own special tokens."""
        self.values = dict(share or {})
        if facts is not None:
            self.name_series(facts)
        layers = 0
        for key, curve in self.curves.items():
            y = np.asarray(self.values.get(key, []), dtype=np.float32)
            layers = max(layers, len(y))
            curve.setData(np.arange(len(y)), y)
        item = self.getPlotItem()
        self.legend.setVisible(layers > 0)  # empty: a blank strip, no axes or legend of nothing
        self.marker.setVisible(layers > 0)
        show_axes(item, layers > 0)
        item.setXRange(-0.3, max(layers - 1, 0) + 0.3, padding=0)
        item.getAxis("bottom").setTicks([[(i, str(i)) for i in range(0, layers, 1 if layers <= 16 else 2)]])

    def set_layer(self, layer: int) -> None:
        self.marker.setValue(layer)

    def name_series(self, facts) -> None:
        """The legend in ``facts``' own special tokens (BERT's for None)."""
        first, separator = first_and_separator(facts)
        for key, label, _color in SHARE_SERIES:
            name = label.format(first=first, separator=separator)
            self.legend.getLabel(self.curves[key]).setText(html.escape(name))  # the label is HTML

    def series_names(self) -> list[str]:
        """The legend's names as they read."""
        return [html.unescape(self.legend.getLabel(self.curves[key]).text) for key, _label, _color in SHARE_SERIES]


class AttentionPlot(RunPlot):
    """Layer / head heatmap with token labels, aggregates, options, share plot and overview grid."""

    viewChanged = Signal(int, object)  # layer, head (int, "mean", "max" or "rollout")

    READOUT_HINT = "hover a cell for its value; click to select the token"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("attentionPlot")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._layer = 0
        self._head: int | str = 0
        self._groups: list[np.ndarray] = []
        self._group_of: np.ndarray = np.zeros(0, np.int64)
        self._labels: list[str] = []
        self._matrix: np.ndarray | None = None
        self._overview_stale = True
        self._updating = False

        self.layer_combo = QComboBox(self)
        self.layer_combo.setObjectName("layerCombo")
        self.layer_combo.setToolTip("Layer (Up/Down in the plot)")
        self.head_combo = QComboBox(self)
        self.head_combo.setObjectName("headCombo")
        self.head_combo.setToolTip("Head, or an aggregate over the heads (Left/Right in the plot).\n"
                                   "Rollout multiplies the head-averaged attention (plus the residual)\n"
                                   "through layers 0 to the chosen layer.")
        self.hide_special_box = QCheckBox("Hide special tokens", self)
        self.hide_special_box.setToolTip(hide_special_tip(None))
        self.scale_combo = QComboBox(self)
        self.scale_combo.setObjectName("scaleCombo")
        self.scale_combo.setToolTip("Colour scale: √ and log bring out the small weights\n"
                                    "(the read-out shows the raw values)")
        for key, label, _ in SCALES:
            self.scale_combo.addItem(label, key)
        self.merge_box = QCheckBox("Merge subwords", self)
        self.merge_box.setToolTip("One row and column per word (by character offsets): rows averaged, columns summed")
        bar = self.controls
        for title, combo in (("Layer", self.layer_combo), ("Head", self.head_combo), ("Scale", self.scale_combo)):
            bar.addWidget(group(self, QLabel(title, self), combo))
        bar.addWidget(self.hide_special_box)
        bar.addWidget(self.merge_box)

        self.heatmap = Heatmap(self, row_title="from (query)", column_title="to (key)",
                               bar_title="attention")
        self.heatmap.setMinimumSize(240, 130)
        self.share_plot = SharePlot(self)
        self.share_plot.setToolTip("Mean share of each token's attention that goes to special tokens, per layer")
        self.overview = OverviewGrid(self)
        self.overview.setToolTip("Every head of every layer (each scaled to its own maximum); click one to open it")

        heat_page = QSplitter(Qt.Orientation.Vertical, self)
        heat_page.setObjectName("attentionSplitter")
        heat_page.addWidget(self.heatmap)
        heat_page.addWidget(self.share_plot)
        heat_page.setStretchFactor(0, 5)
        heat_page.setStretchFactor(1, 1)
        heat_page.setChildrenCollapsible(False)
        heat_page.setSizes([600, 140])
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(heat_page, "Heatmap")
        self.tabs.addTab(self.overview, "All heads")
        self.tabs.currentChanged.connect(self._on_tab)

        self.readout.setObjectName("attentionReadout")
        self._arrange(self.tabs)

        self._keys = _KeyFilter(self.step_key)
        for widget in (self.heatmap, self.overview, self.share_plot, self.tabs):
            widget.installEventFilter(self._keys)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo)
        self.head_combo.currentIndexChanged.connect(self._on_head_combo)
        self.hide_special_box.toggled.connect(self._options_changed)
        self.merge_box.toggled.connect(self._options_changed)
        self.scale_combo.currentIndexChanged.connect(lambda _i: self._redraw())
        for combo in (self.layer_combo, self.head_combo, self.scale_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.heatmap.cellHovered.connect(self._on_hover)
        self.heatmap.cellClicked.connect(lambda row, _col: self._select_group(row))
        self.heatmap.rowLabelClicked.connect(self._select_group)
        self.heatmap.columnLabelClicked.connect(self._select_group)
        self.overview.headActivated.connect(self._open_head)
        self.overview.headHovered.connect(self._on_overview_hover)
        self.clear()

    # -- public API -------------------------------------------------------------------------------
    def _show_result(self, view) -> None:
        """The layer and head stay where they were when they exist."""
        self._updating = True
        self._fill_combos(view.num_layers, view.num_heads)
        self._layer = min(self._layer, view.num_layers - 1)
        if isinstance(self._head, int) and self._head >= view.num_heads:
            self._head = 0
        self.layer_combo.setCurrentIndex(self._layer)
        self.head_combo.setCurrentIndex(self._head_index(self._head))
        self._updating = False
        for w in (self.layer_combo, self.head_combo, self.scale_combo, self.hide_special_box, self.merge_box):
            w.setEnabled(True)
        self._regroup()
        self.share_plot.set_share(view.special_share(), view.inspection.facts)
        self.hide_special_box.setToolTip(hide_special_tip(view.inspection.facts))
        self.share_plot.set_layer(self._layer)
        self._overview_stale = True
        self._redraw(reset=True)
        if self.tabs.currentIndex() == 1:
            self._draw_overview()

    def clear(self) -> None:
        super().clear()
        self._matrix = None
        self._groups, self._labels = [], []
        self._updating = True
        self.layer_combo.clear()
        self.head_combo.clear()
        self._updating = False
        for w in (self.layer_combo, self.head_combo, self.scale_combo, self.hide_special_box, self.merge_box):
            w.setEnabled(False)
        self.heatmap.set_labels([], [])
        self.heatmap.set_matrix(None)
        self.heatmap.set_placeholder("Run the model to see where attention goes")
        self.share_plot.set_share(None)
        self.overview.set_thumbnails(None)

    def layer(self) -> int:
        return self._layer

    def head(self):
        return self._head

    def set_layer(self, layer: int) -> None:
        if self._view is None:
            self._layer = max(0, int(layer))
            return
        layer = min(max(int(layer), 0), self._view.num_layers - 1)
        if layer != self.layer_combo.currentIndex():
            self.layer_combo.setCurrentIndex(layer)

    def set_head(self, head) -> None:
        if self._view is None:
            self._head = head
            return
        index = self._head_index(head)
        if index != self.head_combo.currentIndex():
            self.head_combo.setCurrentIndex(index)

    def set_hide_special(self, on: bool) -> None:
        self.hide_special_box.setChecked(on)

    def set_merge_words(self, on: bool) -> None:
        self.merge_box.setChecked(on)

    def set_scale(self, scale: str) -> None:
        """"linear", "sqrt" or "log" (colours only; ``matrix()`` and the read-out stay raw)."""
        index = self.scale_combo.findData(scale)
        if index >= 0:
            self.scale_combo.setCurrentIndex(index)

    def matrix(self) -> np.ndarray | None:
        """The matrix shown now (after hiding and merging)."""
        return self._matrix

    def row_labels(self) -> list[str]:
        return list(self._labels)

    def row_positions(self) -> list[int]:
        """Per row, the position (in inspection.tokens) of its first token."""
        if self._view is None:
            return []
        return [int(self._view.positions[g[0]]) for g in self._groups]

    def show_overview(self) -> None:
        self.tabs.setCurrentIndex(1)

    def show_heatmap(self) -> None:
        self.tabs.setCurrentIndex(0)

    def step_key(self, key) -> bool:
        """Handle an arrow key (Up/Down: layer, Left/Right: head); True when used."""
        action = STEP_KEYS.get(key)
        if action is None or self._view is None:
            return False
        what, delta = action
        combo = self.layer_combo if what == "layer" else self.head_combo
        index = min(max(combo.currentIndex() + delta, 0), combo.count() - 1)
        combo.setCurrentIndex(index)
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if not self.step_key(event.key()):
            super().keyPressEvent(event)

    # -- internals --------------------------------------------------------------------------------
    def _fill_combos(self, layers: int, heads: int) -> None:
        if self.layer_combo.count() != layers:
            self.layer_combo.clear()
            self.layer_combo.addItems([f"{i}" for i in range(layers)])
        if self.head_combo.count() != heads + len(AGGREGATES):
            self.head_combo.clear()
            self.head_combo.addItems([f"{i}" for i in range(heads)] + [label for _, label in AGGREGATES])
            self.head_combo.setItemData(heads + 2, "Rollout through layers 0 to the chosen layer",
                                        Qt.ItemDataRole.ToolTipRole)

    def _head_index(self, head) -> int:
        heads = self._view.num_heads if self._view is not None else 0
        if isinstance(head, str):
            return heads + [name for name, _ in AGGREGATES].index(head)
        return min(max(int(head), 0), max(heads - 1, 0))

    def _head_at(self, index: int):
        heads = self._view.num_heads if self._view is not None else 0
        return index if index < heads else AGGREGATES[index - heads][0]

    def _on_layer_combo(self, index: int) -> None:
        if self._updating or index < 0 or self._view is None:
            return
        self._layer = index
        self.share_plot.set_layer(index)
        self._redraw()

    def _on_head_combo(self, index: int) -> None:
        if self._updating or index < 0 or self._view is None:
            return
        self._head = self._head_at(index)
        self._redraw()

    def _options_changed(self) -> None:
        if self._view is None:
            return
        self._regroup()
        self._redraw(reset=True)

    def _regroup(self) -> None:
        v = self._view
        self._groups = token_groups(v.special, v.subword, v.starts, v.ends, v.segments,
                                    hide_special=self.hide_special_box.isChecked(),
                                    merge_words=self.merge_box.isChecked())
        texts = {0: v.segment_text(0), 1: v.segment_text(1)} if v.inspection.input_kind == "text" else {}
        self._labels = group_labels(self._groups, v.labels, v.starts, v.ends, v.segments, texts)
        group_of = np.full(len(v.positions), -1, np.int64)
        for g, members in enumerate(self._groups):
            group_of[members] = g
        self._group_of = group_of
        self.heatmap.set_labels(self._labels, self._labels)

    def _redraw(self, reset: bool = False) -> None:
        view = self._view
        if view is None:
            return
        try:
            matrix = view.attention(self._layer, self._head)
        except Exception as error:  # noqa: BLE001 - the results were released: say so, no traceback
            self.heatmap.set_matrix(None)
            self.heatmap.set_placeholder(str(error).splitlines()[0] if str(error) else "results unavailable")
            return
        matrix = reduce_matrix(matrix, self._groups)
        self._matrix = matrix
        top = float(matrix.max()) if matrix.size else 1.0
        top = top if top > 0 else 1.0
        scale = self.scale_combo.currentData()
        if scale == "sqrt":
            shown, levels = np.sqrt(np.maximum(matrix, 0.0)), (0.0, float(np.sqrt(top)))
        elif scale == "log":
            floor = math.log10(LOG_FLOOR)
            shown = np.log10(np.maximum(matrix, LOG_FLOOR))
            levels = (floor, max(math.log10(top), floor + 1e-3))
        else:
            shown, levels = matrix, (0.0, top)
        self.heatmap.set_bar_title(SCALE_TITLES[scale])
        self.heatmap.set_placeholder("")
        self.heatmap.set_matrix(np.ascontiguousarray(shown, dtype=np.float32), levels,
                                reset_view=True if reset else None)
        self.overview.set_current(self._layer, self._head)
        self._show_selection()
        self._describe()
        self.viewChanged.emit(self._layer, self._head)

    def _show_selection(self) -> None:
        if self._view is None:
            return
        hits = np.flatnonzero(self._view.positions == self._selected)
        group = int(self._group_of[hits[0]]) if len(hits) else -1
        self.heatmap.set_selection(group, group)

    def _summary(self) -> str:
        what = f"<b>Layer {self._layer}</b> · {html.escape(head_name(self._head))}"
        if self._head == "rollout":
            what = f"<b>Rollout</b> through layers 0–{self._layer}"
        n = len(self._labels)
        return f"{what} · {n} × {n}"

    def _on_hover(self, row: int, col: int) -> None:
        if row < 0 or self._matrix is None:
            self._describe()
            return
        value = float(self._matrix[row, col])

        def name(g: int) -> str:
            label = html.escape(self._labels[g])
            pos = int(self._view.positions[self._groups[g][0]])
            return f"<b>{label}</b> (#{pos})"

        self._describe(f"{name(row)} → {name(col)}: <b>{value:.4f}</b>")

    def _select_group(self, group: int) -> None:
        if self._view is None or not (0 <= group < len(self._groups)):
            return
        self._select_position(int(self._view.positions[self._groups[group][0]]))

    def _open_head(self, layer: int, head: int) -> None:
        self.set_layer(layer)
        self.set_head(head)
        self.show_heatmap()

    def _on_overview_hover(self, layer: int, head: int) -> None:
        if layer < 0:
            self._describe()
        else:
            self._describe(f"layer {layer}, head {head}: click to open it")

    def _on_tab(self, index: int) -> None:
        if index == 1:
            self._draw_overview()

    def _draw_overview(self) -> None:
        if self._view is None or not self._overview_stale:
            return
        try:
            thumbs = self._view.overview()
        except Exception:  # noqa: BLE001
            self.overview.set_thumbnails(None)
            return
        self.overview.set_thumbnails(thumbs)
        self.overview.set_current(self._layer, self._head)
        self._overview_stale = False
