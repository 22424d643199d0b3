"""The main window: model picker and facts | settings, text and tokens | diagnostics.

Threading: models load in a worker ("load"), inspections run in a serial latest-wins worker
("inspect"; milliseconds for ordinary texts, seconds for a pasted book), the weights load and the
model runs in the inference workspace's controller, the cache scan in another worker ("scan"). The GUI thread never waits on a model. A failed
load keeps the previous model and says why; nothing the user typed is touched by a load.
"""

from __future__ import annotations

import gc
import html
import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QScrollArea, QSplitter,
    QVBoxLayout, QWidget,
)

from bertinspector.core.model import Inspection, Severity
from bertinspector.qt import settings as app_settings
from bertinspector.app import code_mode, exports, sessions
from bertinspector.app.audit_mode import AuditMode
from bertinspector.app.compare_mode import CompareMode
from bertinspector.app.window_work import open_model, path_kind, read_text_file, run_inspection, scan_cache, versions
from bertinspector.qt.tasks import TaskRunner
from bertinspector.widgets.banner import Banner
from bertinspector.widgets.diagnostics import DiagnosticsPanel
from bertinspector.widgets.facts_card import FactsCard
from bertinspector.widgets.inference_panel import InferenceWorkspace
from bertinspector.widgets.model_picker import ModelPicker
from bertinspector.widgets.settings_bar import SettingsBar
from bertinspector.widgets.text_pane import LARGE_TEXT, TextPane
from bertinspector.widgets.token_view import TokenPanel

log = logging.getLogger(__name__)

OUTPUT_SHARE = 0.55  # of the window's height, for the model output the first time it shows
STATUS_MODEL_WIDTH = 360  # pixels: the status bar's model name is elided beyond
SAMPLE_TEXT = ("The quick brown fox jumps over the lazy dog. Type or paste your own text here: "
               "the tokens the model receives appear below.")


class MainWindow(QMainWindow):
    inspectionApplied = Signal(object)  # Inspection
    modelLoaded = Signal(str)
    modelFailed = Signal(str)
    inspectionFailed = Signal(str)
    weightsLoaded = Signal(object)  # ModelInfo: the model class and the weights initialised at random

    def __init__(self, *, auto_load_weights: bool = True, restore_state: bool = True, scan_hf_cache: bool = True,
                 persist: bool = True, keep_on_screen: bool = True):
        super().__init__()
        self.keep_on_screen = keep_on_screen  # False: a picture of the window, not on any screen (--screenshot)
        self.setObjectName("mainWindow")
        self.setWindowTitle("BERT Inspector")
        self.setAcceptDrops(True)
        self.auto_load_weights = auto_load_weights
        self.persist = persist  # False: never read or write the user's settings (screenshots)
        self.runner = TaskRunner(self)
        self.runner.finished.connect(self._on_task_finished)
        self.runner.failed.connect(self._on_task_failed)
        self.inspector = None
        self.inspection: Inspection | None = None
        self.inspect_seconds = 0.0
        self._model_src: str | None = None
        self._loading_src: str | None = None
        self._trusted: set[str] = set()
        self._weights_state: str | None = None
        self._closing = False
        self._shown_once = False
        self._output_shown = False
        self._state_restored = False
        self._build_widgets()
        self._build_actions()
        self._connect()
        self.compare = CompareMode(self)
        self.compare_action = self._action("&Compare Two Models or Settings", "Ctrl+K", self.compare.toggle)
        self.view_menu.addAction(self.compare_action)
        self.view_menu.addAction(self.compare.dock.toggleViewAction())
        self.autosaver = sessions.Autosaver(self)
        self.audit = AuditMode(self)
        self.autosaver.enabled = persist
        self.autosaver.failed.connect(lambda message: self.statusBar().showMessage(message, 10_000))
        for signal in (self.text_pane.inputChanged, self.settings_bar.changed, self.modelLoaded, self.text_pane.modeChanged,
                       self.compare.view.slotBChanged, self.compare.view.modelBRequested, self.compare.dock.visibilityChanged):
            signal.connect(self.autosaver.schedule)
        self.resize(1440, 880)
        self.fit_to_screen()
        self.picker.set_recent(app_settings.recent() if persist else [])
        if restore_state and persist:
            self._restore_state()
        if scan_hf_cache:
            self.runner.submit("scan", scan_cache)
        else:
            self.picker.set_cached([])

    # -- construction ---------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.settings_bar = SettingsBar(self)
        self.text_pane = TextPane(self)
        self.token_panel = TokenPanel(self)
        self.token_view = self.token_panel.view
        self.input_banner = Banner(Severity.ERROR, self)
        self.input_banner.setObjectName("inputError")
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("centralSplitter")
        self.splitter.addWidget(self.text_pane)
        self.splitter.addWidget(self.token_panel)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([300, 460])
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.settings_bar)
        layout.addWidget(self.input_banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.picker = ModelPicker(self)
        self.facts_card = FactsCard(self)
        facts_scroll = QScrollArea(self)
        facts_scroll.setObjectName("factsScroll")
        facts_scroll.setWidgetResizable(True)
        facts_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        facts_scroll.setWidget(self.facts_card)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.setObjectName("modelSplitter")
        left.addWidget(self.picker)
        left.addWidget(facts_scroll)
        left.setChildrenCollapsible(False)
        left.setSizes([250, 530])
        left_box = QWidget(self)
        left_box.setMinimumWidth(200)
        left_layout = QVBoxLayout(left_box)
        left_layout.setContentsMargins(8, 6, 4, 6)
        left_layout.addWidget(left)
        self.model_dock = QDockWidget("Model", self)
        self.model_dock.setObjectName("modelDock")
        self.model_dock.setWidget(left_box)
        self.model_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                    | QDockWidget.DockWidgetFeature.DockWidgetClosable
                                    | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.model_dock)

        self.diagnostics = DiagnosticsPanel(self)
        self.diagnostics.setMinimumWidth(200)
        self.diagnostics_dock = QDockWidget("Diagnostics", self)
        self.diagnostics_dock.setObjectName("diagnosticsDock")
        self.diagnostics_dock.setWidget(self.diagnostics)
        self.diagnostics_dock.setFeatures(self.model_dock.features())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.diagnostics_dock)
        self.resizeDocks([self.model_dock, self.diagnostics_dock], [340, 380], Qt.Orientation.Horizontal)

        # devices are listed once a model has loaded (listing imports torch: never before the window shows)
        self.workspace = InferenceWorkspace(parent=self, list_devices=False)
        self._diagnostic_highlighted = False
        self.inference_dock = QDockWidget("Model Output", self)
        self.inference_dock.setObjectName("inferenceDock")
        self.inference_dock.setWidget(self.workspace)
        self.inference_dock.setFeatures(self.model_dock.features())
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.inference_dock)
        self.inference_dock.hide()
        # the side docks keep their full height; the model output sits under the text and tokens
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

        status = self.statusBar()
        self.status_model = QLabel(self)
        self.status_model.setObjectName("statusModel")
        self.status_tokens = QLabel(self)
        self.status_tokens.setObjectName("statusTokens")
        self.status_time = QLabel(self)
        self.status_time.setObjectName("statusTime")
        for label in (self.status_model, self.status_tokens, self.status_time):
            label.setContentsMargins(8, 0, 8, 0)
            status.addPermanentWidget(label)

    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.open_text_action = self._action("&Open Text File…", QKeySequence.StandardKey.Open, self.choose_text_file)
        self.open_folder_action = self._action("Open Model &Folder…", "Ctrl+Shift+O", self.choose_model_folder)
        self.load_id_action = self._action("&Load Model by Hub Id…", "Ctrl+L", self._focus_hub_field)
        self.reload_action = self._action("&Reload Model", "F5", self.reload_model)
        self.open_session_action = self._action("Open &Session…", "Ctrl+Shift+L", self.choose_session_file)
        self.save_session_action = self._action("&Save Session As…", QKeySequence.StandardKey.Save, self.choose_session_target)
        self.quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(self.open_text_action)
        self.recent_files_menu = file_menu.addMenu("Open &Recent")
        self.recent_files_menu.aboutToShow.connect(self._fill_recent_files)
        for action in (self.open_folder_action, self.load_id_action, self.reload_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_session_action)
        file_menu.addAction(self.save_session_action)
        export_menu = file_menu.addMenu("&Export")
        self.export_actions = {}
        for kind, (title, _filter, _suffix) in exports.FORMATS.items():
            self.export_actions[kind] = self._action(title, None, lambda kind=kind: exports.choose_and_export(kind, self))
            export_menu.addAction(self.export_actions[kind])
        export_menu.addSeparator()
        self.plot_export_actions = {}
        for kind, (title, _filter, _suffix) in exports.PLOT_FORMATS.items():
            self.plot_export_actions[kind] = self._action(title, None,
                                                          lambda kind=kind: exports.choose_and_export_plot(kind, self))
            export_menu.addAction(self.plot_export_actions[kind])
        export_menu.aboutToShow.connect(lambda: exports.update_plot_actions(self))
        export_menu.addSeparator()
        self.copy_python_action = self._action("Copy as &Python", "Ctrl+Shift+Y", lambda: exports.copy_python(self))
        export_menu.addAction(self.copy_python_action)
        # the same exports from the panes' context menus
        self.token_view.menu_actions = [self.export_actions["csv"], self.export_actions["json"], self.copy_python_action]
        self.diagnostics.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.diagnostics.addActions([self.export_actions["markdown"], self.copy_python_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = menu.addMenu("&Edit")
        self.copy_ids_action = self._action("Copy Ids the Model Sees", "Ctrl+Shift+C", self.copy_ids)
        self.reinspect_action = self._action("Inspect Now", None, self.text_pane.request_inspection)
        edit_menu.addAction(self.copy_ids_action)
        edit_menu.addAction(self.reinspect_action)

        view_menu = self.view_menu = menu.addMenu("&View")
        self.show_ids_action = self._action("Show Token &Ids", "Ctrl+I", None, checkable=True)
        self.show_ids_action.toggled.connect(self.token_panel.show_ids_box.setChecked)
        self.token_panel.show_ids_box.toggled.connect(self.show_ids_action.setChecked)
        self.normalized_action = self._action("Show &Normalized Text", "Ctrl+Shift+N", None, checkable=True)
        self.normalized_action.toggled.connect(self.token_panel.normalized_box.setChecked)
        self.token_panel.normalized_box.toggled.connect(self.normalized_action.setChecked)
        self.pair_action = self._action("Sentence &Pair", "Ctrl+Shift+P", None, checkable=True)
        self.pair_action.toggled.connect(self.text_pane.pair_box.setChecked)
        self.text_pane.pair_box.toggled.connect(self.pair_action.setChecked)
        self.ids_mode_action = self._action("Paste Token I&ds", "Ctrl+Shift+I", None, checkable=True)
        self.ids_mode_action.toggled.connect(self._on_ids_mode_action)
        self.text_pane.modeChanged.connect(lambda mode: self.ids_mode_action.setChecked(mode == "ids"))
        for action in (self.show_ids_action, self.normalized_action, self.pair_action, self.ids_mode_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        model_toggle = self.model_dock.toggleViewAction()
        model_toggle.setShortcut("Ctrl+1")
        diag_toggle = self.diagnostics_dock.toggleViewAction()
        diag_toggle.setShortcut("Ctrl+2")
        view_menu.addAction(model_toggle)
        view_menu.addAction(diag_toggle)
        self.reset_layout_action = self._action("Reset Layout", None, self.reset_layout)
        view_menu.addAction(self.reset_layout_action)

        run_menu = menu.addMenu("&Run")
        self.run_action = self.workspace.panel.run_action
        self.run_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.run_action.triggered.connect(self.show_model_output)
        self.cancel_run_action = self.workspace.panel.cancel_action
        self.addAction(self.run_action)
        run_menu.addAction(self.run_action)
        run_menu.addAction(self.cancel_run_action)
        output_toggle = self.inference_dock.toggleViewAction()
        output_toggle.setShortcut("Ctrl+3")
        view_menu.addAction(output_toggle)

        help_menu = menu.addMenu("&Help")
        self.about_action = self._action("&About BERT Inspector", None, self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.about_action)

    def _on_ids_mode_action(self, on: bool) -> None:
        """The Ids action on: the Ids mode; off: back to Text, unless another mode (Code) took over."""
        if on:
            self.text_pane.set_mode("ids")
        elif self.text_pane.mode() == "ids":
            self.text_pane.set_mode("text")

    def _action(self, text: str, shortcut, slot, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _connect(self) -> None:
        self.picker.modelRequested.connect(self.open_model)
        self.picker.openFolderRequested.connect(self.choose_model_folder)
        self.picker.trustRequested.connect(lambda src: self.open_model(src, trust_remote_code=True))
        self.picker.weightsRequested.connect(self.load_weights)
        self.picker.recentRemoved.connect(lambda src: self.picker.set_recent(app_settings.remove_recent(src)))
        self.text_pane.inputChanged.connect(self.inspect_now)
        self.text_pane.cursorMoved.connect(self._on_text_cursor)
        self.text_pane.code_pane.callSettingsRequested.connect(lambda call: code_mode.apply_call_settings(self, call))
        self.text_pane.idCursorMoved.connect(lambda k: self.token_view.set_current(k, scroll=True))
        self.settings_bar.changed.connect(lambda _s: self.inspect_now())
        self.token_view.currentChanged.connect(self._on_token_current)
        self.token_view.tokenActivated.connect(self._on_token_current)
        self.diagnostics.diagnosticSelected.connect(self._on_diagnostic_selected)
        self.facts_card.diagnosticRequested.connect(self.show_diagnostic)
        self.workspace.tokenSelected.connect(self.select_token)
        self.token_view.currentChanged.connect(self.workspace.select_token)
        self.workspace.tokenLabelsChanged.connect(self.token_view.set_token_labels)
        self.workspace.answerSpanChanged.connect(self.mark_span)  # a question-answering model's answer
        controller = self.workspace.controller
        controller.modelLoaded.connect(self._on_weights_loaded)
        controller.failed.connect(self._on_weights_failed)

    # -- models ---------------------------------------------------------------------------------
    def model_source(self) -> str | None:
        return self._model_src

    def requested_model_source(self) -> str:
        """The model being loaded, else the one in use, else the default."""
        return self._loading_src or self._model_src or "default"

    def open_model(self, src: str, trust_remote_code: bool | None = None) -> None:
        """Load ``src`` in the background; the current model stays until it has loaded."""
        src = src.strip()
        if not src:
            return
        trust = (src in self._trusted) if trust_remote_code is None else trust_remote_code
        if trust:
            self._trusted.add(src)
        self._loading_src = src
        self.picker.clear_trust()
        self.picker.set_loading(src, "tokenizer")
        self.statusBar().showMessage(f"Loading {src}…")
        self.runner.submit("load", open_model, src, trust)

    def offer_first_model(self, reason: str) -> None:
        """Nothing to start on (no default model here): the picker offers *Open folder…* and says why."""
        self.model_dock.show()
        self.picker.offer_first_model(reason)
        self.statusBar().showMessage("No model yet: open a model folder", 10_000)

    def reload_model(self) -> None:
        if self._model_src:
            self.open_model(self._model_src)

    def choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open Model Folder", str(Path.home()))
        if folder:
            self.open_model(folder)

    def load_weights(self) -> None:
        if self.inspector is None or self.inspector.refused_remote_code:
            return
        self._weights_state = "loading"
        self.picker.set_loading(self._model_src or "", "weights")
        self.picker.set_weights_state(None, False)
        self.workspace.controller.load()

    def _focus_hub_field(self) -> None:
        self.model_dock.show()
        self.picker.source_field.setFocus()
        self.picker.source_field.selectAll()

    def _model_loaded(self, src: str, inspector) -> None:
        first_model = self.inspector is None
        self.inspector = inspector
        self._model_src = src
        self._loading_src = None
        self._weights_state = None
        facts = inspector.facts
        summary = f"{facts.model_type or '?'} · {facts.tokenizer_class} · {facts.tokenizer_size:,} tokens"
        self.picker.set_loaded(src, summary)
        if self.persist:
            self.picker.set_recent(app_settings.add_recent(src))
        self.picker.set_weights_state("Load the weights to check them", not inspector.refused_remote_code)
        if inspector.refused_remote_code:
            self.picker.ask_trust(src)
        self.workspace.set_inspector(inspector)
        if first_model:
            # transformers and tokenizers are imported now: keep their objects out of the cyclic
            # collector, whose full passes over them would stall typing every few keys (freeze is
            # O(1); collecting first would itself stall the window ~70 ms)
            gc.freeze()
            self.workspace.controller.refresh_devices()
        self.facts_card.set_facts(facts, self.inspection.diagnostics if self.inspection else (), None)
        self.settings_bar.set_model_default(facts.model_max_length)
        self.text_pane.set_special_tokens(facts)
        self.setWindowTitle(f"{Path(src).name if Path(src).is_dir() else src} — BERT Inspector")
        self.status_model.setText(self.status_model.fontMetrics().elidedText(
            f"Model: {src}", Qt.TextElideMode.ElideMiddle, STATUS_MODEL_WIDTH))  # a long path never widens the window
        self.status_model.setToolTip(src)
        self.statusBar().showMessage(f"Loaded {src}", 4000)
        self.modelLoaded.emit(src)
        self.text_pane.request_inspection()
        if self.auto_load_weights and not inspector.refused_remote_code:
            self.load_weights()

    # -- inspection -----------------------------------------------------------------------------
    def inspect_now(self) -> None:
        """Inspect the current input with the current model (latest request wins)."""
        if self.inspector is None or self._closing:
            return
        mode = self.text_pane.inspected_mode()
        text = self.text_pane.buffer(mode)
        pair = self.text_pane.pair()
        if mode == "ids" and not text.strip():
            self.runner.cancel("inspect")
            self.text_pane.set_ids_rows(1)  # no batch left: the row picker goes
            self._apply(None, 0.0)
            return
        settings = self.settings_bar.settings()
        if len(text) + len(pair or "") > LARGE_TEXT:
            mb = (len(text) + len(pair or "")) / 1e6
            self.text_pane.set_notice(
                f"<span style='color:#c77700'>Large text ({mb:.1f} million characters): inspecting it in the "
                "background; the window stays usable.</span>")
            self.statusBar().showMessage("Inspecting a large text…")
        self.runner.submit("inspect", run_inspection, self.inspector, mode, text, pair, settings,
                           self.text_pane.ids_row())

    def _apply(self, inspection: Inspection | None, seconds: float) -> None:
        self.inspection = inspection
        self.inspect_seconds = seconds
        self.input_banner.hide()
        self.text_pane.set_notice(None)
        self.token_panel.set_inspection(inspection)
        self.text_pane.show_inspection(inspection)
        self.diagnostics.set_inspection(inspection)
        self.workspace.set_inspection(inspection)
        self.facts_card.set_diagnostics(inspection.diagnostics if inspection else ())
        if inspection is None:
            self.status_tokens.setText("")
            self.status_time.setText("")
            return
        t = inspection.truncation
        text = f"{t.tokens_total:,} tokens"
        if t.tokens_lost:
            text += f" · {t.tokens_lost:,} cut"
        self.status_tokens.setText(text)
        self.status_time.setText(f"{seconds * 1000:.0f} ms")
        self.statusBar().clearMessage()
        selected = self.diagnostics.selected()
        if selected is not None or self._diagnostic_highlighted:  # its spans in the new text, or none any more
            self._on_diagnostic_selected(selected)
        self._sync_cursor_token()
        self.inspectionApplied.emit(inspection)

    def _sync_cursor_token(self) -> None:
        for segment in (0, 1):
            editor = self.text_pane.editor(segment)
            if editor.hasFocus():
                self._on_text_cursor(segment, editor.py_cursor())

    # -- selection sync -------------------------------------------------------------------------
    def _on_text_cursor(self, segment: int, position: int) -> None:
        insp = self.inspection
        if insp is None or insp.input_kind != "text" or insp.segment_text(segment) != self.text_pane.editor(segment).text():
            return
        index = insp.tokens.at_char(segment, position)
        if index is None:
            return
        self.token_view.set_current(index, scroll=True)
        token = insp.tokens.row(index)
        if token.start is not None:
            self.text_pane.editor(segment).set_token_span((token.start, token.end))

    def _on_token_current(self, index: int) -> None:
        if self.inspection is not None:
            self.text_pane.select_token(self.inspection, index)

    def _on_diagnostic_selected(self, diagnostic) -> None:
        self._diagnostic_highlighted = diagnostic is not None
        if diagnostic is None:
            self.token_view.set_highlighted([])
            for segment in (0, 1):
                self.text_pane.editor(segment).set_highlight_spans([])
            return
        self.token_view.set_highlighted(diagnostic.tokens)
        if self.inspection is not None and self.inspection.input_kind == "text":
            for segment in (0, 1):  # each span in its own segment's editor
                self.text_pane.editor(segment).set_highlight_spans(diagnostic.spans_in(segment))

    def show_diagnostic(self, code: str) -> None:
        self.diagnostics_dock.show()
        self.diagnostics_dock.raise_()
        if not self.diagnostics.select_code(code):
            self.statusBar().showMessage(f"{code}: not reported for the current text", 4000)

    def select_token(self, index: int) -> None:
        """Select a token everywhere: the token view (scrolled to it) and its characters in the text."""
        self.token_view.set_current(index, scroll=True)
        self._on_token_current(index)

    def mark_span(self, segment: int, start: int, end: int) -> None:
        """Mark characters ``start:end`` of a segment in its editor, clearing the other (segment -1 clears both)."""
        for editor_segment in (0, 1):
            spans = [(start, end)] if editor_segment == segment else []
            self.text_pane.editor(editor_segment).set_highlight_spans(spans)

    def show_model_output(self) -> None:
        first = self.inference_dock.isHidden() and not self._output_shown
        self.inference_dock.show()
        self.inference_dock.raise_()
        if first:  # room for the heatmap's labels: a bit more than half the window (its minimum is far less)
            self._output_shown = True
            self.resizeDocks([self.inference_dock], [int(self.height() * OUTPUT_SHARE)], Qt.Orientation.Vertical)

    def _on_weights_loaded(self, info) -> None:
        if self._closing or info.source != (self._model_src or ""):
            return
        self._weights_state = "loaded"
        self.picker.set_idle()
        missing = len(info.random_weights)
        summary = f"loaded as {info.model_class} on {info.device}" + (f", {missing} weights initialised at random" if missing else "")
        self.facts_card.set_weights(summary)
        self.statusBar().showMessage(f"Weights {summary}", 5000)
        self.weightsLoaded.emit(info)
        self.text_pane.request_inspection()  # weights-newly-initialized now applies

    def _on_weights_failed(self, message: str) -> None:
        if self._closing or self._weights_state != "loading":
            return
        self._weights_state = "failed"
        self.picker.set_idle()
        self.facts_card.set_weights(f"<span style='color:#d93025'>{html.escape(message)}</span>")
        self.picker.set_weights_state(message, True)
        self.statusBar().showMessage(f"Weights: {message}", 6000)

    def copy_ids(self) -> None:
        insp = self.inspection
        if insp is None:
            return
        kept = np.flatnonzero(np.asarray(insp.tokens.kept, dtype=bool))
        QGuiApplication.clipboard().setText("[" + ", ".join(str(int(insp.tokens.ids[i])) for i in kept) + "]")
        self.statusBar().showMessage(f"Copied {len(kept):,} ids", 3000)

    # -- task results ---------------------------------------------------------------------------
    def _on_task_finished(self, kind: str, _generation: int, result) -> None:
        if self._closing:
            return
        if kind == "load":
            src, inspector = result
            self._model_loaded(src, inspector)
        elif kind == "inspect":
            inspection, seconds, batch = result
            if batch is not None:
                self.text_pane.set_ids_rows(*batch)
            self._apply(inspection, seconds)
        elif kind == "scan":
            self.picker.set_cached(list(result))

    def _on_task_failed(self, kind: str, _generation: int, message: str) -> None:
        if self._closing:
            return
        if kind == "load":
            src = self._loading_src or "the model"
            self._loading_src = None
            self.picker.set_error(f"Could not load {src}: {message}", kept=self._model_src)
            self.statusBar().showMessage(f"Could not load {src}", 6000)
            self.modelFailed.emit(message)
        elif kind == "inspect":
            self._apply(None, 0.0)  # the previous result no longer describes the input: clear every view
            self.input_banner.show_message(message)
            self.statusBar().showMessage("The input cannot be encoded as asked", 4000)
            self.inspectionFailed.emit(message)
        elif kind == "scan":
            self.picker.set_cached([])

    # -- text files and drops -------------------------------------------------------------------
    def choose_text_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open Text File", str(Path.home()),
                                              "Text files (*.txt *.md *.csv *.json *.jsonl);;All files (*)")
        if path:
            self.open_text_file(path)

    def _fill_recent_files(self) -> None:
        menu = self.recent_files_menu
        menu.clear()
        files = app_settings.recent(app_settings.RECENT_FILES_KEY) if self.persist else []
        for path in files:
            menu.addAction(Path(path).name, lambda path=path: self.open_text_file(path)).setToolTip(path)
        if not files:
            menu.addAction("No recent files").setEnabled(False)

    def open_text_file(self, path: str) -> bool:
        try:
            text = read_text_file(path)
        except ValueError as error:
            self.input_banner.show_message(str(error))
            self.statusBar().showMessage(str(error), 6000)
            return False
        self.text_pane.set_mode("text")
        self.text_pane.set_text(text)  # undoable: Ctrl+Z brings the previous text back
        if self.persist:
            app_settings.add_recent(str(Path(path).resolve()), app_settings.RECENT_FILES_KEY)
        self.statusBar().showMessage(f"Opened {Path(path).name} ({len(text):,} characters)", 4000)
        return True

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_path(paths[0])

    def open_path(self, path: str) -> None:
        """A dropped or given path: a folder (or a model file) loads a model, a session opens, any other file
        opens as text."""
        p = Path(path)
        kind = path_kind(path)
        if kind == "model":
            self.open_model(str(p if p.is_dir() else p.parent))
        elif kind == "session":
            self.open_session(str(p))
        elif kind == "data":
            self.audit.open_dialog(str(p))
        else:
            self.open_text_file(str(p))

    # -- layout, state, about -------------------------------------------------------------------
    def reset_layout(self) -> None:
        for dock, area in ((self.model_dock, Qt.DockWidgetArea.LeftDockWidgetArea),
                           (self.diagnostics_dock, Qt.DockWidgetArea.RightDockWidgetArea)):
            dock.setFloating(False)
            self.addDockWidget(area, dock)
            dock.show()
        self.resizeDocks([self.model_dock, self.diagnostics_dock], [330, 370], Qt.Orientation.Horizontal)
        self.splitter.setSizes([280, 480])
        # the dock layout settles after the first show: size the docks again then
        QTimer.singleShot(0, lambda: self.resizeDocks([self.model_dock, self.diagnostics_dock], [330, 370],
                                                      Qt.Orientation.Horizontal))

    def about_text(self) -> str:
        v = versions()
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>&nbsp;{html.escape(val)}</td></tr>"
                       for k, val in v.items() if k != "bertinspector")
        return (f"<h3>BERT Inspector {html.escape(v['bertinspector'])}</h3>"
                "<p>Shows exactly what a Hugging Face BERT-family model receives from a text, and why it will "
                "fail.</p>"
                f"<table>{rows}</table>")

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About BERT Inspector")
        box.setIconPixmap(QApplication.windowIcon().pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(self.about_text())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._about_box = box

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if not self._state_restored:
                self.reset_layout()
            self.fit_to_screen()  # the frame's size is known now

    def focus_cut(self) -> None:
        """Scroll the tokens and the text to the first cut (what a screenshot should show)."""
        markers = self.token_view.markers()
        if markers:
            first = min(m.before for m in markers)
            self.token_view.scroll_to_row_of(first, context_rows=3)
        insp = self.inspection
        if insp is not None and insp.truncation.cut_char is not None and insp.input_kind == "text":
            editor = self.text_pane.editor(insp.truncation.cut_segment or 0)
            editor.scroll_to(insp.truncation.cut_char)

    def fit_to_screen(self) -> None:
        """Keep the window, its frame included, inside the available area of its screen."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if not self.keep_on_screen or screen is None or self.isMaximized() or self.isFullScreen():
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry()
        border_w, border_h = frame.width() - self.width(), frame.height() - self.height()
        width = min(self.width(), area.width() - border_w)
        height = min(self.height(), area.height() - border_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        x = max(area.left(), min(frame.x(), area.right() + 1 - frame.width()))
        y = max(area.top(), min(frame.y(), area.bottom() + 1 - frame.height()))
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def _restore_state(self) -> None:
        settings = app_settings.app_settings()
        geometry = settings.value("window/geometry")
        state = settings.value("window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
            self.fit_to_screen()  # saved on a larger screen (or grown past this one): back inside it
        if isinstance(state, QByteArray) and not state.isEmpty():
            self._state_restored = self.restoreState(state)
        splitter = settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        show_ids = settings.value("view/show_ids", False, type=bool)
        self.token_panel.show_ids_box.setChecked(bool(show_ids))

    def restore_session(self) -> bool:
        """Bring back the autosaved session (text, pair, mode, settings, model); the sample text on a first launch."""
        saved = self.autosaver.load()
        if saved is None:
            self.text_pane.set_text(SAMPLE_TEXT)
            return False
        sessions.restore(self, saved)
        return True

    def choose_session_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open Session", str(Path.home()), "bertinspector sessions (*.json)")
        if path:
            self.open_session(path)

    def open_session(self, path: str) -> bool:
        try:
            sessions.open_from(path, self)
        except sessions.SessionError as error:
            self.input_banner.show_message(str(error))
            return False
        self.statusBar().showMessage(f"Opened session {Path(path).name}", 4000)
        return True

    def choose_session_target(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save Session", "session" + sessions.core_session.SUFFIX,
                                              "bertinspector sessions (*.json)")
        if path:
            self.save_session(sessions.session_path(path))

    def save_session(self, path: str) -> bool:
        try:
            sessions.save_to(path, self)
        except OSError as error:
            self.input_banner.show_message(f"Could not save {Path(path).name}: {error.strerror or error}")
            return False
        self.statusBar().showMessage(f"Saved session {Path(path).name}", 4000)
        return True

    def save_state(self) -> None:
        settings: QSettings = app_settings.app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("view/show_ids", self.token_panel.show_ids_box.isChecked())
        settings.sync()
        self.autosaver.save_blocking()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Cancel background work and wait (bounded) for it to end."""
        self._closing = True
        workspace_done = self.workspace.shutdown(timeout_ms)
        audit_done = self.audit.shutdown(timeout_ms / 1000)
        code_done = self.text_pane.code_pane.shutdown(timeout_ms)
        return self.runner.shutdown(timeout_ms) and workspace_done and audit_done and code_done

    def closeEvent(self, event) -> None:
        try:
            if self.persist:
                self.save_state()
        except Exception:  # noqa: BLE001 - closing must not fail on a settings write
            log.warning("could not save the window state", exc_info=True)
        self.shutdown(2000)
        event.accept()
        super().closeEvent(event)
