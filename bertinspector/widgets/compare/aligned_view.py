"""The aligned tokens of compare mode: A's and B's chips in columns, one column per group of characters.

One custom-painted scroll area, no widget per token. Each aligned group (the tokens of A and of B covering the
same characters) is a column: the characters on top, A's chips below, B's chips under those. Columns wrap
like words in a paragraph; a paint event draws only the bands in view. Differences are told apart by more
than colour (see the table in :mod:`bertinspector.widgets.compare`).
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QWidget

from bertinspector.core.compare import AlignedGroup, Comparison, group_text
from bertinspector.core.compare_report import BOUNDARY, MOVED, NOTHING, SPECIAL
from bertinspector.core.model import Inspection
from bertinspector.core.readable import readable
from bertinspector.core.report import CUT_MARK
from bertinspector.widgets.chip_canvas import MARGIN, ChipCanvas, newline_offsets, wrap_rows
from bertinspector.widgets.chip_canvas import (
    F_JOIN_RIGHT, F_SPECIAL, F_SPLIT, F_SUBWORD, F_UNK, MIN_CHIP, PAD_X, PAD_Y, display_label, label_widths,
    paint_chip, token_flags,
)

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


class _Flat:
    """``labels[positions[i]]`` without building the list (for :func:`label_widths`)."""

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

    def chip_label(self, side: str, position: int) -> str:
        """What the chip of token ``position`` of side ``"A"``/``"B"`` reads (``core.readable``)."""
        c = self._comparison
        if c is None:
            return ""
        return readable(c.a if side.upper() == "A" else c.b).labels[position]

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
            f = sum(bit for name, bit in _GROUP_FLAGS if getattr(g, name))
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
        reading = readable(insp)  # the chips read as in the token view: Ġ and ▁ as one word-start mark
        flags[reading.split[pos]] |= F_SPLIT
        nonempty = counts > 0
        firsts = bounds[:-1][nonempty]
        lasts = bounds[1:][nonempty] - 1
        flags[lasts] &= ~F_JOIN_RIGHT  # a chip joins only chips of its own column
        ids = np.asarray(insp.tokens.ids, dtype=np.int64)[pos]
        emphatic = (flags & (F_SPECIAL | F_UNK)) != 0
        widths = label_widths(_Flat(reading.labels, pos), ids, emphatic, self._fm, self._bold_fm,
                              self._width_cache, exact=(flags & (F_SPLIT | F_UNK)) != 0)
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
            strings = readable(s.inspection).labels
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
