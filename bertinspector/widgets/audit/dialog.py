"""File ▸ Audit Dataset…: the data file and its columns, the rows, the model and settings, and B.

The columns come from the file's schema alone (:func:`bertinspector.core.audit.peek.peek`: Parquet and Arrow
metadata, the first block of a CSV, the first lines of a JSONL), so even a 10 GB file answers at once.
:meth:`AuditDialog.request` builds the :class:`~bertinspector.core.audit.AuditRequest` the CLI would.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from bertinspector.core.audit import AuditRequest, Columns, DataError, Side
from bertinspector.core.audit.peek import Peek, peek
from bertinspector.core.compare import VARIANTS, variant
from bertinspector.core.model import Settings
from bertinspector.widgets.settings_bar import SettingsBar

NONE = "(none)"
DATA_FILTER = "Data files (*.jsonl *.ndjson *.csv *.tsv *.parquet *.arrow *.txt *.json *.gz);;All files (*)"
ROWS = ("all", "first", "sample")


class AuditDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, model: str = "default", settings: Settings = Settings(),
                 facts=None):
        super().__init__(parent)
        self.setWindowTitle("Audit Dataset")
        self.setObjectName("auditDialog")
        self.facts = facts  # model A's facts, for the variants of B
        self.peeked: Peek | None = None
        self.path_field = QLineEdit(self)
        self.path_field.setPlaceholderText("a .jsonl, .csv, .tsv, .parquet, .arrow, .txt or .json file (also .gz)")
        self.path_field.editingFinished.connect(lambda: self.set_path(self.path_field.text()))
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        self.info = QLabel("", self)
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setWordWrap(True)
        self.text_combo, self.pair_combo, self.label_combo = QComboBox(self), QComboBox(self), QComboBox(self)
        self.rows_combo = QComboBox(self)
        for key, title in zip(ROWS, ("all rows", "the first", "a random sample of")):
            self.rows_combo.addItem(title, key)
        self.rows_spin = QSpinBox(self)
        self.rows_spin.setRange(1, 2_000_000_000)
        self.rows_spin.setValue(10_000)
        self.rows_spin.setGroupSeparatorShown(True)
        self.rows_spin.setEnabled(False)
        self.rows_combo.currentIndexChanged.connect(lambda: self.rows_spin.setEnabled(self.rows_combo.currentData() != "all"))
        self.model_field = QLineEdit(model, self)
        self.settings_bar = SettingsBar(self)
        self.settings_bar.set_settings(settings)
        self.b_model_field = QLineEdit(self)
        self.b_model_field.setPlaceholderText("A's model")
        self.variant_combo = QComboBox(self)
        self.variant_combo.addItem("A's settings", "")
        for name, v in VARIANTS.items():
            if name != "pair-swapped":
                self.variant_combo.addItem(v.label, name)
        self.engine_combo = QComboBox(self)
        self.engine_combo.addItem("Local", "local")
        self.engine_combo.addItem("Ray cluster", "ray")
        self.address_field = QLineEdit(self)
        self.address_field.setPlaceholderText("HOST:PORT (empty: $RAY_ADDRESS, else a Ray on this machine)")
        self.address_field.setEnabled(False)
        self.engine_combo.currentIndexChanged.connect(
            lambda: self.address_field.setEnabled(self.engine_combo.currentData() == "ray"))
        self.against_field = QLineEdit(self)
        self.against_field.setPlaceholderText("a second dataset (training vs serving data)")
        self.b_group = QGroupBox("Compare with B (skew)", self)
        self.b_group.setCheckable(True)
        self.b_group.setChecked(False)
        b_form = QFormLayout(self.b_group)
        b_form.addRow("Model B", self.b_model_field)
        b_form.addRow("Settings B", self.variant_combo)
        b_form.addRow("or against", self.against_field)

        path_row = QHBoxLayout()
        path_row.addWidget(self.path_field, 1)
        path_row.addWidget(browse)
        rows_row = QHBoxLayout()
        rows_row.addWidget(self.rows_combo)
        rows_row.addWidget(self.rows_spin)
        rows_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Data", path_row)
        form.addRow("", self.info)
        form.addRow("Text column", self.text_combo)
        form.addRow("Pair column", self.pair_combo)
        form.addRow("Label column", self.label_combo)
        form.addRow("Rows", rows_row)
        form.addRow("Model", self.model_field)
        form.addRow("Settings", self.settings_bar)
        engine_row = QHBoxLayout()
        engine_row.addWidget(self.engine_combo)
        engine_row.addWidget(self.address_field, 1)
        form.addRow("Run on", engine_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Audit")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.b_group)
        layout.addWidget(self.buttons)
        self._ok(False)
        self.resize(640, 520)

    # -- the file and its columns ---------------------------------------------------------------
    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Audit Dataset", str(Path.home()), DATA_FILTER)
        if path:
            self.set_path(path)

    def set_path(self, path: str) -> bool:
        """Read ``path``'s columns and offer them; False (and why, in the dialog) when it cannot be read."""
        path = path.strip()
        self.path_field.setText(path)
        self.peeked = None
        for combo in (self.text_combo, self.pair_combo, self.label_combo):
            combo.clear()
        if not path:
            self.info.setText("")
            self._ok(False)
            return False
        try:
            found = peek(path)
        except DataError as error:
            self.info.setText(str(error))
            self.info.setStyleSheet("color: #d93025;")
            self._ok(False)
            return False
        self.peeked = found
        self.info.setStyleSheet("")
        rows = f"{found.rows:,} rows" if found.rows is not None else "rows counted when the audit starts"
        self.info.setText(f"{found.format.upper()}, {len(found.columns)} column(s), {rows}")
        strings = found.strings() or list(found.columns)
        self.text_combo.addItems(strings)
        if "text" in strings:
            self.text_combo.setCurrentText("text")
        self.pair_combo.addItem(NONE)
        self.pair_combo.addItems(strings)
        self.label_combo.addItem(NONE)
        self.label_combo.addItems(list(found.columns))
        if "label" in found.columns:
            self.label_combo.setCurrentText("label")
        self._ok(bool(strings) or found.format in ("parquet", "arrow"))
        return True

    def set_columns(self, text: str | None = None, pair: str | None = None, label: str | None = None) -> None:
        for combo, value in ((self.text_combo, text), (self.pair_combo, pair), (self.label_combo, label)):
            if value is not None:
                if combo.findText(value) < 0:
                    combo.addItem(value)
                combo.setCurrentText(value)

    def _ok(self, enabled: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(enabled)

    # -- the request ----------------------------------------------------------------------------
    def request(self) -> AuditRequest:
        """What the dialog says, as the CLI's request; InputError for B settings the model refuses."""
        pick = lambda combo: None if combo.currentText() in ("", NONE) else combo.currentText()  # noqa: E731
        settings = self.settings_bar.settings()
        a = Side(self.model_field.text().strip() or "default", settings)
        b, against = None, ()
        if self.b_group.isChecked():
            if self.against_field.text().strip():
                against = (self.against_field.text().strip(),)
            name = self.variant_combo.currentData()
            source_b = self.b_model_field.text().strip()
            if name or source_b:
                settings_b = variant(name, settings, "", None, self.facts)[0] if name else settings
                b = Side(source_b or a.source, settings_b)
        rows = self.rows_combo.currentData()
        n = self.rows_spin.value()
        return AuditRequest(a=a, data=(self.path_field.text().strip(),),
                            columns=Columns(text=pick(self.text_combo), pair=pick(self.pair_combo),
                                            label=pick(self.label_combo)),
                            b=b, against=against, limit=n if rows == "first" else None,
                            sample=n if rows == "sample" else None, engine=self.engine_combo.currentData(),
                            ray_address=(self.address_field.text().strip() or None)
                            if self.engine_combo.currentData() == "ray" else None)

    def set_request(self, request: AuditRequest, *, with_model: bool = False) -> None:
        """Fill the dialog from an earlier request (the session's last audit): its data, columns and rows, and
        with ``with_model`` its model and settings too."""
        if request.data:
            self.set_path(request.data[0])
        self.set_columns(request.columns.text, request.columns.pair or NONE, request.columns.label or NONE)
        if with_model:
            self.model_field.setText(request.a.source)
            self.settings_bar.set_settings(request.a.settings)
        self.engine_combo.setCurrentIndex(max(0, self.engine_combo.findData(request.engine)))
        self.address_field.setText(request.ray_address or "")
        if request.limit or request.sample:
            self.rows_combo.setCurrentIndex(ROWS.index("first" if request.limit else "sample"))
            self.rows_spin.setValue(request.limit or request.sample)
