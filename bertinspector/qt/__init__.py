"""Qt adapters of the core: background tasks, item models, resources. Imports PySide6, never torch."""
