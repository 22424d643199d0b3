"""The text pane: the user's text (and optional second segment), or pasted token ids.

Each input mode (*Text*, *Ids*; :meth:`TextPane.add_mode` adds more) has its own editor on its own
page, so switching modes never moves or overwrites what was typed in another one.

Live re-inspection is debounced: ``inputChanged`` fires once typing pauses for ~150 ms. The text
shows what the model does with it: the tail the model never sees is shaded behind a red "✂" cut
mark, unknown-token spans get a red wavy underline, characters normalization deletes get an orange
mark, accent-stripped letters a dotted underline. Moving the cursor asks for the token under it
(``cursorMoved``); :meth:`select_span` does the reverse without echoing back.

Offsets from the core are Python string indices; :class:`~bertinspector.qt.textmap.OffsetMap`
converts them to Qt's UTF-16 positions, so emoji and other astral characters line up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QHBoxLayout, QLabel, QPlainTextEdit, QSizePolicy, QSpinBox, QSplitter, QStackedWidget,
    QTextEdit, QToolButton, QVBoxLayout, QWidget,
)

from bertinspector.core.model import Inspection
from bertinspector.core.readable import first_and_separator
from bertinspector.core.report import CUT_MARK
from bertinspector.qt.textmap import OffsetMap
from bertinspector.widgets.captioned import captioned
from bertinspector.widgets.code_pane import CodePane

DEBOUNCE_MS = 150
IDS_PATTERN = re.compile(r"-?\d+")
LARGE_TEXT = 1_000_000


@dataclass
class Marks:
    """What to draw over one segment's text (Python offsets)."""

    cut_at: int | None = None
    cut_label: str = ""
    unknown: list[tuple[int, int]] = field(default_factory=list)
    deleted: list[tuple[int, int]] = field(default_factory=list)
    accents: list[tuple[int, int]] = field(default_factory=list)


def plain_text(editor: QPlainTextEdit) -> str:
    """The editor's text exactly as typed: no-break spaces stay, paragraph separators become \\n."""
    return editor.document().toRawText().replace("\u2029", "\n")


BYTE_ORDER_MARKS = ("\ufeff", "\ufffe")
GUARD = "\u2060"  # WORD JOINER, removed again at once


class SegmentEditor(QPlainTextEdit):
    """A plain text editor that draws the inspection's marks over the text."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setTabChangesFocus(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 14)  # two lines: a pair fits a small screen
        self._marks = Marks()
        self._map_text: str | None = None
        self._map: OffsetMap | None = None
        self._layers: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._highlighted: list[tuple[int, int]] = []
        self._token_span: tuple[int, int] | None = None
        self._compare_cut: int | None = None
        self._formats_cache = self._formats()
        self._stale = False
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(0)
        self._selection_timer.timeout.connect(self._apply_selections)
        self.verticalScrollBar().valueChanged.connect(self._schedule_selections)
        self.textChanged.connect(self._on_text_edited)

    # -- text and offsets -----------------------------------------------------------------------
    def text(self) -> str:
        return plain_text(self)

    def set_text(self, text: str) -> None:
        """Replace the text as one undoable edit (Ctrl+Z brings the previous text back)."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        if text[:1] in BYTE_ORDER_MARKS:
            # the bindings read a leading U+FEFF/U+FFFE as a byte-order mark: put a guard before it
            cursor.insertText(GUARD + text)
            cursor.setPosition(0)
            cursor.movePosition(QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        else:
            cursor.insertText(text)
        cursor.endEditBlock()
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def _invalidate_map(self) -> None:
        self._map_text = None
        self._map = None

    def offset_map(self, text: str | None = None) -> OffsetMap:
        if self._map is None or (text is not None and text != self._map_text):
            self._map_text = self.text() if text is None else text
            self._map = OffsetMap(self._map_text)
        return self._map

    def py_cursor(self) -> int:
        return self.offset_map().to_py(self.textCursor().position())

    # -- marks ----------------------------------------------------------------------------------
    # Marks are kept as layers of (Qt start, Qt end) arrays; only the spans near the visible part
    # of the text become extra selections (rebuilt on scroll), so a 100,000-character text with
    # thousands of unknown tokens paints as fast as a short one.
    LAYERS = ("cut", "deleted", "accents", "unknown", "spans", "token")

    def _formats(self) -> dict[str, QTextCharFormat]:
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        cut = QTextCharFormat()
        cut.setBackground(QColor(255, 255, 255, 28) if dark else QColor("#eceef1"))
        cut.setForeground(QColor("#8a8f98") if dark else QColor("#7d8590"))
        deleted = QTextCharFormat()
        deleted.setBackground(QColor("#8a5a00") if dark else QColor("#ffcc80"))
        deleted.setToolTip("normalization deletes these characters: the model never sees them")
        accents = QTextCharFormat()
        accents.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        accents.setUnderlineColor(QColor("#1a73e8"))
        accents.setToolTip("normalization strips the accent of this letter")
        unknown = QTextCharFormat()
        unknown.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        unknown.setUnderlineColor(QColor("#d93025"))
        unknown.setBackground(QColor("#5c1f1c") if dark else QColor("#fde2e1"))
        unknown.setToolTip("this becomes the unknown token: the model cannot tell what it was")
        spans = QTextCharFormat()
        spans.setBackground(QColor(255, 196, 0, 110))
        token = QTextCharFormat()
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        highlight.setAlpha(70)
        token.setBackground(highlight)
        return {"cut": cut, "deleted": deleted, "accents": accents, "unknown": unknown, "spans": spans,
                "token": token}

    def _set_layer(self, name: str, spans, omap: OffsetMap | None = None) -> None:
        omap = omap or self.offset_map()
        if spans:
            array = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
            self._layers[name] = (omap.to_qt_array(array[:, 0]), omap.to_qt_array(array[:, 1]))
        else:
            self._layers.pop(name, None)

    def set_marks(self, marks: Marks, text: str) -> None:
        """Marks for ``text`` (ignored when the editor no longer holds that text)."""
        if text != self.text():
            return
        self._marks = marks
        omap = self.offset_map(text)
        self._set_layer("cut", [(marks.cut_at, len(text))] if marks.cut_at is not None else [], omap)
        self._formats_cache["cut"].setToolTip(marks.cut_label)
        self._set_layer("deleted", marks.deleted, omap)
        self._set_layer("accents", marks.accents, omap)
        self._set_layer("unknown", marks.unknown, omap)
        self._stale = False
        self._apply_selections()

    def clear_marks(self) -> None:
        self._marks = Marks()
        self._layers.clear()
        self._apply_selections()

    def marks(self) -> Marks:
        return self._marks

    def set_highlight_spans(self, spans: list[tuple[int, int]]) -> None:
        """Spans of the selected diagnostic or answer (Python offsets); scrolls to the first one."""
        self._highlighted = list(spans)
        self._set_layer("spans", list(spans))
        if spans:
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.offset_map().to_qt(spans[0][0]))
            with QSignalBlocker(self):
                self.setTextCursor(cursor)
            self.ensureCursorVisible()
        self._apply_selections()

    def highlighted_spans(self) -> list[tuple[int, int]]:
        return list(self._highlighted)

    def set_token_span(self, span: tuple[int, int] | None) -> None:
        """Outline the characters of the current token."""
        self._token_span = span
        self._set_layer("token", [span] if span is not None else [])
        self._apply_selections()

    def token_span(self) -> tuple[int, int] | None:
        """The outlined characters of the current token (Python offsets)."""
        return self._token_span

    def select_span(self, start: int, end: int) -> None:
        """Put the cursor on ``[start, end)`` (Python offsets) without emitting cursor signals."""
        omap = self.offset_map()
        cursor = QTextCursor(self.document())
        cursor.setPosition(omap.to_qt(start))
        with QSignalBlocker(self):
            self.setTextCursor(cursor)
        self.set_token_span((start, end))
        self.ensureCursorVisible()

    def scroll_to(self, position: int) -> None:
        """Scroll so that Python offset ``position`` is in view (the cursor stays where it is)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.offset_map().to_qt(position))
        rect = self.cursorRect(cursor)
        bar = self.verticalScrollBar()
        # QPlainTextEdit scrolls by lines: move by the number of lines between the view's middle and the rect
        line_h = max(1, self.fontMetrics().lineSpacing())
        bar.setValue(bar.value() + (rect.top() - self.viewport().height() // 2) // line_h)

    def _selection(self, start: int, end: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(max(start, end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = fmt
        return selection

    def visible_range(self, margin: int = 400) -> tuple[int, int]:
        """Qt positions of the text in view, widened by ``margin``."""
        first = self.cursorForPosition(QPoint(0, 0)).position()
        last = self.cursorForPosition(QPoint(self.viewport().width(), self.viewport().height())).position()
        return max(0, first - margin), last + margin

    def _apply_selections(self) -> None:
        selections = []
        if self._layers:
            low, high = self.visible_range()
            formats = self._formats_cache
            for name in self.LAYERS:
                layer = self._layers.get(name)
                if layer is None:
                    continue
                starts, ends = layer
                near = np.flatnonzero((ends >= low) & (starts <= high))[:2000]
                fmt = formats[name]
                selections.extend(self._selection(int(starts[i]), int(ends[i]), fmt) for i in near)
        self.setExtraSelections(selections)
        self.viewport().update()

    def _schedule_selections(self) -> None:
        if self._layers and not self._stale:
            self._selection_timer.start()

    def _on_text_edited(self) -> None:
        self._invalidate_map()
        self._stale = True  # the selections follow the edit; rebuild them from the next inspection
        # the token outline and a finding's highlight belong to the old text: drop them
        self._token_span = None
        self._highlighted = []
        self._layers.pop("token", None)
        self._layers.pop("spans", None)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._formats_cache = self._formats()
            self._apply_selections()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._schedule_selections()

    # -- painting -------------------------------------------------------------------------------
    def cut_rect(self) -> QRectF:
        """Where the cut mark is drawn, in viewport coordinates (empty when nothing is cut)."""
        if self._marks.cut_at is None:
            return QRectF()
        omap = self.offset_map()
        cursor = QTextCursor(self.document())
        cursor.setPosition(omap.to_qt(self._marks.cut_at))
        return QRectF(self.cursorRect(cursor))

    def set_compare_cut(self, position: int | None) -> None:
        """In compare mode, where slot B is cut (Python offset); the own cut is then labelled A."""
        self._compare_cut = position
        self.viewport().update()

    def compare_cut(self) -> int | None:
        return self._compare_cut

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        marks = self._marks
        compare = self._compare_cut
        if marks.cut_at is None and not marks.deleted and compare is None:
            return
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        visible = QRectF(self.viewport().rect())
        if marks.cut_at is not None:
            label = CUT_MARK + ("A" if compare is not None else "")
            self._paint_cut(painter, self.cut_rect(), label, QColor("#d93025"), Qt.PenStyle.SolidLine, visible)
        if compare is not None:
            cursor = QTextCursor(self.document())
            cursor.setPosition(self.offset_map().to_qt(compare))
            self._paint_cut(painter, QRectF(self.cursorRect(cursor)), CUT_MARK + "B", QColor("#1a56c4"),
                            Qt.PenStyle.DashLine, visible)
        if marks.deleted:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e8710a"))
            low, high = self.visible_range()
            starts = self.offset_map().to_qt_array([start for start, _ in marks.deleted[:500]])
            for position in starts[(starts >= low) & (starts <= high)].tolist():
                cursor = QTextCursor(self.document())
                cursor.setPosition(position)
                r = QRectF(self.cursorRect(cursor))
                if not r.intersects(visible):
                    continue
                x, y = r.left(), r.bottom()
                painter.drawPolygon([QPointF(x - 3.5, y + 1), QPointF(x + 3.5, y + 1), QPointF(x, y - 4)])
        painter.end()

    def _paint_cut(self, painter: QPainter, rect: QRectF, label: str, colour: QColor, style, visible: QRectF) -> None:
        """A vertical line at the cut with a tag above it (below on the first line)."""
        if not rect.intersects(visible.adjusted(-40, -40, 40, 40)):
            return
        painter.setPen(QPen(colour, 2.5, style))
        x = rect.left() + 0.5
        painter.drawLine(QPointF(x, rect.top() - 1), QPointF(x, rect.bottom() + 1))
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.75))
        fm = QFontMetrics(font)
        w = fm.horizontalAdvance(label) + 8
        h = fm.height()
        tag = QRectF(x - w / 2, rect.top() - h + 2, w, h)
        if tag.top() < 0:
            tag.moveTop(rect.bottom() - 1)
        tag.moveLeft(max(1.0, tag.left()))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(tag, 3, 3)
        painter.setPen(QColor("white"))
        painter.setFont(font)
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, label)

    # -- drops are the window's business when they carry files ----------------------------------
    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        if source.hasUrls() and any(u.isLocalFile() for u in source.urls()):
            return False
        return super().canInsertFromMimeData(source)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.ignore()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.ignore()
            return
        super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.ignore()
            return
        super().dropEvent(event)


class TextPane(QWidget):
    """The input modes (Text with segment A and B, Ids), the pair toggle; debounced ``inputChanged``."""

    inputChanged = Signal()
    cursorMoved = Signal(int, int)  # segment, Python offset  (text mode)
    idCursorMoved = Signal(int)  # position of the id under the cursor  (ids mode)
    modeChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._mode = "text"
        self._inputs: dict[str, SegmentEditor] = {}
        self._pages: dict[str, QWidget] = {}
        self._buttons: dict[str, QToolButton] = {}
        self.editor_a = SegmentEditor("segmentA", self)
        self.editor_a.setPlaceholderText("Type or paste a text to see what the model receives…")
        self.editor_b = SegmentEditor("segmentB", self)
        self.set_special_tokens(None)
        self.editor_ids = SegmentEditor("tokenIds", self)
        self.editor_ids.setPlaceholderText("Paste token ids, e.g. 101, 7592, 2088, 102  or  [[101, 7592]]")
        self.label_a = QLabel("Segment A", self)
        self.label_b = QLabel("Segment B", self)
        self.label_ids = QLabel("Token ids", self)
        for label in (self.label_a, self.label_b, self.label_ids):
            label.setObjectName("segmentLabel")
            font = label.font()
            font.setPointSizeF(font.pointSizeF() * 0.9)
            label.setFont(font)
        box_b = captioned(self.label_b, self.editor_b, self)
        box_a = captioned(self.label_a, self.editor_a, self)
        self._box_b = box_b
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(box_a)
        self.splitter.addWidget(box_b)
        self.splitter.setChildrenCollapsible(False)
        self.stack = QStackedWidget(self)

        self._mode_group = QButtonGroup(self)
        self._mode_buttons = QHBoxLayout()
        self._mode_buttons.setContentsMargins(0, 0, 0, 0)
        self._mode_buttons.setSpacing(0)
        self.text_button = self.add_mode("text", "Text", "Inspect a text: what the tokenizer makes of it",
                                         self.splitter, self.editor_a)
        self.ids_row_box = QSpinBox(self)
        self.ids_row_box.setObjectName("idsRow")
        self.ids_row_box.setPrefix("inspecting row ")
        self.ids_row_box.setToolTip("The row of the pasted batch the model receives (0 is the first, as in ids[0])")
        self.ids_rows_label = QLabel(self)
        self.ids_rows_label.setObjectName("idsRows")
        ids_caption = QWidget(self)
        caption_row = QHBoxLayout(ids_caption)
        caption_row.setContentsMargins(0, 0, 0, 0)
        caption_row.addWidget(self.label_ids)
        caption_row.addStretch(1)
        caption_row.addWidget(self.ids_rows_label)
        caption_row.addWidget(self.ids_row_box)
        self._ids_skip = 0  # ids of the rows before the inspected one: where its ids start in the pasted text
        self.set_ids_rows(1)
        self.ids_button = self.add_mode(
            "ids", "Ids", "Paste token ids (e.g. from someone's code: 101, 7592, 102) to see what they mean",
            captioned(ids_caption, self.editor_ids, self), self.editor_ids)
        self.code_pane = CodePane(self)  # the code is linted there; the inspection stays the Text mode's
        self.code_button = self.add_mode(
            "code", "Code", "Paste preprocessing code: its tokenizer calls are checked (never run), and one call's "
            "settings can be applied to the text", self.code_pane, self.code_pane.editor)
        self.text_button.setChecked(True)
        self._show_page("text")
        self.pair_box = QCheckBox("Sentence pair", self)
        self.pair_box.setToolTip("Add a second segment (question/answer, premise/hypothesis)")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        self.count_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.notice = QLabel(self)
        self.notice.setObjectName("textNotice")
        self.notice.setWordWrap(True)
        self.notice.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.notice.setVisible(False)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(0)
        title = QLabel("<b>Input</b>", self)
        header.addWidget(title)
        header.addSpacing(10)
        header.addLayout(self._mode_buttons)
        header.addSpacing(12)
        header.addWidget(self.pair_box)
        header.addStretch(1)
        header.addWidget(self.count_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addWidget(self.stack, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_changed)
        self.editor_b.textChanged.connect(lambda: self._on_text_changed("text"))
        for editor, segment in ((self.editor_a, 0), (self.editor_b, 1)):
            editor.cursorPositionChanged.connect(lambda e=editor, s=segment: self._on_cursor(e, s))
        self.editor_ids.cursorPositionChanged.connect(self._on_ids_cursor)
        self.ids_row_box.valueChanged.connect(lambda _row: self.request_inspection())
        self.pair_box.toggled.connect(self._on_pair_toggled)
        self._mode_group.buttonToggled.connect(self._on_mode_button)
        self._update_pair_visibility()
        self._update_count()

    def add_mode(self, mode: str, title: str, tooltip: str, page: QWidget, editor: SegmentEditor) -> QToolButton:
        """Register an input mode: its button in the header, its page (holding ``editor``) in the stack."""
        button = QToolButton(self)
        button.setText(title)
        button.setToolTip(tooltip)
        button.setCheckable(True)
        button.setAutoRaise(False)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._mode_group.addButton(button)
        self._mode_buttons.addWidget(button)
        self._buttons[mode] = button
        self._inputs[mode] = editor
        self._pages[mode] = page
        self.stack.addWidget(page)
        editor.textChanged.connect(lambda: self._on_text_changed(mode))
        return button

    # -- state ----------------------------------------------------------------------------------
    def mode(self) -> str:
        return self._mode

    def modes(self) -> tuple[str, ...]:
        return tuple(self._inputs)

    def set_mode(self, mode: str) -> None:
        if mode not in self._buttons:
            raise ValueError(mode)
        self._buttons[mode].setChecked(True)

    def input_editor(self, mode: str | None = None) -> SegmentEditor:
        """The editor of ``mode`` (default: the current mode): segment A, the ids…"""
        return self._inputs[mode or self._mode]

    def text(self) -> str:
        """What the current mode's editor holds (segment A in text mode, the ids in ids mode)."""
        return self.input_editor().text()

    def set_text(self, text: str) -> None:
        """Replace the current mode's text (one undoable edit); the other modes keep theirs."""
        self.input_editor().set_text(text)

    def buffer(self, mode: str) -> str:
        """The text typed in ``mode``, whichever mode is shown."""
        return self.input_editor(mode).text()

    def set_buffer(self, mode: str, text: str) -> None:
        self.input_editor(mode).set_text(text)

    def ids_row(self) -> int:
        """The row of a pasted batch to inspect (0 for a single row)."""
        return self.ids_row_box.value()

    def set_ids_row(self, row: int) -> None:
        """Pick ``row`` before the rows are known (a session); kept while the user edits."""
        with QSignalBlocker(self.ids_row_box):
            self.ids_row_box.setMaximum(max(self.ids_row_box.maximum(), row))
            self.ids_row_box.setValue(row)

    def set_ids_rows(self, rows: int, row: int = 0, skip: int = 0) -> None:
        """The pasted ids hold ``rows`` rows, ``row`` is inspected, after ``skip`` ids of earlier rows;
        the picker shows for a batch only."""
        self._ids_skip = skip
        with QSignalBlocker(self.ids_row_box):
            self.ids_row_box.setMaximum(max(0, rows - 1))
            self.ids_row_box.setValue(row)
        self.ids_rows_label.setText(f"a batch of {rows:,} rows:")
        self.ids_row_box.setVisible(rows > 1)
        self.ids_rows_label.setVisible(rows > 1)

    def set_special_tokens(self, facts) -> None:
        """Name the model's own separator (``[SEP]``, ``</s>``…) in segment B's placeholder."""
        separator = first_and_separator(facts)[1]
        self.editor_b.setPlaceholderText(f"Second segment of the sentence pair (the model sees it after {separator})…")

    def inspected_mode(self) -> str:
        """The mode whose input is inspected: the Code mode shows what its call does to the Text mode's text."""
        return "text" if self._mode == "code" else self._mode

    def pair(self) -> str | None:
        if self.inspected_mode() != "text" or not self.pair_box.isChecked():
            return None
        return self.editor_b.text()

    def set_pair(self, pair: str | None) -> None:
        if pair is None:
            self.pair_box.setChecked(False)
        else:
            self.editor_b.set_text(pair)
            self.pair_box.setChecked(True)

    def is_pending(self) -> bool:
        return self._debounce.isActive()

    def flush(self) -> None:
        """Emit a pending change now."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._emit_changed()

    def request_inspection(self) -> None:
        """Emit ``inputChanged`` right away (a settings change, a new model)."""
        self._debounce.stop()
        self._emit_changed()

    def set_notice(self, html_text: str | None) -> None:
        self.notice.setText(html_text or "")
        self.notice.setVisible(bool(html_text))

    # -- inspection marks -----------------------------------------------------------------------
    def show_inspection(self, insp: Inspection | None) -> None:
        if insp is None or insp.input_kind != "text":
            self.editor_a.clear_marks()
            self.editor_b.clear_marks()
            return
        for segment, editor in ((0, self.editor_a), (1, self.editor_b)):
            text = insp.segment_text(segment)
            if segment == 1 and insp.pair is None:
                editor.clear_marks()
                continue
            editor.set_marks(self.marks_for(insp, segment), text)

    @staticmethod
    def marks_for(insp: Inspection, segment: int) -> Marks:
        tokens = insp.tokens
        segments = np.asarray(tokens.segments)
        starts = np.asarray(tokens.starts)
        ends = np.asarray(tokens.ends)
        in_seg = (segments == segment) & (starts >= 0)
        marks = Marks()
        cut = in_seg & ~np.asarray(tokens.kept, dtype=bool)
        if cut.any():
            first = int(np.flatnonzero(cut)[0])
            marks.cut_at = int(starts[first])
            lost = int(cut.sum())
            marks.cut_label = (f"{CUT_MARK} cut at token {first}: the model never sees this part of the text "
                               f"({lost:,} token{'s' if lost != 1 else ''})")
        unk = in_seg & np.asarray(tokens.unk, dtype=bool)
        marks.unknown = [(int(starts[i]), int(ends[i])) for i in np.flatnonzero(unk)[:2000]]
        for change in insp.changes:
            if change.segment != segment:
                continue
            if change.kind == "deleted":
                marks.deleted.append((change.start, change.end))
            elif change.kind == "accent-stripped":
                marks.accents.append((change.start, change.end))
        return marks

    def editor(self, segment: int) -> SegmentEditor:
        return self.editor_b if segment == 1 else self.editor_a

    def select_token(self, insp: Inspection, index: int) -> None:
        """Select token ``index``'s characters (text mode) or its id (ids mode)."""
        if index < 0 or index >= len(insp.tokens):
            for editor in (self.editor_a, self.editor_b, self.editor_ids):
                editor.set_token_span(None)
            return
        if insp.input_kind == "ids":
            spans = [m.span() for m in IDS_PATTERN.finditer(self.editor_ids.text())]
            if self._ids_skip + index < len(spans):
                self.editor_ids.select_span(*spans[self._ids_skip + index])
            return
        token = insp.tokens.row(index)
        other = self.editor_b if token.segment != 1 else self.editor_a
        other.set_token_span(None)
        if token.start is None:
            self.editor(0).set_token_span(None)
            return
        editor = self.editor(token.segment or 0)
        if editor.text() == insp.segment_text(token.segment or 0):
            editor.select_span(token.start, token.end)

    # -- internals ------------------------------------------------------------------------------
    def _on_text_changed(self, mode: str) -> None:
        if mode == self._mode:  # a buffer set while its mode is hidden waits until it is shown
            self._update_count()
            self._debounce.start()

    def _emit_changed(self) -> None:
        self.inputChanged.emit()

    def _on_cursor(self, editor: SegmentEditor, segment: int) -> None:
        if editor.hasFocus() and self._mode == "text":
            self.cursorMoved.emit(segment, editor.py_cursor())

    def _on_ids_cursor(self) -> None:
        editor = self.editor_ids
        if not editor.hasFocus():
            return
        position = editor.py_cursor()
        for k, match in enumerate(IDS_PATTERN.finditer(editor.text())):
            if match.start() <= position <= match.end():
                if k >= self._ids_skip:  # an id of an earlier row is not in the inspected one
                    self.idCursorMoved.emit(k - self._ids_skip)
                return

    def _on_pair_toggled(self, _on: bool) -> None:
        self._update_pair_visibility()
        self._update_count()
        self.request_inspection()

    def _on_mode_button(self, button, checked: bool) -> None:
        if not checked:
            return
        mode = next(name for name, b in self._buttons.items() if b is button)
        if mode == self._mode:
            return
        self._mode = mode
        self._show_page(mode)
        for editor in (*self._inputs.values(), self.editor_b):
            editor.clear_marks()
        self.pair_box.setEnabled(mode == "text")
        self._update_pair_visibility()
        self._update_count()
        self.modeChanged.emit(mode)
        self.request_inspection()

    def _show_page(self, mode: str) -> None:
        """``mode``'s page in front; the hidden pages' minimum sizes no longer count (a stack takes the largest)."""
        for name, page in self._pages.items():
            policy = QSizePolicy.Policy.Preferred if name == mode else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.stack.setCurrentWidget(self._pages[mode])

    def _update_pair_visibility(self) -> None:
        pair = self.pair_box.isChecked() and self._mode == "text"
        self._box_b.setVisible(pair)
        self.label_a.setVisible(pair)

    def _update_count(self) -> None:
        """The characters the current input holds (segment B only while it is shown)."""
        n = self.input_editor().document().characterCount() - 1
        if self.pair() is not None:
            n += self.editor_b.document().characterCount() - 1
        self.count_label.setText(f"{n:,} characters" if n != 1 else "1 character")
