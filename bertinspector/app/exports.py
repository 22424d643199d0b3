"""File > Export: the token table (CSV), the contract's JSON, the Markdown report, the plot shown in the
Model Output dock (PNG, SVG), Copy as Python."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from bertinspector.core import exports, report
from bertinspector.core.files import write_atomic
from bertinspector.qt.inference import same_input
from bertinspector.widgets.run_plot import IMAGE_FORMATS, error_text

FORMATS = {
    "csv": ("Token Table as CSV…", "Token table (*.csv)", ".csv"),
    "json": ("Inspection as JSON…", "bertinspector JSON (*.json)", ".json"),
    "markdown": ("Preprocessing Report (Markdown)…", "Markdown (*.md)", ".md"),
}
PLOT_FORMATS = {  # kind -> (menu entry, file dialog filter, suffix)
    "png": ("Plot as PNG…", IMAGE_FORMATS[".png"][1], ".png"),
    "svg": ("Plot as SVG…", IMAGE_FORMATS[".svg"][1], ".svg"),
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
    if run is not None and same_input(run.inspection, inspection):
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


def shown_plot(window):
    """The plot (a RunPlot) on the Model Output dock's current tab, or None when it shows no run."""
    plot = window.workspace.tabs.currentWidget()
    if plot is None or getattr(plot, "result", lambda: None)() is None:
        return None
    return plot


def update_plot_actions(window) -> None:
    """Plot as PNG/SVG are enabled while the Model Output dock shows a run."""
    enabled = shown_plot(window) is not None
    for action in window.plot_export_actions.values():
        action.setEnabled(enabled)
        action.setStatusTip("" if enabled else "Run the model first (Ctrl+Enter)")


def export_plot_to(path: str, window) -> None:
    """Write the plot pane shown in the Model Output dock as PNG or SVG (by ``path``'s suffix), atomically.
    ValueError when no run is shown or for another suffix; OSError when the file cannot be written (no
    partial file left, a previous file intact)."""
    plot = shown_plot(window)
    if plot is None:
        raise ValueError("no plot to export yet: run the model first")
    if not window.inference_dock.isVisible():  # export what the user can see
        window.inference_dock.show()
        window.inference_dock.raise_()
    QCoreApplication.sendPostedEvents()  # lay the freshly shown plots out before rendering them
    plot.export_image(path)


def choose_and_export_plot(kind: str, window) -> None:
    plot = shown_plot(window)
    if plot is None:
        window.statusBar().showMessage("No plot to export yet: run the model (Ctrl+Enter) first", 4000)
        return
    title, file_filter, suffix = PLOT_FORMATS[kind]
    path, _ = QFileDialog.getSaveFileName(window, title.rstrip("…"), plot.export_name() + suffix, file_filter)
    if not path:
        return
    if Path(path).suffix.lower() not in IMAGE_FORMATS:  # a name without a format's suffix gets the chosen one
        path += suffix
    try:
        export_plot_to(path, window)
    except (OSError, ValueError) as error:
        window.input_banner.show_message(f"Could not write {Path(path).name}: {error_text(error)}")
        return
    window.statusBar().showMessage(f"Exported {Path(path).name}", 4000)


def copy_python(window) -> None:
    """Put the calls that reproduce what the window shows on the clipboard."""
    if window.inspection is None or window.inspector is None:
        return
    QGuiApplication.clipboard().setText(exports.python_snippet(window.inspector, window.inspection))
    window.statusBar().showMessage("Copied the Python calls that reproduce these tokens", 4000)
