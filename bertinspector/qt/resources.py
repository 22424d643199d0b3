"""Runtime resources: the application icon (``bertinspector/assets``) and painted severity icons.

Assets are read with :mod:`importlib.resources`, so they are found from a wheel, an editable
install or a frozen (PyInstaller) build alike.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from PySide6.QtCore import QByteArray, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPainterPath, QPen, QPixmap

from bertinspector.core.model import Severity

APP_ICON = "bertinspector.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

SEVERITY_COLORS = {
    Severity.ERROR: "#d93025",
    Severity.WARNING: "#c77700",
    Severity.INFO: "#1a73e8",
}
SEVERITY_TITLES = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Info"}


def asset_bytes(name: str) -> bytes:
    return resources.files("bertinspector").joinpath("assets", name).read_bytes()


def render_svg(data: bytes, size: int) -> QImage:
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(data))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The application icon, rendered from the SVG master at the usual sizes."""
    icon = QIcon()
    try:
        data = asset_bytes(APP_ICON)
    except OSError:
        return icon
    for size in ICON_SIZES:
        icon.addPixmap(QPixmap.fromImage(render_svg(data, size)))
    return icon


def severity_color(severity: Severity) -> QColor:
    return QColor(SEVERITY_COLORS[Severity(severity)])


def _paint_severity(painter: QPainter, severity: Severity, rect: QRectF) -> None:
    color = severity_color(severity)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = min(rect.width(), rect.height())
    box = QRectF(rect.center().x() - s / 2, rect.center().y() - s / 2, s, s).adjusted(0.5, 0.5, -0.5, -0.5)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    if severity == Severity.WARNING:  # a triangle: shape, not only colour, tells the severities apart
        path = QPainterPath()
        path.moveTo(box.center().x(), box.top())
        path.lineTo(box.right(), box.bottom())
        path.lineTo(box.left(), box.bottom())
        path.closeSubpath()
        painter.drawPath(path)
    elif severity == Severity.ERROR:  # an octagon, like a stop sign
        path = QPainterPath()
        k = box.width() * 0.29
        pts = [(k, 0), (box.width() - k, 0), (box.width(), k), (box.width(), box.height() - k),
               (box.width() - k, box.height()), (k, box.height()), (0, box.height() - k), (0, k)]
        path.moveTo(box.left() + pts[0][0], box.top() + pts[0][1])
        for x, y in pts[1:]:
            path.lineTo(box.left() + x, box.top() + y)
        path.closeSubpath()
        painter.drawPath(path)
    else:  # a circle
        painter.drawEllipse(box)
    pen = QPen(QColor("white"), max(1.5, s / 9), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    cx = box.center().x()
    if severity == Severity.ERROR:
        d = s * 0.2
        c = box.center()
        painter.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
        painter.drawLine(QPointF(c.x() + d, c.y() - d), QPointF(c.x() - d, c.y() + d))
    elif severity == Severity.WARNING:
        painter.drawLine(QPointF(cx, box.top() + s * 0.36), QPointF(cx, box.top() + s * 0.66))
        painter.drawPoint(QPointF(cx, box.top() + s * 0.82))
    else:
        painter.drawLine(QPointF(cx, box.top() + s * 0.45), QPointF(cx, box.top() + s * 0.75))
        painter.drawPoint(QPointF(cx, box.top() + s * 0.27))


@lru_cache(maxsize=16)
def severity_icon(severity: Severity) -> QIcon:
    icon = QIcon()
    for size in (12, 16, 20, 24, 32, 48):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        _paint_severity(painter, Severity(severity), QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon


def monospace_font(point_size: float | None = None) -> QFont:
    from PySide6.QtGui import QFontDatabase

    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if point_size:
        font.setPointSizeF(point_size)
    return font
