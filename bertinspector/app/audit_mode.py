"""The dataset audit in the window: File ▸ Audit Dataset…, the Audit dock, click-through to the inspector.

The audit runs in :class:`bertinspector.qt.audit.AuditController` (the CLI's engine and worker processes);
the pane draws its snapshots. Clicking an example reads that row from the file (a worker: "audit_row"),
puts it in the text pane with the audit's settings, and scrolls the token view and the text to the cut
once the inspection arrives; an example B changed opens in compare mode with B's model and settings.
The last audit's request is kept in the session (``extra["audit"]``) and offered again by the dialog.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog

from bertinspector.core.audit import AuditRequest, Columns, Side
from bertinspector.core.errors import BertInspectorError
from bertinspector.core.files import write_atomic
from bertinspector.core.model import Settings
from bertinspector.qt.audit import AuditController, RowReader, search_rows
from bertinspector.widgets.audit import AuditDialog, AuditPane
from bertinspector.widgets.audit.pane import EXPORTS
from bertinspector.widgets.compare import SlotB
from bertinspector.widgets.run_plot import error_text

SUFFIXES = {"html": ".html", "markdown": ".md", "json": ".json", "png": ".png", "svg": ".svg", "csv": ".csv"}


def read_row(cancel, reader: RowReader, row: int):
    return row, reader.read(row)


def request_to_json(request: AuditRequest) -> dict:
    side = lambda s: None if s is None else {"source": s.source, "settings": asdict(s.settings),  # noqa: E731
                                             "swap_pair": s.swap_pair}
    return {"data": list(request.data), "columns": asdict(request.columns), "a": side(request.a), "b": side(request.b),
            "against": list(request.against), "limit": request.limit, "sample": request.sample}


def request_from_json(data) -> AuditRequest | None:
    """The request a session kept; None when it is missing or damaged."""
    from bertinspector.core.session import _known_settings

    try:
        side = lambda s: None if s is None else Side(str(s["source"]), Settings(**_known_settings(s["settings"])),  # noqa: E731
                                                     swap_pair=s.get("swap_pair") is True)
        columns = {k: v for k, v in data["columns"].items() if k in ("text", "pair", "label") and (v is None or isinstance(v, str))}
        counts = [data.get(k) for k in ("limit", "sample")]
        if any(c is not None and (not isinstance(c, int) or c < 1) for c in counts):
            return None
        return AuditRequest(a=side(data["a"]), b=side(data.get("b")), data=tuple(str(d) for d in data["data"]),
                            columns=Columns(**columns), against=tuple(str(d) for d in data.get("against", ())),
                            limit=counts[0], sample=counts[1])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


class AuditMode(QObject):
    """Owns the Audit dock and the audit controller of a window."""

    finished = Signal(object)  # the final Snapshot
    failed = Signal(str)
    exampleShown = Signal(int)  # the row put in the text pane (its inspection follows)
    searched = Signal(str)  # a text search has filtered the table

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.controller = AuditController(self)
        self.pane = AuditPane(window)
        self.dock = QDockWidget("Audit", window)
        self.dock.setObjectName("auditDock")
        self.dock.setWidget(self.pane)
        self.dock.setFeatures(window.model_dock.features())
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.inference_dock, self.dock)
        self.dock.hide()
        self.request: AuditRequest | None = None
        self.action = window._action("Audit &Dataset…", QKeySequence("Ctrl+Shift+A"), self.open_dialog)
        file_menu = window.open_session_action.associatedObjects()[-1]
        file_menu.insertAction(window.open_session_action, self.action)
        file_menu.insertSeparator(window.open_session_action)
        window.view_menu.addAction(self.dock.toggleViewAction())
        self._pending_row: int | None = None
        self._dialog: AuditDialog | None = None
        self._rows: RowReader | None = None  # reads the clicked rows of the audit shown
        self.controller.progressed.connect(lambda _g, done, total, s: self.pane.set_progress(done, total, s))
        self.controller.snapshot.connect(self._on_snapshot)
        self.controller.failed.connect(self._on_failed)
        self.controller.cancelled.connect(lambda _g: self.pane.set_cancelled())
        self.pane.cancelRequested.connect(self.cancel)
        self.pane.newAuditRequested.connect(self.open_dialog)
        self.pane.exportRequested.connect(self.choose_and_export)
        self.pane.exampleActivated.connect(self.show_example)
        self.pane.table.searchRequested.connect(self.search)
        window.runner.finished.connect(self._on_task_finished)
        window.runner.failed.connect(self._on_task_failed)
        window.inspectionApplied.connect(self._on_inspection)

    # -- starting ---------------------------------------------------------------------------------
    def dialog(self, path: str | None = None) -> AuditDialog:
        window = self.window
        dialog = AuditDialog(window, model=window.requested_model_source(), settings=window.settings_bar.settings(),
                             facts=window.inspector.facts if window.inspector is not None else None)
        if self.request is not None and path is None:
            dialog.set_request(self.request)
        if path is not None:
            dialog.set_path(path)
        return dialog

    def open_dialog(self, path: str | None = None) -> None:
        dialog = self.dialog(path if isinstance(path, str) else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._start_from(dialog))
        dialog.open()
        self._dialog = dialog

    def _start_from(self, dialog: AuditDialog) -> None:
        try:
            request = dialog.request()
        except BertInspectorError as error:
            self._on_failed(self.controller.generation, str(error))
            return
        self.start(request)

    def start(self, request: AuditRequest) -> int:
        """Run ``request`` (any audit still running is cancelled and its late results dropped)."""
        self.request = request
        self.show()
        data = ", ".join(Path(d).name for d in request.data)
        self.pane.set_running(f"{data} · {request.a.source}")
        generation = self.controller.start(request, self.pane.table.model.spec)
        self.window.autosaver.schedule()
        return generation

    def start_data(self, data: str, column: str | None = None, label: str | None = None) -> int:
        """Audit ``data`` with the window's model and settings (``bertinspector gui --audit``)."""
        window = self.window
        return self.start(AuditRequest(a=Side(window.requested_model_source(), window.settings_bar.settings()),
                                       data=(data,), columns=Columns(text=column, label=label)))

    def cancel(self) -> None:
        self.controller.cancel()

    def show(self) -> None:
        self.dock.show()
        self.dock.raise_()

    def shutdown(self, timeout_s: float = 5.0) -> bool:
        return self.controller.shutdown(timeout_s)

    # -- results ----------------------------------------------------------------------------------
    def _on_snapshot(self, _generation: int, snapshot) -> None:
        if snapshot.document["data"]["examples"] == 0:
            return  # nothing measured yet (a column of non-strings may never be): the pane keeps what it had
        self.pane.set_snapshot(snapshot)
        if snapshot.final:
            self.window.statusBar().showMessage("Audit finished", 4000)
            self.finished.emit(snapshot)

    def _on_failed(self, _generation: int, message: str) -> None:
        self.show()
        self.pane.set_failed(message)
        self.window.statusBar().showMessage(message, 10_000)
        self.failed.emit(message)

    # -- click-through ----------------------------------------------------------------------------
    def show_example(self, row: int) -> None:
        """Read dataset row ``row`` and inspect it in the window (in compare mode when B changed it)."""
        snapshot = self.pane.snapshot
        if snapshot is None:
            return
        if self._rows is None or self._rows.plan is not snapshot.plan:
            self._rows = RowReader(snapshot.plan)
        self.window.runner.submit("audit_row", read_row, self._rows, row)

    def show_worst_example(self) -> None:
        """Sort the table by tokens lost and show the first example."""
        table = self.pane.table
        if table.model.rowCount():
            table.sort_by("lost")
            table.activate_table_row(0)

    def search(self, text: str) -> None:
        """Filter the table to the examples whose text holds ``text`` (the data is read again in a worker)."""
        snapshot = self.pane.snapshot
        if snapshot is None or not text:
            return
        self.window.statusBar().showMessage(f"Searching the data for {text!r}…")
        self.window.runner.submit("audit_search", search_rows, snapshot.plan, text)

    def _on_task_finished(self, kind: str, _generation: int, result) -> None:
        if kind == "audit_search":
            text, rows = result
            self.pane.table.set_search(text, rows)
            self.window.statusBar().showMessage(f"{len(rows):,} examples hold {text!r}", 4000)
            self.searched.emit(text)
            return
        if kind != "audit_row" or self.request is None:
            return
        row, (text, pair) = result
        window, request = self.window, self.request
        pane = window.text_pane
        pane.set_mode("text")
        pane.set_text(text)
        pane.set_pair(pair)
        window.settings_bar.set_settings(request.a.settings)
        self._pending_row = row
        if request.a.source != window.requested_model_source():
            window.open_model(request.a.source)
        else:
            window.inspect_now()
        record = self.pane.table.model.records
        changed = request.b is not None and bool(record["changed"][record["row"] == row].any())
        if changed:
            b = request.b
            window.compare.restore("" if b.source == request.a.source else b.source, SlotB(settings=b.settings,
                                   swap_pair=b.swap_pair), True)
        window.statusBar().showMessage(f"Row {row:,} of the audited data" + (" (A and B)" if changed else ""), 6000)

    def _on_task_failed(self, kind: str, _generation: int, message: str) -> None:
        if kind in ("audit_row", "audit_search"):
            self.pane.banner.show_message(message)

    def _on_inspection(self, _inspection) -> None:
        if self._pending_row is not None:
            row, self._pending_row = self._pending_row, None
            self.window.focus_cut()
            self.exampleShown.emit(row)

    # -- exports ----------------------------------------------------------------------------------
    def export_to(self, kind: str, path: str) -> None:
        """Write one export of the audit shown (the CLI's reports, the histogram, the table's shown rows)."""
        document = self.pane.document
        if document is None:
            raise ValueError("no audit to export yet")
        if kind in ("png", "svg"):
            self.pane.histogram.export_image(path)
            return
        if kind == "csv":
            text = self.pane.table.model.to_csv()
        else:
            from bertinspector.app.cli_audit import render

            text = render(document, kind)
        write_atomic(Path(path), (text if text.endswith("\n") else text + "\n").encode("utf-8"))

    def choose_and_export(self, kind: str) -> None:
        suffix = SUFFIXES[kind]
        path, _ = QFileDialog.getSaveFileName(self.window, EXPORTS[kind].rstrip("…"), "audit" + suffix)
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix
        try:
            self.export_to(kind, path)
        except (OSError, ValueError) as error:
            self.pane.banner.show_message(f"Could not write {Path(path).name}: {error_text(error)}")
            return
        self.window.statusBar().showMessage(f"Exported {Path(path).name}", 4000)

    # -- sessions ---------------------------------------------------------------------------------
    def session_state(self) -> dict | None:
        return request_to_json(self.request) if self.request is not None else None

    def restore_state(self, data) -> None:
        """The session's last audit, offered again by the dialog (not run: the data may be large or gone)."""
        request = request_from_json(data) if isinstance(data, dict) else None
        if request is not None:
            self.request = request
