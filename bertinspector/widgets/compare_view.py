"""The compare view: slot B against slot A on the same text, token by token.

A pane for compare mode. It holds slot B's own model source (a compact picker: "same model as A", a
source string, Open folder…), slot B's own settings (a :class:`SettingsBar`) and the four variant
shortcuts (B = A with lowercasing flipped, without special tokens, with max_length 128, with the pair
swapped). It never loads or inspects anything itself: it asks the window (``modelBRequested``,
``slotBChanged``, ``runRequested``) and shows what the window gives back (:meth:`CompareView.setComparison`,
:meth:`CompareView.setRunComparison`).

What it shows:

1. **Aligned tokens** (:class:`AlignedView`): one custom-painted scroll area, no widget per token. Each
   aligned group (the tokens of A and of B covering the same characters) is a column: the characters
   on top, A's chips below, B's chips under those. Columns wrap like words in a paragraph; a paint
   event draws only the bands in view. Differences are told apart by more than colour:

   ==========================  ============================================================
   difference                  drawn as
   ==========================  ============================================================
   split differently           dashed outline around the column, ``|`` in its mark
   unknown in one side only    the [UNK] chip's thick border and a ``?`` badge; ``?A``/``?B``
   special tokens differ       ``≠`` in the mark; ``∅`` (dashed empty box) where a side has none
   the two truncation points   a ``✂A`` / ``✂B`` tag before the first token each side loses;
                               the lost tokens hatched and faded (as in the token view)
   other segment in B          ``⇄`` in the mark (the pair swapped)
   ==========================  ============================================================

2. **Summary and preprocessing**: token counts, unknown tokens, tokens lost, cut character side by
   side, and the config diff; differing rows carry ``≠`` and bold text.
3. **Diagnostics** of A and of B, labelled A and B (two :class:`DiagnosticsPanel`).
4. **Inference**: label probabilities, [MASK] predictions, [CLS]/mean-pooled cosine and per-layer
   cosine, from :func:`bertinspector.core.compare_runs.compare_runs`.

Wiring, for the window::

    view = CompareView()
    view.modelBRequested.connect(load_b)          # "" = same model as A: no load, compare again
    view.slotBChanged.connect(compare_again)      # B's settings or pair swap changed
    view.groupSelected.connect(highlight_chars)   # (segment, start, end); -1s: nothing to highlight
    view.runRequested.connect(run_both)

    def compare_again():
        a = inspector_a.inspect(text, pair, settings_a)
        text_b, pair_b = view.input_b(text, pair)
        b = (inspector_b or inspector_a).inspect(text_b, pair_b, view.settings_b())
        view.setComparison(compare(a, b))
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPalette, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractScrollArea, QCheckBox, QFileDialog, QFrame, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QPushButton, QScrollArea, QSizePolicy, QSplitter, QTableWidget, QTableWidgetItem,
    QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from bertinspector.core.compare import VARIANTS, AlignedGroup, Comparison, group_text, variant
from bertinspector.core.compare_report import BOUNDARY, DIFFERS, MOVED, NOTHING, SPECIAL, summary_rows
from bertinspector.core.model import Inspection, Settings
from bertinspector.core.report import CUT_MARK
from bertinspector.widgets.chip_canvas import MARGIN, ChipCanvas, newline_offsets, wrap_rows
from bertinspector.widgets.diagnostics import DiagnosticsPanel
from bertinspector.widgets.flow_layout import FlowLayout
from bertinspector.widgets.settings_bar import SettingsBar
from bertinspector.widgets.token_view import (
    F_JOIN_RIGHT, F_SPECIAL, F_SUBWORD, F_UNK, MIN_CHIP, PAD_X, PAD_Y, display_label, label_widths, paint_chip,
    token_flags,
)

SAME_AS_A = ""  # modelBRequested("") : slot B uses A's model
SAME_LABEL = "same model as A"

GUTTER = 20  # the "A" / "B" row labels
COL_GAP = 10  # between the columns of two words
TIGHT_GAP = 3  # between the columns of one word (no space between their characters)
IN_GAP = 3  # between two chips of one side within a column
TEXT_GAP = 2
AB_GAP = 3
LINE_GAP = 3
BAND_GAP = 13
BADGE_W = 15  # the "?" badge after an unknown chip
EMPTY_W = 26  # the "∅" box of a side without tokens
MIN_COL = 18
TEXT_CHARS = 40  # a group's text above it is cut to this many characters (the tooltip has all)
MAX_GROUPS = 100_000

# group flags
G_BOUNDARY, G_UNK_A, G_UNK_B, G_SPECIAL, G_CUT_A, G_CUT_B, G_MOVED, G_DIFFERS = 1, 2, 4, 8, 16, 32, 64, 128
_GROUP_FLAGS = (("boundary", G_BOUNDARY), ("unk_a", G_UNK_A), ("unk_b", G_UNK_B), ("special", G_SPECIAL),
                ("cut_a", G_CUT_A), ("cut_b", G_CUT_B), ("moved", G_MOVED))
_QUIET = G_CUT_A | G_CUT_B | G_MOVED | G_DIFFERS  # differences the chips show by themselves
_VISIBLE_TEXT = str.maketrans({"\n": "⏎", "\r": "␍", "\t": "⇥"})


@dataclass(frozen=True)
class SlotB:
    """What slot B is: its model (None = A's), its settings, and whether it swaps the pair."""

    model: str | None = None
    settings: Settings = field(default_factory=Settings)
    swap_pair: bool = False

    def input(self, text: str, pair: str | None) -> tuple[str, str | None]:
        """B's (text, pair) for A's ``text`` and ``pair``."""
        if self.swap_pair and pair is not None:
            return pair, text
        return text, pair


class _Flat:
    """``strings[positions[i]]`` without building the list (for :func:`label_widths`)."""

    def __init__(self, strings, positions: np.ndarray):
        self.strings, self.positions = strings, positions

    def __getitem__(self, i: int) -> str:
        return self.strings[int(self.positions[i])]


@dataclass
class _Side:
    """One side's tokens in group order: position, chip flags, width, left gap and x within its column."""

    inspection: Inspection
    pos: np.ndarray
    gid: np.ndarray
    bounds: np.ndarray  # tokens of group g: [bounds[g], bounds[g + 1])
    flags: np.ndarray
    width: np.ndarray
    gap: np.ndarray
    badge: np.ndarray
    x: np.ndarray
    x0: np.ndarray  # x on one line: restored when the column no longer wraps
    line: np.ndarray
    total: np.ndarray  # per group: the width of this side's chips
    cut_flat: int  # flat index of the first token this side loses (-1: nothing is cut)
    highlighted: np.ndarray


# -- the aligned view -----------------------------------------------------------------------------
class AlignedView(ChipCanvas):
    """A's and B's tokens in two rows, grouped by the characters they cover; custom painted.

    Its items are the groups (columns): ``currentChanged`` carries a group index.
    """

    groupSelected = Signal(int, int, int)  # segment, start, end of the selected group (-1s: no characters)

    GUTTER = GUTTER
    MIN_AVAIL = 60
    DEFER_RELAYOUT_ABOVE = 50_000
    HOVER_MARGIN = 5

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, "alignedView", "Aligned tokens of A and B")
        self._comparison: Comparison | None = None
        self._groups: tuple[AlignedGroup, ...] = ()
        self._sides: tuple[_Side, _Side] | None = None
        self._empty_arrays()
        self._update_fonts()

    # -- public API -----------------------------------------------------------------------------
    def comparison(self) -> Comparison | None:
        return self._comparison

    def group_count(self) -> int:
        return len(self._groups)

    def group(self, index: int) -> AlignedGroup:
        return self._groups[index]

    def set_comparison(self, comparison: Comparison | None) -> None:
        """Show ``comparison``; the selected group follows its characters when the text changes."""
        keep = self._current_key()
        anchor = self._top_group()
        self._comparison = comparison
        self._hover = -1
        self._prepare()
        self._current = self._find_key(keep)
        self._relayout(anchor=anchor)

    def _announce_current(self, index: int) -> None:
        super()._announce_current(index)
        self.groupSelected.emit(*self.group_span(index))

    def group_span(self, index: int) -> tuple[int, int, int]:
        """(segment, start, end) of a group's characters; (-1, -1, -1) for none (special tokens).

        The segment is A's; for a group only B has, B's (the same text in the text pane but where the
        pair is swapped).
        """
        if not 0 <= index < len(self._groups):
            return -1, -1, -1
        g = self._groups[index]
        if g.is_special:
            return -1, -1, -1
        segment = g.segment if g.segment is not None else g.segment_b
        return int(segment), int(g.start), int(g.end)

    def group_marks(self, index: int) -> str:
        """The difference marks drawn above group ``index``, as ``compare_report.markers`` writes them
        (``|?B✂A``), except that ``⇄`` (other segment in B) marks only the first group of a run."""
        return self._marks[index] if 0 <= index < len(self._marks) else ""

    def group_text(self, index: int) -> str | None:
        if self._comparison is None or not 0 <= index < len(self._groups):
            return None
        return group_text(self._comparison, self._groups[index])

    def difference_stops(self) -> np.ndarray:
        """The groups "next difference" stops at: every group that differs, except that a run of groups
        that differ only quietly (cut off on one side: everything after a cut; in the other segment: the
        pair swapped) is one stop, its first."""
        f = self._gflags
        quiet = ((f & G_DIFFERS) != 0) & ((f & ~_QUIET) == 0)
        run_start = quiet.copy()
        run_start[1:] &= ~quiet[:-1] | ((f[1:] & _QUIET) != (f[:-1] & _QUIET))
        return np.flatnonzero(((f & G_DIFFERS) != 0) & (~quiet | run_start))

    def counts(self) -> dict[str, int]:
        """How many groups carry each difference flag (``boundary``, ``unk_a`` …, ``differs``)."""
        out = {name: int(np.count_nonzero(self._gflags & bit)) for name, bit in _GROUP_FLAGS}
        out["differs"] = int(np.count_nonzero(self._gflags & G_DIFFERS))
        return out

    def next_difference(self, step: int = 1) -> int:
        """Select the next (``step`` > 0) or previous differing group, wrapping around; its index or -1."""
        found = self.difference_stops()
        if not len(found):
            return -1
        cur = self._current
        if step > 0:
            k = int(np.searchsorted(found, cur, side="right"))
            target = int(found[k % len(found)])
        else:
            k = int(np.searchsorted(found, cur if cur >= 0 else len(self._groups), side="left")) - 1
            target = int(found[k % len(found)])
        self.set_current(target, scroll=False, notify=True)
        self.scroll_to_group(target)
        return target

    def scroll_to_group(self, index: int) -> None:
        """Scroll so that group ``index`` sits a third of the way down the view (a jump, not a step)."""
        if not 0 <= index < len(self._col_x):
            return
        row = int(self._rows[index])
        self.verticalScrollBar().setValue(max(0, int(self._band_top[row]) - self.viewport().height() // 3))

    def cut_group(self, side: str) -> int:
        """The group holding the first token side ``"A"``/``"B"`` loses to truncation (-1: none)."""
        if self._sides is None:
            return -1
        s = self._sides[0 if side.upper() == "A" else 1]
        return int(s.gid[s.cut_flat]) if s.cut_flat >= 0 else -1

    def group_for_char(self, segment: int, char: int) -> int:
        """The group covering ``char`` of A's ``segment`` (or the last one before it); -1 if none."""
        hits = np.flatnonzero((self._gseg == segment) & (self._gstart >= 0) & (self._gstart <= char))
        return int(hits[-1]) if len(hits) else -1

    def set_highlighted(self, side: str, positions) -> None:
        """Halo the tokens at ``positions`` of side ``"A"`` or ``"B"`` (a diagnostic's), scroll to the first."""
        if self._sides is None:
            return
        s = self._sides[0 if side.upper() == "A" else 1]
        wanted = np.zeros(len(s.inspection.tokens), dtype=bool)
        idx = np.asarray(list(positions), dtype=np.int64)
        idx = idx[(idx >= 0) & (idx < len(wanted))]
        wanted[idx] = True
        s.highlighted = wanted[s.pos]
        other = self._sides[1 if s is self._sides[0] else 0]
        other.highlighted = np.zeros(len(other.pos), dtype=bool)
        marked = np.flatnonzero(s.highlighted)
        if len(marked):
            self.ensure_visible(int(s.gid[marked[0]]))
        self.viewport().update()

    def highlighted(self, side: str) -> list[int]:
        if self._sides is None:
            return []
        s = self._sides[0 if side.upper() == "A" else 1]
        return [int(p) for p in s.pos[s.highlighted]]

    def group_rect(self, index: int) -> QRect:
        """The column of group ``index`` (text, A and B rows) in viewport coordinates."""
        if not 0 <= index < len(self._col_x):
            return QRect()
        row = int(self._rows[index])
        top = int(self._band_top[row]) - self.verticalScrollBar().value()
        return QRect(MARGIN + GUTTER + int(self._col_x[index]), top, int(self._col_w[index]),
                     int(self._band_content[row]))

    def token_rect(self, side: str, position: int) -> QRect:
        """The chip of token ``position`` of side ``"A"``/``"B"`` in viewport coordinates."""
        if self._sides is None:
            return QRect()
        k = 0 if side.upper() == "A" else 1
        s = self._sides[k]
        hits = np.flatnonzero(s.pos == position)
        if not len(hits):
            return QRect()
        return self._chip_rect(k, int(hits[0]), self.verticalScrollBar().value()).toAlignedRect()

    def group_at(self, pos: QPoint) -> int:
        n = len(self._col_x)
        if n == 0:
            return -1
        y = pos.y() + self.verticalScrollBar().value()
        row = int(np.searchsorted(self._band_top, y, side="right")) - 1
        if row < 0 or y > self._band_top[row] + self._band_content[row]:
            return -1
        lo, hi = self._groups_in_rows(row, row)
        if lo >= hi:
            return -1
        x = pos.x() - MARGIN - GUTTER
        k = int(np.searchsorted(self._col_x[lo:hi], x, side="right")) - 1
        if k < 0:
            return -1
        i = lo + k
        return i if x < self._col_x[i] + self._col_w[i] else -1

    def ensure_visible(self, index: int) -> None:
        if not 0 <= index < len(self._col_x):
            return
        row = int(self._rows[index])
        self._scroll_into_view(int(self._band_top[row]), int(self._band_h[row]), MARGIN)

    def tooltip_html(self, index: int) -> str:
        if self._comparison is None or not 0 <= index < len(self._groups):
            return ""
        c, g = self._comparison, self._groups[index]
        text = group_text(c, g)
        rows = []
        if text is None:
            rows.append(("characters", "none: special tokens"))
        else:
            shown = text if len(text) <= 80 else text[:79] + "…"
            rows.append(("characters", f"{g.start:,}–{g.end:,}  {html.escape(repr(shown), quote=False)}"))
        for label, insp, positions in (("A", c.a, g.a), ("B", c.b, g.b)):
            if positions:
                cells = ", ".join(f"{html.escape(repr(insp.tokens.strings[p]), quote=False)} "
                                  f"<span style='color:gray'>({int(insp.tokens.ids[p])})</span>"
                                  + ("" if insp.tokens.kept[p] else " <i>cut</i>") for p in positions[:12])
                if len(positions) > 12:
                    cells += f", … {len(positions) - 12} more"
            else:
                cells = f"{NOTHING} no token"
            rows.append((label, cells))
        words = []
        if g.boundary:
            words.append(f"<b>{BOUNDARY}</b> A and B split these characters differently")
        if g.unk_a:
            words.append("<b>?A</b> an unknown token in A only: the model of A cannot read these characters")
        if g.unk_b:
            words.append("<b>?B</b> an unknown token in B only: the model of B cannot read these characters")
        if g.special:
            words.append(f"<b>{SPECIAL}</b> the special tokens differ (or one side has none here)")
        for side, insp, flag in (("A", c.a, g.cut_a), ("B", c.b, g.cut_b)):
            cut = insp.truncation.cut_token
            if cut is not None and cut in (g.a if side == "A" else g.b):
                words.append(f"<b>{CUT_MARK}{side}</b> {side} is cut here: from this token on, the model of {side} "
                             "never sees the text")
            elif flag:
                words.append(f"{side} loses these tokens to truncation, the other side keeps them")
        if g.moved:
            words.append(f"<b>{MOVED}</b> in the other segment in B (the pair is swapped)")
        if not words:
            words.append("A and B agree here")
        body = "".join(f"<tr><td style='color:gray;padding-right:8px'>{k}</td><td>{v}</td></tr>" for k, v in rows)
        return f"<table>{body}</table>" + "<br>".join(words)

    def sizeHint(self) -> QSize:
        return QSize(720, 320)

    # -- preparation ----------------------------------------------------------------------------
    def _empty_arrays(self) -> None:
        z = np.zeros(0, dtype=np.int64)
        self._gseg = self._gstart = z
        self._gflags = np.zeros(0, dtype=np.int32)
        self._texts: list[str] = []
        self._text_w = z
        self._marks: list[str] = []
        self._marks_w = z
        self._col_w_full = z
        self._gaps = z
        self._breaks = z
        self._col_x = z
        self._col_w = z
        self._rows = z
        self._band_top = z
        self._band_h = z
        self._band_content = z
        self._lines = (z, z)
        self._wrapped: set[int] = set()

    def _update_fonts(self) -> None:
        super()._update_fonts()
        self._small_bold = QFont(self._fonts[2])
        self._small_bold.setBold(True)
        self._small_bold_fm = QFontMetrics(self._small_bold)
        self._chip_h = self._fm.height() + 2 * PAD_Y
        self._text_h = self._small_fm.height() + 2
        self._cut_tag_w = self._small_bold_fm.horizontalAdvance(f"{CUT_MARK}A") + 10
        self._text_cache: dict[str, int] = {}

    def _measure(self) -> None:
        """Every width follows from the fonts: prepare the comparison again."""
        self._prepare()

    def _prepare(self) -> None:
        c = self._comparison
        if c is None:
            self._groups = ()
            self._sides = None
            self._empty_arrays()
            return
        groups = c.alignment if len(c.alignment) <= MAX_GROUPS else c.alignment[:MAX_GROUPS]
        self._groups = groups
        self._wrapped = set()  # the new sides are laid out unwrapped
        n = len(groups)
        seg = np.full(n, -1, dtype=np.int64)
        start = np.full(n, -1, dtype=np.int64)
        end = np.full(n, -1, dtype=np.int64)
        gflags = np.zeros(n, dtype=np.int32)
        texts = [""] * n
        text_a, text_b = (c.a.text, c.a.pair or ""), (c.b.text, c.b.pair or "")
        for i, g in enumerate(groups):
            f = 0
            if g.boundary:
                f |= G_BOUNDARY
            if g.unk_a:
                f |= G_UNK_A
            if g.unk_b:
                f |= G_UNK_B
            if g.special:
                f |= G_SPECIAL
            if g.cut_a:
                f |= G_CUT_A
            if g.cut_b:
                f |= G_CUT_B
            if g.moved:
                f |= G_MOVED
            gflags[i] = f | (G_DIFFERS if f else 0)
            if g.start is not None:
                start[i], end[i] = g.start, g.end
                if g.segment is not None:
                    seg[i] = g.segment
                    chars = text_a[g.segment][g.start:g.end]
                else:
                    seg[i] = 2 + g.segment_b
                    chars = text_b[g.segment_b][g.start:g.end]
                if len(chars) > TEXT_CHARS:
                    chars = chars[:TEXT_CHARS - 1] + "…"
                texts[i] = chars.translate(_VISIBLE_TEXT) if not chars.isprintable() else chars
        self._gseg, self._gstart, self._gflags, self._texts = seg, start, gflags, texts
        side_a = self._side(c.a, groups, "a", gflags & G_UNK_A)
        side_b = self._side(c.b, groups, "b", gflags & G_UNK_B)
        self._sides = (side_a, side_b)

        # the marks above each group, as compare_report.markers writes them
        marks = [""] * n
        for i in np.flatnonzero(gflags).tolist():
            f = int(gflags[i])
            marks[i] = ((BOUNDARY if f & G_BOUNDARY else "") + ("?A" if f & G_UNK_A else "")
                        + ("?B" if f & G_UNK_B else "") + (SPECIAL if f & G_SPECIAL else ""))
        for k, s in ((0, side_a), (1, side_b)):
            if s.cut_flat >= 0:
                g = int(s.gid[s.cut_flat])
                marks[g] += f"{CUT_MARK}{'AB'[k]}"
        moved = (gflags & G_MOVED) != 0
        run_start = moved.copy()
        run_start[1:] &= ~moved[:-1]
        for i in np.flatnonzero(run_start).tolist():  # the chips' shapes show the segment; ⇄ opens a run
            marks[i] += MOVED
        self._marks = marks

        cache, fm = self._text_cache, self._small_fm
        text_w = np.zeros(n, dtype=np.int64)
        for i, t in enumerate(texts):
            if t:
                w = cache.get(t)
                if w is None:
                    w = cache[t] = fm.horizontalAdvance(t)
                text_w[i] = w
        bfm = self._small_bold_fm
        marks_w = np.array([bfm.horizontalAdvance(m) + 8 if m else 0 for m in marks], dtype=np.int64)
        self._text_w, self._marks_w = text_w, marks_w
        self._col_w_full = np.maximum.reduce([text_w + marks_w + np.where(marks_w > 0, 4, 0),
                                              side_a.total, side_b.total, np.full(n, MIN_COL, dtype=np.int64)])
        # gaps: tight inside a word (no character between two groups), wide between words
        gaps = np.full(n, COL_GAP, dtype=np.int64)
        if n > 1:
            text = start >= 0
            tight = text[1:] & text[:-1] & (seg[1:] == seg[:-1]) & (start[1:] == end[:-1])
            gaps[1:][tight] = TIGHT_GAP
        if n:
            gaps[0] = 0
        self._gaps = gaps
        self._breaks = self._text_breaks(c, seg, start, end)

    def _side(self, insp: Inspection, groups, which: str, unk_here: np.ndarray) -> _Side:
        n = len(groups)
        members = [getattr(g, which) for g in groups]
        counts = np.fromiter((len(m) for m in members), dtype=np.int64, count=n)
        total_tokens = int(counts.sum())
        pos = np.fromiter(itertools.chain.from_iterable(members), dtype=np.int64, count=total_tokens)
        bounds = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        gid = np.repeat(np.arange(n, dtype=np.int64), counts)
        flags = token_flags(insp)[pos] if total_tokens else np.zeros(0, dtype=np.int32)
        nonempty = counts > 0
        firsts = bounds[:-1][nonempty]
        lasts = bounds[1:][nonempty] - 1
        flags[lasts] &= ~F_JOIN_RIGHT  # a chip joins only chips of its own column
        ids = np.asarray(insp.tokens.ids, dtype=np.int64)[pos]
        emphatic = (flags & (F_SPECIAL | F_UNK)) != 0
        widths = label_widths(_Flat(insp.tokens.strings, pos), ids, emphatic, self._fm, self._bold_fm,
                              self._width_cache)
        widths = np.maximum(widths + 2 * np.where(emphatic, PAD_X + 3, PAD_X), MIN_CHIP)
        badge = ((flags & F_UNK) != 0) & (unk_here[gid] != 0) if total_tokens else np.zeros(0, dtype=bool)
        gap = np.where((flags & F_SUBWORD) != 0, 0, IN_GAP).astype(np.int64)
        gap[firsts] = 0
        cut = insp.truncation.cut_token
        cut_flat = -1
        if cut is not None:
            hits = np.flatnonzero(pos == cut)
            if len(hits):
                cut_flat = int(hits[0])
                gap[cut_flat] += self._cut_tag_w
        adv = gap + widths + badge * BADGE_W
        cum = np.cumsum(adv)
        excl = cum - adv
        x = excl - excl[bounds[gid]] + gap if total_tokens else np.zeros(0, dtype=np.int64)
        total = np.full(n, EMPTY_W, dtype=np.int64)
        total[nonempty] = cum[lasts] - excl[firsts]
        return _Side(inspection=insp, pos=pos, gid=gid, bounds=bounds, flags=flags, width=widths, gap=gap,
                     badge=badge, x=x, x0=x.copy(), line=np.zeros(total_tokens, dtype=np.int64), total=total,
                     cut_flat=cut_flat, highlighted=np.zeros(total_tokens, dtype=bool))

    @staticmethod
    def _text_breaks(c: Comparison, seg: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Groups that start a new band: a new segment, or text after a line break."""
        text_groups = np.flatnonzero(start >= 0)
        if len(text_groups) < 2:
            return np.zeros(0, dtype=np.int64)
        breaks = []
        s = seg[text_groups]
        new_segment = np.flatnonzero(s[1:] != s[:-1]) + 1
        breaks.append(text_groups[new_segment])
        for segment in np.unique(s).tolist():
            text = (c.a.segment_text(segment) if segment < 2 else c.b.segment_text(segment - 2))
            if "\n" not in text:
                continue
            newlines = newline_offsets(text)
            idx = text_groups[s == segment]
            if len(idx) < 2:
                continue
            before = np.searchsorted(newlines, start[idx], side="left")
            after_prev = np.searchsorted(newlines, end[idx], side="left")
            new_line = np.flatnonzero(before[1:] > after_prev[:-1]) + 1
            breaks.append(idx[new_line])
        return np.unique(np.concatenate(breaks)) if breaks else np.zeros(0, dtype=np.int64)

    # -- layout ---------------------------------------------------------------------------------
    def _relayout(self, anchor: int = -2) -> None:
        if anchor == -2:
            anchor = self._top_group()
        avail = self._start_layout()
        n = len(self._groups)
        if n == 0:
            z = np.zeros(0, dtype=np.int64)
            self._col_x = self._col_w = self._rows = self._band_top = self._band_h = self._band_content = z
            self._lines = (z, z)
            self._show_layout()
            return
        col_w = np.minimum(self._col_w_full, avail)
        rows, self._col_x = wrap_rows(col_w, self._gaps, self._breaks, avail)  # columns into bands
        self._col_w = col_w
        self._rows = rows
        # columns wider than the view wrap their chips onto more lines
        n_rows = int(rows[-1]) + 1
        lines = [np.ones(n_rows, dtype=np.int64), np.ones(n_rows, dtype=np.int64)]
        wrapped = set(np.flatnonzero(self._col_w_full > avail).tolist())
        for k, s in enumerate(self._sides):
            s.line[:] = 0
            for g in self._wrapped - wrapped:  # columns that no longer wrap
                lo, hi = int(s.bounds[g]), int(s.bounds[g + 1])
                s.x[lo:hi] = s.x0[lo:hi]
            for g in wrapped:
                lo, hi = int(s.bounds[g]), int(s.bounds[g + 1])
                x, line = 0, 0
                for t in range(lo, hi):
                    w = int(s.width[t] + s.badge[t] * BADGE_W)
                    gap = int(s.gap[t]) if x else int(s.gap[t]) if t == s.cut_flat else 0
                    if x and x + gap + w > avail:
                        line += 1
                        x, gap = 0, (self._cut_tag_w if t == s.cut_flat else 0)
                    s.x[t], s.line[t] = x + gap, line
                    x += gap + w
                lines[k][rows[g]] = max(lines[k][rows[g]], line + 1)
        self._wrapped = wrapped
        self._lines = (lines[0], lines[1])
        ch = self._chip_h
        block_a = lines[0] * ch + (lines[0] - 1) * LINE_GAP
        block_b = lines[1] * ch + (lines[1] - 1) * LINE_GAP
        content = self._text_h + TEXT_GAP + block_a + AB_GAP + block_b
        self._band_content = content
        self._band_h = content + BAND_GAP
        self._band_top = MARGIN + np.concatenate(([0], np.cumsum(self._band_h)[:-1]))
        self._show_layout(int(self._band_top[rows[min(anchor, n - 1)]]) - MARGIN if anchor >= 0 else None)

    def _groups_in_rows(self, first: int, last: int) -> tuple[int, int]:
        return (int(np.searchsorted(self._rows, first, side="left")),
                int(np.searchsorted(self._rows, last, side="right")))

    def _top_group(self) -> int:
        if not len(self._rows) or self.verticalScrollBar().value() == 0:
            return -1
        row = int(np.searchsorted(self._band_top, self.verticalScrollBar().value() + MARGIN, side="right")) - 1
        lo, _ = self._groups_in_rows(max(row, 0), max(row, 0))
        return lo

    def _current_key(self):
        if not 0 <= self._current < len(self._groups):
            return None
        g = self._groups[self._current]
        return (g.segment, g.start) if not g.is_special else ("special", self._current)

    def _find_key(self, key) -> int:
        if key is None or not len(self._groups):
            return -1
        if key[0] == "special":
            return key[1] if key[1] < len(self._groups) and self._groups[key[1]].is_special else -1
        segment, char = key
        if segment is None:
            return -1
        return self.group_for_char(segment, char)

    def _content_height(self) -> int:
        return (int(self._band_top[-1] + self._band_h[-1]) if len(self._band_top) else 0) + MARGIN

    def _scroll_step(self) -> int:
        return self._chip_h * 2

    def _row_y(self, row: int, side: int, line: int, scroll: int) -> float:
        top = int(self._band_top[row]) - scroll + self._text_h + TEXT_GAP
        if side == 1:
            la = int(self._lines[0][row])
            top += la * self._chip_h + (la - 1) * LINE_GAP + AB_GAP
        return top + line * (self._chip_h + LINE_GAP)

    def _chip_rect(self, k: int, t: int, scroll: int) -> QRectF:
        s = self._sides[k]
        g = int(s.gid[t])
        x = MARGIN + GUTTER + int(self._col_x[g]) + int(s.x[t])
        y = self._row_y(int(self._rows[g]), k, int(s.line[t]), scroll)
        return QRectF(x, y, int(s.width[t]), self._chip_h)

    # -- ChipCanvas's items ---------------------------------------------------------------------
    def _item_count(self) -> int:
        return len(self._groups)

    _item_at = group_at
    _item_rect = group_rect

    # -- painting and events --------------------------------------------------------------------
    def _empty_message(self) -> str:
        if len(self._col_x):
            return ""
        if self._comparison is None:
            return "Compare mode: pick slot B's model or a variant above to see A and B token by token."
        return "Both encodings are empty."

    def _paint(self, painter: QPainter, clip: QRect, scroll: int) -> None:
        colors = self._colors
        first = max(0, int(np.searchsorted(self._band_top, clip.top() + scroll, side="right")) - 1)
        last = int(np.searchsorted(self._band_top, clip.bottom() + scroll, side="right")) - 1
        lo, hi = self._groups_in_rows(first, last)
        width = self.viewport().width()
        small_bold = self._small_bold
        gutter_pen = QPen(colors.dim_text)
        rule = QPen(QColor(colors.dim_text.red(), colors.dim_text.green(), colors.dim_text.blue(), 50), 1.0)
        for row in range(first, last + 1):
            top = int(self._band_top[row]) - scroll
            painter.setFont(small_bold)
            painter.setPen(gutter_pen)
            for k, name in ((0, "A"), (1, "B")):
                y = self._row_y(row, k, 0, scroll)
                painter.drawText(QRectF(MARGIN - 2, y, GUTTER - 2, self._chip_h), Qt.AlignmentFlag.AlignCenter, name)
            if row:
                painter.setPen(rule)
                y = top - BAND_GAP / 2
                painter.drawLine(QPointF(MARGIN, y), QPointF(width - MARGIN, y))
        for g in range(lo, hi):
            self._paint_group(painter, g, scroll)

    def _paint_group(self, painter: QPainter, g: int, scroll: int) -> None:
        colors = self._colors
        row = int(self._rows[g])
        x = MARGIN + GUTTER + int(self._col_x[g])
        w = int(self._col_w[g])
        top = int(self._band_top[row]) - scroll
        content = int(self._band_content[row])
        f = int(self._gflags[g])
        column = QRectF(x - 3, top - 2, w + 6, content + 4)
        painter.setPen(Qt.PenStyle.NoPen)
        if g == self._current:
            fill = QColor(colors.focus)
            fill.setAlpha(45)
            painter.setBrush(fill)
            painter.drawRoundedRect(column, 5, 5)
        elif g == self._hover:
            painter.setBrush(colors.hover)
            painter.drawRoundedRect(column, 5, 5)
        elif f & ~_QUIET:  # cut off on one side (hatched) or in the other segment (chip shape): no tint
            tint = QColor(colors.limit_marker)
            tint.setAlpha(26)
            painter.setBrush(tint)
            painter.drawRoundedRect(column, 5, 5)
        if f & G_BOUNDARY:
            pen = QPen(colors.limit_marker, 1.4, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(column.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        if g == self._current:
            painter.setPen(QPen(colors.focus, 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(column.adjusted(-1, -1, 1, 1), 6, 6)
        # the characters, then the marks
        marks_w = int(self._marks_w[g])
        text = self._texts[g]
        if text:
            painter.setFont(self._fonts[2])
            painter.setPen(colors.text if f & G_DIFFERS else colors.dim_text)
            room = w - (marks_w + 4 if marks_w else 0)
            if self._text_w[g] > room:
                text = self._small_fm.elidedText(text, Qt.TextElideMode.ElideRight, max(room, 8))
            painter.drawText(QRectF(x, top, max(room, 8), self._text_h),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        if marks_w:
            self._paint_marks(painter, QRectF(x + w - marks_w, top + 1, marks_w, self._text_h - 2), self._marks[g], f)
        for k, s in enumerate(self._sides):
            lo, hi = int(s.bounds[g]), int(s.bounds[g + 1])
            if lo == hi:
                self._paint_empty(painter, QRectF(x, self._row_y(row, k, 0, scroll), EMPTY_W, self._chip_h))
                continue
            strings = s.inspection.tokens.strings
            for t in range(lo, hi):
                rect = self._chip_rect(k, t, scroll)
                if s.highlighted[t]:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(colors.halo)
                    painter.drawRoundedRect(rect.adjusted(-3, -3, 3, 3), 6, 6)
                if t == s.cut_flat:
                    self._paint_cut_tag(painter, rect, "AB"[k])
                paint_chip(painter, rect, display_label(strings[int(s.pos[t])]), int(s.flags[t]), colors, self._fonts)
                if s.badge[t]:
                    self._paint_badge(painter, QRectF(rect.right() + 2, rect.top(), BADGE_W - 3, self._chip_h))

    def _paint_marks(self, painter: QPainter, rect: QRectF, marks: str, flags: int) -> None:
        colors = self._colors
        if flags & (G_UNK_A | G_UNK_B) or CUT_MARK in marks:
            fill = colors.unk_border
        elif flags & G_SPECIAL:
            fill = colors.special_fill
        else:
            fill = colors.limit_marker
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(QColor("white"))
        painter.setFont(self._small_bold)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, marks)

    def _paint_empty(self, painter: QPainter, rect: QRectF) -> None:
        colors = self._colors
        painter.setPen(QPen(colors.cut_border, 1.0, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        painter.setPen(colors.dim_text)
        painter.setFont(self._fonts[0])
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, NOTHING)

    def _paint_cut_tag(self, painter: QPainter, chip: QRectF, side: str) -> None:
        colors = self._colors
        tag = QRectF(chip.left() - self._cut_tag_w + 1, chip.top() + 1, self._cut_tag_w - 4, chip.height() - 2)
        painter.setPen(QPen(colors.cut_marker, 2.0, Qt.PenStyle.DashLine))
        line_x = chip.left() - 2
        painter.drawLine(QPointF(line_x, chip.top() - 3), QPointF(line_x, chip.bottom() + 3))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.cut_marker)
        painter.drawRoundedRect(tag, 4, 4)
        painter.setPen(QColor("white"))
        painter.setFont(self._small_bold)
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, f"{CUT_MARK}{side}")

    def _paint_badge(self, painter: QPainter, rect: QRectF) -> None:
        colors = self._colors
        d = min(rect.width(), rect.height() - 4)
        circle = QRectF(rect.left(), rect.center().y() - d / 2, d, d)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.unk_border)
        painter.drawEllipse(circle)
        painter.setPen(QColor("white"))
        painter.setFont(self._small_bold)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, "?")

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.group_at(event.position().toPoint())
            if index >= 0:
                self.set_current(index, scroll=False, notify=True)
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        n = len(self._groups)
        if n == 0:
            return super().keyPressEvent(event)
        key, cur = event.key(), self._current
        control = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if control and key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.next_difference(1)
            return
        if control and key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.next_difference(-1)
            return
        target = self._reading_order_target(key, n)
        if target is None and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            if cur < 0:
                target = 0
            else:
                row = int(self._rows[cur]) + (1 if key == Qt.Key.Key_Down else -1)
                row = max(0, min(row, int(self._rows[-1])))
                lo, hi = self._groups_in_rows(row, row)
                k = int(np.searchsorted(self._col_x[lo:hi], self._col_x[cur], side="right")) - 1
                target = lo + max(k, 0)
        if target is None:
            return super().keyPressEvent(event)
        self.set_current(target, scroll=True, notify=True)


# -- tables ---------------------------------------------------------------------------------------
class DiffTable(QTableWidget):
    """Rows (name, A, B, differs): differing rows carry ≠ in the first column and bold text."""

    def __init__(self, first_header: str, parent: QWidget | None = None):
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["", first_header, "A", "B"])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 22)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self._rows: list[tuple[str, str, str, bool]] = []
        self._only_differences = False

    def rows(self) -> list[tuple[str, str, str, bool]]:
        """What is shown: (name, A, B, differs) per row."""
        return [r for r in self._rows if r[3] or not self._only_differences]

    def set_only_differences(self, on: bool) -> None:
        self._only_differences = on
        self._fill()

    def set_rows(self, rows: list[tuple[str, str, str, bool]]) -> None:
        if rows == self._rows:
            return
        self._rows = list(rows)
        self._fill()

    def _fill(self) -> None:
        rows = self.rows()
        self.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        tint = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        tint.setAlpha(38)
        for r, (name, va, vb, differs) in enumerate(rows):
            for col, text in enumerate((DIFFERS if differs else "", name, va, vb)):
                item = self.item(r, col)
                if item is None:
                    item = QTableWidgetItem()
                    self.setItem(r, col, item)
                item.setText(text)
                item.setToolTip(f"{name}: A {va}, B {vb}" + (" (differs)" if differs else "") if col else
                                ("A and B differ here" if differs else ""))
                item.setFont(bold if differs else self.font())
                item.setBackground(QBrush(tint) if differs else QBrush())
                if col == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)


def _value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def config_rows(comparison: Comparison) -> list[tuple[str, str, str, bool]]:
    return [(r.field, _value(r.a), _value(r.b), r.differs) for r in comparison.config_diff]


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
        r = self._result or {}
        a, b = r.get("a", {}), r.get("b", {})
        return (f"A: {html.escape(str(a.get('kind')))} on {a.get('tokens', 0):,} tokens · "
                f"B: {html.escape(str(b.get('kind')))} on {b.get('tokens', 0):,} tokens")

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
        first = "[CLS]" if first_a == first_b else f"first token ({first_a} / {first_b})"
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


def _probability(p) -> str:
    return "—" if p is None else f"{p:.3f}"


def _top_text(top) -> str:
    if not top:
        return f"{NOTHING} no mask here"
    return "  ".join(f"{token} {p:.2f}" for token, p in top)


# -- the pane -------------------------------------------------------------------------------------
class CompareView(QWidget):
    """Compare mode: slot B's model and settings, variant shortcuts, and A against B.

    Signals
        ``modelBRequested(str)``  load this source for slot B; ``""`` (:data:`SAME_AS_A`) = use A's model
        ``slotBChanged()``        B's settings or pair swap changed: inspect B again, call :meth:`setComparison`
        ``variantApplied(str)``   a variant shortcut was clicked (its name, e.g. ``"lowercase-flipped"``)
        ``groupSelected(int, int, int)``  segment, start, end of the selected group (-1s: no characters)
        ``diagnosticSelected(str, object)``  ``"A"``/``"B"`` and the Diagnostic selected (None: cleared)
        ``runRequested()``        run both slots; answer with :meth:`setRunComparison`
    """

    modelBRequested = Signal(str)
    slotBChanged = Signal()
    variantApplied = Signal(str)
    groupSelected = Signal(int, int, int)
    diagnosticSelected = Signal(str, object)
    runRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("compareView")
        self._comparison: Comparison | None = None
        self._inspection_a: Inspection | None = None
        self._model_b: str | None = None
        self._swap = False
        self._run_of: Comparison | None = None
        self._build()

    def _build(self) -> None:
        # slot B: model, settings, variants
        self.slot_box = QFrame(self)
        self.slot_box.setObjectName("slotB")
        self.slot_box.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel("<b>Slot B</b>", self.slot_box)
        self.source_field = QLineEdit(self.slot_box)
        self.source_field.setObjectName("modelBField")
        self.source_field.setPlaceholderText(f"{SAME_LABEL} — or a hub id / folder, then Enter")
        self.source_field.setClearButtonEnabled(True)
        self.source_field.setToolTip("Slot B's model: empty = the same model as A; a hub id in your local cache "
                                     "or a model folder loads another model for B")
        self.load_button = QPushButton("Load", self.slot_box)
        self.load_button.setToolTip("Load the model named in the field for slot B (Enter)")
        self.open_button = QPushButton("Open folder…", self.slot_box)
        self.open_button.setToolTip("Pick a model folder for slot B")
        self.same_button = QPushButton("Same as A", self.slot_box)
        self.same_button.setToolTip("Slot B uses A's model (B = A, up to B's settings)")
        self.model_status = QLabel(self.slot_box)
        self.model_status.setObjectName("modelBStatus")
        self.model_status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.settings_bar = SettingsBar(self.slot_box)
        self.settings_bar.setObjectName("settingsB")
        self.variant_buttons: dict[str, QToolButton] = {}
        variants_row = QWidget(self.slot_box)
        flow = FlowLayout(variants_row, spacing=6)
        flow.addWidget(QLabel("B = A with:", variants_row))
        tips = {
            "lowercase-flipped": "B lowercases where A does not (or the other way round): a cased pipeline "
                                 "feeding an uncased model",
            "no-special-tokens": "B without [CLS]/[SEP]: add_special_tokens=False",
            "max-length-128": "B truncates at 128 tokens: a shorter max_length in serving",
            "pair-swapped": "B gets the pair the other way round (needs a sentence pair)",
        }
        for name, v in VARIANTS.items():
            button = QToolButton(variants_row)
            button.setText(v.label)
            button.setObjectName(f"variant-{name}")
            button.setCheckable(True)
            button.setToolTip(tips.get(name, v.label))
            button.clicked.connect(lambda _checked=False, name=name: self.apply_variant(name))
            flow.addWidget(button)
            self.variant_buttons[name] = button
        self.reset_button = QToolButton(variants_row)
        self.reset_button.setText("B = A")
        self.reset_button.setObjectName("variant-none")
        self.reset_button.setToolTip("Slot B back to A's model and settings")
        self.reset_button.clicked.connect(self.reset_b)
        flow.addWidget(self.reset_button)

        model_row = QHBoxLayout()
        model_row.setContentsMargins(0, 0, 0, 0)
        model_row.addWidget(title)
        model_row.addWidget(self.source_field, 2)
        model_row.addWidget(self.load_button)
        model_row.addWidget(self.open_button)
        model_row.addWidget(self.same_button)
        model_row.addWidget(self.model_status, 1)
        box_layout = QVBoxLayout(self.slot_box)
        box_layout.setContentsMargins(8, 6, 8, 6)
        box_layout.setSpacing(4)
        box_layout.addLayout(model_row)
        box_layout.addWidget(self.settings_bar)
        box_layout.addWidget(variants_row)

        # aligned tokens
        self.aligned = AlignedView(self)
        self.headline = QLabel(self)
        self.headline.setObjectName("compareHeadline")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.headline.setWordWrap(True)
        self.prev_button = QToolButton(self)
        self.prev_button.setText("◀")
        self.prev_button.setToolTip("Previous difference (Ctrl+Left)")
        self.next_button = QToolButton(self)
        self.next_button.setText("Next difference ▶")
        self.next_button.setToolTip("Next difference (Ctrl+Right)")
        self.cut_a_button = QToolButton(self)
        self.cut_a_button.setText(f"{CUT_MARK}A")
        self.cut_a_button.setToolTip("Go to where A is cut")
        self.cut_b_button = QToolButton(self)
        self.cut_b_button.setText(f"{CUT_MARK}B")
        self.cut_b_button.setToolTip("Go to where B is cut")
        self.legend = QLabel(self)
        self.legend.setObjectName("compareLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setText(
            "<span style='color:gray'>Each column: the characters, A's tokens, B's tokens. "
            f"<b>{BOUNDARY}</b> split differently (dashed outline) · <b>?A ?B</b> unknown in A / B only "
            f"(thick border, ?) · <b>{SPECIAL}</b> special tokens differ · <b>{NOTHING}</b> no token · "
            f"<b>{CUT_MARK}A {CUT_MARK}B</b> where A / B is cut (hatched: never reaches the model) · "
            f"<b>{MOVED}</b> other segment</span>")
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.headline, 1)
        for button in (self.prev_button, self.next_button, self.cut_a_button, self.cut_b_button):
            head.addWidget(button)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(3)
        top_layout.addLayout(head)
        top_layout.addWidget(self.legend)
        top_layout.addWidget(self.aligned, 1)

        # summary and preprocessing
        self.summary_table = DiffTable("figure", self)
        self.summary_table.setObjectName("compareSummary")
        self.config_table = DiffTable("preprocessing", self)
        self.config_table.setObjectName("configDiff")
        self.only_differences = QCheckBox("Only differences", self)
        self.only_differences.setToolTip("Show only the preprocessing facts that differ")
        summary_box = QWidget(self)
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.setContentsMargins(6, 4, 2, 2)
        summary_layout.addWidget(QLabel("<b>Summary</b>", summary_box))
        summary_layout.addWidget(self.summary_table, 1)
        config_box = QWidget(self)
        config_layout = QVBoxLayout(config_box)
        config_layout.setContentsMargins(2, 4, 6, 2)
        config_head = QHBoxLayout()
        config_head.addWidget(QLabel("<b>Preprocessing</b>", config_box))
        config_head.addStretch(1)
        config_head.addWidget(self.only_differences)
        config_layout.addLayout(config_head)
        config_layout.addWidget(self.config_table, 1)
        summary_split = QSplitter(Qt.Orientation.Horizontal, self)
        summary_split.addWidget(summary_box)
        summary_split.addWidget(config_box)
        summary_split.setStretchFactor(0, 2)
        summary_split.setStretchFactor(1, 3)
        summary_split.setChildrenCollapsible(False)

        # diagnostics of A and of B
        self.diagnostics_a = DiagnosticsPanel(self)
        self.diagnostics_a.setObjectName("diagnosticsA")
        self.diagnostics_b = DiagnosticsPanel(self)
        self.diagnostics_b.setObjectName("diagnosticsB")
        self.diagnostics_title_a = QLabel(self)
        self.diagnostics_title_b = QLabel(self)
        diag = QSplitter(Qt.Orientation.Horizontal, self)
        for label, panel in ((self.diagnostics_title_a, self.diagnostics_a), (self.diagnostics_title_b, self.diagnostics_b)):
            box = QWidget(self)
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(6, 4, 2, 0)
            box_layout.setSpacing(0)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            box_layout.addWidget(label)
            box_layout.addWidget(panel, 1)
            diag.addWidget(box)
        diag.setChildrenCollapsible(False)
        self.diagnostics_tab = diag
        self._diagnostics_dirty = False

        self.run_panel = RunComparisonPanel(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("compareTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(summary_split, "Summary")
        self.tabs.addTab(diag, "Diagnostics A · B")
        self.tabs.addTab(self.run_panel, "Inference")

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("compareSplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.slot_box)
        layout.addWidget(self.splitter, 1)

        self.source_field.returnPressed.connect(self._request_field)
        self.load_button.clicked.connect(self._request_field)
        self.open_button.clicked.connect(self.choose_folder)
        self.same_button.clicked.connect(lambda: self.request_model_b(SAME_AS_A))
        self.settings_bar.changed.connect(self._on_settings_changed)
        self.aligned.groupSelected.connect(self.groupSelected)
        self.prev_button.clicked.connect(lambda: self.aligned.next_difference(-1))
        self.next_button.clicked.connect(lambda: self.aligned.next_difference(1))
        self.cut_a_button.clicked.connect(lambda: self._go_to_cut("A"))
        self.cut_b_button.clicked.connect(lambda: self._go_to_cut("B"))
        self.only_differences.toggled.connect(self.config_table.set_only_differences)
        self.diagnostics_a.diagnosticSelected.connect(lambda d: self._on_diagnostic("A", d))
        self.diagnostics_b.diagnosticSelected.connect(lambda d: self._on_diagnostic("B", d))
        self.run_panel.runRequested.connect(self.runRequested)
        self.tabs.currentChanged.connect(self._on_tab)
        for key, step in (("Ctrl+Alt+Right", 1), ("Ctrl+Alt+Left", -1)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.aligned.next_difference(step))
        self.setComparison(None)

    # -- slot B -------------------------------------------------------------------------------
    def slot_b(self) -> SlotB:
        return SlotB(model=self._model_b, settings=self.settings_bar.settings(), swap_pair=self._swap)

    def set_slot_b(self, slot: SlotB, notify: bool = False) -> None:
        """Put slot B in ``slot`` (a restored session); ``notify`` emits what changed."""
        model_changed = slot.model != self._model_b
        self._model_b = slot.model
        self.source_field.setText(slot.model or "")
        self._swap = slot.swap_pair
        self.settings_bar.set_settings(slot.settings)
        self._sync_variants()
        if notify:
            if model_changed:
                self.modelBRequested.emit(slot.model or SAME_AS_A)
            self.slotBChanged.emit()

    def model_b(self) -> str | None:
        """Slot B's model source; None when B uses A's model."""
        return self._model_b

    def settings_b(self) -> Settings:
        return self.settings_bar.settings()

    def swap_pair(self) -> bool:
        return self._swap

    def input_b(self, text: str, pair: str | None) -> tuple[str, str | None]:
        """B's (text, pair) for A's: the pair swapped when the "pair swapped" variant is on."""
        return self.slot_b().input(text, pair)

    def request_model_b(self, src: str) -> None:
        """Ask for ``src`` as slot B's model ("" = the same model as A)."""
        src = (src or "").strip()
        if src == SAME_LABEL:
            src = SAME_AS_A
        if src == SAME_AS_A:
            self._model_b = None
            self.source_field.clear()
            self.model_status.setText("<span style='color:gray'>B uses A's model</span>")
        else:
            self.source_field.setText(src)
        self.modelBRequested.emit(src)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open Model Folder for Slot B")
        if folder:
            self.request_model_b(folder)

    def set_model_b_loading(self, src: str) -> None:
        self.model_status.setText(f"<span style='color:gray'>Loading {html.escape(src)}…</span>")

    def set_model_b_loaded(self, src: str | None, summary: str = "") -> None:
        """Slot B now uses ``src`` (None or "": A's model)."""
        self._model_b = src or None
        self.source_field.setText(src or "")
        if src:
            extra = f" <span style='color:gray'>{html.escape(summary)}</span>" if summary else ""
            self.model_status.setText(f"✓ <b>{html.escape(src)}</b>{extra}")
        else:
            self.model_status.setText("<span style='color:gray'>B uses A's model</span>")
        self._sync_variants()

    def set_model_b_error(self, message: str) -> None:
        self.model_status.setText(f"<span style='color:#d93025'>✕ {html.escape(message)}</span>")
        self.model_status.setToolTip(message)

    def apply_variant(self, name: str, a: Inspection | None = None) -> None:
        """B = A with one thing changed (``core.compare.VARIANTS``): B's model, settings and pair swap."""
        a = a or self._inspection_a
        if a is None:
            self._sync_variants()
            return
        settings, _text, _pair = variant(name, a.settings, a.text, a.pair, a.facts)
        if self._model_b is not None:
            self.request_model_b(SAME_AS_A)
        self._swap = name == "pair-swapped"
        self.settings_bar.set_settings(settings)
        self._sync_variants(active=name)
        self.variantApplied.emit(name)
        self.slotBChanged.emit()

    def reset_b(self) -> None:
        """B = A: A's model, A's settings, the pair as it is."""
        if self._model_b is not None:
            self.request_model_b(SAME_AS_A)
        self._swap = False
        if self._inspection_a is not None:
            self.settings_bar.set_settings(self._inspection_a.settings)
        self._sync_variants()
        self.slotBChanged.emit()

    def active_variant(self) -> str | None:
        """The variant slot B is now (B's model, settings and swap match it), or None."""
        return next((n for n, b in self.variant_buttons.items() if b.isChecked()), None)

    def setInspectionA(self, inspection: Inspection | None) -> None:
        """A's inspection, for the variant shortcuts before a comparison is shown."""
        self._inspection_a = inspection
        self._sync_variants()

    # -- results ------------------------------------------------------------------------------
    def comparison(self) -> Comparison | None:
        return self._comparison

    def setComparison(self, comparison: Comparison | None) -> None:
        """Show A against B: aligned tokens, summary, config diff, diagnostics of both."""
        self._comparison = comparison
        if comparison is not None:
            self._inspection_a = comparison.a
        self.aligned.set_comparison(comparison)
        if comparison is None:
            self.headline.setText("<span style='color:gray'>No comparison yet.</span>")
            self.summary_table.set_rows([])
            self.config_table.set_rows([])
            self._fill_diagnostics()
            for button in (self.prev_button, self.next_button, self.cut_a_button, self.cut_b_button):
                button.setEnabled(False)
            self._titles(None)
            self._sync_variants()
            return
        self.settings_bar.set_model_default(comparison.b.facts.model_max_length)
        self.headline.setText(self.headline_html())
        counts = self.aligned.counts()
        self.prev_button.setEnabled(counts["differs"] > 0)
        self.next_button.setEnabled(counts["differs"] > 0)
        self.cut_a_button.setEnabled(self.aligned.cut_group("A") >= 0)
        self.cut_b_button.setEnabled(self.aligned.cut_group("B") >= 0)
        self.summary_table.set_rows(summary_rows(comparison, grouped=True))
        self.config_table.set_rows(config_rows(comparison))
        self._diagnostics_dirty = True
        if self.tabs.currentWidget() is self.diagnostics_tab:  # filled when shown: typing stays fast
            self._fill_diagnostics()
        self._sync_variants()
        self._titles(comparison)
        if self._run_of is not None:
            self.run_panel.set_stale(self._run_of is not comparison)

    def setRunComparison(self, result: dict | None, comparison: Comparison | None = None) -> None:
        """Show the outputs of both runs (``core.compare_runs.compare_runs``); ``comparison``: the one they
        ran on (default: the one shown). A later :meth:`setComparison` marks them out of date."""
        self._run_of = (comparison or self._comparison) if result is not None else None
        self.run_panel.set_result(result)
        if result is not None and self._run_of is not self._comparison:
            self.run_panel.set_stale(True)

    def set_run_running(self) -> None:
        self.run_panel.set_running()

    def set_run_error(self, message: str) -> None:
        self.run_panel.set_error(message)

    def cut_points(self) -> list[tuple[str, int, int]]:
        """(``"A"``/``"B"``, segment, character) of each side's cut, for the text pane's markers."""
        c = self._comparison
        if c is None:
            return []
        out = []
        for side, summary, insp in (("A", c.summary_a, c.a), ("B", c.summary_b, c.b)):
            if summary.cut_char is not None:
                segment = summary.cut_segment or 0
                if side == "B" and self._swap and c.a.pair is not None:
                    segment = 1 - segment  # B's segments are A's the other way round
                out.append((side, int(segment), int(summary.cut_char)))
        return out

    def select_group_at(self, segment: int, char: int) -> int:
        """Select the group covering ``char`` of A's ``segment`` (the text pane's cursor); no signal."""
        index = self.aligned.group_for_char(segment, char)
        self.aligned.set_current(index, scroll=True, notify=False)
        return index

    def headline_html(self) -> str:
        c = self._comparison
        if c is None:
            return ""
        counts = self.aligned.counts()
        n = self.aligned.group_count()
        if counts["differs"] == 0:
            return f"<b>A and B agree</b> on all {n:,} aligned groups."
        parts = [f"<b>{counts['differs']:,}</b> of {n:,} groups differ"]
        for key, words in (("boundary", f"{BOUNDARY} split differently"), ("unk_a", "?A unknown in A only"),
                           ("unk_b", "?B unknown in B only"), ("special", f"{SPECIAL} special tokens"),
                           ("moved", f"{MOVED} other segment")):
            if counts[key]:
                parts.append(f"{counts[key]:,} {words}")
        cuts = []
        for side, s in (("A", c.summary_a), ("B", c.summary_b)):
            if s.cut_char is not None:
                cuts.append(f"{CUT_MARK}{side} at character {s.cut_char:,}")
        if cuts:
            parts.append(", ".join(cuts))
        for key, side, other in (("cut_a", "A", "B"), ("cut_b", "B", "A")):
            if counts[key]:
                parts.append(f"{counts[key]:,} reach {other}'s model only")
        return " · ".join(parts)

    # -- internals ----------------------------------------------------------------------------
    def _titles(self, c: Comparison | None) -> None:
        if c is None:
            self.diagnostics_title_a.setText("<b>A</b>")
            self.diagnostics_title_b.setText("<b>B</b>")
            self.tabs.setTabText(0, "Summary")
            self.tabs.setTabText(1, "Diagnostics A · B")
            return
        differing = len(c.differing_rows)
        self.tabs.setTabText(0, f"Summary · {differing} {DIFFERS}" if differing else "Summary")
        self.tabs.setTabText(1, f"Diagnostics A {len(c.a.diagnostics)} · B {len(c.b.diagnostics)}")
        for label, side, insp in ((self.diagnostics_title_a, "A", c.a), (self.diagnostics_title_b, "B", c.b)):
            label.setText(f"<b>{side}</b> <span style='color:gray'>— {html.escape(self._describe(side, insp))}</span>")

    def _describe(self, side: str, insp: Inspection) -> str:
        words = [insp.source]
        if side == "B":
            name = self.active_variant()
            if name:
                words.append(f"A with {VARIANTS[name].label}")
        return ", ".join(words)

    def _request_field(self) -> None:
        self.request_model_b(self.source_field.text())

    def _on_settings_changed(self, _settings: Settings) -> None:
        self._sync_variants()
        self.slotBChanged.emit()

    def _sync_variants(self, active: str | None = None) -> None:
        a = self._inspection_a
        has_a = a is not None
        for name, button in self.variant_buttons.items():
            enabled = has_a and (name != "pair-swapped" or a.pair is not None)
            button.setEnabled(enabled)
            if name == "pair-swapped" and has_a and a.pair is None:
                button.setToolTip("B gets the pair the other way round: turn on Sentence Pair first")
            button.setChecked(enabled and (name == active or (active is None and self._matches(name))))
        self.reset_button.setEnabled(has_a)

    def _matches(self, name: str) -> bool:
        a = self._inspection_a
        if a is None or self._model_b is not None:
            return False
        try:
            settings, _text, _pair = variant(name, a.settings, a.text, a.pair, a.facts)
        except Exception:  # noqa: BLE001  (a variant that does not apply is simply not active)
            return False
        return settings == self.settings_bar.settings() and self._swap == (name == "pair-swapped")

    def _on_tab(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.diagnostics_tab and self._diagnostics_dirty:
            self._fill_diagnostics()

    def _fill_diagnostics(self) -> None:
        """The diagnostics of A and B (built when their tab is shown; at once by :meth:`show_diagnostics`)."""
        c = self._comparison
        self._diagnostics_dirty = False
        self.diagnostics_a.set_inspection(c.a if c is not None else None)
        self.diagnostics_b.set_inspection(c.b if c is not None else None)

    def show_diagnostics(self) -> None:
        """Bring the diagnostics of A and B to the front."""
        self.tabs.setCurrentWidget(self.diagnostics_tab)
        if self._diagnostics_dirty:
            self._fill_diagnostics()

    def _go_to_cut(self, side: str) -> None:
        index = self.aligned.cut_group(side)
        if index >= 0:
            self.aligned.set_current(index, scroll=False, notify=True)
            self.aligned.scroll_to_group(index)

    def _on_diagnostic(self, side: str, diagnostic) -> None:
        other = self.diagnostics_b if side == "A" else self.diagnostics_a
        if diagnostic is not None and other.selected() is not None:
            other.select_code(None)  # one finding at a time, A's or B's
        self.aligned.set_highlighted(side, diagnostic.tokens if diagnostic is not None else ())
        self.diagnosticSelected.emit(side, diagnostic)
