"""The QApplication, set up once: names, version, desktop id, icon, style, no tracebacks."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from importlib import metadata

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from bertinspector import APP_ID
from bertinspector.core.errors import first_line
from bertinspector.qt.resources import app_icon
from bertinspector.qt.settings import APPLICATION, ORGANIZATION

DISPLAY_NAME = "BERT Inspector"

log = logging.getLogger("bertinspector")


def version() -> str:
    try:
        return metadata.version("bertinspector")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def display_available() -> bool:
    """Whether Qt can open windows here (a desktop session, or a platform chosen explicitly)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def make_application(argv: list[str] | None = None) -> QApplication:
    """The application object (created once; later calls return it)."""
    app = QApplication.instance()
    if app is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts, True)
        app = QApplication(argv if argv is not None else [sys.argv[0] if sys.argv else "bertinspector"])
    configure(app)
    return app


def configure(app: QApplication) -> None:
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setApplicationVersion(version())
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    if sys.platform.startswith("linux") and not os.environ.get("BERTINSPECTOR_NATIVE_STYLE"):
        # Fusion looks the same under every desktop, Xvfb and offscreen (what the screenshots show)
        app.setStyle("Fusion")


def install_excepthook(report) -> None:
    """Route uncaught exceptions (in slots) to the log and one line in the window, never a traceback."""

    def hook(kind, value, tb):
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("uncaught error", exc_info=(kind, value, tb))
        if os.environ.get("BERTINSPECTOR_DEBUG"):
            traceback.print_exception(kind, value, tb)
        text = first_line(value, 200, default="")
        try:
            report(f"Internal error: {kind.__name__}{': ' + text if text else ''} (details in the log)")
        except Exception:  # noqa: BLE001 - the hook must never raise
            pass

    sys.excepthook = hook
