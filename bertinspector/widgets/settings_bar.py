"""The settings bar: how the text is encoded. Any change emits ``changed`` at once."""

from __future__ import annotations

from dataclasses import fields

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
#: Each setting of :class:`Settings` as the bar names it.
FIELD_NAMES = {"add_special_tokens": "special tokens", "truncation": "truncation", "max_length": "max_length",
               "stride": "stride", "lowercase": "lowercase"}


def value_text(settings: Settings, field: str) -> str:
    """One setting's value as the bar shows it (``max_length`` None is "default")."""
    value = getattr(settings, field)
    if field == "add_special_tokens":
        return "on" if value else "off"
    if field == "truncation":
        return TRUNCATION_LABELS[value]
    if field == "lowercase":
        return LOWERCASE_LABELS[value]
    return "default" if value is None else str(value)


def differing_fields(settings: Settings, reference: Settings) -> dict:
    """The fields of ``settings`` whose value differs from ``reference``'s, with ``settings``' values."""
    return {f.name: getattr(settings, f.name) for f in fields(Settings)
            if getattr(settings, f.name) != getattr(reference, f.name)}


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
        self._fields = {"add_special_tokens": self.special_box, "truncation": self.truncation_combo,
                        "max_length": self.max_length_spin, "stride": self.stride_spin,
                        "lowercase": self.lowercase_combo}
        self._tips = {name: widget.toolTip() for name, widget in self._fields.items()}

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

    def mark_differences(self, reference: Settings) -> list[str]:
        """Bold the fields whose value differs from ``reference`` (A's settings), A's value in their tooltips;
        the names (:class:`Settings` fields) of those fields, in the bar's order."""
        differing = differing_fields(self.settings(), reference)
        for name, widget in self._fields.items():
            font = widget.font()
            font.setBold(name in differing)
            widget.setFont(font)
            tip = self._tips[name]
            widget.setToolTip(f"{tip}\n≠ A: {value_text(reference, name)}" if name in differing else tip)
        return list(differing)

    def set_model_default(self, max_length: int | None) -> None:
        """Show what 'model default' means for the loaded model."""
        text = f"default ({max_length})" if max_length else "default (none)"
        self.max_length_spin.setSpecialValueText(text)
        self.max_length_spin.updateGeometry()

    def _emit(self, *_args) -> None:
        if self._emitting:
            self.changed.emit(self.settings())
