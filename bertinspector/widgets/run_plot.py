"""What the attention and hidden-state plots share: the run they show, a "stale" tag, a read-out line,
the selected token and the image export.

:class:`RunPlot` lays a plot out as a row of controls (ending in the stale tag; it wraps when narrow) over
the plots over the read-out, keeps the run (a :class:`bertinspector.qt.inference.ResultView`) and the selected token's
position, and emits ``tokenSelected(position)`` when the user picks a token in a plot.

:meth:`RunPlot.export_image` writes the plot pane shown now (the current tab of the plots, with its axes,
labels and colour bars, under a one-line caption saying what it shows) as PNG (twice the on-screen
resolution) or SVG (vectors, the labels as text, each matrix as an embedded image, one pixel per cell);
the plot's context menu offers both. Files are written atomically (:func:`bertinspector.core.files.write_atomic`).
"""

from __future__ import annotations

import html
import os
import re
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QFileDialog, QGraphicsView, QLabel, QMenu, QSizePolicy, QTabWidget, QVBoxLayout, QWidget,
)

from bertinspector.core.errors import first_line
from bertinspector.core.files import write_atomic
from bertinspector.widgets.flow_layout import FlowLayout

STALE_STYLE = ("QLabel { background: #fff4e0; border: 1px solid #c77700; border-radius: 3px; color: #1f2328;"
               " padding: 2px 6px; }")
ERROR_COLOR = "#d93025"
IMAGE_FORMATS = {  # suffix -> (context menu entry, file dialog filter)
    ".png": ("Export Image (PNG)…", "PNG image (*.png)"),
    ".svg": ("Export Image (SVG)…", "SVG image (*.svg)"),
}
PNG_SCALE = 2.0  # pixels per on-screen pixel in a PNG export


def image_suffix(path: str) -> str:
    """``path``'s suffix if it names an image format :meth:`RunPlot.export_image` writes, else ValueError."""
    suffix = Path(path).suffix.lower()
    if suffix not in IMAGE_FORMATS:
        raise ValueError(f"cannot export a plot as {suffix or 'a file without a suffix'}: use .png or .svg")
    return suffix


def error_text(error: Exception) -> str:
    """One line for the user about a failed export: "No space left on device", not a traceback."""
    if isinstance(error, OSError):
        if error.strerror:
            return error.strerror
        if len(error.args) == 1 and isinstance(error.args[0], int):  # OSError(28)
            return os.strerror(error.args[0])
    return first_line(error)


@contextmanager
def export_mode(pane: QWidget):
    """While painting ``pane`` into a file: pyqtgraph's items in their export mode (symbols drawn as vectors
    rather than blitted from a screen-resolution cache, antialiased), and the graphics views' backgrounds
    drawn rather than copied from their cached pixmaps."""
    views = [v for v in pane.findChildren(QGraphicsView) if v.isVisibleTo(pane)]
    if isinstance(pane, QGraphicsView):
        views.append(pane)
    items = [i for v in views if v.scene() is not None for i in v.scene().items() if hasattr(i, "setExportMode")]
    modes = [(v, v.cacheMode()) for v in views]
    try:
        for view, _mode in modes:
            view.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        for item in items:
            item.setExportMode(True, {"antialias": True, "resolutionScale": 1.0})
        yield
    finally:
        for item in items:
            item.setExportMode(False)
        for view, mode in modes:
            view.setCacheMode(mode)
            view.resetCachedContent()


class RunPlot(QWidget):
    """A plot of one model run. A subclass fills ``self.controls``, hands its plots to :meth:`_arrange`, and
    provides ``_show_result(view)`` (a run with layers), ``_show_selection()``, ``_summary()`` (the read-out's
    start) and ``READOUT_HINT``; its ``clear()`` calls this one's."""

    tokenSelected = Signal(int)  # position in inspection.tokens

    READOUT_HINT = ""  # the read-out's end while the pointer is over nothing

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._view = None
        self._selected = -1  # position in inspection.tokens
        self._controls_box = QWidget(self)
        self.controls = FlowLayout(self._controls_box, spacing=6)  # wraps when narrow: never widens the window
        self.stale_label = QLabel("Stale: the input changed since this run", self)
        self.stale_label.setStyleSheet(STALE_STYLE)
        self.stale_label.setVisible(False)
        self.readout = QLabel(self)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.readout.setMinimumHeight(self.fontMetrics().height() + 6)
        self._plots: QWidget | None = None

    def _arrange(self, plots: QWidget) -> None:
        """The controls and the stale tag over ``plots`` over the read-out."""
        self._plots = plots
        self.controls.addWidget(self.stale_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self._controls_box)
        layout.addWidget(plots, 1)
        layout.addWidget(self.readout)

    # -- the run ----------------------------------------------------------------------------------
    def result(self):
        return self._view

    def set_result(self, view) -> None:
        """Show a run (a ResultView); None, or a run without layers, clears the plot."""
        self._view = view
        self.stale_label.setVisible(False)
        if view is None or not view.num_layers:
            self.clear()
            return
        self._show_result(view)

    def clear(self) -> None:
        self._view = None
        self.stale_label.setVisible(False)
        self.readout.setText("")

    def set_stale(self, stale: bool) -> None:
        self.stale_label.setVisible(bool(stale) and self._view is not None)

    def is_stale(self) -> bool:
        return not self.stale_label.isHidden()

    # -- the selected token -----------------------------------------------------------------------
    def select_token(self, position: int) -> None:
        """Mark the token at ``position`` (of inspection.tokens) in the plots; no signal."""
        self._selected = int(position)
        self._show_selection()

    def _select_position(self, position: int) -> None:
        """The user picked the token at ``position`` in a plot: mark it and say so."""
        self._selected = position
        self._show_selection()
        self.tokenSelected.emit(position)

    # -- the read-out -----------------------------------------------------------------------------
    def _describe(self, hover: str = "") -> None:
        """The read-out: what the plot shows, then what is under the pointer (``hover``) or a hint."""
        if self._view is None:
            self.readout.setText("")
            return
        hint = f"<span style='color:gray'>{self.READOUT_HINT}</span>"
        self.readout.setText(f"{self._summary()} · {hover or hint}")

    # -- the image export -------------------------------------------------------------------------
    def shown_pane(self) -> QWidget | None:
        """The plot pane on screen: the current page when the plots are tabs, else all of them."""
        plots = self._plots
        if isinstance(plots, QTabWidget):
            return plots.currentWidget()
        return plots

    def caption(self) -> str:
        """One line saying what the exported pane shows: the model, then the read-out's start (as plain text)
        or, on a later tab, the tab's name; "" without a run."""
        if self._view is None:
            return ""
        parts = []
        inspection = getattr(self._view, "inspection", None)
        source = str(getattr(inspection, "source", "") or "")
        if source:
            parts.append(Path(source).name if os.path.isdir(source) else source)
        plots = self._plots
        if isinstance(plots, QTabWidget) and plots.currentIndex() > 0:
            parts.append(plots.tabText(plots.currentIndex()).replace("&", ""))
        else:
            parts.append(html.unescape(re.sub(r"<[^>]*>", "", self._summary())).strip())
        if self.is_stale():
            parts.append("stale: the input changed since this run")
        return " · ".join(part for part in parts if part)

    def export_name(self) -> str:
        """A file name (no suffix) to propose: the plot's object name in kebab case."""
        name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", self.objectName() or "plot").lower()
        return name or "plot"

    def export_image(self, path: str, *, scale: float = PNG_SCALE) -> None:
        """Write the pane shown now as PNG (``scale`` pixels per on-screen pixel) or SVG, by ``path``'s suffix.

        Rendered in memory, then written atomically: a failed write (OSError) leaves no partial file and any
        previous file intact. ValueError for another suffix."""
        suffix = image_suffix(path)
        pane = self.shown_pane()
        if pane is None:
            raise ValueError("this plot has nothing to export")
        data = self._render_png(pane, scale) if suffix == ".png" else self._render_svg(pane)
        write_atomic(Path(path), data)

    def _layout_export(self, pane: QWidget) -> tuple[QSize, str, int]:
        """The exported picture's size, its caption and the caption's height."""
        caption = self.caption()
        caption_height = QFontMetrics(self.font()).height() + 8 if caption else 0
        size = pane.size()
        return QSize(size.width(), size.height() + caption_height), caption, caption_height

    def _paint_export(self, painter: QPainter, pane: QWidget, caption: str, caption_height: int) -> None:
        background = pane.palette().color(pane.backgroundRole())
        painter.fillRect(QRect(0, 0, pane.width(), pane.height() + caption_height), background)
        if caption:
            painter.setFont(self.font())
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(QRect(6, 0, pane.width() - 12, caption_height),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), caption)
        with export_mode(pane):
            QWidget.render(pane, painter, QPoint(0, caption_height))  # (a QGraphicsView's render() draws its scene)

    def _render_png(self, pane: QWidget, scale: float) -> bytes:
        size, caption, caption_height = self._layout_export(pane)
        scale = max(float(scale), 1.0)
        image = QImage(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(scale)
        dots_per_meter = round(pane.logicalDpiX() / 0.0254)
        image.setDotsPerMeterX(dots_per_meter)  # fonts come out as on screen
        image.setDotsPerMeterY(dots_per_meter)
        image.fill(QColor(Qt.GlobalColor.transparent))
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            self._paint_export(painter, pane, caption, caption_height)
        finally:
            painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise OSError("could not encode the image as PNG")
        return bytes(buffer.data())

    def _render_svg(self, pane: QWidget) -> bytes:
        size, caption, caption_height = self._layout_export(pane)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        generator.setSize(size)
        generator.setViewBox(QRect(QPoint(0, 0), size))
        generator.setResolution(pane.logicalDpiX())  # fonts come out as on screen
        generator.setTitle(caption or self.export_name())
        generator.setDescription("Exported from bertinspector")
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError("could not start the SVG export")
        try:
            self._paint_export(painter, pane, caption, caption_height)
        finally:
            painter.end()
        buffer.close()
        return bytes(data)

    # -- the context menu -------------------------------------------------------------------------
    def context_menu(self) -> QMenu:
        """The plot's context menu: export the pane shown as PNG or SVG (disabled without a run)."""
        menu = QMenu(self)
        for suffix, (title, _filter) in IMAGE_FORMATS.items():
            action = menu.addAction(title)
            action.setEnabled(self._view is not None)
            action.triggered.connect(lambda _checked=False, suffix=suffix: self.choose_and_export_image(suffix))
        return menu

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        """Right-clicks in the plots (pyqtgraph's own menus are off) and on the controls end up here."""
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())
        event.accept()

    def choose_and_export_image(self, suffix: str) -> str:
        """Ask where to save the pane shown as ``suffix`` (".png" or ".svg") and write it; the path written,
        "" when cancelled or failed (a one-line message in the read-out then)."""
        title, file_filter = IMAGE_FORMATS[suffix]
        path, _ = QFileDialog.getSaveFileName(self, title.rstrip("…"), self.export_name() + suffix, file_filter)
        if not path:
            return ""
        if Path(path).suffix.lower() not in IMAGE_FORMATS:
            path += suffix
        try:
            self.export_image(path)
        except (OSError, ValueError) as error:
            self.readout.setText(f"<span style='color:{ERROR_COLOR}'>Could not write {html.escape(Path(path).name)}: "
                                 f"{html.escape(error_text(error))}</span>")
            return ""
        self.readout.setText(f"Exported {html.escape(Path(path).name)}")
        return path
