"""Persistent GUI settings (QSettings, INI format, per user).

Tests redirect them with ``QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp)``
and ``QStandardPaths.setTestModeEnabled(True)``, so they never touch the user's configuration.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANIZATION = "bertinspector"
APPLICATION = "bertinspector"
RECENT_KEY = "models/recent"
RECENT_FILES_KEY = "files/recent"
RECENT_LIMIT = 10


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def _string_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if not isinstance(value, (list, tuple)):  # a hand-edited settings file: anything else is no list
        return []
    return [v for v in value if isinstance(v, str) and v]


def recent(key: str = RECENT_KEY) -> list[str]:
    """A most-recent-first list kept in the settings (recent models, recent files)."""
    return _string_list(app_settings().value(key))[:RECENT_LIMIT]


def add_recent(item: str, key: str = RECENT_KEY) -> list[str]:
    """Put ``item`` first in the list ``key`` and return the new list."""
    items = ([item] + [m for m in recent(key) if m != item])[:RECENT_LIMIT]
    settings = app_settings()
    settings.setValue(key, items)
    settings.sync()
    return items


def remove_recent(item: str, key: str = RECENT_KEY) -> list[str]:
    items = [m for m in recent(key) if m != item]
    app_settings().setValue(key, items)
    return items

