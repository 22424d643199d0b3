"""File > Export: the token table (CSV), the contract's JSON, the Markdown report, Copy as Python."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from bertinspector.core import exports, report
from bertinspector.core.files import write_atomic

FORMATS = {
    "csv": ("Token Table as CSV…", "Token table (*.csv)", ".csv"),
    "json": ("Inspection as JSON…", "bertinspector JSON (*.json)", ".json"),
    "markdown": ("Preprocessing Report (Markdown)…", "Markdown (*.md)", ".md"),
}


def render(kind: str, window) -> str:
    """The export's text for the window's current inspection (the report adds the run's outputs)."""
    inspection = window.inspection
    if kind == "csv":
        return exports.tokens_csv(inspection)
    if kind == "json":
        return report.dumps(report.to_json(inspection)) + "\n"
    text = report.render_markdown(inspection)
    run = window.workspace.controller.result()
    if run is not None and run.inspection is inspection:
        text += "\n" + report.render_outputs_markdown(run.kind, run.outputs, run.labels)
    return text


def export_to(kind: str, path: str, window) -> None:
    """Write one export atomically (a failed write leaves any previous file intact)."""
    write_atomic(Path(path), render(kind, window).encode("utf-8"))


def choose_and_export(kind: str, window) -> None:
    if window.inspection is None:
        window.statusBar().showMessage("Nothing to export yet: type or paste a text", 4000)
        return
    title, file_filter, suffix = FORMATS[kind]
    path, _ = QFileDialog.getSaveFileName(window, title.rstrip("…"), f"inspection{suffix}", file_filter)
    if not path:
        return
    try:
        export_to(kind, path, window)
    except OSError as error:
        window.input_banner.show_message(f"Could not write {Path(path).name}: {error.strerror or error}")
        return
    window.statusBar().showMessage(f"Exported {Path(path).name}", 4000)


def copy_python(window) -> None:
    """Put the calls that reproduce what the window shows on the clipboard."""
    if window.inspection is None or window.inspector is None:
        return
    QGuiApplication.clipboard().setText(exports.python_snippet(window.inspector, window.inspection))
    window.statusBar().showMessage("Copied the Python calls that reproduce these tokens", 4000)
