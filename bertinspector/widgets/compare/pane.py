"""The compare pane: slot B's model, settings and variant shortcuts, and A against B (see the package)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QFileDialog, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QSplitter,
    QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from bertinspector.core.compare import VARIANTS, Comparison, variant
from bertinspector.core.compare_report import BOUNDARY, DIFFERS, MOVED, NOTHING, SPECIAL, summary_rows
from bertinspector.core.model import Inspection, Settings
from bertinspector.core.readable import WORD_START
from bertinspector.core.report import CUT_MARK
from bertinspector.widgets.captioned import column
from bertinspector.widgets.compare.aligned_view import AlignedView
from bertinspector.widgets.compare.diff_table import DiffTable, config_rows
from bertinspector.widgets.compare.run_panel import RunComparisonPanel
from bertinspector.widgets.diagnostics import DiagnosticsPanel
from bertinspector.widgets.flow_layout import FlowLayout
from bertinspector.widgets.settings_bar import SettingsBar

SAME_AS_A = ""  # modelBRequested("") : slot B uses A's model
SAME_LABEL = "same model as A"


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
            "no-special-tokens": "B without the special tokens ([CLS] … [SEP], <s> … </s>): add_special_tokens=False",
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
            f"<b>{MOVED}</b> other segment · <b>{WORD_START}</b> word start (Ġ, ▁) · zigzag on top: a character "
            "spread over several tokens</span>")
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.headline, 1)
        for button in (self.prev_button, self.next_button, self.cut_a_button, self.cut_b_button):
            head.addWidget(button)
        top = column(self, head, self.legend, self.aligned, spacing=3)

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
