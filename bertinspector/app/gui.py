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
            screenshot: str | None = None) -> int:
    """Open the main window on ``model`` (and ``text``); with ``screenshot``, write the PNG and exit.

    Without ``model`` the last session's model comes back (``default`` on a first launch, or when that
    model no longer loads).

    Returns the process exit status: 0, or 2 with one line on stderr (no display, unreadable text
    file, a model that cannot be loaded in screenshot mode).
    """
    from bertinspector.core.model_host import keep_torch_out

    keep_torch_out()  # the model runs in the model host: torch never freezes this process's window

    from bertinspector.app.application import display_available

    if screenshot and not display_available():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if not display_available():
        return _fail("no display to open a window on (DISPLAY/WAYLAND_DISPLAY unset); "
                     "run it in a desktop session, or use --screenshot PNG")
    if text is not None and text_file is not None:
        return _fail("give --text or --text-file, not both")
    if text_file is not None:
        from bertinspector.app.main_window import read_text_file

        try:
            text = read_text_file(text_file)
        except ValueError as error:
            return _fail(str(error))
    if screenshot:
        target = Path(screenshot)
        if target.suffix.lower() not in (".png", ""):
            return _fail(f"{screenshot}: screenshots are PNG files")
        if target.parent and not target.parent.exists():
            return _fail(f"{target.parent}: no such folder for the screenshot")

    from bertinspector.app.application import install_excepthook, make_application
    from bertinspector.app.main_window import MainWindow
    from PySide6.QtCore import QTimer

    app = make_application()
    window = MainWindow(auto_load_weights=bool(run) and not screenshot, restore_state=not screenshot,
                        scan_hf_cache=not screenshot, persist=not screenshot)
    if device != "auto":
        window.workspace.controller.set_device(device)
    install_excepthook(lambda message: window.statusBar().showMessage(message, 10_000))
    restored = False
    if text is None and not screenshot:
        restored = window.restore_session()  # opens the session's model
    else:
        window.text_pane.set_text(text if text is not None else "")
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
    if model is not None or not restored:
        model = model or "default"
        window.open_model(model)
    else:
        def fall_back(_message: str) -> None:
            window.modelFailed.disconnect(fall_back)
            if window.inspector is None:  # the session's model is gone: start on the bundled one
                window.open_model("default")

        window.modelFailed.connect(fall_back)
    window.show()

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
            print(f"bertinspector: could not load {model}: {message}", file=sys.stderr)
            QTimer.singleShot(50, lambda: capture(2))

        def on_timeout() -> None:
            print("bertinspector: the model did not load in time; screenshot taken as is", file=sys.stderr)
            capture(2)

        def on_run_failed(message: str) -> None:
            print(f"bertinspector: the run failed: {message}", file=sys.stderr)
            QTimer.singleShot(150, lambda: capture(2))

        if run:  # the picture shows the run's output
            window.workspace.controller.resultReady.connect(on_applied)
            window.workspace.controller.failed.connect(on_run_failed)
        elif compare:  # the picture shows the comparison
            window.compare.comparisonApplied.connect(on_applied)
        else:
            window.inspectionApplied.connect(on_applied)
        window.inspectionFailed.connect(lambda _message: QTimer.singleShot(150, lambda: capture(0)))
        window.modelFailed.connect(on_failed)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, on_timeout)

    code = app.exec()
    window.shutdown(2000)
    return status["code"] if screenshot else code
