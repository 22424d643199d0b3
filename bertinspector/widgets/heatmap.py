"""A labelled heatmap for token matrices (pyqtgraph), shared by the attention and hidden-state plots.

:class:`TokenAxis` labels integer cells (one token each) and thins the labels out as the view
zooms out, so that a 512-token axis stays readable: every label that fits is drawn, spaced by at
least one line of text. Column labels on a horizontal axis are drawn vertically.

:class:`Heatmap` is a ``GraphicsLayoutWidget`` with one :class:`pyqtgraph.ImageItem` (row-major,
row 0 at the top), a colour bar, a hover signal and click signals for cells and axis labels.
Switching the matrix (a layer or a head) only calls ``setImage`` with fixed levels; the axes are
redrawn only when the labels or the view range change.

Also here: the numpy helpers that hide special tokens and merge subwords into words.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPaintEngine, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QWidget

from bertinspector.widgets.chip_canvas import display_label

COLORMAP = "viridis"
SELECTION_COLOR = "#ff4081"
MAX_LABEL_CHARS = 16
MAX_LABEL_PX = 120
NICE_STEPS = (1, 2, 3, 4, 5, 10, 15, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)
VECTOR_ENGINES = (QPaintEngine.Type.SVG, QPaintEngine.Type.Pdf, QPaintEngine.Type.Picture)


def colormap(name: str = COLORMAP) -> pg.ColorMap:
    return pg.colormap.get(name)


def theme_colors(widget: QWidget | None = None) -> dict[str, QColor]:
    palette = widget.palette() if widget is not None else QApplication.palette()
    return {
        "background": palette.color(QPalette.ColorRole.Base),
        "window": palette.color(QPalette.ColorRole.Window),
        "text": palette.color(QPalette.ColorRole.WindowText),
        "mid": palette.color(QPalette.ColorRole.Mid),
    }


def tick_font(widget: QWidget | None = None) -> QFont:
    font = QFont(widget.font() if widget is not None else QApplication.font())
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(max(7.0, size - 1.0))
    return font


def style_axis(axis: pg.AxisItem, widget: QWidget | None, title: str = "", pen=None) -> None:
    """``axis`` in ``widget``'s theme: its line in the mid colour (or ``pen``), its text and ``title`` in the
    text colour, its ticks in :func:`tick_font`."""
    colors = theme_colors(widget)
    axis.setPen(colors["mid"] if pen is None else pen)
    axis.setTextPen(colors["text"])
    axis.setTickFont(tick_font(widget))
    axis.enableAutoSIPrefix(False)  # an empty or tiny range would read "(x0.001)"
    if title:
        axis.setLabel(title, color=colors["text"].name())


def style_plot(plot: pg.PlotItem, widget: QWidget | None, titles: dict[str, str], axis_pen=None) -> None:
    """``plot`` without pyqtgraph's context menu and auto-range button, and its axes (``titles``: axis name ->
    title) styled by :func:`style_axis`."""
    plot.setMenuEnabled(False)
    plot.hideButtons()
    for name, title in titles.items():
        style_axis(plot.getAxis(name), widget, title, axis_pen)


def show_axes(plot: pg.PlotItem, on: bool) -> None:
    """``plot``'s left and bottom axes shown, or hidden while it has nothing to plot (no ticks around nothing)."""
    for name in ("left", "bottom"):
        plot.showAxis(name, on)


def nice_step(minimum: float) -> int:
    """The smallest 'nice' integer step >= ``minimum``."""
    for step in NICE_STEPS:
        if step >= minimum:
            return step
    return int(10 ** math.ceil(math.log10(max(minimum, 1))))


def short_label(token: str, limit: int = MAX_LABEL_CHARS) -> str:
    text = display_label(token)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- grouping tokens ----------------------------------------------------------------------------------
def kept_tokens(special: np.ndarray, hide_special: bool) -> np.ndarray:
    """Indices of the tokens shown: all of them, or only the non-special ones."""
    return np.flatnonzero(~special) if hide_special else np.arange(len(special))


def token_groups(special: np.ndarray, subword: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                 segments: np.ndarray, *, hide_special: bool = False, merge_words: bool = False) -> list[np.ndarray]:
    """Groups of token indices (in order) to show as one row/column each.

    ``hide_special`` drops special tokens. ``merge_words`` joins a token to the previous one when
    it continues the same word: its characters follow the previous token's directly (same
    segment, ``start == previous end``) and the tokenizer marks it as a continuation piece; input
    without character offsets (pasted ids) falls back to the continuation marks alone.
    """
    keep = kept_tokens(special, hide_special)
    if not merge_words:
        return [np.asarray([i]) for i in keep]
    groups: list[list[int]] = []
    previous = -2
    for i in keep:
        joins = False
        if groups and previous == i - 1 and not special[i] and not special[previous] and subword[i]:
            has_offsets = starts[i] >= 0 and starts[previous] >= 0
            joins = (not has_offsets) or (segments[i] == segments[previous] and starts[i] == ends[previous])
        if joins:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
        previous = i
    return [np.asarray(g) for g in groups]


def group_labels(groups: list[np.ndarray], labels: list[str], starts: np.ndarray, ends: np.ndarray,
                 segments: np.ndarray, texts: dict[int, str]) -> list[str]:
    """A label per group: the characters it covers in the text (by offsets), else the joined pieces."""
    out = []
    for group in groups:
        if len(group) == 1:
            out.append(labels[int(group[0])])
            continue
        first, last = int(group[0]), int(group[-1])
        text = texts.get(int(segments[first]))
        if text is not None and starts[first] >= 0 and ends[last] >= 0:
            out.append(text[int(starts[first]):int(ends[last])])
        else:
            pieces = [labels[int(i)] for i in group]
            out.append(pieces[0] + "".join(p[2:] if p.startswith("##") else p for p in pieces[1:]))
    return out


def reduce_matrix(matrix: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """``matrix`` [n, n] on the groups: rows of a group averaged, its columns summed (so attention
    rows still sum to what they summed to). Singleton groups just select."""
    if all(len(g) == 1 for g in groups):
        index = np.fromiter((int(g[0]) for g in groups), dtype=np.int64, count=len(groups))
        if len(index) == matrix.shape[0] and np.array_equal(index, np.arange(len(index))):
            return matrix
        return np.ascontiguousarray(matrix[np.ix_(index, index)])
    index = np.concatenate(groups)
    counts = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    bounds = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sub = matrix[np.ix_(index, index)]
    sub = np.add.reduceat(sub, bounds, axis=0) / counts[:, None]
    sub = np.add.reduceat(sub, bounds, axis=1)
    return np.ascontiguousarray(sub, dtype=np.float32)


# -- the axis -----------------------------------------------------------------------------------------
class CachedAxis(pg.AxisItem):
    """An axis painted once into a pixmap and blitted afterwards (pyqtgraph replays a QPicture on
    every paint, which for a few dozen labels costs about a millisecond per axis and repaint)."""

    def _draw(self, p: QPainter) -> None:
        if self.style["tickFont"]:
            p.setFont(self.style["tickFont"])
        specs = self.generateDrawSpecs(p)
        if specs is not None:
            self.drawPicture(p, *specs)

    def paint(self, p, opt, widget):  # noqa: D102 - pyqtgraph API
        engine = p.paintEngine()
        if engine is not None and engine.type() in VECTOR_ENGINES:  # an export (SVG, PDF): vectors, text as text
            p.save()
            try:
                self._draw(p)
            finally:
                p.restore()
            return
        rect = self.boundingRect()
        transform = p.deviceTransform()  # includes the device's pixel ratio (2 in a 2x image export)
        ratio = max(widget.devicePixelRatioF() if widget is not None else 1.0,
                    math.hypot(transform.m11(), transform.m12()))
        size = (max(1, int(math.ceil(rect.width() * ratio))), max(1, int(math.ceil(rect.height() * ratio))))
        cached = self.picture
        if not isinstance(cached, QPixmap) or (cached.width(), cached.height()) != size:
            pixmap = QPixmap(*size)
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            try:
                painter.translate(-rect.topLeft())
                self._draw(painter)
            finally:
                painter.end()
            self.picture = cached = pixmap
        p.drawPixmap(rect.topLeft(), cached)


class TokenAxis(CachedAxis):
    """Labels one integer cell per token; labels thin out (nice steps) as the view zooms out."""

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self._labels: list[str] = []
        self._highlight = -1
        self._min_text = 0
        # hideOverlappingLabels=False: room for the labels at the ends (we thin the labels ourselves)
        self.setStyle(autoExpandTextSpace=True, autoReduceTextSpace=True, tickLength=4, tickTextOffset=3,
                      hideOverlappingLabels=False)

    def set_labels(self, labels: list[str]) -> None:
        self._labels = [short_label(s) for s in labels]
        self._resize_for_labels()
        self.picture = None
        self.update()

    def set_min_text_size(self, pixels: int) -> None:
        """Reserve at least this much room for labels (to line up the axes of stacked plots)."""
        self._min_text = int(pixels)
        self._resize_for_labels()

    def text_size(self) -> int:
        return int(self.textWidth if self.orientation in ("left", "right") else self.textHeight)

    def set_highlight(self, index: int) -> None:
        if index != self._highlight:
            self._highlight = index
            self.picture = None
            self.update()

    def setTickFont(self, font) -> None:  # noqa: N802 (Qt naming)
        super().setTickFont(font)
        self._resize_for_labels()

    def _font(self) -> QFont:
        return self.style["tickFont"] or QApplication.font()

    def _resize_for_labels(self) -> None:
        fm = QFontMetricsF(self._font())
        widest = max((fm.horizontalAdvance(s) for s in self._labels), default=0.0)
        size = int(min(widest, MAX_LABEL_PX)) + 2 if self.style["showValues"] else 0
        size = max(size, self._min_text)
        if self.orientation in ("left", "right"):
            self.textWidth = size
            self._updateWidth()
        else:
            self.textHeight = size
            self._updateHeight()

    def visible_indices(self, length_px: float | None = None) -> tuple[list[int], int]:
        """The label indices drawn at the current range, and the step between them."""
        n = len(self._labels)
        if n == 0:
            return [], 1
        lo, hi = sorted(self.range)
        if length_px is None:
            rect = self.boundingRect()
            length_px = rect.height() if self.orientation in ("left", "right") else rect.width()
        span = max(hi - lo, 1e-9)
        per_cell = max(length_px, 1.0) / span
        line = QFontMetricsF(self._font()).height() * 1.05
        step = nice_step(line / per_cell)
        first = max(0, int(math.ceil(lo - 0.5)))
        last = min(n - 1, int(math.floor(hi - 0.5)))
        start = first + (-first) % step
        return list(range(start, last + 1, step)), step

    def _coordinate(self, value: float, bounds: QRectF) -> float:
        r0, r1 = self.range
        dif = (r1 - r0) or 1.0
        if self.orientation in ("left", "right"):
            return bounds.height() - (value - r0) * bounds.height() / dif
        return (value - r0) * bounds.width() / dif

    def generateDrawSpecs(self, p):  # noqa: N802 (pyqtgraph naming)
        p.setFont(self._font())
        bounds = self.mapRectFromParent(self.geometry())
        vertical = self.orientation in ("left", "right")
        length = bounds.height() if vertical else bounds.width()
        if length <= 0:
            return None
        if self.orientation == "left":
            axis_spec = (self.pen(), bounds.topRight(), bounds.bottomRight())
        elif self.orientation == "right":
            axis_spec = (self.pen(), bounds.topLeft(), bounds.bottomLeft())
        elif self.orientation == "top":
            axis_spec = (self.pen(), bounds.bottomLeft(), bounds.bottomRight())
        else:
            axis_spec = (self.pen(), bounds.topLeft(), bounds.topRight())
        indices, _step = self.visible_indices(length) if self.style["showValues"] else ([], 1)
        tick_len = self.style["tickLength"]
        offset = max(0, tick_len) + self.style["tickTextOffset"][0 if vertical else 1]
        fm = QFontMetricsF(self._font())
        height = fm.height()
        ticks, texts = [], []
        pen = self.tickPen()
        for k in indices:
            c = self._coordinate(k + 0.5, bounds)
            if vertical:
                if c < bounds.top() - 0.5 or c > bounds.bottom() + 0.5:
                    continue
                x0 = bounds.right() if self.orientation == "left" else bounds.left()
                d = -tick_len if self.orientation == "left" else tick_len
                ticks.append((pen, QPointF(x0, c), QPointF(x0 + d, c)))
                if self.orientation == "left":
                    rect = QRectF(bounds.left(), c - height / 2, bounds.width() - offset, height)
                    flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                else:
                    rect = QRectF(bounds.left() + offset, c - height / 2, bounds.width() - offset, height)
                    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            else:
                if c < bounds.left() - 0.5 or c > bounds.right() + 0.5:
                    continue
                y0 = bounds.top() if self.orientation == "bottom" else bounds.bottom()
                d = tick_len if self.orientation == "bottom" else -tick_len
                ticks.append((pen, QPointF(c, y0), QPointF(c, y0 + d)))
                rect = QRectF(c, y0 + (offset if self.orientation == "bottom" else -offset), 0, height)
                flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            texts.append((rect, flags, self._labels[k], k))
        return axis_spec, ticks, texts

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):  # noqa: N802 (pyqtgraph naming)
        p.setRenderHint(p.RenderHint.Antialiasing, False)
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        pen, p1, p2 = axisSpec
        p.setPen(pen)
        p.drawLine(p1, p2)
        for pen, a, b in tickSpecs:
            p.setPen(pen)
            p.drawLine(a, b)
        font = QFont(self._font())
        bold = QFont(font)
        bold.setBold(True)
        text_pen = self.textPen()
        fm = QFontMetricsF(font)
        p.setFont(font)
        room = MAX_LABEL_PX
        for rect, flags, text, k in textSpecs:
            highlighted = k == self._highlight
            p.setFont(bold if highlighted else font)
            p.setPen(QPen(QColor(SELECTION_COLOR)) if highlighted else text_pen)
            if self.orientation in ("left", "right"):
                shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
                p.drawText(rect, int(flags), shown)
            else:
                # rotated glyphs drawn as text get uneven spacing ("# #"): draw their outlines instead
                shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, room)
                path = QPainterPath()
                active = bold if highlighted else font
                width = QFontMetricsF(active).horizontalAdvance(shown)
                baseline = fm.ascent() - fm.height() / 2
                if self.orientation == "bottom":  # reads bottom to top, ending at the axis
                    path.addText(-width, baseline, active, shown)
                else:
                    path.addText(0, baseline, active, shown)
                p.save()
                p.translate(rect.left(), rect.top())
                p.rotate(-90)
                p.setRenderHint(p.RenderHint.Antialiasing, True)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(SELECTION_COLOR) if highlighted else text_pen.color())
                p.drawPath(path)
                p.restore()


# -- the heatmap --------------------------------------------------------------------------------------
class Heatmap(pg.GraphicsLayoutWidget):
    """A matrix with token labels, a colour bar, hover and click signals."""

    cellHovered = Signal(int, int)  # row, column; (-1, -1) when the pointer leaves the matrix
    cellClicked = Signal(int, int)  # row, column
    rowLabelClicked = Signal(int)
    columnLabelClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, square: bool = False, colormap_name: str = COLORMAP,
                 row_title: str = "", column_title: str = "", bar_title: str = ""):
        colors = theme_colors(parent)
        super().__init__(parent, show=False)
        self.setBackground(colors["window"])
        self.ci.layout.setContentsMargins(4, 4, 4, 4)
        self.left_axis = TokenAxis("left")
        self.bottom_axis = TokenAxis("bottom")
        self.plot: pg.PlotItem = self.addPlot(axisItems={"left": self.left_axis, "bottom": self.bottom_axis})
        style_plot(self.plot, parent, {"left": row_title, "bottom": column_title})
        self.view: pg.ViewBox = self.plot.getViewBox()
        self.view.invertY(True)
        self.view.setAspectLocked(square)
        self.view.setBackgroundColor(colors["background"])
        self.view.setDefaultPadding(0.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setAutoDownsample(False)
        # an image first: levels set on an empty ImageItem are deferred and would later override ours
        self.image.setImage(np.zeros((1, 1), np.float32), levels=(0.0, 1.0), autoLevels=False)
        self.plot.addItem(self.image)
        self.cmap = colormap(colormap_name)
        self.bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=self.cmap, width=14, interactive=False,
                                   colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=self.plot)
        self.image.clear()
        bar_axis = self.bar.axis
        style_axis(bar_axis, parent, bar_title)
        bar_axis.setStyle(autoExpandTextSpace=False, autoReduceTextSpace=False, tickTextWidth=34)
        self._bar_title = bar_title
        self._shape = (0, 0)
        self._selection_items: list[QGraphicsRectItem] = []
        self._hover = (-1, -1)
        self._placeholder = pg.TextItem("", color=colors["text"], anchor=(0.5, 0.5))
        self._placeholder.setZValue(30)
        self.plot.addItem(self._placeholder, ignoreBounds=True)
        self._selection = (-1, -1)
        pen = QPen(QColor(SELECTION_COLOR))
        pen.setCosmetic(True)
        pen.setWidthF(1.6)
        for _ in range(2):
            item = QGraphicsRectItem()
            item.setPen(pen)
            item.setZValue(20)
            item.setVisible(False)
            self.view.addItem(item, ignoreBounds=True)
            self._selection_items.append(item)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self.setMouseTracking(True)

    # -- data -------------------------------------------------------------------------------------
    def shape(self) -> tuple[int, int]:
        return self._shape

    def set_labels(self, rows: list[str], columns: list[str]) -> None:
        self.left_axis.set_labels(rows)
        self.bottom_axis.set_labels(columns)

    def set_matrix(self, matrix: np.ndarray | None, levels: tuple[float, float] | None = None,
                   reset_view: bool | None = None) -> None:
        """Show ``matrix`` (float32 [rows, cols]); the view resets when the shape changes."""
        if matrix is None or matrix.size == 0:
            self.image.clear()
            self._shape = (0, 0)
            self._show_frame(False)
            self._update_selection()
            return
        self._show_frame(True)
        shape = matrix.shape
        self.image.setImage(matrix, levels=levels, autoLevels=False)
        if tuple(self.bar.levels()) != tuple(levels):
            self.bar.setLevels(levels, update_items=False)
        if reset_view or (reset_view is None and shape != self._shape):
            self.view.setLimits(xMin=0, xMax=shape[1], yMin=0, yMax=shape[0],
                                minXRange=min(4, shape[1]), minYRange=min(4, shape[0]))
            self.view.setRange(xRange=(0, shape[1]), yRange=(0, shape[0]), padding=0)
        self._shape = shape
        self._update_selection()

    def set_bar_title(self, title: str) -> None:
        if title != self._bar_title:
            self._bar_title = title
            self.bar.axis.setLabel(title, color=theme_colors(self)["text"].name())

    def set_placeholder(self, text: str) -> None:
        self._placeholder.setText(text)
        rows, cols = self._shape
        self._placeholder.setPos(cols / 2 if cols else 0.5, rows / 2 if rows else 0.5)
        self._placeholder.setVisible(bool(text))

    def placeholder(self) -> str:
        return self._placeholder.toPlainText() if self._placeholder.isVisible() else ""

    def is_framed(self) -> bool:
        """Whether the axes and the colour bar show (only around a matrix: an empty plot is its placeholder)."""
        return self.plot.getAxis("left").isVisible()

    def _show_frame(self, on: bool) -> None:
        show_axes(self.plot, on)
        self.bar.setVisible(on)
        if not on:  # the placeholder, at (0.5, 0.5), in the middle
            self.view.setLimits(xMin=None, xMax=None, yMin=None, yMax=None, minXRange=None, minYRange=None)
            self.view.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)

    def set_selection(self, row: int = -1, column: int = -1) -> None:
        """Outline a row and a column (-1: none)."""
        self._selection = (row, column)
        self.left_axis.set_highlight(row)
        self.bottom_axis.set_highlight(column)
        self._update_selection()

    def _update_selection(self) -> None:
        rows, cols = self._shape
        row, column = self._selection
        row_item, col_item = self._selection_items
        row_item.setVisible(0 <= row < rows)
        col_item.setVisible(0 <= column < cols)
        if 0 <= row < rows:
            row_item.setRect(QRectF(0, row, cols, 1))
        if 0 <= column < cols:
            col_item.setRect(QRectF(column, 0, 1, rows))

    def reset_zoom(self) -> None:
        rows, cols = self._shape
        if rows and cols:
            self.view.setRange(xRange=(0, cols), yRange=(0, rows), padding=0)

    # -- coordinates ------------------------------------------------------------------------------
    def cell_at_scene(self, scene_pos) -> tuple[int, int]:
        if not self.view.sceneBoundingRect().contains(scene_pos):
            return -1, -1
        point = self.view.mapSceneToView(scene_pos)
        rows, cols = self._shape
        row, col = int(math.floor(point.y())), int(math.floor(point.x()))
        if 0 <= row < rows and 0 <= col < cols:
            return row, col
        return -1, -1

    def cell_point(self, row: int, column: int) -> QPoint:
        """Where the centre of a cell is, in this widget's viewport coordinates (for tests)."""
        scene = self.view.mapViewToScene(QPointF(column + 0.5, row + 0.5))
        return self.mapFromScene(scene)

    def label_point(self, axis: str, index: int) -> QPoint:
        """The centre of a row ("left") or column ("bottom") label, in viewport coordinates."""
        if axis == "left":
            scene = self.view.mapViewToScene(QPointF(self.view.viewRange()[0][0], index + 0.5))
            rect = self.left_axis.sceneBoundingRect()
            return self.mapFromScene(QPointF(rect.center().x(), scene.y()))
        scene = self.view.mapViewToScene(QPointF(index + 0.5, self.view.viewRange()[1][0]))
        rect = self.bottom_axis.sceneBoundingRect()
        return self.mapFromScene(QPointF(scene.x(), rect.top() + min(20.0, rect.height() / 2)))

    # -- events -----------------------------------------------------------------------------------
    def _on_mouse_moved(self, scene_pos) -> None:
        cell = self.cell_at_scene(scene_pos)
        if cell != self._hover:
            self._hover = cell
            self.cellHovered.emit(*cell)

    def _axis_index(self, axis: TokenAxis, scene_pos) -> int:
        if not axis.isVisible() or not axis.sceneBoundingRect().contains(scene_pos):
            return -1
        point = self.view.mapSceneToView(scene_pos)
        value = point.y() if axis is self.left_axis else point.x()
        index = int(math.floor(value))
        limit = self._shape[0] if axis is self.left_axis else self._shape[1]
        return index if 0 <= index < limit else -1

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.scenePos()
        if event.double():
            if self.view.sceneBoundingRect().contains(pos):
                self.reset_zoom()
            return
        row, col = self.cell_at_scene(pos)
        if row >= 0:
            self.cellClicked.emit(row, col)
            return
        index = self._axis_index(self.left_axis, pos)
        if index >= 0:
            self.rowLabelClicked.emit(index)
            return
        index = self._axis_index(self.bottom_axis, pos)
        if index >= 0:
            self.columnLabelClicked.emit(index)

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        if self._hover != (-1, -1):
            self._hover = (-1, -1)
            self.cellHovered.emit(-1, -1)
