"""File ▸ Audit Dataset…: the data file and its columns, the rows, the model and settings, and B.

The columns come from the file's schema alone (:func:`bertinspector.core.audit.peek.peek`: Parquet and Arrow
metadata, the first block of a CSV, the first lines of a JSONL), so even a 10 GB file answers at once.
:meth:`AuditDialog.request` builds the :class:`~bertinspector.core.audit.AuditRequest` the CLI would.

B's settings are the CLI's ``--b-*`` options field by field (a :class:`SettingsBar` of its own, and *Swap the
pair* for ``--b-swap-pair``): they start as A's, follow A's where the user has not changed them (the CLI's
B = A changed by the ``--b-*`` options), show in bold and in one line where they differ from A, and a
*Start from* preset fills them with one of ``--variant``'s failure modes. A combination the tokenizer would
refuse is one line in the dialog, which stays open with everything typed in it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from bertinspector.core.audit import AuditRequest, Columns, DataError, Side
from bertinspector.core.audit.peek import Peek, peek
from bertinspector.core.compare import VARIANTS, variant
from bertinspector.core.errors import InputError
from bertinspector.core.model import Settings
from bertinspector.widgets.settings_bar import FIELD_NAMES, SettingsBar, differing_fields, value_text

NONE = "(none)"
DATA_FILTER = "Data files (*.jsonl *.ndjson *.csv *.tsv *.parquet *.arrow *.txt *.json *.gz);;All files (*)"
ROWS = ("all", "first", "sample")
EDITED = "edited"  # the Start from item shown when B's fields match no preset
SWAP = "pair-swapped"
ERROR_STYLE = "color: #d93025;"


def _swapped(settings: Settings, facts) -> Settings:
    """``settings`` with the pair swapped, as ``--b-swap-pair`` applies it (only_first <-> only_second)."""
    return variant(SWAP, settings, "text", "pair", facts)[0]


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
        self.b_model_field.setToolTip("--b-model: empty = A's model")
        self.variant_combo = QComboBox(self)
        self.variant_combo.setToolTip("Fill B's settings with A's, or with A's and one classic failure mode (--variant)")
        self.variant_combo.addItem("A's settings", "")
        for name, v in VARIANTS.items():
            if name != SWAP:
                self.variant_combo.addItem(f"A's, {v.label}", name)
        self.variant_combo.addItem("edited below", EDITED)
        self.b_settings_bar = SettingsBar(self)
        self.b_settings_bar.setObjectName("auditSettingsB")
        self.b_settings_bar.reset_button.hide()  # "Start from: A's settings" is B's reset
        self.b_settings_bar.set_settings(settings)
        self.swap_box = QCheckBox("Swap the pair: B encodes (pair, text)", self)
        self.swap_box.setToolTip("--b-swap-pair (needs a pair column); truncation only first / only second "
                                 "keeps cutting the same column")
        self.b_summary = QLabel(self)
        self.b_summary.setObjectName("auditBSummary")
        self.b_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.b_summary.setWordWrap(True)
        self._a_settings = settings  # the A the B fields were last aligned to
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
        b_form.addRow("Start from", self.variant_combo)
        b_form.addRow("Settings B", self.b_settings_bar)
        b_form.addRow("", self.swap_box)
        b_form.addRow("", self.b_summary)
        b_form.addRow("or against", self.against_field)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("auditProblem")
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setStyleSheet(ERROR_STYLE)
        self.problem_label.hide()

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
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.settings_bar.changed.connect(self._on_a_changed)
        self.b_settings_bar.changed.connect(self._refresh_b)
        self.variant_combo.currentIndexChanged.connect(self._apply_preset)
        for signal in (self.swap_box.toggled, self.b_group.toggled, self.pair_combo.currentIndexChanged):
            signal.connect(self._refresh_b)
        self._ok(False)
        self._refresh_b()
        self.resize(680, 600)

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
            self.info.setStyleSheet(ERROR_STYLE)
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

    # -- B's settings ---------------------------------------------------------------------------
    def settings_b(self) -> Settings:
        """B's settings as the fields say (before a swap of the pair: the ``--b-*`` options' values)."""
        return self.b_settings_bar.settings()

    def set_settings_b(self, settings: Settings, swap_pair: bool = False) -> None:
        self.b_settings_bar.set_settings(settings)
        self.swap_box.setChecked(swap_pair)
        self._refresh_b()

    def _on_a_changed(self, settings: Settings) -> None:
        """A changed: B's fields that equal A's follow it, the ones the user changed stay."""
        b = self.settings_b()
        kept = differing_fields(b, self._a_settings)
        self._a_settings = settings
        self.b_settings_bar.set_settings(settings.with_(**kept))
        self._refresh_b()

    def _apply_preset(self) -> None:
        name = self.variant_combo.currentData()
        if name == EDITED:
            return
        a = self.settings_bar.settings()
        self.b_settings_bar.set_settings(variant(name, a, "", None, self.facts)[0] if name else a)
        self._refresh_b()

    def _preset_of(self, a: Settings, b: Settings) -> str:
        if a == b:
            return ""
        for name in VARIANTS:
            if name != SWAP and variant(name, a, "", None, self.facts)[0] == b:
                return name
        return EDITED

    def _refresh_b(self, *_args) -> None:
        """Bold the B fields that differ from A, say so in one line, sync *Start from* and check the dialog."""
        a, b = self.settings_bar.settings(), self.settings_b()
        changed = [f"{FIELD_NAMES[name]} {value_text(b, name)} (A: {value_text(a, name)})"
                   for name in self.b_settings_bar.mark_differences(a)]
        if self.swap_box.isChecked():
            changed.append("the pair swapped")
        self.b_summary.setText("B differs from A in: " + "; ".join(changed) if changed else "B's settings are A's")
        self.variant_combo.blockSignals(True)
        self.variant_combo.setCurrentIndex(self.variant_combo.findData(self._preset_of(a, b)))
        self.variant_combo.blockSignals(False)
        self._show_problem(self.problem())

    def problem(self) -> str | None:
        """The one line that says why these settings cannot be audited (what the tokenizer would refuse and
        can be told without the model), or None."""
        paired = self.pair_combo.currentText() not in ("", NONE)
        sides = [("A", self.settings_bar.settings())]
        if self.b_group.isChecked():
            sides.append(("B", self.settings_b()))
            if self.swap_box.isChecked() and not paired:
                return "B: swapping the pair needs a pair: choose a pair column"
        for side, settings in sides:
            if settings.truncation == "only_second" and not paired:
                return f"{side}: truncation only second needs a pair: choose a pair column (tokenizer(...) refuses it)"
            if settings.max_length and settings.stride >= settings.max_length:
                return (f"{side}: stride {settings.stride} must be smaller than max_length {settings.max_length} "
                        "(the tokenizer would panic)")
        return None

    def _show_problem(self, message: str | None) -> None:
        self.problem_label.setText(message or "")
        self.problem_label.setVisible(message is not None)

    def accept(self) -> None:
        """Start only settings that can be audited; otherwise say why and keep everything as typed."""
        message = self.problem()
        self._show_problem(message)
        if message is None:
            super().accept()

    # -- the request ----------------------------------------------------------------------------
    def request(self) -> AuditRequest:
        """What the dialog says, as the CLI's request; InputError (its one line) for settings that cannot be
        audited."""
        message = self.problem()
        if message is not None:
            raise InputError(message)
        pick = lambda combo: None if combo.currentText() in ("", NONE) else combo.currentText()  # noqa: E731
        settings = self.settings_bar.settings()
        a = Side(self.model_field.text().strip() or "default", settings)
        b, against = None, ()
        if self.b_group.isChecked():
            if self.against_field.text().strip():
                against = (self.against_field.text().strip(),)
            source_b = self.b_model_field.text().strip()
            settings_b, swap = self.settings_b(), self.swap_box.isChecked()
            if source_b or settings_b != settings or swap:
                b = Side(source_b or a.source, _swapped(settings_b, self.facts) if swap else settings_b,
                         swap_pair=swap)
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
        """Fill the dialog from an earlier request (the session's last audit): its data, columns, rows and B
        (B's model when not A's, the B settings that differed from A's, on top of the A shown), and with
        ``with_model`` its model and settings too."""
        if request.data:
            self.set_path(request.data[0])
        self.set_columns(request.columns.text, request.columns.pair or NONE, request.columns.label or NONE)
        if with_model:
            self.model_field.setText(request.a.source)
            self.settings_bar.set_settings(request.a.settings, notify=True)
        self.engine_combo.setCurrentIndex(max(0, self.engine_combo.findData(request.engine)))
        self.address_field.setText(request.ray_address or "")
        if request.limit or request.sample:
            self.rows_combo.setCurrentIndex(ROWS.index("first" if request.limit else "sample"))
            self.rows_spin.setValue(request.limit or request.sample)
        b = request.b
        self.b_group.setChecked(b is not None or bool(request.against))
        self.against_field.setText(request.against[0] if request.against else "")
        if b is not None:
            self.b_model_field.setText("" if b.source == request.a.source else b.source)
            fields_b = _swapped(b.settings, self.facts) if b.swap_pair else b.settings
            kept = differing_fields(fields_b, request.a.settings)
            self.set_settings_b(self.settings_bar.settings().with_(**kept), b.swap_pair)
