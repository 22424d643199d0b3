"""What the attention and hidden-state plots share: the run they show, a "stale" tag, a read-out line and
the selected token.

:class:`RunPlot` lays a plot out as a row of controls (ending in the stale tag) over the plots over the
read-out, keeps the run (a :class:`bertinspector.qt.inference.ResultView`) and the selected token's
position, and emits ``tokenSelected(position)`` when the user picks a token in a plot.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

STALE_STYLE = ("QLabel { background: #fff4e0; border: 1px solid #c77700; border-radius: 3px; color: #1f2328;"
               " padding: 2px 6px; }")


class RunPlot(QWidget):
    """A plot of one model run. A subclass fills ``self.controls``, hands its plots to :meth:`_arrange`, and
    provides ``_show_result(view)`` (a run with layers), ``_show_selection()``, ``_summary()`` (the read-out's
    start) and ``READOUT_HINT``; its ``clear()`` calls this one's."""

    tokenSelected = Signal(int)  # position in inspection.tokens

    READOUT_HINT = ""  # the read-out's end while the pointer is over nothing

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._view = None
        self._selected = -1  # position in inspection.tokens
        self.controls = QHBoxLayout()
        self.controls.setContentsMargins(0, 0, 0, 0)
        self.controls.setSpacing(6)
        self.stale_label = QLabel("Stale: the input changed since this run", self)
        self.stale_label.setStyleSheet(STALE_STYLE)
        self.stale_label.setVisible(False)
        self.readout = QLabel(self)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.readout.setMinimumHeight(self.fontMetrics().height() + 6)

    def _arrange(self, plots: QWidget) -> None:
        """The controls and the stale tag over ``plots`` over the read-out."""
        self.controls.addStretch(1)
        self.controls.addWidget(self.stale_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self.controls)
        layout.addWidget(plots, 1)
        layout.addWidget(self.readout)

    # -- the run ----------------------------------------------------------------------------------
    def result(self):
        return self._view

    def set_result(self, view) -> None:
        """Show a run (a ResultView); None, or a run without layers, clears the plot."""
        self._view = view
        self.stale_label.setVisible(False)
        if view is None or not view.num_layers:
            self.clear()
            return
        self._show_result(view)

    def clear(self) -> None:
        self._view = None
        self.stale_label.setVisible(False)
        self.readout.setText("")

    def set_stale(self, stale: bool) -> None:
        self.stale_label.setVisible(bool(stale) and self._view is not None)

    def is_stale(self) -> bool:
        return not self.stale_label.isHidden()

    # -- the selected token -----------------------------------------------------------------------
    def select_token(self, position: int) -> None:
        """Mark the token at ``position`` (of inspection.tokens) in the plots; no signal."""
        self._selected = int(position)
        self._show_selection()

    def _select_position(self, position: int) -> None:
        """The user picked the token at ``position`` in a plot: mark it and say so."""
        self._selected = position
        self._show_selection()
        self.tokenSelected.emit(position)

    # -- the read-out -----------------------------------------------------------------------------
    def _describe(self, hover: str = "") -> None:
        """The read-out: what the plot shows, then what is under the pointer (``hover``) or a hint."""
        if self._view is None:
            self.readout.setText("")
            return
        hint = f"<span style='color:gray'>{self.READOUT_HINT}</span>"
        self.readout.setText(f"{self._summary()} · {hover or hint}")
