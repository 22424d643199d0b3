"""The token view: every token of the encoding as a wrapping chip, in reading order.

One custom-painted scroll area, not one widget per token: the layout is a handful of numpy arrays
(x, width and row per token) computed in one pass, and a paint event draws only the rows in view,
so 20,000 (or 2 million) tokens scroll as smoothly as 20.

Token kinds are told apart by more than colour, so colour-blind readers can use it:

=================  ======================================================================
kind               drawn as
=================  ======================================================================
segment A          rounded chip, solid border
segment B          square-cornered chip with a thick bar under it
special token      pill shape, bold text, dark fill
subword            joined to the previous chip (no gap), dotted left edge
unknown token      thick red border, bold text, the characters behind it after a "‹"
cut off            hatched and faded, dashed border, below a full-width "✂ cut at N" row
split character    a zigzag along the top: its bytes are spread over several tokens
=================  ======================================================================

Chips read as a person reads the text (:mod:`bertinspector.core.readable`): byte-level pieces show the
characters they stand for, ``Ġ`` and ``▁`` become one word-start mark ``▁``, a split character is shown
once. *Show ids* shows the raw vocabulary pieces and their ids; tooltips, copies and exports keep the raw
piece.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction, QColor, QFont, QFontMetrics, QGuiApplication, QKeySequence, QPainter, QPalette, QPen,
)
from PySide6.QtWidgets import (
    QCheckBox, QHBoxLayout, QLabel, QMenu, QPlainTextEdit, QSizePolicy, QSplitter, QVBoxLayout, QWidget,
)

from bertinspector.core.model import Inspection
from bertinspector.core.readable import (
    SPLIT_REST, WORD_START, ReadableTokens, piece_bytes, readable, scheme_of, special_token,
)
from bertinspector.core.report import CUT_MARK
from bertinspector.widgets.chip_canvas import (
    F_CUT, F_SEG_B, F_SPECIAL, F_SPLIT, F_SUBWORD, F_UNK, MARGIN, MIN_CHIP, PAD_X, PAD_Y, ChipCanvas, ChipColors,
    describe_chars, display_label, label_widths, newline_offsets, paint_chip, token_flags, wrap_rows,
)

GAP = 5
ROW_GAP = 7
MAX_DRAWN = 200_000  # tokens drawn; beyond that (a pasted book) a last row says how many more there are

# -- layout ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Marker:
    """A full-width row drawn before token ``before`` (a cut, a resume after a cut, a model limit)."""

    before: int
    kind: str  # "cut" | "resume" | "limit"
    text: str


class TokenLayout:
    """Row and x position of every token for one width; markers get rows of their own."""

    def __init__(self, widths: np.ndarray, gaps: np.ndarray, breaks: np.ndarray, markers: list[Marker],
                 avail: int):
        n = len(widths)
        self.n = n
        self.markers = markers
        marker_tokens = np.asarray(sorted(m.before for m in markers), dtype=np.int64)
        raw_row, self.x = wrap_rows(widths, gaps, np.concatenate((breaks, marker_tokens)), max(int(avail), 1))
        shift = np.searchsorted(marker_tokens, np.arange(n), side="right") if len(marker_tokens) else 0
        self.rows = (raw_row + shift).astype(np.int64)
        self.w = widths.astype(np.int64)
        self.marker_rows: dict[int, Marker] = {}
        for k, m in enumerate(sorted(markers, key=lambda m: m.before)):
            if m.before < n:
                self.marker_rows[int(self.rows[m.before]) - 1] = m
            else:
                last = int(self.rows[-1]) + 1 if n else 0
                self.marker_rows[last + k] = m
        total = int(self.rows[-1]) + 1 if n else 0
        if self.marker_rows:
            total = max(total, max(self.marker_rows) + 1)
        self.row_count = total

    def tokens_in_rows(self, first_row: int, last_row: int) -> tuple[int, int]:
        lo = int(np.searchsorted(self.rows, first_row, side="left"))
        hi = int(np.searchsorted(self.rows, last_row, side="right"))
        return lo, hi


# -- the view -------------------------------------------------------------------------------------
class TokenView(ChipCanvas):
    """Custom-painted wrapping chips, one per token."""

    tokenActivated = Signal(int)  # double click / Enter

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, "tokenView", "Tokens")
        self._inspection: Inspection | None = None
        self._strings: tuple[str, ...] = ()
        self._readable: ReadableTokens | None = None  # what a person reads for each token (core.readable)
        self._extras: dict[int, str] = {}
        self._token_labels: dict[int, str] = {}  # a token-classification model's label per position
        self._flags = np.zeros(0, dtype=np.int32)
        self._widths = np.zeros(0, dtype=np.int64)
        self._gaps = np.zeros(0, dtype=np.int64)
        self._breaks = np.zeros(0, dtype=np.int64)
        self._markers: list[Marker] = []
        self._layout: TokenLayout | None = None
        self._show_ids = False
        self._highlighted = np.zeros(0, dtype=bool)
        self._update_fonts()
        self._build_actions()

    # -- public API -----------------------------------------------------------------------------
    def inspection(self) -> Inspection | None:
        return self._inspection

    def token_count(self) -> int:
        return len(self._strings)

    def set_inspection(self, inspection: Inspection | None, keep_current: bool = True) -> None:
        old_current = self._current
        self._inspection = inspection
        self._hover = -1
        self._prepare()
        n = len(self._strings)
        self._highlighted = np.zeros(n, dtype=bool)
        self._current = old_current if keep_current and 0 <= old_current < n else -1
        self._relayout()

    def set_token_labels(self, labels: dict) -> None:
        """Show a model's label next to each token ({position: (label, confidence)}; {} clears)."""
        self._token_labels = {int(i): str(value[0] if isinstance(value, tuple) else value) for i, value in labels.items()}
        self._prepare()
        self._relayout()

    def token_labels(self) -> dict[int, str]:
        return dict(self._token_labels)

    def show_ids(self) -> bool:
        return self._show_ids

    def set_show_ids(self, on: bool) -> None:
        if on == self._show_ids:
            return
        self._show_ids = on
        self._update_fonts()
        self._measure()
        self._relayout()

    def set_highlighted(self, indices) -> None:
        """Mark tokens (a diagnostic's) with a halo; scrolls to the first of them."""
        mask = np.zeros(len(self._strings), dtype=bool)
        idx = np.asarray(list(indices), dtype=np.int64)
        idx = idx[(idx >= 0) & (idx < len(mask))]
        mask[idx] = True
        self._highlighted = mask
        if len(idx):
            self.ensure_visible(int(idx.min()))
        self.viewport().update()

    def highlighted(self) -> list[int]:
        return [int(i) for i in np.flatnonzero(self._highlighted)]

    def row_count(self) -> int:
        return self._layout.row_count if self._layout else 0

    def markers(self) -> list[Marker]:
        return list(self._markers)

    def token_rect(self, index: int) -> QRect:
        """The chip of ``index`` in viewport coordinates."""
        lay = self._layout
        if lay is None or not 0 <= index < lay.n:
            return QRect()
        y = MARGIN + int(lay.rows[index]) * self._row_h - self.verticalScrollBar().value()
        return QRect(MARGIN + int(lay.x[index]), y, int(lay.w[index]), self._chip_h)

    def marker_rect(self, marker: Marker) -> QRect:
        lay = self._layout
        if lay is None:
            return QRect()
        for row, m in lay.marker_rows.items():
            if m is marker:
                y = MARGIN + row * self._row_h - self.verticalScrollBar().value()
                return QRect(MARGIN, y, self.viewport().width() - 2 * MARGIN, self._chip_h)
        return QRect()

    def index_at(self, pos: QPoint) -> int:
        lay = self._layout
        if lay is None or lay.n == 0:
            return -1
        y = pos.y() + self.verticalScrollBar().value() - MARGIN
        if y < 0:
            return -1
        row = y // self._row_h
        if y - row * self._row_h > self._chip_h:
            return -1
        lo, hi = lay.tokens_in_rows(row, row)
        if lo >= hi:
            return -1
        x = pos.x() - MARGIN
        k = int(np.searchsorted(lay.x[lo:hi], x, side="right")) - 1
        if k < 0:
            return -1
        i = lo + k
        return i if x < lay.x[i] + lay.w[i] else -1

    def ensure_visible(self, index: int) -> None:
        lay = self._layout
        if lay is None or not 0 <= index < lay.n:
            return
        self._scroll_into_view(MARGIN + int(lay.rows[index]) * self._row_h, self._row_h, self._row_h)

    def scroll_to_row_of(self, index: int, context_rows: int = 2) -> None:
        """Scroll so that token ``index`` (or the marker before it) sits near the top."""
        lay = self._layout
        if lay is None or not 0 <= index < lay.n:
            return
        row = int(lay.rows[index])
        while row - 1 in lay.marker_rows:
            row -= 1
        self.verticalScrollBar().setValue(max(0, (row - context_rows) * self._row_h))

    def tooltip_html(self, index: int) -> str:
        insp = self._inspection
        if insp is None or not 0 <= index < len(self._strings):
            return ""
        t = insp.tokens.row(index)
        rows = [("index", f"{t.index}"), ("id", f"{t.id}"), ("token", html.escape(repr(t.token), quote=False))]
        reading = self._readable
        if reading is not None and reading.labels[index] != t.token:
            rows.append(("reads as", html.escape(repr(reading.labels[index]), quote=False)))
        raw = None if t.special else piece_bytes(reading.scheme if reading else "", t.token)
        if raw is not None:
            rows.append(("bytes", " ".join(f"{b:02X}" for b in raw)))
        if reading is not None and reading.split[index]:
            rows.append(("split", "part of a character whose bytes are spread over several tokens "
                                  f"({SPLIT_REST} : the rest of a character shown on an earlier token)"))
        if reading is not None and reading.word_start[index]:
            rows.append(("word start", f"the piece starts a word ({WORD_START})"))
        if t.start is not None:
            chars = insp.segment_text(t.segment or 0)[t.start:t.end]
            rows.append(("characters", f"{t.start}–{t.end}  {html.escape(repr(chars), quote=False)}"))
        else:
            rows.append(("characters", "none (added by the tokenizer)"))
        rows.append(("type id", "—" if t.type_id is None else str(t.type_id)))
        rows.append(("segment", {None: "—", 0: "A", 1: "B"}.get(t.segment, str(t.segment))))
        kinds = []
        if t.special:
            kinds.append("special token")
        if t.subword:
            kinds.append("subword continuation")
        if t.unk:
            kinds.append("<b>unknown token</b>")
        kinds.append("kept" if t.kept else "<b>cut off: the model never sees it</b>")
        rows.append(("kind", ", ".join(kinds)))
        if index in self._token_labels:
            rows.append(("model label", html.escape(self._token_labels[index])))
        body = "".join(f"<tr><td style='color:gray;padding-right:8px'>{k}</td><td>{v}</td></tr>"
                       for k, v in rows)
        return f"<table>{body}</table>"

    # -- preparation ----------------------------------------------------------------------------
    def _update_fonts(self) -> None:
        super()._update_fonts()
        self._chip_h = self._fm.height() + 2 * PAD_Y + (self._small_fm.height() if self._show_ids else 0)
        self._row_h = self._chip_h + ROW_GAP
        self._digit_w = max(self._small_fm.horizontalAdvance(str(d)) for d in range(10))

    def _prepare(self) -> None:
        insp = self._inspection
        self._extras = {}
        self._markers = []
        if insp is None:
            self._strings = ()
            self._readable = None
            self._flags = np.zeros(0, dtype=np.int32)
            self._breaks = np.zeros(0, dtype=np.int64)
            self._measure()
            return
        tokens = insp.tokens
        total = len(tokens)
        n = min(total, MAX_DRAWN)  # a pasted book: draw the first MAX_DRAWN tokens, say so below
        self._strings = tokens.strings if n == total else tokens.strings[:n]
        self._flags = flags = token_flags(insp, n)
        self._readable = reading = readable(insp, n)
        flags[reading.split] |= F_SPLIT
        for i, chars in reading.notes.items():  # byte fallback: the character the bytes belong to
            self._extras[i] = describe_chars(chars, self._fm)
        unk = (flags & F_UNK) != 0
        segments = np.asarray(tokens.segments[:n])
        kept = (flags & F_CUT) == 0
        # the characters behind each unknown token
        starts = np.asarray(tokens.starts[:n])
        ends = np.asarray(tokens.ends[:n])
        for i in np.flatnonzero(unk)[:5000]:
            if starts[i] >= 0:
                seg = max(int(segments[i]), 0)
                self._extras[int(i)] = describe_chars(insp.segment_text(seg)[starts[i]:ends[i]], self._fm)
        for i, label in self._token_labels.items():
            if 0 <= i < n:
                self._extras[i] = f"{self._extras[i]} {label}" if i in self._extras else label
        # line breaks of the text start new rows
        self._breaks = self._text_breaks(insp, starts, segments)
        self._markers = self._make_markers(insp, kept)
        if total > n:
            self._markers.append(Marker(n, "more", f"\u2026 {total - n:,} more tokens are not drawn here "
                                                  f"({total:,} in all; the token counts above are complete)"))
        self._measure()

    @staticmethod
    def _text_breaks(insp: Inspection, starts: np.ndarray, segments: np.ndarray) -> np.ndarray:
        breaks = []
        for seg in (0, 1):
            text = insp.segment_text(seg)
            if "\n" not in text:
                continue
            newlines = newline_offsets(text)
            idx = np.flatnonzero((segments == seg) & (starts >= 0))
            if len(idx) < 2:
                continue
            s = starts[idx]
            before = np.searchsorted(newlines, s, side="left")  # newlines before each token start
            new_line = np.flatnonzero(before[1:] > before[:-1]) + 1
            breaks.append(idx[new_line])
        return np.concatenate(breaks) if breaks else np.zeros(0, dtype=np.int64)

    def _make_markers(self, insp: Inspection, kept: np.ndarray) -> list[Marker]:
        markers: list[Marker] = []
        n = len(kept)
        if n == 0:
            return markers
        trunc = insp.truncation
        cut = ~kept
        run_starts = np.flatnonzero(cut & np.concatenate(([True], ~cut[:-1])))
        run_ends = np.flatnonzero(cut & np.concatenate((~cut[1:], [True]))) + 1
        kept_before_all = np.concatenate(([0], np.cumsum(kept)))
        for start, run_end in zip(run_starts[:1000], run_ends[:1000]):
            lost = int(run_end - start)
            kept_before = int(kept_before_all[start])
            if insp.input_kind == "text":
                seg = int(insp.tokens.segments[start])
                where = ""
                if insp.tokens.starts[start] >= 0:
                    seg_name = " of segment B" if seg == 1 else ""
                    where = f", from character {int(insp.tokens.starts[start]):,}{seg_name}"
            else:
                where = ""
            text = (f"{CUT_MARK} cut at {kept_before:,}: the {lost:,} token{'s' if lost != 1 else ''} "
                    f"below never reach the model{where}")
            markers.append(Marker(int(start), "cut", text))
            if run_end < n:
                markers.append(Marker(int(run_end), "resume",
                                      f"\u21a9 kept: the model sees these right after token {kept_before - 1:,}"))
        if not trunc.applied and not run_starts.size:
            limit = getattr(insp.facts, "usable_positions", None)
            mml = getattr(insp.facts, "model_max_length", None)
            limit = min(x for x in (limit, mml) if x) if (limit or mml) else None
            if limit and n > limit:
                markers.append(Marker(int(limit), "limit",
                                      f"\u25b2 model limit: {limit:,} positions. The {n - limit:,} tokens below "
                                      f"do not fit (truncation is off)"))
        return markers

    def _measure(self) -> None:
        """Chip widths, measured once per distinct token (ids), not once per token."""
        strings = self._strings
        n = len(strings)
        insp = self._inspection
        flags = self._flags
        if n == 0 or insp is None:
            self._widths = np.zeros(0, dtype=np.int64)
            self._gaps = np.zeros(0, dtype=np.int64)
            return
        ids = np.asarray(insp.tokens.ids[:n], dtype=np.int64)
        emphatic = (flags & (F_SPECIAL | F_UNK)) != 0
        small_fm = self._small_fm
        widths = label_widths(self._labels(), ids, emphatic, self._fm, self._bold_fm, self._width_cache,
                              exact=(flags & (F_SPLIT | F_UNK)) != 0)
        for i, extra in self._extras.items():
            widths[i] += small_fm.horizontalAdvance(f" \u2039{extra}\u203a")
        if self._show_ids:
            digits = np.where(ids > 0, np.floor(np.log10(np.maximum(ids, 1))).astype(np.int64) + 1, 1)
            widths = np.maximum(widths, digits * self._digit_w)
        special_pad = np.where(emphatic, PAD_X + 3, PAD_X)
        self._widths = np.maximum(widths + 2 * special_pad, MIN_CHIP)
        gaps = np.full(n, GAP, dtype=np.int64)
        gaps[(flags & F_SUBWORD) != 0] = 0
        gaps[0] = 0
        self._gaps = gaps

    def _labels(self):
        """What the chips read: the readable labels, or the raw pieces while ids are shown."""
        return self._strings if self._show_ids or self._readable is None else self._readable.labels

    def label(self, index: int) -> str:
        """The text the chip of token ``index`` shows (before whitespace is made visible)."""
        return self._labels()[index]

    def _relayout(self) -> None:
        avail = self._start_layout()
        anchor = self._top_token()
        lay = self._layout = TokenLayout(self._widths, self._gaps, self._breaks, self._markers, avail)
        self._show_layout(int(lay.rows[min(anchor, lay.n - 1)]) * self._row_h if anchor >= 0 and lay.n else None)

    def _top_token(self) -> int:
        lay = self._layout
        if lay is None or lay.n == 0 or self.verticalScrollBar().value() == 0:
            return -1
        row = max(0, (self.verticalScrollBar().value() - MARGIN) // self._row_h)
        lo, _ = lay.tokens_in_rows(row, row)
        return lo

    def _content_height(self) -> int:
        lay = self._layout
        return 2 * MARGIN + (lay.row_count * self._row_h if lay else 0)

    def _scroll_step(self) -> int:
        return self._row_h

    # -- ChipCanvas's items ---------------------------------------------------------------------
    def _item_count(self) -> int:
        return len(self._strings)

    _item_at = index_at
    _item_rect = token_rect

    # -- painting and events --------------------------------------------------------------------
    def _empty_message(self) -> str:
        lay = self._layout
        if lay is not None and (lay.n or lay.marker_rows):
            return ""
        return "No tokens yet: type or paste a text above." if self._inspection is None else "The encoding is empty."

    def _paint(self, painter: QPainter, clip: QRect, scroll: int) -> None:
        colors = self._colors
        lay = self._layout
        first_row = max(0, (clip.top() + scroll - MARGIN) // self._row_h)
        last_row = (clip.bottom() + scroll - MARGIN) // self._row_h
        lo, hi = lay.tokens_in_rows(first_row, last_row)
        ids = self._inspection.tokens.ids if (self._show_ids and self._inspection is not None) else None
        ch = self._chip_h
        rows, xs, ws, flags = lay.rows, lay.x, lay.w, self._flags
        strings, extras = self._labels(), self._extras
        halo = self._highlighted
        for i in range(lo, hi):
            rect = QRectF(MARGIN + int(xs[i]), MARGIN + int(rows[i]) * self._row_h - scroll, int(ws[i]), ch)
            if halo[i]:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colors.halo)
                painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 6, 6)
            paint_chip(painter, rect, display_label(strings[i]), int(flags[i]), colors, self._fonts,
                       None if ids is None else str(int(ids[i])), extras.get(i), hover=(i == self._hover))
            if i == self._current:
                pen = QPen(colors.focus, 2.0)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect.adjusted(-2.5, -2.5, 2.5, 2.5), 6, 6)
        for row, marker in lay.marker_rows.items():
            if first_row <= row <= last_row:
                self._paint_marker(painter, marker, MARGIN + row * self._row_h - scroll)

    def _paint_marker(self, painter: QPainter, marker: Marker, y: int) -> None:
        colors = self._colors
        color = colors.cut_marker if marker.kind == "cut" else (
            colors.limit_marker if marker.kind == "limit" else colors.dim_text)
        quiet = marker.kind in ("resume", "more")
        width = self.viewport().width() - 2 * MARGIN
        mid = y + self._chip_h / 2
        painter.save()
        pen = QPen(color, 1.0 if quiet else 2.0, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        font = self._fonts[2] if quiet else self._fonts[1]
        fm = QFontMetrics(font)
        label = fm.elidedText(marker.text, Qt.TextElideMode.ElideRight, max(40, width - 40))
        text_w = fm.horizontalAdvance(label) + 16
        painter.drawLine(QPointF(MARGIN, mid), QPointF(MARGIN + 10, mid))
        painter.drawLine(QPointF(MARGIN + 10 + text_w, mid), QPointF(MARGIN + width, mid))
        box = QRectF(MARGIN + 10, y, text_w, self._chip_h)
        if not quiet:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(QColor("white"))
        else:
            painter.setPen(color)
        painter.setFont(font)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        painter.restore()

    def _tooltip_off_items(self, pos: QPoint) -> str:
        """A marker row's text."""
        lay = self._layout
        if lay is None:
            return ""
        marker = lay.marker_rows.get(int((pos.y() + self.verticalScrollBar().value() - MARGIN) // self._row_h))
        return marker.text if marker is not None else ""

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.index_at(event.position().toPoint())
            self.set_current(index, scroll=False, notify=True)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        index = self.index_at(event.position().toPoint())
        if index >= 0:
            self.tokenActivated.emit(index)
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event) -> None:
        n = len(self._strings)
        if self._layout is None or n == 0:
            return super().keyPressEvent(event)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._current >= 0:
            self.tokenActivated.emit(self._current)
            return
        target = self._reading_order_target(key, n)
        if target is None and key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            target = self._vertical_target(key)
        if target is None:
            return super().keyPressEvent(event)
        self.set_current(target, scroll=True, notify=True)

    def _vertical_target(self, key: int) -> int | None:
        """The token Up/Down (a row) or PageUp/PageDown (a page) moves to: the one under the current one's left edge."""
        lay, cur = self._layout, self._current
        if cur < 0:
            return 0
        step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}.get(key)
        if step is None:
            rows_per_page = max(1, self.viewport().height() // self._row_h)
            step = rows_per_page if key == Qt.Key.Key_PageDown else -rows_per_page
        row = max(0, min(int(lay.rows[cur]) + step, int(lay.rows[-1])))
        lo, hi = lay.tokens_in_rows(row, row)
        while lo >= hi and 0 <= row <= int(lay.rows[-1]):  # a marker row: keep going
            row += 1 if step > 0 else -1
            lo, hi = lay.tokens_in_rows(row, row)
        if lo >= hi:
            return None
        k = int(np.searchsorted(lay.x[lo:hi], int(lay.x[cur]), side="right")) - 1
        return lo + max(k, 0)

    # -- copy -----------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self._copy_token = QAction("Copy Token", self)
        self._copy_token.setShortcut(QKeySequence.StandardKey.Copy)
        self._copy_token.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._copy_token.triggered.connect(self.copy_current)
        self.addAction(self._copy_token)
        self._copy_ids = QAction("Copy Ids the Model Sees", self)
        self._copy_ids.triggered.connect(lambda: self._copy_list("ids"))
        self._copy_tokens = QAction("Copy Tokens the Model Sees", self)
        self._copy_tokens.triggered.connect(lambda: self._copy_list("tokens"))
        self.menu_actions: list[QAction] = []  # the owner's actions (exports) shown below the copy actions

    def contextMenuEvent(self, event) -> None:
        index = self.index_at(self.viewport().mapFrom(self, event.pos()))
        if index >= 0:
            self.set_current(index, scroll=False, notify=True)
        menu = QMenu(self)
        self._copy_token.setEnabled(self._current >= 0)
        menu.addAction(self._copy_token)
        menu.addAction(self._copy_ids)
        menu.addAction(self._copy_tokens)
        if self.menu_actions:
            menu.addSeparator()
            menu.addActions(self.menu_actions)
        menu.exec(event.globalPos())

    def copy_current(self) -> None:
        if self._inspection is not None and self._current >= 0:
            QGuiApplication.clipboard().setText(self._inspection.tokens.strings[self._current])

    def _copy_list(self, what: str) -> None:
        insp = self._inspection
        if insp is None:
            return
        kept = np.flatnonzero(np.asarray(insp.tokens.kept, dtype=bool))
        if what == "ids":
            text = "[" + ", ".join(str(int(insp.tokens.ids[i])) for i in kept) + "]"
        else:
            text = repr([insp.tokens.strings[i] for i in kept])
        QGuiApplication.clipboard().setText(text)

    def sizeHint(self) -> QSize:
        return QSize(640, 260)


# -- legend ---------------------------------------------------------------------------------------
def legend_samples(facts=None) -> tuple[tuple[str, int, str], ...]:
    """The legend's (label, chip flags, caption), in the model's own special tokens and markers."""
    first = special_token(facts, ("cls", "bos"), "[CLS]")
    unk = special_token(facts, ("unk",), "[UNK]")
    marked = scheme_of(facts) in ("byte-level", "sentencepiece") if facts is not None else False
    samples = [(first, F_SPECIAL, "special"), ("word", 0, "segment A")]
    if marked:
        samples.append((f"{WORD_START}word", 0, "word start"))
    samples += [("piece" if marked else "##piece", F_SUBWORD, "subword"), ("word", F_SEG_B, "segment B"),
                (unk, F_UNK, "unknown")]
    if scheme_of(facts) == "byte-level":
        samples.append(("ö", F_SPLIT, "split character"))
    samples.append(("lost", F_CUT, "cut off"))
    return tuple(samples)


class TokenLegend(QWidget):
    """Sample chips of each kind, painted by the same code as the view, in the model's own tokens."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._colors = ChipColors.from_palette(self.palette())
        self.samples = legend_samples()
        self.setToolTip("Token kinds differ by shape as well as colour: pills are special tokens, "
                        "joined chips with a dotted edge are subwords, square chips with a bar are "
                        "segment B, thick red borders are unknown tokens, hatched dashed chips are cut off, "
                        f"a zigzag on top marks a character whose bytes are spread over several tokens; "
                        f"{WORD_START} marks a word start.")

    def set_facts(self, facts) -> None:
        """Name the model's own special tokens and word markers."""
        samples = legend_samples(facts)
        if samples != self.samples:
            self.samples = samples
            self.updateGeometry()
            self.update()

    def _fonts(self):
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.9))
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        small.setPointSizeF(font.pointSizeF() * 0.85)
        return font, bold, small

    def _items(self):
        font, bold, small = self._fonts()
        fm, bfm, sfm = QFontMetrics(font), QFontMetrics(bold), QFontMetrics(small)
        x = 0
        items = []
        for label, flags, caption in self.samples:
            chip_w = (bfm if flags & (F_SPECIAL | F_UNK) else fm).horizontalAdvance(label) + 2 * PAD_X
            cap_w = sfm.horizontalAdvance(caption)
            items.append((x, chip_w, label, flags, caption))
            x += chip_w + 4 + cap_w + 14
        return items, x

    def sizeHint(self) -> QSize:
        _, width = self._items()
        font, _, _ = self._fonts()
        return QSize(width, QFontMetrics(font).height() + 2 * PAD_Y + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(100, self.sizeHint().height())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._colors = ChipColors.from_palette(self.palette())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fonts = self._fonts()
        h = QFontMetrics(fonts[0]).height() + 2 * PAD_Y
        items, _ = self._items()
        for x, chip_w, label, flags, caption in items:
            if x + chip_w > self.width():
                break
            paint_chip(painter, QRectF(x + 1, 1, chip_w, h), label, flags, self._colors, fonts)
            painter.setFont(fonts[2])
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(x + chip_w + 4, 1, 200, h), Qt.AlignmentFlag.AlignVCenter, caption)


# -- the pane -------------------------------------------------------------------------------------
class TokenPanel(QWidget):
    """Summary line, toggles, legend, the token view and (optionally) the normalized text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = TokenView(self)
        self.summary = QLabel("No model loaded yet", self)
        self.summary.setObjectName("tokenSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.show_ids_box = QCheckBox("Show ids", self)
        self.show_ids_box.setToolTip("Show each token as the vocabulary writes it (Ġ, ▁, <0xF0>), its id under it")
        self.normalized_box = QCheckBox("Normalized text", self)
        self.normalized_box.setToolTip("Show the text after the tokenizer's normalization "
                                       "(lowercasing, accent stripping, deleted characters)")
        self.legend = TokenLegend(self)
        self.normalized = QPlainTextEdit(self)
        self.normalized.setObjectName("normalizedText")
        self.normalized.setReadOnly(True)
        self.normalized.setPlaceholderText("The tokenizer has no normalizer: the text is used as it is.")
        self.normalized.setVisible(False)
        self.normalized.setMaximumBlockCount(0)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Tokens</b>", self)
        header.addWidget(title)
        header.addWidget(self.summary, 1)
        header.addWidget(self.show_ids_box)
        header.addWidget(self.normalized_box)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.normalized)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.legend)
        layout.addWidget(self.splitter, 1)
        self.show_ids_box.toggled.connect(self.view.set_show_ids)
        self.normalized_box.toggled.connect(self._show_normalized)

    def set_inspection(self, inspection: Inspection | None) -> None:
        self.view.set_inspection(inspection)
        if inspection is not None:
            self.legend.set_facts(inspection.facts)
        self.summary.setText(self.summary_text(inspection))
        if self.normalized.isVisible():
            self._fill_normalized()

    @staticmethod
    def summary_text(insp: Inspection | None) -> str:
        if insp is None:
            return ""
        n = len(insp.tokens)
        t = insp.truncation
        parts = [f"{n:,} token{'s' if n != 1 else ''}"]
        if t.tokens_lost:
            parts.append(f"{t.tokens_kept:,} kept")
            parts.append(f"<span style='color:#d93025'><b>{CUT_MARK} {t.tokens_lost:,} cut</b></span>")
        unk = int(np.count_nonzero(insp.tokens.unk))
        if unk:
            parts.append(f"<span style='color:#d93025'>{unk:,} unknown</span>")
        special = int(np.count_nonzero(insp.tokens.special))
        parts.append(f"{special} special")
        return " · ".join(parts)

    def _show_normalized(self, on: bool) -> None:
        self.normalized.setVisible(on)
        if on:
            self._fill_normalized()

    def _fill_normalized(self) -> None:
        insp = self.view.inspection()
        text = "" if insp is None or insp.normalized_text is None else insp.normalized_text
        if self.normalized.toPlainText() != text:
            self.normalized.setPlainText(text)
