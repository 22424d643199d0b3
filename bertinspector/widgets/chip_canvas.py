"""What the token view and the compare view's aligned tokens share: a custom-painted scroll area of chips.

:class:`ChipCanvas` does what both views do alike: the chip fonts and colours follow the widget's, the
vertical scroll bar spans the laid-out items, a resize to another width lays them out again (after a
pause for very long inputs), a paint event draws the view's background (or what to do when there is
nothing to show) before the subclass draws the items in view, and the current item, the hovered one,
tooltips and the reading-order keys work the same way. A subclass says what its items are, how they are
measured, laid out and painted.

:class:`ChipColors` are the colours chips are painted in, light or dark after the palette; :func:`wrap_rows`
is the sweep both views use to wrap items into rows, :func:`newline_offsets` where their texts break lines.
One chip is drawn by :func:`paint_chip` from its label and its ``F_*`` flags (:func:`token_flags`); the
heatmap axes and the inference panel share :func:`display_label`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QToolTip, QWidget

from bertinspector.core.model import Inspection

MARGIN = 8  # around the items, in the viewport


# -- colours --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChipColors:
    a_fill: QColor
    a_border: QColor
    b_fill: QColor
    b_border: QColor
    special_fill: QColor
    special_text: QColor
    unk_fill: QColor
    unk_border: QColor
    text: QColor
    dim_text: QColor
    cut_border: QColor
    cut_marker: QColor
    limit_marker: QColor
    halo: QColor
    focus: QColor
    hover: QColor
    background: QColor
    id_text: QColor

    @staticmethod
    def from_palette(palette: QPalette) -> "ChipColors":
        base = palette.color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        if dark:
            return ChipColors(
                a_fill=QColor("#1e3a5f"), a_border=QColor("#5b8def"),
                b_fill=QColor("#4a3317"), b_border=QColor("#e59a3c"),
                special_fill=QColor("#c9ced6"), special_text=QColor("#14181f"),
                unk_fill=QColor("#5c1f1c"), unk_border=QColor("#ff6b61"),
                text=QColor("#e8eaed"), dim_text=QColor("#8a8f98"),
                cut_border=QColor("#8a8f98"), cut_marker=QColor("#ff6b61"), limit_marker=QColor("#ffb74d"),
                halo=QColor(255, 213, 79, 150), focus=palette.color(QPalette.ColorRole.Highlight).lighter(130),
                hover=QColor(255, 255, 255, 40), background=base, id_text=QColor("#9aa0a6"),
            )
        return ChipColors(
            a_fill=QColor("#e8f0fe"), a_border=QColor("#5b8def"),
            b_fill=QColor("#fff1df"), b_border=QColor("#d9822b"),
            special_fill=QColor("#4b5563"), special_text=QColor("#ffffff"),
            unk_fill=QColor("#fde2e1"), unk_border=QColor("#d93025"),
            text=QColor("#1f2328"), dim_text=QColor("#6e7781"),
            cut_border=QColor("#8c959f"), cut_marker=QColor("#d93025"), limit_marker=QColor("#c77700"),
            halo=QColor(255, 196, 0, 120), focus=palette.color(QPalette.ColorRole.Highlight),
            hover=QColor(0, 0, 0, 22), background=base, id_text=QColor("#57606a"),
        )


# -- layout ---------------------------------------------------------------------------------------
def wrap_rows(widths: np.ndarray, gaps: np.ndarray, breaks: np.ndarray, avail: int) -> tuple[np.ndarray, np.ndarray]:
    """Items of ``widths`` in reading order, wrapped into rows at most ``avail`` wide, like words in a paragraph.

    ``gaps[i]`` is the room before item ``i`` (none at the start of a row); an item starts a new row where it
    no longer fits and at each index in ``breaks``; an item wider than a row gets a row of its own.
    Returns the row of each item and its x within the row.
    """
    n = len(widths)
    w = np.asarray(widths, dtype=np.int64)
    g = np.asarray(gaps, dtype=np.int64)
    cum = np.concatenate(([0], np.cumsum(w + g)))  # cum[i] = room taken by the items before i
    breaks = np.asarray(breaks, dtype=np.int64)
    forced_idx = np.unique(breaks[(breaks > 0) & (breaks < n)])
    starts = []
    i, fi, nf = 0, 0, len(forced_idx)
    while i < n:
        starts.append(i)
        j = int(np.searchsorted(cum, cum[i] + g[i] + avail, side="right")) - 1  # items [i, j) fit
        while fi < nf and forced_idx[fi] <= i:
            fi += 1
        if fi < nf and forced_idx[fi] < j:
            j = int(forced_idx[fi])
        i = max(j, i + 1)
    row_starts = np.asarray(starts, dtype=np.int64)
    rows = np.zeros(n, dtype=np.int64)
    rows[row_starts[1:]] = 1
    rows = np.cumsum(rows)
    first = row_starts[rows]
    return rows, cum[:-1] + g - (cum[first] + g[first])


def newline_offsets(text: str) -> np.ndarray:
    """The (Python) indices of the line feeds in ``text``, ascending."""
    return np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)


# -- the canvas -----------------------------------------------------------------------------------
class ChipCanvas(QAbstractScrollArea):
    """A vertically scrolling, custom-painted view of items (chips or columns of chips) in wrapped rows.

    A subclass calls :meth:`_update_fonts` once its own state is set up, and provides:

    * ``_item_count()``, ``_item_at(pos)``, ``_item_rect(index)`` (viewport coordinates), ``tooltip_html(index)``
      and ``ensure_visible(index)``;
    * ``_measure()`` (widths, after a font change) and ``_relayout()``, which starts with
      :meth:`_start_layout` and ends with :meth:`_show_layout`;
    * ``_content_height()`` and ``_scroll_step()`` for the scroll bar;
    * ``_empty_message()`` and ``_paint(painter, clip, scroll)``.
    """

    currentChanged = Signal(int)  # item index, -1 for none

    GUTTER = 0  # room left of the items, inside the margin
    MIN_AVAIL = 50  # the narrowest width the items are laid out for
    DEFER_RELAYOUT_ABOVE = 100_000  # items; a resize lays out more than this after a pause, not at once
    HOVER_MARGIN = 4  # repainted around an item the pointer enters or leaves

    def __init__(self, parent: QWidget | None, name: str, accessible_name: str):
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible_name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._current = -1
        self._hover = -1
        self._avail: int | None = None  # the width the items are laid out for
        self._relayout_timer = QTimer(self)
        self._relayout_timer.setSingleShot(True)
        self._relayout_timer.setInterval(40)
        self._relayout_timer.timeout.connect(self._relayout)
        self._colors = ChipColors.from_palette(self.palette())

    # -- the current item ---------------------------------------------------------------------------
    def current(self) -> int:
        return self._current

    def set_current(self, index: int, scroll: bool = True, notify: bool = False) -> None:
        index = int(index) if index is not None else -1
        if not 0 <= index < self._item_count():
            index = -1
        changed = index != self._current
        self._current = index
        if scroll and index >= 0:
            self.ensure_visible(index)
        self.viewport().update()
        if changed and notify:
            self._announce_current(index)

    def _announce_current(self, index: int) -> None:
        """Tell the listeners that the user made ``index`` the current item."""
        self.currentChanged.emit(index)

    # -- fonts, layout, scrolling -------------------------------------------------------------------
    def _update_fonts(self) -> None:
        """The chip fonts (regular, bold, small) from the widget's font, and their metrics."""
        font = QFont(self.font())
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        self._fonts = (font, bold, small)
        self._fm = QFontMetrics(font)
        self._bold_fm = QFontMetrics(bold)
        self._small_fm = QFontMetrics(small)
        self._width_cache: dict = {}

    def _available_width(self) -> int:
        return max(self.viewport().width() - 2 * MARGIN - self.GUTTER, self.MIN_AVAIL)

    def _start_layout(self) -> int:
        """Drop a pending relayout; the width to lay the items out for, kept to tell when a resize needs another."""
        self._relayout_timer.stop()
        self._avail = self._available_width()
        return self._avail

    def _show_layout(self, top: int | None = None) -> None:
        """After a layout: the scroll range, then content y ``top`` at the top of the view, and a repaint."""
        self._update_scrollbar()
        if top is not None:
            self.verticalScrollBar().setValue(top)
        self.viewport().update()

    def _update_scrollbar(self) -> None:
        bar = self.verticalScrollBar()
        view_h = self.viewport().height()
        bar.setRange(0, max(0, self._content_height() - view_h))
        bar.setPageStep(view_h)
        bar.setSingleStep(self._scroll_step())

    def _scroll_into_view(self, top: int, height: int, context: int) -> None:
        """Scroll the least that shows content y ``top`` to ``top + height``, with ``context`` pixels beyond."""
        bar = self.verticalScrollBar()
        view_h = self.viewport().height()
        if top < bar.value():
            bar.setValue(max(0, top - context))
        elif top + height > bar.value() + view_h:
            bar.setValue(top + height + context - view_h)

    def _reading_order_target(self, key: int, count: int) -> int | None:
        """The item Right (next), Left (previous), Home or End moves to; None for other keys."""
        cur = self._current
        if key == Qt.Key.Key_Right:
            return 0 if cur < 0 else min(count - 1, cur + 1)
        if key == Qt.Key.Key_Left:
            return 0 if cur < 0 else max(0, cur - 1)
        if key == Qt.Key.Key_Home:
            return 0
        if key == Qt.Key.Key_End:
            return count - 1
        return None

    def _tooltip_off_items(self, pos: QPoint) -> str:
        """The tooltip where the pointer is over no item ("": none)."""
        return ""

    # -- events -------------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._avail != self._available_width():
            if self._item_count() > self.DEFER_RELAYOUT_ABOVE:
                self._relayout_timer.start()
            else:
                self._relayout()
        else:
            self._update_scrollbar()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.StyleChange):
            self._colors = ChipColors.from_palette(self.palette())
            self.viewport().update()
        elif event.type() == event.Type.FontChange:
            self._update_fonts()
            self._measure()
            self._relayout()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        colors = self._colors
        painter.fillRect(event.rect(), colors.background)
        message = self._empty_message()
        if message:
            painter.setPen(colors.dim_text)
            painter.drawText(self.viewport().rect().adjusted(12, 0, -12, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, message)
            return
        self._paint(painter, event.rect(), self.verticalScrollBar().value())

    def viewportEvent(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            index = self._item_at(event.pos())
            if index >= 0:
                QToolTip.showText(event.globalPos(), self.tooltip_html(index), self.viewport(), self._item_rect(index))
            elif text := self._tooltip_off_items(event.pos()):
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def mouseMoveEvent(self, event) -> None:
        index = self._item_at(event.position().toPoint())
        if index != self._hover:
            old, self._hover = self._hover, index
            for i in (old, index):
                if i >= 0:
                    self._repaint_item(i)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        if self._hover >= 0:
            old, self._hover = self._hover, -1
            self._repaint_item(old)
        super().leaveEvent(event)

    def _repaint_item(self, index: int) -> None:
        m = self.HOVER_MARGIN
        self.viewport().update(self._item_rect(index).adjusted(-m, -m, m, m))


# -- one chip --------------------------------------------------------------------------------------
PAD_X = 6
PAD_Y = 3
MIN_CHIP = 18

_VISIBLE = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5", "\r": "\u240d", "\u00a0": "\u237d"}


def display_label(token: str) -> str:
    """The token string with whitespace and control characters made visible."""
    if not token:
        return "\u2205"
    if token.isprintable() and " " not in token:
        return token
    return "".join(
        _VISIBLE.get(c, c if c.isprintable() else f"\\u{ord(c):04x}") for c in token
    )


def describe_chars(chars: str, fm: QFontMetrics | None = None) -> str:
    """Characters behind an unknown token, readable even when the font lacks the glyph."""
    out = []
    for c in chars[:12]:
        code = ord(c)
        if not c.isprintable() or c.isspace() or (fm is not None and not fm.inFontUcs4(code)):
            out.append(f"U+{code:04X}")
        else:
            out.append(c)
    text = " ".join(out) if any(len(o) > 1 for o in out) else "".join(out)
    return text + ("…" if len(chars) > 12 else "")


# chip flags
F_SPECIAL, F_SUBWORD, F_UNK, F_SEG_B, F_CUT, F_JOIN_RIGHT, F_SPLIT = 1, 2, 4, 8, 16, 32, 64


def paint_chip(painter: QPainter, rect: QRectF, label: str, flags: int, colors: ChipColors,
               fonts: tuple[QFont, QFont, QFont], id_text: str | None = None, extra: str | None = None,
               hover: bool = False) -> None:
    """Draw one chip; used by the view and the legend so both always agree."""
    font, bold, small = fonts
    special = flags & F_SPECIAL
    cut = flags & F_CUT
    painter.save()
    if cut:
        painter.setOpacity(0.55)
    if special:
        fill, border = colors.special_fill, colors.special_fill.darker(130)
    elif flags & F_UNK:
        fill, border = colors.unk_fill, colors.unk_border
    elif flags & F_SEG_B:
        fill, border = colors.b_fill, colors.b_border
    else:
        fill, border = colors.a_fill, colors.a_border
    r = rect.adjusted(0.5, 0.5, -0.5, -0.5)
    radius = r.height() / 2 if special else (0.0 if flags & F_SEG_B else 4.0)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(r, radius, radius)
    if flags & F_SUBWORD or flags & F_JOIN_RIGHT:
        # square the joined edges: a subword continues the chip before it
        if flags & F_SUBWORD:
            painter.drawRect(QRectF(r.left(), r.top(), min(radius + 1, r.width() / 2), r.height()))
        if flags & F_JOIN_RIGHT:
            painter.drawRect(QRectF(r.right() - min(radius + 1, r.width() / 2), r.top(),
                                    min(radius + 1, r.width() / 2), r.height()))
    if hover:
        painter.setBrush(colors.hover)
        painter.drawRoundedRect(r, radius, radius)
    if cut:
        painter.setBrush(QBrush(colors.cut_border, Qt.BrushStyle.BDiagPattern))
        painter.drawRoundedRect(r, radius, radius)
    # border
    pen = QPen(colors.cut_border if cut else border, 2.0 if flags & F_UNK else 1.0)
    if cut:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if flags & (F_SUBWORD | F_JOIN_RIGHT) and not special:
        # draw the outline piecewise so the joined edge can be dotted / open
        painter.drawLine(QPointF(r.left(), r.top()), QPointF(r.right(), r.top()))
        painter.drawLine(QPointF(r.left(), r.bottom()), QPointF(r.right(), r.bottom()))
        if not flags & F_JOIN_RIGHT:
            painter.drawLine(QPointF(r.right(), r.top()), QPointF(r.right(), r.bottom()))
        if flags & F_SUBWORD:
            dotted = QPen(pen)
            dotted.setStyle(Qt.PenStyle.DotLine)
            dotted.setWidthF(1.5)
            painter.setPen(dotted)
        painter.drawLine(QPointF(r.left(), r.top()), QPointF(r.left(), r.bottom()))
    else:
        painter.drawRoundedRect(r, radius, radius)
    if flags & F_SEG_B and not special:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.b_border if not cut else colors.cut_border)
        painter.drawRect(QRectF(r.left(), r.bottom() - 2.5, r.width(), 3))
    if flags & F_SPLIT:
        # a character spread over several tokens: a zigzag along the top edge of each of its chips
        painter.setPen(QPen(colors.limit_marker, 1.5))
        left, top, steps = r.left() + 1, r.top() + 1.5, max(1, int((r.width() - 2) // 3))
        painter.drawPolyline([QPointF(left + 3 * k, top + 2.5 * (k % 2)) for k in range(steps + 1)])
    # text
    if special:
        painter.setFont(bold)
        painter.setPen(colors.special_text)
    elif flags & F_UNK:
        painter.setFont(bold)
        painter.setPen(colors.unk_border)
    else:
        painter.setFont(font)
        painter.setPen(colors.dim_text if cut else colors.text)
    fm = QFontMetrics(painter.font())
    line_h = fm.height()
    text_rect = QRectF(r.left(), r.top() + PAD_Y - 0.5, r.width(), line_h)
    if extra:
        main_w = fm.horizontalAdvance(label)
        small_fm = QFontMetrics(small)
        extra_text = f" \u2039{extra}\u203a"
        total = main_w + small_fm.horizontalAdvance(extra_text)
        left = r.left() + (r.width() - total) / 2
        painter.drawText(QRectF(left, text_rect.top(), main_w + 1, line_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        painter.setFont(small)
        painter.drawText(QRectF(left + main_w, text_rect.top(), total - main_w + 2, line_h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, extra_text)
    else:
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, label)
    if id_text is not None:
        painter.setFont(small)
        painter.setPen(colors.special_text if special else colors.id_text)
        small_h = QFontMetrics(small).height()
        painter.drawText(QRectF(r.left(), text_rect.bottom(), r.width(), small_h),
                         Qt.AlignmentFlag.AlignCenter, id_text)
    painter.restore()


def token_flags(insp: Inspection, n: int | None = None) -> np.ndarray:
    """The chip flags (``F_*``) of the first ``n`` tokens of ``insp`` (all by default), in reading order.

    ``F_JOIN_RIGHT`` is set where the next token continues this one (a subword, kept alike).
    """
    tokens = insp.tokens
    n = len(tokens) if n is None else n
    special = np.asarray(tokens.special[:n], dtype=bool)
    flags = np.zeros(n, dtype=np.int32)
    flags[special] |= F_SPECIAL
    flags[np.asarray(tokens.subword[:n], dtype=bool) & ~special] |= F_SUBWORD
    flags[np.asarray(tokens.unk[:n], dtype=bool)] |= F_UNK
    if insp.pair is not None:
        seg_b = np.asarray(tokens.segments[:n]) == 1
        if tokens.type_ids is not None:  # the pair's specials belong to B when their type id says so
            seg_b |= special & (np.asarray(tokens.type_ids[:n]) == 1)
        flags[seg_b] |= F_SEG_B
    kept = np.asarray(tokens.kept[:n], dtype=bool)
    flags[~kept] |= F_CUT
    if n > 1:
        join = np.zeros(n, dtype=bool)
        join[:-1] = (flags[1:] & F_SUBWORD).astype(bool) & (kept[1:] == kept[:-1])
        flags[join] |= F_JOIN_RIGHT
    return flags


def label_widths(labels, ids: np.ndarray, emphatic: np.ndarray, fm: QFontMetrics, bold_fm: QFontMetrics,
                 cache: dict, exact: np.ndarray | None = None) -> np.ndarray:
    """The width of each token's label (``display_label`` of ``labels[i]``), bold where ``emphatic``.

    A label follows from the token's id and its boldness, so each distinct (id, bold) is measured once,
    except where ``exact`` is set (a split character's tokens, whose labels depend on their neighbours):
    those are measured one by one. ``cache`` (label, bold) -> width keeps the measurements across calls.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids):
        return np.zeros(0, dtype=np.int64)

    def width(i: int) -> int:
        label = display_label(labels[i])
        key = (label, bool(emphatic[i]))
        w = cache.get(key)
        if w is None:
            w = cache[key] = (bold_fm if emphatic[i] else fm).horizontalAdvance(label)
        return w

    keys = ids * 2 + emphatic
    if exact is not None and exact.any():
        keys = np.where(exact, -1 - np.arange(len(ids)), keys)
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    unique_widths = np.fromiter((width(i) for i in first.tolist()), np.int64, len(unique))
    return unique_widths[inverse.reshape(-1)]
