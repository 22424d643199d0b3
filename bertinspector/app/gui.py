"""``bertinspector gui``: open the desktop app (or render one screenshot and exit)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

SCREENSHOT_TIMEOUT_MS = 180_000
log = logging.getLogger("bertinspector")


def _fail(message: str) -> int:
    print(f"bertinspector: {message}", file=sys.stderr)
    return 2


def run_gui(model: str | None = None, compare: str | None = None, text: str | None = None,
            text_file: str | None = None, pair: str | None = None, run: bool = False, device: str = "auto",
            screenshot: str | None = None, path: str | None = None, audit: str | None = None,
            audit_column: str | None = None, audit_label: str | None = None) -> int:
    """Open the main window on ``model`` (and ``text``); with ``screenshot``, write the PNG and exit.

    Without ``model`` the last session's model comes back (``default`` on a first launch, or when that
    model no longer loads; where there is no default model the window offers *Open folder…*).
    ``path`` is what a file manager hands over: a text file, a model folder or a session file.
    ``audit`` starts an audit of that dataset (``audit_column``, ``audit_label``: its text and label columns) in
    the Audit pane; with ``screenshot`` the picture is taken once it has finished, with the example that loses
    the most tokens shown in the token view.

    Returns the process exit status: 0, or 2 with one line on stderr (no display, unreadable text
    file, a model that cannot be loaded in screenshot mode).
    """
    from bertinspector.core.transformers_import import keep_torch_out

    keep_torch_out()  # the model runs in the model host: torch never freezes this process's window

    from bertinspector.app.application import display_available

    if screenshot and not display_available():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if not display_available():
        return _fail("no display to open a window on (DISPLAY/WAYLAND_DISPLAY unset); "
                     "run it in a desktop session, or use --screenshot PNG")
    try:
        model, text, path = resolve_input(model, text, text_file, path, screenshot=bool(screenshot))
    except ValueError as error:
        return _fail(str(error))
    if screenshot:
        target = Path(screenshot)
        if target.suffix.lower() not in (".png", ""):
            return _fail(f"{screenshot}: screenshots are PNG files")
        if target.parent and not target.parent.exists():
            return _fail(f"{target.parent}: no such folder for the screenshot")

    from bertinspector.app.application import install_excepthook, make_application
    from PySide6.QtCore import QTimer

    app = make_application()
    try:
        window, waiting = open_window(model=model, compare=compare, text=text, pair=pair, run=run, device=device,
                                      screenshot=bool(screenshot), path=path)
    except ValueError as error:
        return _fail(str(error))
    if audit is not None:
        window.audit.start_data(audit, audit_column, audit_label)
    loading = window.requested_model_source()
    install_excepthook(lambda message: window.statusBar().showMessage(message, 10_000))

    status = {"code": 0}
    if screenshot:
        def capture(code: int = 0) -> None:
            if status.get("done"):
                return
            status["done"] = True
            status["code"] = code
            app.processEvents()
            window.focus_cut()
            app.processEvents()
            image = window.grab()
            if not image.save(str(screenshot), "PNG"):
                print(f"bertinspector: could not write {screenshot}", file=sys.stderr)
                status["code"] = 2
            window.close()
            app.quit()

        def on_applied(_inspection) -> None:
            # one more event-loop turn so every pane has painted the new inspection
            QTimer.singleShot(150, lambda: capture(0))

        def on_failed(message: str) -> None:
            print(f"bertinspector: could not load {loading}: {message}", file=sys.stderr)
            QTimer.singleShot(50, lambda: capture(2))

        def on_timeout() -> None:
            print("bertinspector: the model did not load in time; screenshot taken as is", file=sys.stderr)
            capture(2)

        def on_run_failed(message: str) -> None:
            print(f"bertinspector: the run failed: {message}", file=sys.stderr)
            QTimer.singleShot(150, lambda: capture(2))

        if audit is not None:  # the picture shows the finished audit and its worst example
            def on_audit_failed(message: str) -> None:
                print(f"bertinspector: {message}", file=sys.stderr)
                QTimer.singleShot(150, lambda: capture(2))

            window.model_dock.hide()  # room for the pane; the model's facts are in the diagnostics too
            window.audit.finished.connect(lambda _snapshot: window.audit.show_worst_example())
            window.audit.exampleShown.connect(on_applied)
            window.audit.failed.connect(on_audit_failed)
        elif run:  # the picture shows the run's output
            window.workspace.controller.resultReady.connect(on_applied)
            window.workspace.controller.failed.connect(on_run_failed)
        elif compare:  # the picture shows the comparison
            window.compare.comparisonApplied.connect(on_applied)
        else:
            window.inspectionApplied.connect(on_applied)
        if audit is None:
            window.inspectionFailed.connect(lambda _message: QTimer.singleShot(150, lambda: capture(0)))
        window.modelFailed.connect(on_failed)
        if waiting:
            QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, on_timeout)
        else:  # no model to wait for: the window as it offers one
            QTimer.singleShot(300, capture)

    code = app.exec()
    window.shutdown(2000)
    return status["code"] if screenshot else code


def resolve_input(model: str | None, text: str | None, text_file: str | None, path: str | None, *,
                  screenshot: bool = False) -> tuple[str | None, str | None, str | None]:
    """``(model, text, path)`` from the options and the FILE argument; ValueError with one line.

    A model folder (or a model's file) as FILE becomes the model; a text file is read here when no window
    could show why it is unreadable (screenshot mode), else ``path`` is left for the window to open.
    """
    from bertinspector.app.window_work import path_kind, read_text_file

    if text is not None and text_file is not None:
        raise ValueError("give --text or --text-file, not both")
    if path is not None:
        if not Path(path).exists():
            raise ValueError(f"{path}: no such file or folder")
        kind = path_kind(path)
        if kind == "model":
            if model is not None:
                raise ValueError("give a model folder as FILE or --model, not both")
            model, path = str(Path(path) if Path(path).is_dir() else Path(path).parent), None
        elif kind == "text":
            if text is not None or text_file is not None:
                raise ValueError("give a text FILE or --text/--text-file, not both")
            if screenshot:
                text_file, path = path, None
    if text_file is not None:
        text = read_text_file(text_file)
    return model, text, path


def open_window(*, model: str | None = None, compare: str | None = None, text: str | None = None,
                pair: str | None = None, run: bool = False, device: str = "auto", screenshot: bool = False,
                path: str | None = None):
    """The main window, shown, with its input and model on the way; ``(window, whether a model loads)``.

    ``path`` is a text file or a session file (see :func:`resolve_input`). A session that cannot be read
    raises ValueError in screenshot mode; otherwise the window shows why.
    """
    from bertinspector.app.main_window import MainWindow
    from bertinspector.app.window_work import path_kind
    from bertinspector.core.sources import default_model_missing

    window = MainWindow(auto_load_weights=bool(run) and not screenshot, restore_state=not screenshot,
                        scan_hf_cache=not screenshot, persist=not screenshot,
                        keep_on_screen=not screenshot)
    if device != "auto":
        window.workspace.controller.set_device(device)
    opened = path_kind(path) if path is not None else None
    restored = False
    if opened == "session":
        restored = window.open_session(path)  # opens the session's model; a bad file says why in the window
        if not restored and screenshot:
            message = window.input_banner.text()
            window.shutdown(2000)
            raise ValueError(message)
    elif text is None and not screenshot:
        restored = window.restore_session()  # opens the session's model
    else:
        window.text_pane.set_text(text if text is not None else "")
    if opened == "text":
        window.open_text_file(path)  # replaces the restored text (undoable); a bad file says why
    elif opened == "data":
        window.audit.open_dialog(path)
    if pair is not None:
        window.text_pane.set_pair(pair)
    if compare:
        window.compare.show()
        if compare != (model or "default"):
            window.compare.load_model_b(compare)
    if run:
        def run_once(_inspection) -> None:
            window.inspectionApplied.disconnect(run_once)
            window.show_model_output()
            window.run_action.trigger()

        window.inspectionApplied.connect(run_once)

    missing = default_model_missing()
    if missing is not None:  # no bundled model in this installation (the frozen app, no demo extra)
        window.picker.drop_default(missing)

    def open_default() -> bool:
        """Start on the bundled model, or offer Open folder… where there is none; whether a load started."""
        if missing is not None:
            window.offer_first_model(missing)
            return False
        window.open_model("default")
        return True

    waiting = True
    if model is not None:
        window.open_model(model)
    elif not restored:
        waiting = open_default()
    else:
        def fall_back(_message: str) -> None:
            window.modelFailed.disconnect(fall_back)
            if window.inspector is None:  # the session's model is gone: start on the bundled one
                open_default()

        window.modelFailed.connect(fall_back)
    window.show()
    return window, waiting
