"""Qt adapters of the core: background tasks, item models, resources. Imports PySide6, never torch."""

from bertinspector.qt.compat import immortalize_none

immortalize_none()
