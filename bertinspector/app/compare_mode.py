"""Compare mode in the window: slot B (its own model and settings) beside slot A, on the same text.

Slot A is the window's model and settings. Slot B's model loads in a worker ("load_b"); B's inspection and
the alignment run in a latest-wins worker ("compare") after every change of A or B; "Run A and B" runs
both models one after the other in the model host ("compare_run"). Both cut points are marked in the text.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget

from bertinspector.core.model import Inspection
from bertinspector.widgets.compare import SAME_AS_A, CompareView, SlotB


def compare_slots(cancel, inspection_a: Inspection, inspector_b, slot: SlotB, ids: str | None, ids_row: int = 0):
    """B's inspection of the same input (the same row of pasted ids), and the comparison of A and B."""
    from bertinspector.core.compare import compare

    if ids is not None:
        inspection_b = inspector_b.inspect_ids(ids, slot.settings, row=ids_row)
    else:
        text, pair = slot.input(inspection_a.text, inspection_a.pair)
        inspection_b = inspector_b.inspect(text, pair, slot.settings)
    cancel.check()
    return compare(inspection_a, inspection_b)


def run_slots(cancel, host, inspector_a, inspector_b, comparison, device: str):
    """Run A's and B's models in the model host (kept loaded there for the next run) and compare their outputs."""
    from bertinspector.core.model_host import model_side

    result = host.call("compare", model_side(inspector_a), model_side(inspector_b), comparison, device, cancel=cancel)
    return comparison, result


class CompareMode(QObject):
    """Owns the compare dock and slot B; follows the window's inspections while the dock is shown."""

    comparisonApplied = Signal(object)  # Comparison

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.view = CompareView(window)
        self.dock = QDockWidget("Compare", window)
        self.dock.setObjectName("compareDock")
        self.dock.setWidget(self.view)
        self.dock.setFeatures(window.model_dock.features())
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.inference_dock, self.dock)
        self.dock.hide()
        self.inspector_b = None  # None: slot B uses A's model
        self.source_b: str | None = None
        self.view.modelBRequested.connect(self.load_model_b)
        self.view.slotBChanged.connect(self.refresh)
        self.view.groupSelected.connect(self._highlight_group)
        self.view.runRequested.connect(self.run)
        self.dock.visibilityChanged.connect(self._on_visibility)
        window.inspectionApplied.connect(self._on_inspection_a)
        window.inspectionFailed.connect(lambda _message: self._clear())  # A's input cannot be read: nothing to compare
        window.modelLoaded.connect(lambda _src: self.refresh())
        window.runner.finished.connect(self._on_finished)
        window.runner.failed.connect(self._on_failed)

    @property
    def active(self) -> bool:
        return not self.dock.isHidden()

    def show(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.refresh()

    def toggle(self) -> None:
        """Compare on (shown and in front), or off when it is already in front."""
        if self.active and self.dock.isVisible():
            self.dock.hide()
        else:
            self.show()

    def slot(self) -> tuple[str, SlotB]:
        """Slot B for a session: its model source ("" = A's) and settings."""
        return self.source_b or SAME_AS_A, self.view.slot_b()

    def restore(self, source: str, slot: SlotB, active: bool) -> None:
        self.view.set_slot_b(slot)
        if source and source != SAME_AS_A:
            self.load_model_b(source)
        if active:
            self.show()

    def load_model_b(self, src: str) -> None:
        if not src or src == SAME_AS_A:
            self.inspector_b, self.source_b = None, None
            self.view.set_model_b_loaded(None)
            self.refresh()
            return
        from bertinspector.app.window_work import open_model

        self.view.set_model_b_loading(src)
        self.window.runner.submit("load_b", open_model, src, False)

    def refresh(self) -> None:
        """Inspect B and align it with A (in the background; the newest request wins)."""
        window = self.window
        a = window.inspection
        self.view.setInspectionA(a)
        if not self.active or a is None or window.inspector is None:
            return
        inspector_b = self.inspector_b or window.inspector
        ids = window.text_pane.text() if a.input_kind == "ids" else None
        window.runner.submit("compare", compare_slots, a, inspector_b, self.view.slot_b(), ids,
                             window.text_pane.ids_row())

    def run(self) -> None:
        comparison = self.view.comparison()
        window = self.window
        if comparison is None or window.inspector is None:
            return
        self.view.set_run_running()
        controller = window.workspace.controller
        window.runner.submit("compare_run", run_slots, controller.host, window.inspector, self.inspector_b or window.inspector,
                             comparison, controller.device)

    # -- results --------------------------------------------------------------------------------
    def _on_inspection_a(self, _inspection) -> None:
        if self.active:
            self.refresh()

    def _on_visibility(self, visible: bool) -> None:
        if visible:
            self.refresh()
        else:
            self._mark_cuts(None)

    def _on_finished(self, kind: str, _generation: int, result) -> None:
        if kind == "load_b":
            src, inspector = result
            self.inspector_b, self.source_b = inspector, src
            facts = inspector.facts
            self.view.set_model_b_loaded(src, f"{facts.model_type or '?'} · {facts.tokenizer_class}")
            self.refresh()
        elif kind == "compare":
            if result.a is not self.window.inspection:
                return  # A changed since: a newer comparison follows
            self.view.setComparison(result)
            self._mark_cuts(result)
            self.comparisonApplied.emit(result)
        elif kind == "compare_run":
            comparison, outputs = result
            self.view.setRunComparison(outputs, comparison)

    def _on_failed(self, kind: str, _generation: int, message: str) -> None:
        if kind == "load_b":
            self.view.set_model_b_error(f"Could not load slot B's model: {message}")
        elif kind == "compare":
            self.view.setComparison(None)
            self._mark_cuts(None)
            self.window.statusBar().showMessage(f"Slot B: {message}", 6000)
        elif kind == "compare_run":
            self.view.set_run_error(message)

    def _clear(self) -> None:
        self.view.setInspectionA(None)
        self.view.setComparison(None)
        self._mark_cuts(None)

    def _mark_cuts(self, comparison) -> None:
        """B's cut point in the text pane, beside A's own."""
        editors = [self.window.text_pane.editor(segment) for segment in (0, 1)]
        for editor in editors:
            editor.set_compare_cut(None)
        if comparison is None:
            return
        for side, segment, char in self.view.cut_points():
            if side == "B" and 0 <= segment <= 1 and char <= len(editors[segment].text()):
                editors[segment].set_compare_cut(char)

    def _highlight_group(self, segment: int, start: int, end: int) -> None:
        if segment >= 0:
            self.window.mark_span(segment, start, end)
