"""The settings bar: how the text is encoded. Any change emits ``changed`` at once."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSizePolicy, QSpinBox, QToolButton, QWidget

from bertinspector.core.model import LOWERCASE_MODES, TRUNCATION_STRATEGIES, Settings
from bertinspector.widgets.flow_layout import FlowLayout, group

TRUNCATION_LABELS = {
    "longest_first": "longest first",
    "only_first": "only first",
    "only_second": "only second",
    "none": "off",
}
LOWERCASE_LABELS = {"auto": "auto", "on": "on", "off": "off"}
MAX_LENGTH_LIMIT = 1_000_000


class SettingsBar(QWidget):
    changed = Signal(object)  # Settings

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._emitting = True
        self.special_box = QCheckBox("Special tokens", self)
        self.special_box.setChecked(True)
        self.special_box.setToolTip("add_special_tokens: the [CLS]/[SEP] (or <s>/</s>) the model was trained with")
        self.truncation_combo = QComboBox(self)
        for strategy in TRUNCATION_STRATEGIES:
            self.truncation_combo.addItem(TRUNCATION_LABELS[strategy], strategy)
        self.truncation_combo.setToolTip("truncation=…  ('off' is truncation=False)")
        self.max_length_spin = QSpinBox(self)
        self.max_length_spin.setRange(0, MAX_LENGTH_LIMIT)
        self.max_length_spin.setSpecialValueText("default")
        self.max_length_spin.setToolTip("max_length=…  ('model default' is the tokenizer's model_max_length)")
        self.max_length_spin.setAccelerated(True)
        self.max_length_spin.setKeyboardTracking(False)
        self.stride_spin = QSpinBox(self)
        self.stride_spin.setRange(0, MAX_LENGTH_LIMIT)
        self.stride_spin.setToolTip("stride=…  overlap between overflow windows")
        self.stride_spin.setKeyboardTracking(False)
        self.stride_spin.setMaximumWidth(70)
        self.lowercase_combo = QComboBox(self)
        for mode in LOWERCASE_MODES:
            self.lowercase_combo.addItem(LOWERCASE_LABELS[mode], mode)
        self.lowercase_combo.setToolTip("Lowercasing: auto = what the model's files say; on/off forces it")
        self.reset_button = QToolButton(self)
        self.reset_button.setText("Reset")
        self.reset_button.setToolTip("Back to what tokenizer(text, truncation=True) does")
        self.reset_button.setAutoRaise(True)

        layout = FlowLayout(self, spacing=14)
        layout.addWidget(self.special_box)
        for text, widget in (("Truncation", self.truncation_combo), ("max_length", self.max_length_spin),
                             ("stride", self.stride_spin), ("Lowercase", self.lowercase_combo)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            layout.addWidget(group(self, label, widget))
        layout.addWidget(self.reset_button)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

        self.special_box.toggled.connect(self._emit)
        self.truncation_combo.currentIndexChanged.connect(self._emit)
        self.max_length_spin.valueChanged.connect(self._emit)
        self.stride_spin.valueChanged.connect(self._emit)
        self.lowercase_combo.currentIndexChanged.connect(self._emit)
        self.reset_button.clicked.connect(lambda: self.set_settings(Settings(), notify=True))

    def settings(self) -> Settings:
        max_length = self.max_length_spin.value() or None
        return Settings(
            add_special_tokens=self.special_box.isChecked(),
            truncation=self.truncation_combo.currentData(),
            max_length=max_length,
            stride=self.stride_spin.value(),
            lowercase=self.lowercase_combo.currentData(),
        )

    def set_settings(self, settings: Settings, notify: bool = False) -> None:
        self._emitting = False
        try:
            self.special_box.setChecked(settings.add_special_tokens)
            self.truncation_combo.setCurrentIndex(self.truncation_combo.findData(settings.truncation))
            self.max_length_spin.setValue(min(settings.max_length or 0, MAX_LENGTH_LIMIT))
            self.stride_spin.setValue(min(settings.stride, MAX_LENGTH_LIMIT))
            self.lowercase_combo.setCurrentIndex(self.lowercase_combo.findData(settings.lowercase))
        finally:
            self._emitting = True
        if notify:
            self._emit()

    def set_model_default(self, max_length: int | None) -> None:
        """Show what 'model default' means for the loaded model."""
        text = f"default ({max_length})" if max_length else "default (none)"
        self.max_length_spin.setSpecialValueText(text)
        self.max_length_spin.updateGeometry()

    def _emit(self, *_args) -> None:
        if self._emitting:
            self.changed.emit(self.settings())
